"""A real gitplane server process for integration tests: started on a free port of 127.0.0.1 in a temporary
data directory, ready when it logs its ready line (no sleeping), stopped with SIGTERM (or killed)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

READY = re.compile(r"gitplane API server ready at (https://\S+) ")
STARTUP_TIMEOUT = 60.0


@dataclass
class ServerProcess:
    data_dir: Path
    extra_args: Sequence[str] = ()
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    process: subprocess.Popen[str] | None = None
    log_lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def kubeconfig(self) -> Path:
        return self.data_dir / "admin.kubeconfig"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def start(self, port: int | None = 0) -> ServerProcess:
        """Start and wait until ready; ``port=None`` leaves address and port to the environment."""
        where = [] if port is None else ["--address", "127.0.0.1", "--port", str(port)]
        args = [sys.executable, "-m", "gitplane", "serve", "--data-dir", str(self.data_dir), *where,
                *self.extra_args]
        self.process = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                        env={**os.environ, **self.env})
        ready = threading.Event()

        def read() -> None:
            assert self.process is not None and self.process.stderr is not None
            for line in self.process.stderr:
                self.log_lines.append(line)
                match = READY.search(line)
                if match and not ready.is_set():
                    self.url = match.group(1)
                    ready.set()
            ready.set()

        self._reader = threading.Thread(target=read, daemon=True, name="server-log")
        self._reader.start()
        if not ready.wait(STARTUP_TIMEOUT) or not self.url:
            self.kill()
            raise RuntimeError("gitplane did not become ready:\n" + "".join(self.log_lines[-50:]))
        return self

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, and the exit code (killed after ``timeout``)."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._close()
        return code

    def kill(self) -> None:
        """SIGKILL, as a crash would end the process."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        if self._reader is not None:
            self._reader.join(10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def log(self) -> str:
        return "".join(self.log_lines)


@contextmanager
def serving(data_dir: Path, *, tokens: str | None = None, extra_args: Sequence[str] = ()) -> Iterator[ServerProcess]:
    """A server over ``data_dir`` (whose token file holds ``tokens``, kube's ``--token-auth-file`` lines, when
    given) until the context ends; its log is printed when it does not stop cleanly."""
    if tokens is not None:
        (data_dir / "tokens.csv").write_text(tokens)
    proc = ServerProcess(data_dir, extra_args=tuple(extra_args)).start()
    try:
        yield proc
    finally:
        code = proc.stop()
        if code != 0:
            print(proc.log())

"""WAL checkpoints for the SQLite store, off the request path.

The writer's connection never checkpoints on its own (``wal_autocheckpoint = 0``), so no commit pays for
copying the WAL back into the database. This thread does, on its own connection. Every ``interval`` seconds,
if the writer has committed since the last look, it runs a PASSIVE checkpoint, which copies the frames no
reader still needs and never waits for anyone. Once the store has been idle for a whole interval it runs a
TRUNCATE checkpoint, which also empties the WAL file; with no busy timeout on this connection it gives up at
once rather than wait for a reader or the writer.

SQLite starts the WAL over from its beginning only when a write transaction begins after a checkpoint has
copied *every* frame. Under a steady stream of group commits a background checkpoint never gets there (the
writer appends while it copies), and the WAL would grow without bound. So when a PASSIVE checkpoint finds
more than ``restart_frames`` frames in the WAL, this thread asks the writer (``request_catch_up``) to run one
PASSIVE checkpoint itself between two transactions. That one only copies the few frames written since this
thread's checkpoint, and the writer's next transaction then restarts the WAL.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from gitplane.storage.sqlite_schema import SQLiteStats, Synchronous, connect

logger = logging.getLogger(__name__)


class Checkpointer:
    """Runs WAL checkpoints on its own thread (see the module docstring).

    Args:
        path: the database file.
        synchronous: the store's synchronous setting (a checkpoint syncs the database file in both).
        commits: how many transactions the writer has committed so far.
        request_catch_up: asks the writer for a checkpoint between two transactions.
        stats: counts the checkpoints run.
        interval: seconds between two looks.
        restart_frames: WAL frames (pages) beyond which the writer is asked to catch up.
    """

    def __init__(self, path: str, *, synchronous: Synchronous, commits: Callable[[], int],
                 request_catch_up: Callable[[], None], stats: SQLiteStats, interval: float = 0.25,
                 restart_frames: int = 4096) -> None:
        self._conn = connect(path, synchronous=synchronous)
        self._conn.execute("PRAGMA busy_timeout = 0")
        self._commits = commits
        self._request_catch_up = request_catch_up
        self._stats = stats
        self._interval = interval
        self._restart_frames = restart_frames
        self._seen_commits = commits()
        self._truncated = False
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gitplane-sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the thread (closing the store's last connection checkpoints what is left)."""
        self._stopping.set()

    def join(self) -> None:
        self._thread.join()

    def close(self) -> None:
        """Close the connection (the thread does so itself when it ends)."""
        self._conn.close()

    def run_once(self) -> str | None:
        """Run the checkpoint the store needs now, if any; returns its mode."""
        commits = self._commits()
        if commits != self._seen_commits:
            mode = "PASSIVE"
            self._seen_commits = commits
        elif not self._truncated:
            mode = "TRUNCATE"
        else:
            return None
        started = time.perf_counter()
        busy, frames, _ = self._conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()[0]
        self._stats.checkpoints += 1
        self._stats.checkpoint_seconds.observe(time.perf_counter() - started)
        self._truncated = mode == "TRUNCATE" and not busy
        if mode == "PASSIVE" and frames > self._restart_frames:
            self._request_catch_up()
        return mode

    def _run(self) -> None:
        try:
            while not self._stopping.wait(self._interval):
                self._checkpoint()
        finally:
            self.close()

    def _checkpoint(self) -> None:
        try:
            self.run_once()
        except sqlite3.Error as exc:
            logger.warning("WAL checkpoint failed: %s", exc)

"""The SQLite store's reader threads: a small pool, one read-only connection per thread.

Lists and history reads scan many rows, so they leave the event loop: ``run`` hands a function of a
connection to a pool thread, which opens its own connection the first time and keeps it. SQLite releases the
GIL while it steps, and WAL lets these reads run beside the writer without waiting for it. SQLite's report of
a damaged file becomes :class:`~gitplane.storage.interface.Corrupted` naming what the read was for.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from gitplane.storage.interface import StorageError
from gitplane.storage.sqlite_checksum import corrupted, is_corruption
from gitplane.storage.sqlite_schema import connect

T = TypeVar("T")


class ReaderPool:
    """``size`` threads, each with its own read-only connection to ``path``."""

    def __init__(self, path: str, *, size: int) -> None:
        self._path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="gitplane-sqlite-reader")

    async def run(self, read: Callable[[sqlite3.Connection], T], subject: str) -> T:
        """``read(connection)`` on a pool thread; SQLite errors become :class:`StorageError` (``Corrupted``
        naming ``subject``, what was read, if SQLite found the file damaged)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, read, subject)

    def close(self) -> None:
        """Wait for running reads, then close every connection (blocks)."""
        self._executor.shutdown(wait=True)
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def _call(self, read: Callable[[sqlite3.Connection], T], subject: str) -> T:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self._path, read_only=True)
            with self._lock:
                self._connections.append(conn)
        try:
            return read(conn)
        except sqlite3.Error as exc:
            if is_corruption(exc):
                raise corrupted(exc, subject) from exc
            raise StorageError(f"the SQLite read failed: {exc}") from exc

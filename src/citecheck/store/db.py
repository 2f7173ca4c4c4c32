"""The persistent SQLite store: one file, WAL, shared by every stage that remembers.

Each stage that stores something owns its tables and creates them with
``CREATE TABLE IF NOT EXISTS`` through :meth:`Store.ensure_schema`, so the
store never needs to know every table up front.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from types import TracebackType

DEFAULT_STORE_PATH = Path(".citecheck") / "cache.sqlite"


class Store:
    """A thread-safe handle on the SQLite file (WAL mode, busy timeout)."""

    def __init__(self, path: Path | str = DEFAULT_STORE_PATH) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.connection = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        self._enable_wal()
        # NORMAL is durable enough in WAL mode: a crash loses at most the last transaction.
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA busy_timeout=30000")
        self._schemas: set[str] = set()

    def _enable_wal(self, attempts: int = 50) -> None:
        """Switch to WAL, waiting while another process does the same.

        Switching needs an exclusive lock and SQLite answers "database is
        locked" at once instead of calling the busy handler when several
        processes (Dask workers) open a new store together.
        """
        for attempt in range(attempts):
            try:
                self.connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == attempts - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def ensure_schema(self, name: str, ddl: str) -> None:
        """Run ``ddl`` (idempotent CREATE … IF NOT EXISTS statements) once per process."""
        if name in self._schemas:
            return
        with self._lock:
            self.connection.executescript(ddl)
            self._schemas.add(name)

    def execute(self, sql: str, parameters: tuple[object, ...] | dict[str, object] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.connection.execute(sql, parameters)

    def close(self) -> None:
        with self._lock:
            self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

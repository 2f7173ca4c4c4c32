"""Scratch SQLite files in an audit's temporary folder: what a networked audit spills instead of holding.

The plan's per-reference parts (:mod:`citecheck.resolve.plan`) and the
answers (:mod:`citecheck.resolve.answers`) each live in one such file: no
journal, no fsync (the file dies with the audit), one long transaction,
rows of pickled objects.
"""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path
from typing import Any

_PROTOCOL = pickle.HIGHEST_PROTOCOL


def scratch_database(path: Path, tables: str) -> sqlite3.Connection:
    """A connection to a new scratch file at ``path`` with ``tables`` (CREATE statements) made, a transaction open."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;" + tables)
    connection.execute("BEGIN")
    return connection


def dump(value: object) -> bytes:
    return pickle.dumps(value, _PROTOCOL)


def load(blob: bytes) -> Any:
    return pickle.loads(blob)

"""The persistent SQLite store: one file, WAL, shared by every stage that remembers.

Each stage that stores something owns its tables and creates them through
:meth:`Store.ensure_schema` (``CREATE TABLE IF NOT EXISTS`` statements), so the
store never needs to know every table up front.

**A store that heals.**  The store is a cache: nothing in it is worth a failed
audit.  Opening checks the file (a regular file, an SQLite header, not
truncated, ``PRAGMA quick_check``, and that it is citecheck's — its
``application_id``, or for stores older than that, its tables).  A damaged or
foreign file — truncated, garbage bytes, a tampered schema, a directory in its
place, another application's database — is moved aside to
``<name>.corrupt-<UTC time>`` (with its ``-wal``/``-shm``/``-journal``
companions), one warning is logged on the ``citecheck.store`` logger, and a
fresh store is created.  What cannot be healed — an unwritable location, a full
disk, a store written by a newer citecheck — raises :class:`StoreError`, whose
message says what to do.

**Versions and migrations.**  ``PRAGMA user_version`` is the store's own format
(the bookkeeping below); each stage's schema has its own version in the
``citecheck_schema`` table, upgraded by the migrations the stage passes to
:meth:`Store.ensure_schema`.  A stage table whose columns are not what its
schema declares (tampered, or a migration forgotten) is dropped and recreated
empty, with a warning.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from citecheck.errors import CitecheckError

DEFAULT_STORE_PATH = Path(".citecheck") / "cache.sqlite"
APPLICATION_ID = 0x43434B31  # "CCK1" in the SQLite header: this file is a citecheck store
STORE_FORMAT_VERSION = 1  # PRAGMA user_version: the store's own bookkeeping tables
_PLAUSIBLE_FORMAT_VERSION = 1000  # a higher user_version is damage, not a store from a newer citecheck
SCHEMA_TABLE = "citecheck_schema"
# Tables citecheck created before stores carried an application id: a file with one of them is adopted.
LEGACY_TABLES = frozenset(
    {"source_texts", "live_check_history", "live_check_latest", "archive_results", "archive_discovery"}
)
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
SQLITE_HEADER = b"SQLite format 3\x00"

# Store format migrations: _STORE_MIGRATIONS[v] upgrades user_version v to v + 1.
_STORE_MIGRATIONS: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (name TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at TEXT)",
)
assert len(_STORE_MIGRATIONS) == STORE_FORMAT_VERSION

_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_ENVIRONMENT_CODES = frozenset(
    {
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOLFS,
        sqlite3.SQLITE_AUTH,
        sqlite3.SQLITE_PROTOCOL,
    }
)
_BUSY_TIMEOUT_S = 30
UNDECODABLE = "SQLite reported damage in bytes that are not text"
_HEAL_ATTEMPTS = 3

logger = logging.getLogger(__name__)

# (device, inode, size, mtime) of store files this process found healthy or left behind itself: the integrity
# check is not repeated on every open (the resolve stage opens the store several times per audit), yet a file
# changed by anything else since (its size or mtime differ) is checked again.
_VERIFIED: set[tuple[int, int, int, int]] = set()


class StoreError(CitecheckError):
    """The store cannot be opened, created or written; the message says what to do (exit code 2)."""


class _Damaged(Exception):
    """Internal: the file is not a usable citecheck store and should be moved aside (the reason is the message)."""


def _one_line(text: str, limit: int = 200) -> str:
    """SQLite's message about a damaged file, safe for one log line (it may quote the file's own bytes)."""
    shown = " ".join("".join(char if char.isprintable() else " " for char in text).split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_corruption(error: sqlite3.Error) -> bool:
    """True for SQLite's "the file is damaged or not a database" errors."""
    return _primary_code(error) in _CORRUPTION_CODES


def _damaged_in_use(path: Path, reason: str) -> StoreError:
    return StoreError(f"store {path}: damaged while in use ({reason}); the next run moves it aside and starts afresh")


def _store_error(path: Path, error: BaseException) -> StoreError:
    """A :class:`StoreError` saying what to do about an SQLite or OS error on the store ``path``."""
    code = _primary_code(error) if isinstance(error, sqlite3.Error) else None
    reason = _one_line(error.strerror if isinstance(error, OSError) and error.strerror else str(error))
    elsewhere = "or choose another location with --cache PATH"
    if code == sqlite3.SQLITE_FULL or (isinstance(error, OSError) and error.errno == 28):
        return StoreError(f"store {path}: the disk is full; free some space {elsewhere}")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreError(
            f"store {path}: locked by another process for over {_BUSY_TIMEOUT_S} s; wait for it to finish {elsewhere}"
        )
    if code in _CORRUPTION_CODES:
        return _damaged_in_use(path, reason)
    return StoreError(f"store {path}: cannot be opened for writing ({reason}); fix its permissions {elsewhere}")


# --- checks before SQLite opens the file --------------------------------------------------------------------------


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` names now (device, inode), or None."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _fingerprint(path: Path) -> tuple[int, int, int, int] | None:
    """The file and its state (device, inode, size, mtime), or None."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _file_problem(path: Path) -> str | None:
    """Why ``path`` is not an SQLite file SQLite can open safely, or None (also when it does not exist yet)."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return "is a broken symbolic link" if os.path.islink(path) else None
    except OSError as error:
        raise _store_error(path, error) from error
    if stat.S_ISDIR(status.st_mode):
        return "is a directory, not a store file"
    if not stat.S_ISREG(status.st_mode):
        return "is not a regular file"  # a FIFO or device would block or worse
    if status.st_size == 0:
        return None  # SQLite makes an empty file a new database
    try:
        with open(path, "rb") as stream:
            header = stream.read(100)
    except OSError as error:
        raise _store_error(path, error) from error
    if len(header) < 100:
        return f"is truncated ({status.st_size} bytes, shorter than an SQLite header)"
    if not header.startswith(SQLITE_HEADER):
        return "is not an SQLite database (its first bytes are not an SQLite header)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"has a damaged header (page size {page_size})"
    if header[18] not in (1, 2) or header[19] not in (1, 2) or header[21:24] != b"\x40\x20\x20":
        return "has a damaged header (file format bytes)"
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None  # pages may still live in the write-ahead log; SQLite's own check decides
    pages = int.from_bytes(header[28:32], "big")
    header_size_valid = header[24:28] == header[92:96]  # the change counter matches "version valid for"
    if status.st_size % page_size or (header_size_valid and pages * page_size > status.st_size):
        expected = pages * page_size if header_size_valid else "a multiple of the page size"
        return f"is truncated ({status.st_size} bytes, the header says {expected})"
    return None


# --- checks SQLite makes ------------------------------------------------------------------------------------------


_FORMAT_ROW = "store-format"  # the row of SCHEMA_TABLE that repeats PRAGMA user_version


def _recorded_format(connection: sqlite3.Connection) -> int | None:
    """The store format recorded in the schema table (None when absent or unreadable)."""
    try:
        row = connection.execute(f"SELECT version FROM {SCHEMA_TABLE} WHERE name = ?", (_FORMAT_ROW,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row is not None and isinstance(row[0], int) else None


def _content_problem(connection: sqlite3.Connection, path: Path, *, verified: bool) -> str | None:
    """Why the open database is not a healthy citecheck store, or None.  SQLite errors other than
    corruption raise :class:`StoreError`."""
    try:
        # One read transaction: a peer creating the store between two separate reads (stamp first, tables
        # after) must not make a brand-new store look like another application's.
        connection.execute("BEGIN")
        try:
            if not verified:
                rows = connection.execute("PRAGMA quick_check(1)").fetchall()
                if rows != [("ok",)]:
                    return f"failed SQLite's integrity check ({rows[0][0] if rows else 'no answer'})"
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            format_version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not str(row[0]).startswith("sqlite_")
            }
            recorded_format = _recorded_format(connection) if SCHEMA_TABLE in tables else None
        finally:
            if connection.in_transaction:
                connection.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        # Only fixed reads ran: whatever SQLite objects to ("unsupported file format"…) is the file's fault,
        # unless it is about the file system around it.
        if _primary_code(error) in _ENVIRONMENT_CODES:
            raise _store_error(path, error) from error
        return f"is damaged ({error})"
    except UnicodeDecodeError:  # Python could not even decode SQLite's message: it quotes damaged bytes
        return f"is damaged ({UNDECODABLE})"
    if application_id not in (0, APPLICATION_ID):
        return f"belongs to another application (SQLite application_id {application_id:#010x})"
    if application_id == 0 and tables and not tables & LEGACY_TABLES:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        return f"is another application's SQLite database (tables: {shown})"
    if (
        application_id == APPLICATION_ID
        and format_version > STORE_FORMAT_VERSION
        and (format_version > _PLAUSIBLE_FORMAT_VERSION or recorded_format != format_version)
    ):
        # Every citecheck records its store format twice: in the header and in a row of its schema table.
        # A header that disagrees with the row (a flipped byte: 257, 16777217 …) is damage, not a newer version.
        return f"is damaged (store format {format_version} in the header, {recorded_format} recorded in the store)"
    if application_id == APPLICATION_ID and format_version > STORE_FORMAT_VERSION:
        raise StoreError(
            f"store {path}: written by a newer citecheck (store format {format_version}, this version reads up to "
            f"{STORE_FORMAT_VERSION}); upgrade citecheck or choose another location with --cache PATH"
        )
    return None


# --- moving a bad file aside --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on ``directory`` while a bad store in it is moved aside (POSIX; elsewhere none).

    Several processes (Dask workers) may find the same damaged file at once:
    only one must move it, and none may move the fresh store another created.
    """
    try:
        import fcntl
    except ImportError:  # Windows: a lost race leaves one worker with a StoreError, never a wrong store
        yield
        return
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _aside_path(path: Path, moment: datetime) -> Path:
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
        number += 1
    return candidate


def move_aside(path: Path, reason: str, *, now: datetime | None = None) -> Path:
    """Rename a bad store file (and its companions) to ``<name>.corrupt-<UTC time>``; log one warning."""
    reason = _one_line(reason)
    aside = _aside_path(path, now or datetime.now(UTC))
    try:
        # Companions first: once the file itself is gone a peer may create a fresh store (and its journal)
        # at the same path, and that journal must not be carried off with the damaged file.
        for suffix in COMPANION_SUFFIXES:
            companion = Path(f"{path}{suffix}")
            if companion.exists() or companion.is_symlink():
                os.replace(companion, Path(f"{aside}{suffix}"))
        os.replace(path, aside)
    except OSError as error:
        raise StoreError(
            f"store {path} {reason}, and it cannot be moved aside ({error.strerror or error}); "
            "remove it or choose another location with --cache PATH"
        ) from error
    logger.warning("store %s %s; moved it aside to %s and started a fresh store", path, reason, aside.name)
    return aside


# --- schemas ------------------------------------------------------------------------------------------------------


def _statements(script: str) -> list[str]:
    """The SQL statements of ``script``, split where SQLite says a statement is complete."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


_Columns = tuple[tuple[str, int], ...]


def _columns(connection: sqlite3.Connection, table: str) -> _Columns:
    quoted = '"' + table.replace('"', '""') + '"'
    return tuple((str(row[1]), int(row[5])) for row in connection.execute(f"PRAGMA table_info({quoted})"))


@functools.lru_cache(maxsize=64)
def _declared_tables(ddl: str) -> dict[str, _Columns]:
    """Table → (column, primary-key position) pairs that ``ddl`` creates, read from a scratch in-memory database."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.executescript(ddl)
        names = [row[0] for row in scratch.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: _columns(scratch, name) for name in names}
    finally:
        scratch.close()


def _schema_version(value: object) -> int | None:
    """A schema version read back from the store, or None when the row holds something else (tampering)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        version = int(value)
    except ValueError:
        return None
    return version if version >= 1 else None


def _decode_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


class Store:
    """A thread-safe handle on the SQLite file (WAL mode, busy timeout) that heals a damaged file on open.

    Raises :class:`StoreError` when the location cannot hold a store.
    ``healed_from`` is where a damaged file was moved, when opening moved one.
    """

    def __init__(self, path: Path | str = DEFAULT_STORE_PATH) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._schemas: set[str] = set()
        self.healed_from: Path | None = None
        self._damaged = False
        self.connection = self._open(str(path))

    # --- opening ----------------------------------------------------------------------------------------------

    def _open(self, name: str) -> sqlite3.Connection:
        if name == ":memory:":
            connection = self._connect(name)
            self._configure(connection)
            self._initialise(connection)
            return connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            blocker = next((parent for parent in self.path.parents if parent.exists() and not parent.is_dir()), None)
            why = f"{blocker} is a file, not a directory" if blocker else (error.strerror or str(error))
            raise StoreError(
                f"store {self.path}: cannot create its directory {self.path.parent} ({why}); "
                "choose another location with --cache PATH"
            ) from error
        for _ in range(_HEAL_ATTEMPTS):
            identity = _identity(self.path)
            try:
                return self._open_checked(name, identity)
            except _Damaged as damage:
                self._heal(identity, str(damage))
            except StoreError:
                with _directory_lock(self.path.parent):  # a peer moving the file aside holds this until done
                    moved = _identity(self.path) != identity
                if not moved:
                    raise
                # A peer moved the damaged file aside while this process was reading it (SQLite then reports
                # "disk I/O error"): look again at what is there now.
        raise StoreError(
            f"store {self.path}: still unusable after moving damaged files aside {_HEAL_ATTEMPTS} times; "
            "choose another location with --cache PATH"
        )

    def _open_checked(self, name: str, identity: tuple[int, int] | None) -> sqlite3.Connection:
        problem = _file_problem(self.path)
        if problem is not None:
            raise _Damaged(problem)
        connection = self._connect(name)
        try:
            problem = _content_problem(connection, self.path, verified=_fingerprint(self.path) in _VERIFIED)
            if problem is not None:
                raise _Damaged(problem)
            self._configure(connection)
            self._initialise(connection)
        except sqlite3.DatabaseError as error:
            connection.close()
            if _primary_code(error) in _ENVIRONMENT_CODES:
                raise _store_error(self.path, error) from error
            raise _Damaged(f"is damaged ({error})") from error
        except UnicodeDecodeError as error:
            connection.close()
            raise _Damaged(f"is damaged ({UNDECODABLE})") from error
        except BaseException:
            connection.close()
            raise
        self._remember_healthy()
        return connection

    def _remember_healthy(self) -> None:
        fingerprint = _fingerprint(self.path)
        if fingerprint is not None:
            _VERIFIED.add(fingerprint)

    def _heal(self, identity: tuple[int, int] | None, reason: str) -> None:
        """Move the damaged file aside, after checking again under the lock that it still is the same bad file."""
        with _directory_lock(self.path.parent):
            if _identity(self.path) != identity:
                return  # another process moved it already (and may have created a fresh store): check again
            # A peer may have been half-way through creating the store when we looked: look again, fully.
            confirmed = self._diagnose()
            if confirmed is None:
                return
            self.healed_from = move_aside(self.path, confirmed)

    def _diagnose(self) -> str | None:
        """Why the file is not a healthy citecheck store (a full check, on a connection of its own), or None."""
        problem = _file_problem(self.path)
        if problem is not None:
            return problem
        connection = self._connect(str(self.path))
        try:
            return _content_problem(connection, self.path, verified=False)
        finally:
            connection.close()

    def _connect(self, name: str) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(name, timeout=_BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise _store_error(self.path, error) from error
        # Damaged pages can hold bytes that are not UTF-8 (in data, in table names, in SQLite's own messages):
        # read them with replacement characters rather than fail every query that touches them.
        connection.text_factory = _decode_text
        return connection

    def _configure(self, connection: sqlite3.Connection) -> None:
        self._enable_wal(connection)
        # NORMAL is durable enough in WAL mode: a crash loses at most the last transaction.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")

    @staticmethod
    def _enable_wal(connection: sqlite3.Connection, attempts: int = 50) -> None:
        """Switch to WAL, waiting while another process does the same.

        Switching needs an exclusive lock and SQLite answers "database is
        locked" at once instead of calling the busy handler when several
        processes (Dask workers) open a new store together.
        """
        for attempt in range(attempts):
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == attempts - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def _initialise(self, connection: sqlite3.Connection) -> None:
        """Stamp the file as a citecheck store and bring its own bookkeeping to the current format."""
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        if application_id == APPLICATION_ID and connection.execute("PRAGMA user_version").fetchone()[0] == (
            STORE_FORMAT_VERSION
        ):
            return  # the common case: no write lock taken on open
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]  # again, under the lock
            if version > STORE_FORMAT_VERSION:
                raise StoreError(
                    f"store {self.path}: written by a newer citecheck (store format {version}); "
                    "upgrade citecheck or choose another location with --cache PATH"
                )
            for script in _STORE_MIGRATIONS[version:]:
                for statement in _statements(script):
                    connection.execute(statement)
            connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version={STORE_FORMAT_VERSION}")
            connection.execute(
                f"INSERT OR REPLACE INTO {SCHEMA_TABLE} (name, version, updated_at) VALUES (?, ?, datetime('now'))",
                (_FORMAT_ROW, STORE_FORMAT_VERSION),
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    # --- schemas ----------------------------------------------------------------------------------------------

    def ensure_schema(self, name: str, ddl: str, migrations: Sequence[str] = ()) -> None:
        """Bring schema ``name`` to its latest version, once per process and handle.

        ``ddl`` holds idempotent ``CREATE … IF NOT EXISTS`` statements for the
        *latest* tables.  ``migrations[i]`` is an SQL script upgrading tables
        of version ``i + 1`` to ``i + 2`` (version 1 is the ddl as first
        shipped, also what stores older than versioning hold), so the latest
        version is ``len(migrations) + 1``.  A table whose columns still differ
        from the ddl's afterwards is dropped and recreated empty (logged).
        """
        if name in self._schemas:
            return
        latest = len(migrations) + 1
        declared = _declared_tables(ddl)
        with self._lock, self._errors_translated():
            self._upgrade_schema(name, ddl, migrations, latest, declared)
            self._schemas.add(name)

    def _upgrade_schema(
        self, name: str, ddl: str, migrations: Sequence[str], latest: int, declared: dict[str, _Columns]
    ) -> None:
        connection = self.connection
        row = connection.execute(f"SELECT version FROM {SCHEMA_TABLE} WHERE name = ?", (name,)).fetchone()
        if (
            row is not None
            and row[0] == latest
            and all(_columns(connection, table) == columns for table, columns in declared.items())
        ):
            return  # the common case: nothing to write
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(f"SELECT version FROM {SCHEMA_TABLE} WHERE name = ?", (name,)).fetchone()
            existing = {table for table in declared if _columns(connection, table)}
            version = _schema_version(row[0]) if row is not None else (1 if existing else latest)
            if version is None:
                # The bookkeeping row itself is garbage: what the tables hold is unknown, so they start empty.
                logger.warning(
                    "store %s: schema %r has an unreadable version; recreated its tables empty", self.path, name
                )
                for table in existing:
                    connection.execute(f'DROP TABLE "{table}"')
                version = latest
            if version > latest:
                raise StoreError(
                    f"store {self.path}: its {name!r} tables were written by a newer citecheck (version {version}, "
                    f"this one knows up to {latest}); upgrade citecheck or choose another location with --cache PATH"
                )
            self._migrate(name, migrations[version - 1 :], declared)
            for table, columns in declared.items():
                found = _columns(connection, table)
                if found and found != columns:
                    logger.warning(
                        "store %s: table %s does not have the columns citecheck expects; recreated it empty",
                        self.path,
                        table,
                    )
                    connection.execute(f'DROP TABLE "{table}"')
            for statement in _statements(ddl):
                connection.execute(statement)
            connection.execute(
                f"INSERT INTO {SCHEMA_TABLE} (name, version, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
                (name, latest, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _migrate(self, name: str, scripts: Sequence[str], declared: dict[str, _Columns]) -> None:
        """Run ``scripts`` all or nothing; tables they cannot migrate (tampered with) are dropped, to be recreated."""
        if not scripts:
            return
        connection = self.connection
        connection.execute("SAVEPOINT citecheck_migration")
        try:
            for script in scripts:
                for statement in _statements(script):
                    connection.execute(statement)
        except sqlite3.OperationalError as error:
            connection.execute("ROLLBACK TO citecheck_migration")
            logger.warning(
                "store %s: the %s tables could not be migrated (%s); recreated them empty",
                self.path,
                name,
                _one_line(str(error)),
            )
            for table in declared:
                connection.execute(f'DROP TABLE IF EXISTS "{table}"')
        connection.execute("RELEASE citecheck_migration")

    def schema_version(self, name: str) -> int | None:
        """The version of schema ``name`` recorded in this store, or None when it was never created here."""
        row = self.execute(f"SELECT version FROM {SCHEMA_TABLE} WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    # --- use --------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors_translated(self) -> Iterator[None]:
        """Damage, a full disk, a lost lock or lost permissions become :class:`StoreError`; a damaged file is
        not remembered as healthy, so the next open checks it again.  Other SQLite errors (bugs) pass."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            if is_corruption(error):
                self._damaged = True
            if is_corruption(error) or _primary_code(error) in _ENVIRONMENT_CODES:
                raise _store_error(self.path, error) from error
            raise
        except UnicodeDecodeError as error:  # SQLite's message quotes bytes that are not text: damage
            self._damaged = True
            raise _damaged_in_use(self.path, UNDECODABLE) from error

    def execute(self, sql: str, parameters: tuple[object, ...] | dict[str, object] = ()) -> sqlite3.Cursor:
        """Run one statement.  Damage, a full disk, a lost lock or lost permissions raise :class:`StoreError`;
        other SQLite errors (a bad statement: a bug) propagate unchanged."""
        with self._lock, self._errors_translated():
            return self.connection.execute(sql, parameters)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the statements inside as one transaction (one commit; all or none), holding the store.

        For writes that belong together and follow one another without waiting (a check's
        history row and its latest result): one commit instead of one per statement.  Nested,
        the inner block joins the outer transaction.
        """
        with self._lock:
            if self.connection.in_transaction:
                yield
                return
            with self._errors_translated():
                self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self.connection.in_transaction:
                    with contextlib.suppress(sqlite3.Error):  # the error that got here is the one to raise
                        self.connection.execute("ROLLBACK")
                raise
            with self._errors_translated():
                self.connection.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self.connection.close()
            if str(self.path) != ":memory:" and not self._damaged:
                self._remember_healthy()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

"""Store versions and migrations: a stage can change its tables and old stores follow, data kept."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from citecheck.errors import CitecheckError
from citecheck.store import Store, StoreError
from citecheck.store.db import APPLICATION_ID, SCHEMA_TABLE, STORE_FORMAT_VERSION

NOTES_V1 = "CREATE TABLE IF NOT EXISTS notes (url TEXT PRIMARY KEY, note TEXT NOT NULL);"
NOTES_V2 = (
    "CREATE TABLE IF NOT EXISTS notes (url TEXT PRIMARY KEY, note TEXT NOT NULL, author TEXT);\n"
    "CREATE INDEX IF NOT EXISTS notes_author ON notes (author);"
)
NOTES_MIGRATIONS = [
    "ALTER TABLE notes ADD COLUMN author TEXT;\nCREATE INDEX IF NOT EXISTS notes_author ON notes (author);"
]


def columns(store: Store, table: str) -> list[str]:
    return [row[1] for row in store.execute(f"PRAGMA table_info({table})")]


def test_a_new_store_is_stamped_and_records_schema_versions(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite") as store:
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)
        assert store.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.execute("PRAGMA user_version").fetchone()[0] == STORE_FORMAT_VERSION
        assert store.schema_version("notes") == 2
        assert store.schema_version("never-created") is None
        assert columns(store, "notes") == ["url", "note", "author"]


def test_a_version_1_store_is_migrated_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with Store(path) as store:
        store.ensure_schema("notes", NOTES_V1)
        store.execute("INSERT INTO notes VALUES ('https://e.org/', 'kept')")
        assert store.schema_version("notes") == 1
    with Store(path) as store:
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)
        assert store.schema_version("notes") == 2
        assert columns(store, "notes") == ["url", "note", "author"]
        assert store.execute("SELECT note, author FROM notes").fetchall() == [("kept", None)]
        indexes = [row[1] for row in store.execute("PRAGMA index_list(notes)")]
        assert "notes_author" in indexes


def test_a_store_from_before_versioning_is_adopted_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    connection = sqlite3.connect(path)  # what citecheck wrote before stores were stamped
    connection.executescript(
        NOTES_V1
        + "CREATE TABLE live_check_latest (url TEXT PRIMARY KEY, checked_at TEXT NOT NULL, status TEXT NOT NULL,"
        " http_status INTEGER, record TEXT NOT NULL); INSERT INTO notes VALUES ('https://e.org/', 'old');"
    )
    connection.close()
    with Store(path) as store:
        assert store.healed_from is None
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)
        assert store.execute("SELECT note, author FROM notes").fetchall() == [("old", None)]
        assert store.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_a_schema_from_a_newer_citecheck_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with Store(path) as store:
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)
        store.execute(f"UPDATE {SCHEMA_TABLE} SET version = 7 WHERE name = 'notes'")
    with Store(path) as store, pytest.raises(StoreError, match=r"newer citecheck.*--cache"):
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)


def test_a_store_format_from_a_newer_citecheck_is_refused_not_moved(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with Store(path) as store:  # a newer citecheck writes its format in the header and in the schema table
        store.execute(f"PRAGMA user_version = {STORE_FORMAT_VERSION + 1}")
        store.execute(f"UPDATE {SCHEMA_TABLE} SET version = ? WHERE name = 'store-format'", (STORE_FORMAT_VERSION + 1,))
    with pytest.raises(StoreError, match="newer citecheck"):
        Store(path)
    assert path.is_file() and not list(tmp_path.glob("*.corrupt-*"))


def test_a_header_format_the_store_does_not_record_is_damage_and_healed(tmp_path: Path) -> None:
    """A flipped header byte (user_version 257) is no newer citecheck: the schema table still says 1."""
    path = tmp_path / "cache.sqlite"
    with Store(path) as store:
        store.execute("PRAGMA user_version = 257")
    with Store(path) as store:
        assert store.healed_from is not None
    assert list(tmp_path.glob("*.corrupt-*"))


def test_a_table_with_unexpected_columns_is_rebuilt_and_the_rest_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "cache.sqlite"
    with Store(path) as store:
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)
        store.ensure_schema("other", "CREATE TABLE IF NOT EXISTS other (x INTEGER);")
        store.execute("INSERT INTO other VALUES (1)")
        store.execute("DROP TABLE notes")
        store.execute("CREATE TABLE notes (something TEXT)")
    caplog.set_level(logging.WARNING, logger="citecheck.store")
    with Store(path) as store:
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)
        store.ensure_schema("other", "CREATE TABLE IF NOT EXISTS other (x INTEGER);")
        assert columns(store, "notes") == ["url", "note", "author"]
        assert store.execute("SELECT x FROM other").fetchall() == [(1,)]
    assert any("notes" in record.getMessage() and "recreated" in record.getMessage() for record in caplog.records)


def test_an_unusable_location_is_a_store_error_saying_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="--cache") as raised:
        Store(blocker / "cache.sqlite")
    assert isinstance(raised.value, CitecheckError)
    assert "\n" not in str(raised.value)


def test_bugs_are_not_dressed_up_as_store_errors(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite") as store:
        with pytest.raises(sqlite3.OperationalError):
            store.execute("SELECT * FROM no_such_table")
        with pytest.raises(sqlite3.OperationalError):
            store.execute("SELEC 1")


def test_in_memory_stores_work_as_before() -> None:
    with Store(":memory:") as store:
        store.ensure_schema("notes", NOTES_V1)
        store.execute("INSERT INTO notes VALUES ('u', 'n')")
        assert store.execute("SELECT count(*) FROM notes").fetchone()[0] == 1


def test_a_migration_that_cannot_run_rebuilds_that_schema_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "cache.sqlite"
    with Store(path) as store:
        store.ensure_schema("notes", NOTES_V1)
        store.execute("ALTER TABLE notes ADD COLUMN author TEXT")  # by hand: the migration's ALTER now fails
        store.execute("INSERT INTO notes VALUES ('u', 'n', 'a')")
    caplog.set_level(logging.WARNING, logger="citecheck.store")
    with Store(path) as store:
        store.ensure_schema("notes", NOTES_V2, NOTES_MIGRATIONS)
        assert store.schema_version("notes") == 2
        assert columns(store, "notes") == ["url", "note", "author"]
        assert store.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    assert any("could not be migrated" in record.getMessage() for record in caplog.records)

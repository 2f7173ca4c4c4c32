"""A damaged, foreign or misplaced store never costs an audit: it is moved aside and a fresh one is used.

Every kind of damage a cache file meets in the wild — a copy cut short, a disk
that returned garbage, pages zeroed, a schema edited by hand, a directory or a
FIFO where the file should be, another application's database at that path —
is injected into a real store that earlier audits filled.  For each, counted
over the whole matrix: crashes (an exception out of ``Store`` or ``audit``),
hangs (no answer within the deadline), wrong outputs (a report missing, the
damaged bytes lost instead of moved aside, a store that cannot store) — all 0.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.synchronize
import os
import sqlite3
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import LiveCheck, LiveStatus
from citecheck.resolve.live_history import LiveHistory
from citecheck.store import Store
from citecheck.store.db import APPLICATION_ID, STORE_FORMAT_VERSION
from tests.integration.web_world import WebWorld, closed_port_url, running_world
from tests.resilience.deadline import DEADLINE_S, within_deadline


def filled_store(path: Path, urls: int = 400) -> None:
    """A real store as audits leave it: live check history for a few hundred URLs, then closed."""
    with Store(path) as store:
        history = LiveHistory(store)
        moment = datetime(2025, 3, 2, tzinfo=UTC)
        for number in range(urls):
            check = LiveCheck(status=LiveStatus.alive, http_status=200, checked_at=moment - timedelta(hours=number))
            history.record_and_confirm(f"https://example.org/page/{number}", check)


def _truncate_to_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _truncate_mid_page(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 1234])


def _header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def _text_file(path: Path) -> None:
    path.write_text("this is not a database\n" * 100)


def _garbage_after_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)
    path.write_bytes(bytes(data))


def _zeroed_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page : page * 3] = bytes(page * 2)
    path.write_bytes(bytes(data))


def _future_file_format(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[18] = data[19] = 9  # file format versions no SQLite knows: "unsupported file format"
    path.write_bytes(bytes(data))


def _run_sql(path: Path, *statements: str) -> None:
    """Edit the file as any SQLite client could, behind citecheck's back."""
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def _undecodable_schema(path: Path) -> None:
    _run_sql(
        path,
        "PRAGMA writable_schema=ON",
        "UPDATE sqlite_master SET name = CAST(x'6c697665ff' AS TEXT) WHERE name = 'live_check_latest'",
    )


def _tampered_master(path: Path) -> None:
    _run_sql(
        path,
        "PRAGMA writable_schema=ON",
        "UPDATE sqlite_master SET sql = 'CREATE TABLE broken ((' WHERE name = 'live_check_latest'",
    )


def _tampered_columns(path: Path) -> None:
    _run_sql(path, "DROP TABLE live_check_latest", "CREATE TABLE live_check_latest (something_else TEXT)")


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("a directory where the store should be")


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _broken_symlink(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.parent / "nowhere" / "cache.sqlite")


def _foreign_tables(path: Path) -> None:
    path.unlink()
    _run_sql(
        path,
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)",
        "INSERT INTO moz_places (url) VALUES ('https://example.org/')",
    )


def _foreign_application_id(path: Path) -> None:
    _run_sql(path, "PRAGMA application_id = 1196444237")  # GeoPackage ("GPKG") claims the file


def _garbage_wal(path: Path) -> None:
    Path(f"{path}-wal").write_bytes(os.urandom(32 * 1024))


def _garbage_hot_journal(path: Path) -> None:
    Path(f"{path}-journal").write_bytes(os.urandom(8 * 1024))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


# kind → (damage, moved aside as a whole?)
DAMAGE: dict[str, tuple[Callable[[Path], None], bool]] = {
    "truncated-half": (_truncate_to_half, True),
    "truncated-mid-page": (_truncate_mid_page, True),
    "header-only": (_header_only, True),
    "garbage-bytes": (_garbage, True),
    "text-file": (_text_file, True),
    "garbage-after-header": (_garbage_after_header, True),
    "zeroed-pages": (_zeroed_pages, True),
    "tampered-sqlite-master": (_tampered_master, True),
    "future-file-format": (_future_file_format, True),
    "undecodable-schema-name": (_undecodable_schema, True),
    "tampered-table-columns": (_tampered_columns, False),  # that table is rebuilt, the rest kept
    "directory": (_directory, True),
    "fifo": (_fifo, True),
    "broken-symlink": (_broken_symlink, True),
    "other-application-tables": (_foreign_tables, True),
    "other-application-id": (_foreign_application_id, True),
    "garbage-wal": (_garbage_wal, False),  # SQLite ignores a write-ahead log whose checksums fail
    "garbage-hot-journal": (_garbage_hot_journal, False),  # likewise a journal without a valid header
    "empty-file": (_empty, False),
}


def damaged_store(folder: Path, kind: str) -> tuple[Path, bytes | None]:
    """A filled store damaged in way ``kind``; returns its path and the damaged bytes (None if not a file)."""
    path = folder / ".citecheck" / "cache.sqlite"
    filled_store(path)
    damage, _ = DAMAGE[kind]
    damage(path)
    is_plain_file = path.is_file() and not path.is_symlink()
    return path, path.read_bytes() if is_plain_file else None


def _aside_files(path: Path) -> list[Path]:
    return sorted(candidate for candidate in path.parent.iterdir() if ".corrupt-" in candidate.name)


def _store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name.startswith("citecheck.store")]


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_store_heals_every_kind_of_damage(kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path, damaged_bytes = damaged_store(tmp_path, kind)
    moved_whole = DAMAGE[kind][1]
    caplog.set_level(logging.WARNING, logger="citecheck.store")

    def use_store() -> tuple[Path | None, LiveCheck | None]:
        with Store(path) as store:
            history = LiveHistory(store)
            check = LiveCheck(status=LiveStatus.dead, http_status=404, checked_at=datetime.now(UTC))
            history.record_and_confirm("https://example.org/after", check)
            return store.healed_from, history.recent("https://example.org/after")

    healed_from, remembered = within_deadline(use_store)

    assert remembered is not None and remembered.http_status == 404, "the healed store cannot store"
    asides = _aside_files(path)
    warnings = _store_warnings(caplog)
    if moved_whole:
        assert healed_from is not None and asides == [healed_from]
        assert healed_from.name.startswith("cache.sqlite.corrupt-")
        assert len(warnings) == 1 and str(path) in warnings[0] and healed_from.name in warnings[0]
        if damaged_bytes is not None:
            assert healed_from.read_bytes() == damaged_bytes, "the damaged file was not kept as it was"
    else:
        assert healed_from is None and asides == []
        assert len(warnings) <= 1
    with Store(path) as store:  # reopening the healed store is quiet and keeps what was written
        assert store.healed_from is None
        assert store.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.execute("PRAGMA user_version").fetchone()[0] == STORE_FORMAT_VERSION
        assert LiveHistory(store).recent("https://example.org/after") is not None
    assert len(_store_warnings(caplog)) == len(warnings)


def _document(folder: Path, url: str) -> Path:
    path = folder / "docs" / "bridge.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "# Bridge\n\nThe bridge reopened in May.[^bridge]\n\n"
        f'[^bridge]: "Bridge reopens". The Gazette. 2 May 2012. {url} Retrieved 6 May 2012.\n',
        encoding="utf-8",
    )
    return path


def _assert_every_report(out: Path, stem: str) -> None:
    for name in ("index.md", "summary.json", f"{stem}.md", f"{stem}.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, f"{name} was not written"


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_offline_audit_with_a_damaged_store_writes_every_report(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache, _ = damaged_store(tmp_path, kind)
    document = _document(tmp_path, "https://example.org/page/1")
    options = AuditOptions(out=tmp_path / "reports", cache=cache, offline=True)

    result = within_deadline(lambda: audit([document], options))

    assert result.exit_code in (0, 1)
    _assert_every_report(tmp_path / "reports", "bridge")
    assert result.reports[0].network.mode == "offline"


@pytest.fixture(scope="module")
def web() -> Generator[WebWorld, None, None]:
    with running_world() as world:
        yield world


@pytest.mark.integration
@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_online_audit_with_a_damaged_store_checks_links(kind: str, web: WebWorld, tmp_path: Path) -> None:
    cache, _ = damaged_store(tmp_path, kind)
    url = web.url("news", "/articles/harvest-2011")
    document = _document(tmp_path, url)
    options = AuditOptions(
        out=tmp_path / "reports",
        cache=cache,
        allow_private=True,
        archives=[closed_port_url("127.0.0.9") + "wayback"],
        canary=[web.url("news", "/")],
    )

    result = within_deadline(lambda: audit([document], options))

    assert result.exit_code in (0, 1)
    _assert_every_report(tmp_path / "reports", "bridge")
    report = result.reports[0]
    assert report.network.mode == "online"
    assert report.references[0].live.status is LiveStatus.alive  # the check ran and was stored
    with Store(cache) as store:
        assert LiveHistory(store).entries(url), "the live check was not remembered in the healed store"


def _open_together(path: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait()
    with Store(path) as store:
        LiveHistory(store).record(
            f"https://example.org/worker/{os.getpid()}",
            LiveCheck(status=LiveStatus.alive, checked_at=datetime.now(UTC)),
        )


@pytest.mark.parametrize("kind", ["garbage-bytes", "truncated-half", "other-application-tables"])
def test_workers_finding_one_damaged_store_together_move_it_aside_once(kind: str, tmp_path: Path) -> None:
    path, _ = damaged_store(tmp_path, kind)
    context = multiprocessing.get_context("fork")
    workers = 4
    barrier = context.Barrier(workers)
    processes = [context.Process(target=_open_together, args=(str(path), barrier)) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=DEADLINE_S)
    assert [process.exitcode for process in processes] == [0] * workers
    assert len(_aside_files(path)) == 1
    with Store(path) as store:
        rows = store.execute("SELECT count(*) FROM live_check_history WHERE url LIKE '%/worker/%'").fetchone()[0]
    assert rows == workers

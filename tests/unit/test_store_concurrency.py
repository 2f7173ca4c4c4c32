"""Several processes (Dask workers) opening one new store at once must all get it."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
from pathlib import Path

from citecheck.store.db import Store


def _open_and_write(path: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait()  # all open the brand-new file together: the WAL switch races
    with Store(path) as store:
        store.ensure_schema("t", "CREATE TABLE IF NOT EXISTS t (x INTEGER);")
        store.execute("INSERT INTO t VALUES (1)")


def test_processes_opening_a_new_store_together_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    rounds, workers = 8, 4
    for round_number in range(rounds):
        path = tmp_path / f"store-{round_number}.sqlite"
        barrier = context.Barrier(workers)
        processes = [context.Process(target=_open_and_write, args=(str(path), barrier)) for _ in range(workers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        assert [process.exitcode for process in processes] == [0] * workers
        with Store(path) as store:
            assert store.execute("SELECT count(*) FROM t").fetchone()[0] == workers
            assert store.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # A store being created by a peer is never mistaken for a damaged one and moved aside.
        assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_transaction_commits_its_writes_together_and_rolls_back_on_error(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    path = tmp_path / "store.sqlite"
    with Store(path) as store:
        store.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        with store.transaction():
            store.execute("INSERT INTO t VALUES ('a')")
            with store.transaction():  # nested: joins the outer one
                store.execute("INSERT INTO t VALUES ('b')")
            # Not visible to another connection until the outer block commits.
            assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
        assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM t").fetchone()[0] == 2
        with pytest.raises(RuntimeError), store.transaction():
            store.execute("INSERT INTO t VALUES ('c')")
            raise RuntimeError("half-way")
        assert [row[0] for row in store.execute("SELECT k FROM t ORDER BY k")] == ["a", "b"]
        store.execute("INSERT INTO t VALUES ('d')")  # autocommit again afterwards
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM t").fetchone()[0] == 3

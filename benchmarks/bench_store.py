"""Store benchmark: what the checks on open cost, by store size, against a bare ``sqlite3.connect``.

Run: ``python benchmarks/bench_store.py [--sizes 10,50,200]`` (megabytes; the files go in a temporary folder)

For each size a store is filled the way audits fill it (live check history
and latest results, source texts), then timed, minimum of three, each in a
fresh child process so nothing is remembered between runs:

* ``bare``: ``sqlite3.connect`` + WAL + one query — the floor;
* ``first open``: ``Store(path)`` in a new process: header checks,
  ``PRAGMA quick_check``, ownership, stamp — what every audit pays once;
* ``reopen``: a second ``Store(path)`` in the same process (the resolve stage
  opens the store several times): the integrity check is not repeated for a
  file this process has seen unchanged;
* ``heal``: opening a damaged copy (second half cut off): move aside, fresh store.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from citecheck.models import LiveCheck, LiveStatus
from citecheck.resolve.live_history import LiveHistory
from citecheck.resolve.sources import SOURCE_SCHEMA
from citecheck.store import Store

TIMED = {
    "bare": """
        import sqlite3, sys, time
        start = time.perf_counter()
        connection = sqlite3.connect(sys.argv[1]); connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("SELECT count(*) FROM live_check_latest").fetchone(); connection.close()
        print(time.perf_counter() - start)
    """,
    "first open": """
        import sys, time
        from citecheck.store import Store
        start = time.perf_counter()
        with Store(sys.argv[1]) as store:
            store.execute("SELECT count(*) FROM live_check_latest").fetchone()
        print(time.perf_counter() - start)
    """,
    "reopen": """
        import sys, time
        from citecheck.store import Store
        Store(sys.argv[1]).close()
        start = time.perf_counter()
        with Store(sys.argv[1]) as store:
            store.execute("SELECT count(*) FROM live_check_latest").fetchone()
        print(time.perf_counter() - start)
    """,
}


def fill(path: Path, megabytes: int) -> None:
    with Store(path) as store:
        history = LiveHistory(store)
        store.ensure_schema("source_texts", SOURCE_SCHEMA)
        moment = datetime(2025, 3, 2, tzinfo=UTC)
        text = "The council approved the budget for the bridge repairs. " * 40  # ~2.3 kB, like a short article
        number = 0
        store.execute("BEGIN")
        while path.stat().st_size + Path(f"{path}-wal").stat().st_size < megabytes * 1_000_000:
            for _ in range(500):
                url = f"https://news{number % 97}.example.org/{number}/story"
                check = LiveCheck(status=LiveStatus.alive, http_status=200, checked_at=moment - timedelta(hours=number))
                history.record(url, check)
                history.remember(url, check)
                store.execute(
                    "INSERT OR REPLACE INTO source_texts (key, origin, url, status, text, fetched_at) "
                    "VALUES (?, 'live', ?, 'fetched', ?, ?)",
                    ("live:" + url, url, text + str(number), moment.isoformat()),
                )
                number += 1
        store.execute("COMMIT")
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(script: str, path: Path) -> float:
    best = float("inf")
    for _ in range(3):
        output = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script), str(path)], check=True, capture_output=True, text=True
        ).stdout
        best = min(best, float(output.strip().splitlines()[-1]))
    return best


def heal_time(path: Path, folder: Path) -> float:
    best = float("inf")
    for attempt in range(3):
        damaged = folder / f"damaged-{attempt}" / "cache.sqlite"
        damaged.parent.mkdir(parents=True)
        data = path.read_bytes()
        damaged.write_bytes(data[: len(data) // 2])
        best = min(best, timed(TIMED["first open"].replace("live_check_latest", "sqlite_master"), damaged))
        shutil.rmtree(damaged.parent)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200", help="store sizes in MB, comma-separated")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"{'store':>8} {'bare':>9} {'first open':>11} {'ratio':>6} {'reopen':>9} {'heal':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in sizes:
            path = Path(folder) / f"store-{megabytes}" / "cache.sqlite"
            path.parent.mkdir()
            fill(path, megabytes)
            size = path.stat().st_size / 1e6
            bare, first, reopen = (timed(TIMED[name], path) for name in ("bare", "first open", "reopen"))
            heal = heal_time(path, Path(folder) / f"heal-{megabytes}")
            print(
                f"{size:>6.0f}MB {bare * 1000:>7.1f}ms {first * 1000:>9.1f}ms {first / bare:>5.1f}× "
                f"{reopen * 1000:>7.1f}ms {heal * 1000:>7.1f}ms"
            )
            os.remove(path)


if __name__ == "__main__":
    main()

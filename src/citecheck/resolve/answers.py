"""Where a run's network answers wait for the checks: in memory, or spilled to a file as they arrive.

The resolve stage (:meth:`citecheck.resolve.stage.ResolveSession.run`) hands
each URL's outcome to an :class:`Answers` as soon as that URL is resolved:
its live check (or, when the verdict waits for the run's evidence, later),
the page it read, and per reference the archive answer and the capture read.
:class:`MemoryAnswers` keeps them in dictionaries, as a library caller or a
Dask partition wants them.  :class:`SpilledAnswers` writes them to a SQLite
file in the audit's temporary folder — page texts included, each read once —
and gives the :class:`~citecheck.resolve.stage.ResolvedBatch` mappings that
read them back per reference, assembling each source text
(:func:`~citecheck.resolve.sources.assemble_source`) from the same reads the
in-memory way does.  A streamed audit's memory then holds what is in flight,
not every answer and every page of the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from citecheck.models import ArchiveResult, LiveCheck
from citecheck.resolve.scratch import dump, load, scratch_database
from citecheck.resolve.sources import PageRead, SourceText, assemble_source, wants_live_text

_V = TypeVar("_V")
_RECENT = 512  # source texts kept after they were assembled (one document's worth, and more)
_COMMIT_EVERY = 2_000  # rows per transaction: few commits, and a reader sees them soon


class Answers(Protocol):
    """What :meth:`ResolveSession.run` writes each URL's outcome into."""

    def put_url(
        self,
        url: str,
        check: LiveCheck | None,
        live_read: PageRead | None,
        archive: Mapping[str, ArchiveResult],
        captures: Mapping[str, PageRead],
        keys: list[str],
    ) -> None:
        """One URL's outcome; ``check`` None: settled later with :meth:`settle`."""

    def settle(self, url: str, check: LiveCheck) -> None: ...

    def mappings(
        self, offline: bool, order: Iterable[str]
    ) -> tuple[Mapping[str, LiveCheck], Mapping[str, ArchiveResult], Mapping[str, SourceText]]:
        """Live checks by URL, archive answers and source texts by reference key (every URL settled).

        ``order``: the plan's URLs, in the order the dictionaries list them.
        """


class MemoryAnswers:
    """The answers in dictionaries (a library call, ``check``, a Dask partition)."""

    def __init__(self) -> None:
        self._checks: dict[str, LiveCheck] = {}
        self._pending: dict[str, tuple[PageRead | None, Mapping[str, ArchiveResult], Mapping[str, PageRead], list[str]]]
        self._pending = {}

    def put_url(
        self,
        url: str,
        check: LiveCheck | None,
        live_read: PageRead | None,
        archive: Mapping[str, ArchiveResult],
        captures: Mapping[str, PageRead],
        keys: list[str],
    ) -> None:
        self._pending[url] = (live_read, archive, captures, keys)
        if check is not None:
            self._checks[url] = check

    def settle(self, url: str, check: LiveCheck) -> None:
        self._checks[url] = check

    def mappings(
        self, offline: bool, order: Iterable[str]
    ) -> tuple[dict[str, LiveCheck], dict[str, ArchiveResult], dict[str, SourceText]]:
        live: dict[str, LiveCheck] = {}
        archive: dict[str, ArchiveResult] = {}
        sources: dict[str, SourceText] = {}
        for url in order:
            live_read, results, captures, keys = self._pending[url]
            check = live[url] = self._checks[url]
            for key in keys:
                result = archive[key] = results.get(key, ArchiveResult())
                capture = captures.get(key)
                chosen = live_read if wants_live_text(url, check, capture is not None) else None
                sources[key] = assemble_source(url, check, result, capture, chosen, offline=offline)
        return live, archive, sources


class SpilledAnswers:
    """The answers in a SQLite file of ``folder``, written as each URL finishes, read back per reference.

    Single-threaded (the event loop's thread writes, the audit's same thread
    reads).  :meth:`close` removes nothing: the folder is the audit's.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / "answers.sqlite"
        self._connection = scratch_database(
            self.path,
            "CREATE TABLE reads (id INTEGER PRIMARY KEY, read BLOB NOT NULL);"
            "CREATE TABLE urls (url TEXT PRIMARY KEY, live_check BLOB, live_read INTEGER);"
            "CREATE TABLE refs (key TEXT PRIMARY KEY, url TEXT NOT NULL, archive BLOB NOT NULL, capture INTEGER);",
        )
        self._uncommitted = 0
        self._counts = {"urls": 0, "refs": 0}
        self.offline = False

    # ------------------------------------------------------------------ writing

    def _read_id(self, read: PageRead | None, known: dict[int, int]) -> int | None:
        """Each read (one object) written once, however many references use it."""
        if read is None:
            return None
        found = known.get(id(read))
        if found is None:
            cursor = self._connection.execute("INSERT INTO reads (read) VALUES (?)", (dump(read),))
            found = known[id(read)] = int(cursor.lastrowid or 0)
        return found

    def put_url(
        self,
        url: str,
        check: LiveCheck | None,
        live_read: PageRead | None,
        archive: Mapping[str, ArchiveResult],
        captures: Mapping[str, PageRead],
        keys: list[str],
    ) -> None:
        known: dict[int, int] = {}
        execute = self._connection.execute
        blob = dump(check) if check is not None else None
        execute(
            "INSERT OR REPLACE INTO urls (url, live_check, live_read) VALUES (?, ?, ?)",
            (url, blob, self._read_id(live_read, known)),
        )
        default = dump(ArchiveResult())
        for key in keys:
            result = archive.get(key)
            execute(
                "INSERT OR REPLACE INTO refs (key, url, archive, capture) VALUES (?, ?, ?, ?)",
                (
                    key,
                    url,
                    dump(result) if result is not None else default,
                    self._read_id(captures.get(key), known),
                ),
            )
        self._written(1 + len(keys))

    def settle(self, url: str, check: LiveCheck) -> None:
        self._connection.execute("UPDATE urls SET live_check = ? WHERE url = ?", (dump(check), url))
        self._written(1)

    def _written(self, rows: int) -> None:
        self._uncommitted += rows
        if self._uncommitted >= _COMMIT_EVERY:
            self._connection.execute("COMMIT")
            self._connection.execute("BEGIN")
            self._uncommitted = 0

    def mappings(
        self, offline: bool, order: Iterable[str] = ()
    ) -> tuple[Mapping[str, LiveCheck], Mapping[str, ArchiveResult], Mapping[str, SourceText]]:
        """The spilled answers as mappings (in the order the URLs finished; ``order`` is not needed)."""
        if self._connection.in_transaction:
            self._connection.execute("COMMIT")
        self.offline = offline
        for table in ("urls", "refs"):
            (count,) = self._connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            self._counts[table] = int(count)
        return _LiveChecks(self), _ArchiveResults(self), _Sources(self)

    # ------------------------------------------------------------------ reading

    def check(self, url: str) -> LiveCheck | None:
        row = self._connection.execute("SELECT live_check FROM urls WHERE url = ?", (url,)).fetchone()
        return None if row is None or row[0] is None else _loads(row[0])

    def _url_row(self, url: str) -> tuple[LiveCheck, int | None]:
        row = self._connection.execute("SELECT live_check, live_read FROM urls WHERE url = ?", (url,)).fetchone()
        if row is None:
            return LiveCheck(), None
        return (_loads(row[0]) if row[0] is not None else LiveCheck()), row[1]

    def read(self, read_id: int | None) -> PageRead | None:
        if read_id is None:
            return None
        row = self._connection.execute("SELECT read FROM reads WHERE id = ?", (read_id,)).fetchone()
        return None if row is None else _loads(row[0])

    def reference(self, key: str) -> tuple[str, bytes, int | None] | None:
        row = self._connection.execute("SELECT url, archive, capture FROM refs WHERE key = ?", (key,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def source(self, key: str) -> SourceText | None:
        """The source text of one reference, assembled from its reads as the in-memory answers assemble it."""
        row = self.reference(key)
        if row is None:
            return None
        url, archive, capture_id = row
        check, live_read_id = self._url_row(url)
        capture = self.read(capture_id)
        live_read = self.read(live_read_id) if wants_live_text(url, check, capture is not None) else None
        return assemble_source(url, check, _loads(archive), capture, live_read, offline=self.offline)

    def column(self, table: str, key_column: str, value_column: str) -> Iterator[tuple[str, Any]]:
        query = f"SELECT {key_column}, {value_column} FROM {table} ORDER BY rowid"
        yield from self._connection.execute(query)

    def count(self, table: str) -> int:
        return self._counts[table]

    def close(self) -> None:
        self._connection.close()


def _loads(blob: bytes) -> Any:
    return load(blob)


class _Spilled(Mapping[str, _V]):
    def __init__(self, answers: SpilledAnswers) -> None:
        self._answers = answers


class _LiveChecks(_Spilled[LiveCheck]):
    def __getitem__(self, url: str) -> LiveCheck:
        check = self._answers.check(url)
        if check is None:
            raise KeyError(url)
        return check

    def __iter__(self) -> Iterator[str]:
        return (url for url, _ in self._answers.column("urls", "url", "live_check"))

    def __len__(self) -> int:
        return self._answers.count("urls")

    def values(self) -> Iterator[LiveCheck]:  # type: ignore[override]
        return (_loads(blob) for _, blob in self._answers.column("urls", "url", "live_check"))


class _ArchiveResults(_Spilled[ArchiveResult]):
    def __getitem__(self, key: str) -> ArchiveResult:
        row = self._answers.reference(key)
        if row is None:
            raise KeyError(key)
        result: ArchiveResult = _loads(row[1])
        return result

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._answers.reference(key) is not None

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._answers.column("refs", "key", "archive"))

    def __len__(self) -> int:
        return self._answers.count("refs")

    def values(self) -> Iterator[ArchiveResult]:  # type: ignore[override]
        return (_loads(blob) for _, blob in self._answers.column("refs", "key", "archive"))


class _Sources(_Spilled[SourceText]):
    """Source texts assembled when asked for; the last few kept (a document's references are asked twice)."""

    def __init__(self, answers: SpilledAnswers) -> None:
        super().__init__(answers)
        self._recent: dict[str, SourceText] = {}

    def __getitem__(self, key: str) -> SourceText:
        source = self._recent.get(key)
        if source is not None:
            return source
        source = self._answers.source(key)
        if source is None:
            raise KeyError(key)
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        self._recent[key] = source
        return source

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._answers.reference(key) is not None

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._answers.column("refs", "key", "archive"))

    def __len__(self) -> int:
        return self._answers.count("refs")

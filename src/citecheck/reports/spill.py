"""Disk-backed collections for a streamed audit: what the audit-wide reports need, without the reports.

A streamed audit (:func:`citecheck.pipeline.audit`) writes each document's
reports as soon as the document is checked and keeps only compact records for
what spans the audit: the index and summary rows, fingerprints, baseline
entries, SARIF results, JSON Lines, JUnit suites, terminal rows.  These live
in a temporary folder:

* :class:`SortedSpill` — items kept in memory up to a bound, then written as
  sorted runs and merged back in Python's own order (so a spilled sort gives
  exactly what ``sorted()`` would, for any items Python can compare);
* :class:`RecordFile` — one pickled record per document number, written in
  any order, read back by number;
* :class:`SpilledSequence` — a record file read as a sequence in number
  order (a finished audit's reports, read back one at a time).

Memory stays bounded by the chunk size, not by the number of documents.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

_T = TypeVar("_T", bound="SupportsRichComparison")
SORT_CHUNK = 50_000  # items a SortedSpill holds in memory before writing a sorted run
_BATCH = 512  # items per pickle in a run: one pickle call per item would cost more than the sort


class SortedSpill(Generic[_T]):
    """Items added in any order, iterated in sorted order; at most ``chunk`` of them in memory."""

    def __init__(self, folder: Path, name: str, *, chunk: int = SORT_CHUNK) -> None:
        self._folder = folder
        self._name = name
        self._chunk = max(1, chunk)
        self._buffer: list[_T] = []
        self._runs: list[Path] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, item: _T) -> None:
        self._buffer.append(item)
        self._count += 1
        if len(self._buffer) >= self._chunk:
            self._write_run()

    def _write_run(self) -> None:
        self._buffer.sort()
        path = self._folder / f"{self._name}-{len(self._runs)}.run"
        with path.open("wb") as stream:
            for start in range(0, len(self._buffer), _BATCH):
                pickle.dump(self._buffer[start : start + _BATCH], stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._runs.append(path)
        self._buffer = []

    @staticmethod
    def _read_run(path: Path) -> Iterator[_T]:
        with path.open("rb") as stream:
            while True:
                try:
                    batch: list[_T] = pickle.load(stream)
                except EOFError:
                    return
                yield from batch

    def __iter__(self) -> Iterator[_T]:
        """Every item in sorted order (equal items in the order they were added, as ``sorted`` keeps them)."""
        in_memory = sorted(self._buffer)
        if not self._runs:
            return iter(in_memory)
        # heapq.merge is stable across its inputs in the order given: earlier runs hold earlier items.
        return heapq.merge(*(self._read_run(path) for path in self._runs), in_memory)


class RecordFile:
    """Pickled records by number (a document's position in the audit), written once each in any order."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stream = path.open("w+b")
        self._offsets = array("q")

    def put(self, number: int, record: Any) -> None:
        if number >= len(self._offsets):
            self._offsets.extend([-1] * (number + 1 - len(self._offsets)))
        self._stream.seek(0, 2)
        self._offsets[number] = self._stream.tell()
        pickle.dump(record, self._stream, protocol=pickle.HIGHEST_PROTOCOL)

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and 0 <= number < len(self._offsets) and self._offsets[number] >= 0

    def get(self, number: int) -> Any:
        self._stream.seek(self._offsets[number])
        return pickle.load(self._stream)

    def numbers(self) -> Iterator[int]:
        """The numbers that hold a record, in increasing order."""
        return (number for number, offset in enumerate(self._offsets) if offset >= 0)

    def close(self) -> None:
        self._stream.close()


class SpilledSequence(Sequence[Any]):
    """The records of a :class:`RecordFile` in number order, each read back when it is asked for.

    What a finished audit's ``reports`` are unless the caller asked for them
    in memory: every access reads (unpickles) a fresh copy, so changing one
    changes nothing the next access returns.  The folder goes with
    :meth:`close` or when the sequence is collected.
    """

    def __init__(self, folder: tempfile.TemporaryDirectory[str], records: RecordFile) -> None:
        self._folder = folder
        self._records = records
        self._numbers = array("q", records.numbers())

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._records.get(number) for number in self._numbers[index]]
        return self._records.get(self._numbers[index])

    def __iter__(self) -> Iterator[Any]:
        for number in self._numbers:
            yield self._records.get(number)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpilledSequence | list | tuple):
            return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} records spilled to {self._folder.name}>"

    def close(self) -> None:
        self._records.close()
        self._folder.cleanup()

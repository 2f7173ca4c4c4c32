"""Writing reports: every file is rendered in memory first, then replaced atomically."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from citecheck.checks.catalogue import RULES
from citecheck.models import AuditSummary, DocumentReport, DocumentSummary
from citecheck.reports.escape import json_inert


def _creation_mode() -> int:
    """The mode a plain ``open()`` would give a new file: 0o666 less the umask (0644 with the usual 022)."""
    return 0o666 & ~_umask()


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half of one.

    The file gets the mode any new file would (``mkstemp`` alone makes it
    0600, unreadable to the web server or colleague the reports are for).
    ``durable`` also flushes it to disk before the rename; a report folder's
    many per-document files skip that (the rename alone keeps readers from
    half a file, and one fsync per file would cost more than rendering them).
    """
    data = text.encode("utf-8")  # before any file exists: text that cannot be written leaves nothing behind
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_bytes_atomically(path, data, durable=durable)


# The one temporary name tried first: created exclusively, never followed if it is a link, never inherited.
_FRESH_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _open_fresh(name: str) -> int:
    """``name`` created exclusively (:data:`_FRESH_FLAGS`), its folder made first only if it is missing.

    Folders are nearly always there already: trying the file first spares each write a ``mkdir`` and the
    ``stat`` behind ``exist_ok`` (two system calls per document's batch, the file's own being three).
    """
    try:
        return os.open(name, _FRESH_FLAGS, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(name), exist_ok=True)
        return os.open(name, _FRESH_FLAGS, 0o666)


def _write_bytes_atomically(path: Path, data: bytes, *, durable: bool) -> None:
    """``data`` into ``path`` by way of ``.<name>.tmp`` beside it (or a random name if that one is taken).

    A report folder holds thousands of small files; ``mkstemp``'s random
    name, ``fchmod`` and text stream cost more than the write itself, so the
    fixed temporary name is created directly with ``O_EXCL`` (another writer
    or a leftover of a crashed run holding it sends this write the slow way)
    and gets the mode a plain ``open()`` would (0o666 less the umask).
    """
    temporary = os.path.join(os.fspath(path.parent), f".{path.name}.tmp")
    try:
        handle = _open_fresh(temporary)
    except FileExistsError:
        atomic_write_chunks(path, (data.decode("utf-8"),), durable=durable)
        return
    try:
        _write_all(handle, data, durable=durable)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def atomic_write_chunks(path: Path, chunks: Iterable[str], *, durable: bool = True) -> None:
    """:func:`atomic_write_text` for text produced piece by piece (audit-wide files of a large audit)."""
    target = AtomicFile(path, durable=durable)
    try:
        for chunk in chunks:
            target.write(chunk)
    except BaseException:
        target.abort()
        raise
    target.commit()


class AtomicFile:
    """A file written under a temporary name next to ``path`` and renamed over it on :meth:`commit`."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = path
        self.durable = durable
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._temporary = Path(temporary)
        try:
            os.fchmod(handle, _creation_mode())
            self._stream = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        except BaseException:
            os.close(handle)
            self._temporary.unlink(missing_ok=True)
            raise

    def write(self, text: str) -> None:
        self._stream.write(text)

    def commit(self) -> None:
        try:
            if self.durable:
                self._stream.flush()
                os.fsync(self._stream.fileno())
            self._stream.close()
            os.replace(self._temporary, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        self._stream.close()
        self._temporary.unlink(missing_ok=True)


def report_json(report: DocumentReport) -> str:
    return json_inert(report.model_dump_json(by_alias=True, indent=2)) + "\n"


def summary_json(summary: AuditSummary) -> str:
    return json_inert(summary.model_dump_json(by_alias=True, indent=2)) + "\n"


def json_list_items(items: Iterable[str], indent: str) -> Iterator[str]:
    """The inside and end of a JSON list as ``indent=2`` writes it, from items already serialised with
    ``indent=2`` at the top level; ``indent`` is the items' depth (the closing bracket sits two spaces less).
    """
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + "\n".join(indent + line for line in item.split("\n"))
        first = False
    yield "]" if first else "\n" + indent[:-2] + "]"


def summary_json_chunks(
    summary: AuditSummary, documents: Iterable[DocumentSummary], fingerprints: Iterable[str]
) -> Iterator[str]:
    """:func:`summary_json` piece by piece, its documents and fingerprints coming from iterables.

    ``summary`` carries everything else (its own ``documents`` and
    ``fingerprints`` empty); the lists are spliced in where they stand in its
    JSON, so the text is the one :func:`summary_json` would give.
    """
    skeleton = summary.model_dump_json(by_alias=True, indent=2)
    head, rest = skeleton.split(_EMPTY_DOCUMENTS)
    middle, tail = rest.split(_EMPTY_FINGERPRINTS)
    yield json_inert(head) + _EMPTY_DOCUMENTS[:-1]
    rendered = (json_inert(document.model_dump_json(by_alias=True, indent=2)) for document in documents)
    yield from json_list_items(rendered, "    ")
    yield json_inert(middle) + _EMPTY_FINGERPRINTS[:-1]
    yield from json_list_items((json_inert(json.dumps(item, ensure_ascii=False)) for item in fingerprints), "    ")
    yield json_inert(tail) + "\n"


# Top-level keys in a two-space indented summary: no string holds a raw newline, so these occur once.
_EMPTY_DOCUMENTS = '\n  "documents": []'
_EMPTY_FINGERPRINTS = '\n  "fingerprints": []'


def report_schema() -> dict[str, Any]:
    """JSON Schema of the per-document report (``citecheck schema``)."""
    schema = DocumentReport.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = "https://citecheck.invalid/schema/report-1.json"
    # The finding codes are the catalogue's: the schema lists them, so a new code is in it once catalogued.
    schema["$defs"]["Finding"]["properties"]["code"]["enum"] = sorted(RULES)
    return schema


def summary_schema() -> dict[str, Any]:
    return AuditSummary.model_json_schema(by_alias=True, mode="serialization")


def write_outputs(files: Mapping[Path, str], *, durable: bool = True, staged: bool = False) -> None:
    """Write a batch of already-rendered files atomically, one by one (a folder made when it is missing).

    ``staged``: the files go into a :class:`StagedFolder` no reader sees
    before it is renamed into place, so each is created under its own name
    (one ``open``, no temporary name and ``rename``); a name already there
    (the same file written twice) is replaced atomically as usual.
    """
    for path, text in files.items():
        data = text.encode("utf-8")
        if staged:
            try:
                handle = _open_fresh(os.fspath(path))
            except FileExistsError:
                pass
            else:
                try:
                    _write_all(handle, data, durable=durable)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(path)  # no half file published
                    raise
                continue
        _write_bytes_atomically(path, data, durable=durable)


def _write_all(handle: int, data: bytes, *, durable: bool) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        if durable:
            os.fsync(handle)
    finally:
        os.close(handle)


class StagedFolder:
    """A report folder that did not exist yet, built under a hidden name beside it and renamed into place.

    Readers see no report folder, then the whole one (a single ``rename``);
    its files need no temporary name each.  When ``--out`` exists already
    nothing is staged (:meth:`begin` gives None): files replace the old ones
    one by one as before, and files of earlier runs stay.  If the folder
    appeared meanwhile, :meth:`publish` moves the staged files into it one
    by one.  Publishing happens however the audit ends, so every report
    written is where it would have been without staging.

    Only a killed process (SIGKILL, a power cut) cannot publish: its staged
    folder would stay beside ``--out`` for good.  Each staged folder has a
    lock file beside it, locked (``flock``) for as long as its audit runs; the
    kernel drops the lock when the process dies, so the next :meth:`begin` for
    the same target removes the staged folders nobody holds.
    """

    # A staged folder whose lock file is missing is another run's in the instant between its mkdtemp and its
    # lock, or one left by a version without locks: removed only when this much older.
    UNLOCKED_GRACE_SECONDS = 600.0

    def __init__(self, target: Path, path: Path, lock: int | None = None) -> None:
        self.target = target
        self.path = path
        self._lock = lock

    @classmethod
    def begin(cls, target: Path) -> StagedFolder | None:
        if os.path.lexists(target):
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        removed_stale_staging(target)
        path = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".staged", dir=target.parent))
        os.chmod(path, 0o777 & ~_umask())  # the mode a plain mkdir gives, not mkdtemp's 0700
        return cls(target, path, _hold_lock(_lock_path(path)))

    def publish(self) -> None:
        try:
            self._move_into_place()
        finally:
            self._release()

    def _move_into_place(self) -> None:
        try:
            os.rename(self.path, self.target)  # only when the target is still missing (or an empty folder)
            return
        except OSError:
            pass
        self.target.mkdir(parents=True, exist_ok=True)
        for folder, _, names in os.walk(self.path):  # top-down: a folder is made before its files move
            relative = os.path.relpath(folder, self.path)
            destination = self.target / relative if relative != "." else self.target
            destination.mkdir(exist_ok=True)
            for name in names:
                os.replace(os.path.join(folder, name), destination / name)
        shutil.rmtree(self.path, ignore_errors=True)

    def _release(self) -> None:
        if self._lock is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(_lock_path(self.path))
        os.close(self._lock)
        self._lock = None


def _lock_path(staged: Path) -> Path:
    return staged.with_name(staged.name + ".lock")


def _hold_lock(path: Path) -> int | None:
    """An open, exclusively locked lock file (its descriptor), or None where ``flock`` is not available."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return None
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


def removed_stale_staging(target: Path) -> list[Path]:
    """Remove the staged folders of ``target`` left by audits that were killed; returns those removed."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return []
    removed: list[Path] = []
    for staged in target.parent.glob(f".{target.name}.*.staged"):
        lock = _lock_path(staged)
        try:
            descriptor = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            with contextlib.suppress(OSError):
                if time.time() - staged.stat().st_mtime > StagedFolder.UNLOCKED_GRACE_SECONDS:
                    shutil.rmtree(staged, ignore_errors=True)
                    removed.append(staged)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)  # its audit is still running
            continue
        try:
            shutil.rmtree(staged, ignore_errors=True)
            with contextlib.suppress(OSError):
                os.unlink(lock)
            removed.append(staged)
        finally:
            os.close(descriptor)
    return removed


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def dumps_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"

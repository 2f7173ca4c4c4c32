"""Local WARC/WACZ files or folders as an archive, read in-process with warcio.

The files are indexed once (URL → capture time, status, redirect target,
file, offset); the index is kept per file keyed by path + size + mtime, so
a folder re-opened in the same process is not read again and a changed
file is re-read.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from citecheck.models import EndpointKind, EndpointState
from citecheck.resolve.archive.choose import url_identity
from citecheck.resolve.archive.models import (
    ArchiveUnavailableError,
    CaptureBody,
    CdxRecord,
    Memento,
    NoMementoError,
    format_timestamp,
    plausible_capture_time,
)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


@dataclass(frozen=True)
class WarcCapture:
    """One indexed response record."""

    url: str
    capture_time: datetime
    status: int
    location: str | None
    mimetype: str | None
    file: str
    offset: int
    member: str | None = None  # the WARC inside a WACZ

    @property
    def address(self) -> str:
        inside = f"!{self.member}" if self.member else ""
        return f"warc:{self.file}{inside}#{self.offset}"


_FileKey = tuple[str, int, float]
# Indexes of files already read in this process, by path + size + mtime.
_INDEXES: dict[_FileKey, list[WarcCapture]] = {}


def _warc_date(text: str) -> datetime | None:
    """A WARC-Date as an aware moment, or None when it is unreadable or no capture can have it."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment if plausible_capture_time(moment) else None


if TYPE_CHECKING:
    from warcio.archiveiterator import ArchiveIterator


def _damaged(*more: type[BaseException]) -> tuple[type[BaseException], ...]:
    """What a damaged file raises part-way through (warcio's own, a cut gzip member, a bad header).

    warcio (and fsspec under it, ~25 ms) is imported on first use, not when the archive resolver is
    imported: an offline audit imports this module and never reads a WARC.
    """
    from warcio.exceptions import ArchiveLoadFailed

    return (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error, *more)


def _index_stream(stream: IO[bytes], file: str, member: str | None, damaged: list[str]) -> Iterator[WarcCapture]:
    """The response records of one stream; stops at damage (noted), keeping every record read before it."""
    from warcio.archiveiterator import ArchiveIterator

    iterator = ArchiveIterator(stream)
    try:
        for record in iterator:
            capture = _capture_of(record, iterator, file, member)
            if capture is not None:
                yield capture
    except _damaged() as error:
        damaged.append(f"{file}{'!' + member if member else ''}: {type(error).__name__} ({str(error)[:120]})")


def _capture_of(record: object, iterator: ArchiveIterator, file: str, member: str | None) -> WarcCapture | None:
    rec_type = getattr(record, "rec_type", None)
    http_headers = getattr(record, "http_headers", None)
    if rec_type != "response" or http_headers is None:
        return None
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    uri = rec_headers.get_header("WARC-Target-URI")
    stamp = rec_headers.get_header("WARC-Date")
    if not uri or not stamp:
        return None
    capture_time = _warc_date(stamp)
    if capture_time is None:
        return None  # a bad WARC-Date: this record cannot be placed in time; the others still count
    try:
        status = int(http_headers.get_statuscode())
    except (TypeError, ValueError):
        return None
    return WarcCapture(
        url=uri,
        capture_time=capture_time,
        status=status,
        location=http_headers.get_header("Location"),
        mimetype=http_headers.get_header("Content-Type"),
        file=file,
        offset=iterator.get_record_offset(),
        member=member,
    )


def index_file(path: Path, damaged: list[str] | None = None) -> list[WarcCapture]:
    """The captures in one WARC/ARC (gzipped or not) or WACZ file, read once per version of the file.

    A file damaged part-way (garbage after valid records, a record cut short)
    keeps the captures read before the damage; ``damaged`` collects what was
    lost, in words.  A file that cannot be opened at all is skipped likewise.
    """
    notes = damaged if damaged is not None else []
    try:
        stat = path.stat()
    except OSError as error:
        notes.append(f"{path}: {error}")
        return []
    key = (str(path.resolve()), stat.st_size, stat.st_mtime)
    cached = _INDEXES.get(key)
    if cached is not None:
        return cached
    captures: list[WarcCapture] = []
    before = len(notes)
    try:
        if path.suffix.lower() == ".wacz":
            with zipfile.ZipFile(path) as package:
                for member in package.namelist():
                    if member.lower().endswith(WARC_SUFFIXES):
                        with package.open(member) as stream:
                            captures.extend(_index_stream(stream, str(path), member, notes))
        else:
            with path.open("rb") as stream:
                captures.extend(_index_stream(stream, str(path), None, notes))
    except _damaged(zipfile.BadZipFile) as error:
        notes.append(f"{path}: {type(error).__name__} ({str(error)[:120]})")
    if len(notes) == before:
        _INDEXES[key] = captures  # damaged files are read again next time (they may be being written)
    return captures


def archive_files(root: Path) -> list[Path]:
    """WARC/ARC/WACZ files at ``root`` (a file, or a folder searched recursively)."""
    if root.is_file():
        return [root]
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and (path.name.lower().endswith(WARC_SUFFIXES) or path.suffix.lower() == ".wacz")
    )


def _body_of_record_at(stream: IO[bytes], capture: WarcCapture, max_bytes: int) -> CaptureBody:
    from warcio.archiveiterator import ArchiveIterator

    stream.seek(capture.offset)
    for record in ArchiveIterator(stream):
        # content_stream() undoes chunking and Content-Encoding as a browser would.
        try:
            body = record.content_stream().read(max_bytes + 1)
        except _damaged() as error:
            raise ArchiveUnavailableError(f"the WARC record at {capture.address} is damaged: {error}") from error
        headers = record.http_headers.headers if record.http_headers is not None else []
        return CaptureBody(
            url=capture.url,
            capture_time=capture.capture_time,
            status=capture.status,
            body=body[:max_bytes],
            content_type=capture.mimetype,
            truncated=len(body) > max_bytes,
            headers={name.lower(): value for name, value in headers},
        )
    raise ArchiveUnavailableError(f"no WARC record at {capture.address}")


def read_record_body(capture: WarcCapture, max_bytes: int) -> CaptureBody:
    """The body of an indexed response record, read from its file (or the WARC inside a WACZ)."""
    try:
        if capture.member is not None:
            # A zip member seeks by reading forward (stored WARCs in a WACZ are gzip members, not deflated).
            with zipfile.ZipFile(capture.file) as package, package.open(capture.member) as member:
                return _body_of_record_at(member, capture, max_bytes)
        with open(capture.file, "rb") as stream:
            return _body_of_record_at(stream, capture, max_bytes)
    except _damaged(zipfile.BadZipFile) as error:
        if isinstance(error, ArchiveUnavailableError):
            raise
        raise ArchiveUnavailableError(f"cannot read {capture.address}: {error}") from error


class WarcArchive:
    """An archive made of local files: the same interface as the HTTP backends, no network."""

    def __init__(self, root: Path | str, *, name: str | None = None) -> None:
        self.root = Path(root)
        self.name = name or f"warc:{self.root}"
        self.requests_sent = 0  # always 0: kept so every backend can be measured alike
        self.requests_by_pool: dict[str, int] = {}
        self.damaged: list[str] = []  # what damaged files lost, in words
        self._by_identity: dict[str, list[WarcCapture]] | None = None

    def index_wait(self) -> float:
        return 0.0  # local files: the index costs nothing

    def endpoint_state(self) -> EndpointState:
        exists = self.root.exists()
        detail = "read in-process" if exists else "no such file or folder"
        if self.damaged:
            detail += f"; damaged: {'; '.join(self.damaged[:3])}"
        return EndpointState(name=self.name, kind=EndpointKind.archive, reachable=exists, dialect="warc", detail=detail)

    def _index(self) -> dict[str, list[WarcCapture]]:
        if self._by_identity is None:
            if not self.root.exists():
                raise ArchiveUnavailableError(f"{self.name}: no such file or folder")
            by_identity: dict[str, list[WarcCapture]] = {}
            for path in archive_files(self.root):
                for capture in index_file(path, self.damaged):
                    by_identity.setdefault(url_identity(capture.url), []).append(capture)
            for captures in by_identity.values():
                captures.sort(key=lambda capture: capture.capture_time)
            self._by_identity = by_identity
        return self._by_identity

    def _memento(self, capture: WarcCapture) -> Memento:
        return Memento(
            url=capture.url,
            capture_time=capture.capture_time,
            status=capture.status,
            playback_url=capture.address,
            location=capture.location,
        )

    async def nearest(self, url: str, at: datetime) -> Memento:
        captures = self._index().get(url_identity(url))
        if not captures:
            raise NoMementoError(f"{self.name} has no capture of {url}")
        return self._memento(min(captures, key=lambda capture: abs(capture.capture_time - at)))

    def split_playback_url(self, address: str) -> tuple[str, str] | None:
        return None

    async def captures(self, url: str) -> list[CdxRecord]:
        return [self._record(capture) for capture in self._index().get(url_identity(url), [])]

    async def search_prefix(self, prefix: str, start: datetime, end: datetime, limit: int) -> list[CdxRecord]:
        wanted = url_identity(prefix if "://" in prefix else f"http://{prefix}")
        found: list[CdxRecord] = []
        for identity, captures in self._index().items():
            if not identity.startswith(wanted.rstrip("/")):
                continue
            for capture in captures:
                if start <= capture.capture_time <= end and capture.status == 200:
                    found.append(self._record(capture))
                    break
            if len(found) >= limit:
                break
        return found

    def snapshot_url(self, url: str, capture_time: datetime) -> str:
        for capture in self._index().get(url_identity(url), []):
            if capture.capture_time == capture_time:
                return capture.address
        return f"{self.name}#{format_timestamp(capture_time)}/{url}"

    async def read_capture(self, url: str, capture_time: datetime, max_bytes: int) -> CaptureBody:
        """The recorded response body (Content-Encoding and chunking undone), cut at ``max_bytes``."""
        captures = self._index().get(url_identity(url), [])
        exact = [capture for capture in captures if abs((capture.capture_time - capture_time).total_seconds()) < 1]
        if not exact:
            raise NoMementoError(f"{self.name} has no capture of {url} at {format_timestamp(capture_time)}")
        return read_record_body(exact[0], max_bytes)

    def original_url(self, snapshot_url: str) -> str | None:
        for captures in self._index().values():
            for capture in captures:
                if capture.address == snapshot_url:
                    return capture.url
        return None

    @staticmethod
    def _record(capture: WarcCapture) -> CdxRecord:
        stamp = format_timestamp(capture.capture_time)
        return CdxRecord(
            urlkey=url_identity(capture.url),
            timestamp=capture.capture_time,
            original=capture.url,
            mimetype=capture.mimetype,
            status=capture.status,
            raw_timestamp=stamp,
        )

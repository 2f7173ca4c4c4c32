"""Local WARC/WACZ files or folders as an archive, read in-process with warcio.

The files are indexed once (URL → capture time, status, redirect target,
file, offset); the index is kept per file keyed by path + size + mtime, so
a folder re-opened in the same process is not read again and a changed
file is re-read.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator

from citecheck.resolve.archive.backend import CaptureBody
from citecheck.resolve.archive.choose import url_identity
from citecheck.resolve.archive.models import (
    ArchiveUnavailableError,
    CdxRecord,
    Memento,
    NoMementoError,
    format_timestamp,
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


def _warc_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _index_stream(stream: IO[bytes], file: str, member: str | None) -> Iterator[WarcCapture]:
    iterator = ArchiveIterator(stream)
    for record in iterator:
        if record.rec_type != "response" or record.http_headers is None:
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI")
        stamp = record.rec_headers.get_header("WARC-Date")
        if not uri or not stamp:
            continue
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            continue
        yield WarcCapture(
            url=uri,
            capture_time=_warc_date(stamp),
            status=status,
            location=record.http_headers.get_header("Location"),
            mimetype=record.http_headers.get_header("Content-Type"),
            file=file,
            offset=iterator.get_record_offset(),
            member=member,
        )


def index_file(path: Path) -> list[WarcCapture]:
    """The captures in one WARC/ARC (gzipped or not) or WACZ file, read once per version of the file."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime)
    cached = _INDEXES.get(key)
    if cached is not None:
        return cached
    captures: list[WarcCapture] = []
    if path.suffix.lower() == ".wacz":
        with zipfile.ZipFile(path) as package:
            for member in package.namelist():
                if member.lower().endswith(WARC_SUFFIXES):
                    with package.open(member) as stream:
                        captures.extend(_index_stream(stream, str(path), member))
    else:
        with path.open("rb") as stream:
            captures.extend(_index_stream(stream, str(path), None))
    _INDEXES[key] = captures
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
    stream.seek(capture.offset)
    for record in ArchiveIterator(stream):
        # content_stream() undoes chunking and Content-Encoding as a browser would.
        body = record.content_stream().read(max_bytes + 1)
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
    if capture.member is not None:
        # A zip member seeks by reading forward (stored WARCs in a WACZ are gzip members, not deflated).
        with zipfile.ZipFile(capture.file) as package, package.open(capture.member) as member:
            return _body_of_record_at(member, capture, max_bytes)
    with open(capture.file, "rb") as stream:
        return _body_of_record_at(stream, capture, max_bytes)


class WarcArchive:
    """An archive made of local files: the same interface as the HTTP backends, no network."""

    def __init__(self, root: Path | str, *, name: str | None = None) -> None:
        self.root = Path(root)
        self.name = name or f"warc:{self.root}"
        self.requests_sent = 0  # always 0: kept so every backend can be measured alike
        self._by_identity: dict[str, list[WarcCapture]] | None = None

    def _index(self) -> dict[str, list[WarcCapture]]:
        if self._by_identity is None:
            if not self.root.exists():
                raise ArchiveUnavailableError(f"{self.name}: no such file or folder")
            by_identity: dict[str, list[WarcCapture]] = {}
            for path in archive_files(self.root):
                for capture in index_file(path):
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

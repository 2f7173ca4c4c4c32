"""Reading a document file safely: size cap, binary detection, encodings.

Untrusted input must fail with one clear line (:class:`DocumentInputError`),
never a traceback, and never lose what can be read: a file in an odd
encoding is decoded with the best guess and the guess is reported.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from citecheck.models import DocumentFormat

# 50 MiB: far larger than any real article, small enough to parse in memory.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

SUFFIX_FORMATS: dict[str, DocumentFormat] = {
    ".txt": DocumentFormat.text,
    ".text": DocumentFormat.text,
    ".md": DocumentFormat.markdown,
    ".markdown": DocumentFormat.markdown,
    ".html": DocumentFormat.html,
    ".htm": DocumentFormat.html,
    ".xhtml": DocumentFormat.html,
    ".wiki": DocumentFormat.wikitext,
    ".wikitext": DocumentFormat.wikitext,
    ".mediawiki": DocumentFormat.wikitext,
}

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9._-]+)""", re.I)


class DocumentInputError(Exception):
    """The document cannot be read; the message is one line for the user."""


def format_for_path(path: Path) -> DocumentFormat | None:
    return SUFFIX_FORMATS.get(path.suffix.lower())


def looks_binary(head: bytes) -> bool:
    """NUL bytes or mostly control characters in the first KiB: not a text document."""
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False  # UTF-16/32 text has NULs by design
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\v\x1b")
    return controls / len(head) > 0.10


def decode_document(data: bytes, declared: str | None = None) -> tuple[str, str, bool]:
    """Decode bytes to text. Returns ``(text, encoding, lossy)``.

    Order: byte-order mark, a declared charset (HTTP header or ``<meta>``),
    strict UTF-8, then Windows-1252 (what mislabelled "Latin-1" web pages
    almost always are), and finally UTF-8 with replacement characters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding, False
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    meta = _META_CHARSET_RE.search(data[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            codecs.lookup(encoding)
            return data.decode(encoding), encoding, False
        except (LookupError, UnicodeError):  # UnicodeError: codecs like punycode/idna raise the base class
            continue
    return data.decode("utf-8", errors="replace"), "utf-8", True


def load_document_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[str]]:
    """Read ``path`` as text. Returns ``(text, notices)``; raises :class:`DocumentInputError`."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentInputError(f"{path}: no such file") from None
    except OSError as error:
        raise DocumentInputError(f"{path}: cannot read ({error.strerror})") from None
    if not path.is_file():
        raise DocumentInputError(f"{path}: not a regular file")
    if size > max_bytes:
        raise DocumentInputError(
            f"{path}: {size / 1048576:.1f} MiB is larger than the {max_bytes / 1048576:.0f} MiB limit "
            "(raise it with --max-document-size)"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DocumentInputError(f"{path}: cannot read ({error.strerror})") from None
    if looks_binary(data[:1024]):
        raise DocumentInputError(f"{path}: looks like a binary file, not a text document")
    text, encoding, lossy = decode_document(data)
    notices: list[str] = []
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig", "ascii"):
        notices.append(f"decoded as {encoding} (not valid UTF-8)")
    if lossy:
        notices.append("some bytes could not be decoded and were replaced with U+FFFD")
    # Normalise newlines once so every reader counts lines the same way.
    return text.replace("\r\n", "\n").replace("\r", "\n"), notices

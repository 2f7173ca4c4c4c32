"""Text of a PDF source, for the claim checks: pure bytes in, text (or the reason there is none) out.

:func:`extract_pdf_text` reads a PDF's text layer with `pypdf
<https://pypdf.readthedocs.io/>`_ (pure Python, maintained), page by page,
within caps on size, pages, characters and time, so a 500-page report or a
hostile file costs bounded work.  What cannot be read is never an error the
caller must catch: ``text`` is None and ``reason`` says why — the body is not
a PDF (an HTML error page served as ``.pdf``), the PDF is damaged, encrypted
with a password, or has no text layer (a scan).  A PDF encrypted only against
editing (an empty user password, common for official reports) is read.

No I/O: the resolve stage fetches the bytes through the guarded client and
caches the result like any page's text.
"""

from __future__ import annotations

import io
import logging
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["PdfText", "extract_pdf_text", "looks_like_pdf"]

DEFAULT_MAX_PAGES = 200
DEFAULT_MAX_CHARS = 2_000_000
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_SECONDS = 20.0
# The header may follow a little junk (a BOM, whitespace, a mail header): readers accept it within 1 KB.
_HEADER_WINDOW = 1024
# A text layer thinner than this per page (page numbers, a running title) is a scan with a stamp on it.
_MIN_CHARS_PER_PAGE = 20


@dataclass(frozen=True)
class PdfText:
    """What a PDF's text layer holds: ``text`` (None when nothing usable), the page count, and why.

    ``reason`` is set when ``text`` is None (what went wrong) and when the text
    is partial (which cap stopped the reading); ``pages_read`` pages were read.
    """

    text: str | None
    pages: int
    reason: str | None = None
    pages_read: int = 0


def looks_like_pdf(data: bytes) -> bool:
    """Whether the bytes start (within their first kilobyte) with a PDF header."""
    return b"%PDF-" in data[:_HEADER_WINDOW]


def _not_a_pdf(data: bytes) -> str:
    head = data[:_HEADER_WINDOW].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head:
        return "not a PDF: the body is an HTML page"
    if not head:
        return "not a PDF: the body is empty"
    return "not a PDF: no %PDF header"


@contextmanager
def _quiet() -> Iterator[None]:
    """pypdf logs a warning for every repairable defect; a damaged file would flood the audit's log."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def extract_pdf_text(
    data: bytes,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> PdfText:
    """The text layer of the PDF in ``data``: at most ``max_pages`` pages, ``max_chars`` characters and about
    ``max_seconds`` of work (checked between pages); pages joined by blank lines.  Never raises for bad input."""
    if len(data) > max_bytes:
        return PdfText(None, 0, f"PDF too large to read ({len(data):,} bytes; the cap is {max_bytes:,})")
    if not looks_like_pdf(data):
        return PdfText(None, 0, _not_a_pdf(data))
    with _quiet():
        return _read(data, max_pages, max_chars, max_seconds)


def _read(data: bytes, max_pages: int, max_chars: int, max_seconds: float) -> PdfText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    started = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except DependencyError:
                return PdfText(None, 0, "encrypted PDF: reading it needs the 'cryptography' package")
            if not unlocked:
                return PdfText(None, 0, "encrypted PDF: a password is needed to read its text")
        pages = len(reader.pages)
    # pypdf raises many kinds of errors on malformed files (its own, ValueError, KeyError, struct.error,
    # RecursionError …); whatever it is, the answer is "damaged", never a crash.
    except Exception as error:
        return PdfText(None, 0, f"damaged PDF: {type(error).__name__}: {error}"[:300])
    parts: list[str] = []
    chars = 0
    read = 0
    broken = 0
    stop: str | None = None
    for number in range(min(pages, max_pages)):
        if time.monotonic() - started > max_seconds:
            stop = f"stopped after {max_seconds:g} s, at page {number + 1} of {pages}"
            break
        try:
            page_text = reader.pages[number].extract_text() or ""
        except Exception:
            broken += 1  # one damaged page does not hide the others
            page_text = ""
        read += 1
        page_text = page_text.strip()
        if page_text:
            parts.append(page_text)
            chars += len(page_text) + 2
        if chars >= max_chars:
            stop = f"text cut at {max_chars:,} characters, at page {number + 1} of {pages}"
            break
    if stop is None and pages > max_pages:
        stop = f"only the first {max_pages} of {pages} pages were read"
    text = "\n\n".join(parts)[:max_chars]
    notes = [note for note in (stop, f"{broken} damaged page(s) skipped" if broken else None) if note]
    if len(text.replace(" ", "").replace("\n", "")) < _MIN_CHARS_PER_PAGE * max(1, read):
        why = "no text layer (a scanned PDF?)" if read else "the PDF has no pages"
        return PdfText(None, pages, "; ".join([why, *notes]), read)
    return PdfText(text, pages, "; ".join(notes) or None, read)

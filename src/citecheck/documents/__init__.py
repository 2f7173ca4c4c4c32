"""Stage 1: documents → ParsedDocument (body sections, paragraphs, markers, reference list).

One reader per format; each returns the same :class:`~citecheck.models.ParsedDocument`.
"""

from __future__ import annotations

from pathlib import Path

from citecheck.documents.loading import (
    DEFAULT_MAX_BYTES,
    DocumentInputError,
    format_for_path,
    load_document_text,
)
from citecheck.models import DocumentFormat, ParsedDocument

__all__ = ["DocumentInputError", "parse_document", "read_document", "sniff_format"]


def sniff_format(text: str) -> DocumentFormat:
    """Guess a format from content, for files whose name does not tell."""
    head = text[:4096].lower()
    if "<html" in head or "<!doctype html" in head or "<body" in head:
        return DocumentFormat.html
    if "{{cite" in head or "<ref" in head or "\n==" in head:
        return DocumentFormat.wikitext
    if "[^" in text or "\n# " in head or head.startswith("# "):
        return DocumentFormat.markdown
    return DocumentFormat.text


def looks_like_wikitext_source(text: str) -> bool:
    """Markup no plain-text rendering shows: ``<ref>`` tags together with cite templates or ``==`` headings."""
    head = text[:65536]
    # An HTML-escaped copy (&lt;ref&gt;, from a dump or a page's edit box) is wikitext source too.
    return ("<ref" in head or "&lt;ref" in head) and ("{{cite" in head.lower() or "\n==" in head)


def parse_document(text: str, path: str, fmt: DocumentFormat) -> ParsedDocument:
    """Run the reader for ``fmt`` over already-decoded ``text``; unusable URLs and dates become data errors."""
    from citecheck.references.validation import check_document_data

    document = _read(text, path, fmt)
    check_document_data(document)
    return document


def _read(text: str, path: str, fmt: DocumentFormat) -> ParsedDocument:
    if fmt == DocumentFormat.html:
        from citecheck.documents.html import read_html

        return read_html(text, path)
    if fmt == DocumentFormat.markdown:
        from citecheck.documents.markdown import read_markdown

        return read_markdown(text, path)
    if fmt == DocumentFormat.wikitext:
        from citecheck.documents.wikitext import read_wikitext

        return read_wikitext(text, path)
    from citecheck.documents.repost import looks_like_repost, read_repost

    if looks_like_repost(text):
        return read_repost(text, path)
    from citecheck.documents.plaintext import read_plaintext

    return read_plaintext(text, path)


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Load and parse one file. Raises :class:`DocumentInputError` with a one-line message."""
    text, notices = load_document_text(path, max_bytes=max_bytes)
    fmt = format_for_path(path) or sniff_format(text)
    if fmt == DocumentFormat.text and looks_like_wikitext_source(text):
        # Wikitext saved as .txt (a page's "edit source" pasted into a file) is still wikitext.
        fmt = DocumentFormat.wikitext
        notices.append("read as MediaWiki wikitext: the .txt file holds <ref> tags and templates or == headings")
    document = parse_document(text, str(path), fmt)
    document.notices[:0] = notices
    return document

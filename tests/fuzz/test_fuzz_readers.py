"""Every reader, on any text or bytes: a ParsedDocument whose markers and references hang together, or a clean error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citecheck.documents import (
    DocumentInputError,
    looks_like_wikitext_source,
    parse_document,
    read_document,
    sniff_format,
)
from citecheck.documents.loading import decode_document, load_document_text
from citecheck.models import DocumentFormat, ParsedDocument
from tests.fuzz.profile import FUZZ
from tests.fuzz.strategies import document_text

pytestmark = pytest.mark.fuzz

FORMATS: tuple[DocumentFormat, ...] = ("text", "html", "markdown", "wikitext")
SUFFIXES = {"text": ".txt", "html": ".html", "markdown": ".md", "wikitext": ".wiki"}
ENCODING_NAMES = ["utf-8", "utf-16", "utf-7", "latin-1", "cp1252", "shift_jis", "idna", "punycode", "rot13", "bogus"]


def assert_consistent(document: ParsedDocument, fmt: DocumentFormat) -> None:
    assert document.format == fmt
    ids = [reference.id for reference in document.references]
    assert len(ids) == len(set(ids)), f"duplicate reference ids {ids}"
    for section in document.sections:
        for paragraph in section.paragraphs:
            for marker in paragraph.markers:
                assert 0 <= marker.offset <= len(paragraph.text), (marker, paragraph.text)
                assert marker.ref_id is None or marker.ref_id in ids, (marker, ids)
    # The document round-trips through its own JSON (what the report writer does with it).
    assert ParsedDocument.model_validate_json(document.model_dump_json()) == document


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(text=document_text)
def test_reader_on_any_text(fmt: DocumentFormat, text: str) -> None:
    assert_consistent(parse_document(text, f"fuzz{SUFFIXES[fmt]}", fmt), fmt)


@FUZZ
@given(text=document_text)
def test_sniffed_format_reads(text: str) -> None:
    fmt = sniff_format(text)
    assert_consistent(parse_document(text, "fuzz", fmt), fmt)


encoded_documents = st.one_of(
    st.binary(max_size=400),
    st.tuples(document_text, st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "shift_jis"])).map(
        lambda pair: pair[0].encode(pair[1], errors="replace")
    ),
    st.tuples(st.sampled_from(ENCODING_NAMES), document_text, st.binary(max_size=40)).map(
        lambda parts: (
            f"<html><head><meta charset='{parts[0]}'></head><body>{parts[1]}".encode(errors="replace") + parts[2]
        )
    ),
    st.tuples(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b""]), st.binary(max_size=200)).map(
        lambda parts: parts[0] + parts[1]
    ),
)


@FUZZ
@given(data=encoded_documents, declared=st.one_of(st.none(), st.sampled_from(ENCODING_NAMES)))
def test_decoding_any_bytes(data: bytes, declared: str | None) -> None:
    text, encoding, lossy = decode_document(data, declared)
    assert isinstance(text, str) and encoding
    assert isinstance(lossy, bool)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=encoded_documents)
def test_read_document_on_any_bytes(fmt: DocumentFormat, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{SUFFIXES[fmt]}"
        path.write_bytes(data)
        try:
            document = read_document(path, max_bytes=2048)
        except DocumentInputError as error:
            assert str(error)  # one line for the user, never empty
            return
        text, _ = load_document_text(path, max_bytes=2048)
    # A .txt file holding wikitext source (<ref> tags with cite templates or == headings) is read as
    # wikitext, and says so in a notice; every other file is read in the format its suffix names.
    expected: DocumentFormat = "wikitext" if fmt == "text" and looks_like_wikitext_source(text) else fmt
    assert_consistent(document, expected)
    if expected != fmt:
        assert any("read as MediaWiki wikitext" in notice for notice in document.notices), document.notices

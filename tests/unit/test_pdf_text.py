"""PDF source text: capped, and every unreadable PDF says why instead of failing."""

from __future__ import annotations

import pytest

from citecheck.resolve.pdf_text import PdfText, extract_pdf_text, looks_like_pdf
from tests.pdf_factory import make_pdf, report_pages


def test_text_pages_are_read_in_order() -> None:
    data = make_pdf(report_pages(3))
    result = extract_pdf_text(data)
    assert isinstance(result, PdfText)
    assert (result.pages, result.pages_read, result.reason) == (3, 3, None)
    assert result.text is not None
    assert result.text.index("page 1.") < result.text.index("page 2.") < result.text.index("page 3.")
    assert "1,250 residents were evacuated" in result.text


def test_page_cap_reads_the_first_pages_and_says_so() -> None:
    data = make_pdf(report_pages(500))
    result = extract_pdf_text(data, max_pages=200)
    assert (result.pages, result.pages_read) == (500, 200)
    assert result.text is not None and "page 200." in result.text and "page 201." not in result.text
    assert result.reason == "only the first 200 of 500 pages were read"


def test_character_cap_cuts_the_text_and_says_where() -> None:
    result = extract_pdf_text(make_pdf(report_pages(20)), max_chars=1000)
    assert result.text is not None and len(result.text) <= 1000
    assert result.reason is not None and result.reason.startswith("text cut at 1,000 characters")


def test_time_cap_stops_between_pages() -> None:
    result = extract_pdf_text(make_pdf(report_pages(30)), max_seconds=0.0)
    assert result.text is None and result.pages == 30
    assert result.reason is not None and "stopped after 0 s, at page 1 of 30" in result.reason


def test_size_cap_refuses_before_parsing() -> None:
    data = make_pdf(report_pages(2))
    result = extract_pdf_text(data, max_bytes=100)
    assert result.text is None and result.reason is not None and "too large" in result.reason


def test_an_html_page_served_as_a_pdf_is_not_a_pdf() -> None:
    result = extract_pdf_text(b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>")
    assert result == PdfText(None, 0, "not a PDF: the body is an HTML page")
    assert looks_like_pdf(b"junk %PDF-1.4") and not looks_like_pdf(b" " * 2000 + b"%PDF-1.4")
    assert extract_pdf_text(b"").reason == "not a PDF: the body is empty"
    assert extract_pdf_text(b"GIF89a....").reason == "not a PDF: no %PDF header"


def test_a_damaged_pdf_gives_a_reason_not_an_exception() -> None:
    data = make_pdf(report_pages(2))
    for damaged in (data[: len(data) // 3], b"%PDF-1.7\n" + bytes(range(256)) * 40, b"%PDF-1.4\n%%EOF"):
        result = extract_pdf_text(damaged)
        assert result.text is None
        assert result.reason is not None and result.reason  # "damaged PDF: …" or "the PDF has no pages"


def test_a_password_protected_pdf_is_encrypted() -> None:
    result = extract_pdf_text(make_pdf(report_pages(2), user_password="secret", owner_password="owner"))
    assert result.text is None
    assert result.reason == "encrypted PDF: a password is needed to read its text"


def test_a_pdf_locked_only_against_editing_is_read() -> None:
    result = extract_pdf_text(make_pdf(report_pages(2), owner_password="owner"))
    assert result.text is not None and "Riverton gauge" in result.text


def test_a_scanned_pdf_has_no_text_layer() -> None:
    result = extract_pdf_text(make_pdf([[], [], []], scanned=True))
    assert result.text is None and result.pages == 3
    assert result.reason == "no text layer (a scanned PDF?)"


@pytest.mark.parametrize("junk", [b"\xef\xbb\xbf", b"\r\n\r\n", b"Content-Type: application/pdf\r\n\r\n"])
def test_a_header_after_a_little_junk_is_still_a_pdf(junk: bytes) -> None:
    assert extract_pdf_text(junk + make_pdf(report_pages(1))).text is not None

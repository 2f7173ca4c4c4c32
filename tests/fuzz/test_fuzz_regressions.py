"""The crashes fuzzing found, kept as regression tests (all fixed)."""

from __future__ import annotations

import pytest

from citecheck.documents import parse_document
from citecheck.documents.loading import decode_document
from citecheck.models import ParsedDocument
from citecheck.resolve.archive.wayback import parse_timemap

pytestmark = pytest.mark.fuzz


def test_wikitext_surrogate_entity_serialises() -> None:
    document = parse_document("Text &#xD800; here.<ref>Cited.</ref>\n", "fuzz.wiki", "wikitext")
    assert ParsedDocument.model_validate_json(document.model_dump_json()) == document


@pytest.mark.parametrize("charset", ["punycode"])
def test_meta_charset_of_a_codec_raising_unicode_error(charset: str) -> None:
    # ASCII only, so strict UTF-8 reads it once the broken codec is skipped.
    data = f"<meta charset={charset}><p>{'x' * 70}</p>".encode()
    text, _encoding, _lossy = decode_document(data)
    assert "x" * 70 in text


@pytest.mark.parametrize("moment", ["0 FEB 0 0:0 GMT", "", "Mon, 14 May 2011 10:00:00 -0000"])
def test_timemap_with_unreadable_datetime(moment: str) -> None:
    good = '<http://a.b/1>; rel="memento"; datetime="Sat, 14 May 2011 10:00:00 GMT"'
    mementos = parse_timemap(f'{good},\n<http://a.b/2>; rel="memento"; datetime="{moment}"')
    assert mementos[0][0] == "http://a.b/1"
    assert all(when.tzinfo is not None for _, when in mementos)

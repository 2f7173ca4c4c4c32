"""The reference, date, archive-URL, CDX and TimeMap parsers on any input: a value or their own error, never a crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citecheck.dates import PartialDate, find_dates, match_date_at, parse_date
from citecheck.references import is_archive_url, parse_archive_url, parse_citation_line, reference_from_text
from citecheck.resolve.archive.ia import IA_CDX_FIELDS, parse_cdx_page
from citecheck.resolve.archive.models import ArchiveProtocolError, CdxRecord, parse_timestamp
from citecheck.resolve.archive.pywb import parse_cdx_json_lines
from citecheck.resolve.archive.wayback import parse_link_header, parse_timemap
from tests.fuzz.profile import FUZZ
from tests.fuzz.strategies import CITATION_BITS, citation_text

pytestmark = pytest.mark.fuzz


@FUZZ
@given(text=citation_text)
def test_citation_line_parser(text: str) -> None:
    fields = parse_citation_line(text)
    for url in fields.urls:
        assert url.strip() == url and url, fields.urls
    assert fields.backlinks is None or fields.backlinks >= 0


@FUZZ
@given(text=citation_text, given_url=st.one_of(st.none(), st.sampled_from(CITATION_BITS), st.text(max_size=30)))
def test_reference_from_text(text: str, given_url: str | None) -> None:
    reference = reference_from_text(id="1", raw=text, url=given_url)
    assert reference.raw == text
    if reference.archive_url_time is not None:
        assert reference.archive_url_time.tzinfo is not None


@FUZZ
@given(text=st.one_of(citation_text, st.text(max_size=40)))
def test_date_parsers(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is None or isinstance(parsed, PartialDate)
    for date, start, end in find_dates(text):
        assert 0 <= start < end <= len(text), (start, end, len(text))
        assert isinstance(date, PartialDate)
    match = match_date_at(text)
    assert match is None or 0 < match[1] <= len(text)


archive_urls = st.one_of(
    st.sampled_from(CITATION_BITS),
    st.tuples(
        st.sampled_from(
            [
                "https://web.archive.org/web/",
                "http://archive.org/wayback/",
                "https://archive.ph/",
                "http://archive.today/",
                "https://www.webcitation.org/query?url=",
                "https://arquivo.pt/wayback/",
                "//webarchive.loc.gov/all/",
                "http:/web.archive.org/web/",
                "web.archive.org/web/",
            ]
        ),
        st.from_regex(r"[0-9]{0,16}([a-z]{2}_|\*)?", fullmatch=True),
        st.sampled_from(["/", "", "/http://", "/https://a.b/", "&date=", "/newest/"]),
        st.text(max_size=30),
    ).map("".join),
)


@FUZZ
@given(url=archive_urls, generic=st.booleans())
def test_archive_url_parser(url: str, generic: bool) -> None:
    parsed = parse_archive_url(url, generic=generic)
    assert is_archive_url(url, generic=generic) == (parsed is not None)
    if parsed is not None and parsed.timestamp is not None:
        assert parsed.timestamp.tzinfo is not None


@FUZZ
@given(text=st.one_of(st.text(max_size=20), st.from_regex(r"[0-9]{0,16}", fullmatch=True)))
def test_archive_timestamp_parser(text: str) -> None:
    try:
        moment = parse_timestamp(text)
    except ValueError:
        return
    assert moment.tzinfo is not None


timestamps = st.one_of(st.from_regex(r"[0-9]{0,15}", fullmatch=True), st.text(max_size=6))
cdx_values = st.one_of(timestamps, st.sampled_from(["-", "200", "http://a.b/", "text/html", ""]), st.text(max_size=8))
cdx_json_values = st.one_of(cdx_values, st.integers(), st.none(), st.lists(st.integers(), max_size=2))


def _cdx_json_page(header: list[str], rows: list[list[object]], resume: list[object] | None) -> str:
    page: list[object] = [header, *rows]
    if resume is not None:
        page += [[], resume]
    return json.dumps(page)


cdx_pages = st.one_of(
    st.text(max_size=200),
    st.builds(
        _cdx_json_page,
        st.one_of(st.just(list(IA_CDX_FIELDS)), st.lists(st.sampled_from([*IA_CDX_FIELDS, "x"]), max_size=8)),
        st.lists(st.lists(cdx_json_values, min_size=0, max_size=8), max_size=6),
        st.one_of(st.none(), st.lists(cdx_json_values, max_size=2)),
    ),
    st.lists(st.lists(cdx_values, min_size=1, max_size=8).map(" ".join), max_size=6).map("\n".join),
    st.builds(lambda body: f"[{body}", st.text(max_size=40)),
)


def _check_records(records: list[CdxRecord]) -> None:
    for record in records:
        assert record.original
        assert record.timestamp.tzinfo is not None


@FUZZ
@given(text=cdx_pages)
def test_ia_cdx_parser(text: str) -> None:
    try:
        records, resume_key, skipped = parse_cdx_page(text)
    except ArchiveProtocolError:
        return
    _check_records(records)
    assert skipped >= 0 and (resume_key is None or isinstance(resume_key, str))


pywb_lines = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.dictionaries(
            st.sampled_from(["urlkey", "timestamp", "url", "original", "mime", "status", "digest", "length", "x"]),
            cdx_json_values,
            max_size=8,
        ).map(json.dumps),
        st.sampled_from(["[]", "null", "1", '"s"', "{"]),
    ),
    max_size=8,
).map("\n".join)


@FUZZ
@given(text=pywb_lines)
def test_pywb_cdx_parser(text: str) -> None:
    records, skipped = parse_cdx_json_lines(text)
    _check_records(records)
    assert skipped >= 0


link_values = st.one_of(
    st.sampled_from(["Sat, 14 May 2011 10:00:00 GMT", "Mon, 31 Feb 2011 10:00:00 GMT", "", "yesterday", "0"]),
    st.text(max_size=30),
)
timemaps = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.builds(
            lambda url, rel, moment: f'<{url}>; rel="{rel}"; datetime="{moment}"',
            st.text(max_size=20).filter(lambda value: ">" not in value),
            st.sampled_from(["memento", "first memento", "original", "timemap", "last memento", ""]),
            link_values,
        ),
        max_size=6,
    ).map(",\n".join),
)


@FUZZ
@given(text=timemaps)
def test_timemap_parser(text: str) -> None:
    links = parse_link_header(text)
    for _url, params in links:
        assert all(name == name.lower() for name in params)
    mementos = parse_timemap(text)
    times = [moment for _, moment in mementos]
    assert times == sorted(times)

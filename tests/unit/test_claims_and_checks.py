"""Claims and offline checks on small documents built in code."""

from __future__ import annotations

from datetime import date

from citecheck.checks.offline import CheckContext, claim_dates, run_offline_checks
from citecheck.claims.build import build_claims
from citecheck.dates import PartialDate, parse_date
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference, Section

TODAY = date(2026, 1, 1)


def _d(text: str) -> PartialDate:
    value = parse_date(text)
    assert value is not None
    return value


def _document(paragraphs: list[Paragraph], references: list[Reference], **extra: object) -> ParsedDocument:
    return ParsedDocument(
        path="doc.txt",
        format="text",
        sections=[Section(title="Body", paragraphs=paragraphs)],
        references=references,
        **extra,  # type: ignore[arg-type]
    )


def _codes(document: ParsedDocument) -> list[str]:
    claims = build_claims(document)
    return [finding.code for finding in run_offline_checks(CheckContext(document=document, claims=claims, today=TODAY))]


def test_markers_attach_to_the_sentence_before_them() -> None:
    text = "Camp Ashraf was raided. A total of 34 people were killed. Nobody cited this."
    paragraph = Paragraph(
        text=text,
        markers=[
            Marker(label="1", offset=len("Camp Ashraf was raided."), ref_id="1"),
            Marker(label="2", offset=len("Camp Ashraf was raided. A total of 34 people were killed."), ref_id="2"),
            Marker(label="2", offset=len("Camp Ashraf was raided. A total of 34 people were killed."), ref_id="2"),
        ],
        line=3,
    )
    document = _document([paragraph], [Reference(id="1", title="A"), Reference(id="2", title="B")])
    claims = build_claims(document)
    assert [claim.refs for claim in claims.claims] == [["1"], ["2"], []]
    assert [claim.verdict for claim in claims.claims] == ["not-checked", "not-checked", "uncited"]
    assert [evidence.kind for evidence in claims.claims[1].evidence] == ["marker"]
    assert claims.uses == {"1": 1, "2": 2}
    assert claims.claims[0].line == 3


def test_dangling_marker_and_unused_reference() -> None:
    paragraph = Paragraph(text="A claim here.", markers=[Marker(label="9", offset=13, ref_id=None)])
    document = _document([paragraph], [Reference(id="1", title="Never cited", url="https://example.org/x")])
    codes = _codes(document)
    assert "CC104" in codes
    assert "CC105" in codes


def test_implicit_attribution_cites_every_sentence() -> None:
    section = Section(
        title="Post", implicit_refs=["a1"], paragraphs=[Paragraph(text="First thing happened. Second thing too.")]
    )
    document = ParsedDocument(
        path="p.txt", format="text", sections=[section], references=[Reference(id="a1", kind="attribution", work="AFP")]
    )
    claims = build_claims(document)
    assert [claim.refs for claim in claims.claims] == [["a1"], ["a1"]]
    assert claims.uses["a1"] == 2


def test_date_checks() -> None:
    references = [
        Reference(id="1", title="ok", date=_d("14 April 2011"), access_date=_d("8 May 2011")),
        Reference(id="2", title="accessed early", date=_d("14 April 2011"), access_date=_d("2 March 2011")),
        Reference(id="3", title="archived early", date=_d("2013-09-19"), archive_date=_d("2013-09-01")),
        Reference(id="4", title="future", date=_d("2031"), access_date=_d("2025-01-01")),
        # Same month, day unknown: not definitely before, so no finding.
        Reference(id="5", title="imprecise", date=_d("April 2011"), access_date=_d("3 April 2011")),
        # One day apart is within the time-zone slack.
        Reference(id="6", title="slack", date=_d("14 April 2011"), access_date=_d("13 April 2011")),
    ]
    markers = [Marker(label=str(n), offset=5, ref_id=str(n)) for n in range(1, 7)]
    document = _document([Paragraph(text="Text.", markers=markers)], references)
    findings = run_offline_checks(CheckContext(document=document, claims=build_claims(document), today=TODAY))
    by_code = {(finding.code, finding.ref) for finding in findings}
    assert ("CC401", "2") in by_code
    assert ("CC402", "3") in by_code
    assert ("CC405", "4") in by_code
    assert not {ref for code, ref in by_code if code in ("CC401", "CC402", "CC405") and ref in ("1", "5", "6")}


def test_archive_url_time_before_publication() -> None:
    from datetime import UTC, datetime

    reference = Reference(
        id="1",
        title="t",
        date=_d("2013-09-19"),
        archive_url="https://web.archive.org/web/20130901000000/http://x.org/",
        archive_url_time=datetime(2013, 9, 1, tzinfo=UTC),
    )
    document = _document([Paragraph(text="Text.", markers=[Marker(label="1", offset=5, ref_id="1")])], [reference])
    assert "CC402" in _codes(document)


def test_claim_after_source() -> None:
    text = "On 17 December 2013, officials said more. As of 2025, the camp remains empty. In the 1980s it was built."
    first_end = text.index(" As of")
    second_end = text.index(" In the")
    paragraph = Paragraph(
        text=text,
        markers=[
            Marker(label="1", offset=first_end, ref_id="1"),
            Marker(label="1", offset=second_end, ref_id="1"),
            Marker(label="1", offset=len(text), ref_id="1"),
        ],
    )
    document = _document([paragraph], [Reference(id="1", title="t", date=_d("17 December 2013"))])
    findings = [
        f
        for f in run_offline_checks(CheckContext(document=document, claims=build_claims(document), today=TODAY))
        if f.code == "CC404"
    ]
    assert [finding.claim for finding in findings] == ["c2"]


def test_claim_dates_need_a_date_word_for_bare_years() -> None:
    assert [value.iso() for value in claim_dates("It housed 2013 people in 2014.")] == ["2014"]
    assert claim_dates("The 1980s were long.") == []


def test_document_date_bounds_future_check() -> None:
    document = _document(
        [Paragraph(text="Text.", markers=[Marker(label="1", offset=5, ref_id="1")])],
        [Reference(id="1", title="t", date=_d("2020-05-01"))],
        date=_d("2019-01-01"),
    )
    assert "CC405" in _codes(document)


def test_empty_and_dead_marked_references() -> None:
    references = [
        Reference(id="1", raw="[1]", source_flags=["empty"]),
        Reference(id="2", title="t", source_flags=["dead-link"]),
        Reference(
            id="3",
            title="t",
            url="https://example.org/",
            source_flags=["url-status-dead"],
            archive_url="https://web.archive.org/web/2015/https://example.org/",
        ),
    ]
    markers = [Marker(label=str(n), offset=5, ref_id=str(n)) for n in range(1, 4)]
    codes = _codes(_document([Paragraph(text="Text.", markers=markers)], references))
    assert codes.count("CC101") == 1
    assert codes.count("CC103") == 2
    assert codes.count("CC102") == 1  # the empty one is CC101 only; 3 has URLs


def test_uses_mismatch() -> None:
    reference = Reference(id="3", title="t", backlinks=4)
    paragraph = Paragraph(text="One. Two.", markers=[Marker(label="3", offset=4, ref_id="3")])
    assert "CC106" in _codes(_document([paragraph], [reference]))


def test_unmarked_sentences_inherit_the_citation_closing_their_passage() -> None:
    text = "First is cited. Second leans on the next. Third closes the passage. Fourth trails off."
    paragraph = Paragraph(
        text=text,
        markers=[
            Marker(label="1", offset=len("First is cited."), ref_id="1"),
            Marker(
                label="2", offset=len("First is cited. Second leans on the next. Third closes the passage."), ref_id="2"
            ),
        ],
    )
    claims = build_claims(_document([paragraph], [Reference(id="1", title="A"), Reference(id="2", title="B")]))
    assert [claim.refs for claim in claims.claims] == [["1"], ["2"], ["2"], []]
    assert claims.claims[1].evidence[0].kind == "inferred"
    assert claims.uses == {"1": 1, "2": 1}  # inferred coverage is not a marker


def test_claim_dates_shortcut_rests_on_every_date_pattern_holding_a_year() -> None:
    # claim_dates returns [] for a text without "1" and "2": sound only while each pattern find_dates scans
    # (all but the bare year) requires a year of 1500-2199, and the year phrases one of 19xx/20xx.
    from citecheck import dates
    from citecheck.checks.offline import _YEAR_PHRASE_RE

    year = "(?:1[5-9]\\d\\d|2[01]\\d\\d)"
    for kind, source in dates._date_patterns(named=False):
        if kind != "year":
            assert year in source, kind
            assert f"{year})?" not in source and f"{year}))?" not in source, kind
    assert "(?P<year>(?:19|20)\\d\\d)" in _YEAR_PHRASE_RE.pattern
    assert claim_dates("In May 2010 and spring 2012 they met") != []
    for text in ("As of 2025 it stood", "on 3 June 1999", "2011-08-02"):
        assert claim_dates(text), text
    for text in ("As of ٢٠٢٥ it stood", "in May, in spring, since the thirties", "They met in 3333 and 9999."):
        assert claim_dates(text) == dates.find_dates(text) == [], text

"""The faster claim-building helpers and checks give what the code they replaced gave (old versions kept here)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.checks import offline
from citecheck.checks.offline import CheckContext
from citecheck.claims import build, sentences
from citecheck.claims.build import ClaimSet, build_claims
from citecheck.dates import PartialDate
from citecheck.models import Finding, ParsedDocument, Reference

_PIECES = [
    "Mr.",
    "U.S.",
    "J.",
    "e.g.",
    "3.5",
    "Iran.",
    "A",
    "total",
    " ",
    "  ",
    "\n",
    "\t",
    "\u00a0",
    "\u2003",
    ".",
    "!",
    "?",
    "…",
    '"',
    "”",
    ")",
    "[3]",
    "(",
    "Ab",
    "x",
    "é",
    "ca.",
    "No.",
    "1998",
]
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=40).map("".join)


def _old_sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in sentences._BOUNDARY_RE.finditer(text):
        if match.group("end") == "." and _old_is_abbreviation(text, match.start("end")):
            continue
        spans.append((start, match.end("close")))
        start = match.end("space")
    if start < len(text):
        spans.append((start, len(text)))
    stripped: list[tuple[int, int]] = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            stripped.append((begin, end))
    return stripped


def _old_is_abbreviation(text: str, period_at: int) -> bool:
    token = sentences._word_before(text, period_at)
    if not token:
        return False
    if token.lower().rstrip(".") in sentences.ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isupper():
        return True
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", token))


def _old_sentence_of(spans: list[tuple[int, int]], offset: int) -> int:
    index = 0
    for position, (begin, _) in enumerate(spans):
        if begin <= offset:
            index = position
        else:
            break
    return index


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_sentence_spans_as_before(text: str) -> None:
    assert sentences.sentence_spans(text) == _old_sentence_spans(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.booleans())
def test_claim_text_test_as_before(text: str, has_markers: bool) -> None:
    assert build._is_claim_text(text, has_markers) == (has_markers or len(build._WORD_RE.findall(text)) >= 2)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(st.integers(min_value=-2, max_value=200), max_size=8))
def test_marker_sentence_as_before(text: str, offsets: list[int]) -> None:
    from bisect import bisect_right

    spans = sentences.sentence_spans(text)
    if not spans:
        return
    begins = [begin for begin, _ in spans]
    for offset in offsets:
        assert max(0, bisect_right(begins, offset) - 1) == _old_sentence_of(spans, offset)


# --------------------------------------------------------------------------- offline date checks (CC402, CC405)

_PARTIAL = st.builds(
    PartialDate,
    year=st.integers(min_value=2019, max_value=2027),
    month=st.one_of(st.none(), st.integers(min_value=1, max_value=12), st.integers(min_value=21, max_value=24)),
    day=st.none(),
) | st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31)).map(PartialDate.from_date)
_MOMENT = st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))


def _old_archive_before_publication(context: CheckContext) -> list[tuple[str, str | None, str]]:
    found = []
    for reference in context.document.references:
        if not reference.date:
            continue
        archived: list[tuple[str, PartialDate]] = []
        if reference.archive_date:
            archived.append(("archived", reference.archive_date))
        if reference.archive_url_time:
            archived.append(("its archive URL's capture time is", PartialDate.from_date(reference.archive_url_time)))
        for wording, archive_date in archived:
            if archive_date.definitely_before(reference.date, offline.DATE_SLACK_DAYS):
                found.append(
                    (
                        "CC402",
                        reference.id,
                        f"reference {reference.id} {wording} {archive_date}, "
                        f"before it was published ({reference.date})",
                    )
                )
                break
    return found


def _old_future_dates(context: CheckContext) -> list[tuple[str, str | None, str]]:
    found = []
    horizon = PartialDate.from_date(context.today)
    document_date = context.document.date
    for reference in context.document.references:
        for label, value in (
            ("published", reference.date),
            ("retrieved", reference.access_date),
            ("archived", reference.archive_date),
        ):
            if value is None:
                continue
            if horizon.definitely_before(value):
                message = f"reference {reference.id} says {label} {value}, after today ({context.today.isoformat()})"
                found.append(("CC405", reference.id, message))
            elif (
                document_date
                and label != "archived"
                and document_date.definitely_before(value, offline.DATE_SLACK_DAYS)
            ):
                message = (
                    f"reference {reference.id} says {label} {value}, after the document's own date ({document_date})"
                )
                found.append(("CC405", reference.id, message))
    return found


@settings(max_examples=300, deadline=None)
@given(_PARTIAL, _PARTIAL, st.integers(min_value=0, max_value=40))
def test_definitely_before_as_before(first: PartialDate, second: PartialDate, slack_days: int) -> None:
    """The rule as it was written before :meth:`PartialDate.starts_after` became its one statement."""
    expected = first.latest() + timedelta(days=slack_days) < second.earliest()
    assert first.definitely_before(second, slack_days) is expected
    assert second.starts_after(first.latest(), timedelta(days=slack_days)) is expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), _PARTIAL),
            st.one_of(st.none(), _PARTIAL),
            st.one_of(st.none(), _PARTIAL),
            st.one_of(st.none(), _MOMENT),
        ),
        max_size=6,
    ),
    st.one_of(st.none(), _PARTIAL),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
)
def test_date_checks_as_before(
    dates: list[tuple[PartialDate | None, PartialDate | None, PartialDate | None, datetime | None]],
    document_date: PartialDate | None,
    today: date,
) -> None:
    references = [
        Reference(id=str(number), date=published, access_date=accessed, archive_date=archived, archive_url_time=moment)
        for number, (published, accessed, archived, moment) in enumerate(dates, start=1)
    ]
    document = ParsedDocument(path="doc.txt", format="text", references=references, date=document_date)
    context = CheckContext(document=document, claims=ClaimSet(claims=[]), today=today)

    def shown(findings: list[Finding]) -> list[tuple[str, str | None, str]]:
        return [(finding.code, finding.ref, finding.message) for finding in findings]

    assert shown(offline.check_archive_before_publication(context)) == _old_archive_before_publication(context)
    assert shown(offline.check_future_dates(context)) == _old_future_dates(context)


# --------------------------------------------------------------------------- claims of a document checked together


def test_check_claims_gives_what_check_claim_gives_claim_by_claim() -> None:
    """The per-document readiness cache changes nothing: remembered dead, alive and unknown references mixed."""
    from citecheck.checks.integrity import check_claim, check_claims
    from citecheck.models import ArchiveResult, ArchiveStatus, LiveCheck, LiveStatus, Marker, Paragraph, Section

    references = [
        Reference(id="1", url="https://a.example/1", live=LiveCheck(status=LiveStatus.alive)),
        Reference(
            id="2",
            url="https://a.example/2",
            live=LiveCheck(status=LiveStatus.dead),
            archive=ArchiveResult(status=ArchiveStatus.none),
        ),
        Reference(id="3", url="https://a.example/3"),
        Reference(id="4", title="No URL"),
    ]
    texts = [
        ("The council approved 34 new shelters in 2014.", ["1"]),
        ('The minister said "we will rebuild the bridge".', ["2", "3"]),
        ("Officials counted the votes again.", ["3"]),
        ("Twelve inspectors visited the refinery.", ["2"]),
        ("Nobody cites this sentence at all.", []),
        ("The harbour reopened in June.", ["4", "1"]),
    ]
    paragraphs = [
        Paragraph(text=text, markers=[Marker(label=ref, offset=len(text), ref_id=ref) for ref in refs])
        for text, refs in texts
    ]
    document = ParsedDocument(
        path="doc.txt", format="text", sections=[Section(paragraphs=paragraphs)], references=references
    )
    claims = build_claims(document).claims
    by_id = {reference.id: reference for reference in references}
    for network_ran in (False, True):
        together = check_claims(claims, by_id, {}, network_ran)
        alone = [check_claim(claim, by_id, {}, network_ran) for claim in claims]
        assert together == alone
        assert {check.verdict for check in together} >= {"uncited", "not-checked", "source-lost"}

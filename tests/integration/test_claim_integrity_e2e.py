"""Claim integrity end to end: a full ``audit()`` against a loopback web and a real pywb archive.

The captures hold article text; Markdown and wikitext documents quote and
cite them.  Every check is exercised both ways — quote found / not found
(curly vs straight marks, elisions), figure found / not found (number words,
unit conversion, thousands separators), the page's own date agreeing or not
with the cited date — and the verdict, the evidence (excerpt and snapshot URL)
and the Markdown report are asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import ArchiveStatus, Claim, DocumentReport, Finding, LiveStatus, Reference
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import Reply, WebWorld, html

pytestmark = pytest.mark.integration

# --------------------------------------------------------------------------- the sources

SUMMIT = [
    'The minister said "the river belongs to all of us, and no dam will change that" before leaving Amman.',
    "Thirty-four delegations attended the meeting, which lasted three days.",
    "The refugee camp lies about 37 miles north of the capital.",
    "Officials estimated that 12500 people had been displaced by the spring floods.",
    "Aid agencies said 1.5 million people fled the fighting in the south.",
    "Election officials counted 1,976 postal votes in the district.",
]
# Curly marks and apostrophes in the source; the documents quote it with straight ones.
BUDGET = [
    "Its director said the agency’s budget “cannot stretch any further this year” after the vote.",
    "The agency employs 1,250 inspectors across the region.",
]
STADIUM = [
    "The council approved the stadium plan on Tuesday by a narrow margin.",
    "Construction is expected to cost 48 million dollars over four years.",
]
HARBOUR = ["The harbour was dredged in the autumn, and the ferry service resumed in the spring."]


def article(title: str, published: str | None, paragraphs: list[str]) -> bytes:
    """An article page as a news site serves it: meta publication date, navigation, article, footer."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{meta}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer><p>Copyright The Ledger, all rights reserved.</p></footer></body></html>"
    ).encode()


def page_reply(body: bytes) -> Reply:
    return Reply(200, body, [("Content-Type", "text/html; charset=utf-8")])


@dataclass(frozen=True)
class Page:
    """One article: its path, its bytes (served live and captured alike) and when it was captured."""

    path: str
    body: bytes
    captured: str | None  # None: no capture in the archive


PAGES = [
    Page("/2011/04/river-summit", article("River summit", "2011-04-14T10:00:00Z", SUMMIT), "2011-05-07T10:00:00"),
    Page("/2011/04/agency-budget", article("Agency budget", "2011-04-20", BUDGET), "2011-05-06T09:00:00"),
    # The page's own date (2010-11-02) is months before the date the documents give it.
    Page("/2011/04/stadium-vote", article("Stadium vote", "2010-11-02", STADIUM), "2011-05-05T08:00:00"),
    # Late evening in New York is the next day in UTC: the cited 15 April is within tolerance.
    Page("/2011/04/harbour", article("Harbour reopens", "2011-04-14T22:30:00-04:00", HARBOUR), "2011-05-04T08:00:00"),
]
DEAD_PATH = "/2011/04/withdrawn-story"  # 404 live, never archived


@dataclass
class Worlds:
    web: WebWorld
    archive: ArchiveWorld

    def url(self, path: str) -> str:
        return self.web.url("ledger", path)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    web = WebWorld()
    ledger = web.add_site("ledger", "127.0.0.31")
    ledger.route("/", html("The Ledger", "<p>Front page.</p>"))
    for page in PAGES:
        ledger.route(page.path, page_reply(page.body))
    web.start()
    try:
        captures = [
            Capture(web.url("ledger", page.path), at(page.captured), body=page.body)
            for page in PAGES
            if page.captured is not None
        ]
        with ArchiveWorld(tmp_path_factory.mktemp("pywb-claims"), captures) as archive:
            yield Worlds(web, archive)
    finally:
        web.stop()


def online_options(worlds: Worlds, folder: Path) -> AuditOptions:
    return AuditOptions(
        out=folder / "reports",
        cache=folder / "cache.sqlite",
        archives=[worlds.archive.archive_url],
        allow_private=True,
        canary=[worlds.url("/")],
    )


# --------------------------------------------------------------------------- the documents

MARKDOWN_CLAIMS = {
    "curly-claim": "The minister said “the river belongs to all of us, and no dam will change that” in Amman.[^summit]",
    "straight-claim": 'The director said the budget "cannot stretch any further this year" at the hearing.[^budget]',
    "bracket-elision": 'He added that "the river belongs to all of us [...] no dam will change that" again.[^summit]',
    "dots-elision": 'Reporters heard "the river belongs to all of us ... no dam will change that" twice.[^summit]',
    "missing-quote": 'The minister also said "the new dam will be finished before the harvest" later.[^summit]',
    "number-word": "There were 34 delegations at the summit.[^summit]",
    "unit": "The refugee camp is 60 km north of the capital.[^summit]",
    "separator": "Officials estimated that 12,500 people were displaced by the floods.[^summit]",
    "separator-reverse": "The agency has 1250 inspectors.[^budget]",
    "missing-figure": "About 9,000 soldiers guarded the summit hall.[^summit]",
    "partial": 'The director said "cannot stretch any further this year" to all 700 inspectors.[^budget]',
    # Each a figure the source holds in another written form.
    "compound-words": "Twelve thousand five hundred people were displaced by the floods.[^summit]",
    "million-suffix": "About 1.5m people fled the fighting.[^summit]",
    "fraction-words": "One and a half million people fled the fighting.[^summit]",
    "year-like-count": "Election officials counted 1976 postal votes.[^summit]",
    "sourced": "The harbour reopened after dredging.[^harbour]",
    "lost": "An earlier story said something else entirely.[^withdrawn]",
    "uncited": "This sentence cites nothing at all.",
}


def markdown_document(worlds: Worlds) -> str:
    # One paragraph per claim, so each is one sentence and one claim.
    body = "\n\n".join(MARKDOWN_CLAIMS.values())
    return f"""# River summit coverage

{body}

[^summit]: "River summit". The Ledger. 14 April 2011. {worlds.url(PAGES[0].path)} Retrieved 8 May 2011.
[^budget]: "Agency budget". The Ledger. 20 April 2011. {worlds.url(PAGES[1].path)} Retrieved 8 May 2011.
[^harbour]: "Harbour reopens". The Ledger. 15 April 2011. {worlds.url(PAGES[3].path)} Retrieved 8 May 2011.
[^withdrawn]: "Withdrawn story". The Ledger. 2 April 2011. {worlds.url(DEAD_PATH)} Retrieved 8 May 2011.
"""


def wikitext_document(worlds: Worlds) -> str:
    def cite(page: Page | None, title: str, date: str, path: str | None = None) -> str:
        url = worlds.url(path or (page.path if page else ""))
        return (
            f"<ref>{{{{cite news |url={url} |title={title} |work=The Ledger |date={date} "
            f"|access-date=8 May 2011}}}}</ref>"
        )

    return (
        "'''Stadium vote''' is a test article.\n\n"
        "== Vote ==\n"
        'The council approved the plan "by a narrow margin" on Tuesday.'
        + cite(PAGES[2], "Stadium vote", "14 April 2011")
        + "\n\nThe stadium would cost 48 million dollars."
        + cite(PAGES[2], "Stadium vote", "14 April 2011")
        + "\n\nThe stadium would cost 95 million dollars."
        + cite(PAGES[2], "Stadium vote", "14 April 2011")
        + '\n\nThe director warned that "the agency\'s budget cannot stretch any further".'
        + cite(PAGES[1], "Agency budget", "20 April 2011")
        + "\n\n== References ==\n<references />\n"
    )


@dataclass
class Audited:
    report: DocumentReport
    markdown: str

    def claim(self, text_start: str) -> Claim:
        matches = [claim for claim in self.report.claims if claim.text.startswith(text_start)]
        assert len(matches) == 1, (text_start, [claim.text for claim in self.report.claims])
        return matches[0]

    def reference(self, ref_id: str) -> Reference:
        return next(reference for reference in self.report.references if reference.id == ref_id)

    def findings(self, code: str) -> list[Finding]:
        return [finding for finding in self.report.findings if finding.code == code]


def claim_start(key: str) -> str:
    return MARKDOWN_CLAIMS[key][:30]


@pytest.fixture(scope="module")
def markdown_audit(worlds: Worlds, tmp_path_factory: pytest.TempPathFactory) -> Audited:
    folder = tmp_path_factory.mktemp("markdown-audit")
    document = folder / "summit.md"
    document.write_text(markdown_document(worlds), encoding="utf-8")
    result = audit([document], online_options(worlds, folder))
    return Audited(result.reports[0], (folder / "reports" / "summit.md").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wikitext_audit(worlds: Worlds, tmp_path_factory: pytest.TempPathFactory) -> Audited:
    folder = tmp_path_factory.mktemp("wikitext-audit")
    document = folder / "stadium.wiki"
    document.write_text(wikitext_document(worlds), encoding="utf-8")
    result = audit([document], online_options(worlds, folder))
    return Audited(result.reports[0], (folder / "reports" / "stadium.md").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the network stage ran


def test_sources_are_read_from_captures(markdown_audit: Audited) -> None:
    report = markdown_audit.report
    assert report.network.mode == "online"
    for ref_id in ("summit", "budget", "harbour"):
        reference = markdown_audit.reference(ref_id)
        assert reference.live.status is LiveStatus.alive
        assert reference.archive.status is ArchiveStatus.found
        assert reference.source.status == "fetched" and reference.source.origin == "capture"
        assert reference.source.url == reference.archive.snapshot_url
    withdrawn = markdown_audit.reference("withdrawn")
    assert withdrawn.live.status is LiveStatus.dead
    assert withdrawn.archive.status is ArchiveStatus.none


# --------------------------------------------------------------------------- quotes


@pytest.mark.parametrize("key", ["curly-claim", "straight-claim", "bracket-elision", "dots-elision"])
def test_quote_found_despite_marks_and_elisions(markdown_audit: Audited, key: str) -> None:
    claim = markdown_audit.claim(claim_start(key))
    assert claim.verdict == "verified", claim.evidence
    quotes = [evidence for evidence in claim.evidence if evidence.kind == "quote"]
    assert len(quotes) == 1 and quotes[0].status in ("found", "near")
    ref = claim.refs[0]
    assert quotes[0].url == markdown_audit.reference(ref).archive.snapshot_url
    source_words = "cannot stretch" if claim.refs == ["budget"] else "river belongs"
    assert quotes[0].excerpt is not None and source_words in quotes[0].excerpt
    assert not [finding for finding in markdown_audit.findings("CC501") if finding.claim == claim.id]


def test_elided_quote_shows_the_sources_full_wording(markdown_audit: Audited) -> None:
    claim = markdown_audit.claim(claim_start("bracket-elision"))
    quote = next(evidence for evidence in claim.evidence if evidence.kind == "quote")
    # The words the elision stands for are in the excerpt: the reader sees what was left out.
    assert quote.excerpt is not None and "and no dam" in quote.excerpt


def test_quote_not_in_the_source_is_cc501_and_unsupported(markdown_audit: Audited) -> None:
    claim = markdown_audit.claim(claim_start("missing-quote"))
    assert claim.verdict == "unsupported"
    quote = next(evidence for evidence in claim.evidence if evidence.kind == "quote")
    assert quote.status == "not-found"
    assert quote.url == markdown_audit.reference("summit").archive.snapshot_url
    findings = [finding for finding in markdown_audit.findings("CC501") if finding.claim == claim.id]
    assert len(findings) == 1 and findings[0].ref == "summit"
    assert "the new dam will be finished" in findings[0].message


def test_only_the_missing_quote_raises_cc501(markdown_audit: Audited) -> None:
    flagged = {finding.claim for finding in markdown_audit.findings("CC501")}
    assert flagged == {markdown_audit.claim(claim_start("missing-quote")).id}


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("key", "source_wording"),
    [
        ("number-word", "Thirty-four delegations"),  # "34" in the claim
        ("unit", "37 miles"),  # "60 km" in the claim
        ("separator", "12500 people"),  # "12,500" in the claim
        ("separator-reverse", "1,250 inspectors"),  # "1250" in the claim
    ],
)
def test_figure_found_in_another_form(markdown_audit: Audited, key: str, source_wording: str) -> None:
    claim = markdown_audit.claim(claim_start(key))
    assert claim.verdict == "verified", claim.evidence
    figures = [evidence for evidence in claim.evidence if evidence.kind == "figure"]
    assert len(figures) == 1 and figures[0].status in ("found", "near")
    assert figures[0].excerpt is not None and source_wording in figures[0].excerpt
    assert figures[0].url == markdown_audit.reference(claim.refs[0]).archive.snapshot_url
    assert not [finding for finding in markdown_audit.findings("CC502") if finding.claim == claim.id]


@pytest.mark.parametrize("key", ["compound-words", "million-suffix", "year-like-count", "fraction-words"])
def test_figure_in_another_written_form_matches_the_source(markdown_audit: Audited, key: str) -> None:
    claim = markdown_audit.claim(claim_start(key))
    assert not [finding for finding in markdown_audit.findings("CC502") if finding.claim == claim.id]
    assert claim.verdict == "verified", claim.evidence


def test_figure_not_in_the_source_is_cc502_and_unsupported(markdown_audit: Audited) -> None:
    claim = markdown_audit.claim(claim_start("missing-figure"))
    assert claim.verdict == "unsupported"
    findings = [finding for finding in markdown_audit.findings("CC502") if finding.claim == claim.id]
    assert len(findings) == 1 and "9,000" in findings[0].message and findings[0].ref == "summit"


def test_found_quote_with_a_figure_the_source_gives_differently_is_partially_verified(
    markdown_audit: Audited,
) -> None:
    claim = markdown_audit.claim(claim_start("partial"))
    assert claim.verdict == "partially-verified"
    statuses = {evidence.kind: evidence.status for evidence in claim.evidence if evidence.kind in ("quote", "figure")}
    assert statuses["quote"] in ("found", "near") and statuses["figure"] == "differs"
    # The source's closest passage gives another number of inspectors: CC504 says which, not just "missing".
    (finding,) = [finding for finding in markdown_audit.report.findings if finding.claim == claim.id]
    assert finding.code == "CC504" and "“700”" in finding.message and "“1,250”" in finding.message


# --------------------------------------------------------------------------- other verdicts


def test_claim_without_quote_or_figure_on_a_readable_source_is_sourced(markdown_audit: Audited) -> None:
    claim = markdown_audit.claim(claim_start("sourced"))
    assert claim.verdict == "sourced"
    source = next(evidence for evidence in claim.evidence if evidence.kind == "source")
    assert source.url == markdown_audit.reference("harbour").archive.snapshot_url


def test_dead_source_without_capture_is_source_lost(markdown_audit: Audited) -> None:
    claim = markdown_audit.claim(claim_start("lost"))
    assert claim.verdict == "source-lost"
    assert not [
        finding
        for finding in markdown_audit.report.findings
        if finding.code in ("CC501", "CC502") and finding.claim == claim.id
    ]


def test_uncited_claim(markdown_audit: Audited) -> None:
    claim = markdown_audit.claim(claim_start("uncited"))
    assert claim.verdict == "uncited" and claim.refs == []
    assert [finding.code for finding in markdown_audit.report.findings if finding.claim == claim.id] == ["CC601"]


# --------------------------------------------------------------------------- publication dates


def test_matching_page_dates_raise_no_cc403(markdown_audit: Audited) -> None:
    # summit: same day; budget: date only; harbour: a day apart only through the time zone.
    assert markdown_audit.findings("CC403") == []
    harbour = markdown_audit.reference("harbour")
    assert harbour.source.page_date is not None
    assert harbour.source.page_date.method == "meta:article:published_time"


def test_page_date_differing_from_the_cited_date_is_cc403(wikitext_audit: Audited) -> None:
    report = wikitext_audit.report
    stadium_refs = [reference for reference in report.references if reference.title == "Stadium vote"]
    assert stadium_refs and all(reference.source.status == "fetched" for reference in stadium_refs)
    findings = wikitext_audit.findings("CC403")
    assert {finding.ref for finding in findings} == {reference.id for reference in stadium_refs}
    for finding in findings:
        assert "2011-04-14" in finding.message and "2010-11-02" in finding.message
        assert "meta:article:published_time" in finding.message
        assert "archived capture" in finding.message
    budget = next(reference for reference in report.references if reference.title == "Agency budget")
    assert budget.id not in {finding.ref for finding in findings}


# --------------------------------------------------------------------------- wikitext claims


def test_wikitext_claims_are_checked_against_captures(wikitext_audit: Audited) -> None:
    assert wikitext_audit.claim("The council approved").verdict == "verified"
    assert wikitext_audit.claim("The stadium would cost 48").verdict == "verified"
    wrong_cost = wikitext_audit.claim("The stadium would cost 95")
    assert wrong_cost.verdict == "unsupported"
    assert wikitext_audit.findings("CC502") == []
    (differs,) = wikitext_audit.findings("CC504")
    assert differs.claim == wrong_cost.id
    assert "“95 million dollars”" in differs.message and "“48 million dollars”" in differs.message
    # Straight marks and apostrophe in wikitext; curly ones in the source ("agency’s budget “cannot …”").
    assert wikitext_audit.claim("The director warned").verdict == "verified"


# --------------------------------------------------------------------------- the Markdown report


def test_markdown_report_shows_verdicts_and_evidence(markdown_audit: Audited) -> None:
    markdown = markdown_audit.markdown
    summit = markdown_audit.reference("summit")
    assert summit.archive.snapshot_url is not None

    def row(key: str) -> str:
        claim = markdown_audit.claim(claim_start(key))
        return next(line for line in markdown.splitlines() if f'id="claim-{claim.id}"' in line)

    found = row("unit")
    assert "verified" in found and "37 miles north of the capital" in found
    assert summit.archive.snapshot_url in found
    missing = row("missing-quote")
    assert "unsupported" in missing and "not-found" in missing
    assert "partially-verified" in row("partial")
    assert "source-lost" in row("lost")
    assert "CC501" in markdown and "CC502" in markdown

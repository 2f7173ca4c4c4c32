"""Finding fingerprints survive reordering, renumbering, line shifts and whitespace; real changes do not."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from citecheck.config import AuditOptions
from citecheck.documents import read_document
from citecheck.models import Claim, DocumentInfo, DocumentReport, Finding, Reference, Severity
from citecheck.pipeline import OFFLINE_STATE, audit_parsed
from citecheck.reports.fingerprint import (
    assign_fingerprints,
    document_key,
    finding_fingerprint,
    normalized_url,
    report_fingerprints,
)
from tests.conftest import shared_path

OPTIONS = AuditOptions(offline=True, today=date(2025, 1, 1))

# Each reference's text, keyed by a name the tests use to place and label it.
REFERENCES = {
    "flood": 'Jolly, David (14 April 2011). "Flood hits town". The Times. https://example.com/flood. '
    "Retrieved 8 May 2010.",
    "dam": '"Dam report". Water Board. Retrieved 2 May 2011.',
    "repair": '"Repairs start" (2012). Riverton Herald. https://herald.example/repairs. Retrieved 3 March 2013.',
    "review": '"Review of the works". https://example.org/review [dead link]',
    "spare": '"Unused source". https://example.org/unused',
}

BODY = [
    "The river flooded in 2011 and 40 people were displaced.{flood} Officials said the dam held.{dam}",
    "Repairs began in 2015, four years after the flood.{repair} A later review praised the work.{review}",
    "Residents still remember it. The council never published its own figures.[^99]",
]


def markdown_document(
    labels: dict[str, str], order: list[str], body: list[str] = BODY, references: dict[str, str] = REFERENCES
) -> str:
    """A Markdown article whose footnotes carry ``labels`` and are listed in ``order``."""
    markers = {name: f"[^{label}]" for name, label in labels.items()}
    paragraphs = [paragraph.format(**markers) for paragraph in body]
    notes = [f"[^{labels[name]}]: {references[name]}" for name in order]
    return "# Flooding in Riverton\n\n" + "\n\n".join(paragraphs) + "\n\n" + "\n".join(notes) + "\n"


NUMBERED = {name: str(number) for number, name in enumerate(REFERENCES, start=1)}
IN_ORDER = list(REFERENCES)


def audit_text(tmp_path: Path, text: str, name: str = "article.md") -> DocumentReport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = audit_parsed(read_document(path), OPTIONS, OFFLINE_STATE)
    assign_fingerprints(report, root=tmp_path)
    return report


def fingerprint_set(report: DocumentReport) -> set[str]:
    fingerprints = {finding.fingerprint for finding in report.findings if finding.fingerprint is not None}
    assert len(fingerprints) == len(report.findings), "fingerprints must be unique within a report"
    return fingerprints


@pytest.fixture
def original(tmp_path: Path) -> DocumentReport:
    report = audit_text(tmp_path, markdown_document(NUMBERED, IN_ORDER))
    # The document exercises reference-level and claim-level findings alike.
    assert {"CC102", "CC103", "CC104", "CC105", "CC401", "CC404", "CC601"} <= {f.code for f in report.findings}
    return report


def test_reordering_the_reference_list_keeps_fingerprints(tmp_path: Path, original: DocumentReport) -> None:
    reordered = audit_text(tmp_path, markdown_document(NUMBERED, list(reversed(IN_ORDER))))

    assert [ref.id for ref in reordered.references] != [ref.id for ref in original.references] or [
        ref.line for ref in reordered.references
    ] != [ref.line for ref in original.references]
    assert fingerprint_set(reordered) == fingerprint_set(original)


def test_renumbering_references_keeps_fingerprints(tmp_path: Path, original: DocumentReport) -> None:
    shifted = {name: str(int(label) + 3) for name, label in NUMBERED.items()}  # [^1] becomes [^4] …
    renumbered = audit_text(tmp_path, markdown_document(shifted, IN_ORDER))

    assert {finding.ref for finding in renumbered.findings} != {finding.ref for finding in original.findings}
    assert fingerprint_set(renumbered) == fingerprint_set(original)


def test_inserted_paragraph_shifts_lines_but_not_fingerprints(tmp_path: Path, original: DocumentReport) -> None:
    body = ["An opening sentence that cites nothing at all.", *BODY]
    edited = audit_text(tmp_path, markdown_document(NUMBERED, IN_ORDER, body=body))

    old, new = fingerprint_set(original), fingerprint_set(edited)
    assert old < new
    added = [finding for finding in edited.findings if finding.fingerprint in new - old]
    assert [finding.code for finding in added] == ["CC601"]
    lines_before = {finding.fingerprint: finding.line for finding in original.findings}
    moved = [(lines_before[finding.fingerprint], finding.line) for finding in edited.findings if finding not in added]
    assert all(before is not None and after == before + 2 for before, after in moved)


def test_whitespace_and_rewrapping_keep_fingerprints(tmp_path: Path, original: DocumentReport) -> None:
    body = [paragraph.replace(". ", ".  \n", 1).replace(" ", "  ", 2) for paragraph in BODY]
    references = {name: text.replace(". ", ".   ") for name, text in REFERENCES.items()}
    edited = audit_text(tmp_path, markdown_document(NUMBERED, IN_ORDER, body=body, references=references))

    assert fingerprint_set(edited) == fingerprint_set(original)


def test_changed_url_changes_only_that_references_fingerprints(tmp_path: Path, original: DocumentReport) -> None:
    references = dict(REFERENCES, flood=REFERENCES["flood"].replace("/flood", "/flood-2011"))
    edited = audit_text(tmp_path, markdown_document(NUMBERED, IN_ORDER, references=references))

    flood_id = NUMBERED["flood"]
    flood_before = {finding.fingerprint for finding in original.findings if finding.ref == flood_id}
    flood_after = {finding.fingerprint for finding in edited.findings if finding.ref == flood_id}
    assert flood_before and flood_after
    assert flood_before.isdisjoint(flood_after)
    assert fingerprint_set(edited) - flood_after == fingerprint_set(original) - flood_before


def test_a_new_problem_gets_a_new_fingerprint(tmp_path: Path, original: DocumentReport) -> None:
    references = dict(REFERENCES, dam='"Dam report". Water Board. Retrieved 2 May 2011. [dead link]')
    edited = audit_text(tmp_path, markdown_document(NUMBERED, IN_ORDER, references=references))

    added = fingerprint_set(edited) - fingerprint_set(original)
    assert [finding.code for finding in edited.findings if finding.fingerprint in added] == ["CC103"]
    assert fingerprint_set(original) < fingerprint_set(edited)


def test_same_code_on_one_reference_keeps_distinct_problems_apart(tmp_path: Path) -> None:
    references = dict(REFERENCES, dam='"Dam report" (3 March 2031). Water Board. Retrieved 2 May 2032.')
    report = audit_text(tmp_path, markdown_document(NUMBERED, IN_ORDER, references=references))

    future = [finding for finding in report.findings if finding.code == "CC405"]
    assert len(future) == 2  # published and retrieved, both after "today"
    assert future[0].fingerprint != future[1].fingerprint
    # Neither depends on the day the audit ran, though the messages quote it.
    later = audit_parsed(
        read_document(tmp_path / "article.md"), OPTIONS.model_copy(update={"today": date(2026, 1, 1)}), OFFLINE_STATE
    )
    assign_fingerprints(later, root=tmp_path)
    assert [f.fingerprint for f in later.findings if f.code == "CC405"] == [f.fingerprint for f in future]


def test_identical_findings_are_told_apart_by_occurrence(tmp_path: Path) -> None:
    body = ["Nobody knows why.", "The dam held.{dam}", "Nobody knows why."]
    text = markdown_document(NUMBERED, IN_ORDER, body=body)
    first, second = audit_text(tmp_path, text), audit_text(tmp_path, text)

    uncited = [finding.fingerprint for finding in first.findings if finding.code == "CC601"]
    assert len(uncited) == len(set(uncited)) == 2
    assert [finding.fingerprint for finding in second.findings] == [finding.fingerprint for finding in first.findings]
    # Only the repeat is rehashed: the first occurrence keeps the plain fingerprint.
    assert uncited[0] == finding_fingerprint(
        first.findings[[f.code for f in first.findings].index("CC601")], first, root=tmp_path
    )


def test_document_path_is_part_of_the_fingerprint(tmp_path: Path, original: DocumentReport) -> None:
    elsewhere = audit_text(tmp_path, markdown_document(NUMBERED, IN_ORDER), name="other.md")

    assert fingerprint_set(elsewhere).isdisjoint(fingerprint_set(original))


def test_fingerprints_do_not_depend_on_where_the_checkout_lives(tmp_path: Path) -> None:
    text = markdown_document(NUMBERED, IN_ORDER)
    (tmp_path / "one" / "citations").mkdir(parents=True)
    (tmp_path / "two" / "citations").mkdir(parents=True)
    one = audit_text(tmp_path / "one", text, name="citations/a.md")
    two = audit_text(tmp_path / "two", text, name="citations/a.md")

    assert report_fingerprints(one, root=tmp_path / "one") == report_fingerprints(two, root=tmp_path / "two")


def test_plain_text_renumbering_keeps_fingerprints(tmp_path: Path) -> None:
    template = dedent(
        """\
        The Decline of the Town Library

        Town libraries lost a third of their visitors between 2001 and 2011.[{survey}]
        Surveys name three causes.[{doe}] [{post}] One council disputed the figures.[9]

        References

        {entries}
        """
    )
    entries = {
        "survey": 'Ministry of Culture (2012). "Reading in the Regions". Annual Report. Retrieved 3 May 2011.',
        "doe": 'Jane Doe (14 April 2011). "Why libraries empty". The Courier.',
        "post": '"Library visits fall again". Evening Post. 2 June 2012. https://post.example/visits',
    }

    def essay(order: list[str]) -> str:
        numbers = {name: str(position) for position, name in enumerate(order, start=1)}
        listed = "\n".join(f"{numbers[name]}. {entries[name]}" for name in order)
        return template.format(entries=listed, **numbers)

    first = audit_text(tmp_path, essay(["survey", "doe", "post"]), name="essay.txt")
    renumbered = audit_text(tmp_path, essay(["post", "survey", "doe"]), name="essay.txt")

    assert len(first.findings) >= 3
    assert {f.ref for f in first.findings if f.code == "CC401"} != {
        f.ref for f in renumbered.findings if f.code == "CC401"
    }
    assert fingerprint_set(renumbered) == fingerprint_set(first)


def test_document_key_normalises_separators_and_roots(tmp_path: Path) -> None:
    assert document_key("./citations\\sub\\a.md") == "citations/sub/a.md"
    assert document_key("citations//a.md") == "citations/a.md"
    assert document_key(str(tmp_path / "citations" / "a.md"), tmp_path) == "citations/a.md"
    assert document_key("https://example.org/page") == "https://example.org/page"


def test_normalized_url_ignores_only_cosmetic_differences() -> None:
    same = {
        normalized_url(url)
        for url in ["https://www.example.com/a/b/", "http://example.com/a/b", "HTTPS://Example.com:443/a/b#top"]
    }
    assert same == {"example.com/a/b"}
    assert normalized_url("https://example.com/a/c") != normalized_url("https://example.com/a/b")
    assert normalized_url("https://example.com/a?id=1") != normalized_url("https://example.com/a?id=2")


@pytest.mark.seeds
def test_real_wikitext_keeps_fingerprints_when_lines_shift(tmp_path: Path) -> None:
    text = shared_path("wikipedia-samples", "enwiki_Toronto.wikitext.txt").read_text(encoding="utf-8")
    original = audit_text(tmp_path, text, name="article.wikitext")
    # Blank lines before the body shift every line without changing any content.
    shifted = audit_text(tmp_path, "\n\n\n" + text, name="article.wikitext")

    assert len(original.findings) > 20
    assert fingerprint_set(shifted) == fingerprint_set(original)
    assert [f.line for f in shifted.findings] != [f.line for f in original.findings]


@pytest.mark.seeds
def test_real_html_keeps_fingerprints_when_reindented(tmp_path: Path) -> None:
    source = shared_path("wikipedia-samples", "enwiki_New_Zealand_rev917976458.rendered.html")
    text = source.read_text(encoding="utf-8")
    original = audit_text(tmp_path, text, name="article.html")
    # Blank lines and indentation change the file, not what the page says.
    reindented = audit_text(tmp_path, text.replace("\n", "\n\n  "), name="article.html")

    assert len(original.findings) > 20
    assert text.count("\n") > 100
    assert fingerprint_set(reindented) == fingerprint_set(original)


@pytest.mark.seeds
def test_seed_documents_get_unique_deterministic_fingerprints(tmp_path: Path) -> None:
    for source in sorted(shared_path("seeds").glob("*.txt")):
        text = source.read_text(encoding="utf-8")
        first = audit_text(tmp_path, text, name=source.name)
        again = audit_text(tmp_path, text, name=source.name)
        assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in first.findings]
        fingerprint_set(first)


def test_findings_sharing_a_claim_or_source_fingerprint_as_each_alone(tmp_path: Path) -> None:
    # report_fingerprints works out each claim's and reference's keys once per report; every finding must
    # still get what finding_fingerprint gives it alone (first of duplicate ids wins, unknown ids count as none).
    references = [
        Reference(id="1", url="https://example.com/a", raw="a"),
        Reference(id="2", title="Dam report", work="Water Board", raw="b"),
        Reference(id="1", url="https://example.com/shadowed", raw="c"),
    ]
    claims = [
        Claim(id="c1", text="In 2011, 40 people were displaced.", refs=["1"], markers=["1"]),
        Claim(id="c2", text="Officials said the dam held in 1999.", refs=["2"], markers=["2"]),
        Claim(id="c1", text="A shadowed claim of 7 words.", refs=[], markers=[]),
    ]
    findings = [
        Finding(code=code, name="n", severity=Severity.warning, ref=ref, claim=claim, message=message)
        for code, ref, claim, message in [
            ("CC102", "1", None, "Reference [1] has no date: cited 3 times"),
            ("CC105", "1", "c1", "Claim c1 (40 people, 2011) cites [1] which says 41"),
            ("CC105", "1", "c1", "Claim c1 cites [1]: 2011 not found"),
            ("CC401", "2", "c2", "Claim c2: 1999 vs 2001 in [2]"),
            ("CC401", None, "c2", "Claim c2 names no source for 1999"),
            ("CC103", "9", None, "Reference [9] is missing"),
            ("CC601", None, "c9", "Claim c9 is uncited"),
        ]
    ]
    report = DocumentReport(
        document=DocumentInfo(path=str(tmp_path / "a.md"), format="markdown"),
        references=references,
        claims=claims,
        findings=findings,
    )
    alone = [finding_fingerprint(finding, report, root=tmp_path) for finding in findings]
    assert len(set(alone)) == len(alone)
    assert report_fingerprints(report, root=tmp_path) == alone

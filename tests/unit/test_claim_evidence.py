"""Claim evidence from source texts (issue 14): passages for every verdict, the source saying something else
(CC504), check by hand (CC505), names, small figures, drift per claim (CC207), bad input."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from citecheck.checks.integrity import ClaimCheck, check_claim, claim_names
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    Claim,
    EvidenceKind,
    LiveCheck,
    LiveStatus,
    Reference,
    SourceInfo,
)

SNAPSHOT = "https://web.archive.org/web/20110507000000/https://news.example.org/camp"
CAMP = (
    "Iraqi police raided Camp Ashraf on Tuesday. "
    "Camp Ashraf is situated 96 kilometres north of Baghdad near the town of Al Khalis. "
    "The camp was founded in 1986 and housed some 3,400 residents. "
    "Thirty-four residents were killed and 318 were injured, the camp's spokesman said."
)


@dataclass(frozen=True)
class SourceText:
    info: SourceInfo
    text: str
    live_text: str | None = None


def reference(ref: str = "1") -> Reference:
    return Reference(
        id=ref,
        url="https://news.example.org/camp",
        live=LiveCheck(status=LiveStatus.alive),
        archive=ArchiveResult(status=ArchiveStatus.found, snapshot_url=SNAPSHOT),
    )


def check(text: str, source: str = CAMP, live: str | None = None, refs: tuple[str, ...] = ("1",)) -> ClaimCheck:
    info = SourceInfo(status="fetched", origin="capture", url=SNAPSHOT, chars=len(source))
    sources = {ref: SourceText(info, source, live) for ref in refs}
    references = {ref: reference(ref) for ref in refs}
    return check_claim(Claim(id="c1", text=text, refs=list(refs), line=3), references, sources, network_ran=True)


def codes(result: ClaimCheck) -> list[str]:
    return [finding.code for finding in result.findings]


# --------------------------------------------------------------------------- passages for every verdict


@pytest.mark.parametrize(
    "text",
    [
        "Iraqi police raided Camp Ashraf.",  # sourced: nothing to test, passages still shown
        "Camp Ashraf lies 96 km north of Baghdad.",  # verified
        "Camp Ashraf lies 69 km north of Baghdad.",  # the source says otherwise
    ],
)
def test_every_verdict_comes_with_the_closest_passages(text: str) -> None:
    result = check(text)
    passages = [evidence for evidence in result.evidence if evidence.kind is EvidenceKind.passage]
    assert 1 <= len(passages) <= 3
    first = passages[0]
    assert first.passage is not None and first.passage.rank == 1 and first.status == "closest"
    assert first.detail.startswith("Closest passage in [1], sentence ")
    assert first.url == SNAPSHOT and first.passage.text_fragment is not None
    assert CAMP[first.passage.start : first.passage.end].split()[0] in (first.excerpt or "")


def test_similarity_alone_never_verifies() -> None:
    # The claim is the negation of the source's sentence: the passage is shown, the verdict stays "sourced".
    result = check("Iraqi police did not raid Camp Ashraf on Tuesday.")
    assert result.verdict == "sourced"
    assert any(evidence.kind is EvidenceKind.passage for evidence in result.evidence)


# --------------------------------------------------------------------------- the source says something else


def test_a_figure_the_best_passage_gives_differently_is_cc504() -> None:
    result = check("Camp Ashraf lies 69 km north of Baghdad.")
    assert codes(result) == ["CC504"]
    (finding,) = result.findings
    assert "“69 km”" in finding.message and "“96 kilometres”" in finding.message
    assert finding.ref == "1" and finding.claim == "c1" and finding.severity.value == "warning"
    assert result.verdict == "unsupported"


@pytest.mark.parametrize(
    "text",
    [
        "Camp Ashraf lies 60 miles north of Baghdad.",  # the same distance in miles
        "Camp Ashraf lies about 100 km north of Baghdad.",  # a hedge within 10 %
        "The camp was founded in 1986.",  # the same figure
        "Thirty-four residents were killed.",
    ],
)
def test_negative_controls_raise_nothing(text: str) -> None:
    result = check(text)
    assert codes(result) == [], result.findings
    assert result.verdict == "verified"


def test_a_figure_about_another_thing_is_not_called_different() -> None:
    # The passage gives a count of residents, not of soldiers: a miss (CC502), never "the source says 3,400".
    result = check("Camp Ashraf housed some 2,000 soldiers near Baghdad.")
    assert "CC504" not in codes(result)
    result = check("Camp Ashraf was guarded by 2,000 soldiers.")
    assert codes(result) in (["CC502"], ["CC502", "CC505"])


def test_small_figures_count_only_inside_the_passages_and_never_contradict() -> None:
    source = CAMP + " Two journalists later visited the town of Al Khalis."
    # "two" is in a passage about it: it counts.
    assert check("Two journalists visited Al Khalis.", source).verdict == "verified"
    # "three" is nowhere: shown, not counted, no CC502 and no CC504.
    result = check("Three journalists visited Al Khalis.", source)
    assert result.verdict == "sourced" and codes(result) == []
    (figure,) = [evidence for evidence in result.evidence if evidence.kind is EvidenceKind.figure]
    assert figure.status == "not-found" and "shown, not counted" in figure.detail


def test_a_zero_found_somewhere_is_not_evidence() -> None:
    source = CAMP + " Scores: 0 to 3 in the final of the local football cup."
    result = check("No one was hurt at Camp Ashraf.", source)
    assert result.verdict == "sourced" and codes(result) == []


# --------------------------------------------------------------------------- names, check by hand


def test_a_name_no_source_contains_is_evidence_not_a_finding() -> None:
    result = check("Camp Ashraf lies north of Baghdad, Maryam Rajavi said.")
    (name,) = [evidence for evidence in result.evidence if evidence.kind is EvidenceKind.name]
    assert name.claimed == "Maryam Rajavi" and name.status == "not-found"
    assert not [finding for finding in result.findings if "Rajavi" in finding.message]
    assert claim_names("Additional new operas premiered in Vienna.") == ["Vienna"]


def test_no_passage_covering_most_of_the_claim_is_a_check_by_hand_note() -> None:
    result = check("The Olympic committee chose Madrid after a long vote among delegates from Camp Ashraf.")
    assert "CC505" in codes(result)
    (note,) = [finding for finding in result.findings if finding.code == "CC505"]
    assert note.severity.value == "info" and "check by hand" in note.message
    assert result.verdict == "sourced"  # no verdict change


# --------------------------------------------------------------------------- drift that matters


def test_a_cited_figure_changed_on_the_live_page_is_cc207() -> None:
    live = CAMP.replace("96 kilometres", "69 kilometres")
    result = check("Camp Ashraf lies 96 km north of Baghdad.", live=live)
    (drift,) = [finding for finding in result.findings if finding.code == "CC207"]
    assert "“96 kilometres”" in drift.message and "“69 kilometres”" in drift.message
    assert result.verdict == "verified"  # the claim is checked against the capture


def test_edits_elsewhere_on_the_live_page_are_not_drift() -> None:
    live = "Breaking: new talks planned. " + CAMP.replace("on Tuesday", "on Tuesday morning") + " More to follow."
    for text in ("Camp Ashraf lies 96 km north of Baghdad.", "Iraqi police raided Camp Ashraf."):
        assert "CC207" not in codes(check(text, live=live))


def test_a_claims_passage_gone_from_the_live_page_is_cc207() -> None:
    live = "Our summer sale starts today with discounts on garden furniture and grills."
    result = check("Iraqi police raided Camp Ashraf on Tuesday.", live=live)
    (drift,) = [finding for finding in result.findings if finding.code == "CC207"]
    assert "no longer on the live page" in drift.message


# --------------------------------------------------------------------------- bad input


def test_a_ten_megabyte_source_is_searched_up_to_the_cap_in_bounded_time() -> None:
    filler = "Unrelated sentences about the weather fill this page. " * 190_000  # ~10 MB
    source = CAMP + " " + filler + " The camp lies 77 km from the border."
    started = time.process_time()
    result = check("Camp Ashraf lies 77 km from the border.", source)
    assert time.process_time() - started < 60  # bounded: the first 2,000,000 characters only
    assert any("only the first 2,000,000 characters" in evidence.detail for evidence in result.evidence)
    assert "CC502" not in codes(result)  # what lies beyond the cap is not called missing
    assert result.verdict == "not-checked"  # … nor is the claim unsupported


@pytest.mark.parametrize(
    "text", ["Ashraf", "1986", "?", "东京是日本的首都。", "Камп Ашраф находится к северу от Багдада."]
)
def test_odd_claims_get_an_answer(text: str) -> None:
    result = check(text, CAMP + " 东京是日本的首都。")
    assert result.verdict in ("sourced", "verified", "partially-verified", "unsupported")


def test_reports_with_claim_evidence_validate_against_the_schema() -> None:
    import json

    import jsonschema

    from citecheck.models import DocumentInfo, DocumentReport
    from citecheck.reports.writer import report_json, report_schema

    result = check("Camp Ashraf lies 69 km north of Baghdad.", live=CAMP.replace("96", "69"))
    claim = Claim(id="c1", text="Camp Ashraf lies 69 km north of Baghdad.", refs=["1"], verdict=result.verdict)
    claim.evidence += result.evidence
    report = DocumentReport(
        document=DocumentInfo(path="a.md", format="markdown"),
        references=[reference()],
        claims=[claim],
        findings=result.findings,
    )
    schema = report_schema()
    assert {"CC504", "CC505"} <= set(schema["$defs"]["Finding"]["properties"]["code"]["enum"])
    assert "passage" in schema["$defs"]["EvidenceKind"]["enum"]
    jsonschema.validate(json.loads(report_json(report)), schema)

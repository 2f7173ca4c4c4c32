"""Claim verdicts, evidence and CC501/CC502 from source texts (issue 5 §3–§5)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from citecheck.checks.catalogue import RULES
from citecheck.checks.integrity import ClaimCheck, check_claim, claim_verdict
from citecheck.checks.provenance import VERDICTS, reference_readiness
from citecheck.claims.build import build_claims
from citecheck.dates import parse_date
from citecheck.documents import read_document
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    Claim,
    LiveCheck,
    LiveStatus,
    Reference,
    SourceInfo,
)

SNAPSHOT = "https://web.archive.org/web/20090730000000/https://news.example.org/ashraf"
LIVE_URL = "https://news.example.org/raid"
SOURCE_TEXT = (
    "Iraqi police raided Camp Ashraf on Tuesday. Thirty-four residents were killed, "
    "according to the camp's spokesman, who called the raid “a massacre of unarmed people”. "
    "The camp lies 60 km north of Baghdad. The government said it would restore order in the camp."
)


@dataclass(frozen=True)
class SourceText:
    info: SourceInfo
    text: str
    live_text: str | None = None


def _archived(ref: str = "1") -> Reference:
    return Reference(
        id=ref,
        title="Raid on Ashraf",
        url="https://news.example.org/ashraf",
        date=parse_date("29 July 2009"),
        live=LiveCheck(status=LiveStatus.dead, http_status=404),
        archive=ArchiveResult(status=ArchiveStatus.found, snapshot_url=SNAPSHOT),
    )


def _live(ref: str = "2") -> Reference:
    return Reference(id=ref, title="Live page", url=LIVE_URL, live=LiveCheck(status=LiveStatus.alive))


def _lost(ref: str = "3") -> Reference:
    return Reference(
        id=ref,
        title="Gone",
        url="https://gone.example.org/x",
        live=LiveCheck(status=LiveStatus.dead, http_status=410),
        archive=ArchiveResult(status=ArchiveStatus.none),
    )


def _no_url(ref: str = "4") -> Reference:
    return Reference(id=ref, title="A printed report", work="Agence France-Presse")


def _read(text: str = SOURCE_TEXT, url: str = SNAPSHOT) -> SourceText:
    return SourceText(info=SourceInfo(status="fetched", origin="capture", url=url, chars=len(text)), text=text)


def _claim(text: str, refs: list[str]) -> Claim:
    return Claim(id="c1", text=text, refs=refs, line=7)


def _check(
    text: str,
    references: list[Reference],
    sources: dict[str, SourceText] | None = None,
    network_ran: bool = True,
) -> ClaimCheck:
    by_id = {reference.id: reference for reference in references}
    return check_claim(_claim(text, list(by_id)), by_id, sources or {}, network_ran)


QUOTED = "The spokesman called it “a massacre of unarmed people” after the raid."
INVENTED = "The spokesman called it “a peaceful operation by the police” after the raid."


def test_rules_for_quote_and_figure_findings_exist() -> None:
    assert RULES["CC501"].name == "quote-not-found"
    assert RULES["CC502"].name == "figure-not-found"


def test_uncited() -> None:
    assert _check(QUOTED, []).verdict == "uncited"
    # A reference id the document does not define cites nothing.
    check = check_claim(_claim(QUOTED, ["9"]), {}, {}, network_ran=True)
    assert check.verdict == "uncited"


def test_verified_when_the_read_source_holds_every_quote_and_figure() -> None:
    check = _check(
        "Thirty-four residents died; one called it “a massacre of unarmed people”.", [_archived()], {"1": _read()}
    )
    assert check.verdict == "verified"
    assert check.findings == []
    by_kind = {evidence.kind: evidence for evidence in check.evidence}
    assert by_kind["quote"].status == "found"
    assert by_kind["quote"].url == SNAPSHOT
    assert by_kind["quote"].excerpt == "a massacre of unarmed people"
    assert by_kind["figure"].status in ("found", "near")
    assert by_kind["figure"].ref == "1"


def test_near_quote_still_verifies_and_shows_the_sources_wording() -> None:
    check = _check("He called it “a massacre of the unarmed people” on Tuesday.", [_archived()], {"1": _read()})
    assert check.verdict == "verified"
    (quote,) = [evidence for evidence in check.evidence if evidence.kind == "quote"]
    assert quote.status == "near"
    assert quote.excerpt is not None and "unarmed people" in quote.excerpt


def test_partially_verified_raises_cc502_for_the_missing_figure() -> None:
    check = _check(
        "He called it “a massacre of unarmed people”; 52 villagers drowned in the flood.", [_archived()], {"1": _read()}
    )
    assert check.verdict == "partially-verified"
    assert [(finding.code, finding.ref, finding.claim, finding.line) for finding in check.findings] == [
        ("CC502", "1", "c1", 7)
    ]
    assert "52" in check.findings[0].message


def test_a_figure_the_closest_passage_gives_differently_is_cc504_not_cc502() -> None:
    check = _check(
        "He called it “a massacre of unarmed people”; 52 residents were killed.", [_archived()], {"1": _read()}
    )
    assert check.verdict == "partially-verified"
    assert [(finding.code, finding.ref, finding.claim) for finding in check.findings] == [("CC504", "1", "c1")]
    assert "“52”" in check.findings[0].message and "“Thirty-four”" in check.findings[0].message
    (differs,) = [evidence for evidence in check.evidence if evidence.status == "differs"]
    assert (differs.kind, differs.claimed, differs.source_says) == ("figure", "52", "Thirty-four")
    assert differs.passage is not None and differs.passage.sentence == 2


def test_unsupported_raises_cc501_when_nothing_is_found() -> None:
    check = _check(INVENTED, [_archived()], {"1": _read()})
    assert check.verdict == "unsupported"
    assert [finding.code for finding in check.findings] == ["CC501"]
    assert "a peaceful operation" in check.findings[0].message
    (quote,) = [evidence for evidence in check.evidence if evidence.kind == "quote"]
    assert quote.status == "not-found" and quote.url == SNAPSHOT


def test_unsupported_only_when_every_source_that_could_hold_it_was_read() -> None:
    # A second source is live but its text was not read: it might hold the quote.
    check = _check(INVENTED, [_archived(), _live()], {"1": _read()})
    assert check.verdict == "not-checked"
    assert check.findings == []
    assert any(evidence.kind == "source" and evidence.ref == "2" for evidence in check.evidence)
    # A lost second source cannot hold anything: the read one decides.
    assert _check(INVENTED, [_archived(), _lost()], {"1": _read()}).verdict == "unsupported"


def test_found_in_any_of_several_read_sources() -> None:
    other = _read("Nothing relevant is said here about anything at all.", url=LIVE_URL)
    check = _check(QUOTED, [_live(), _archived()], {"2": other, "1": _read()})
    assert check.verdict == "verified"
    (quote,) = [evidence for evidence in check.evidence if evidence.kind == "quote"]
    assert quote.ref == "1" and quote.url == SNAPSHOT


def test_sourced_when_there_is_nothing_to_test() -> None:
    plain = "Iraqi police raided the camp."
    check = _check(plain, [_live()])
    assert check.verdict == "sourced"
    (evidence,) = check.evidence
    assert evidence.kind == "source" and "only the source's survival was checked" in evidence.detail
    assert evidence.url == LIVE_URL
    assert _check(plain, [_archived()], {"1": _read()}).verdict == "sourced"
    assert _check(plain, [_archived()]).evidence[0].url == SNAPSHOT


def test_reachable_source_without_text_leaves_quotes_not_checked() -> None:
    unavailable = SourceText(info=SourceInfo(status="unavailable", reason="capture is a PDF"), text="")
    check = _check(QUOTED, [_archived()], {"1": unavailable})
    assert check.verdict == "not-checked"
    assert check.findings == []
    assert any("capture is a PDF" in evidence.detail for evidence in check.evidence)


def test_source_lost_and_unresolvable() -> None:
    assert _check(QUOTED, [_lost()]).verdict == "source-lost"
    assert _check(QUOTED, [_lost(), _no_url()]).verdict == "source-lost"
    assert _check(QUOTED, [_no_url()]).verdict == "unresolvable"
    with_candidate = _no_url().model_copy(update={"candidates": [Candidate(url="https://x.example/a", score=0.8)]})
    assert _check(QUOTED, [with_candidate]).verdict == "not-checked"
    # An inconclusive live check is neither lost nor reachable.
    unreachable = _lost().model_copy(
        update={"live": LiveCheck(status=LiveStatus.unreachable), "archive": ArchiveResult()}
    )
    assert _check(QUOTED, [unreachable]).verdict == "not-checked"


def _unanswered(reference: Reference) -> Reference:
    """The reference as an offline run with an empty store sees it: no live check, no archive answer."""
    return reference.model_copy(update={"live": LiveCheck(), "archive": ArchiveResult()})


@pytest.mark.parametrize("text", [QUOTED, INVENTED, "Iraqi police raided the camp.", "Some 52 residents were killed."])
@pytest.mark.parametrize(
    "reference", [_archived(), _live(), _lost(), _no_url()], ids=["archived", "live", "lost", "no-url"]
)
def test_offline_with_an_empty_cache_is_never_unsupported(text: str, reference: Reference) -> None:
    check = _check(text, [_unanswered(reference)], {}, network_ran=False)
    assert check.verdict == "not-checked"
    assert check.findings == []
    if text in (QUOTED, INVENTED):
        assert [evidence.detail for evidence in check.evidence] == [
            "not compared with the claim's quotes/figures: offline, and no source text in the cache"
        ]


def test_reference_readiness_offline_uses_remembered_answers() -> None:
    assert reference_readiness(_lost(), text_read=False, network_ran=False) == "lost"
    assert reference_readiness(_live(), text_read=False, network_ran=False) == "reachable"
    assert reference_readiness(_archived(), text_read=False, network_ran=False) == "reachable"
    assert reference_readiness(_unanswered(_lost()), text_read=False, network_ran=False) == "unknown"
    # Remembered dead, but the archive was never asked: a capture may exist.
    dead_unasked = _lost().model_copy(update={"archive": ArchiveResult()})
    assert reference_readiness(dead_unasked, text_read=False, network_ran=False) == "unknown"
    # Discovery did not run offline: a reference without a URL may still be found.
    assert reference_readiness(_no_url(), text_read=False, network_ran=False) == "unknown"
    assert reference_readiness(_no_url(), text_read=False, network_ran=True) == "unresolvable"
    assert reference_readiness(_unanswered(_lost()), text_read=True, network_ran=False) == "read"


def test_offline_remembered_answers_give_the_online_verdicts() -> None:
    for text in (QUOTED, "Iraqi police raided the camp."):
        online, offline = _check(text, [_lost()]), _check(text, [_lost()], network_ran=False)
        assert online.verdict == offline.verdict == "source-lost"
        assert offline.findings == []
        assert [(evidence.ref, evidence.status) for evidence in offline.evidence] == [("3", "lost")]
    assert _check("Iraqi police raided the camp.", [_live()], network_ran=False).verdict == "sourced"
    # Reachable but unread: quotes stay unchecked, never unsupported.
    assert _check(INVENTED, [_archived()], network_ran=False).verdict == "not-checked"
    assert _check(INVENTED, [_archived()], network_ran=False).findings == []
    # A read source and a remembered-lost one: the read text decides, as online.
    check = _check(INVENTED, [_archived(), _lost()], {"1": _read()}, network_ran=False)
    assert (check.verdict, [finding.code for finding in check.findings]) == ("unsupported", ["CC501"])


def test_offline_lost_with_an_unknown_source_is_not_checked() -> None:
    # Online a URL-less reference is unresolvable, so lost + no-URL is source-lost; offline discovery did not run.
    assert _check(QUOTED, [_lost(), _no_url()]).verdict == "source-lost"
    assert _check(QUOTED, [_lost(), _no_url()], network_ran=False).verdict == "not-checked"
    assert _check(QUOTED, [_lost(), _unanswered(_live())], network_ran=False).verdict == "not-checked"


def test_offline_with_cached_text_still_verifies() -> None:
    offline_reference = _archived().model_copy(update={"live": LiveCheck(), "archive": ArchiveResult()})
    assert _check(QUOTED, [offline_reference], {"1": _read()}, network_ran=False).verdict == "verified"
    # Unread references offline may still hold the quote: no unsupported, no finding.
    check = _check(INVENTED, [offline_reference, _no_url()], {"1": _read()}, network_ran=False)
    assert (check.verdict, check.findings) == ("not-checked", [])


def test_short_scare_quotes_are_shown_but_do_not_decide() -> None:
    check = _check("The government called them “terrorists” before the raid.", [_archived()], {"1": _read()})
    assert check.verdict == "sourced"
    assert check.findings == []
    (quote,) = [evidence for evidence in check.evidence if evidence.kind == "quote"]
    assert quote.status == "not-found" and "short" in quote.detail


def test_dates_restating_the_sources_date_are_not_tested() -> None:
    # The reference is dated 29 July 2009: the date says when, not what.
    check = _check(
        "On 29 July 2009, the spokesman called it “a massacre of unarmed people”.", [_archived()], {"1": _read()}
    )
    assert check.verdict == "verified"
    assert [evidence.kind for evidence in check.evidence if evidence.kind != "passage"] == ["quote"]
    # Another date is a claim of its own, and this source does not state it.
    check = _check(
        "On 3 March 2011, the spokesman called it “a massacre of unarmed people”.", [_archived()], {"1": _read()}
    )
    assert check.verdict == "partially-verified"
    assert [finding.code for finding in check.findings] == ["CC502"]


def test_figures_inside_a_quote_are_covered_by_the_quote() -> None:
    text = "The spokesman said “the camp lies 60 km north of Baghdad” in a statement."
    check = _check(text, [_archived()], {"1": _read()})
    assert check.verdict == "verified"
    assert [evidence.kind for evidence in check.evidence if evidence.kind != "passage"] == ["quote"]


def test_claim_verdict_keeps_the_source_only_scheme_without_texts() -> None:
    references = {reference.id: reference for reference in [_archived(), _lost(), _no_url()]}
    assert claim_verdict(_claim("The camp was raided.", ["1", "3"]), references, network_ran=True) == "sourced"
    assert claim_verdict(_claim(QUOTED, ["1"]), references, network_ran=True) == "not-checked"
    assert claim_verdict(_claim(QUOTED, ["3"]), references, network_ran=True) == "source-lost"
    assert claim_verdict(_claim(QUOTED, ["4"]), references, network_ran=False) == "not-checked"
    assert claim_verdict(_claim(QUOTED, ["1"]), references, True, {"1": _read()}) == "verified"


# --------------------------------------------------------------------------- real documents


def test_seed_claims_offline_are_uncited_or_not_checked(seeds_dir: Path) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        document = read_document(path)
        references = {reference.id: reference for reference in document.references}
        for claim in build_claims(document).claims:
            check = check_claim(claim, references, {}, network_ran=False)
            assert check.verdict in ("uncited", "not-checked"), claim.text
            assert check.findings == []


def test_seed_quotes_verify_against_a_source_that_holds_them(seeds_dir: Path) -> None:
    """Each seed's body serves as the source of its own citations: every quote is found, none raises CC501."""
    verdicts: Counter[str] = Counter()
    quotes_checked = 0
    for path in sorted(seeds_dir.glob("*.txt")):
        document = read_document(path)
        body = "\n".join(paragraph.text for section in document.sections for paragraph in section.paragraphs)
        references = {reference.id: reference for reference in document.references}
        sources = {ref: _read(body, url=f"file://{path.name}") for ref in references}
        for claim in build_claims(document).claims:
            check = check_claim(claim, references, sources, network_ran=True)
            verdicts[check.verdict] += 1
            assert check.verdict in VERDICTS
            assert not [finding for finding in check.findings if finding.code == "CC501"], claim.text
            quotes = [evidence for evidence in check.evidence if evidence.kind == "quote"]
            assert all(evidence.status == "found" for evidence in quotes), claim.text
            quotes_checked += len(quotes)
    assert quotes_checked >= 5
    assert verdicts["verified"] >= 3
    assert verdicts["uncited"] > 0

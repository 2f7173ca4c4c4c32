"""Finding quoted passages in claims and matching them against source texts."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from citecheck.claims.build import build_claims
from citecheck.claims.quotes import Quote, QuoteMatch, find_quotes, match_quote, normalize_for_matching
from citecheck.documents import read_document

SOURCE = (
    "BAGHDAD — Officials said on Tuesday that the camp — home to 3,400 people — will be closed by June. "
    "The minister called the raid “a disgrace to the nation” and demanded an inquiry. "
    "Residents said they would not leave the camp without guarantees of their safety.\n\n"
    "A spokesman, speaking in Geneva, added that the United Nations had not been informed in advance."
)


def _texts(claim_text: str) -> list[str]:
    return [quote.text for quote in find_quotes(claim_text)]


def _match(quote_text: str, source: str = SOURCE) -> QuoteMatch:
    quotes = find_quotes(f"He said “{quote_text}” then.")
    assert len(quotes) >= 1, quote_text
    return match_quote(quotes[0], source)


# --------------------------------------------------------------------------- find_quotes


def test_straight_and_curly_double_quotes() -> None:
    claim = 'He called it “a disgrace to the nation” and said "we will not leave" twice.'
    quotes = find_quotes(claim)
    assert [quote.text for quote in quotes] == ["a disgrace to the nation", "we will not leave"]
    assert all(claim[quote.start : quote.end] == quote.text for quote in quotes)
    assert {quote.style for quote in quotes} == {"double"}


def test_single_quotes_only_when_they_quote() -> None:
    assert _texts("Iran's envoy called it 'a crime against humanity' on Monday.") == ["a crime against humanity"]
    assert _texts("The ministers’ meeting didn’t end; the students’ union objected.") == []
    assert _texts("In the '90s and in rock 'n' roll nobody quotes.") == []
    # A plural possessive inside the quotation does not end it.
    assert _texts("They chanted ‘the students’ union will not be silenced’ outside.") == [
        "the students’ union will not be silenced"
    ]


def test_nested_quotes_outer_first() -> None:
    claim = "“The minister called it ‘a disgrace to the nation’ yesterday,” the envoy said."
    outer, inner = find_quotes(claim)
    assert outer.depth == 0 and outer.style == "double"
    assert outer.text.startswith("The minister") and outer.text.endswith("yesterday,")
    assert inner.depth == 1 and inner.style == "single" and inner.text == "a disgrace to the nation"
    assert outer.start < inner.start < inner.end < outer.end


def test_single_word_scare_quotes_are_kept_but_short() -> None:
    quotes = find_quotes("The so-called “terrorist” label and the 'protected persons' status.")
    assert [(quote.text, quote.short) for quote in quotes] == [("terrorist", True), ("protected persons", False)]


def test_unclosed_quote_is_ignored() -> None:
    assert find_quotes("He said “we will return and never stopped talking.") == []


# --------------------------------------------------------------------------- normalization


def test_normalization_unifies_case_space_dashes_and_marks() -> None:
    assert normalize_for_matching("The  Camp —\n home “to”   3,400") == normalize_for_matching("the camp-home to 3,400")
    assert normalize_for_matching("ﬁnal ＡＢＣ") == "final abc"  # NFKC: ligature and full-width letters
    assert normalize_for_matching("Iran’s") == normalize_for_matching("Iran's")


def test_decomposed_accents_and_guillemets() -> None:
    (quote,) = find_quotes("Il a dit « café noir et thé vert » hier.")
    assert quote.text == "café noir et thé vert"
    decomposed_source = "Le ministre a dit : cafe\u0301 noir et the\u0301 vert, toujours."
    result = match_quote(quote, decomposed_source)
    assert result.status == "found"
    assert result.excerpt == "cafe\u0301 noir et the\u0301 vert"


# --------------------------------------------------------------------------- match_quote


def test_curly_quote_found_in_straight_source_and_back() -> None:
    straight_source = SOURCE.replace("“", '"').replace("”", '"')
    nested = find_quotes("“The minister called the raid ‘a disgrace to the nation’ and demanded an inquiry,” he wrote.")
    for source in (SOURCE, straight_source):
        result = match_quote(nested[0], source)
        assert result.status == "found"
        assert result.excerpt is not None and result.excerpt.startswith("The minister called the raid")


def test_case_and_whitespace_differences_are_found() -> None:
    result = _match("RESIDENTS   said they would\nnot leave the camp")
    assert result.status == "found"
    assert result.excerpt == "Residents said they would not leave the camp"


def test_dash_variants_are_found() -> None:
    assert _match("the camp - home to 3,400 people - will be closed by June").status == "found"
    assert _match("the camp -- home to 3,400 people -- will be closed").status == "found"


@pytest.mark.parametrize("elision", ["[…]", "[...]", "...", "…", ". . ."])
def test_elisions_split_the_quote_into_ordered_fragments(elision: str) -> None:
    result = _match(f"the camp {elision} will be closed by June")
    assert result.status == "found"
    assert result.excerpt == "the camp — home to 3,400 people — will be closed by June"


def test_elided_fragments_must_keep_their_order() -> None:
    assert _match("will be closed by June [...] Officials said on Tuesday").status == "not-found"


def test_elided_fragments_must_lie_within_the_window() -> None:
    far_source = "The camp stood empty. " + "Unrelated filler words here. " * 200 + "It will be closed by June."
    assert _match("The camp [...] will be closed by June", far_source).status == "not-found"
    near_source = "The camp stood empty. Unrelated filler. It will be closed by June."
    assert _match("The camp [...] will be closed by June", near_source).status == "found"


def test_bracketed_insertions_match_a_short_phrase() -> None:
    result = _match("[The residents] said they would not leave [Ashraf] without guarantees")
    assert result.status == "found"
    assert result.excerpt is not None and "leave the camp without guarantees" in result.excerpt
    # An insertion stands for a short phrase, not for a paragraph.
    assert _match("Officials said [nothing] about an inquiry").status == "not-found"


def test_sic_matches_nothing() -> None:
    assert _match("the United Nations [sic] had not been informed").status == "found"


def test_small_differences_are_near_with_the_sources_wording() -> None:
    result = _match("Residents said they would never leave the camp without guarantees of safety")
    assert result.status == "near"
    assert result.excerpt is not None
    assert "would not leave the camp" in result.excerpt
    assert result.excerpt in SOURCE
    assert 85 <= result.score < 100


def test_near_across_an_elision() -> None:
    result = _match(
        "The minister called the raid a disgrace to this nation [...] the United Nations has not been informed"
    )
    assert result.status == "near"
    assert result.excerpt is not None and result.excerpt.startswith("The minister called the raid")


def test_words_not_in_the_source_are_not_found() -> None:
    result = _match("the camp will stay open for another decade at least")
    assert result == QuoteMatch(quote=result.quote, status="not-found")
    assert _match("Residents claimed they had no intention of ever going").status == "not-found"


def test_short_quotes_need_the_whole_word() -> None:
    assert _match("disgrace").status == "found"
    assert _match("disgraced").status == "not-found"  # short quotes are never fuzzily matched
    assert _match("disgr").status == "not-found"


def test_empty_source_finds_nothing() -> None:
    assert _match("a disgrace to the nation", "").status == "not-found"


# --------------------------------------------------------------------------- real documents


def _seed_quotes(seeds_dir: Path) -> list[tuple[Quote, str]]:
    """Every passage-length outer quote in the seeds' claims, with the document text it came from."""
    pairs: list[tuple[Quote, str]] = []
    for path in sorted(seeds_dir.glob("*.txt")):
        document = read_document(path)
        body = "\n".join(paragraph.text for section in document.sections for paragraph in section.paragraphs)
        for claim in build_claims(document).claims:
            pairs += [(quote, body) for quote in find_quotes(claim.text) if quote.depth == 0 and not quote.short]
    return pairs


def test_seed_quotes_are_found_in_their_own_documents(seeds_dir: Path) -> None:
    pairs = _seed_quotes(seeds_dir)
    assert len(pairs) >= 5
    for quote, body in pairs:
        result = match_quote(quote, body)
        assert result.status == "found", quote.text


def test_seed_quotes_with_one_word_changed_are_near(seeds_dir: Path) -> None:
    checked = 0
    for quote, body in _seed_quotes(seeds_dir):
        words = quote.text.split()
        if len(words) < 8 or any(mark in quote.text for mark in "[…"):
            continue
        index = len(words) // 2
        words[index] = "zqxj"
        result = match_quote(Quote(" ".join(words), 0, 0, "double"), body)
        assert result.status == "near", quote.text
        assert result.excerpt is not None and words[index - 1].strip(",.").lower() in result.excerpt.lower()
        checked += 1
    assert checked >= 3


def test_fast_on_a_large_real_source(wikipedia_samples_dir: Path) -> None:
    source = (wikipedia_samples_dir / "enwiki_Toronto.wikitext.txt").read_text(encoding="utf-8")
    assert len(source) > 100_000
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", source) if 60 <= len(s) <= 200 and "|" not in s][:60]
    quotes = [Quote(sentence, 0, 0, "double") for sentence in sentences]
    # Every third is altered (near) and every third replaced with words the source never uses (not found).
    altered = [
        Quote(quote.text.replace(" the ", " a ", 1), 0, 0, "double") if i % 3 == 1 else quote
        for i, quote in enumerate(quotes)
    ]
    altered = [Quote("qq zz " * 10, 0, 0, "double") if i % 3 == 2 else quote for i, quote in enumerate(altered)]
    match_quote(altered[0], source)  # index the source once, as a run over many claims would
    began = time.perf_counter()
    results = [match_quote(quote, source) for quote in altered]
    per_quote = (time.perf_counter() - began) / len(altered)
    assert per_quote < 0.05, f"{per_quote * 1000:.1f} ms per quote"
    statuses = [result.status for result in results]
    assert statuses[0::3].count("found") == len(statuses[0::3])
    assert all(status == "not-found" for status in statuses[2::3])

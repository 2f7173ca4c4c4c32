"""Figures in claims: extraction (number words, separators, units, money) and matching in a source."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest

from citecheck.claims.figures import Figure, extract_figures, key_terms, match_figure, rounding_step
from citecheck.documents import read_document


def only(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("thirty-four people", 34),
        ("twenty four hours ago it was", None),  # a duration: checked below
        ("two hundred villagers", 200),
        ("two hundred and fifty villagers", 250),
        ("a dozen houses", 12),
        ("three million voters", 3_000_000),
        ("1,200 voters", 1200),
        ("1 200 voters", 1200),
        ("1200 voters", 1200),
        ("3.5 voters", 3.5),
    ],
)
def test_counts_in_words_and_digits(text: str, value: float | None) -> None:
    figure = only(text)
    if value is None:
        assert figure.kind == "duration"
        assert figure.value == 24 * 3600
    else:
        assert figure.kind == "count"
        assert figure.value == value
        assert figure.unit is None
        assert text.startswith(figure.text)


def test_span_points_at_the_figure_as_written() -> None:
    text = "The camp housed some 3,400 residents."
    figure = only(text)
    assert text[figure.start : figure.end] == figure.text == "3,400"
    assert figure.approximate and figure.qualifier == "some"


def test_separate_words_stay_separate_figures() -> None:
    assert [f.value for f in extract_figures("three and four, then twenty-one")] == [3, 4, 21]


@pytest.mark.parametrize(
    ("text", "kind", "unit", "value"),
    [
        ("40 miles north", "distance", "m", 40 * 1609.344),
        ("60 km north", "distance", "m", 60_000),
        ("96 kilometers north", "distance", "m", 96_000),
        ("100 lb of flour", "weight", "kg", 45.359237),
        ("2.5 kg of flour", "weight", "kg", 2.5),
        ("12% of voters", "percent", "percent", 12),
        ("12 per cent of voters", "percent", "percent", 12),
        ("US$3 million in aid", "money", "USD", 3e6),
        ("€5m in aid", "money", "EUR", 5e6),
        ("$1.2 billion in aid", "money", "USD", 1.2e9),
        ("400 hectares of land", "area", "m2", 4e6),
    ],
)
def test_units_are_normalized_to_base_units(text: str, kind: str, unit: str, value: float) -> None:
    figure = only(text)
    assert (figure.kind, figure.unit) == (kind, unit)
    assert math.isclose(figure.value, value)


def test_years_and_dates_are_their_own_kinds() -> None:
    figures = extract_figures("The raid of April 8, 2011 recalled the 1991 uprisings.")
    assert [(f.kind, f.text) for f in figures] == [("date", "April 8, 2011"), ("year", "1991")]


def test_reference_markers_and_names_are_not_figures() -> None:
    figures = extract_figures("Eight F-4 Phantoms flew in the 1980s.[3][12] Resolution G8 passed.")
    assert [f.text for f in figures] == ["Eight", "1980s"]  # a decade is a year figure


def test_hedges_mark_figures_approximate() -> None:
    figures = extract_figures("killing at least nine people and injuring about 400, more than 3,000 fled")
    assert [(f.value, f.qualifier) for f in figures] == [(9, "at least"), (400, "about"), (3000, "more than")]
    assert all(f.approximate for f in figures)
    assert not only("exactly 34 people").approximate


def test_zero_said_in_words() -> None:
    figure = only("there was not a single death among them")
    assert (figure.value, figure.kind, figure.text) == (0, "count", "not a single")


# --------------------------------------------------------------------------- matching


def test_same_figure_same_form_is_found() -> None:
    match = match_figure(only("34 people"), "A total of 34 people were killed and 318 injured.")
    assert match.status == "found"
    assert match.excerpt is not None and "34 people were killed" in match.excerpt


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("thirty-four people", "Officials said 34 people were killed."),
        ("34 people", "Officials said thirty-four people were killed."),
        ("60 km north", "The camp lies about 37 miles north of the city."),
        ("40 miles north", "The camp lies 64 kilometres north of the city."),
        ("12% of voters", "Turnout was 12 per cent."),
        ("about 400 wounded", "Doctors counted 412 wounded."),
        ("1,200 voters", "Some 1200 voters came."),
    ],
)
def test_other_form_unit_or_hedge_is_near(claim: str, source: str) -> None:
    assert match_figure(only(claim), source).status == "near"


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("34 people", "Iraqi authorities said only three people were killed."),
        ("thirty-four people", "The count reached 43 people."),
        ("96 km north", "The camp lies 40 miles north of the city."),
        ("400 wounded", "Doctors counted 412 wounded."),  # an exact figure gets no 10% leeway
        ("12% of voters", "12 voters came."),  # a count is not a percentage
        ("in 1991", "In 1992 the uprising began."),
    ],
)
def test_absent_figures_are_not_found(claim: str, source: str) -> None:
    match = match_figure(only(claim), source)
    assert match.status == "not-found"
    assert match.excerpt is None


def test_key_terms_choose_the_occurrence_near_the_subject() -> None:
    source = (
        "The harbour museum opened with 52 paintings on loan from the city. "
        + "Unrelated filler text about the weather and trains. " * 12
        + "At the Northgate mine, 52 workers were trapped underground for two days."
    )
    figure = only("52 workers")
    match = match_figure(figure, source, key_terms("52 workers were trapped in the Northgate mine"))
    assert match.status == "found"
    assert match.excerpt is not None and "Northgate mine" in match.excerpt
    assert not match.excerpt.startswith("(found away")


def test_match_away_from_key_terms_is_said_in_the_excerpt() -> None:
    source = "The harbour museum opened with 52 paintings on loan from the city."
    match = match_figure(only("52 workers"), source, key_terms("52 workers were trapped in the Northgate mine"))
    assert match.status == "found"
    assert match.excerpt is not None and match.excerpt.startswith("(found away from the claim's key terms)")


def test_key_terms_are_entities_and_content_words() -> None:
    terms = key_terms("Camp Ashraf is situated 96 kilometers north of Baghdad near the town of Al Khalis.[2]")
    assert terms[:3] == ["Camp Ashraf", "Baghdad", "Al Khalis"]
    assert "north" in terms and "town" in terms
    assert not {"is", "of", "the", "96", "2", "near"} & {term.lower() for term in terms}


# --------------------------------------------------------------------------- number words that compose


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Twelve thousand five hundred people were displaced", 12_500),
        ("two hundred thirty-four villagers", 234),
        ("one million two hundred thousand voters", 1_200_000),
        ("three thousand and one votes", 3001),
        ("a thousand and one nights", 1001),
        ("a hundred and five houses", 105),
        ("twelve hundred soldiers", 1200),
        ("two dozen houses", 24),
        ("ninety-nine homes", 99),
    ],
)
def test_number_words_compose_into_one_figure(text: str, value: float) -> None:
    figure = only(text)
    assert (figure.kind, figure.value) == ("count", value)
    assert text[figure.start : figure.end] == figure.text


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("three and four", [3, 4]),
        ("twelve five", [12, 5]),  # a tens word takes a following digit word; a teen does not
        ("seven eight nine", [7, 8, 9]),
        ("two thousands", [2]),  # "thousands" is not a scale word of this figure
    ],
)
def test_number_words_that_do_not_compose_stay_apart(text: str, values: list[float]) -> None:
    assert [figure.value for figure in extract_figures(text)] == values


def test_compound_number_words_match_digits_in_the_source() -> None:
    claim = only("Twelve thousand five hundred people were displaced.")
    assert match_figure(claim, "Officials estimated that 12500 people were displaced.").status == "near"
    assert match_figure(claim, "Officials estimated that 12000 people were displaced.").status == "not-found"


# --------------------------------------------------------------------------- halves


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("One and a half million people fled", 1_500_000),
        ("two and a half million people fled", 2_500_000),
        ("half a million people fled", 500_000),
        ("a half million people fled", 500_000),
        ("half a dozen houses", 6),
        ("three and a half thousand voters", 3500),
    ],
)
def test_halves_in_words(text: str, value: float) -> None:
    figure = only(text)
    assert (figure.kind, figure.value) == ("count", value)


def test_halves_with_units_and_their_rounding() -> None:
    assert (only("two and a half hours later").kind, only("two and a half hours later").value) == ("duration", 9000)
    assert rounding_step(only("one and a half million people")) == 500_000
    match = match_figure(only("One and a half million people fled."), "Aid agencies said 1.5 million people fled.")
    assert match.status == "near"
    assert match_figure(only("Two and a half million fled."), "Some 2 million fled.").status == "not-found"


# --------------------------------------------------------------------------- "m", "bn", "k" suffixes


@pytest.mark.parametrize(
    ("text", "kind", "unit", "value"),
    [
        ("About 1.5m people fled", "count", None, 1.5e6),
        ("1.5m Syrian refugees", "count", None, 1.5e6),
        ("5k voters", "count", None, 5000),
        ("2.3bn people", "count", None, 2.3e9),
        ("1.5m dollars in aid", "money", "USD", 1.5e6),
        ("$5k prize", "money", "USD", 5000),
        ("£2m grant", "money", "GBP", 2e6),
        ("a 1.5m wall", "distance", "m", 1.5),
        ("a 1.5m high wall", "distance", "m", 1.5),
        ("jumped 2m into the water", "distance", "m", 2),
    ],
)
def test_suffix_is_a_multiplier_only_before_a_count_noun_or_after_a_currency(
    text: str, kind: str, unit: str | None, value: float
) -> None:
    figure = only(text)
    assert (figure.kind, figure.unit) == (kind, unit)
    assert math.isclose(figure.value, value)


def test_a_lone_k_suffix_is_not_a_figure() -> None:
    assert extract_figures("She ran a 5k race.") == []


def test_million_suffix_matches_the_source() -> None:
    source = "Aid agencies said 1.5 million people fled the fighting in the south."
    assert match_figure(only("About 1.5m people fled."), source).status == "near"
    assert match_figure(only("About 2.5m people fled."), source).status == "not-found"


# --------------------------------------------------------------------------- year or count


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Election officials counted 1976 postal votes.", "count"),
        ("Police said 2000 people were killed.", "count"),
        ("In 1976 postal votes were introduced.", "year"),
        ("Since 1990 voters have been registered online.", "year"),
        ("The 1991 uprisings failed.", "year"),
        ("The 1976 Olympic athletes returned.", "year"),
        ("The bridge was finished by 1976.", "year"),
        ("The town had 1,976 voters.", "count"),
    ],
)
def test_year_or_count_is_read_from_context(text: str, kind: str) -> None:
    assert only(text).kind == kind


def test_year_and_count_of_the_same_value_match_each_other() -> None:
    # The claim's number is guessed a year (nothing says it counts); the source writes a count.
    year_figure = only("The total reached 1976.")
    assert year_figure.kind == "year"
    assert match_figure(year_figure, "Election officials counted 1,976 postal votes.").status == "near"
    count_figure = only("Officials counted 1976 postal votes.")
    assert match_figure(count_figure, "Officials counted 1,976 postal votes.").status == "found"
    assert match_figure(count_figure, "The postal votes of 1976 were lost.").status == "near"
    # An occurrence of the same kind wins over one of the other kind, key terms or not.
    both = "In 1976 the law changed. Years later 1976 postal votes were counted."
    match = match_figure(count_figure, both, ["law"])
    assert match.excerpt is not None and "postal votes were counted" in match.excerpt
    # Only exact values cross: a hedged count is no year.
    assert match_figure(only("about 2000 people"), "Elections were held in 2000.").status == "not-found"
    assert match_figure(only("in 1991"), "It had 1992 members.").status == "not-found"


# --------------------------------------------------------------------------- real text


def test_years_in_wikipedia_text_stay_years(wikipedia_samples_dir: Path) -> None:
    """Bare four-digit numbers after "in", "since" or "during" are years in real articles, and very few
    four-digit numbers in the year range read as counts."""
    cued_years = 0
    year_like = 0
    year_like_counts = 0
    for path in sorted(wikipedia_samples_dir.glob("enwiki_*")):
        document = read_document(path)
        body = "\n".join(paragraph.text for section in document.sections for paragraph in section.paragraphs)
        for figure in extract_figures(body):
            if not (re.fullmatch(r"\d{4}", figure.text) and 1500 <= figure.value <= 2199):
                continue
            year_like += 1
            year_like_counts += figure.kind == "count"
            if re.search(r"\b(?:in|since|during)\s+$", body[max(0, figure.start - 10) : figure.start], re.I):
                assert figure.kind == "year", body[figure.start - 40 : figure.end + 40]
                cued_years += 1
    assert cued_years >= 100
    assert year_like_counts <= year_like // 100


def test_number_words_in_wikipedia_text_are_whole_figures(wikipedia_samples_dir: Path) -> None:
    """No figure in words is split: a word figure is never followed, across a space, by another word figure."""
    word_figures = 0
    for path in sorted(wikipedia_samples_dir.glob("enwiki_*")):
        document = read_document(path)
        body = "\n".join(paragraph.text for section in document.sections for paragraph in section.paragraphs)
        figures = [figure for figure in extract_figures(body) if figure.kind == "count" and figure.text.isascii()]
        words = [figure for figure in figures if not re.search(r"\d", figure.text)]
        word_figures += len(words)
        for first, second in itertools.pairwise(words):
            assert not re.fullmatch(r"[\s-]+", body[first.end : second.start]), body[first.start : second.end]
    assert word_figures >= 50


@pytest.mark.parametrize(
    ("text", "rank"), [("the ſecond time", 2.0), ("the Twenty-FİRST century", 21.0), ("a ſixtieth", 60.0)]
)
def test_ordinal_words_written_with_letters_that_match_ascii_ones(text: str, rank: float) -> None:
    # A case-insensitive pattern matches "ſecond"; its lower case is not a key ("second"): this raised KeyError.
    ordinals = [figure for figure in extract_figures(text) if figure.kind == "ordinal"]
    assert [figure.value for figure in ordinals] == [rank]


def test_table_words_spelt_with_letters_re_equates_with_ascii_ones_do_not_crash() -> None:
    # Long s, the Kelvin sign and dotless/dotted I match s, k and i case-insensitively, so the patterns match
    # "kılometres" or "dollarſ" while their lower case is no key of the word tables (KeyError, the document's
    # checks lost).  Whether each then reads as the word is not asserted: "twenty bıllıon" is still no figure.
    from citecheck.claims import date_figures, figures

    tables = (figures._UNITS, figures._TENS, figures._SCALES, figures._ORDINAL_WORDS, figures._UNIT_TABLE)
    words = {word for table in (*tables, date_figures._MONTH_NAMES, date_figures._SEASONS) for word in table}
    for word in sorted(words):
        for ascii_letter, other in (("s", "ſ"), ("k", "\u212a"), ("i", "ı"), ("i", "İ")):
            if ascii_letter in word:
                variant = word.replace(ascii_letter, other)
                texts = (f"3 {variant} 2012", f"about 40 {variant}", f"twenty {variant}", f"{variant}-{variant} 2012")
                for text in texts:
                    extract_figures(text)
                    date_figures.find_date_spans(text)

"""Figures in claims: extraction (number words, separators, units, money) and matching in a source."""

from __future__ import annotations

import math

import pytest

from citecheck.claims.figures import Figure, extract_figures, key_terms, match_figure


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
    assert [f.text for f in figures] == ["Eight"]


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

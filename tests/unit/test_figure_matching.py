"""A figure and date matcher that never cries wolf (issue 14): every format, both directions, negative controls.

Each case is a claim's figure against a source's sentence: ``found`` (the same figure, or a source date
inside the claim's date), ``near`` (another form, unit or hedge; a figure meeting the claim's bound),
``compatible`` (the source is coarser or looser), ``not-found``; ``match`` where found or near will do.
"""

from __future__ import annotations

import pytest

from citecheck.claims.date_figures import find_date_spans
from citecheck.claims.figures import Figure, extract_figures, is_weak, match_figure


def claim_figure(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, [(figure.text, figure.kind) for figure in figures]
    return figures[0]


def status(claim: str, source: str) -> str:
    return match_figure(claim_figure(claim), source).status


# --------------------------------------------------------------------------- dates: the interval rule

DATE_CASES = [
    # a coarser date in the claim matches a finer one inside it
    ("It opened in 1987.", "It opened in March 1987.", "found"),
    ("It opened in June 2010.", "It opened on June 14, 2010.", "found"),
    ("She was elected in 2017.", "Originally published November 7, 2017 at 8:21 pm", "found"),
    ("She was elected in 2017.", "(meta data) PUBLISHED DATETIME: 2017-11-07 20:21:00", "found"),
    ("It was built in the 1980s.", "It was built in 1984.", "found"),
    ("It opened in fall 2016.", "It opened in September 2016.", "found"),
    ("The talks ran in May 2012.", "The talks ran from 3–9 May 2012.", "found"),
    # a finer date in the claim inside a coarser source date is compatible, not a miss
    ("It opened on 14 June 2010.", "It opened in June 2010.", "compatible"),
    ("It was built in 1984.", "It was built in the 1980s.", "compatible"),
    ("It opened in September 2016.", "It opened in fall 2016.", "compatible"),
    ("It was released on November 2, 2004.", "It hits stores on Election Day, November 2.", "compatible"),
    # ranges in both directions
    ("The talks ran 3–9 May 2012.", "The talks ran from 3 to 9 May 2012.", "found"),
    ("The talks ran May 3–9, 2012.", "The talks ran 3–9 May 2012.", "found"),
    ("The talks ran 3–9 May 2012.", "The talks began on 5 May 2012.", "compatible"),
    ("He served 1998–1999.", "He served from 1998 to 1999.", "found"),
    ("He served 1998–99.", "He served 1998–1999.", "found"),
    ("He served in 1998.", "He served 1998–1999.", "compatible"),
    ("He served 1998–1999.", "He was appointed in 1998.", "compatible"),
    ("The festival runs July 4–5.", "The festival runs July 4–5, 2019.", "found"),
    ("The festival opened July 4, 2019.", "The festival runs July 4–5.", "compatible"),
    ("The season was 2018–19.", "During the 2018/19 season", "found"),
    # abbreviated months, two-digit years, dotted and slashed dates
    ("It was signed on 3 Feb 21.", "It was signed on 3 February 2021.", "found"),
    ("It was signed on 3 February 2021.", "It was signed on 3 Feb 21.", "found"),
    ("It was announced on Dec. 12, 2018.", "Announced 12 December 2018.", "found"),
    ("The study began 2011.08.02.", "The study began on 2 August 2011.", "found"),
    ("The study began on 2 August 2011.", "The study began 2011.08.02.", "found"),
    ("It was filed on 2.8.2011.", "It was filed on 2 August 2011.", "found"),
    ("It was filed on 8/2/2011.", "It was filed on 2 August 2011.", "found"),  # month first
    ("It was filed on 8/2/2011.", "It was filed on 8 February 2011.", "found"),  # day first
    ("It was signed on 12 July.", "It was signed on 12 July 2018.", "found"),
    ("It was signed on 12 July 2018.", "It was signed on 12 July.", "compatible"),
    # words glued by extraction
    ("He played in 1990.", "World Cup: Italy1990—Germany won.", "found"),
    ("It was announced on December 12, 2018.", "December 12, 2018FILE - The Library of Congress", "found"),
    # negative controls: other dates are other dates
    ("It opened in 1991.", "It opened in 1992.", "not-found"),
    ("It opened on 14 June 2010.", "It opened on 15 June 2010.", "not-found"),
    ("It opened in June 2010.", "It opened in July 2010.", "not-found"),
    ("The talks ran 3–9 May 2012.", "The talks ran on 12 May 2012.", "not-found"),
    ("It was signed on 12 July.", "It was signed on 13 July 2018.", "not-found"),
    ("It was built in the 1980s.", "It was built in 1990.", "not-found"),
]


@pytest.mark.parametrize(("claim", "source", "expected"), DATE_CASES)
def test_dates_compare_as_intervals(claim: str, source: str, expected: str) -> None:
    assert status(claim, source) == expected


@pytest.mark.parametrize(
    "text",
    ["may 5", "On 3 May 15 people died.", "Thursday 18 October 15:30", "scored 3-2 in 1,990 minutes"],
)
def test_what_is_not_a_date_or_not_that_date(text: str) -> None:
    spans = {text[start:end] for start, end, _ in find_date_spans(text)}
    assert "may 5" not in spans and "May 15" not in spans
    assert not any(span.endswith(("15", "990")) for span in spans)


# --------------------------------------------------------------------------- ages, durations, ranges, words

NUMBER_CASES = [
    ("A 9-year-old boy was found.", "The boy was nine years old.", "match"),
    ("The boy was 9 years old.", "A 9-year-old boy was found.", "match"),
    ("She retired at 30, after the final.", "She retired at the age of 30.", "match"),
    ("She was aged 30.", "The 30-year-old retired.", "match"),
    ("The trial lasted seven years.", "After a seven-year trial", "near"),
    ("There were thirty-four delegations.", "34 delegations came.", "near"),
    ("There were 34 delegations.", "Thirty-four delegations came.", "near"),
    ("It spans 3–9 km of coast.", "It spans between 3 and 9 kilometres of coast.", "match"),
    ("Between four and eight people died.", "4–8 people died.", "match"),
    ("It cost $3–5 million.", "It cost between $3 million and $5 million.", "match"),
    ("Five people died.", "Between 4 and 8 people died.", "compatible"),
    ("The turnout was 41.3 %.", "Turnout: 41.3% of voters", "found"),
    ("It received €76.25\xa0million.", "€76.25 million was paid", "found"),
    ("The camp lies 60 km north.", "The camp lies about 37 miles north.", "near"),
    # negative controls
    ("A 9-year-old boy was found.", "The boy was 19 years old.", "not-found"),
    ("There were 34 delegations.", "There were 43 delegations.", "not-found"),
    ("Between four and eight people died.", "Ten people died.", "not-found"),
]


@pytest.mark.parametrize(("claim", "source", "expected"), NUMBER_CASES)
def test_ages_ranges_and_number_words(claim: str, source: str, expected: str) -> None:
    got = status(claim, source)
    assert got == expected or (expected == "match" and got in ("found", "near"))


# --------------------------------------------------------------------------- bounds are bounds

BOUND_CASES = [
    ("36 people were killed.", "At least 39 people were killed.", "not-found"),  # "at least 39" does not hold 36
    ("41 people were killed.", "At least 39 people were killed.", "compatible"),  # allowed, not shown
    ("At least 39 people were killed.", "41 people were killed.", "near"),  # the source meets the bound
    ("At least 39 people were killed.", "36 people were killed.", "not-found"),
    ("At least 36 people were killed.", "At least 39 people were killed.", "near"),  # a tighter bound says it too
    ("At least 39 people were killed.", "At least 39 people were killed.", "found"),
    ("More than 3,000 people fled.", "Some 3,412 people fled.", "near"),
    ("Up to 20 people were hurt.", "Twelve people were hurt.", "near"),
    ("Up to 20 people were hurt.", "Twenty-five people were hurt.", "not-found"),
    ("36 people were hurt.", "Up to 20 people were hurt.", "not-found"),
    # a hedge gets 10 % slack; a bound gets none
    ("About 400 were wounded.", "Doctors counted 412 wounded.", "near"),
    ("400 were wounded.", "Doctors counted about 412 wounded.", "near"),
    ("More than 400 were wounded.", "Doctors counted 390 wounded.", "not-found"),
]


@pytest.mark.parametrize(("claim", "source", "expected"), BOUND_CASES)
def test_bounds_are_compared_as_bounds(claim: str, source: str, expected: str) -> None:
    assert status(claim, source) == expected


# --------------------------------------------------------------------------- where it was found


def test_a_match_names_the_source_figure_and_where_it_stands() -> None:
    source = "The camp was founded in 1986. Camp Ashraf lies 96 kilometres north of Baghdad."
    match = match_figure(claim_figure("It lies 60 miles north of Baghdad."), source)
    assert match.status == "near" and match.source_figure is not None
    assert match.start is not None and match.end is not None
    assert source[match.start : match.end] == "96 kilometres"


def test_an_occurrence_inside_the_claims_passages_wins() -> None:
    source = "In 2009 the museum opened. " + "Filler about the weather. " * 20 + "In 2009 the bridge was closed."
    passage = (source.index("In 2009 the bridge"), len(source))
    match = match_figure(claim_figure("The bridge closed in 2009."), source, passages=[passage])
    assert match.in_passage and match.start is not None and match.start > passage[0]


@pytest.mark.parametrize(
    ("text", "weak"),
    [
        ("No one was hurt.", True),
        ("There were 3 of them.", True),
        ("two applicants", True),
        ("the 9th grade", True),
        ("one day later", True),
        ("34 people", False),
        ("in 2017", False),
        ("3 km", False),
        ("12% of voters", False),
    ],
)
def test_small_or_common_figures_are_weak(text: str, weak: bool) -> None:
    assert is_weak(claim_figure(text)) is weak

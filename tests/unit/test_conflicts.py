"""CC503: conflicting figures across small documents written here."""

from __future__ import annotations

import pytest

from citecheck.checks.conflicts import conflict_findings, find_conflicts
from citecheck.claims.build import build_claims
from citecheck.models import Claim, Marker, Paragraph, ParsedDocument, Reference, Section


def article(path: str, *paragraphs: str, outlet: str | None = None) -> tuple[ParsedDocument, list[Claim]]:
    """A one-section document whose every paragraph cites reference 1 (published by ``outlet``)."""
    references = [Reference(id="1", number=1, work=outlet)] if outlet else []
    body = [
        Paragraph(text=text, markers=[Marker(label="1", offset=len(text), ref_id="1")] if outlet else [])
        for text in paragraphs
    ]
    document = ParsedDocument(path=path, format="text", sections=[Section(paragraphs=body)], references=references)
    return document, build_claims(document).claims


def repost(path: str, posts: list[tuple[str, str, str]]) -> tuple[ParsedDocument, list[Claim]]:
    """A repost page: (headline, outlet, text) per post, each post attributed to its outlet."""
    sections = []
    references = []
    for number, (headline, outlet, text) in enumerate(posts, start=1):
        references.append(Reference(id=f"a{number}", kind="attribution", work=outlet))
        sections.append(Section(title=headline, paragraphs=[Paragraph(text=text)], implicit_refs=[f"a{number}"]))
    document = ParsedDocument(path=path, format="text", layout="repost", sections=sections, references=references)
    return document, build_claims(document).claims


def test_casualty_counts_that_disagree_are_a_conflict() -> None:
    first = article("a.txt", "In March 2015, the flood at Riverton killed 12 people.", outlet="Valley Herald")
    second = article("b.txt", "The March 2015 flood at Riverton left 30 people dead.", outlet="Daily Courier")
    conflicts = find_conflicts([first, second])
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert conflict.quantity == "deaths"
    assert "Riverton" in conflict.subject and "March 2015" in conflict.subject
    assert sorted((s.document, s.value) for s in conflict.statements) == [("a.txt", 12), ("b.txt", 30)]
    assert {tuple(s.sources) for s in conflict.statements} == {("Valley Herald",), ("Daily Courier",)}

    findings = conflict_findings(conflicts)
    assert set(findings) == {"a.txt", "b.txt"}
    (finding_a,) = findings["a.txt"]
    assert finding_a.code == "CC503" and finding_a.name == "conflicting-figures"
    assert finding_a.claim == "c1" and finding_a.ref == "1"
    # Names who says what: its own figure and the other document's, with its source.
    assert "says 12" in finding_a.message and "b.txt" in finding_a.message and "Daily Courier" in finding_a.message


def test_distances_disagreeing_after_unit_conversion_are_a_conflict() -> None:
    first = article("a.txt", "Fort Alder is located 50 kilometers east of Ostrava.")
    second = article("b.txt", "Fort Alder, 80 miles east of Ostrava, was built in 1902.")
    (conflict,) = find_conflicts([first, second])
    assert conflict.quantity == "distance"
    assert conflict.subject == "Fort Alder distance east of Ostrava"
    assert sorted(s.unit or "" for s in conflict.statements) == ["m", "m"]
    assert sorted(s.figure for s in conflict.statements) == ["50 kilometers", "80 miles"]


def test_equal_values_in_other_units_are_not_a_conflict() -> None:
    first = article("a.txt", "Fort Alder is located 50 kilometers east of Ostrava.")
    second = article("b.txt", "Fort Alder lies 31 miles east of Ostrava.")
    third = article("c.txt", "Fort Alder lies about 50 km east of Ostrava.")
    assert find_conflicts([first, second, third]) == []


def test_same_kind_of_figure_about_different_subjects_is_not_a_conflict() -> None:
    places = [
        article("a.txt", "Fort Alder is located 50 kilometers east of Ostrava."),
        article("b.txt", "Camp Birch is located 80 kilometers east of Ostrava."),
        article("c.txt", "Fort Alder is located 80 kilometers west of Ostrava."),
    ]
    assert find_conflicts(places) == []
    events = [
        article("d.txt", "In March 2015, the flood at Riverton killed 12 people."),
        article("e.txt", "In June 2015, the fire at Riverton killed 30 people."),  # another month: another event
        article("f.txt", "In March 2015, 30 soldiers were killed at Riverton."),  # other victims
        article("g.txt", "In March 2015, the flood at Riverton injured 30 people."),  # another measure
        article("h.txt", "In March 2015, the Lakeside storm killed 40 people."),  # no shared name
    ]
    assert find_conflicts(events) == []


def test_bounds_ranges_and_hedges_that_overlap_are_not_conflicts() -> None:
    documents = [
        article("a.txt", "In March 2015, the flood at Riverton killed 12 people."),
        article("b.txt", "In March 2015, the flood at Riverton killed at least ten people."),
        article("c.txt", "In March 2015, between ten and fifteen people were killed in the Riverton flood."),
        article("d.txt", "In March 2015, the flood at Riverton killed as many as 20 people."),
    ]
    assert find_conflicts(documents) == []
    documents.append(article("e.txt", "In March 2015, the flood at Riverton killed four people."))
    (conflict,) = find_conflicts(documents)
    assert len(conflict.statements) == 5
    assert {s.figure for s in conflict.statements} >= {"at least ten", "ten and fifteen", "four"}


def test_denied_and_additional_figures_do_not_count() -> None:
    documents = [
        article("a.txt", "In March 2015, the flood at Riverton killed 12 people."),
        article("b.txt", "In March 2015, officials at Riverton denied the 30 deaths."),
        article("c.txt", "In March 2015, the flood at Riverton killed 12 people; two others later died."),
    ]
    assert find_conflicts(documents) == []


def test_figures_without_an_event_date_are_left_out() -> None:
    documents = [
        article("a.txt", "The flood at Riverton killed 12 people."),
        article("b.txt", "The flood at Riverton killed 30 people."),
    ]
    assert find_conflicts(documents) == []


def test_one_article_is_one_speaker_but_each_post_speaks_for_itself() -> None:
    one_article = article(
        "a.txt",
        "In March 2015, the flood at Riverton killed 12 people, officials said.",
        "In March 2015, rescuers at Riverton said 30 people were killed.",
    )
    assert find_conflicts([one_article]) == []
    posts = repost(
        "posts.txt",
        [
            ("Riverton flood toll rises", "Valley Herald", "In March 2015, the flood at Riverton killed 12 people."),
            ("Riverton counts its dead", "Daily Courier", "In March 2015, 30 people were killed at Riverton."),
        ],
    )
    (conflict,) = find_conflicts([posts])
    assert {s.figure for s in conflict.statements} == {"12", "30"}
    assert {s.sources[0] for s in conflict.statements} == {"Valley Herald", "Daily Courier"}
    assert len(conflict_findings([conflict])["posts.txt"]) == 2


# --------------------------------------------------------------------------- CC503 generalised (issue 14)


def test_a_generic_anchor_pairs_distances_of_one_named_place() -> None:
    first = article("a.txt", "Camp Ashraf lies 96 kilometres north of the city.")
    second = article("b.txt", "Camp Ashraf is situated 60 kilometres north of the city.")
    (conflict,) = find_conflicts([first, second])
    assert conflict.quantity == "distance"
    assert conflict.subject == "Camp Ashraf distance north of the city"
    # Another place, or another anchor, is another subject.
    other = article("c.txt", "Fort Alder lies 60 kilometres north of the city.")
    capital = article("d.txt", "Camp Ashraf lies 60 kilometres north of the capital.")
    assert find_conflicts([first, other, capital]) == []


def test_same_distance_in_miles_and_kilometres_and_repeated_is_silent() -> None:
    documents = [
        article("a.txt", "Camp Ashraf lies 96 kilometres north of the city."),
        article("b.txt", "Camp Ashraf lies 60 miles north of the city."),
        article("c.txt", "Camp Ashraf lies 96 km north of the city.", "Camp Ashraf lies 96 km north of the city."),
    ]
    assert find_conflicts(documents) == []


@pytest.mark.parametrize(
    ("first", "second", "quantity"),
    [
        (
            "In March 2015, the flood at Riverton displaced 12,000 people.",
            "In March 2015, 3,000 people were displaced by the Riverton flood.",
            "displaced",
        ),
        (
            "In March 2015, 5,000 residents of Riverton were evacuated.",
            "In March 2015, officials at Riverton evacuated 800 residents.",
            "evacuated",
        ),
        (
            "In March 2015, police at Riverton arrested 40 protesters.",
            "In March 2015, 12 people were detained at Riverton.",
            "arrested or detained",
        ),
        (
            "In March 2015, 15 climbers went missing near Riverton.",
            "In March 2015, 3 climbers were missing near Riverton.",
            "missing",
        ),
    ],
)
def test_counts_of_other_measures_are_compared(first: str, second: str, quantity: str) -> None:
    (conflict,) = find_conflicts([article("a.txt", first), article("b.txt", second)])
    assert conflict.quantity == quantity
    assert "Riverton" in conflict.subject and "March 2015" in conflict.subject


def test_different_measures_of_one_event_are_not_paired() -> None:
    documents = [
        article("a.txt", "In March 2015, the flood at Riverton displaced 12,000 people."),
        article("b.txt", "In March 2015, the flood at Riverton killed 30 people."),
        article("c.txt", "In March 2015, 800 residents of Riverton were evacuated."),
    ]
    assert find_conflicts(documents) == []


def test_money_for_the_same_thing_is_compared_in_one_currency() -> None:
    first = article("a.txt", "In May 2011, the Riverton stadium was expected to cost $48 million.")
    second = article("b.txt", "In May 2011, the Riverton stadium would cost $95 million, the council said.")
    (conflict,) = find_conflicts([first, second])
    assert conflict.quantity == "money (cost, USD)"
    assert sorted(statement.value for statement in conflict.statements) == [48e6, 95e6]
    # The same amount written another way, or in another currency, or for another use, is no conflict.
    same = article("c.txt", "In May 2011, the Riverton stadium was expected to cost 48 million dollars.")
    euros = article("d.txt", "In May 2011, the Riverton stadium would cost €30 million.")
    aid = article("e.txt", "In May 2011, Riverton received $5 million in aid.")
    assert find_conflicts([first, same, euros, aid]) == []


def test_dates_of_one_event_compare_as_intervals() -> None:
    first = article("a.txt", "Maria Lopez was born on 3 May 1950 in Riverton.")
    second = article("b.txt", "Maria Lopez was born in 1951, the family said.")
    (conflict,) = find_conflicts([first, second])
    assert (conflict.quantity, conflict.subject) == ("date", "Maria Lopez: date born")
    # A coarser date containing the finer one agrees; another event or another person is another subject.
    agrees = article("c.txt", "Maria Lopez was born in 1950.")
    other_event = article("d.txt", "Maria Lopez died in 2001.")
    other_person = article("e.txt", "Juan Lopez was born in 1955.")
    assert find_conflicts([first, agrees, other_event, other_person]) == []

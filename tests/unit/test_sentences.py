from __future__ import annotations

import pytest

from citecheck.claims.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("U.S. Senator John Kerry spoke. He left.", ["U.S. Senator John Kerry spoke.", "He left."]),
        (
            "John F. Kennedy was there. So was Gen. Ray Odierno.",
            ["John F. Kennedy was there.", "So was Gen. Ray Odierno."],
        ),
        ("It cost $3.5 million. Then 2.5 more.", ["It cost $3.5 million.", "Then 2.5 more."]),
        ('He said "it is over." Then he left!', ['He said "it is over."', "Then he left!"]),
        ("Really? Yes. Fine…", ["Really?", "Yes.", "Fine…"]),
        ("Lower case after a period. e.g. this stays", ["Lower case after a period. e.g. this stays"]),
        (
            "Dr. Smith and Mrs. Jones met on Jan. 5. They talked.",
            ["Dr. Smith and Mrs. Jones met on Jan. 5.", "They talked."],
        ),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_spans_are_stripped_and_inside_text() -> None:
    text = "  First one.   Second one.  "
    for begin, end in sentence_spans(text):
        assert 0 <= begin < end <= len(text)
        assert text[begin:end] == text[begin:end].strip()


@pytest.mark.parametrize(
    "text",
    [
        "The temple was built c. 1200 BC by the king. It still stands.",
        "The ruling in Roe v. Wade was overturned in 2022. Protests followed.",
        "The vase dates from ca. 300 BC and is rare. It is in a museum.",
        "He lived at No. 10 Downing Street for years. Then he left.",
        "The text is on pp. 52–54 of the report. It says so.",
        "The poet (fl. 1190) wrote ballads in Occitan. Few survive.",
        "Smith (b. 1950, d. 2010) was a painter. He lived in Paris.",
    ],
)
def test_abbreviations_do_not_end_sentences(text: str) -> None:
    assert len(split_sentences(text)) == 2

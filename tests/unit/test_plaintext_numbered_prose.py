"""Numbered prose (licence clauses, steps) is no reference list; numbered citations are, with or without a heading.

The documents are written here; the one real document read is a Python
installation's own LICENSE, where present (never copied into the repository).
"""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import dedent

import pytest

from citecheck.documents.plaintext import read_plaintext
from citecheck.models import ParsedDocument

# Clauses in the shape of a software licence, written for this test: numbered, long, no URL, date or author.
CLAUSES = """\
  1. This agreement is made between the Lantern Project ("the Project") and the person or
     organisation ("the Licensee") using the Lantern software in source or binary form.

  2. Subject to the terms of this agreement, the Project grants the Licensee a worldwide,
     non-exclusive, royalty-free licence to use, copy, modify and distribute the software.

  3. The software is provided "AS IS". The Project makes no warranties of any kind, express
     or implied, including fitness for a particular purpose.

  4. The Project shall not be liable for any damages arising from the use of the software,
     even if advised of the possibility of such damages.

  5. This agreement terminates automatically upon a material breach of its terms.
"""


def licence(heading: str | None) -> str:
    """A licence with a version table and its table note, then the numbered clauses (under their own title)."""
    note = f"{heading}\n\n  (1) Versions before 2.0 were released under a different licence.\n\n" if heading else ""
    return (
        "LANTERN SOFTWARE LICENCE\n\n"
        "Lantern was started by a small group of volunteers, and every release since\n"
        "has been open source; the table below lists the licence of each release.\n\n"
        "    Release   Licence\n    1.0       old (1)\n    2.0       this one\n\n"
        f"{note}"
        "TERMS AND CONDITIONS FOR USING LANTERN\n"
        "--------------------------------------\n\n"
        f"{CLAUSES}"
    )


def body_text(document: ParsedDocument) -> str:
    return "\n".join(paragraph.text for section in document.sections for paragraph in section.paragraphs)


@pytest.mark.parametrize("heading", [None, "Footnotes:", "Notes", "References"])
def test_numbered_licence_clauses_are_no_reference_list(heading: str | None) -> None:
    document = read_plaintext(licence(heading), "LICENCE.txt")

    assert document.references == []
    assert "no reference list found" in document.notices
    # The clauses are read as the body they are, not dropped.
    assert "royalty-free licence to use, copy, modify" in body_text(document)
    declined = [notice for notice in document.notices if "not read as references" in notice]
    if heading is None:
        assert declined == []
    else:
        assert declined and repr(heading.rstrip(":")) in declined[0]


NUMBERED_STEPS = dedent(
    """\
    Cutting a release

    Follow these steps in order for every release of the project.

    Notes

      1. Update the staging branch.
      2. Rebase the proposal against the updated staging branch.
      3. Re-run the changelog tool and update the changelog.
    """
)


def test_numbered_steps_under_a_notes_heading_are_no_reference_list() -> None:
    document = read_plaintext(NUMBERED_STEPS, "releases.txt")

    assert document.references == []
    assert "Rebase the proposal against the updated staging branch." in body_text(document)


CITED_LIST = dedent(
    """\
    Harbour works

    The harbour wall was rebuilt after the storm of 1953, at twice the planned cost.

    References

      1. Jane Doe (14 April 2011). "The harbour wall". The Courier. Retrieved 3 May 2013.
      2. "Storm damage along the coast". Evening Post. 2 June 1953.
      3. Harbour Board (1960). Annual Report. https://example.org/harbour/1960.pdf
    """
)


def test_a_references_heading_over_citations_is_read_even_when_no_marker_points_to_them() -> None:
    document = read_plaintext(CITED_LIST, "harbour.txt")

    assert [reference.number for reference in document.references] == [1, 2, 3]
    assert document.references[0].title == "The harbour wall"
    assert document.references[2].url == "https://example.org/harbour/1960.pdf"
    assert all(reference.uses == 0 for reference in document.references)
    assert not any("not read as references" in notice for notice in document.notices)


def test_marked_numbered_prose_under_a_notes_heading_stays_a_reference_list() -> None:
    # Explanatory notes are prose too; the body's markers say they are this document's notes.
    text = NUMBERED_STEPS.replace("every release of the project.", "every release of the project.[1] [3]")
    document = read_plaintext(text, "releases.txt")

    assert [reference.number for reference in document.references] == [1, 2, 3]
    assert [reference.uses for reference in document.references] == [1, 0, 1]


UNHEADED_LIST = dedent(
    """\
    Canal traffic

    Barge traffic on the canal fell by half between 1990 and 2000.[1] Most of the
    remaining trade is gravel, carried for the building industry.[2]

      1. Waterways Trust (2001). "Traffic on inland waterways". https://example.org/traffic-2001
      2. "Gravel by water". Builders' Weekly. 12 March 1999. https://example.com/gravel
    """
)


def test_an_unheaded_numbered_list_of_citations_cited_by_markers_is_read() -> None:
    document = read_plaintext(UNHEADED_LIST, "canal.txt")

    assert [reference.url for reference in document.references] == [
        "https://example.org/traffic-2001",
        "https://example.com/gravel",
    ]
    assert [reference.uses for reference in document.references] == [1, 1]


def _python_licence() -> Path:
    for candidate in (
        Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "LICENSE.txt",
        Path(f"/usr/lib/python{sys.version_info.major}.{sys.version_info.minor}/LICENSE.txt"),
    ):
        if candidate.is_file():
            return candidate
    pytest.skip("no Python LICENSE.txt on this machine")


def test_the_python_licence_reads_no_references() -> None:
    path = _python_licence()
    text = path.read_text(encoding="utf-8")
    if "PYTHON SOFTWARE FOUNDATION LICENSE" not in text:
        pytest.skip(f"{path} is not the PSF licence")

    document = read_plaintext(text, path.name)

    assert document.references == []
    assert "Licensee" in body_text(document)  # the clauses are body text

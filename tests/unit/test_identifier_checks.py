"""Identifier findings from DOI records, Crossref parsing and DOI inputs — pure, no network."""

from __future__ import annotations

import pytest

from citecheck.check_input import CheckInputError, doi_reference
from citecheck.checks.catalogue import RULES
from citecheck.checks.identifiers import identifier_findings, titles_match
from citecheck.dates import PartialDate
from citecheck.models import DoiRecord, Identifiers, Reference, RegistryStatus, Severity, UpdateNotice
from citecheck.resolve.crossref import parse_work
from citecheck.resolve.doi import doi_path


def _reference(record: DoiRecord | None, title: str | None = None, year: int | None = None) -> Reference:
    return Reference(
        id="7",
        title=title,
        date=PartialDate(year=year) if year else None,
        identifiers=Identifiers(doi=record.doi if record else None),
        doi_record=record,
    )


def _record(**fields: object) -> DoiRecord:
    base: dict[str, object] = {"doi": "10.5555/x", "status": RegistryStatus.registered, "agency": "crossref"}
    return DoiRecord.model_validate({**base, **fields})


def _codes(reference: Reference) -> list[str]:
    return [finding.code for finding in identifier_findings(reference)]


def test_the_new_codes_are_in_the_catalogue() -> None:
    assert {code: (RULES[code].name, RULES[code].severity) for code in ("CC701", "CC702", "CC703", "CC706")} == {
        "CC701": ("retracted-source", Severity.error),
        "CC702": ("corrected-source", Severity.warning),
        "CC703": ("doi-not-found", Severity.warning),
        "CC706": ("invalid-isbn", Severity.warning),
    }


def test_a_retraction_is_an_error_naming_its_notice() -> None:
    notice = UpdateNotice(
        type="retraction",
        doi="10.5555/notice",
        label="Retraction",
        date=PartialDate(year=2013, month=2, day=1),
        source="retraction-watch",
    )
    findings = identifier_findings(_reference(_record(updated_by=[notice], title="T", years=[2011]), "T", 2011))
    assert [finding.code for finding in findings] == ["CC701"]
    assert findings[0].severity is Severity.error
    assert "10.5555/notice" in findings[0].message and "2013-02-01" in findings[0].message
    assert "Retraction Watch" in findings[0].message


def test_a_reinstated_work_is_only_a_warning_and_corrections_alone_are_cc702() -> None:
    retraction, reinstated = UpdateNotice(type="retraction"), UpdateNotice(type="reinstatement")
    findings = identifier_findings(_reference(_record(updated_by=[retraction, reinstated])))
    assert [(f.code, f.severity) for f in findings] == [("CC701", Severity.warning)]
    assert _codes(_reference(_record(updated_by=[UpdateNotice(type="expression_of_concern")]))) == ["CC702"]
    assert _codes(_reference(_record(updated_by=[UpdateNotice(type="new_version")]))) == []


def test_a_title_marked_retracted_counts_without_a_notice() -> None:
    reference = _reference(_record(title="RETRACTED: Harvest yields"), "Harvest yields")
    assert _codes(reference) == ["CC701"]  # and no title mismatch for the prefix


@pytest.mark.parametrize(
    ("cited", "registered", "same"),
    [
        ("Harvest yields under drought", "Harvest yields under <i>drought</i>", True),
        ("Harvest yields", "Harvest yields: a ten-year study", True),  # subtitle left out
        ("HARVEST YIELDS UNDER DROUGHT.", "Harvest yields under drought", True),
        ("Harvest yields under drough", "Harvest yields under drought", True),  # a typo
        ("Snowfall in the mountains", "Rainfall in the valley", False),
        ("Café society", "Cafe\u0301 society", True),
    ],
)
def test_titles_match(cited: str, registered: str, same: bool) -> None:
    assert titles_match(cited, registered) is same


def test_mismatches_and_what_is_not_one() -> None:
    record = _record(title="Rainfall in the valley", years=[2010], container="Journal of Valley Agriculture")
    assert _codes(_reference(record, "Snowfall in the mountains", 2009)) == ["CC704", "CC705"]
    assert _codes(_reference(record, "Journal of Valley Agriculture", 2010)) == []  # cited by its container
    assert _codes(_reference(record.model_copy(update={"years": [2011, 2012]}), None, 2012)) == []
    assert _codes(_reference(record.model_copy(update={"agency": None}), "Other", 1999)) == []  # not Crossref's


def test_missing_dois_isbns_and_unknowns() -> None:
    assert _codes(_reference(_record(status=RegistryStatus.not_found))) == ["CC703"]
    assert _codes(_reference(_record(status=RegistryStatus.not_checked, title="X"), "Y", 1900)) == []
    assert _codes(_reference(None)) == []
    book = Reference(id="b", identifiers=Identifiers(isbn="9780306406158"))
    assert _codes(book) == ["CC706"]
    assert _codes(Reference(id="b", identifiers=Identifiers(isbn="9780306406157"))) == []
    assert _codes(Reference(id="b", identifiers=Identifiers(isbn="080442957X"))) == []


def test_crossref_work_parsing() -> None:
    work = parse_work(
        "10.5555/X",
        {
            "DOI": "10.5555/x",
            "title": ["The <i>valley</i>"],
            "subtitle": ["A history"],
            "issued": {"date-parts": [[2012, 6]]},
            "published-online": {"date-parts": [[2011, 12, 20]]},
            "published-print": {"date-parts": [[None]]},
            "container-title": [],
            "type": "journal-article",
            "updated-by": [{"DOI": "10.5555/n", "type": "Expression of Concern", "updated": {"date-parts": [[2013]]}}],
            "update-to": "not a list",
        },
    )
    assert (work.doi, work.title, work.years, work.container) == (
        "10.5555/x",
        "The valley: A history",
        (2011, 2012),
        None,
    )
    assert work.updated_by[0].type == "expression_of_concern" and work.updated_by[0].date == PartialDate(year=2013)
    assert work.updates == ()


@pytest.mark.parametrize(
    "given",
    [
        "10.1038/nature12373",
        "doi:10.1038/nature12373",
        "DOI: 10.1038/nature12373",
        "https://doi.org/10.1038/nature12373",
    ],
)
def test_doi_inputs(given: str) -> None:
    reference = doi_reference(given)
    assert reference is not None and reference.identifiers.doi == "10.1038/nature12373" and reference.url is None


@pytest.mark.parametrize("given", ["doi:10.abc", "10.12/x", "https://doi.org/not-a-doi"])
def test_invalid_dois_are_refused_in_one_line(given: str) -> None:
    with pytest.raises(CheckInputError, match="not a valid DOI"):
        doi_reference(given)


def test_other_inputs_are_not_dois() -> None:
    assert doi_reference("https://example.org/10.1038/x") is None
    assert doi_reference("Jolly, D. (2011). 10.5 million people.") is None
    assert doi_path("10.1002/(SICI)1097-0258(19980815/30)17:15<1661::AID-SIM968>3.0.CO;2-2") == (
        "10.1002/(SICI)1097-0258(19980815/30)17:15<1661::AID-SIM968>3.0.CO;2-2"
    )
    assert doi_path("10.5555/a#b?c d") == "10.5555/a%23b%3Fc%20d"

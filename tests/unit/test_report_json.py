"""The JSON report's enums: written by pydantic-core as their values, listed in the schema, members in Python."""

from __future__ import annotations

import enum
import inspect
import json

from citecheck import models
from citecheck.models import DocumentInfo, DocumentReport, LiveCheck, LiveStatus, Reference, ReportEnum
from citecheck.reports.writer import report_json, report_schema


def test_every_enum_of_the_models_is_a_report_enum() -> None:
    # A plain StrEnum would still serialise, only by a Python call per member (issue 17).
    enums = [
        value
        for value in vars(models).values()
        if inspect.isclass(value) and issubclass(value, enum.Enum) and value.__module__ == models.__name__
    ]
    assert len(enums) > 10
    assert all(issubclass(value, ReportEnum) for value in enums if value is not ReportEnum), enums


def test_enums_are_written_as_their_values_and_stay_members_in_python() -> None:
    reference = Reference(id="1", raw="x", live=LiveCheck(status=LiveStatus.soft_404))
    report = DocumentReport(document=DocumentInfo(path="a.md", format="markdown"), references=[reference])
    written = json.loads(report_json(report))
    assert written["document"]["format"] == "markdown"
    assert written["references"][0]["live"]["status"] == LiveStatus.soft_404.value == "soft-404"
    assert written["references"][0]["kind"] == reference.kind.value
    dumped = report.model_dump()
    assert dumped["references"][0]["live"]["status"] is LiveStatus.soft_404
    assert report.model_dump(mode="json")["references"][0]["live"]["status"] == "soft-404"
    assert DocumentReport.model_validate_json(report_json(report)) == report


def test_the_schema_lists_each_enums_values() -> None:
    definitions = report_schema()["$defs"]
    assert definitions["LiveStatus"]["enum"] == [member.value for member in LiveStatus]
    assert definitions["LiveStatus"]["type"] == "string"
    assert definitions["DocumentFormat"]["enum"] == ["text", "html", "markdown", "wikitext"]

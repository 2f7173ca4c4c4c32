"""Baselines: accept today's findings, fail CI only on new ones (CONTRACT.md ``--baseline``).

A baseline is either a file written by ``--write-baseline`` or a previous
``summary.json`` that lists its findings' fingerprints.  Matching is by
fingerprint alone (see :mod:`citecheck.reports.fingerprint`), so a baseline
survives reordering, renumbering and edits elsewhere in a document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from citecheck.models import REPORT_SCHEMA, SUMMARY_SCHEMA, DocumentReport
from citecheck.reports.escape import json_inert
from citecheck.reports.fingerprint import document_key, fingerprints_of
from citecheck.reports.writer import atomic_write_text, json_list_items

BASELINE_SCHEMA = "citecheck/baseline@1"


class BaselineEntry(BaseModel):
    """One accepted finding.  ``code``, ``document`` and ``message`` are for people reading diffs."""

    # Later versions may add fields; an older citecheck still reads the fingerprints.
    model_config = ConfigDict(extra="ignore")

    fingerprint: str = Field(min_length=1)
    code: str
    document: str
    message: str


class _BaselineFile(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    schema_: Literal["citecheck/baseline@1"] = Field(alias="schema")
    findings: list[BaselineEntry]


@dataclass(frozen=True)
class Baseline:
    """The fingerprints of accepted findings, and where they came from."""

    fingerprints: frozenset[str]
    source: Literal["baseline", "summary"]
    entries: tuple[BaselineEntry, ...] = field(default=())  # empty for a summary.json

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self.fingerprints

    def __len__(self) -> int:
        return len(self.fingerprints)


def load_baseline(path: Path) -> Baseline:
    """Read a ``--write-baseline`` file or a ``summary.json``.

    Raises :class:`ValueError` with a one-line message for anything else:
    a missing or unreadable file, bad JSON, a per-document report, a summary
    without fingerprints, or an unknown schema.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such baseline file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read baseline ({type(error).__name__}: {error})") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a citecheck baseline or summary.json (expected a JSON object)")
    schema = data.get("schema")
    if schema == BASELINE_SCHEMA:
        return _baseline_from_file(path, data)
    if schema == SUMMARY_SCHEMA:
        return _baseline_from_summary(path, data)
    if schema == REPORT_SCHEMA:
        raise ValueError(
            f"{path}: a per-document report, not a baseline; pass summary.json or a file written by --write-baseline"
        )
    shown = f"schema {schema!r}" if schema is not None else "no schema field"
    raise ValueError(
        f"{path}: not a citecheck baseline or summary.json ({shown}; expected {BASELINE_SCHEMA} or {SUMMARY_SCHEMA})"
    )


def _baseline_from_file(path: Path, data: dict[str, Any]) -> Baseline:
    try:
        parsed = _BaselineFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{path}: malformed baseline at {where}: {first['msg']}") from None
    return Baseline(
        fingerprints=frozenset(entry.fingerprint for entry in parsed.findings),
        source="baseline",
        entries=tuple(parsed.findings),
    )


def _baseline_from_summary(path: Path, data: dict[str, Any]) -> Baseline:
    fingerprints = data.get("fingerprints")
    if fingerprints is None:
        raise ValueError(
            f"{path}: this summary.json lists no finding fingerprints (written by an older citecheck?); "
            "re-run the audit or use --write-baseline"
        )
    if not isinstance(fingerprints, list) or not all(isinstance(item, str) and item for item in fingerprints):
        raise ValueError(f"{path}: summary.json 'fingerprints' must be a list of non-empty strings")
    return Baseline(fingerprints=frozenset(fingerprints), source="summary")


def baseline_entries(reports: list[DocumentReport], *, root: Path | None = None) -> list[BaselineEntry]:
    """Every finding as a baseline entry, sorted by document, code and fingerprint, without duplicates."""
    entries: dict[str, BaselineEntry] = {}
    for report in reports:
        document = document_key(report.document.path, root)
        for finding, fingerprint in zip(report.findings, fingerprints_of(report, root=root), strict=True):
            entries.setdefault(
                fingerprint,
                BaselineEntry(fingerprint=fingerprint, code=finding.code, document=document, message=finding.message),
            )
    return sorted(entries.values(), key=lambda entry: (entry.document, entry.code, entry.fingerprint))


def baseline_json(entries: list[BaselineEntry]) -> str:
    """The baseline file's text: sorted entries, one field order, no timestamps, so it diffs well in git."""
    document = {"schema": BASELINE_SCHEMA, "findings": [entry.model_dump() for entry in entries]}
    return json_inert(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def baseline_json_chunks(entries: Iterable[BaselineEntry]) -> Iterator[str]:
    """:func:`baseline_json` piece by piece, for entries that arrive sorted and deduplicated one by one."""
    skeleton = json_inert(json.dumps({"schema": BASELINE_SCHEMA, "findings": []}, indent=2, ensure_ascii=False))
    head, tail = skeleton.split(_EMPTY_FINDINGS)
    yield head + _EMPTY_FINDINGS[:-1]
    rendered = (json_inert(json.dumps(entry.model_dump(), indent=2, ensure_ascii=False)) for entry in entries)
    yield from json_list_items(rendered, "    ")
    yield tail + "\n"


_EMPTY_FINDINGS = '"findings": []'


def write_baseline(path: Path, reports: list[DocumentReport], *, root: Path | None = None) -> int:
    """Write every finding of ``reports`` as accepted, atomically. Returns how many entries were written."""
    entries = baseline_entries(reports, root=root)
    atomic_write_text(path, baseline_json(entries))
    return len(entries)


def mark_new(reports: list[DocumentReport], baseline: Baseline, *, root: Path | None = None) -> int:
    """Set each finding's ``new`` (and any missing ``fingerprint``); return how many are new."""
    new = 0
    for report in reports:
        for finding, fingerprint in zip(report.findings, fingerprints_of(report, root=root), strict=True):
            finding.fingerprint = fingerprint
            finding.new = fingerprint not in baseline
            new += finding.new
    return new

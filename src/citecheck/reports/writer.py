"""Writing reports: every file is rendered in memory first, then replaced atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from citecheck.checks.catalogue import RULES
from citecheck.models import AuditSummary, DocumentReport
from citecheck.reports.escape import json_inert


def _creation_mode() -> int:
    """The mode a plain ``open()`` would give a new file: 0o666 less the umask (0644 with the usual 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half of one.

    The file gets the mode any new file would (``mkstemp`` alone makes it
    0600, unreadable to the web server or colleague the reports are for).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, _creation_mode())
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def report_json(report: DocumentReport) -> str:
    return json_inert(report.model_dump_json(by_alias=True, indent=2)) + "\n"


def summary_json(summary: AuditSummary) -> str:
    return json_inert(summary.model_dump_json(by_alias=True, indent=2)) + "\n"


def report_schema() -> dict[str, Any]:
    """JSON Schema of the per-document report (``citecheck schema``)."""
    schema = DocumentReport.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = "https://citecheck.invalid/schema/report-1.json"
    # The finding codes are the catalogue's: the schema lists them, so a new code is in it once catalogued.
    schema["$defs"]["Finding"]["properties"]["code"]["enum"] = sorted(RULES)
    return schema


def summary_schema() -> dict[str, Any]:
    return AuditSummary.model_json_schema(by_alias=True, mode="serialization")


def write_outputs(files: dict[Path, str]) -> None:
    """Write a batch of already-rendered files atomically, one by one."""
    for path, text in files.items():
        atomic_write_text(path, text)


def dumps_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"

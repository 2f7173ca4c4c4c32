"""What ``citecheck audit`` prints: a summary line, then one line per finding, like a linter.

Renderings read :class:`~citecheck.reports.rows.FindingRow` records only::

    citations/essay.md:12: CC201 dead-link https://example.org/a (HTTP 404, 3 failed checks over ≥3 days; capture
    2013-11-05 ready to use)

``concise`` (the default) prints that line per finding, documents with the
worst problems first, capped with "… and N more (see reports/index.md)";
``grouped`` puts each document's path on a line of its own; ``full`` adds
the message and the repair under each line; ``json`` prints the rows as a
JSON array.  Colour only at a terminal (never with ``NO_COLOR``).
Everything shown comes from documents and web pages we do not control:
control and bidi-override characters become spaces, so a title cannot move
the cursor or rewrite the screen.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol, TextIO

from citecheck.models import AuditSummary, Severity

if TYPE_CHECKING:  # rows pull in the repair builders; `check` renders without them
    from citecheck.reports.rows import FindingRow

# C0/C1 controls (C1 includes the one-byte CSI, U+009B), line/paragraph separators and bidi overrides.
_TERMINAL_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_SEVERITY_COLOURS = {Severity.error: "1;31", Severity.warning: "33", Severity.info: "36"}
SUBJECT_LIMIT = 200  # characters of a URL or message on one line


def terminal_safe(text: object) -> str:
    """Untrusted text fit for a terminal: one line, control and bidi characters turned into spaces."""
    return " ".join(_TERMINAL_UNSAFE_RE.sub(" ", "" if text is None else str(text)).split())


def colour_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only for a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def rows_at_or_above(rows: Iterable[FindingRow], severity: Severity) -> list[FindingRow]:
    return [row for row in rows if row.severity.rank >= severity.rank]


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 document``, ``2 documents``; ``info`` stays ``info``."""
    if count == 1 or noun == "info":
        return f"{count} {noun}"
    return f"{count} {plural_form or noun + 's'}"


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text


def _shorten(text: str, limit: int = SUBJECT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _body(row: FindingRow, style: _Style) -> str:
    """``CC201 dead-link https://… (detail)`` with a ``new`` mark when a baseline was applied."""
    code = style(row.code, _SEVERITY_COLOURS[row.severity])
    text = f"{code} {row.name} {_shorten(terminal_safe(row.subject))}"
    if row.detail:
        text += " " + style(f"({terminal_safe(row.detail)})", "2")
    if row.new:
        text += " " + style("[new]", "1")
    return text


def finding_line(row: FindingRow, style: _Style | None = None) -> str:
    """``path:line: CODE name subject (detail)``."""
    style = style or _Style(False)
    return f"{style(terminal_safe(row.location), '1')}: {_body(row, style)}"


def _more_line(hidden: int, index: str) -> str:
    return f"… and {hidden} more (see {index})"


def _indented(text: str, prefix: str = "    ") -> list[str]:
    return [prefix + terminal_safe(line) for line in text.splitlines()] or [prefix]


def _capped(rows: Iterable[FindingRow], show: Severity, max_lines: int) -> tuple[list[FindingRow], int, int]:
    """The rows at or above ``show`` that fit in ``max_lines`` (0: all), how many there are, and how many rows."""
    capped: list[FindingRow] = []
    shown = total = 0
    for row in rows:
        total += 1
        if row.severity.rank >= show.rank:
            shown += 1
            if max_lines <= 0 or len(capped) < max_lines:
                capped.append(row)
    return capped, shown, total


def render_rows(
    rows: Iterable[FindingRow],
    *,
    output_format: str = "concise",
    show: Severity = Severity.warning,
    max_lines: int = 30,
    colour: bool = False,
    index: str = "reports/index.md",
) -> str:
    """The finding lines for ``rows`` (already in display order); empty when there is nothing to show.

    ``rows`` may be a stream: only the rows that are printed are held.
    """
    if output_format == "json":
        shown_rows = rows_at_or_above(rows, show)
        return json.dumps([row.model_dump(mode="json") for row in shown_rows], indent=2, ensure_ascii=False) + "\n"
    style = _Style(colour)
    capped, shown, total = _capped(rows, show, max_lines)
    lines: list[str] = []
    if output_format == "grouped":
        document = None
        for row in capped:
            if row.document != document:
                document = row.document
                lines.append(style(terminal_safe(document), "1"))
            where = f"{row.line}" if row.line is not None else "-"
            lines.append(f"  {where}: {_body(row, style)}")
    else:
        for row in capped:
            lines.append(finding_line(row, style))
            if output_format == "full":
                if row.message != row.subject:
                    lines += _indented(row.message)
                if row.repair:
                    lines.append(f"    repair ({row.repair_language or 'text'}), ready to paste:")
                    lines += _indented(row.repair, "      ")
    if len(capped) < shown:
        lines.append(_more_line(shown - len(capped), index))
    below = total - shown
    if below and lines:
        lines.append(style(f"({plural(below, 'finding')} below {show.value} not listed; --show info lists all)", "2"))
    return "\n".join(lines) + "\n" if lines else ""


def summary_line(summary: AuditSummary, index: str, *, totals: AuditCounts | None = None) -> str:
    """``4 documents, 19 references, 30 claims: 1 error, 0 warnings, 1 info → reports/index.md``.

    ``totals`` give the documents, references and claims when the summary
    holds no document rows (a streamed audit keeps none).
    """
    if totals is not None:
        documents, references, claims = totals.documents, totals.references, totals.claims
    else:
        documents = len(summary.documents)
        references = sum(document.references for document in summary.documents)
        claims = sum(document.claims for document in summary.documents)
    counts = summary.findings
    line = (
        f"{plural(documents, 'document')}, {plural(references, 'reference')}, "
        f"{plural(claims, 'claim')}: "
        f"{plural(counts.get('error', 0), 'error')}, {plural(counts.get('warning', 0), 'warning')}, "
        f"{counts.get('info', 0)} info"
    )
    not_audited = len(summary.errors)
    if not_audited:
        line += f"; {plural(not_audited, 'document')} not audited"
    return f"{line} → {index}"


class AuditCounts(Protocol):
    """How many documents, references and claims an audit covered."""

    @property
    def documents(self) -> int: ...

    @property
    def references(self) -> int: ...

    @property
    def claims(self) -> int: ...


def quiet_lines(rows: Iterable[FindingRow], exit_code: int, *, max_lines: int = 30, index: str) -> str:
    """``-q``: the error lines only, then the exit status (``rows`` may be a stream)."""
    capped, errors, _ = _capped(rows, Severity.error, max_lines)
    lines = [finding_line(row) for row in capped]
    if len(capped) < errors:
        lines.append(_more_line(errors - len(capped), index))
    lines.append(f"exit {exit_code}")
    return "\n".join(lines) + "\n"

"""The verdict ``citecheck check`` prints: compact, worst news first, coloured only at a terminal.

One list of :class:`VerdictLine` is built from the checked reference, its
findings and the network state; plain text, Markdown and rich output are
three renderings of it, so they never disagree.  Everything shown comes
from a document or a web page we do not control: terminal renderings strip
control and bidi-override characters (an ESC in a title could rewrite the
screen), Markdown goes through :mod:`citecheck.reports.escape`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    Finding,
    LiveCheck,
    LiveStatus,
    NetworkMode,
    NetworkState,
    Reference,
    Severity,
    SourceInfo,
    SourceStatus,
)
from citecheck.reports.escape import md_cell, md_link
from citecheck.reports.terminal import colour_wanted, terminal_safe

__all__ = ["colour_wanted", "render_check_markdown", "render_check_plain", "terminal_safe", "write_check_rich"]

_LIVE_STYLES = {
    LiveStatus.alive: "green",
    LiveStatus.dead: "bold red",
    LiveStatus.soft_404: "red",
    LiveStatus.parked: "red",
    LiveStatus.redirected: "yellow",
    LiveStatus.blocked: "yellow",
    LiveStatus.unreachable: "yellow",
    LiveStatus.not_checked: "dim",
}
_ARCHIVE_STYLES = {
    ArchiveStatus.found: "green",
    ArchiveStatus.none: "red",
    ArchiveStatus.error_snapshot: "red",
    ArchiveStatus.not_checked: "dim",
}
_SEVERITY_STYLES = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "cyan"}


@dataclass(frozen=True)
class VerdictLine:
    """One labelled line of the verdict; ``url`` is linked in Markdown when it is safe."""

    label: str
    value: str
    style: str = ""
    url: str | None = None


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else ""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _distance_from_access(days: int) -> str:
    if days == 0:
        return "same day as the access date"
    return f"{_plural(abs(days), 'day')} {'before' if days < 0 else 'after'} the access date"


def headline(findings: list[Finding], network: NetworkState) -> VerdictLine:
    """The one-line answer: problems by severity, or why no problem was seen."""
    counts = Counter(finding.severity for finding in findings)
    problems = [
        _plural(counts[severity], str(severity.value))
        for severity in (Severity.error, Severity.warning)
        if counts[severity]
    ]
    if problems:
        style = _SEVERITY_STYLES[Severity.error if counts[Severity.error] else Severity.warning]
        return VerdictLine("verdict", "problems: " + ", ".join(problems), style)
    if network.mode != NetworkMode.online:
        return VerdictLine("verdict", "no problems found offline (live and archive checks not run)", "yellow")
    return VerdictLine("verdict", "ok: no problems found", "green")


def field_lines(reference: Reference) -> list[VerdictLine]:
    """The fields the parser found, in citation order; absent ones are left out."""
    candidates = [
        ("title", reference.title),
        ("authors", "; ".join(reference.authors)),
        ("work", reference.work),
        ("publisher", reference.publisher),
        ("published", reference.date),
        ("accessed", reference.access_date),
        ("archived", reference.archive_date),
        ("format", reference.format),
        ("flags", ", ".join(reference.source_flags)),
    ]
    lines = [VerdictLine(label, str(value)) for label, value in candidates if value]
    if reference.url:
        lines.append(VerdictLine("url", reference.url, url=reference.url))
    if reference.archive_url:
        lines.append(VerdictLine("archive url", reference.archive_url, url=reference.archive_url))
    return lines


def live_line(live: LiveCheck, cited_url: str | None) -> VerdictLine:
    """Live status, HTTP code, where redirects ended and when it was checked."""
    style = _LIVE_STYLES[live.status]
    if live.status is LiveStatus.not_checked:
        return VerdictLine("live", "not checked" + (f" ({live.reason})" if live.reason else ""), style)
    parts = [str(live.status.value)]
    if live.status is LiveStatus.dead:
        parts[0] += " (confirmed)" if live.confirmed else " (not yet confirmed)"
    if live.http_status is not None:
        parts.append(f"HTTP {live.http_status}")
    moved = live.final_url is not None and live.final_url.rstrip("/") != (cited_url or "").rstrip("/")
    if moved:
        parts.append(f"→ {live.final_url}")
    if live.checked_at is not None:
        parts.append(f"checked {_when(live.checked_at)}")
    return VerdictLine("live", " · ".join(parts), style, url=live.final_url if moved else None)


def snapshot_line(archive: ArchiveResult) -> VerdictLine:
    """The best capture: its time, distance from the access date and link; or why there is none."""
    style = _ARCHIVE_STYLES[archive.status]
    if archive.status is ArchiveStatus.not_checked:
        return VerdictLine("snapshot", "not checked" + (f" ({archive.reason})" if archive.reason else ""), style)
    if archive.status is ArchiveStatus.none:
        return VerdictLine("snapshot", "none" + (f" ({archive.reason})" if archive.reason else ""), style)
    parts = ["error capture" if archive.status is ArchiveStatus.error_snapshot else "found"]
    if archive.snapshot_time is not None:
        parts.append(f"{archive.snapshot_time:%Y-%m-%d}")
    if archive.days_from_access is not None:
        parts.append(_distance_from_access(archive.days_from_access))
    if archive.snapshot_status is not None and archive.status is ArchiveStatus.error_snapshot:
        parts.append(f"HTTP {archive.snapshot_status}")
    if archive.archive:
        parts.append(f"in {archive.archive}")
    value = " · ".join(parts)
    if archive.snapshot_url:
        value += f"\n{archive.snapshot_url}"
    return VerdictLine("snapshot", value, style, url=archive.snapshot_url)


def source_line(source: SourceInfo) -> VerdictLine | None:
    """What the claim checks read, and the page's own date; None when nothing was read."""
    if source.status == SourceStatus.not_checked:
        return None
    if source.status == SourceStatus.unavailable:
        return VerdictLine("source", "unavailable" + (f" ({source.reason})" if source.reason else ""), "dim")
    parts = [f"read from the {source.origin}" if source.origin else "read"]
    if source.title:
        parts.append(repr(source.title))
    if source.page_date is not None:
        parts.append(f"page dated {source.page_date.date} ({source.page_date.method})")
    return VerdictLine("source", " · ".join(parts), url=source.url)


def finding_line(finding: Finding) -> VerdictLine:
    return VerdictLine(
        finding.code, f"{finding.severity.value} {finding.name}: {finding.message}", _SEVERITY_STYLES[finding.severity]
    )


def verdict_lines(reference: Reference, findings: list[Finding], network: NetworkState) -> list[VerdictLine]:
    """Headline, parsed fields, live, snapshot, source: the verdict without its findings."""
    lines = [headline(findings, network), *field_lines(reference)]
    if reference.url:
        lines += [live_line(reference.live, reference.url), snapshot_line(reference.archive)]
    source = source_line(reference.source)
    if source is not None:
        lines.append(source)
    return lines


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda finding: (-finding.severity.rank, finding.code))


def repair_lines(repair: str | None, repair_format: str | None) -> list[str]:
    """The ready repair under a heading, indented, each line terminal-safe (empty without one)."""
    if not repair:
        return []
    return [
        f"repair ({repair_format or 'text'}): the link is gone and a good capture exists; paste this instead:",
        *(f"    {terminal_safe(line)}" for line in repair.splitlines()),
    ]


def render_check_plain(
    reference: Reference,
    findings: list[Finding],
    network: NetworkState,
    repair: str | None = None,
    repair_format: str | None = None,
) -> str:
    """Aligned ``label: value`` lines, findings worst first, the repair if any, then the network note."""
    lines = verdict_lines(reference, findings, network)
    width = max(len(line.label) for line in lines)
    out: list[str] = []
    for line in lines:
        first, *rest = line.value.split("\n")
        out.append(f"{line.label:>{width}}: {terminal_safe(first)}")
        out += [f"{'':>{width}}  {terminal_safe(more)}" for more in rest]
    out.append("")
    out += [f"{line.label} {terminal_safe(line.value)}" for line in map(finding_line, _ordered(findings))]
    if not findings:
        out.append("no findings")
    out += repair_lines(repair, repair_format)
    out.append(f"note: {terminal_safe(network.message)}")
    return "\n".join(out)


def render_check_markdown(
    reference: Reference,
    findings: list[Finding],
    network: NetworkState,
    repair: str | None = None,
    repair_format: str | None = None,
) -> str:
    """A two-column table and a findings list; every untrusted piece escaped, links only for http(s)."""
    lines = verdict_lines(reference, findings, network)
    out = ["| field | value |", "| --- | --- |"]
    for line in lines:
        value = md_cell(line.value.replace("\n", " "), limit=None)
        if line.url and line.value.endswith(line.url):
            # The URL at the end becomes a link; the words before it stay text.
            before = line.value[: -len(line.url)].replace("\n", " ").strip()
            value = (md_cell(before, limit=None) + " " if before else "") + md_link(line.url, line.url, limit=None)
        elif line.url:
            value += " " + md_link("link", line.url)
        out.append(f"| {line.label} | {value} |")
    out.append("")
    out += [
        f"- **{finding.code}** {finding.name} ({finding.severity.value}): {md_cell(finding.message, limit=None)}"
        for finding in _ordered(findings)
    ]
    if not findings:
        out.append("- no findings")
    if repair:
        from citecheck.reports.escape import md_code_block

        language = repair_format or "text"
        out += ["", f"Suggested repair ({language}): the link is gone and a good capture exists.", ""]
        out += md_code_block(repair, language)
    out += ["", f"_{md_cell(network.message, limit=None)}_"]
    return "\n".join(out)


def write_check_rich(
    reference: Reference,
    findings: list[Finding],
    network: NetworkState,
    stream: TextIO,
    repair: str | None = None,
    repair_format: str | None = None,
) -> None:
    """The plain layout, coloured by status and severity; untrusted text is never read as rich markup."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True)
    lines = verdict_lines(reference, findings, network)
    width = max(len(line.label) for line in lines)
    for line in lines:
        first, *rest = line.value.split("\n")
        text = Text()
        text.append(f"{line.label:>{width}}: ", style="bold")
        text.append(terminal_safe(first), style=line.style)
        console.print(text)
        for more in rest:
            console.print(Text(f"{'':>{width}}  " + terminal_safe(more), style="dim"))
    console.print()
    for finding in _ordered(findings):
        line = finding_line(finding)
        text = Text()
        text.append(f"{line.label} ", style=line.style)
        text.append(terminal_safe(line.value))
        console.print(text)
    if not findings:
        console.print(Text("no findings", style="green"))
    for number, repair_line in enumerate(repair_lines(repair, repair_format)):
        console.print(Text(repair_line, style="bold green" if number == 0 else ""))
    console.print(Text("note: " + terminal_safe(network.message), style="dim"))

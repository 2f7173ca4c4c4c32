"""Markdown reports people read: what to fix first, then repairs, findings, references and claims.

A document's report opens with a one-screen summary and a "Fix first" list
ranked by harm — sources lost with no capture, misquotes and wrong figures,
dead links with a repair ready, date problems, then the rest — one line per
kind of problem with its count.  Long tables and the uncited sentences are
collapsed inside ``<details>``; a report larger than GitHub renders is split
into linked files per section (:mod:`citecheck.reports.pages`).

Everything from the audited document passes through :mod:`citecheck.reports.escape`
(``md_text``/``md_cell`` for text, ``md_link``/``safe_url`` for URLs); repair
snippets go into fenced code blocks whose fence is longer than any backtick
run inside, so they stay literal whatever the citation contains.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from citecheck.checks.catalogue import RULES
from citecheck.checks.provenance import source_state
from citecheck.dates import PartialDate
from citecheck.models import (
    AuditSummary,
    Claim,
    Conflict,
    DocumentErrorKind,
    DocumentReport,
    DocumentSummary,
    Evidence,
    Finding,
    NetworkMode,
    Reference,
    Severity,
    SourceInfo,
    SourceStatus,
    TextOrigin,
)
from citecheck.reports.escape import md_cell, md_code_block, md_link, md_text
from citecheck.reports.evidence_text import evidence_markdown
from citecheck.reports.pages import REPORT_SIZE_LIMIT, Group, Piece, Section, link_target, paginate, single_file
from citecheck.reports.repair import SNIPPET_LANGUAGES, repair_snippet

SEVERITY_ORDER = [Severity.error, Severity.warning, Severity.info]
SEVERITY_ICON = {Severity.error: "✖ error", Severity.warning: "▲ warning", Severity.info: "ℹ info"}
SEVERITY_HEADING = {Severity.error: "✖ Errors", Severity.warning: "▲ Warnings", Severity.info: "ℹ Info"}
STATE_LABEL = {
    "live": "live",
    "archived": "archived",
    "lost": "**lost**",
    "no-url": "no URL",
    "not-checked": "not checked",
}
# Claim verdicts, the most troubling first; verdicts this list does not know follow in name order.
VERDICT_ORDER = [
    "source-lost",
    "unsupported",
    "partially-verified",
    "unresolvable",
    "not-checked",
    "sourced",
    "verified",
    "uncited",
]
ERROR_KIND_LABEL = {
    DocumentErrorKind.unreadable: "unreadable",
    DocumentErrorKind.not_audited: "not a regular file",
    DocumentErrorKind.internal_error: "internal error",
}
# Evidence kinds that only say how a claim is tied to a source, already shown in the sources column.
LINKING_EVIDENCE = {"marker", "attribution", "inferred"}
LONG_TABLE_ROWS = 25  # longer tables are collapsed inside <details>
FIX_FIRST_LINKS = 8  # links per "Fix first" line before "and N more"
# "Fix first" kinds from findings, in order of harm; ready repairs come between the first and the second.
FIX_FIRST_FINDING_KINDS: list[tuple[frozenset[str], str]] = [
    (frozenset({"CC501", "CC502"}), "Misquotes and figures the source does not give"),
    (frozenset({"CC401", "CC402", "CC405"}), "Impossible dates"),
    (frozenset({"CC403", "CC404", "CC303"}), "Dates that disagree with the source or its capture"),
]
# Findings saying a cited page is gone (a repair answers them) and those a lost source raises.
GONE_CODES = frozenset({"CC103", "CC201", "CC202", "CC203", "CC204"})
LOST_SOURCE_CODES = GONE_CODES | {"CC301", "CC304"}
_ANCHOR_RE = re.compile(r"[^A-Za-z0-9_-]")
_FILE_NAME_RE = re.compile(r"^[^/\\\x00-\x1f]+\.svg$")


def anchor(kind: str, identifier: str) -> str:
    """An HTML id for a row or section; ids come from documents, so only safe characters survive."""
    if identifier.isascii() and identifier.isalnum():  # most ids ("12", "c40"): nothing to replace
        return f"{kind}-{identifier}"
    return f"{kind}-{_ANCHOR_RE.sub('_', identifier)}"


# Cells of few distinct values (verdicts, statuses, codes, section titles, our own link labels), asked for on
# every row: escaped once per value.  Values are hashable text; the cache is bounded for long audits.
_repeated_cell = functools.lru_cache(maxsize=4_096)(md_cell)


class _SourceStates:
    """Each reference's :func:`source_state`, worked out once per report.

    The summary, "Fix first" and every claim row citing a reference ask for it (issue 17: eight times per
    reference).  ``by_id`` follows the report's ``{id: reference}`` mapping: a repeated id means its last
    reference, as ``references.get`` does.  ``cited[ref]`` is what a claim's sources column says of ``ref``,
    plainly and "by passage".
    """

    def __init__(self, references: Sequence[Reference]) -> None:
        self.states = [source_state(reference) for reference in references]
        self.by_id = dict(zip([reference.id for reference in references], self.states, strict=True))
        self.cited = _CitedEntries(self.by_id)


class _CitedEntries(dict[str, tuple[str, str]]):
    """Reference id → its sources-column entries (its link and state; ``missing``: no such reference), made on
    first use: a dict lookup for every later claim citing it."""

    def __init__(self, states: Mapping[str, str]) -> None:
        super().__init__()
        self._states = states

    def __missing__(self, ref: str) -> tuple[str, str]:
        state = self._states.get(ref)
        label = "missing" if state is None else STATE_LABEL.get(state, "")
        link = _ref_link(ref)
        entries = self[ref] = (f"{link} {label}", f"{link} (by passage) {label}")
        return entries


def _ordered_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first; within a severity, new findings (baseline applied) first, then by code."""
    return sorted(findings, key=lambda finding: (-finding.severity.rank, finding.new is not True, finding.code))


@functools.lru_cache(maxsize=1_024)
def _ref_link(reference_id: str) -> str:
    # A pure function of the id, asked for every claim, finding and evidence item citing the reference.
    return f"[{md_cell(reference_id, 20)}]({link_target(anchor('ref', reference_id))})"


def _where(finding: Finding) -> str:
    parts = []
    if finding.ref:
        parts.append(f"ref {_ref_link(finding.ref)}")
    if finding.claim:
        parts.append(f"[{md_cell(finding.claim, 20)}]({link_target(anchor('claim', finding.claim))})")
    if finding.line:
        parts.append(f"line {finding.line}")
    return ", ".join(parts) or "document"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _dates_cell(reference: Reference) -> str:
    dates = []
    if reference.date is not None:
        dates.append("published " + _date_text(reference.date))
    if reference.access_date is not None:
        dates.append("retrieved " + _date_text(reference.access_date))
    if reference.archive_date is not None:
        dates.append("archived " + _date_text(reference.archive_date))
    return "<br>".join(dates) or "—"


_DATE_CELLS: dict[tuple[int, int | None, int | None, bool], str] = {}


def _date_text(value: PartialDate) -> str:
    # The same dates recur across an audit's references (access dates above all); a date is immutable and its
    # fields make its text.  Keyed by them, not by the model, whose hash is a Python call (issue 17).
    key = (value.year, value.month, value.day, value.approximate)
    text = _DATE_CELLS.get(key)
    if text is None:
        if len(_DATE_CELLS) >= 8_192:  # bounded for long audits
            _DATE_CELLS.clear()
        text = _DATE_CELLS[key] = md_cell(value, 20)
    return text


def _counts_line(counts: Counter[str], order: list[str], labels: Mapping[str, str] | None = None) -> str:
    known = [key for key in order if counts.get(key)]
    others = sorted(key for key in counts if key not in order and counts[key])
    shown = [f"{counts[key]} {(labels or {}).get(key) or md_cell(key, 40)}" for key in known + others]
    return " · ".join(shown) or "none"


# --------------------------------------------------------------------------- summary and "Fix first"


def _numbered_findings(findings: list[Finding]) -> list[tuple[str, Finding]]:
    """Findings in report order, each with the anchor of its row in the findings section."""
    return [(f"finding-{number}", finding) for number, finding in enumerate(_ordered_findings(findings), start=1)]


def _summary_table(report: DocumentReport, section: Section, sources: _SourceStates) -> None:
    by_severity = Counter(finding.severity.value for finding in report.findings)
    verdicts = Counter(str(claim.verdict) for claim in report.claims)
    states = Counter(sources.states)
    baseline_applied = any(finding.new is not None for finding in report.findings)
    total = f"{len(report.findings)}"
    if baseline_applied:
        total += f" ({sum(1 for finding in report.findings if finding.new)} new)"
    section.add(
        "## Summary",
        "",
        "| findings | " + " | ".join(SEVERITY_ICON[severity] for severity in SEVERITY_ORDER) + " |"
        " claims by verdict | sources by state |",
        "| --- | ---: | ---: | ---: | --- | --- |",
        f"| {total} | "
        + " | ".join(str(by_severity.get(severity.value, 0)) for severity in SEVERITY_ORDER)
        + f" | {_counts_line(verdicts, VERDICT_ORDER)} | {_counts_line(states, list(STATE_LABEL), STATE_LABEL)} |",
        "",
    )


@dataclass
class _FixKind:
    """One line of "Fix first": a kind of problem, how many, and links to each."""

    label: str
    severity: Severity
    targets: list[tuple[str, str]]  # (link text, anchor)
    note: str = ""  # Markdown we write ourselves (no document text)


def _finding_label(finding: Finding) -> str:
    if finding.claim:
        return f"claim {finding.claim}"
    if finding.ref:
        return f"ref {finding.ref}"
    return f"line {finding.line}" if finding.line else "document"


def _finding_kind(label: str, group: list[tuple[str, Finding]]) -> _FixKind:
    severity = max((finding.severity for _, finding in group), key=lambda severity: severity.rank)
    return _FixKind(label, severity, [(_finding_label(finding), target) for target, finding in group])


def fix_first_kinds(
    report: DocumentReport,
    numbered: list[tuple[str, Finding]],
    repairs: Mapping[str, str],
    states: Sequence[str] | None = None,
) -> list[_FixKind]:
    """What to fix, most harmful first: lost sources, misquotes and wrong figures, ready repairs, dates, the rest.

    ``states``: each reference's :func:`source_state`, when the caller has them already.
    """
    kinds: list[_FixKind] = []
    if states is None:
        states = [source_state(reference) for reference in report.references]
    lost = [reference for reference, state in zip(report.references, states, strict=True) if state == "lost"]
    lost_ids = {reference.id for reference in lost}
    if lost:
        cited_by = sum(1 for claim in report.claims if lost_ids & set(claim.refs))
        note = f"cited by {_plural(cited_by, 'claim')}" if cited_by else ""
        targets = [(f"ref {reference.id}", anchor("ref", reference.id)) for reference in lost]
        kinds.append(_FixKind("Sources lost, with no capture to fall back on", Severity.error, targets, note))
    problems = [(target, finding) for target, finding in numbered if finding.severity is not Severity.info]
    covered: set[int] = set()
    for codes, label in FIX_FIRST_FINDING_KINDS[:1]:
        group = [(target, finding) for target, finding in problems if finding.code in codes]
        if group:
            kinds.append(_finding_kind(label, group))
            covered.update(id(finding) for _, finding in group)
    if repairs:
        gone = [
            finding
            for _, finding in problems
            if finding.ref in repairs and finding.code in GONE_CODES and finding.severity is not Severity.info
        ]
        severity = max((finding.severity for finding in gone), key=lambda item: item.rank, default=Severity.warning)
        targets = [(f"ref {ref}", anchor("repair", ref)) for ref in repairs]
        kinds.append(
            _FixKind(
                "Dead links with a repair ready to paste",
                severity,
                targets,
                f"the snippets are under [Repairs ready to paste]({link_target('repairs')})",
            )
        )
        covered.update(id(finding) for finding in gone)
    for codes, label in FIX_FIRST_FINDING_KINDS[1:]:
        group = [(target, finding) for target, finding in problems if finding.code in codes]
        if group:
            kinds.append(_finding_kind(label, group))
            covered.update(id(finding) for _, finding in group)
    # Lost sources' own findings (dead, no snapshot) are the first line already.
    covered.update(
        id(finding) for _, finding in problems if finding.ref in lost_ids and finding.code in LOST_SOURCE_CODES
    )
    rest: dict[str, list[tuple[str, Finding]]] = {}
    for target, finding in problems:
        if id(finding) not in covered:
            rest.setdefault(finding.code, []).append((target, finding))
    for code, group in sorted(rest.items(), key=lambda item: (-item[1][0][1].severity.rank, item[0])):
        kinds.append(_finding_kind(f"{code} {group[0][1].name}", group))
    return kinds


def _fix_first_line(number: int, kind: _FixKind) -> str:
    shown = kind.targets[:FIX_FIRST_LINKS]
    links = ", ".join(f"[{md_cell(text, 30)}]({link_target(target)})" for text, target in shown)
    more = len(kind.targets) - len(shown)
    if more:
        links += f" and {more} more"
    note = f" — {kind.note}" if kind.note else ""
    return f"{number}. {SEVERITY_ICON[kind.severity]} **{md_text(kind.label)}** ({len(kind.targets)}): {links}{note}"


def _fix_first(
    report: DocumentReport, numbered: list[tuple[str, Finding]], repairs: Mapping[str, str], states: Sequence[str]
) -> Piece:
    kinds = fix_first_kinds(report, numbered, repairs, states)
    lines = ['<a id="fix-first"></a>', "", "## Fix first", ""]
    if not kinds:
        return Piece([*lines, "Nothing to fix: no errors or warnings.", ""], anchors=("fix-first",))
    lines.append("Most harmful first; each line is one kind of problem, with how many there are.")
    lines.append("")
    lines += [_fix_first_line(number, kind) for number, kind in enumerate(kinds, start=1)]
    lines.append("")
    return Piece(lines, anchors=("fix-first",))


def _summary_section(
    report: DocumentReport, numbered: list[tuple[str, Finding]], repairs: Mapping[str, str], sources: _SourceStates
) -> Section:
    document = report.document
    cited = sum(1 for claim in report.claims if claim.refs)
    section = Section("summary", "Summary")
    network = [f"> **Network:** {md_text(report.network.message)}"]
    if report.network.mode != NetworkMode.online:
        network += [">", "> Links shown as *not checked* were not tested; none is reported dead for that reason."]
    section.add(
        f"# Citation audit: {md_text(document.title or document.path, 120)}",
        "",
        f"{md_cell(document.path, 200)} · {document.format} · "
        f"{_plural(len(report.references), 'reference')} · {_plural(len(report.claims), 'claim')} ({cited} cited)",
        "",
        *network,
        "",
    )
    _summary_table(report, section, sources)
    section.pieces.append(_fix_first(report, numbered, repairs, sources.states))
    if report.notices:
        section.add("Reader notices:", "", *(f"- {md_text(notice, 300)}" for notice in report.notices), "")
    return section


# --------------------------------------------------------------------------- repairs


def _repairs_section(report: DocumentReport, repairs: Mapping[str, str]) -> Section:
    section = Section("repairs", "Repairs ready to paste")
    if not repairs:
        return section
    language = SNIPPET_LANGUAGES.get(report.document.format, "text")
    section.add(
        '<a id="repairs"></a>',
        "",
        f"## Repairs ready to paste ({len(repairs)})",
        "",
        "Each link below is gone and a good capture exists: replace the citation with the snippet.",
        "",
        anchors=("repairs",),
    )
    references = {reference.id: reference for reference in report.references}
    for ref, snippet in repairs.items():
        reference = references[ref]
        title = f" — {md_text(reference.title, 80)}" if reference.title else ""
        section.add(
            f'#### <a id="{anchor("repair", ref)}"></a>Reference {_ref_link(ref)}{title}',
            "",
            f"Suggested repair ({language}): {md_text(_gone_because(reference))}.",
            "",
            *md_code_block(snippet, language),
            "",
            anchors=(anchor("repair", ref),),
        )
    return section


def _gone_because(reference: Reference) -> str:
    live = reference.live
    if live.status.value != "not-checked":
        status = live.status.value + (f", HTTP {live.http_status}" if live.http_status else "")
        why = f"the link is {status}"
    else:
        why = "the document marks the link dead"
    when = f" from {reference.archive.snapshot_time:%Y-%m-%d}" if reference.archive.snapshot_time else ""
    return f"{why}, and a good capture{when} exists"


# --------------------------------------------------------------------------- claims


def _claim_sources(claim: Claim, states: _SourceStates) -> str:
    cited = states.cited
    if claim.evidence:
        inferred = {evidence.ref for evidence in claim.evidence if evidence.kind == "inferred"}
        sources = [cited[ref][ref in inferred] for ref in claim.refs]
    else:
        sources = [cited[ref][0] for ref in claim.refs]
    dangling = [label for label in claim.markers if label not in claim.refs]
    if dangling and not claim.refs:
        sources.append("dangling " + md_cell(", ".join(dangling), 40))
    return "<br>".join(sources) or "—"


def _evidence_item(evidence: Evidence) -> str:
    special = evidence_markdown(evidence, _ref_link)  # passages, figures the source gives otherwise, drift
    if special is not None:
        return special
    pieces = [md_cell(evidence.kind, 20)]
    if evidence.status:
        pieces.append(md_cell(evidence.status, 20))
    text = " ".join(pieces) + ":"
    if evidence.excerpt:
        text += f" “{md_cell(evidence.excerpt, 200)}”"
    else:
        text += f" {md_cell(evidence.detail, 160)}"
    if evidence.ref:
        text += f" (ref {_ref_link(evidence.ref)})"
    if evidence.url:
        text += " " + md_link("source", evidence.url)
    return text


def _claim_evidence(claim: Claim, references: Mapping[str, Reference], states: _SourceStates) -> str:
    items = [_evidence_item(evidence) for evidence in claim.evidence if evidence.kind not in LINKING_EVIDENCE]
    if not items:
        # No passage was compared yet: the capture a reader can open is the evidence there is.
        for ref in claim.refs:
            if states.by_id.get(ref) == "archived":
                items.append(md_link(f"snapshot of {ref}", references[ref].archive.snapshot_url, 40))
    return "<br>".join(items) or "—"


def _table_group(header: tuple[str, ...], rows: int, what: str) -> Group:
    """A table, collapsed inside ``<details>`` when it is long."""
    return Group(header=header, summary=f"{what} — show the table" if rows > LONG_TABLE_ROWS else None)


def _claims_section(report: DocumentReport, references: Mapping[str, Reference], states: _SourceStates) -> Section:
    section = Section("claims", "Claims and their sources")
    section.add("## Claims and their sources", "")
    if not report.claims:
        section.add("No claims found in the document body.", "")
        return section
    cited = [claim for claim in report.claims if claim.refs or claim.markers]
    uncited = [claim for claim in report.claims if not (claim.refs or claim.markers)]
    if cited:
        header = ("| # | claim | section | sources | verdict | evidence |", "| --- | --- | --- | --- | --- | --- |")
        table = _table_group(header, len(cited), _plural(len(cited), "cited claim"))
        for claim in cited:
            target = anchor("claim", claim.id)
            section.add(
                f'| <a id="{target}"></a>{md_cell(claim.id, 20)} | {md_cell(claim.text, 400)} | '
                f"{_repeated_cell(claim.section or '', 60)} | {_claim_sources(claim, states)} | "
                f"{_repeated_cell(claim.verdict, 30)} | {_claim_evidence(claim, references, states)} |",
                anchors=(target,),
                group=table,
            )
    else:
        section.add("No sentence of the body cites a source.", "")
    if uncited:
        section.add(
            f"### Uncited sentences ({len(uncited)})",
            "",
            f"{_plural(len(uncited), 'sentence')} of the body {'cites' if len(uncited) == 1 else 'cite'} "
            "no source (CC601, info): statements a reader cannot check.",
            "",
        )
        listing = Group(summary=f"{_plural(len(uncited), 'uncited sentence')} — show them")
        for claim in uncited:
            target = anchor("claim", claim.id)
            where = f" ({md_text(claim.section, 60)})" if claim.section else ""
            section.add(
                f'- <a id="{target}"></a>{md_text(claim.id, 20)}{where}: {md_text(claim.text, 400)}',
                anchors=(target,),
                group=listing,
            )
    return section


# --------------------------------------------------------------------------- references


def _reference_citation(reference: Reference) -> str:
    pieces = []
    if reference.authors:
        pieces.append(md_cell("; ".join(reference.authors), 80))
    if reference.title:
        pieces.append(f"“{md_cell(reference.title, 160)}”")
    if reference.work or reference.publisher:
        pieces.append(md_cell(" · ".join(filter(None, [reference.work, reference.publisher])), 80))
    if not pieces:
        pieces.append(md_cell(reference.raw or "(empty)", 160))
    text = ". ".join(pieces)
    links = []
    if reference.url:
        links.append(md_link("original", reference.url))
    if reference.archive_url:
        links.append(md_link("cited archive", reference.archive_url))
    if links:
        text += "<br>" + " · ".join(links)
    return text


def _live_cell(reference: Reference) -> str:
    live = reference.live
    status = live.status  # a StrEnum member: compared and joined as its value, without the .value descriptor
    text: str = status
    if live.http_status:
        text += f" ({live.http_status})"
    if status == "dead" and not live.confirmed:
        text += ", unconfirmed"
    if status == "not-checked" and live.reason and live.reason.startswith("excluded"):
        return md_cell(text + f": {live.reason}")  # the reason is document-wide text: not cached
    return _repeated_cell(text, 300)


def _snapshot_cell(reference: Reference) -> str:
    archive = reference.archive
    text = _repeated_cell(archive.status, 300)
    if archive.snapshot_url:
        when = f"{archive.snapshot_time:%Y-%m-%d}" if archive.snapshot_time else "snapshot"
        text = f"{text} {md_link(when, archive.snapshot_url)}"
    elif archive.snapshot_time:
        text += f" {archive.snapshot_time:%Y-%m-%d}"
    if archive.days_from_access is not None:
        text += f" ({archive.days_from_access:+d} d from access)"
    return text


def _source_cell(source: SourceInfo) -> str:
    if source.status == SourceStatus.fetched:
        origin = "from the live page (no capture)" if source.origin == TextOrigin.live else "from the capture"
        text = f"read {origin}"
        if source.chars is not None:
            text += f", {source.chars} chars"
        if source.page_date is not None:
            text += f"; page dated {md_cell(source.page_date.date, 20)} ({md_cell(source.page_date.method, 40)})"
        return text
    if source.status == SourceStatus.unavailable:
        return "unavailable" + (f": {md_cell(source.reason, 80)}" if source.reason else "")
    return "not read"


def _details_cell(reference: Reference, timelines: Mapping[str, str], repairs: Mapping[str, str]) -> str:
    details = []
    if reference.id in timelines:
        details.append("timeline")
    if reference.candidates:
        details.append(_plural(len(reference.candidates), "candidate"))
    cell = f"[{', '.join(details)}]({link_target(anchor('details', reference.id))})" if details else ""
    if reference.id in repairs:
        cell += (", " if cell else "") + f"[repair]({link_target(anchor('repair', reference.id))})"
    return cell or "—"


def _references_section(report: DocumentReport, timelines: Mapping[str, str], repairs: Mapping[str, str]) -> Section:
    section = Section("references", "References")
    section.add("## References", "")
    if not report.references:
        section.add("The document has no reference list.", "")
        return section
    header = (
        "| # | citation | dates (as cited) | live | snapshot | source read | uses | flags | details |",
        "| --- | --- | --- | --- | --- | --- | ---: | --- | --- |",
    )
    table = _table_group(header, len(report.references), _plural(len(report.references), "reference"))
    for reference in report.references:
        flags = ", ".join(reference.source_flags)
        target = anchor("ref", reference.id)
        section.add(
            f'| <a id="{target}"></a>{md_cell(reference.id, 20)} | '
            f"{_reference_citation(reference)} | {_dates_cell(reference)} | "
            f"{_live_cell(reference)} | {_snapshot_cell(reference)} | "
            f"{_source_cell(reference.source)} | {reference.uses} | {_repeated_cell(flags, 300) if flags else '—'} | "
            f"{_details_cell(reference, timelines, repairs)} |",
            anchors=(target,),
            group=table,
        )
    _reference_details(report, timelines, section)
    return section


def _timeline_image(reference: Reference, file_name: str) -> str | None:
    # The writer puts the file next to the report; anything that is not a plain
    # file name (a path, a URL) is not ours and is not embedded.
    if not _FILE_NAME_RE.match(file_name):
        return None
    alt = md_text(f"Timeline of reference {reference.id}", 60)
    return f"![{alt}](<{quote(file_name)}>)"


def _reference_details(report: DocumentReport, timelines: Mapping[str, str], section: Section) -> None:
    heading = False
    for reference in report.references:
        image = _timeline_image(reference, timelines[reference.id]) if reference.id in timelines else None
        if image is None and not reference.candidates:
            continue
        if not heading:
            section.add("### Reference details", "")
            heading = True
        title = f" — {md_text(reference.title, 80)}" if reference.title else ""
        target = anchor("details", reference.id)
        lines = [f'#### <a id="{target}"></a>Reference {md_text(reference.id, 20)}{title}', ""]
        if image is not None:
            lines += [image, ""]
        if reference.candidates:
            lines.append("Discovery candidates (proposals for a reference without a URL, not verified facts):")
            lines.append("")
            for candidate in reference.candidates:
                matched = md_text(", ".join(candidate.matched_words), 120) if candidate.matched_words else "—"
                item = f"- candidate {md_link(candidate.url, candidate.url, 100)} (score {candidate.score:.2f}"
                item += f"; matched: {matched})"
                if candidate.snapshot_url:
                    when = f"{candidate.snapshot_time:%Y-%m-%d}" if candidate.snapshot_time else "snapshot"
                    item += f" · {md_link('capture ' + when, candidate.snapshot_url)}"
                lines.append(item)
            lines.append("")
        section.add(*lines, anchors=(target,))


# --------------------------------------------------------------------------- findings


def _findings_section(report: DocumentReport, numbered: list[tuple[str, Finding]]) -> Section:
    section = Section("findings", "Findings")
    section.add("## Findings", "")
    if not report.findings:
        section.add("No findings.", "")
        return section
    baseline_applied = any(finding.new is not None for finding in report.findings)
    for severity in SEVERITY_ORDER:
        group = [(target, finding) for target, finding in numbered if finding.severity is severity]
        if not group:
            continue
        section.add(f"### {SEVERITY_HEADING[severity]} ({len(group)})", "")
        if baseline_applied:
            header = ("| code | name | where | message | new |", "| --- | --- | --- | --- | --- |")
        else:
            header = ("| code | name | where | message |", "| --- | --- | --- | --- |")
        noun = {Severity.error: "error", Severity.warning: "warning", Severity.info: "info finding"}[severity]
        collapsed = severity is Severity.info or len(group) > LONG_TABLE_ROWS
        table = Group(header=header, summary=f"{_plural(len(group), noun)} — show the table" if collapsed else None)
        for target, finding in group:
            row = (
                f'| <a id="{target}"></a>{_repeated_cell(finding.code, 10)} | '
                f"{_repeated_cell(finding.name, 40)} | {_where(finding)} | {md_cell(finding.message, 300)} |"
            )
            if baseline_applied:
                row += " **new** |" if finding.new else " |"
            section.add(row, anchors=(target,), group=table)
    return section


# --------------------------------------------------------------------------- documents


def document_repairs(report: DocumentReport) -> dict[str, str]:
    """Reference id → the ready-to-paste repair, for every reference that has one."""
    repairs: dict[str, str] = {}
    if report.document.format in SNIPPET_LANGUAGES:
        for reference in report.references:
            snippet = repair_snippet(reference, report.document.format)
            if snippet is not None:
                repairs[reference.id] = snippet
    return repairs


def document_sections(report: DocumentReport, *, timelines: Mapping[str, str] | None = None) -> list[Section]:
    """The per-document report: summary and "Fix first", repairs, findings, references, claims."""
    references = {reference.id: reference for reference in report.references}
    states = _SourceStates(report.references)
    numbered = _numbered_findings(report.findings)
    repairs = document_repairs(report)
    sections = [
        _summary_section(report, numbered, repairs, states),
        _repairs_section(report, repairs),
        _findings_section(report, numbered),
        _references_section(report, timelines or {}, repairs),
        _claims_section(report, references, states),
    ]
    return [section for section in sections if section.pieces]


def render_document_markdown(report: DocumentReport, *, timelines: Mapping[str, str] | None = None) -> str:
    """The per-document report as one Markdown file, however long.

    ``timelines`` maps reference ids to SVG file names written next to the
    report (see :func:`citecheck.reports.timeline.timeline_names`).
    """
    return single_file(document_sections(report, timelines=timelines))


def render_document_files(
    report: DocumentReport,
    stem: str,
    *,
    timelines: Mapping[str, str] | None = None,
    limit: int = REPORT_SIZE_LIMIT,
) -> dict[str, str]:
    """File name → Markdown: ``<stem>.md``, split per section into linked files when larger than ``limit`` bytes."""
    title = f"Citation audit: {md_text(report.document.title or report.document.path, 120)}"
    return paginate(document_sections(report, timelines=timelines), stem, title, limit=limit)


# --------------------------------------------------------------------------- index


def _conflict_section(summary: AuditSummary, reports: Mapping[str, str]) -> list[str]:
    lines = [f"## Conflicting figures ({len(summary.conflicts)})", ""]
    lines.append("Claims in this audit that give different figures for the same thing (CC503).")
    lines.append("")
    for conflict in summary.conflicts:
        lines.extend(_conflict_table(conflict, reports))
    return lines


def _conflict_table(conflict: Conflict, reports: Mapping[str, str]) -> list[str]:
    lines = [f"### {md_text(conflict.subject, 120)} ({md_text(conflict.quantity, 40)})", ""]
    lines.append("| document | says | claim | sources |")
    lines.append("| --- | --- | --- | --- |")
    for statement in conflict.statements:
        report_md = reports.get(statement.document)
        document = md_cell(statement.document, 80)
        if report_md is not None:
            document = f"[{document}](<{quote(report_md)}#{anchor('claim', statement.claim)}>)"
        sources = "<br>".join(md_cell(source, 120) for source in statement.sources) or "—"
        lines.append(
            f"| {document} | **{md_cell(statement.figure, 40)}** | {md_cell(statement.text, 300)} | {sources} |"
        )
    lines.append("")
    return lines


def index_rank(document: DocumentSummary) -> tuple[int, int, str]:
    """Where a document stands in ``index.md``: most errors, then most warnings, then by path."""
    return (-document.findings.get("error", 0), -document.findings.get("warning", 0), document.path)


def _index_row(document: DocumentSummary) -> str:
    # The most frequent codes, most severe first, so the row says what kind of trouble it is.
    ranked_codes = sorted(
        document.codes.items(),
        key=lambda item: (-(RULES[item[0]].severity.rank if item[0] in RULES else 0), -item[1], item[0]),
    )
    top = ", ".join(f"{md_cell(code, 10)}×{count}" for code, count in ranked_codes[:4])
    return (
        f"| [{md_cell(document.title or document.path, 80)}](<{quote(document.report_md)}>) | "
        f"{document.format} | {document.references} | {document.claims} ({document.cited_claims}) | "
        f"{document.findings.get('error', 0)} | {document.findings.get('warning', 0)} | "
        f"{document.findings.get('info', 0)} | {top or '—'} |"
    )


def index_markdown_lines(
    summary: AuditSummary,
    *,
    documents: int,
    totals: Mapping[str, int],
    ranked: Iterable[DocumentSummary],
    conflict_reports: Mapping[str, str],
) -> Iterator[str]:
    """The lines of ``index.md`` (joined by newlines) for an audit whose documents arrive ranked.

    ``summary`` gives everything but its documents: ``documents`` is how many
    there are, ``totals`` their findings by severity, ``ranked`` their
    summaries in :func:`index_rank` order and ``conflict_reports`` the report
    file of each document a conflict names.
    """
    yield "# Citation audit"
    yield ""
    yield f"Generated {summary.generated_at:%Y-%m-%d %H:%M} UTC. **Network:** {md_text(summary.network.message)}"
    yield ""
    line = (
        f"{_plural(documents, 'document')} audited, {len(summary.errors)} not audited · "
        f"{_plural(totals.get('error', 0), 'error')}, {_plural(totals.get('warning', 0), 'warning')}, "
        f"{totals.get('info', 0)} info"
    )
    if summary.new_findings is not None:
        line += f" · **{summary.new_findings} new** since the baseline"
    if summary.conflicts:
        line += f" · [{_plural(len(summary.conflicts), 'figure conflict')}](#conflicting-figures)"
    yield line + "."
    yield ""
    if documents:
        yield "| document | format | references | claims (cited) | errors | warnings | info | top codes |"
        yield "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
        for document in ranked:
            yield _index_row(document)
        yield ""
    lines: list[str] = []
    if summary.conflicts:
        lines += ['<a id="conflicting-figures"></a>', ""]
        lines += _conflict_section(summary, conflict_reports)
    if summary.errors:
        lines.append(f"## Not audited ({len(summary.errors)})")
        lines.append("")
        for error in summary.errors:
            lines.append(f"- {ERROR_KIND_LABEL.get(error.kind, error.kind)}: {md_text(error.error, 300)}")
        lines.append("")
    if summary.internal_errors:
        lines.append("## Internal errors")
        lines.append("")
        lines.append("citecheck failed in these steps (a bug: please report it); everything else was audited.")
        lines.append("")
        lines += [f"- {md_text(problem, 300)}" for problem in summary.internal_errors]
        lines.append("")
    yield from lines


def render_index_markdown(summary: AuditSummary) -> str:
    """``index.md``: documents ranked by problems (errors, then warnings), then figure conflicts."""
    totals = Counter[str]()
    for document in summary.documents:
        totals.update(document.findings)
    lines = index_markdown_lines(
        summary,
        documents=len(summary.documents),
        totals=totals,
        ranked=sorted(summary.documents, key=index_rank),
        conflict_reports={document.path: document.report_md for document in summary.documents},
    )
    return "\n".join(lines)

"""``citecheck evidence``: for one claim and one source, the passages to read and what the source says otherwise.

:func:`claim_evidence` is the audit's own claim check
(:func:`citecheck.checks.integrity.check_claim`) run on one claim against one
source text: the passages that best match the claim (top three, with offsets,
score and method), each quote and figure looked up (where it was found, in
which sentence), figures the closest passage gives differently (CC504),
names no source contains, a "check by hand" note (CC505), and — for a page
read from a capture that is still live — what changed on the live page
(CC207).  It never says "supported": similarity cannot tell a claim from its
negation.

The source is a file (HTML, PDF, plain text) or a URL.  A URL is read through
the resolve stage, like an audit reads it: the live check, the capture
nearest ``--accessed`` (or the live page when there is none), the store, the
SSRF guard.  :func:`fetch_source_text` is the one place that does it, so the
resolve stage can be re-pointed there alone.
"""

from __future__ import annotations

from pathlib import Path

from citecheck.checks.integrity import ClaimCheck, check_claim
from citecheck.config import AuditOptions
from citecheck.dates import parse_date
from citecheck.models import (
    Claim,
    DocumentFormat,
    Evidence,
    EvidenceKind,
    EvidenceReport,
    EvidenceSource,
    LiveCheck,
    LiveStatus,
    NetworkMode,
    NetworkState,
    ParsedDocument,
    Reference,
    SourceInfo,
    SourceStatus,
    TextOrigin,
)
from citecheck.pipeline import run_network_stage
from citecheck.resolve.pdf_text import extract_pdf_text, looks_like_pdf
from citecheck.resolve.sources import SourceText, read_page_body

MAX_SOURCE_FILE_BYTES = 50 * 1024 * 1024
MAX_CLAIM_CHARS = 5000
SOURCE_REF = "1"
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_HTML_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body")

__all__ = ["EvidenceError", "EvidenceReport", "claim_evidence", "evidence_for", "fetch_source_text", "read_source"]


class EvidenceError(ValueError):
    """The claim or the source cannot be used; the message says what to do (exit code 2)."""


def _grouped(check: ClaimCheck) -> dict[str, list[Evidence]]:
    groups: dict[str, list[Evidence]] = {"passages": [], "quotes": [], "figures": [], "names": [], "drift": []}
    other: list[Evidence] = []
    names = {
        EvidenceKind.passage: "passages",
        EvidenceKind.quote: "quotes",
        EvidenceKind.figure: "figures",
        EvidenceKind.name: "names",
        EvidenceKind.drift: "drift",
    }
    for evidence in check.evidence:
        group = names.get(evidence.kind)
        (groups[group] if group else other).append(evidence)
    return {**groups, "other": other}


def claim_evidence(claim_text: str, source: SourceText, source_input: str) -> EvidenceReport:
    """The evidence one source text gives for one claim (pure: no I/O)."""
    text = " ".join(claim_text.split())
    if not text:
        raise EvidenceError("nothing to check: give the claim as one sentence, in quotes")
    if len(text) > MAX_CLAIM_CHARS:
        raise EvidenceError(f"the claim is {len(text):,} characters long; give one claim (at most {MAX_CLAIM_CHARS:,})")
    reference = Reference(id=SOURCE_REF, url=source.info.url, raw=source_input)
    claim = Claim(id="c1", text=text, refs=[SOURCE_REF])
    check = check_claim(claim, {SOURCE_REF: reference}, {SOURCE_REF: source}, network_ran=True)
    groups = _grouped(check)
    origin = source.info.origin or "file"
    return EvidenceReport(
        claim=text,
        source=EvidenceSource(
            input=source_input,
            url=source.info.url,
            origin=origin,
            title=source.info.title,
            extractor=source.info.extractor,
            chars=len(source.text),
            reason=source.info.reason,
        ),
        verdict=check.verdict,
        findings=check.findings,
        **groups,
    )


# --------------------------------------------------------------------------- reading the source


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_source(path: Path) -> SourceText:
    """A local file as a source text: PDF (text layer), HTML (main text, as the audit extracts it), or plain text.

    Raises :class:`EvidenceError` for a file that cannot be read or holds no text.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_FILE_BYTES + 1)
    except OSError as error:
        raise EvidenceError(f"{path}: cannot read the source ({error.strerror or error})") from None
    if len(data) > MAX_SOURCE_FILE_BYTES:
        raise EvidenceError(f"{path}: larger than {MAX_SOURCE_FILE_BYTES // (1024 * 1024)} MB; give a smaller source")
    name = str(path)
    if path.suffix.lower() == ".pdf" or looks_like_pdf(data):
        pdf = extract_pdf_text(data)
        if pdf.text is None:
            raise EvidenceError(f"{path}: {pdf.reason or 'no text in the PDF'}")
        info = SourceInfo(status=SourceStatus.fetched, extractor="pypdf", chars=len(pdf.text), reason=pdf.reason)
        return SourceText(info, pdf.text)
    head = data[:512].lstrip().lower()
    if path.suffix.lower() in _HTML_SUFFIXES or head.startswith(_HTML_SNIFF):
        read = read_page_body(TextOrigin.live, name, name, data, "text/html", truncated=False)
        if read.status != SourceStatus.fetched:
            raise EvidenceError(f"{path}: {read.reason or 'no text on the page'}")
        info = SourceInfo(status=SourceStatus.fetched, title=read.title, extractor=read.extractor, chars=len(read.text))
        return SourceText(info, read.text)
    text = data.decode("utf-8", errors="replace").strip()
    if not text:
        raise EvidenceError(f"{path}: the source is empty")
    return SourceText(SourceInfo(status=SourceStatus.fetched, extractor="plain-text", chars=len(text)), text)


def fetch_source_text(url: str, options: AuditOptions, accessed: str | None = None) -> tuple[SourceText, NetworkState]:
    """The text of the page at ``url`` as an audit reads it: the capture nearest the access date (today when none
    is given), else the live page; offline, only what the store holds.

    This is the one call into the resolve stage (so it can be re-pointed when that stage changes).
    """
    access_date = parse_date(accessed) if accessed else None
    if accessed and access_date is None:
        raise EvidenceError(f"--accessed: not a date: {accessed!r}")
    reference = Reference(id=SOURCE_REF, url=url, raw=url, access_date=access_date)
    document = ParsedDocument(path="<evidence>", format=DocumentFormat.text, references=[reference])
    batch = run_network_stage([document], options)
    resolved = document.references[0]
    source = batch.sources_for(document).get(SOURCE_REF)
    if source is None or source.info.status != SourceStatus.fetched or not source.text.strip():
        reason = (source.info.reason if source is not None else None) or _unread_reason(resolved, batch.network)
        raise EvidenceError(f"{url}: no source text ({reason})")
    return source, batch.network


def _unread_reason(reference: Reference, network: NetworkState) -> str:
    if network.mode != NetworkMode.online:
        return network.message
    live: LiveCheck = reference.live
    if live.status is not LiveStatus.alive:
        return f"the page is {live.status.value}" + (f" ({live.reason})" if live.reason else "")
    return "the page could not be read"


def evidence_for(
    claim_text: str,
    source: str,
    options: AuditOptions | None = None,
    *,
    accessed: str | None = None,
) -> EvidenceReport:
    """``citecheck evidence``: read the source (a path or an http(s) URL) and gather the claim's evidence in it."""
    options = options or AuditOptions()
    if not claim_text.strip():
        raise EvidenceError("nothing to check: give the claim as one sentence, in quotes")
    if _is_url(source):
        text, network = fetch_source_text(source, options, accessed)
        report = claim_evidence(claim_text, text, source)
        return report.model_copy(update={"network": network})
    if "://" in source:
        raise EvidenceError(f"refusing {source.split('://', 1)[0]}:// sources; give a file path or an http(s) URL")
    path = Path(source)
    if not path.is_file():
        raise EvidenceError(f"{source}: no such file (give a file path or an http(s) URL)")
    return claim_evidence(claim_text, read_source(path), source)

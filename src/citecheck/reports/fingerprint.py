"""Stable finding fingerprints: what baselines, SARIF and CI annotations match findings on.

A fingerprint must survive everything that does not change the problem:

* reordering or renumbering the reference list (``[3]`` becoming ``[4]``),
* edits elsewhere in the document, which shift line numbers and claim ids,
* whitespace and line-wrapping changes,
* the audit running on another day (some messages quote today's date).

So it never uses ids, list numbers or lines.  It hashes:

1. the finding's code;
2. the document's path, relative to the repository root with ``/`` separators;
3. a *content key* for what the finding is about — for a reference its
   normalized URL (else archive URL, else title with outlet, else raw text);
   for a claim its normalized sentence; both for findings that name both;
4. the finding's *subject*: its message with URLs, ids, marker labels and
   numbers that are not part of the claim's own text replaced by ``#``, so
   two different problems of one code on one source (``published`` vs
   ``retrieved`` in the future) stay apart.

Findings that still collide (two identical uncited sentences, one source cited
twice) are told apart by their order among equals, which reordering the
document cannot change for findings whose keys differ.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from citecheck.models import Claim, DocumentReport, Finding, Reference

FINGERPRINT_VERSION = "citecheck/v1"
FINGERPRINT_LENGTH = 16  # hex digits: 64 bits, ample for the findings of one repository

_URL_RE = re.compile(r"\b(?:https?|ftp)://\S+", re.I)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_NON_WORD_RE = re.compile(r"[\W_]+")
_DIGITS_RE = re.compile(r"\d+")
_WHITESPACE_RE = re.compile(r"\s+")
# What a reference list puts before a citation's text: "3.", "[3]", "^ a b c",
# "↑", "Jump up to: a b", "3.0 3.1".  None of it is the citation.
_LIST_PREFIX_RE = re.compile(
    r"^(?:\s*(?:\[\^?\w+\]|\d+(?:\.\d+)*[.):]?|\^|↑|jump up to:?|[a-z](?=\s)))+\s*",
    re.I,
)


def document_key(path: str, root: Path | None = None) -> str:
    """The document's path as fingerprints and machine outputs name it.

    Relative to ``root`` (default: the current directory) when the path lies
    under it, with ``/`` separators and no ``./``; URLs are kept as they are.
    """
    if _SCHEME_RE.match(path):
        return path
    posix = path.replace("\\", "/")
    candidate = Path(posix)
    if root is not None or candidate.is_absolute():
        base = root if root is not None else Path.cwd()
        absolute = candidate if candidate.is_absolute() else Path.cwd() / candidate
        # Resolved forms too: a temporary or home folder reached through a symlink.
        for parent, child in ((base, absolute), (base.resolve(), absolute.resolve())):
            try:
                posix = child.relative_to(parent).as_posix()
                break
            except ValueError:
                continue
    normalized = posixpath.normpath(posix)
    return normalized.removeprefix("./")


def normalized_text(text: str) -> str:
    """Case, accents' composition, punctuation and whitespace folded away."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD_RE.sub(" ", folded).strip()


def normalized_url(url: str) -> str:
    """A URL as the same citation: no scheme, ``www.``, default port, fragment or trailing slash."""
    stripped = url.strip()
    try:
        parts = urlsplit(stripped)
        port = parts.port
    except ValueError:
        return stripped.casefold()
    host = (parts.hostname or "").removeprefix("www.")
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{netloc}{path}{query}"


def reference_content_key(reference: Reference) -> str:
    """What a reference cites, independent of its number, id and place in the list."""
    if reference.url:
        return "url:" + normalized_url(reference.url)
    if reference.archive_url:
        return "archive-url:" + normalized_url(reference.archive_url)
    if reference.title:
        outlet = reference.work or reference.publisher or ""
        return "title:" + normalized_text(f"{reference.title} {outlet}")
    return "raw:" + normalized_text(_LIST_PREFIX_RE.sub("", reference.raw))


def claim_content_key(claim: Claim) -> str:
    return "claim:" + normalized_text(claim.text)


def _find_reference(report: DocumentReport, ref_id: str | None) -> Reference | None:
    if ref_id is None:
        return None
    return next((reference for reference in report.references if reference.id == ref_id), None)


def _find_claim(report: DocumentReport, claim_id: str | None) -> Claim | None:
    if claim_id is None:
        return None
    return next((claim for claim in report.claims if claim.id == claim_id), None)


def source_line(finding: Finding, report: DocumentReport) -> int | None:
    """The document line a finding points at: its own, else its reference's or claim's."""
    if finding.line is not None:
        return finding.line
    reference = _find_reference(report, finding.ref)
    if reference is not None and reference.line is not None:
        return reference.line
    claim = _find_claim(report, finding.claim)
    return claim.line if claim is not None else None


def finding_subject(finding: Finding, reference: Reference | None, claim: Claim | None) -> str:
    """The message with everything that moves between runs replaced by ``#``.

    Ids, list numbers and marker labels change when a list is renumbered;
    dates such as "today" change every day; snapshot URLs change when the
    archive gains a capture.  Numbers the claim itself states ("40 people")
    are what the finding is about, so they stay.
    """
    positions = {finding.ref, finding.claim}
    if reference is not None:
        positions |= {reference.id, reference.name, str(reference.number) if reference.number is not None else None}
    if claim is not None:
        positions |= {claim.id, *claim.refs, *claim.markers}
    subject = _URL_RE.sub("<url>", finding.message)
    # Only labels the message holds can match (most messages name none): no pattern built for the others.
    labels = sorted((label for label in positions if label and label in subject), key=len, reverse=True)
    if labels:
        alternatives = "|".join(re.escape(label) for label in labels)
        subject = re.sub(rf"(?<![\w-])(?:{alternatives})(?![\w-])", "#", subject)
    stated = set(_DIGITS_RE.findall(claim.text)) if claim is not None else set()
    subject = _DIGITS_RE.sub(lambda match: match.group() if match.group() in stated else "#", subject)
    return _WHITESPACE_RE.sub(" ", subject.casefold()).strip()


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def _fingerprint(finding: Finding, document: str, reference: Reference | None, claim: Claim | None) -> str:
    keys = []
    if claim is not None:
        keys.append(claim_content_key(claim))
    if reference is not None:
        keys.append(reference_content_key(reference))
    return _digest(
        FINGERPRINT_VERSION, finding.code, document, "\x1e".join(keys), finding_subject(finding, reference, claim)
    )


def finding_fingerprint(finding: Finding, report: DocumentReport, *, root: Path | None = None) -> str:
    """The fingerprint of one finding before telling apart findings that collide (see module doc)."""
    return _fingerprint(
        finding,
        document_key(report.document.path, root),
        _find_reference(report, finding.ref),
        _find_claim(report, finding.claim),
    )


def report_fingerprints(report: DocumentReport, *, root: Path | None = None) -> list[str]:
    """Every finding's fingerprint, in report order, unique within the report.

    The n-th repeat (n ≥ 1) of a fingerprint becomes a hash of it and n, so the
    first occurrence keeps the plain fingerprint a baseline most likely holds.
    """
    document = document_key(report.document.path, root)
    # First wins, as in _find_reference/_find_claim: ids are unique in a well-formed report (walking the lists
    # backwards, the first of several references or claims sharing an id is the one left).
    references = {reference.id: reference for reference in reversed(report.references)}
    claims = {claim.id: claim for claim in reversed(report.claims)}
    seen: Counter[str] = Counter()
    fingerprints = []
    for finding in report.findings:
        subject_reference = references.get(finding.ref) if finding.ref is not None else None
        subject_claim = claims.get(finding.claim) if finding.claim is not None else None
        base = _fingerprint(finding, document, subject_reference, subject_claim)
        repeat = seen[base]
        seen[base] += 1
        fingerprints.append(base if repeat == 0 else _digest(base, str(repeat)))
    return fingerprints


def assign_fingerprints(report: DocumentReport, *, root: Path | None = None) -> None:
    """Set ``fingerprint`` on every finding of ``report``."""
    for finding, fingerprint in zip(report.findings, report_fingerprints(report, root=root), strict=True):
        finding.fingerprint = fingerprint


def fingerprints_of(report: DocumentReport, *, root: Path | None = None) -> list[str]:
    """The findings' fingerprints as assigned, computing them when any is missing (without mutating)."""
    assigned = [finding.fingerprint for finding in report.findings]
    if all(fingerprint is not None for fingerprint in assigned):
        return [fingerprint for fingerprint in assigned if fingerprint is not None]
    return report_fingerprints(report, root=root)

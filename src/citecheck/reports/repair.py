"""Ready-to-paste repairs: a dead citation's archived copy, written in the document's own format.

A repair is offered only when the link is gone (a live check found it dead,
soft-404, parked or redirected away, or the document itself marks it dead)
*and* the archive stage found a good capture.  Every URL goes through
:func:`citecheck.reports.escape.safe_url` first, so a snippet never carries a
``javascript:`` link or a character that would end the surrounding syntax
(``|`` and ``}`` in a wikitext template, quotes in an HTML attribute); when a
URL is not safe, no snippet is offered at all.  The snippet as a whole is cleaned
with :func:`citecheck.reports.escape.display_text` (line breaks kept): it is meant
to be pasted into a document, so it must not carry controls, escape sequences or
bidi controls from the citation's raw text.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date
from typing import TYPE_CHECKING

from citecheck.models import ArchiveStatus, DocumentFormat, LiveStatus, Reference, SourceFlag
from citecheck.references.archive_urls import parse_archive_url
from citecheck.reports.escape import display_text, md_text, safe_url

LIVE_GONE = {LiveStatus.dead, LiveStatus.soft_404, LiveStatus.parked, LiveStatus.redirected}
DEAD_SOURCE_FLAGS = {SourceFlag.dead_link, SourceFlag.permanent_dead_link, SourceFlag.url_status_dead}
# url-status values CS1 accepts that already mean "do not link the original".
_CS1_DEAD_STATUSES = {"dead", "unfit", "usurped"}

# mwparserfromhell is imported where a repair is written: most audits write none (issue 17).
if TYPE_CHECKING:
    import mwparserfromhell
_CITE_TEMPLATE_RE = re.compile(r"^(?:v?cite\s+\S.*|citation)$")
# CS1 aliases: when the template already uses one, the repair sets that one rather than adding a duplicate.
_ARCHIVE_URL_NAMES = ("archive-url", "archiveurl")
_ARCHIVE_DATE_NAMES = ("archive-date", "archivedate")
_LEGACY_DEAD_URL_NAMES = ("dead-url", "deadurl")
_WHITESPACE_RE = re.compile(r"\s+")
SNIPPET_LANGUAGES = {"wikitext": "wikitext", "markdown": "markdown", "html": "html", "text": "text"}


def is_gone(reference: Reference) -> bool:
    """The cited page is no longer what the citation points to, by our check or the document's own mark."""
    return reference.live.status in LIVE_GONE or bool(DEAD_SOURCE_FLAGS & set(reference.source_flags))


def _capture_day(reference: Reference, snapshot_url: str) -> date | None:
    moment = reference.archive.snapshot_time
    if moment is None:
        parsed = parse_archive_url(snapshot_url)
        moment = parsed.timestamp if parsed is not None else None
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).date()


def _already_cites(reference: Reference) -> bool:
    """True when the citation's own archive URL already opens the chosen capture (nothing to repair)."""
    snapshot_url, capture = reference.archive.snapshot_url, reference.archive.snapshot_time
    if not reference.archive_url or not snapshot_url:
        return False
    if reference.archive_url.strip() == snapshot_url.strip():
        return True
    cited = parse_archive_url(reference.archive_url)
    return (
        cited is not None
        and cited.timestamp is not None
        and capture is not None
        and cited.timestamp == (capture if capture.tzinfo else capture.replace(tzinfo=UTC))
    )


def _plain_title(reference: Reference, original: str) -> str:
    title = reference.title or reference.work or original
    return _WHITESPACE_RE.sub(" ", title).strip()


def _template_name(template: mwparserfromhell.nodes.Template) -> str:
    return _WHITESPACE_RE.sub(" ", str(template.name.strip_code()).replace("_", " ")).strip().lower()


def _set_parameter(template: mwparserfromhell.nodes.Template, names: tuple[str, ...], value: str) -> None:
    existing = next((name for name in names if template.has(name)), names[0])
    template.add(existing, value)


def is_cite_template(template: mwparserfromhell.nodes.Template) -> bool:
    """A CS1/CS2 citation template (``{{cite web}}``, ``{{citation}}`` …)."""
    return bool(_CITE_TEMPLATE_RE.match(_template_name(template)))


def set_archive_fields(template: mwparserfromhell.nodes.Template, snapshot: str, archive_date: str) -> None:
    """Set archive-url/archive-date (under the alias the template already uses) and url-status=dead, in place."""
    for legacy in _LEGACY_DEAD_URL_NAMES:
        # dead-url=yes and url-status together are a CS1 error; url-status replaces it.
        if template.has(legacy):
            template.remove(legacy, keep_field=False)
    _set_parameter(template, _ARCHIVE_URL_NAMES, snapshot)
    _set_parameter(template, _ARCHIVE_DATE_NAMES, archive_date)
    status = str(template.get("url-status").value).strip().lower() if template.has("url-status") else ""
    if status not in _CS1_DEAD_STATUSES:
        template.add("url-status", "dead")


def _repaired_cite_template(raw: str, snapshot: str, archive_date: str) -> str | None:
    """The document's own cite template with archive-url/archive-date/url-status set, or None."""
    import mwparserfromhell

    code = mwparserfromhell.parse(raw)
    for template in code.filter_templates(recursive=False):
        if not is_cite_template(template):
            continue
        set_archive_fields(template, snapshot, archive_date)
        return str(template)
    return None


def _wikitext_snippet(reference: Reference, snapshot: str, day: date) -> str:
    repaired = _repaired_cite_template(reference.raw, snapshot, day.isoformat()) if "{{" in reference.raw else None
    if repaired is not None:
        return repaired
    return f"|archive-url={snapshot} |archive-date={day.isoformat()} |url-status=dead"


def _markdown_destination(url: str) -> str:
    # safe_url leaves parentheses alone; unbalanced ones would end a bare destination early.
    return f"<{url}>" if "(" in url or ")" in url else url


def _markdown_snippet(reference: Reference, original: str, snapshot: str, day: date) -> str:
    title = md_text(_plain_title(reference, original), 200)
    return (
        f"[{title}]({_markdown_destination(original)}) "
        f"([archived]({_markdown_destination(snapshot)}) on {day.isoformat()})"
    )


def _html_snippet(reference: Reference, original: str, snapshot: str, day: date) -> str:
    title = html.escape(_plain_title(reference, original), quote=True)
    return (
        f'<a href="{html.escape(original, quote=True)}" data-versionurl="{html.escape(snapshot, quote=True)}" '
        f'data-versiondate="{day.isoformat()}">{title}</a>'
    )


def _text_snippet(snapshot: str, day: date) -> str:
    return f"Archived from the original on {day.day} {day:%B} {day.year}. <{snapshot}>"


def repair_snippet(reference: Reference, document_format: DocumentFormat) -> str | None:
    """The suggested repair for a dead citation with a good capture, in ``document_format``.

    ``document_format`` is ``wikitext``, ``markdown``, ``html`` or ``text``.
    None when the link is not gone, no good capture was found, the citation
    already cites that capture, or a URL is not a safe http(s) URL.
    """
    if document_format not in SNIPPET_LANGUAGES:
        raise ValueError(f"unknown document format: {document_format!r}")
    if not is_gone(reference) or reference.archive.status is not ArchiveStatus.found:
        return None
    original = safe_url(reference.url)
    snapshot = safe_url(reference.archive.snapshot_url)
    if original is None or snapshot is None:
        return None
    if _already_cites(reference):
        return None
    day = _capture_day(reference, snapshot)
    if day is None:
        return None
    if document_format == DocumentFormat.wikitext:
        snippet = _wikitext_snippet(reference, snapshot, day)
    elif document_format == DocumentFormat.markdown:
        snippet = _markdown_snippet(reference, original, snapshot, day)
    elif document_format == DocumentFormat.html:
        snippet = _html_snippet(reference, original, snapshot, day)
    else:
        snippet = _text_snippet(snapshot, day)
    return display_text(snippet, newlines=True)

"""Repairs for a wiki article as one unified diff of its pinned wikitext — never an edit.

The changes are the ones InternetArchiveBot makes, computed on the wikitext
of the revision the audit read (mwparserfromhell, so everything else stays
byte for byte):

* a cite template whose URL is dead, with a good capture: ``archive-url=``,
  ``archive-date=`` (in the date format the template or article already
  uses) and ``url-status=dead``; a ``{{dead link}}`` tag on that citation goes;
* a cite template that already names a good capture but calls its live URL
  ``live`` while the link is gone: ``url-status=dead``;
* a bare link in a ``<ref>``: ``{{Webarchive |url= |date=}}`` after the link;
* a link the article marks dead that answers again: ``url-status=live`` on a
  template with an archive, or the ``{{dead link}}`` tag removed.

Which references qualify is :func:`citecheck.reports.repair.repair_snippet`'s
rule (gone, a good capture, a safe URL, not already cited); the diff is the
same rule applied to the article's own source.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date

import mwparserfromhell
from mwparserfromhell.nodes import ExternalLink, Tag, Template, Text
from mwparserfromhell.wikicode import Wikicode

from citecheck.models import ArchiveStatus, DocumentFormat, LiveStatus, Reference, WikiRevision
from citecheck.reports.escape import safe_url
from citecheck.reports.repair import DEAD_SOURCE_FLAGS, is_cite_template, is_gone, repair_snippet, set_archive_fields

_DEAD_LINK_TEMPLATES = frozenset(
    {"dead link", "deadlink", "dead-link", "404", "broken link", "link broken", "dl", "dead url"}
)
_WEBARCHIVE_TEMPLATES = frozenset({"webarchive", "web archive", "wayback", "webcite", "archive.is"})
_URL_STATUS_DEAD = frozenset({"dead", "unfit", "usurped"})
_LEGACY_DEAD = ("dead-url", "deadurl")
_ISO_RE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_DMY_RE = re.compile(r"^\s*\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}\s*$")
_MDY_RE = re.compile(r"^\s*[A-Za-z]+\.?\s+\d{1,2},\s+\d{4}\s*$")


@dataclass(frozen=True)
class _ArchiveFix:
    snapshot: str
    day: date


def _name(template: Template) -> str:
    return re.sub(r"\s+", " ", str(template.name.strip_code()).replace("_", " ")).strip().lower()


def _value(template: Template, *names: str) -> str:
    for name in names:
        if template.has(name):
            return str(template.get(name).value).strip()
    return ""


def _capture_day(reference: Reference) -> date | None:
    moment = reference.archive.snapshot_time
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).date()


def _archive_fixes(references: Sequence[Reference]) -> dict[str, _ArchiveFix]:
    fixes: dict[str, _ArchiveFix] = {}
    for reference in references:
        if reference.url is None or repair_snippet(reference, DocumentFormat.wikitext) is None:
            continue
        snapshot, day = safe_url(reference.archive.snapshot_url), _capture_day(reference)
        if snapshot is not None and day is not None:
            fixes.setdefault(reference.url.strip(), _ArchiveFix(snapshot, day))
    return fixes


def _gone_with_capture(references: Sequence[Reference]) -> set[str]:
    """URLs that are gone and already cited with a good capture: at most url-status needs changing."""
    return {
        reference.url.strip()
        for reference in references
        if reference.url and is_gone(reference) and reference.archive.status is ArchiveStatus.found
    }


def _answering(reference: Reference) -> bool:
    status = reference.live.http_status
    return reference.live.status is LiveStatus.alive and status is not None and 200 <= status < 300


def _alive_again(references: Sequence[Reference]) -> set[str]:
    """URLs a live check found answering (2xx); the wikitext says whether it marks them dead."""
    return {reference.url.strip() for reference in references if reference.url and _answering(reference)}


def diff_is_needed(references: Sequence[Reference]) -> bool:
    """Whether any reference may call for a change (so the wikitext is worth reading)."""
    marked_dead = any(
        _answering(reference) and (DEAD_SOURCE_FLAGS & set(reference.source_flags) or reference.archive_url)
        for reference in references
    )
    return bool(marked_dead or _archive_fixes(references) or _gone_with_capture(references))


def _pad_last_value(template: Template) -> None:
    """Keep a template's `` |name=value`` spacing when parameters are appended after its last one."""
    params = template.params
    if len(params) < 2:
        return
    last = params[-1]
    if not str(last.value).endswith((" ", "\n")) and any(str(param.value).endswith(" ") for param in params[:-1]):
        last.value = f"{last.value} "


def _date_style(code: Wikicode) -> str:
    for template in code.filter_templates(recursive=False):
        name = _name(template)
        if name.startswith("use dmy dates"):
            return "dmy"
        if name.startswith("use mdy dates"):
            return "mdy"
    return "iso"


def _format_day(day: date, sample: str, default: str) -> str:
    style = default
    if _ISO_RE.match(sample):
        style = "iso"
    elif _DMY_RE.match(sample):
        style = "dmy"
    elif _MDY_RE.match(sample):
        style = "mdy"
    if style == "dmy":
        return f"{day.day} {day:%B} {day.year}"
    if style == "mdy":
        return f"{day:%B} {day.day}, {day.year}"
    return day.isoformat()


def _set_status(template: Template, status: str) -> None:
    """Set url-status, keeping the whitespace around an existing value."""
    if template.has("url-status"):
        param = template.get("url-status")
        old = str(param.value)
        param.value = old[: len(old) - len(old.lstrip())] + status + old[len(old.rstrip()) :]
        return
    _pad_last_value(template)
    template.add("url-status", status)


def _mark_live(template: Template) -> bool:
    status = _value(template, "url-status").lower()
    legacy = _value(template, *_LEGACY_DEAD).lower()
    if status not in _URL_STATUS_DEAD and legacy not in ("yes", "true", "y"):
        return False
    if not _value(template, "archive-url", "archiveurl"):
        return False  # without an archive, url-status says nothing; a {{dead link}} tag is the mark
    for name in _LEGACY_DEAD:
        if template.has(name):
            template.remove(name, keep_field=False)
    _set_status(template, "live")
    return True


def _mark_dead(template: Template) -> bool:
    status = _value(template, "url-status").lower()
    if status in _URL_STATUS_DEAD or _value(template, *_LEGACY_DEAD).lower() in ("yes", "true", "y"):
        return False
    for name in _LEGACY_DEAD:
        if template.has(name):
            template.remove(name, keep_field=False)
    _set_status(template, "dead")
    return True


def _repair_templates(
    code: Wikicode, fixes: dict[str, _ArchiveFix], gone: set[str], alive: set[str], style: str
) -> set[str]:
    """Fix cite templates in place; returns the URLs whose citations were changed."""
    changed: set[str] = set()
    for template in code.filter_templates(recursive=True):
        if not is_cite_template(template):
            continue
        url = _value(template, "url")
        if url in fixes:
            fix = fixes[url]
            sample = _value(template, "access-date", "accessdate", "archive-date", "archivedate", "date")
            _pad_last_value(template)
            set_archive_fields(template, fix.snapshot, _format_day(fix.day, sample, style))
            changed.add(url)
        elif (url in alive and _mark_live(template)) or (
            url in gone and _value(template, "archive-url", "archiveurl") and _mark_dead(template)
        ):
            changed.add(url)
    return changed


def _link_url(link: ExternalLink) -> str:
    return str(link.url).strip()


def _refs(code: Wikicode) -> list[Tag]:
    return [tag for tag in code.filter_tags(recursive=True) if str(tag.tag).strip().lower() == "ref"]


def _drop_dead_link_tags(code: Wikicode, ref: Tag) -> None:
    """Remove ``{{dead link}}`` inside ``ref`` and right after it (where editors usually put it)."""
    if ref.contents is not None:
        for template in ref.contents.filter_templates(recursive=False):
            if _name(template) in _DEAD_LINK_TEMPLATES:
                ref.contents.remove(template)
    nodes = code.nodes
    for position, node in enumerate(nodes):
        if node is not ref:
            continue
        after = position + 1
        while after < len(nodes) and isinstance(nodes[after], Text) and not str(nodes[after]).strip():
            after += 1
        following = nodes[after] if after < len(nodes) else None
        if isinstance(following, Template) and _name(following) in _DEAD_LINK_TEMPLATES:
            code.remove(following)
        return


def _repair_refs(code: Wikicode, fixes: dict[str, _ArchiveFix], alive: set[str], changed: set[str], style: str) -> None:
    for ref in _refs(code):
        contents = ref.contents
        if contents is None:
            continue
        cited = {_value(template, "url") for template in contents.filter_templates() if is_cite_template(template)}
        has_archive = any(_name(template) in _WEBARCHIVE_TEMPLATES for template in contents.filter_templates())
        urls_here = {_link_url(link) for link in contents.filter_external_links()} | cited
        if urls_here & changed and urls_here & fixes.keys():
            _drop_dead_link_tags(code, ref)  # the citation now names its capture
            continue
        for link in contents.filter_external_links(recursive=False):
            url = _link_url(link)
            if url in cited:
                continue
            if url in fixes and not has_archive:
                fix = fixes[url]
                contents.insert_after(
                    link, f" {{{{Webarchive |url={fix.snapshot} |date={_format_day(fix.day, '', style)}}}}}"
                )
                _drop_dead_link_tags(code, ref)
                changed.add(url)
                break
            if url in alive:
                before = str(code)
                _drop_dead_link_tags(code, ref)
                if str(code) != before:
                    changed.add(url)
                break


def repaired_wikitext(wikitext: str, references: Sequence[Reference]) -> str:
    """The wikitext with every repair applied (the same text when there is nothing to repair)."""
    fixes, gone, alive = _archive_fixes(references), _gone_with_capture(references), _alive_again(references)
    if not (fixes or gone or alive):
        return wikitext
    code = mwparserfromhell.parse(wikitext)
    style = _date_style(code)
    changed = _repair_templates(code, fixes, gone, alive, style)
    _repair_refs(code, fixes, alive, changed, style)
    return str(code)


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def wikitext_diff(wikitext: str, references: Sequence[Reference], revision: WikiRevision) -> str:
    """A unified diff from the pinned revision's wikitext to the repaired one; '' when nothing changes."""
    repaired = repaired_wikitext(wikitext, references)
    if repaired == wikitext:
        return ""
    name = revision.title.replace(" ", "_")
    header = (
        f"# citecheck: suggested repairs for [[{revision.title}]], revision {revision.revision} "
        f"({revision.timestamp:%Y-%m-%d %H:%M} UTC) on {revision.wiki}\n"
        f"# {revision.permalink}\n"
        "# Review and apply them in the wiki's editor: citecheck never edits a wiki.\n"
    )
    body = difflib.unified_diff(
        _lines(wikitext), _lines(repaired), fromfile=f"a/{name}@{revision.revision}", tofile=f"b/{name}"
    )
    return header + "".join(body)

"""Reader for plain-text renderings of articles and wiki pages.

The input is what a browser's "save as text" or a scraper leaves of a web
page: a title line, perhaps an infobox or a menu as runs of short lines, body
paragraphs (one per line, or hard-wrapped), headings as short lines between
blank lines, in-text markers ``[3]``, and a numbered reference list::

    References

      1. Williams, Carol J. (19 September 2013). "Envoys urge …". Los Angeles Times.
      3. 3.0 3.1 3.2 3.3 "Iraq raid on Iranian exiles' Camp Ashraf 'killed 34'". 14 April 2011.

The reader works in layers, surest first: the reference list (by heading, else
as the document's final run of numbered entries), then the body, block by
block, where navigation, infobox and related-article blocks are recognised by
their shape and skipped, and what was skipped is reported in
:attr:`ParsedDocument.notices`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from citecheck.dates import PartialDate, find_dates, match_date_at
from citecheck.documents.markers import NUMERIC_MARKER_RE
from citecheck.documents.text_structure import (
    LINK_LIST_HEADINGS,
    REFERENCE_HEADINGS,
    SourceLine,
    ends_sentence,
    heading_key,
    is_heading_block,
    is_label_block,
    is_label_line,
    is_prose_line,
    make_paragraph,
    normalise_space,
    paragraphs_from_block,
    plural,
    split_blocks,
    strip_html_tags,
)
from citecheck.models import DocumentFormat, Paragraph, ParsedDocument, Reference, Section

# Headings under which a document lists its sources.
# Headings followed by summaries of *other* pages (wiki mirrors): prose, but not this article's.
RELATED_HEADINGS = frozenset(
    {"related research articles", "related articles", "related pages", "related posts", "you might also like"}
)
# Headings after the reference list whose content is neither body nor references.
BACK_MATTER_HEADINGS = LINK_LIST_HEADINGS | RELATED_HEADINGS

# Page furniture that text renderers leave in: update stamps, licence lines, menus.
BOILERPLATE_RE = re.compile(
    r"^(?:last updated|last edited|this page (?:was last|uses|is based)|from wikipedia|jump to (?:navigation|search)"
    r"|retrieved from|(?:text|content) is available under|all rights reserved|copyright\b|©|privacy policy"
    r"|terms of (?:use|service)|back to top)"
    r"|creative commons",
    re.IGNORECASE,
)
# A wiki mirror names itself in its first line ("Military Wiki") or is a bare domain.
SITE_NAME_RE = re.compile(r"\bwiki\b|wikipedia|\b[a-z0-9-]+\.(?:com|org|net|info)\b", re.IGNORECASE)
# "  3. text", "3) text", "[3] text" — one entry of a numbered list.
NUMBERED_ENTRY_RE = re.compile(r"^\s{0,16}(?:(?P<num>\d{1,4})[.)]|\[(?P<bracketed>\d{1,4})\])(?:\s+(?P<text>.*))?$")
# "^ Smith 2003", "^ a b Smith 2003", "↑ …" (some skins and languages print an arrow).
_CARET_ENTRY_RE = re.compile(r"^[\^↑]\s+\S")
MIRROR_BACKLINK_RE = re.compile(r"^\d{1,4}\.0 \d{1,4}\.1\b")
# At most this many non-blank lines may follow a reference list found without a heading.
MAX_TRAILER_LINES = 3


@dataclass
class _NumberedEntry:
    number: int
    line: int
    pieces: list[str] = field(default_factory=list)  # the entry's lines: a wrapped entry has several

    @property
    def text(self) -> str:
        return " ".join(piece for piece in self.pieces if piece)


@dataclass
class _BackMatter:
    """What follows the body: numbered entries, and counts of what was not used."""

    entries: list[_NumberedEntry] = field(default_factory=list)
    unnumbered: Counter[str] = field(default_factory=Counter)  # heading -> unnumbered entry count
    skipped_lines: int = 0
    boilerplate_lines: int = 0
    # Unnumbered entries opening with Wikipedia's backlink caret ("^ a b Smith …"), one run per heading: a
    # browser's text of an <ol> drops the numbers (they are CSS list markers), the carets stay.
    caret_runs: list[tuple[str, list[_NumberedEntry]]] = field(default_factory=list)
    numbered_by_position: str | None = None  # the heading whose caret entries were numbered 1, 2, 3 … in order
    group_runs: list[tuple[str, list[_NumberedEntry]]] = field(default_factory=list)  # caret runs not the main list
    # Reference headings passed over: the numbered list under each is no reference list (see _is_reference_list).
    declined: list[str] = field(default_factory=list)


@dataclass
class _BodyState:
    sections: list[Section]
    skipped: Counter[str] = field(default_factory=Counter)
    seen_prose: bool = False
    mode: str = "body"  # body | link-list | related
    read_markers: bool = True  # False: bracketed numbers stay text (see _numbered_from_one)
    marker_pattern: re.Pattern[str] = NUMERIC_MARKER_RE  # _ANY_MARKER_RE when note groups were read


def read_plaintext(text: str, path: str) -> ParsedDocument:
    """Parse a plain-text article into sections, paragraphs, markers and references. Never raises."""
    lines, tagged_lines = _clean_lines(text)
    notices: list[str] = []
    if tagged_lines:
        notices.append(f"removed leftover HTML tags from {plural(tagged_lines, 'line')}")

    title, body_start, site_name = _find_title(lines)
    body_end, back = _find_reference_list(lines, body_start)
    _number_caret_entries(back, _highest_marker(lines[body_start:body_end]))

    body_lines = lines[body_start:body_end]
    references = _build_references(back.entries, notices)
    groups = _note_groups(back, body_lines) if back.numbered_by_position is not None else {}
    group_references = _group_references(groups)
    ids_by_label: dict[str, str] = {}
    for ref in references:
        if ref.number is not None:
            ids_by_label.setdefault(str(ref.number), ref.id)  # a repeated number: markers mean the first
    group_ids = {ref.id for ref in group_references}
    references += group_references

    def resolve(label: str) -> str | None:
        if label in group_ids:
            return label
        return ids_by_label.get(label.lstrip("0") or "0")

    state = _BodyState(sections=[Section(title=None)])
    if groups:
        state.marker_pattern = _ANY_MARKER_RE
        notices.append(
            "note groups read from unnumbered lists: "
            + ", ".join(
                f"[{'a' if g == 'alpha' else g + ' 1'}] … under {heading!r}" for g, (heading, _) in groups.items()
            )
        )
    if not references and not _numbered_from_one(body_lines):
        # No reference list and no "[1]" and "[2]": "uchar[20]", "git[1]" in release notes and man pages are no markers.
        state.read_markers = False
    for block in split_blocks(body_lines):
        _read_body_block(block, title, state, resolve)

    sections = [section for section in state.sections if section.paragraphs]
    uses = Counter(marker.ref_id for s in sections for p in s.paragraphs for marker in p.markers if marker.ref_id)
    for ref in references:
        ref.uses = uses[ref.id]

    notices.extend(_describe_skips(state.skipped, back))
    if not references:
        notices.append("no reference list found")
    if not state.read_markers and any(_BRACKETED_NUMBER_RE.search(line.text) for line in body_lines):
        notices.append("bracketed numbers not read as citation markers: no reference list, and no [1] and [2]")
    layout = "wiki-mirror" if _looks_like_wiki_mirror(lines, site_name, state.skipped, back) else "article"
    return ParsedDocument(
        path=path,
        format=DocumentFormat.text,
        title=title,
        date=_last_edited_date(lines),
        layout=layout,
        sections=sections,
        references=references,
        notices=notices,
    )


# "This page was last edited on 30 September 2019, at 10:00", "Last modified: 3 May 2014": the page's own date.
LAST_EDITED_RE = re.compile(
    r"(?:this page was last (?:edited|modified|updated)|last (?:edited|modified|updated))(?:\s+on)?\s*:?\s*", re.I
)


def _last_edited_date(lines: list[SourceLine]) -> PartialDate | None:
    for line in reversed(lines):
        # every match holds "last", whose "la" no other character matches case-insensitively
        match = LAST_EDITED_RE.search(line.text) if len(line.text) < 300 and "la" in line.text.lower() else None
        if match:
            found = match_date_at(line.text, match.end())
            if found is not None:
                return found[0]
            dates = find_dates(line.text[match.end() :])
            if dates:
                return dates[0][0]
    return None


# --------------------------------------------------------------------------- lines and title


def _clean_lines(text: str) -> tuple[list[SourceLine], int]:
    lines: list[SourceLine] = []
    tagged = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if "<" in raw:
            cleaned, had_tags = strip_html_tags(raw.replace("\r", ""))
            tagged += had_tags
        else:
            cleaned = raw.replace("\r", "") if "\r" in raw else raw
        lines.append(SourceLine(number, cleaned))
    return lines, tagged


def _find_title(lines: list[SourceLine]) -> tuple[str | None, int, str | None]:
    """The title line, the index where the body starts, and a site name printed above the title."""
    candidates = [index for index, line in enumerate(lines[:200]) if line.text.strip()][:2]
    if not candidates:
        return None, len(lines), None
    first = normalise_space(lines[candidates[0]].text)
    if not is_label_line(first):
        return None, candidates[0], None  # the document opens with prose: no title line
    if len(candidates) == 2 and SITE_NAME_RE.search(first):
        second = normalise_space(lines[candidates[1]].text)
        if is_label_line(second):
            return second, candidates[1] + 1, first
    return first, candidates[0] + 1, None


def _may_be_heading(text: str) -> bool:
    """Could ``heading_key(text)`` be one of the headings?  Not with four words or more (none has three spaces)."""
    return len(text) <= 40 or len(text.split(None, 3)) <= 3


def _is_boilerplate(text: str) -> bool:
    """``BOILERPLATE_RE.search(text)``: its anchored words at the start, "creative commons" anywhere."""
    if BOILERPLATE_RE.match(text):
        return True
    # "commo" holds no letter that case-insensitive matching lets another character stand for
    return "commo" in text.lower() and BOILERPLATE_RE.search(text) is not None


# --------------------------------------------------------------------------- reference list


def _find_reference_list(lines: list[SourceLine], body_start: int) -> tuple[int, _BackMatter]:
    """Where the body ends, and the numbered entries after it.

    A reference heading whose numbered list is no reference list (a licence's
    clauses after a "Footnotes:" table note) is passed over: it stays a heading
    of the body, and the search goes on below it.
    """
    declined: list[str] = []
    for index in range(body_start, len(lines)):
        text = lines[index].text
        if _may_be_heading(text) and heading_key(text) in REFERENCE_HEADINGS and _stands_alone(lines, index):
            back = _read_back_matter(lines, index)
            if _is_reference_list(back, lines[body_start:index]):
                back.declined = declined
                return index, back
            declined.append(normalise_space(text).rstrip(":"))
    run_start = _final_numbered_run(lines, body_start)
    back = _BackMatter() if run_start is None else _read_back_matter(lines, run_start)
    back.declined = declined
    return (len(lines) if run_start is None else run_start), back


# At least this share of a list's entries must read as citations when no marker in the body points into it.
MIN_CITATION_SHARE = 0.5


def _is_reference_list(back: _BackMatter, body: list[SourceLine]) -> bool:
    """Whether the numbered entries under a reference heading are references, not numbered prose.

    Layers, surest first: no numbered entries (the list is unnumbered, or a
    browser's caret list) or a caret run beside them — nothing to decide, the
    reading stays as it was; a ``[n]`` marker in the body citing one of the
    numbers; else most entries read as citations (a URL, a date, authors:
    what licence clauses, numbered steps and the paragraphs of a legal text
    lack).
    """
    if not back.entries or back.caret_runs:
        return True
    if _cites_numbers_up_to(body, max(entry.number for entry in back.entries)):
        return True
    return _mostly_citations([entry.text for entry in back.entries])


def _cites_numbers_up_to(lines: list[SourceLine], highest: int) -> bool:
    """Whether some ``[n]`` in ``lines`` has 1 ≤ n ≤ ``highest``."""
    for line in lines:
        if "[" in line.text:
            for match in _BRACKETED_NUMBER_RE.finditer(line.text):
                if 1 <= int(match[1]) <= highest:
                    return True
    return False


def _mostly_citations(entries: list[str]) -> bool:
    """Whether at least :data:`MIN_CITATION_SHARE` of ``entries`` read as citations; stops once that is decided."""
    from citecheck.references.citation_line import parse_citation_line

    needed = max(1, math.ceil(len(entries) * MIN_CITATION_SHARE))
    found = 0
    for seen, entry in enumerate(entries):
        fields = parse_citation_line(entry)
        if fields.urls or fields.date or fields.access_date or fields.archive_date or fields.authors:
            found += 1
            if found >= needed:
                return True
        if found + len(entries) - seen - 1 < needed:
            return False
    return False


def _stands_alone(lines: list[SourceLine], index: int) -> bool:
    """A heading line: nothing on the line before, or it is the last of a block of label lines."""
    before = lines[index - 1].text.strip() if index > 0 else ""
    return not before or is_label_line(before)


def _final_numbered_run(lines: list[SourceLine], body_start: int) -> int | None:
    """Index of the first entry of the document's last run of entries numbered 1, 2, 3 …

    Accepted only when the run ends the document (at most a few trailing
    lines, such as a licence notice) and the body cites at least one of its
    numbers with a ``[n]`` marker, so an ordinary numbered list in the prose
    is never mistaken for references.
    """
    trailer = 0
    index = len(lines) - 1
    while index >= body_start and not NUMBERED_ENTRY_RE.match(lines[index].text):
        if lines[index].text.strip():
            trailer += 1
            if trailer > MAX_TRAILER_LINES:
                return None
        index -= 1
    if index < body_start:
        return None
    expected: int | None = None
    first_entry = None
    while index >= body_start:
        match = NUMBERED_ENTRY_RE.match(lines[index].text)
        if match:
            number = int(match["num"] or match["bracketed"])
            if expected is not None and number != expected:
                break
            first_entry, expected = index, number - 1
            if number == 1:
                break
        elif lines[index].text.strip():
            break
        index -= 1
    if first_entry is None or expected != 0:
        return None
    highest = _entry_number(lines[first_entry:])
    for line in lines[body_start:first_entry]:
        for match in NUMERIC_MARKER_RE.finditer(line.text):
            if 1 <= int(match["label"]) <= highest:
                return first_entry
    return None


# Searched without NUMERIC_MARKER_RE's leading \s*, which is quadratic over a long run of spaces.
_BRACKETED_NUMBER_RE = re.compile(r"\[(\d{1,4})\]")


# A note group's marker in a browser's text of a Wikipedia page: "[n 3]", "[note 2]" ({{refn}}), "[a]" ({{efn}}).
_GROUP_MARKER_RE = re.compile(r"\[(?P<label>[a-z]{1,6} \d{1,3}|[a-z])\]")
# NUMERIC_MARKER_RE's markers and note groups' in one pattern, for a text whose groups were read.
_ANY_MARKER_RE = re.compile(
    r"\s*\[(?P<label>\d{1,4}|[a-z]{1,6} \d{1,3}|[a-z])\](?::\s?\d{1,5}(?:\s?[–-]\s?\d{1,5})?(?=[\s.,;]|$))?"
)


def _highest_marker(lines: list[SourceLine]) -> int:
    return max(
        (int(match[1]) for line in lines if "[" in line.text for match in _BRACKETED_NUMBER_RE.finditer(line.text)),
        default=0,
    )


def _numbered_from_one(lines: list[SourceLine]) -> bool:
    """Whether the text has ``[1]`` and ``[2]``: footnotes are numbered from one, sizes, indexes and a man page's
    section (AsciiDoc's ``linkgit:git[1]``) are not a run of them."""
    seen: set[int] = set()
    for line in lines:
        if "[" in line.text:
            seen.update(int(match[1]) for match in _BRACKETED_NUMBER_RE.finditer(line.text))
            if 1 in seen and 2 in seen:
                return True
    return False


def _entry_number(lines: list[SourceLine]) -> int:
    highest = 0
    for line in lines:
        match = NUMBERED_ENTRY_RE.match(line.text)
        if match:
            highest = max(highest, int(match["num"] or match["bracketed"]))
    return highest


def _read_back_matter(lines: list[SourceLine], start: int) -> _BackMatter:
    """Read everything from the reference heading (or first entry) to the end."""
    back = _BackMatter()
    heading: str | None = None
    in_reference_section = True
    previous_was_entry = False
    caret_run: list[_NumberedEntry] | None = None
    for line in lines[start:]:
        stripped = normalise_space(line.text)
        if not stripped:
            previous_was_entry = False
            continue
        key = heading_key(stripped)
        if key in REFERENCE_HEADINGS or key in BACK_MATTER_HEADINGS:
            heading = stripped.rstrip(":")
            in_reference_section = key in REFERENCE_HEADINGS
            previous_was_entry = False
            caret_run = None
            continue
        if _is_boilerplate(stripped):
            back.boilerplate_lines += 1
            previous_was_entry = False
            continue
        if not in_reference_section:
            back.skipped_lines += 1
            continue
        match = NUMBERED_ENTRY_RE.match(line.text)
        if match:
            number = int(match["num"] or match["bracketed"])
            back.entries.append(_NumberedEntry(number, line.number, [normalise_space(match["text"] or "")]))
            previous_was_entry = True
        elif previous_was_entry and back.entries:
            back.entries[-1].pieces.append(stripped)  # a wrapped entry continues on the next line
        elif _CARET_ENTRY_RE.match(stripped):
            if caret_run is None:
                caret_run = []
                back.caret_runs.append((heading or "the reference list", caret_run))
            # "↑ Smith" (some skins) is read as the caret it stands for.
            entry = "^" + stripped[1:] if stripped[0] == "↑" else stripped
            caret_run.append(_NumberedEntry(len(caret_run) + 1, line.number, [entry]))
        else:
            back.unnumbered[heading or "the reference list"] += 1
    return back


def _number_caret_entries(back: _BackMatter, highest_marker: int) -> None:
    """Number a run of caret entries by position when the body's ``[n]`` markers fit it.

    Used only when the list has no numbers at all.  The run whose length is the
    highest marker (else the first longer one) is the list ``[n]`` points into;
    a shorter run before it is a note group (``[n 1]``, ``[a]``), whose entries
    stay unread and are counted as before.
    """
    if back.entries or not back.caret_runs or highest_marker < 1:
        for heading, run in back.caret_runs:
            back.unnumbered[heading] += len(run)
        return
    fitting = [run for _, run in back.caret_runs if len(run) == highest_marker] or [
        run for _, run in back.caret_runs if len(run) > highest_marker
    ]
    chosen = fitting[0] if fitting else None
    for heading, run in back.caret_runs:
        if run is chosen:
            back.entries = run
            back.numbered_by_position = heading
        else:
            back.unnumbered[heading] += len(run)
            back.group_runs.append((heading, run))


def _note_groups(back: _BackMatter, body: list[SourceLine]) -> dict[str, tuple[str, list[_NumberedEntry]]]:
    """The note groups the body cites (``[n 3]``, ``[a]``) matched to the caret runs left after the main list.

    Each group, in the order the body first cites it, takes the first remaining
    run (in document order) long enough for its highest marker; a group no run
    fits stays unread.  Keys: the group's name ("n", "note"; "alpha" for
    ``[a]``, ``[b]`` …).
    """
    highest: dict[str, int] = {}
    for line in body:
        if "[" not in line.text:
            continue
        for match in _GROUP_MARKER_RE.finditer(line.text):
            group, number = _group_of(match["label"])
            highest[group] = max(highest.get(group, 0), number)
    groups: dict[str, tuple[str, list[_NumberedEntry]]] = {}
    free = list(back.group_runs)
    for group, top in highest.items():
        run = next((candidate for candidate in free if len(candidate[1]) >= top), None)
        if run is not None:
            free.remove(run)
            groups[group] = run
            back.unnumbered[run[0]] -= len(run[1])
            if back.unnumbered[run[0]] <= 0:
                del back.unnumbered[run[0]]
    return groups


def _group_of(label: str) -> tuple[str, int]:
    """``"n 3"`` → ("n", 3); ``"c"`` → ("alpha", 3)."""
    if " " in label:
        name, _, number = label.partition(" ")
        return name, int(number)
    return "alpha", ord(label) - ord("a") + 1


def _group_references(groups: dict[str, tuple[str, list[_NumberedEntry]]]) -> list[Reference]:
    from citecheck.references import reference_from_text

    references: list[Reference] = []
    for group, (_, run) in groups.items():
        for entry in run:
            label = chr(ord("a") + entry.number - 1) if group == "alpha" else f"{group} {entry.number}"
            reference = reference_from_text(
                id=label, raw=entry.text, number=entry.number, kind="numbered", line=entry.line
            )
            reference.group = group
            references.append(reference)
    return references


def _build_references(entries: list[_NumberedEntry], notices: list[str]) -> list[Reference]:
    from citecheck.references import reference_from_text

    references: list[Reference] = []
    seen: Counter[int] = Counter()
    for entry in entries:
        seen[entry.number] += 1
        # A number listed twice (two lists numbered from 1) keeps both entries under distinct ids.
        ref_id = str(entry.number) if seen[entry.number] == 1 else f"{entry.number}-{seen[entry.number]}"
        # The citation parser flags entries with nothing but backlinks or "[1]" as "empty".
        references.append(
            reference_from_text(id=ref_id, raw=entry.text, number=entry.number, kind="numbered", line=entry.line)
        )
    duplicates = sorted(number for number, count in seen.items() if count > 1)
    if duplicates:
        notices.append("reference numbers listed more than once: " + ", ".join(map(str, duplicates[:10])))
    return references


# --------------------------------------------------------------------------- body


def _read_body_block(
    block: list[SourceLine], title: str | None, state: _BodyState, resolve: Callable[[str], str | None]
) -> None:
    kept: list[SourceLine] = []
    for line in block:
        stripped = normalise_space(line.text)
        if _is_boilerplate(stripped):
            state.skipped["boilerplate"] += 1
        elif not state.seen_prose and title is not None and stripped == title:
            state.skipped["infobox"] += 1  # the title repeated at the head of an infobox
        else:
            kept.append(line)
    if not kept:
        return

    if is_heading_block(kept):
        _start_section(normalise_space(kept[0].text), kept[0].number, state)
        return
    if state.mode == "related":
        state.skipped["related"] += len(kept)
        return
    if is_label_block(kept):
        # Infobox rows, menus, link lists: keep only lines that are whole sentences.
        prose = [line for line in kept if is_prose_line(line.text) and ends_sentence(normalise_space(line.text))]
        state.skipped["link-list" if state.mode == "link-list" else "infobox"] += len(kept) - len(prose)
        kept = prose
        if not kept:
            return
    state.mode = "body"
    for text, line_number in paragraphs_from_block(kept):
        paragraph = (
            make_paragraph(text, line_number, resolve, state.marker_pattern)
            if state.read_markers
            else Paragraph(text=text, line=line_number)
        )
        if paragraph.text.strip():
            state.sections[-1].paragraphs.append(paragraph)
            state.seen_prose = True


def _start_section(heading: str, line_number: int, state: _BodyState) -> None:
    key = heading_key(heading)
    if key in RELATED_HEADINGS:
        # Summaries of other pages follow; their own title lines look like headings,
        # so only the reference list ends this block.
        state.mode = "related"
        state.skipped["related"] += 1
        return
    if state.mode == "related":
        state.skipped["related"] += 1
        return
    if key in LINK_LIST_HEADINGS:
        state.mode = "link-list"
        state.skipped["link-list"] += 1
        return
    state.mode = "body"
    state.sections.append(Section(title=heading))


def _describe_skips(counts: Counter[str], back: _BackMatter) -> list[str]:
    notices: list[str] = []
    descriptions = {
        "infobox": "infobox/navigation",
        "link-list": "contents and link lists",
        "related": "related-article summaries",
        "boilerplate": "page boilerplate",
    }
    for key, description in descriptions.items():
        if counts[key]:
            notices.append(f"skipped {plural(counts[key], 'line')} of {description}")
    if back.boilerplate_lines:
        notices.append(f"skipped {plural(back.boilerplate_lines, 'line')} of page boilerplate after the references")
    if back.skipped_lines:
        notices.append(f"skipped {plural(back.skipped_lines, 'line')} of link lists after the references")
    for heading in back.declined:
        notices.append(
            f"the numbered list under {heading!r} not read as references: no [n] marker points into it, and most "
            "of its entries carry no URL, date or authors (numbered clauses or steps)"
        )
    if back.numbered_by_position is not None:
        notices.append(
            f"the {len(back.entries)} entries under {back.numbered_by_position!r} carry no numbers (a browser's "
            "text of a numbered list): numbered 1, 2, 3 … in order, as the [n] markers count them"
        )
    for heading, count in back.unnumbered.items():
        notices.append(
            f"{count} unnumbered {'entry' if count == 1 else 'entries'} under {heading!r} not read as references"
        )
    return notices


def _looks_like_wiki_mirror(
    lines: list[SourceLine], site_name: str | None, counts: Counter[str], back: _BackMatter
) -> bool:
    """Signs of a copied wiki page: a wiki site name, licence or update stamps, related-article blocks."""
    if site_name is not None or counts["related"]:
        return True
    if any(MIRROR_BACKLINK_RE.match(entry.text) for entry in back.entries):
        return True
    return any("wikipedia" in line.text.lower() or "creative commons" in line.text.lower() for line in lines[-20:]) or (
        counts["boilerplate"] > 0 and any(heading_key(line.text) == "last updated" for line in lines[:20])
    )

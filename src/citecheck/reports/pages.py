"""Markdown reports as pieces that can be split into linked files.

GitHub stops rendering a Markdown file at about 512 KB.  A report is built
as :class:`Section` s of :class:`Piece` s (a heading, a paragraph, one table
row); :func:`paginate` writes it as one file when it fits under the limit,
else one file per section — and a section too large for one file is split
into numbered parts, each table opening again with its header.  Links
between pieces are written with :func:`link_target` and resolved once the
file of every anchor is known, so a link into another file names that file.

A :class:`Group` ties consecutive pieces into one table or list; a group with
a ``summary`` is collapsed inside ``<details>`` (with a blank line after
``</summary>`` so GitHub renders the Markdown inside).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

REPORT_SIZE_LIMIT = 500_000  # bytes; GitHub renders Markdown files up to ~512 KB
_LINK_MARK = "\x00"  # untrusted text never holds it: the escapers turn control characters into spaces
_LINK_RE = re.compile("\x00([A-Za-z0-9_-]+)\x00")
_NAVIGATION_BUDGET = 4_000  # bytes kept free in each part for headings and navigation links


def link_target(anchor: str) -> str:
    """The destination of a link to ``anchor``, resolved by :func:`paginate` (``#anchor`` or ``file.md#anchor``)."""
    return f"{_LINK_MARK}{anchor}{_LINK_MARK}"


@dataclass(frozen=True, eq=False)
class Group:
    """Consecutive pieces forming one table or list; ``summary`` collapses it inside ``<details>``."""

    header: tuple[str, ...] = ()
    summary: str | None = None


@dataclass
class Piece:
    lines: list[str]
    anchors: tuple[str, ...] = ()  # ids defined in these lines
    group: Group | None = None


@dataclass
class Section:
    name: str  # used in file names: <stem>-<name>.md
    title: str  # what navigation links call it
    pieces: list[Piece] = field(default_factory=list)

    def add(self, *lines: str, anchors: tuple[str, ...] = (), group: Group | None = None) -> None:
        self.pieces.append(Piece(list(lines), anchors, group))


def _emit(pieces: Sequence[Piece], resolve: Callable[[str], str], continued: bool = False) -> str:
    out: list[str] = []
    current: Group | None = None

    def close() -> None:
        if current is not None:
            out.append("")
            if current.summary is not None:
                out.extend(["</details>", ""])

    for piece in pieces:
        if piece.group is not current:
            close()
            current = piece.group
            if current is not None:
                if current.summary is not None:
                    summary = current.summary + (" (continued)" if continued and not out else "")
                    out += ["<details>", f"<summary>{summary}</summary>", ""]
                out += list(current.header)
        out += piece.lines
    close()
    text = "\n".join(out)
    return _LINK_RE.sub(lambda match: resolve(match.group(1)), text)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _pack(pieces: list[Piece], budget: int) -> list[list[Piece]]:
    """Consecutive runs of pieces, each under ``budget`` bytes (a piece larger than that gets a part alone)."""
    parts: list[list[Piece]] = [[]]
    used = 0
    for piece in pieces:
        size = sum(_size(line) + 1 for line in piece.lines) + 64
        if parts[-1] and used + size > budget:
            parts.append([])
            used = 0
        parts[-1].append(piece)
        used += size
    return [part for part in parts if part]


def single_file(sections: Sequence[Section]) -> str:
    """Every section in one Markdown text, links within the page."""
    return _emit([piece for section in sections for piece in section.pieces], lambda anchor: f"#{anchor}")


def paginate(sections: Sequence[Section], stem: str, title: str, limit: int = REPORT_SIZE_LIMIT) -> dict[str, str]:
    """File name → Markdown: ``<stem>.md`` alone when it fits in ``limit`` bytes, else split (module docstring)."""
    main = f"{stem}.md"
    single = single_file(sections)
    if _size(single) <= limit or len(sections) < 2:
        return {main: single}

    files: list[tuple[str, Section, list[Piece], int, int]] = [(main, sections[0], sections[0].pieces, 1, 1)]
    for section in sections[1:]:
        if not section.pieces:
            continue
        parts = _pack(section.pieces, limit - _NAVIGATION_BUDGET)
        for number, part in enumerate(parts, start=1):
            name = f"{stem}-{section.name}.md" if number == 1 else f"{stem}-{section.name}-{number}.md"
            files.append((name, section, part, number, len(parts)))
    home: dict[str, str] = {}
    for name, _, pieces, _, _ in files:
        for piece in pieces:
            for anchor in piece.anchors:
                home.setdefault(anchor, name)

    def resolver(current: str) -> Callable[[str], str]:
        def resolve(anchor: str) -> str:
            target = home.get(anchor, current)
            return f"#{anchor}" if target == current else f"<{quote(target)}#{anchor}>"

        return resolve

    contents = " · ".join(
        f"[{section_title}](<{quote(name)}>)" + (f" (part {number})" if count > 1 else "")
        for name, section, _, number, count in files[1:]
        for section_title in [section.title]
    )
    pages: dict[str, str] = {}
    for index, (name, section, part_pieces, number, count) in enumerate(files):
        body = _emit(part_pieces, resolver(name), continued=number > 1)
        if index == 0:
            note = f"\n\n---\n\nThis report is larger than GitHub shows in one file, so it is split: {contents}.\n"
            pages[name] = body + note
            continue
        label = f" (part {number} of {count})" if count > 1 else ""
        header = f"# {title}: {section.title}{label}\n\n[← back to the summary](<{quote(main)}>)\n\n"
        footer = ""
        if number < count:
            following = files[index + 1][0]
            footer = f"\n\nContinued in [part {number + 1}](<{quote(following)}>).\n"
        pages[name] = header + body + footer
    return pages

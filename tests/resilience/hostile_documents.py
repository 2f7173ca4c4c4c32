"""Hostile documents, built by code: what an attacker or a broken exporter can put in a file we audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Everything that acts on a viewer: terminal escape sequences (clear screen, window title, a hyperlink, C1 CSI),
# backspace, NEL, bidi overrides and isolates, a right-to-left mark.  No NUL: a NUL makes a file binary.
ACTIVE = (
    "\x1b[2J\x1b]0;owned\x07\x1b]8;;https://evil.invalid/\x1b\\click\x1b]8;;\x1b\\\x9b31m\x08\x85"
    "\u202etxt.exe\u202c\u2066iso\u2069\u200f\u2028"
)
LONG = 300
DATES = "date=2 March 2012 |access-date=6 March 2013"
PLAIN_REFERENCES = "\n\nReferences\n\n1. ^ x https://example.org/a\n"


@dataclass(frozen=True)
class Hostile:
    name: str  # file name of the document
    build: Callable[[], str]
    why: str


def _markdown_footnotes(label: str, title: str = "Title", url: str = "https://example.org/a") -> str:
    return (
        f"# Notes\n\nThe bridge reopened in May.[^{label}]\n\n"
        f'[^{label}]: "{title}". The Gazette. 2 March 2012. {url} Retrieved 6 March 2013. '
        "Archived from the original on 4 March 2012.\n"
    )


def _wikitext_ref(name: str, fields: str) -> str:
    return (
        f'The bridge reopened in May.<ref name="{name}">{{{{cite web |{fields}}}}}</ref>\n\n'
        "== References ==\n<references/>\n"
    )


def _deep_html() -> str:
    depth = 20_000
    return "<html><body>" + "<div>" * depth + "<p>Deep claim.</p>" + "</div>" * depth + "</body></html>"


def _deep_markdown() -> str:
    return (
        "# Deep\n\n"
        + "> " * 5_000
        + "Quoted claim.[^a]\n\n"
        + "- " * 3_000
        + "item\n\n"
        + "[" * 5_000
        + "\n\n"
        + '[^a]: "Deep". https://example.org/a Retrieved 6 March 2013.\n'
    )


def _deep_wikitext() -> str:
    depth = 3_000
    return (
        "Claim.<ref>"
        + "{{cite web |title=" * depth
        + "x"
        + "}}" * depth
        + "</ref>"
        + "[[" * 5_000
        + "<ref>" * depth
        + "</ref>" * depth
        + "\n\n== References ==\n<references/>\n"
    )


def _many_markdown() -> str:
    count = 3_000
    body = "".join(f"Claim number {number}.[^{number}]\n\n" for number in range(count))
    notes = "".join(
        f'[^{number}]: "T{number}". https://example.org/{number} Retrieved 6 March 2013.\n' for number in range(count)
    )
    return "# Many\n\n" + body + notes


def _long_line_text() -> str:
    return "Claim " * 200_000 + "[1]" + PLAIN_REFERENCES


def _case_twins_wikitext() -> str:
    refs = "".join(
        f'Claim {name}.<ref name="{name}">{{{{cite web |url=https://example.org/{name} |title={name} '
        "|date=2 March 2012 |access-date=6 March 2013}}</ref>\n"
        for name in ("NYT", "nyt", "Nyt", "a/b", "a?b")
    )
    return refs + "\n== References ==\n<references/>\n"


def _backtick_fence_wikitext() -> str:
    # A dead link's repair is shown in a fenced code block: the raw template tries to close the fence.
    return _wikitext_ref(
        "fence",
        "url=https://example.org/gone |title=T ``` `````` |date=2 March 2012 |access-date=6 March 2013 "
        "|url-status=dead |archive-url=https://web.archive.org/web/20120304000000/https://example.org/gone",
    ).replace("</ref>", "\n```\n# injected heading\n<script>alert(1)</script>\n</ref>")


HOSTILE_DOCUMENTS: list[Hostile] = [
    Hostile("long-label.md", lambda: _markdown_footnotes("L" * LONG), "a 300-character footnote label"),
    Hostile(
        "long-refname.wiki",
        lambda: _wikitext_ref("N" * LONG, f"url=https://example.org/a |title=T |{DATES}"),
        "a 300-character <ref name>",
    ),
    Hostile("long-multibyte-label.md", lambda: _markdown_footnotes("日本語" * 120), "a label of 1,080 UTF-8 bytes"),
    Hostile(
        "active-characters.md",
        lambda: _markdown_footnotes(f"a{ACTIVE}", title=f"Title {ACTIVE}", url=f"https://example.org/{ACTIVE}").replace(
            "# Notes", f"# Notes {ACTIVE}"
        ),
        "escape sequences, C1 controls and bidi overrides in every field (Markdown)",
    ),
    Hostile(
        "active-characters.wiki",
        lambda: _wikitext_ref(
            f"x{ACTIVE}",
            f"url=https://example.org/a{ACTIVE} |title=T{ACTIVE} |work=W{ACTIVE} |date=2 March 2012 "
            "|access-date=6 March 2013 |url-status=dead "
            "|archive-url=https://web.archive.org/web/20120304000000/https://example.org/a",
        ),
        "the same in a cite template",
    ),
    Hostile(
        "active-characters.html",
        lambda: (
            f"<html><head><title>T{ACTIVE}</title></head><body><p>Claim {ACTIVE}.<sup><a href='#cite_note-1'>[1]</a>"
            f"</sup></p><ol class='references'><li id='cite_note-1{ACTIVE}'>\"Title {ACTIVE}\". Gazette. "
            f"2 March 2012. <a href='https://example.org/{ACTIVE}'>x</a> Retrieved 6 March 2013.</li></ol>"
            "</body></html>"
        ),
        "the same in HTML",
    ),
    Hostile(
        "active-characters.txt",
        lambda: (
            f'Title {ACTIVE}\n\nClaim {ACTIVE}.[1]\n\nReferences\n\n1. ^ "Title {ACTIVE}". Gazette. '
            f"2 March 2012. https://example.org/x{ACTIVE} Retrieved 6 March 2013.\n"
        ),
        "the same in plain text",
    ),
    Hostile("case-twins.wiki", _case_twins_wikitext, "reference names differing only in case (one file on macOS)"),
    Hostile("fence-breaker.wiki", _backtick_fence_wikitext, "backtick runs trying to close a repair's code fence"),
    Hostile("deep.html", _deep_html, "20,000 nested elements"),
    Hostile("deep.md", _deep_markdown, "5,000 nested quotes, 3,000 nested lists, 5,000 open brackets"),
    Hostile("deep.wiki", _deep_wikitext, "3,000 nested templates and refs, 5,000 open links"),
    Hostile("many-references.md", _many_markdown, "3,000 footnotes"),
    Hostile("one-long-line.txt", _long_line_text, "1.2 MB on one line"),
    Hostile("index.md", lambda: _markdown_footnotes("a"), "a document named like the audit's index"),
    Hostile("summary.txt", lambda: "Claim.[1]" + PLAIN_REFERENCES, "named like the summary"),
    Hostile("n" * 240 + ".md", lambda: _markdown_footnotes("a"), "a 243-byte document name"),
    Hostile(f"name-\x1b[31m-\u202e-{chr(0x85)}.md", lambda: _markdown_footnotes("a"), "controls in the file name"),
    Hostile("empty.md", lambda: "", "an empty file"),
    Hostile("bom-only.txt", lambda: "\ufeff", "a byte-order mark and nothing else"),
    Hostile("nul-bytes.md", lambda: "Claim\x00\x00\x00\x00\x00 x", "NUL bytes: a binary file, an input error (exit 2)"),
]


def write_hostile(folder: Path, hostile: Hostile) -> Path:
    path = folder / hostile.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hostile.build(), encoding="utf-8")
    return path

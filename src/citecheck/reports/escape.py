"""Escaping untrusted text for every output: Markdown, code blocks, SVG, JSON, terminals.

Citations come from documents and servers we do not control.  A title like
``x | y``, ```code```, ``<script>``, ``[click](javascript:…)`` or ``![](http://tracker)``
must show as the literal characters and never break a table, open a link or
inject markup; and no text may carry characters that act on whoever displays
it:

* **C0 and C1 controls** and DEL (``\\x1b[2J`` clears a terminal, ``\\r`` rewrites
  a line, ``\\x9b`` is a one-byte CSI on some terminals, NEL breaks lines);
* **terminal escape sequences** (CSI, OSC — hyperlinks and window titles —,
  DCS …), removed whole so no ``[31m`` debris is left;
* **bidirectional overrides, embeddings and isolates** (U+202A–U+202E,
  U+2066–U+2069: "Trojan Source", CVE-2021-42574), which reorder what a
  reader sees; the invisible directional *marks* (LRM, RLM, ALM) are kept in
  Markdown prose, where right-to-left titles legitimately use them, and
  removed everywhere text is machine-read or pasted (code blocks, terminals,
  annotation messages, SARIF, file names);
* **lone surrogates**, which cannot be written as UTF-8 at all (U+FFFD instead).

Which function for which output:

* :func:`md_text`, :func:`md_cell` — Markdown prose and GFM table cells (HTML- and Markdown-escaped, one line);
* :func:`md_link`, :func:`safe_url` — links: only http(s) targets, percent-encoded printable ASCII;
* :func:`md_code_block` — fenced code (repair snippets): a fence no backtick run inside can close;
* :func:`display_text` — any plain display (annotation messages, SARIF messages, snippets);
* :func:`terminal_text` — one line for a terminal;
* :func:`xml_text` — SVG/XML element text and attribute values;
* :func:`json_inert` — already-serialised JSON: the same characters as ``\\uXXXX`` escapes.

Everything is one ``str.translate`` table per output, applied after a single
precompiled-regex test, so text without special characters costs one scan
(report writing escapes every cell of every row; issue 17 measured the old
character-by-character version as a hot spot).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, urlsplit

# --- character classes --------------------------------------------------------------------------------------------

_C0 = [code for code in range(0x20)]
_C1_AND_DEL = [0x7F, *range(0x80, 0xA0)]
# Overrides and embeddings (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Invisible directional marks: harmless in prose, unwelcome in anything machine-read.
BIDI_MARKS = frozenset([0x200E, 0x200F, 0x061C])
_LINE_SEPARATORS = (0x2028, 0x2029)
_SURROGATES = range(0xD800, 0xE000)
# What ``str.split()`` splits on besides the space and the controls (which every table already changes): the other
# Unicode white space.  tests/unit/test_escape.py checks the list against ``str.isspace`` over every code point.
SPLIT_WHITESPACE = (0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)

# Terminal escape sequences (ECMA-48), removed whole so no "[31m" debris is left: CSI (also its one-character C1
# form), OSC/DCS/SOS/PM/APC strings *with* their terminator (BEL or ST; at most 512 characters, so an unterminated
# one never swallows the text after it), and two-character escapes.  A stray ESC or C1 character left over is
# removed with the other controls.
_ESCAPE_SEQUENCE_RE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
_HAS_ESCAPE_START_RE = re.compile(r"[\x1b\x9b]")


def _inert_map(*, newlines: bool, marks: bool) -> dict[int, str | None]:
    """Code point → replacement for display: controls become spaces, bidi controls vanish."""
    table: dict[int, str | None] = {code: " " for code in (*_C0, *_C1_AND_DEL, *_LINE_SEPARATORS)}
    if newlines:
        table[0x0A] = "\n"
        table[0x0D] = None  # CRLF → LF; a lone CR would let text overwrite its own line
        table[0x2028] = table[0x2029] = table[0x85] = "\n"
    table.update({code: None for code in BIDI_CONTROLS})
    if not marks:
        table.update({code: None for code in BIDI_MARKS})
    table.update({code: "\ufffd" for code in _SURROGATES})
    return table


def _special_re(table: dict[int, str | None]) -> re.Pattern[str]:
    """A character class matching every code point ``table`` changes (the "anything to do?" test)."""
    ranges: list[tuple[int, int]] = []
    for code in sorted(table):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    parts = [
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges
    ]
    return re.compile("[" + "".join(parts) + "]")


_Tables = tuple[dict[int, str | None], re.Pattern[str]]  # a str.translate table and its "anything to do?" regex

# Terminal and display text, which every command prints: built at import.
_DISPLAY_LINE = _inert_map(newlines=False, marks=False)
_DISPLAY_LINE_RE = _special_re(_DISPLAY_LINE)

# The other outputs' tables are built on first use: each costs ~1 ms to make (the regex compiler walks the
# surrogate range code point by code point), which ``citecheck check`` would pay at start-up for outputs it never
# writes (issue 17).  Each function reads its module global first, so after the first call a table costs one
# global lookup, and the report writers' per-cell loops stay as fast as with tables built at import.
_display_lines: _Tables | None = None
_markdown: tuple[_Tables, _Tables] | None = None  # (prose, Markdown)
_cell_special: Callable[[str], re.Match[str] | None] | None = None  # finds what md_cell's shortcut cannot take
_xml: _Tables | None = None
_json: _Tables | None = None


def _display_lines_tables() -> _Tables:
    global _display_lines
    table = _inert_map(newlines=True, marks=False)
    _display_lines = (table, _special_re(table))
    return _display_lines


def _markdown_tables() -> tuple[_Tables, _Tables]:
    # Markdown inline text: HTML specials become entities and CommonMark/GFM inline specials get a backslash, in
    # the same single pass (so the entities added are never escaped again).  Untrusted text never starts a line in
    # our reports (it follows a table pipe, a list bullet or a label, and line breaks become spaces), so
    # block-level markers such as "#", "-", "+" or "1." need no escaping.
    global _markdown
    prose = _inert_map(newlines=False, marks=True)
    markdown = dict(prose)
    markdown.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
    markdown.update({ord(char): "\\" + char for char in "\\`*_[]|~"})
    _markdown = ((prose, _special_re(prose)), (markdown, _special_re(markdown)))
    return _markdown


def _cell_special_search() -> Callable[[str], re.Match[str] | None]:
    # A cell's text is also split on white space and joined by single spaces: a text without these characters
    # (the Markdown table's and the white space it does not hold) is its own cell unless a space starts it, ends
    # it or follows another, which md_cell tests apart.
    global _cell_special
    (_, (markdown, _)) = _markdown or _markdown_tables()
    _cell_special = _special_re({**markdown, **dict.fromkeys(SPLIT_WHITESPACE)}).search
    return _cell_special


def _xml_tables() -> _Tables:
    global _xml
    table = dict(_DISPLAY_LINE)
    table.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", 0xFFFE: " ", 0xFFFF: " "})
    _xml = (table, _special_re(table))
    return _xml


def _json_tables() -> _Tables:
    # Serialised JSON: outside strings JSON is plain ASCII, so these escapes are always valid and change no value.
    # json.dumps and pydantic already escape C0; C1, DEL, bidi controls, marks, line separators and lone
    # surrogates pass through raw unless escaped here.
    global _json
    codes = (*_C1_AND_DEL, *BIDI_CONTROLS, *BIDI_MARKS, *_LINE_SEPARATORS, *_SURROGATES)
    table: dict[int, str | None] = {code: f"\\u{code:04x}" for code in codes}
    _json = (table, _special_re(dict.fromkeys(table, None)))
    return _json


_BACKTICK_RUN_RE = re.compile(r"`+")
# Most cited URLs, which safe_url returns as they are: an http(s) scheme, a host part that is not empty and has no
# brackets (urlsplit's IPv6 checks) and only characters ``quote`` keeps with safe_url's ``safe`` (ASCII letters,
# digits, "_.-~" and those): no white space to strip, nothing to encode, nothing urlsplit rejects.
_URL_SAFE = r"A-Za-z0-9_.\-~:/?#@!$&+,;=%()"
_PLAIN_WEB_URL_RE = re.compile(rf"[hH][tT][tT][pP][sS]?://[{_URL_SAFE.replace('/?#', '')}]+(?:[/?#][{_URL_SAFE}]*)?")


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def _without_escape_sequences(text: str) -> str:
    if _HAS_ESCAPE_START_RE.search(text) is None:
        return text
    return _ESCAPE_SEQUENCE_RE.sub("", text)


# --- plain display ------------------------------------------------------------------------------------------------


def display_text(value: object, *, newlines: bool = False) -> str:
    """Untrusted text safe to show anywhere: no controls, escape sequences, bidi controls or marks.

    Controls (tabs and, unless ``newlines``, line breaks included) become
    spaces; with ``newlines`` line breaks are kept as ``\\n`` (CR LF and lone
    CR normalised).  Nothing is HTML- or Markdown-escaped.
    """
    text = _as_text(value)
    table, special = (_display_lines or _display_lines_tables()) if newlines else (_DISPLAY_LINE, _DISPLAY_LINE_RE)
    if special.search(text) is None:
        return text
    text = _without_escape_sequences(text)
    if newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(table)


def terminal_text(value: object, limit: int | None = None) -> str:
    """One line of untrusted text for a terminal: :func:`display_text`, whitespace runs collapsed, shortened."""
    return _shorten(" ".join(display_text(value).split()), limit)


def _shorten(text: str, limit: int | None) -> str:
    if limit is not None and len(text) > limit:
        return text[: max(limit - 1, 0)].rstrip() + "…"
    return text


# --- Markdown -----------------------------------------------------------------------------------------------------


def md_text(value: object, limit: int | None = None) -> str:
    """Untrusted text as inert inline Markdown: one line, HTML-escaped, Markdown specials backslash-escaped.

    ``limit`` counts characters of the text before escaping.
    """
    text = _shorten(_as_text(value), limit)
    markdown, markdown_re = (_markdown or _markdown_tables())[1]
    # One scan answers "anything to do?" (most report values: no); only then the sequences and the table.
    if markdown_re.search(text) is None:
        return text
    return _without_escape_sequences(text).translate(markdown)


def md_cell(value: object, limit: int | None = 300) -> str:
    """Untrusted text for one GFM table cell: one line, no bare pipes, never empty."""
    # An enum member or another str subclass becomes its characters as a plain str, as joining would make it.
    text = value if type(value) is str else str.__str__(value) if isinstance(value, str) else _as_text(value)
    if (_cell_special or _cell_special_search())(text) is None:
        # Most cells (report writing escapes ~17 per reference, issue 17): nothing to clean or escape, and
        # collapsing white space or shortening adds none.  Without a space at either end or after another,
        # splitting and joining would give the text back: skipped.
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            text = " ".join(text.split())
        if limit is not None and len(text) > limit:
            text = text[: max(limit - 1, 0)].rstrip() + "…"
        return text or " "
    if (_markdown or _markdown_tables())[1][1].search(text) is None:
        # Only white space other than the space (no-break, em, ideographic …): collapsed, the rest as above.
        text = " ".join(text.split())
        if limit is not None and len(text) > limit:
            text = text[: max(limit - 1, 0)].rstrip() + "…"
        return text or " "
    return _md_cell_general(text, limit)


def _md_cell_general(text: str, limit: int | None) -> str:
    """:func:`md_cell` without its shortcuts (which give the same text, tests/property/test_escape_properties.py)."""
    prose, prose_re = (_markdown or _markdown_tables())[0]
    if prose_re.search(text) is not None:  # controls become spaces first, so they collapse with the rest
        text = _without_escape_sequences(text).translate(prose)
    # str.split() splits on exactly the characters the regex \s matches, at a third of the cost.
    return md_text(" ".join(text.split()), limit) or " "


def md_code_block(text: str, language: str = "") -> list[str]:
    """Lines of a fenced code block showing ``text`` literally.

    The fence is longer than any backtick run in the text, so no line of it
    can close the block early (CommonMark: a closing fence is at least as long
    as the opening one); the text is cleaned with :func:`display_text` (line
    breaks kept).  ``language`` is our own info string, never document text.
    """
    body = display_text(text, newlines=True)
    fence = code_fence(body)
    return [f"{fence}{language}", *body.split("\n"), fence]


def code_fence(text: str) -> str:
    """A backtick fence longer than any backtick run in ``text`` (at least three)."""
    longest = max((len(run) for run in _BACKTICK_RUN_RE.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, percent-encoding what Markdown would misread; else None.

    Controls, spaces, bidi characters and every other non-ASCII character
    are percent-encoded (as UTF-8), so the result is printable ASCII.
    """
    if not url:
        return None
    if _PLAIN_WEB_URL_RE.fullmatch(url) is not None:
        return url  # what the general path would give back (tests/property/test_escape_properties.py)
    return _safe_url_general(url)


def _safe_url_general(url: str) -> str | None:
    """:func:`safe_url` for any URL that is not empty."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Keep the URL's own structure; encode spaces, quotes, brackets, pipes and angle brackets.
    return quote(url.strip(), safe=":/?#@!$&+,;=%~-._()", errors="replace")


def md_link(label: object, url: str | None, limit: int | None = 80) -> str:
    """A Markdown link whose label is escaped and whose target is a safe http(s) URL.

    Unsafe or malformed targets are shown as escaped text, never as links.
    """
    target = safe_url(url)
    shown = md_cell(label, limit) if label else md_cell(url, limit)
    if target is None:
        return shown
    return f"[{shown}](<{target}>)"


# --- XML and JSON -------------------------------------------------------------------------------------------------


def xml_text(value: object) -> str:
    """Untrusted text safe inside an XML element or a double-quoted attribute (SVG timelines).

    Also removes what XML 1.0 forbids even when escaped (C0 controls but tab
    and line breaks, U+FFFE, U+FFFF, lone surrogates).
    """
    text = _as_text(value)
    table, special = _xml or _xml_tables()
    if special.search(text) is None:
        return text
    return _without_escape_sequences(text).translate(table)


def json_inert(serialized: str) -> str:
    """Already-serialised JSON with C1 controls, DEL, bidi controls and marks, line separators and lone
    surrogates written as ``\\uXXXX`` escapes: the same values, but no raw character that acts on a viewer
    or splits a line for ``str.splitlines``.
    """
    # Every character escaped here is DEL or beyond ASCII: two C scans settle most reports (a character-class
    # regex over a whole report's JSON costs a thousand times more).
    if serialized.isascii() and "\x7f" not in serialized:
        return serialized
    table, special = _json or _json_tables()
    if special.search(serialized) is None:
        return serialized
    return serialized.translate(table)

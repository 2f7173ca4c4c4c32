"""Escaping untrusted text for Markdown (and the HTML it becomes).

Citations come from documents we do not control.  A title like
``x | y``, ```code```, ``<script>``, ``[click](javascript:…)`` or ``![](http://tracker)``
must show as the literal characters and never break a table, open a link
or inject markup.  Every piece of untrusted text goes through
:func:`md_text` (or :func:`md_cell` inside tables); URLs through
:func:`md_link`, which only ever emits http(s) links.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Characters with meaning in CommonMark/GFM *inline* syntax, escaped with a
# backslash.  Untrusted text never starts a line in our reports (it always
# follows a table pipe, a list bullet or a label), so block-level markers
# such as "#", "-", "+" or "1." need no escaping.
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]|~])")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_WHITESPACE_RE = re.compile(r"\s+")


def md_text(value: object, limit: int | None = None) -> str:
    """Untrusted text as inert Markdown: HTML-escaped, Markdown specials backslash-escaped."""
    text = "" if value is None else str(value)
    text = _CONTROL_RE.sub(" ", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = "".join(_HTML_SPECIAL.get(char, char) for char in text)
    # Escaping "&" first above keeps entities we add from being re-escaped;
    # backslash escapes do not apply inside entities, so order matters.
    return _MARKDOWN_SPECIAL_RE.sub(r"\\\1", text)


def md_cell(value: object, limit: int | None = 300) -> str:
    """Untrusted text for one GFM table cell: one line, no bare pipes."""
    text = "" if value is None else str(value)
    text = _WHITESPACE_RE.sub(" ", text).strip()
    return md_text(text, limit) or " "


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, percent-encoding what Markdown would misread; else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Keep the URL's own structure; encode spaces, quotes, brackets, pipes and angle brackets.
    return quote(url.strip(), safe=":/?#@!$&+,;=%~-._()")


def md_link(label: object, url: str | None, limit: int | None = 80) -> str:
    """A Markdown link whose label is escaped and whose target is a safe http(s) URL.

    Unsafe or malformed targets are shown as escaped text, never as links.
    """
    target = safe_url(url)
    shown = md_cell(label, limit) if label else md_cell(url, limit)
    if target is None:
        return shown
    return f"[{shown}](<{target}>)"

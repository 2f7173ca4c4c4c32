"""What "inert" means for report text: no raw character that acts on whoever displays it."""

from __future__ import annotations

import re

# C0 controls but tab and line feed (CR is a line ending in our files only as part of nothing: we write LF),
# DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators and lone surrogates.
ACTIVE_CHARACTERS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
# The invisible directional marks, allowed only in Markdown prose.
BIDI_MARKS_RE = re.compile("[\u200e\u200f\u061c]")


def active_characters(text: str) -> list[str]:
    """The offending characters of ``text`` (empty when it is inert), as escapes for readable failures."""
    return [f"U+{ord(char):04X}" for char in ACTIVE_CHARACTERS_RE.findall(text)]

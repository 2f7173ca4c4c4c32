"""Taking in-text citation markers out of running text, keeping where they stood."""

from __future__ import annotations

import re
from collections.abc import Callable

from citecheck.models import Marker

# [3], [12] with the spaces before them: "text. [1] [2]"; a page locator rendered by {{rp}} right after
# the marker ("[3]: 45", "[3]:45–47") is part of the marker, not of the sentence.
NUMERIC_MARKER_RE = re.compile(r"\s*\[(?P<label>\d{1,4})\](?::\s?\d{1,5}(?:\s?[–-]\s?\d{1,5})?(?=[\s.,;]|$))?")


def extract_markers(
    text: str,
    pattern: re.Pattern[str] = NUMERIC_MARKER_RE,
    resolve: Callable[[str], str | None] | None = None,
) -> tuple[str, list[Marker]]:
    """Remove every ``pattern`` match from ``text``.

    Returns the clean text and the markers, each with the offset in the clean
    text where it stood.  The whitespace before a marker goes with it, so
    ``"Iran. [1] [2] Next"`` becomes ``"Iran. Next"`` with both markers at the
    offset just after ``"Iran."``.  ``resolve`` maps a label to a reference id
    (``None`` when the marker is dangling); by default the label is the id.
    """
    pieces: list[str] = []
    markers: list[Marker] = []
    position = 0
    clean_length = 0
    for match in pattern.finditer(text):
        before = text[position : match.start()]
        pieces.append(before)
        clean_length += len(before)
        label = match.group("label")
        ref_id = resolve(label) if resolve else label
        markers.append(Marker(label=label, offset=clean_length, ref_id=ref_id))
        position = match.end()
    pieces.append(text[position:])
    clean = "".join(pieces)
    return clean, markers

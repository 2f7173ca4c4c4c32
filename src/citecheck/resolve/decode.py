"""Turning fetched bytes into text and data safely: charsets, bounded JSON.

* Text: the charset named by the HTTP header's ``charset`` parameter, then a
  byte-order mark or the page's own ``<meta>`` declaration, then detection —
  never the codec httpx uses for the *headers* (``ascii``), which made a page
  with one non-ASCII byte parse empty, so a soft-404 titled "Page not found –
  Example" came out alive.  A header charset the bytes do not decode under is
  passed over, not forced with replacement characters.
* JSON: nesting deeper than a cap is refused before the parser sees it
  (Python's parser recurses, and deeply nested garbage from an index raised
  ``RecursionError``, which was caught at the top and turned every result of
  the audit into not-checked).
"""

from __future__ import annotations

import codecs
import json
import warnings
from collections.abc import Callable, Collection
from email.message import Message
from typing import TYPE_CHECKING, ParamSpec, TypeVar

# bs4 imported where used: an offline audit imports this module but never fetches or parses a page (issue 17).
if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag


DEFAULT_MAX_JSON_DEPTH = 64
# Bodies up to this size are read on the event loop; larger ones in a worker thread.
INLINE_READ_BYTES = 64 * 1024

_P = ParamSpec("_P")
_R = TypeVar("_R")


async def read_off_loop(size: int, reader: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """Run a CPU-bound ``reader`` of a ``size``-byte body: inline when small, in a worker thread when large.

    Parsing holds the GIL, so a thread buys no parallelism; what it costs is the handoff and,
    worse, the event loop waiting for the GIL on every socket call while a reader holds it
    (the loop's ``send``/``getpeername``/``sqlite`` calls each waited up to a switch interval).
    A small page (~1 ms to read) goes inline; a large one still goes to a thread so the loop
    keeps serving other requests' timeouts while it is read.
    """
    if size <= INLINE_READ_BYTES:
        return reader(*args, **kwargs)
    # Imported here (it is loaded already: this runs on a loop): the settings read decode's limits in every
    # audit, and an offline one runs no event loop (issue 17).
    import asyncio

    return await asyncio.to_thread(reader, *args, **kwargs)


class JsonDataError(ValueError):
    """The bytes are not JSON this reader accepts (malformed, too deep, not text)."""


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header if it names a codec Python knows, else None."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    if not isinstance(charset, str):
        return None
    name = charset.strip().strip("\"'").lower()
    if not name:
        return None
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def media_type(content_type: str | None) -> str:
    """``text/html`` from ``text/HTML; charset=utf-8`` (empty when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode_text(body: bytes | str, content_type: str | None = None, *, html: bool = True) -> str:
    """The body as text: header charset, then BOM / ``<meta>`` (HTML), then detection; never raises."""
    from bs4.dammit import UnicodeDammit

    if isinstance(body, str):
        return body
    if not body:
        return ""
    header = charset_from_content_type(content_type)
    dammit = UnicodeDammit(body, known_definite_encodings=[header] if header else [], is_html=html)
    if dammit.unicode_markup is not None:
        return dammit.unicode_markup.removeprefix("\ufeff")
    return body.decode(header or "utf-8", errors="replace").removeprefix("\ufeff")


def looks_binary(body: bytes, sample: int = 64 * 1024) -> bool:
    """Whether the bytes are not text in any encoding a page uses: four NUL bytes in a row.

    UTF-16 text has single NULs and UTF-32 at most three in a row; a run of
    four is U+0000 in all of them, so it is binary data (or a decompression
    bomb's zeros) — parsing it as markup would build millions of nodes.
    """
    return b"\x00\x00\x00\x00" in body[:sample]


def parse_html(markup: str) -> BeautifulSoup:
    """A parsed page (lxml).  A page that consists of one URL is text to read, never a locator to open."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "lxml")


def find_tags(root: Tag, names: Collection[str] | None = None, limit: int | None = None) -> list[Tag]:
    """The elements under ``root`` named ``names`` (all of them when None), in document order, as a list.

    What ``root.find_all(names)`` returns for plain tag names, without building bs4's match rules per
    call (a tenth of a small page's reading went to them); a list, so the caller may change the tree.
    """
    from bs4 import Tag

    found: list[Tag] = []
    for node in root.descendants:
        if isinstance(node, Tag) and (names is None or node.name in names):
            found.append(node)
            if limit is not None and len(found) >= limit:
                break
    return found


def find_parent_named(element: Tag, names: Collection[str]) -> Tag | None:
    """``element.find_parent(names)`` for plain tag names: the nearest enclosing element so named."""
    parent = element.parent
    while parent is not None:
        if parent.name in names:
            return parent
        parent = parent.parent
    return None


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays/objects nest deeper than ``max_depth`` (brackets inside strings do not count)."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads_json(data: bytes | str, *, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> object:
    """Parse JSON, refusing nesting deeper than ``max_depth``; raises :class:`JsonDataError`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise JsonDataError(f"JSON is not UTF-8: {error}") from error
    else:
        text = data
    if json_depth_exceeds(text, max_depth):
        raise JsonDataError(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise JsonDataError(f"malformed JSON: {error}") from error

"""Names of every file an audit writes: bounded, unique and stable on every platform.

Parts of our file names come from documents — a document's stem, a
footnote label used as a reference id — and may be 300 characters long, hold
``:`` or ``?`` (forbidden on Windows), controls, bidi overrides, or differ only
in case (``NYT`` and ``nyt`` are two wikitext reference names but one file on
macOS and Windows).  Every generated name goes through :func:`bounded_name`:

* at most :data:`MAX_NAME_BYTES` UTF-8 bytes *after* macOS's NFD
  normalisation (which only ever lengthens), which also bounds the UTF-16
  length Windows counts — the common limit is 255, and the rest is left for the
  writer's temporary names (``.<name>.<random>.tmp``);
* characters Windows, terminals or bidi rendering would misread replaced by
  ``_``; no leading dot (hidden files), no trailing dot or space, no Windows
  device name (``CON``, ``NUL.md``…);
* when shortened, a hash of the full original name keeps it unique, and the
  same input always gives the same name (reports diff well across runs).

Uniqueness among *cleaned* names (``a:b`` and ``a?b`` both become ``a_b``) is
the caller's job: :func:`report_stems` and the timeline namer keep a set of
taken names compared case-insensitively (:func:`name_key`).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
MAX_NAME_BYTES = 200
# A document's stem leaves room for what is added after it ("-ref-", a reference id part, ".svg").
STEM_MAX_BYTES = 120
HASH_CHARS = 10  # 40 bits of SHA-256: no accidental collision among the names of one audit
# Report files whose names an audit reserves: a document called index.md must not overwrite the index.
RESERVED_STEMS = frozenset({"index", "summary"})
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{device}{number}" for device in ("com", "lpt") for number in [*"123456789", "¹", "²", "³"]}
)
# Windows-forbidden characters, controls, DEL/C1, bidi controls and marks, line separators, lone surrogates.
_UNSAFE_RE = re.compile(
    '[<>:"/\\\\|?*\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]'
)


def name_key(name: str) -> str:
    """How case-insensitive, normalising file systems (macOS, Windows) compare ``name``."""
    return unicodedata.normalize("NFC", name).casefold()


def _byte_length(text: str) -> int:
    return len(unicodedata.normalize("NFD", text).encode("utf-8"))


def _cut(text: str, budget: int) -> str:
    """The longest prefix of ``text`` within ``budget`` bytes (NFD UTF-8), cut between characters."""
    if _byte_length(text) <= budget:
        return text
    low, high = 0, len(text)
    while low < high:  # binary search: names are short, but a 300-character label is not
        middle = (low + high + 1) // 2
        if _byte_length(text[:middle]) <= budget:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def safe_name_part(text: str) -> str:
    """``text`` with every character unsafe in a file name replaced by ``_`` (no length bound)."""
    cleaned = _UNSAFE_RE.sub("_", text).strip(" ")
    cleaned = cleaned.lstrip(".") if cleaned.lstrip(".") else cleaned.replace(".", "_")
    cleaned = cleaned.rstrip(". ") or "_"
    if cleaned.split(".", 1)[0].rstrip(" ").casefold() in _WINDOWS_DEVICES:
        cleaned = "_" + cleaned
    return cleaned


def bounded_name(base: str, suffix: str = "", *, limit: int = MAX_NAME_BYTES) -> str:
    """A safe file name ``<base><suffix>`` of at most ``limit`` bytes (see the module docstring).

    ``suffix`` is ours (``.md``, ``-ref-3.svg``…) and kept whole; ``base`` is
    cleaned with :func:`safe_name_part` and, when too long, cut and followed
    by ``-`` and a hash of the original ``base``.
    """
    cleaned = safe_name_part(base)
    if _byte_length(cleaned + suffix) <= limit:
        return cleaned + suffix
    tag = "-" + hashlib.sha256(base.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]
    budget = limit - _byte_length(tag + suffix)
    if budget < 1:
        raise ValueError(f"suffix {suffix!r} leaves no room in a {limit}-byte file name")
    head = _cut(cleaned, budget).rstrip(". ") or "_"
    return head + tag + suffix


def _flattened(path: Path) -> str:
    """A document's path as one name part (``docs/a.md`` → ``docs__a_md``), as report stems were always made."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # Windows: another drive than the working directory
        relative = str(path).replace(":", "")
    return relative.replace(os.sep, "__").replace("/", "__").replace(".", "_").lstrip("_")


def report_stems(documents: Iterable[Path]) -> dict[Path, str]:
    """Report file stems (``<stem>.md``, ``<stem>.json``, ``<stem>-ref-….svg``) for each document.

    A document's own stem where it is unique (compared as case-insensitive file
    systems compare), else its path flattened into the name; never a name the
    audit reserves (``index``, ``summary``); at most :data:`MAX_NAME_BYTES`
    less room for the longest suffix we add, so every file named after it fits.
    """
    paths = list(documents)
    counts = Counter(name_key(path.stem) for path in paths)
    taken = {name_key(stem) for stem in RESERVED_STEMS}
    stems: dict[Path, str] = {}
    for path in paths:
        key = name_key(path.stem)
        chosen = path.stem if counts[key] == 1 and key not in taken else _flattened(path)
        stem = bounded_name(chosen, limit=STEM_MAX_BYTES)
        number = 2
        while name_key(stem) in taken:
            stem = bounded_name(f"{chosen}-{number}", limit=STEM_MAX_BYTES)
            number += 1
        taken.add(name_key(stem))
        stems[path] = stem
    return stems


TIMELINE_INFIX = "-ref-"  # timeline files are <stem>-ref-<reference id>.svg
# A long report is split into <stem>-<section>.md and <stem>-<section>-<n>.md (reports/pages.py).
_PAGE_RE = re.compile(r"^(?P<stem>.+)-(?P<page>(?:repairs|findings|references|claims)(?:-\d+)?)$", re.I)


def collision_safe_stems(stems: Mapping[K, str]) -> dict[K, str]:
    """Stems to change so no two documents' timeline files or report pages can share a name; others left out.

    ``<a>-ref-<x-ref-y>.svg`` and ``<a-ref-x>-ref-<y>.svg`` are the same file:
    a clash needs one stem to be another followed by ``-ref-``.  Such a stem
    gets ``-ref_`` where a stem of the audit precedes ``-ref-`` (and a number
    if that is taken), until no stem continues another that way.
    """
    current = dict(stems)
    changed: dict[K, str] = {}
    while True:
        keys = {name_key(stem) for stem in current.values()}
        taken = set(keys)
        round_changes: dict[K, str] = {}
        for document, stem in current.items():
            renamed = _without_reach(stem, keys)
            if renamed == stem:
                continue
            candidate, number = renamed, 2
            while name_key(candidate) in taken:
                candidate = bounded_name(f"{renamed}-{number}", limit=STEM_MAX_BYTES)
                number += 1
            taken.add(name_key(candidate))
            round_changes[document] = candidate
        if not round_changes:
            return changed
        current.update(round_changes)
        changed.update(round_changes)


def _without_reach(stem: str, keys: set[str]) -> str:
    """``stem`` with ``-ref-`` made ``-ref_`` wherever what precedes it is another stem (compared as file names),
    and ``<stem>-findings`` (a page another stem's long report is split into) made ``<stem>_findings``."""
    page = _PAGE_RE.match(stem)
    if page is not None and name_key(page["stem"]) in keys:
        return f"{page['stem']}_{page['page']}"
    folded = name_key(stem)
    if _INFIX not in folded:
        return stem
    cuts = [at for at in range(len(folded)) if folded.startswith(_INFIX, at) and folded[:at] in keys]
    if not cuts:
        return stem
    if len(folded) != len(stem):  # case folding changed the length: positions do not carry over
        return re.sub(re.escape(TIMELINE_INFIX), "-ref_", stem, flags=re.I)
    for at in cuts:
        stem = stem[: at + len(TIMELINE_INFIX) - 1] + "_" + stem[at + len(TIMELINE_INFIX) :]
    return stem


TIMELINE_INFIX = "-ref-"  # timeline files are <stem>-ref-<reference id>.svg
# A long report is split into <stem>-<section>.md and <stem>-<section>-<n>.md (reports/pages.py).
_PAGE_RE = re.compile(r"^(?P<stem>.+)-(?P<page>(?:repairs|findings|references|claims)(?:-\d+)?)$", re.I)
_INFIX = TIMELINE_INFIX

"""Which cited URLs the network stage checks: ``--exclude``/``--include``, ``.citecheckignore`` and ``--remap``.

The rules are lychee's, applied to references before resolution:

* ``--include`` patterns win over everything: a URL they match is checked;
* otherwise a URL matching an ``--exclude`` pattern or a line of the ignore
  file is not checked;
* with ``--include`` patterns and no exclude patterns at all, every URL the
  includes do not match is not checked (only the included ones are);
* ``--remap "PATTERN REPLACEMENT"`` checks another URL in place of a cited
  one (a mirror, a moved host); the first rule that matches applies.

Patterns are Python regular expressions searched anywhere in the URL.  A URL
left out is reported ``not-checked`` with the rule that left it out; it is
never called dead or alive.  Everything here is pure: no I/O but reading the
ignore file, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from citecheck.models import ArchiveResult, LiveCheck, ParsedDocument, Reference

_RANGE_RE = re.compile(r"^\s*(\d{3})\s*(?:\.\.(=?)\s*(\d{3}))?\s*$")
_DOLLAR_GROUP_RE = re.compile(r"\$(\d+|\{\w+\})")
_GROUP_REFERENCE_RE = re.compile(r"\\(\d+)|\\g<(\w+)>")


def validate_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled; :class:`ValueError` in plain words when it is not a regular expression."""
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"{pattern!r} is not a regular expression ({error})") from None


def _python_replacement(replacement: str) -> str:
    """lychee writes groups as ``$1``/``${name}``; Python as ``\\1``/``\\g<name>``: accept both."""

    def convert(match: re.Match[str]) -> str:
        group = match.group(1).strip("{}")
        return f"\\g<{group}>"

    return _DOLLAR_GROUP_RE.sub(convert, replacement)


def parse_remap(rule: str) -> tuple[re.Pattern[str], str]:
    """``"PATTERN REPLACEMENT"`` → the compiled pattern and a Python replacement string."""
    parts = rule.split()
    if len(parts) != 2:
        raise ValueError(f'{rule!r} is not a remap; write it as "PATTERN REPLACEMENT" (two parts, one space)')
    pattern = validate_pattern(parts[0])
    replacement = _python_replacement(parts[1])
    for number, name in _GROUP_REFERENCE_RE.findall(replacement):
        group = number or name
        known = int(group) <= pattern.groups if group.isdigit() else group in pattern.groupindex
        if not known:
            raise ValueError(f"{rule!r}: the replacement uses group {group}, which the pattern does not have")
    return pattern, replacement


def parse_status_ranges(items: Iterable[str]) -> frozenset[int]:
    """``["200", "204..=206", "300..400"]`` → the status codes they name (``..`` excludes its end, like lychee)."""
    codes: set[int] = set()
    for item in items:
        match = _RANGE_RE.match(str(item))
        if match is None:
            raise ValueError(f"{item!r} is not a status code or range; write 200, 200..=299 or 200..300")
        low = int(match.group(1))
        high = low if match.group(3) is None else int(match.group(3)) - (0 if match.group(2) else 1)
        if not 100 <= low <= 599 or not 100 <= high <= 599 or high < low:
            raise ValueError(f"{item!r}: HTTP status codes run from 100 to 599, low to high")
        codes.update(range(low, high + 1))
    return frozenset(codes)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    origin: str  # what to tell the user: "--exclude 'x'", ".citecheckignore line 3"


def read_ignore_file(path: Path) -> list[tuple[int, str]]:
    """The patterns of an ignore file with their line numbers: one regex a line, ``#`` comments, blanks skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    patterns = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            validate_pattern(stripped)
        except ValueError as error:
            raise ValueError(f"{path} line {number}: {error}") from None
        patterns.append((number, stripped))
    return patterns


@dataclass(frozen=True)
class UrlRules:
    """The include, exclude and remap rules of one audit."""

    include: tuple[_Rule, ...] = ()
    exclude: tuple[_Rule, ...] = ()
    remaps: tuple[tuple[re.Pattern[str], str, str], ...] = ()  # pattern, replacement, the rule as written

    @classmethod
    def build(
        cls,
        *,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        remap: Sequence[str] = (),
        ignore_file: Path | None = None,
    ) -> UrlRules:
        """Compile the rules; :class:`ValueError` names a bad pattern or ignore-file line."""
        excludes = [_Rule(validate_pattern(pattern), f"--exclude '{pattern}'") for pattern in exclude]
        if ignore_file is not None:
            excludes += [
                _Rule(validate_pattern(pattern), f"{ignore_file.name} line {number}")
                for number, pattern in read_ignore_file(ignore_file)
            ]
        return cls(
            include=tuple(_Rule(validate_pattern(pattern), f"--include '{pattern}'") for pattern in include),
            exclude=tuple(excludes),
            remaps=tuple((*parse_remap(rule), rule) for rule in remap),
        )

    @property
    def empty(self) -> bool:
        return not (self.include or self.exclude or self.remaps)

    def excluded_by(self, url: str) -> str | None:
        """Why ``url`` is not checked (``"excluded by --exclude 'x'"``), or None when it is checked."""
        if any(rule.pattern.search(url) for rule in self.include):
            return None
        for rule in self.exclude:
            if rule.pattern.search(url):
                return f"excluded by {rule.origin}"
        if self.include and not self.exclude:
            return "excluded: matches no --include pattern"
        return None

    def remapped(self, url: str) -> tuple[str, str] | None:
        """The URL to check instead of ``url`` and the rule that says so, or None."""
        for pattern, replacement, rule in self.remaps:
            if pattern.search(url):
                return pattern.sub(replacement, url, count=1), rule
        return None


@dataclass
class NetworkView:
    """The documents as the network stage should see them, and how to bring its answers back.

    Excluded references are left out; a remapped reference is replaced by a
    copy that cites the new URL.  Other references are the documents' own
    objects, so the resolve stage writes onto them directly.
    """

    documents: list[ParsedDocument]
    excluded: int = 0
    # (the document's reference, the copy the network stage saw, the rule)
    remapped: list[tuple[Reference, Reference, str]] = field(default_factory=list)

    def restore(self) -> None:
        """Copy each remapped reference's answers back onto the document's own reference."""
        for original, copy, rule in self.remapped:
            note = f"checked {copy.url} instead (--remap {rule!r})"
            original.live = copy.live.model_copy(update={"evidence": [*copy.live.evidence, note]})
            original.archive = copy.archive
            original.source = copy.source
            original.candidates = copy.candidates


def apply_url_rules(documents: Sequence[ParsedDocument], rules: UrlRules) -> NetworkView:
    """Mark excluded references not-checked (with the rule) and prepare the documents the network stage resolves."""
    if rules.empty:
        return NetworkView(documents=list(documents))
    view = NetworkView(documents=[])
    for document in documents:
        references: list[Reference] = []
        for reference in document.references:
            if not reference.url:
                references.append(reference)
                continue
            reason = rules.excluded_by(reference.url)
            if reason is not None:
                reference.live = LiveCheck(reason=reason)
                reference.archive = ArchiveResult(reason=reason)
                view.excluded += 1
                continue
            remapped = rules.remapped(reference.url)
            if remapped is None:
                references.append(reference)
                continue
            copy = reference.model_copy(update={"url": remapped[0]})
            view.remapped.append((reference, copy, remapped[1]))
            references.append(copy)
        view.documents.append(document.model_copy(update={"references": references}))
    return view

"""CC503: documents (or posts) in one audit giving different figures for the same thing.

Precision comes first: a report full of false conflicts is worse than none.
So a figure takes part only when its *role* is unmistakable from the words
around it, and two figures are about the same thing only when every part of
the subject agrees:

* **distances** — ``"<Place> … 60 kilometers north of <Anchor>"``: the same
  located place (the sentence's first named entity), the same direction and
  the same anchor, compared in metres;
* **casualties** — ``"34 people were killed"``, ``"killing at least nine
  people"``, ``"318 injured"``: the same measure (deaths or injuries), the
  same victims (security forces are told apart from everyone else), the same
  event month (from the sentence, else the paragraph before it, the section
  title, or a post's date) and at least one shared named-entity word in the
  surrounding context.

Each statement becomes an interval (``"at least 8"`` is ``[8, ∞)``, ``"about
400"`` is 400 ± 10 %, ``"40 miles"`` carries the rounding of its last
significant digit, ``"four to eight"`` is ``[4, 8]``); a subject is in conflict
when two *different speakers* give disjoint intervals.  Denied figures
(``"denied the four deaths"``) and additions (``"two others later died"``)
are left out.  Within one document, each post of a repost layout is its own
speaker; sentences of one article are one speaker.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from citecheck.checks.catalogue import make_finding
from citecheck.claims.figures import Figure, extract_figures, rounding_step
from citecheck.dates import MONTHS, PartialDate, find_dates
from citecheck.models import (
    Claim,
    Conflict,
    ConflictStatement,
    Finding,
    Paragraph,
    ParsedDocument,
    Reference,
    Section,
)

__all__ = ["conflict_findings", "find_conflicts"]

# --------------------------------------------------------------------------- figure roles

_CASUALTY_WORDS = {
    "killed": "deaths",
    "dead": "deaths",
    "died": "deaths",
    "death": "deaths",
    "deaths": "deaths",
    "fatalities": "deaths",
    "injured": "injuries",
    "wounded": "injuries",
    "hurt": "injuries",
    "injuries": "injuries",
}
# "34 people were killed", "318 injured", "52 PMOI members dead", "the four deaths", "not a single death".
_NOUN_THEN_CASUALTY_RE = re.compile(
    r"^(?P<np>(?:\s+[\w'’.-]+){0,8}?)\s+"
    r"(?:(?:were|was|have\s+been|had\s+been|has\s+been|are|is)\s+)?"
    r"(?:(?:reportedly|also|later|all|allegedly|subsequently)\s+)?"
    r"(?:shot\s+)?(?P<word>killed|dead|died|deaths?|fatalities|injured|wounded|hurt|injuries)\b",
    re.I,
)
# "killing at least nine people", "injured over 400", "the deaths of two Iraqi soldiers".
_CASUALTY_THEN_NUMBER_RE = re.compile(
    r"\b(?P<word>killing|killed|kills|injuring|injured|wounding|wounded|deaths\s+of|death\s+of)\s+$",
    re.I,
)
_VERB_TO_MEASURE = {
    "killing": "deaths",
    "killed": "deaths",
    "kills": "deaths",
    "injuring": "injuries",
    "injured": "injuries",
    "wounding": "injuries",
    "wounded": "injuries",
    "deaths of": "deaths",
    "death of": "deaths",
}
# A noun phrase stops at a clause boundary.
_CLAUSE_WORDS = {"and", "but", "while", "when", "whereas", "after", "before", "since", "as", "including", "to"}
_ADDITIVE_WORDS = {"more", "additional", "further", "another", "later", "subsequently"}
_NEGATION_RE = re.compile(r"\b(?:denied|denies|deny|denying|rejected|disputed|not|never|no)\b[^.;]{0,40}$", re.I)
_SECURITY_RE = re.compile(
    r"\b(?:soldiers?|troops?|police(?:men)?|policemen|security|forces|officers?|guards?|army|military|personnel)\b",
    re.I,
)
_FOLLOWING_NOUN_RE = re.compile(
    r"^(?P<np>(?:\s+(?:of\s+)?[\w'’.-]+){0,7}?)\s*(?=[,.;:()]|$|\s+(?:and|in|at|on|when|while|during|since|after|according|as)\b)",
    re.I,
)

_DIRECTION_RE = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?(?:to\s+the\s+)?"
    r"(?P<direction>(?:north|south)(?:[- ]?(?:east|west))?|east|west)(?:ern)?\s+of\s+"
    r"(?:the\s+)?(?:(?:town|city|village|capital|province)\s+of\s+)?"
    r"(?P<anchor>[A-Z][\w'’-]+(?:\s+(?:al-)?[A-Z][\w'’-]+)*(?:\s+(?:border|frontier|coast))?)"
)
_ENTITY_RE = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z](?:\s+(?:al-)?[A-Z][\w'’-]*[A-Za-z])*")
_POSSESSIVE_RE = re.compile(r"['’]s?$")
_GENERIC_CAPITALS = {
    *(name.capitalize() for name in MONTHS),
    *["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    *[
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "Of",
        "For",
        "By",
        "From",
        "To",
        "And",
        "But",
        "As",
        "It",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "He",
        "She",
        "They",
        "We",
        "Mr",
        "Ms",
        "Mrs",
    ],
    *[
        "Following",
        "After",
        "Before",
        "According",
        "While",
        "When",
        "Since",
        "Although",
        "Earlier",
        "Later",
        "Some",
        "Many",
        "Yesterday",
        "Today",
    ],
    *[
        "General",
        "Gen",
        "Capt",
        "Captain",
        "Secretary",
        "President",
        "Minister",
        "Prime",
        "Defense",
        "Foreign",
        "Spokesman",
    ],
}

_LOWER_BOUND = {"more than", "over", "at least", "upwards of"}
_UPPER_BOUND = {"as many as", "up to", "at most", "fewer than", "less than", "under", "no more than"}
_RANGE_GAP_RE = re.compile(r"^\s*(?:to|-|–|—|and)\s*$", re.I)
_BETWEEN_RE = re.compile(r"\bbetween\s+$", re.I)


@dataclass(frozen=True)
class _Statement:
    document: str
    speaker: tuple[str, str]  # (document path, post title or "") — who says it
    claim: Claim
    figure: Figure
    figure_text: str  # as written, a range included ("four to eight")
    low: float
    high: float
    quantity: str
    subject_key: tuple[str, ...]
    subject_label: str
    topic_words: frozenset[str]  # named-entity words around the claim, for linking statements
    sources: tuple[str, ...]


# --------------------------------------------------------------------------- intervals


def _rounding(figure: Figure) -> float:
    """Half the rounding step, in base units ("60 km" → 5 km, "400" → 50, "37" → 0.5)."""
    step = rounding_step(figure)
    if figure.kind == "count" and figure.value < 100:
        step = min(step, 1.0)  # small counts are counted, not rounded: "forty" dead is not 35–45
    return step / 2


def _interval(figure: Figure) -> tuple[float, float]:
    value = figure.value
    spread = _rounding(figure)
    qualifier = figure.qualifier or ""
    if qualifier in _LOWER_BOUND:
        return value, math.inf
    if qualifier in _UPPER_BOUND:
        return 0.0, value
    if figure.approximate:
        return value * 0.9 - spread, value * 1.1 + spread
    return value - spread, value + spread


def _disjoint(first: _Statement, second: _Statement) -> bool:
    return first.high < second.low or second.high < first.low


# --------------------------------------------------------------------------- context


def _locate_claims(document: ParsedDocument, claims: Sequence[Claim]) -> dict[str, tuple[Section, Paragraph, int]]:
    """Each claim's section, paragraph and offset (claims are built in document order, text verbatim)."""
    located: dict[str, tuple[Section, Paragraph, int]] = {}
    pending = iter(claims)
    claim = next(pending, None)
    for section in document.sections:
        for paragraph in section.paragraphs:
            cursor = 0
            while claim is not None and claim.section == section.title:
                offset = paragraph.text.find(claim.text, cursor)
                if offset < 0:
                    break
                located[claim.id] = (section, paragraph, offset)
                cursor = offset + len(claim.text)
                claim = next(pending, None)
    return located


def _month_dates(text: str) -> list[PartialDate]:
    return [date for date, _, _ in find_dates(text) if date.month is not None and date.month <= 12]


def _event_month(claim_text: str, section: Section, paragraph: Paragraph, offset: int) -> str | None:
    """The month the claim's event happened, from the nearest text that dates it; None when unclear."""
    own = {(date.year, date.month) for date in _month_dates(claim_text)}
    if len(own) > 1:
        return None  # several months in one sentence: which one the figure belongs to is a guess
    if not own:
        earlier = _month_dates(paragraph.text[:offset])
        if earlier:
            own = {(earlier[-1].year, earlier[-1].month)}
    if not own and section.title:
        own = {(date.year, date.month) for date in _month_dates(section.title)}
    if not own and section.date is not None and section.date.month is not None and section.date.month <= 12:
        own = {(section.date.year, section.date.month)}
    if len(own) != 1:
        return None
    year, month = next(iter(own))
    return f"{year:04d}-{month:02d}"


def _entities(text: str) -> list[str]:
    found: list[str] = []
    for match in _ENTITY_RE.finditer(text):
        words = [_POSSESSIVE_RE.sub("", word) for word in match.group(0).split()]
        words = [word for word in words if word not in _GENERIC_CAPITALS]
        if words:
            found.append(" ".join(words))
    return found


def _topic_words(*texts: str) -> frozenset[str]:
    return frozenset(word.lower() for text in texts for entity in _entities(text) for word in entity.split())


def _speaker(document: ParsedDocument, section: Section) -> tuple[str, str]:
    # A repost page is many posts by different outlets: each post speaks for itself.
    if document.layout == "repost" or section.implicit_refs:
        return document.path, section.title or ""
    return document.path, ""


def _sources(claim: Claim, references: dict[str, Reference]) -> tuple[str, ...]:
    named: list[str] = []
    for ref_id in claim.refs:
        reference = references.get(ref_id)
        if reference is None:
            continue
        label = reference.work or reference.publisher or reference.title or reference.url or reference.raw
        if label:
            named.append(label.strip())
    return tuple(dict.fromkeys(named))


# --------------------------------------------------------------------------- statements


def _casualty_role(text: str, figure: Figure, after_end: int) -> tuple[str, str] | None:
    """(measure, victims) when the words around the figure say it counts dead or injured people."""
    before = text[max(0, figure.start - 60) : figure.start]
    if figure.qualifier:
        before = re.sub(rf"{re.escape(figure.qualifier)}\s*$", "", before, flags=re.I)
    if _NEGATION_RE.search(before):
        return None
    after = text[after_end:]
    measure: str | None = None
    noun_phrase = ""
    noun_first = _NOUN_THEN_CASUALTY_RE.match(after)
    if noun_first:
        words = noun_first["np"].lower().split()
        # "two died" with no noun leaves whose deaths unsaid (the sentence's last subject? someone else?);
        # an elliptic participle after a counted noun ("34 people were killed and 318 injured") does not.
        elliptic_verb = not words and noun_first["word"].lower() == "died"
        if not elliptic_verb and not any(word in _CLAUSE_WORDS or re.search(r"\d", word) for word in words):
            measure = _CASUALTY_WORDS[noun_first["word"].lower()]
            noun_phrase = noun_first.group(0)
    if measure is None:
        verb_first = _CASUALTY_THEN_NUMBER_RE.search(before)
        if verb_first:
            measure = _VERB_TO_MEASURE[re.sub(r"\s+", " ", verb_first["word"].lower())]
            following = _FOLLOWING_NOUN_RE.match(after)
            noun_phrase = following["np"] if following else ""
    if measure is None:
        return None
    if any(word in _ADDITIVE_WORDS for word in noun_phrase.lower().split()):
        return None  # "two others later died", "wounded 318 more": an addition, not the total
    victims = "security forces" if _SECURITY_RE.search(noun_phrase) else "people"
    return measure, victims


def _located_place(text: str, before: int) -> str | None:
    for match in _ENTITY_RE.finditer(text[:before]):
        words = [word for word in match.group(0).split() if word not in _GENERIC_CAPITALS]
        if words:
            return " ".join(words)
    return None


def _statements_for_claim(
    document: ParsedDocument,
    claim: Claim,
    section: Section,
    paragraph: Paragraph,
    offset: int,
    references: dict[str, Reference],
) -> list[_Statement]:
    text = claim.text
    figures = [figure for figure in extract_figures(text) if figure.kind in {"count", "distance"}]
    speaker = _speaker(document, section)
    sources = _sources(claim, references)
    topic = _topic_words(text, paragraph.text, section.title or "")
    statements: list[_Statement] = []
    skip_next = False
    for index, figure in enumerate(figures):
        if skip_next:
            skip_next = False
            continue
        if figure.kind == "distance":
            direction = _DIRECTION_RE.match(text[figure.end :])
            if not direction:
                continue
            place = _located_place(text, figure.start)
            if place is None:
                continue
            low, high = _interval(figure)
            heading = direction["direction"].lower().replace(" ", "").replace("-", "")
            anchor = direction["anchor"]
            statements.append(
                _Statement(
                    document=document.path,
                    speaker=speaker,
                    claim=claim,
                    figure=figure,
                    figure_text=figure.text,
                    low=low,
                    high=high,
                    quantity="distance",
                    subject_key=("distance", place.lower(), heading, anchor.lower()),
                    subject_label=f"{place} distance {heading} of {anchor}",
                    topic_words=topic,
                    sources=sources,
                )
            )
            continue
        # A range ("four to eight", "between 4 and 8") is one statement whose role the second number carries.
        partner = figures[index + 1] if index + 1 < len(figures) else None
        is_range = (
            partner is not None
            and partner.kind == "count"
            and _RANGE_GAP_RE.match(text[figure.end : partner.start]) is not None
            and (
                _BETWEEN_RE.search(text[: figure.start]) is not None
                or text[figure.end : partner.start].strip().lower() != "and"
            )
        )
        role_end = partner.end if is_range and partner is not None else figure.end
        role = _casualty_role(text, figure, role_end)
        if role is None:
            continue
        month = _event_month(text, section, paragraph, offset)
        if month is None:
            continue
        measure, victims = role
        if is_range and partner is not None:
            low, high = min(figure.value, partner.value), max(figure.value, partner.value)
            written = text[figure.start : partner.end]
            skip_next = True
        else:
            low, high = _interval(figure)
            written = f"{figure.qualifier} {figure.text}" if figure.qualifier else figure.text
        quantity = measure if victims == "people" else f"{measure} among {victims}"
        statements.append(
            _Statement(
                document=document.path,
                speaker=speaker,
                claim=claim,
                figure=figure,
                figure_text=written,
                low=low,
                high=high,
                quantity=quantity,
                subject_key=("casualties", measure, victims, month),
                subject_label=_month_label(month),
                topic_words=topic,
                sources=sources,
            )
        )
    return statements


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


# --------------------------------------------------------------------------- grouping


def _linked_groups(statements: list[_Statement]) -> list[list[_Statement]]:
    """Split one subject key's statements into groups that share a named-entity word (connected components)."""
    parent = list(range(len(statements)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for first in range(len(statements)):
        for second in range(first + 1, len(statements)):
            if statements[first].topic_words & statements[second].topic_words:
                parent[root(first)] = root(second)
    groups: dict[int, list[_Statement]] = {}
    for index, statement in enumerate(statements):
        groups.setdefault(root(index), []).append(statement)
    return list(groups.values())


def _subject_name(group: list[_Statement]) -> str:
    first = group[0]
    if first.quantity == "distance":
        return first.subject_label
    # Name the event after the entity most of its statements mention ("Camp Ashraf"), then its month.
    counts: Counter[str] = Counter()
    for statement in group:
        counts.update(set(_entities(statement.claim.text)))
    named = [entity for entity, count in counts.most_common() if count >= 2 and " " in entity] or [
        entity for entity, _ in counts.most_common(1)
    ]
    topic = named[0] if named else "event"
    return f"{topic}, {first.subject_label}"


def _deduplicated(group: list[_Statement]) -> list[_Statement]:
    """One statement per speaker and figure: a post repeating its own number says it once."""
    seen: set[tuple[tuple[str, str], float, float]] = set()
    kept: list[_Statement] = []
    for statement in group:
        key = (statement.speaker, statement.low, statement.high)
        if key not in seen:
            seen.add(key)
            kept.append(statement)
    return kept


def find_conflicts(documents: Sequence[tuple[ParsedDocument, list[Claim]]]) -> list[Conflict]:
    """Subjects on which two speakers in the audit give incompatible figures, each with who says what."""
    by_subject: dict[tuple[str, ...], list[_Statement]] = {}
    for document, claims in documents:
        references = {reference.id: reference for reference in document.references}
        located = _locate_claims(document, claims)
        for claim in claims:
            if claim.id not in located:
                continue
            section, paragraph, offset = located[claim.id]
            for statement in _statements_for_claim(document, claim, section, paragraph, offset, references):
                by_subject.setdefault(statement.subject_key, []).append(statement)
    conflicts: list[Conflict] = []
    for key in sorted(by_subject):
        statements = by_subject[key]
        groups = [statements] if key[0] == "distance" else _linked_groups(statements)
        for group in groups:
            group = _deduplicated(group)
            disagree = any(
                first.speaker != second.speaker and _disjoint(first, second)
                for position, first in enumerate(group)
                for second in group[position + 1 :]
            )
            if not disagree:
                continue
            conflicts.append(
                Conflict(
                    subject=_subject_name(group),
                    quantity=group[0].quantity,
                    statements=[
                        ConflictStatement(
                            document=statement.document,
                            claim=statement.claim.id,
                            text=statement.claim.text,
                            figure=statement.figure_text,
                            value=statement.figure.value,
                            unit=statement.figure.unit,
                            refs=list(statement.claim.refs),
                            sources=list(statement.sources),
                        )
                        for statement in group
                    ],
                )
            )
    return conflicts


def _who(statement: ConflictStatement) -> str:
    origin = f" ({', '.join(statement.sources)})" if statement.sources else ""
    return f"{statement.document} claim {statement.claim}{origin}: {statement.figure}"


def conflict_findings(conflicts: Sequence[Conflict]) -> dict[str, list[Finding]]:
    """One CC503 finding per claim involved, keyed by document path, naming who says what."""
    findings: dict[str, list[Finding]] = {}
    for conflict in conflicts:
        for statement in conflict.statements:
            others = [other for other in conflict.statements if other is not statement]
            message = f"{conflict.subject} ({conflict.quantity}): this claim says {statement.figure}; " + "; ".join(
                _who(other) for other in others
            )
            finding = make_finding(
                "CC503",
                message,
                claim=statement.claim,
                ref=statement.refs[0] if statement.refs else None,
            )
            findings.setdefault(statement.document, []).append(finding)
    return findings

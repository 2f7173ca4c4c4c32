"""CC503: documents (or posts) in one audit giving different figures for the same thing.

Precision comes first: a report full of false conflicts is worse than none.
So a figure takes part only when *what it measures* is unmistakable from the
words around it, and two figures are about the same thing only when every
part of the subject agrees:

* **distances** — ``"<Place> … 60 kilometers north of <Anchor>"``: the same
  located place (the sentence's first named entity), the same direction and
  the same anchor, named ("of Baghdad") or generic ("of the city", "of the
  capital"), compared in metres;
* **counts of people something happened to** — killed, injured, displaced,
  evacuated, arrested or detained, missing, abducted, rescued, protesting:
  ``"34 people were killed"``, ``"killing at least nine people"``, ``"318
  injured"``, ``"10,000 residents were evacuated"``, ``"50 were detained"``,
  ``"3,000 refugees"``: the same measure, the same victims (security forces
  are told apart from everyone else), the same event month (from the
  sentence, else the paragraph before it, the section title, or a post's date)
  and at least one shared named-entity word in the surrounding context;
* **money** — ``"cost $48 million"``, ``"$3 million in aid"``: the same
  currency and the same use (cost, aid, fine, damages, budget …), the same
  event month or year, a shared named-entity word;
* **dates of one event** — ``"<Subject> was born on 3 May 1950"``,
  ``"founded in 1902"``: the same subject (the sentence's first named entity)
  and the same event word; dates compare as intervals ("1950" and "3 May 1950"
  agree).

Each statement becomes an interval (``"at least 8"`` is ``[8, ∞)``, ``"about
400"`` is 400 ± 10 %, ``"40 miles"`` carries the rounding of its last
significant digit, ``"four to eight"`` is ``[4, 8]``, a date its first to last
day); a subject is in conflict when two *different speakers* give disjoint
intervals, so the same figure in miles and kilometres, or the same figure
repeated, stays silent.  Denied figures (``"denied the four deaths"``) and
additions (``"two others later died"``) are left out.  Within one document,
each post of a repost layout is its own speaker; sentences of one article are
one speaker.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from citecheck.checks.catalogue import make_finding
from citecheck.claims.casefold import word_key
from citecheck.claims.figures import HEDGE_SLACK, Figure, extract_figures, rounding_step
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

__all__ = ["FigureStatement", "conflict_findings", "figure_statements", "find_conflicts", "subject_conflicts"]

# --------------------------------------------------------------------------- figure roles

# What a count of people measures: the word (as written, lower case) → the measure's name.
_MEASURE_WORDS = {
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
    "displaced": "displaced",
    "homeless": "displaced",
    "evacuated": "evacuated",
    "evacuees": "evacuated",
    "arrested": "arrested or detained",
    "detained": "arrested or detained",
    "detainees": "arrested or detained",
    "jailed": "arrested or detained",
    "missing": "missing",
    "kidnapped": "abducted",
    "abducted": "abducted",
    "hostages": "abducted",
    "rescued": "rescued",
    "refugees": "refugees",
    "protesters": "protesters",
    "protestors": "protesters",
    "demonstrators": "protesters",
}
_MEASURE_ALT = "|".join(sorted(_MEASURE_WORDS, key=len, reverse=True))
# "34 people were killed", "318 injured", "52 PMOI members dead", "10,000 residents were evacuated".
_NOUN_THEN_MEASURE_RE = re.compile(
    r"^(?P<np>(?:\s+[\w'’.-]+){0,8}?)\s+"
    r"(?:(?:were|was|have\s+been|had\s+been|has\s+been|are|is|remain|remained)\s+)?"
    r"(?:(?:reportedly|also|later|all|allegedly|subsequently|still)\s+)?"
    rf"(?:shot\s+)?(?P<word>{_MEASURE_ALT})\b",
    re.I,
)
# "killing at least nine people", "injured over 400", "the deaths of two Iraqi soldiers", "evacuating 5,000".
_MEASURE_THEN_NUMBER_RE = re.compile(
    r"\b(?P<word>killing|killed|kills|injuring|injured|wounding|wounded|deaths\s+of|death\s+of|displacing|"
    r"displaced|evacuating|evacuated|evacuation\s+of|arresting|arrested|arrest\s+of|detaining|detained|"
    r"detention\s+of|kidnapping|kidnapped|abducting|abducted|rescuing|rescued)\s+$",
    re.I,
)
_VERB_TO_MEASURE = {
    "killing": "deaths",
    "killed": "deaths",
    "kills": "deaths",
    "deaths of": "deaths",
    "death of": "deaths",
    "injuring": "injuries",
    "injured": "injuries",
    "wounding": "injuries",
    "wounded": "injuries",
    "displacing": "displaced",
    "displaced": "displaced",
    "evacuating": "evacuated",
    "evacuated": "evacuated",
    "evacuation of": "evacuated",
    "arresting": "arrested or detained",
    "arrested": "arrested or detained",
    "arrest of": "arrested or detained",
    "detaining": "arrested or detained",
    "detained": "arrested or detained",
    "detention of": "arrested or detained",
    "kidnapping": "abducted",
    "kidnapped": "abducted",
    "abducting": "abducted",
    "abducted": "abducted",
    "rescuing": "rescued",
    "rescued": "rescued",
}
# Measure words that name the people counted rather than what happened to them.
_COUNTED_NOUNS = frozenset(
    {"refugees", "protesters", "protestors", "demonstrators", "hostages", "detainees", "evacuees", "fatalities"}
)
# Measures whose victims may be security forces (told apart from everyone else).
_VICTIM_MEASURES = frozenset({"deaths", "injuries", "abducted", "missing"})
# What money is for: a word before the amount ("cost $48 million") or after it ("$3 million in aid").
_MONEY_BEFORE_RE = re.compile(
    r"\b(?P<word>cost|costs|costing|priced\s+at|valued\s+at|worth|paid|pay|paying|raised|raising|pledged|pledging|"
    r"fined|fine\s+of|budget\s+of|ransom\s+of|damages\s+of|sold\s+for|bought\s+for|award(?:ed)?)\s+"
    r"(?:(?:an?\s+)?(?:estimated|total\s+of|around|about|some|nearly|over|more\s+than|at\s+least|up\s+to)\s+)?$",
    re.I,
)
_MONEY_AFTER_RE = re.compile(
    r"^\s+(?:in\s+)?(?P<word>aid|damages|fines?|budget|ransom|compensation|funding|loans?|grants?|contract|deal|"
    r"bonus(?:es)?|salary|revenue|profits?)\b",
    re.I,
)
_MONEY_USES = {
    "costs": "cost",
    "costing": "cost",
    "priced at": "cost",
    "valued at": "value",
    "worth": "value",
    "pay": "paid",
    "paying": "paid",
    "raising": "raised",
    "pledging": "pledged",
    "fine of": "fine",
    "fined": "fine",
    "fines": "fine",
    "budget of": "budget",
    "ransom of": "ransom",
    "damages of": "damages",
    "sold for": "sale price",
    "bought for": "sale price",
    "awarded": "award",
    "loans": "loan",
    "grants": "grant",
    "bonuses": "bonus",
    "profits": "profit",
}
# The event a date belongs to: the word right before it in its clause ("was born on", "founded in").
_DATE_EVENT_RE = re.compile(
    r"\b(?P<word>born|died|founded|established|opened|closed|launched|released|premiered|signed|elected|appointed|"
    r"inaugurated|married|married\s+to|killed|executed|assassinated|completed|built|demolished|published|"
    r"incorporated|dissolved|abolished|retired|resigned)\s+(?:on|in|at|around|about|by|during)?\s*"
    r"(?:(?:the\s+)?(?:early|late|mid|spring|summer|autumn|fall|winter)(?:\s+of)?\s+)?$",
    re.I,
)
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
    r"(?:(?:the\s+)?(?:(?:town|city|village|capital|province)\s+of\s+)?"
    r"(?P<anchor>[A-Z][\w'’-]+(?:\s+(?:al-)?[A-Z][\w'’-]+)*(?:\s+(?:border|frontier|coast))?)"
    r"|the\s+(?P<generic>(?:(?:\w+\s+)?(?:city|capital|town|village|border|frontier|coast|airport|port|base)))\b)"
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


@dataclass(frozen=True)
class _Statement:
    document: str
    speaker: tuple[str, str]  # (document path, post title or "") — who says it
    claim: Claim
    figure: Figure
    figure_text: str  # as written, a range included ("four to eight")
    low: float  # the interval the statement allows, in the quantity's base unit (dates: ordinal days)
    high: float
    quantity: str
    subject_key: tuple[str, ...]
    subject_label: str
    topic_words: frozenset[str]  # named-entity words around the claim, for linking statements
    sources: tuple[str, ...]


FigureStatement = _Statement  # what figure_statements returns and subject_conflicts groups


# --------------------------------------------------------------------------- intervals


def _rounding(figure: Figure) -> float:
    """Half the rounding step, in base units ("60 km" → 5 km, "400" → 50, "37" → 0.5)."""
    step = rounding_step(figure)
    if figure.kind == "count" and figure.value < 100:
        step = min(step, 1.0)  # small counts are counted, not rounded: "forty" dead is not 35–45
    return step / 2


def _interval(figure: Figure) -> tuple[float, float]:
    if figure.dates:
        if len(figure.dates) != 1:
            raise ValueError("a date with several readings has no one interval")
        span = figure.dates[0]
        return float(span.first.toordinal()), float(span.last.toordinal())
    value = figure.value
    high = figure.high if figure.high is not None else value
    spread = _rounding(figure)
    if figure.bound == "lower":
        return value, math.inf
    if figure.bound == "upper":
        return 0.0, high
    if figure.hedged:
        return value * (1 - HEDGE_SLACK) - spread, high * (1 + HEDGE_SLACK) + spread
    return value - spread, high + spread


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
    return frozenset().union(*(_text_topic_words(text) for text in texts))


@functools.lru_cache(maxsize=256)
def _text_topic_words(text: str) -> frozenset[str]:
    # A paragraph and its section title are asked once per figure-bearing claim they hold: read once.
    return frozenset(word.lower() for entity in _entities(text) for word in entity.split())


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


def _count_role(text: str, figure: Figure) -> tuple[str, str] | None:
    """(measure, victims) when the words around a count say what happened to the people it counts."""
    before = text[max(0, figure.start - 60) : figure.start]
    if figure.qualifier:
        before = re.sub(rf"{re.escape(figure.qualifier)}\s*$", "", before, flags=re.I)
    if _NEGATION_RE.search(before):
        return None
    after = text[figure.end :]
    measure: str | None = None
    noun_phrase = ""
    noun_first = _NOUN_THEN_MEASURE_RE.match(after)
    verb_first = _MEASURE_THEN_NUMBER_RE.search(before)
    if noun_first and verb_first and noun_first["word"].lower() in _COUNTED_NOUNS:
        noun_first = None  # "arrested 40 protesters": the verb says what happened to the people counted
    if noun_first:
        words = noun_first["np"].lower().split()
        # "two died" with no noun leaves whose deaths unsaid (the sentence's last subject? someone else?);
        # an elliptic participle after a counted noun ("34 people were killed and 318 injured") does not.
        elliptic_verb = not words and noun_first["word"].lower() == "died"
        if not elliptic_verb and not any(word in _CLAUSE_WORDS or re.search(r"\d", word) for word in words):
            measure = _MEASURE_WORDS[word_key(noun_first["word"])]
            noun_phrase = noun_first.group(0)
    if measure is None and verb_first:
        measure = _VERB_TO_MEASURE[re.sub(r"\s+", " ", verb_first["word"].lower())]
        following = _FOLLOWING_NOUN_RE.match(after)
        noun_phrase = following["np"] if following else ""
    if measure is None:
        return None
    if any(word in _ADDITIVE_WORDS for word in noun_phrase.lower().split()):
        return None  # "two others later died", "wounded 318 more": an addition, not the total
    victims = "security forces" if measure in _VICTIM_MEASURES and _SECURITY_RE.search(noun_phrase) else "people"
    return measure, victims


def _money_use(text: str, figure: Figure) -> str | None:
    """What an amount of money is for, from the word before it ("cost") or after it ("in aid")."""
    before = text[max(0, figure.start - 40) : figure.start]
    if figure.qualifier:
        before = re.sub(rf"{re.escape(figure.qualifier)}\s*$", "", before, flags=re.I)
    if _NEGATION_RE.search(before):
        return None
    found = _MONEY_BEFORE_RE.search(before) or _MONEY_AFTER_RE.match(text, figure.end)
    if found is None:
        return None
    word = re.sub(r"\s+", " ", found["word"].lower())
    return _MONEY_USES.get(word, word)


def _date_event(text: str, figure: Figure) -> str | None:
    """The event a date is the date of ("born", "founded"), from the words right before it."""
    found = _DATE_EVENT_RE.search(text[max(0, figure.start - 50) : figure.start])
    if found is None or _NEGATION_RE.search(text[max(0, figure.start - 50) : figure.start]):
        return None
    return re.sub(r"\s+", " ", found["word"].lower())


def _located_place(text: str, before: int) -> str | None:
    for match in _ENTITY_RE.finditer(text[:before]):
        words = [word for word in match.group(0).split() if word not in _GENERIC_CAPITALS]
        if words:
            return " ".join(words)
    return None


@dataclass(frozen=True)
class _Context:
    document: ParsedDocument
    claim: Claim
    section: Section
    paragraph: Paragraph
    offset: int
    speaker: tuple[str, str]
    sources: tuple[str, ...]
    topic: frozenset[str]

    def statement(
        self, figure: Figure, quantity: str, key: tuple[str, ...], label: str, written: str | None = None
    ) -> _Statement:
        low, high = _interval(figure)
        written = written or (f"{figure.qualifier} {figure.text}" if figure.qualifier else figure.text)
        return _Statement(
            document=self.document.path,
            speaker=self.speaker,
            claim=self.claim,
            figure=figure,
            figure_text=written,
            low=low,
            high=high,
            quantity=quantity,
            subject_key=key,
            subject_label=label,
            topic_words=self.topic,
            sources=self.sources,
        )


def _distance_statement(context: _Context, figure: Figure) -> _Statement | None:
    text = context.claim.text
    direction = _DIRECTION_RE.match(text[figure.end :])
    if not direction:
        return None
    place = _located_place(text, figure.start)
    if place is None:
        return None
    heading = direction["direction"].lower().replace(" ", "").replace("-", "")
    anchor = direction["anchor"] or f"the {direction['generic'].lower()}"
    return context.statement(
        figure,
        "distance",
        ("distance", place.lower(), heading, anchor.lower()),
        f"{place} distance {heading} of {anchor}",
    )


def _count_statement(context: _Context, figure: Figure) -> _Statement | None:
    role = _count_role(context.claim.text, figure)
    if role is None:
        return None
    month = _event_month(context.claim.text, context.section, context.paragraph, context.offset)
    if month is None:
        return None
    measure, victims = role
    quantity = measure if victims == "people" else f"{measure} among {victims}"
    written = figure.text if figure.high is not None else None
    return context.statement(figure, quantity, ("count", measure, victims, month), _month_label(month), written)


def _money_statement(context: _Context, figure: Figure) -> _Statement | None:
    use = _money_use(context.claim.text, figure)
    if use is None:
        return None
    month = _event_month(context.claim.text, context.section, context.paragraph, context.offset)
    if month is None:
        return None
    quantity = f"money ({use}, {figure.unit})"
    return context.statement(figure, quantity, ("money", use, str(figure.unit), month), _month_label(month))


def _date_statement(context: _Context, figure: Figure) -> _Statement | None:
    if len(figure.dates) != 1 or figure.dates[0].yearless:
        return None  # "8/2/2011" reads two ways; "12 July" names no year
    event = _date_event(context.claim.text, figure)
    subject = _located_place(context.claim.text, figure.start)
    if event is None or subject is None:
        return None
    return context.statement(figure, "date", ("date", subject.lower(), event), f"{subject}: date {event}")


# Figure kinds a statement can be made of (see _statements_for_claim).
_STATEMENT_KINDS = frozenset({"distance", "count", "money", "date", "year"})


def _statements_for_claim(
    document: ParsedDocument,
    claim: Claim,
    section: Section,
    paragraph: Paragraph,
    offset: int,
    references: dict[str, Reference],
) -> list[_Statement]:
    figures = [figure for figure in extract_figures(claim.text) if figure.kind in _STATEMENT_KINDS]
    if not figures:
        return []  # most claims: nothing to state, so no context to work out
    context = _Context(
        document=document,
        claim=claim,
        section=section,
        paragraph=paragraph,
        offset=offset,
        speaker=_speaker(document, section),
        sources=_sources(claim, references),
        topic=_topic_words(claim.text, paragraph.text, section.title or ""),
    )
    statements: list[_Statement] = []
    for figure in figures:
        statement: _Statement | None = None
        if figure.kind == "distance":
            statement = _distance_statement(context, figure)
        elif figure.kind == "count":
            statement = _count_statement(context, figure)
        elif figure.kind == "money":
            statement = _money_statement(context, figure)
        elif figure.kind in ("date", "year"):
            statement = _date_statement(context, figure)
        if statement is not None:
            statements.append(statement)
    return statements


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


# --------------------------------------------------------------------------- grouping


# Subjects whose key already names what they are about (a located place, a dated subject): no topic linking.
_SELF_NAMED = frozenset({"distance", "date"})


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
    if first.subject_key[0] in _SELF_NAMED:
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


def figure_statements(document: ParsedDocument, claims: Sequence[Claim]) -> list[FigureStatement]:
    """The figures of one document's claims that can take part in a conflict, in document order.

    Statements are small and picklable: an audit too large to hold its documents
    collects them document by document and groups them later (:func:`subject_conflicts`).
    """
    references = {reference.id: reference for reference in document.references}
    located = _locate_claims(document, claims)
    statements: list[FigureStatement] = []
    for claim in claims:
        if claim.id not in located:
            continue
        section, paragraph, offset = located[claim.id]
        statements += _statements_for_claim(document, claim, section, paragraph, offset, references)
    return statements


def subject_conflicts(key: tuple[str, ...], statements: list[FigureStatement]) -> list[Conflict]:
    """The conflicts among the statements of one subject key, given in audit order."""
    conflicts: list[Conflict] = []
    groups = [statements] if key[0] in _SELF_NAMED else _linked_groups(statements)
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


def find_conflicts(documents: Sequence[tuple[ParsedDocument, list[Claim]]]) -> list[Conflict]:
    """Subjects on which two speakers in the audit give incompatible figures, each with who says what."""
    by_subject: dict[tuple[str, ...], list[FigureStatement]] = {}
    for document, claims in documents:
        for statement in figure_statements(document, claims):
            by_subject.setdefault(statement.subject_key, []).append(statement)
    conflicts: list[Conflict] = []
    for key in sorted(by_subject):
        conflicts += subject_conflicts(key, by_subject[key])
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

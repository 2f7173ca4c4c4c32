"""Parsing one rendered citation (a reference-list line) into fields.

Rendered Wikipedia citations (CS1/CS2) follow a fixed order::

    Authors (Date). "Title". Work. Publisher. … Archived from the original on DATE. Retrieved DATE.

In plain text the italics that set the work apart are gone, so the parser
works in ordered layers, surest first:

1. whitespace and invisible characters are normalised;
2. backlink markers at the start (``^ a b``, ``3.0 3.1``) are counted and removed;
3. clutter whose wording is fixed is taken out and remembered: dead-link
   tags, CS1 error messages, ``(PDF)``, language and type notes, URLs;
4. the ``Archived from the original on DATE`` and ``Retrieved DATE`` clauses
   are read; everything after the first of them is trailing matter (quotes,
   notes) and is not parsed further;
5. the head is read as ``Authors (Date).``, then the title (quoted, else the
   first sentence-like block), then the remaining blocks: a date, skipped
   bibliographic details (pages, volume, identifiers), then work and publisher.

Every step works on strings with precompiled patterns; nothing here raises on
odd input (see tests/property).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime

from citecheck.dates import (
    LOCAL_MONTH_ABBREVIATIONS,
    PartialDate,
    find_dates,
    match_date_at,
    match_local_date_at,
    parse_date,
)
from citecheck.lazy_patterns import lazy_pattern
from citecheck.models import SourceFlag
from citecheck.references.archive_urls import parse_archive_url
from citecheck.references.person_names import is_inverted_person_name, is_person_name


@dataclass(slots=True)
class CitationFields:
    """What one rendered citation line says, field by field (plain data: built once per entry)."""

    text: str  # the citation text with backlink markers removed
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    work: str | None = None
    publisher: str | None = None
    date: PartialDate | None = None
    access_date: PartialDate | None = None
    archive_date: PartialDate | None = None
    url: str | None = None
    archive_url: str | None = None
    archive_url_time: datetime | None = None
    format: str | None = None  # "PDF"
    flags: list[SourceFlag] = field(default_factory=list)  # dead-link, permanent-dead-link, empty
    backlinks: int | None = None  # 4 for "3.0 3.1 3.2 3.3", 3 for "^ a b c", 1 for "^"; None when none shown
    urls: list[str] = field(default_factory=list)  # every http(s) URL in the text, in order
    archive_service: str | None = None  # "Wayback Machine" from "Archived DATE at the Wayback Machine"


@dataclass(slots=True, frozen=True)
class MarkupHints:
    """What a rendering's markup says that its flattened text does not (HTML italics, ``<cite>`` classes).

    ``title``: the title as the markup sets it apart (a quoted title link, an italic book title);
    ``work``: the italic container; ``work_known``: the markup would show a work if there were one,
    so a citation without it has none (its other names are publishers).
    """

    title: str | None = None
    work: str | None = None
    work_known: bool = False


# --------------------------------------------------------------------------- 1. normalising

_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def _normalise(text: str) -> str:
    # Every invisible character is outside ASCII: an ASCII text (str.isascii reads a flag) has none to scan for.
    if not text.isascii() and _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    # str.split() splits at exactly the characters \s matches (str.isspace), and is several times faster.
    return " ".join(text.split())


# --------------------------------------------------------------------------- 2. backlinks

_CARET_RE = re.compile(r"^(?:\^|↑)\s*(?P<jump>Jump up to:?\s*)?")
_NUMERIC_BACKLINK_RE = re.compile(r"^(?P<n>[0-9]{1,4})[.,]0(?:\s+(?P=n)[.,][0-9]{1,3})+(?=\s|$)")
_numeric_backlink_item_re = lazy_pattern(r"[0-9]{1,4}[.,](?P<k>[0-9]{1,3})")


def _letter_label(index: int) -> str:
    """The backlink label MediaWiki shows for the index-th use: a … z, aa, ab …"""
    if index < 26:
        return chr(ord("a") + index)
    return _letter_label(index // 26 - 1) + chr(ord("a") + index % 26)


def _count_labels(tokens: list[str], labels: list[str]) -> int:
    count = 0
    for token, label in zip(tokens, labels, strict=False):
        if token != label:
            break
        count += 1
    return count


_LETTER_LABELS = [_letter_label(index) for index in range(702)]
_DIGIT_LABELS = [str(index) for index in range(1, 1000)]


def _strip_backlinks(text: str) -> tuple[str, int | None]:
    """Remove backlink markers at the start; return the rest and how many uses they show."""
    # Both markers begin with a fixed character: look at it before matching.
    numeric = _NUMERIC_BACKLINK_RE.match(text) if "0" <= text[:1] <= "9" else None
    if numeric:
        items = [int(item["k"]) for item in _numeric_backlink_item_re().finditer(numeric.group(0))]
        if items == list(range(len(items))):
            return text[numeric.end() :].lstrip(), len(items)
    caret = _CARET_RE.match(text) if text.startswith(("^", "↑")) else None
    if not caret:
        return text, None
    rest = text[caret.end() :]
    tokens = rest.split(" ", 60)
    letters = _count_labels(tokens, _LETTER_LABELS)
    digits = _count_labels(tokens, _DIGIT_LABELS)
    count = max(letters, digits)
    # One use shows a bare caret: a lone "a" after it is the citation's first word.
    minimum = 1 if caret["jump"] else 2
    if count >= minimum:
        return " ".join(tokens[count:]).lstrip(), count
    return rest.lstrip(), 1


# --------------------------------------------------------------------------- 3. clutter

_dead_link_re = lazy_pattern(
    r"\[\s*(?P<permanent>permanent\s+)?dead\s*link\b[^\]]{0,80}\]"
    r"|\{\{\s*(?P<permanent_template>permanent\s+)?dead\s*link\b[^}]{0,200}\}\}",
    re.I,
)
# Inline maintenance tags editors add after citations; they carry no citation data.
_maintenance_tag_re = lazy_pattern(
    r"\[\s*(?:failed verification|better source(?: needed)?|citation needed|self-published source|unreliable source"
    r"|verification needed|page needed|pages needed|full citation needed|clarification needed|not in citation given"
    r"|dubious|non-primary source needed|third-party source needed|user-generated source|title missing"
    r"|not specific enough to verify|irrelevant citation|promotional source|unreliable medical source"
    r"|additional citation\(s\) needed|year needed|date missing|author missing|when\?|who\?|which\?|by whom\?"
    r"|according to whom\?|where\?|why\?|how\?|needs update|update|original research\??|verify|ISBN missing)"
    r"[^\]]{0,80}\]"
    # The medium note of ISO 690 renderings (Czech Wikipedia's templates): "Deník [online]".
    r"|\[\s*(?:online|on-line|en ligne|elektronická verze)\s*\]",
    re.I,
)
# CS1 error messages end in "(help)"; every one names the offending parameter as |name=.
# Arabic Wikipedia's read "الوسيط |الصفحة= تم تجاهله (مساعدة)" ("parameter |page= ignored (help)").
_cs1_error_re = lazy_pattern(
    r"[A-Z][^()\"|.]{0,80}?\|[^()]{0,160}?\(\s*help\s*\)|الوسيط\s*\|[^()]{0,160}?\(\s*مساعدة\s*\)\s*;?"
)
_cs1_note_re = lazy_pattern(
    r"\(\s*(?:link|subscription required|registration required|free access|limited access|inactive)\s*\)"
    r"|CS1 maint:[^.()]{0,120}(?:\(\s*link\s*\))?"
    r"|\b(?:Journal |Free )?(?:subscription|registration) required\b\.?",
    re.I,
)
_CS1_NOTE_WORDS = ("link", "required", "access", "inactive", "cs1 maint")
_FORMATS = "PDF|DOC|DOCX|XLS|XLSX|PPT|PPTX|RTF|TXT|ZIP|CSV|ODT|ODS|EPUB|DJVU|PS|MP3|MP4|MOV|WAV|JPG|PNG|SWF|XML|JSON"
_format_re = lazy_pattern(rf"\(\s*(?P<fmt>{_FORMATS})\s*\)", re.I)
_language_re = lazy_pattern(
    r"\s*\(\s*(?:in\s+[A-Z][\w\-]+(?:(?:\s+and\s+|,\s*)[A-Z][\w\-]+){0,5}"
    # the language note as the German, Czech, French, Spanish, Italian, Portuguese, Dutch and Arabic templates write it
    r"|(?i:englisch|deutsch|französisch|spanisch|italienisch|russisch|anglicky|německy|francouzsky|rusky"
    r"|en anglais|en allemand|en français|en inglés|en alemán|in inglese|em inglês|in het Engels)"
    r"|بالإنجليزية|بالإنكليزية|بالفرنسية|بالألمانية)\s*\)"
)
# The words after "(" that may begin a language note (lower-cased, as _paren_words gives them).
_LANGUAGE_NOTE_WORDS = frozenset(
    ["in", "en", "em", "englisch", "deutsch", "spanisch", "italienisch", "russisch", "anglicky", "francouzsky", "rusky"]
)
_TYPE_NOTES = (
    "Press release|Media release|News release|Report|Technical report|Thesis|PhD thesis|Master'?s thesis"
    "|Doctoral thesis|Dissertation|Podcast|Video|Audio|Interview|Speech|Map|Letter|Working paper|Conference paper"
    "|Motion picture|TV production|Television production|Documentary|Blog|Tweet|Lecture|Media notes|Online"
    "|Paperback|Hardcover|Radio broadcast|Web page|Patent|Preprint|Book review|Review|Transcript|Obituary"
    "|Editorial|Opinion|Video file|Digital|Newspaper|Magazine|Journal|Book|Abstract|Data set|Dataset"
    "|Mailing list|Serial|Notes|Liner notes|AV media|Episode"
)
_type_note_re = lazy_pattern(rf"\(\s*(?:{_TYPE_NOTES})\s*\)", re.I)
# The first word of each note above (and of its spellings: Master's/Masters), to tell when none can be present.
_TYPE_NOTE_WORDS = frozenset(re.findall(r"(?:^|\|)([A-Za-z]+)", _TYPE_NOTES.lower())) | {"masters"}
_FORMAT_WORDS = frozenset(_FORMATS.lower().split("|"))
# The word after each "(" of a citation: which of the bracketed notes above it may hold.
_PAREN_WORD_RE = re.compile(r"\(\s*(\w*)")
_url_re = lazy_pattern(r"https?://[^\s<>\"\[\]{}|\\^`]+", re.I)
_URL_TRAILING = ".,;:!?'\"”’»>"


def _paren_words(text: str) -> set[str]:
    """The lower-cased word after each "(" of an ASCII text (lower-casing ASCII changes no word's extent)."""
    return set(_PAREN_WORD_RE.findall(text.lower()))


def _clean_url(candidate: str) -> str:
    """Strip punctuation that ends the sentence rather than the URL, keeping balanced parentheses."""
    url = candidate
    while url:
        last = url[-1]
        if last in _URL_TRAILING or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


_empty_brackets_re = lazy_pattern(r"\(\s*\)|\[\s*\]|<\s*>")


def _take_url(candidate: str, found: list[str]) -> str:
    """Record the URL in ``candidate`` and leave only the punctuation that followed it."""
    url = _clean_url(candidate)
    if len(url) > len("https://"):
        found.append(url)
    return " " + candidate[len(url) :]


# --------------------------------------------------------------------------- 4. archive and access clauses

_archived_from_re = lazy_pattern(
    r"\b[Aa]rchived\s*(?:\(\s*(?P<fmt1>\w{2,5})\s*\)\s*)?from\s+(?:the\s+)?original\s*"
    r"(?:\(\s*(?P<fmt2>\w{2,5})\s*\)\s*)?(?:on\s+|:\s*)?"
)
_archived_at_re = lazy_pattern(r"\b[Aa]rchived\s+(?:on\s+)?(?=\S)")
_at_service_re = lazy_pattern(r"\s+at\s+(?:the\s+)?(?P<service>[^.,;()]{2,40}?)(?=[.,;(]|$)")
# The access-date phrase in English (as written, capitalised or in capitals) and as the other Wikipedias' citation
# templates render it: German, French, Spanish, Portuguese, Italian, Dutch, Czech ("[cit. 2014-05-09]"), Polish,
# Swedish ("Hämtad", "Läst"), Norwegian, Russian ("Дата обращения: 5 марта 2018", "Проверено"), Arabic.  Spelled
# case by case rather than with re.IGNORECASE, which would defeat the regex engine's literal search on the line
# every citation goes through.
_RETRIEVED_RE = re.compile(
    r"(?:\b(?:[Rr]etrieved|RETRIEVED|[Aa]ccessed|ACCESSED|[Vv]iewed|VIEWED|[Cc]onsulted|CONSULTED"
    r"|[Aa]ccess[\s-]date|ACCESS[\s-]DATE|[Aa]bgerufen(?:\s+am)?|ABGERUFEN(?:\s+AM)?|[Zz]ugriff(?:\s+am)?"
    r"|[Cc]onsulté(?:\s+le)?|CONSULTÉ(?:\s+LE)?|[Cc]onsultado(?:\s+(?:el|em|en))?|(?:URL\s+)?[Cc]onsultato(?:\s+il)?"
    r"|[Gg]eraadpleegd(?:\s+op)?|[Cc]it\.|[Cc]itováno|[Dd]ostęp|[Hh]ämtad|[Ll]äst(?:\s+den)?|[Bb]esøkt"
    r"|[Дд]ата обращения|[Пп]роверено)"
    r"|اطلع عليه(?:\s+(?:بتاريخ|في))?|تاريخ الوصول)\s*:?\s*(?:on\s+)?"
)
# One fixed piece of each phrase above: the scan for the phrase runs only where one of them occurs, from the first
# of them in the line (a German phrase before an English one is the line's first access clause).  Each piece
# begins at most one character into its phrase: the scan starts one character before the piece.
_RETRIEVED_TRIGGERS = ("etrieved", "ccess", "iewed", "onsult")
_OTHER_RETRIEVED_TRIGGERS = (
    "ETRIEVED",
    "CCESS",
    "IEWED",
    "ONSULT",
    "bgerufen",
    "BGERUFEN",
    "ugriff",
    "eraadpleegd",
    "cit.",
)
_NON_ASCII_RETRIEVED_TRIGGERS = (
    "itováno",
    "ostęp",
    "ämtad",
    "äst",
    "esøkt",
    "ата обращения",
    "роверено",
    "اطلع",
    "الوصول",
)
_NON_ENGLISH_RETRIEVED_TRIGGERS = _OTHER_RETRIEVED_TRIGGERS + _NON_ASCII_RETRIEVED_TRIGGERS
_via_re = lazy_pattern(r"\s+[–—-]\s+via\s+[^.]{1,80}")
_archive_word_re = lazy_pattern(r"\b(?:[Aa]rchived?|ARCHIVED?|[Ss]napshot|[Ww]ayback [Mm]achine)\b")
# What may stand between an archive word and its date ("Archived at <URL> on", "archive copy of").
_archive_gap_re = lazy_pattern(
    r"^(?:[\s,:;()\[\]\-–—/|]|at|on|from|of|in|by|to|the|a|an|copy|version|link|original|snapshot|taken"
    r"|wayback|machine|internet|archive(?:\.today|\.org|\.is|\.ph)?|webcite®?|ghostarchive|perma\.cc|as)*$",
    re.I,
)
_year_in_text_re = lazy_pattern(r"\b(?:1[5-9]|20)\d\d\b")


def _archive_date_after(text: str, start: int, window: int = 80) -> tuple[PartialDate, int] | None:
    """The first date within ``window`` characters after ``start`` that only archive words precede."""
    segment = text[start : start + window]
    retrieved = _RETRIEVED_RE.search(segment)
    if retrieved:
        segment = segment[: retrieved.start()]
    candidates = [(begin, end, parsed) for parsed, begin, end in find_dates(segment)]
    year = _year_in_text_re().search(segment)
    if year and not any(begin <= year.start() < end for begin, end, _ in candidates):
        parsed_year = parse_date(year.group(0))
        if parsed_year is not None:
            candidates.append((year.start(), year.end(), parsed_year))
    for begin, end, parsed in sorted(candidates, key=lambda item: item[0]):
        if _archive_gap_re().match(segment[:begin]):
            return parsed, start + end
        break
    return None


def _read_clauses(text: str) -> tuple[PartialDate | None, PartialDate | None, str | None, str | None, int]:
    """(archive date, access date, archive format, archive service, where the clauses begin)."""
    archive_date: PartialDate | None = None
    access_date: PartialDate | None = None
    archive_format: str | None = None
    service: str | None = None
    first = len(text)
    # Each clause begins one character before a fixed word ("[Rr]etrieved", "[Aa]rchived" …): the scans run
    # only when such a word occurs, and start just before its first occurrence (\b still sees the text before).
    archive_word = _first_of(text, ("rchive", "RCHIVE", "napshot", "ayback "))
    if archive_word >= 0:
        archived = _first_of(text, ("rchived",))
        archive_date, archive_format, service, first = _read_archive_clause(text, archived, archive_word)
    ascii_text = text.isascii()
    if (
        archive_date is None
        and ("rchiv" in text or "rquiv" in text or "rkiv" in text or "rchiw" in text or not ascii_text)
        and _first_of(text, _LOCAL_ARCHIVE_TRIGGERS) >= 0
    ):
        archive_date, local_service, local_first = _read_local_archive_clause(text)
        service = service or local_service
        first = min(first, local_first)
    # The English words first (most lines hold one), then the others only before the first of them.
    retrieved = _first_of(text, _RETRIEVED_TRIGGERS)
    other = _first_before(text, _OTHER_RETRIEVED_TRIGGERS if ascii_text else _NON_ENGLISH_RETRIEVED_TRIGGERS, retrieved)
    retrieved = other if other >= 0 else retrieved
    if retrieved >= 0:
        for match in _RETRIEVED_RE.finditer(text, max(retrieved - 1, 0)):
            found = match_local_date_at(text, match.end())
            if found is None:
                continue
            access_date = found[0]
            first = min(first, match.start())
            break
    return archive_date, access_date, archive_format, service, first


# "Archived from the original on DATE" as the other Wikipedias' templates render it (Swedish "Arkiverad från
# originalet den", Polish "[zarchiwizowane z adresu DATE]", Russian "Архивировано (из первоисточника) DATE года"),
# and Arabic Wikipedia's {{Webarchive}}: "نسخة محفوظة DATE على موقع واي باك مشين" ("archived copy DATE at the
# Wayback Machine").
_local_archived_re = lazy_pattern(
    r"(?:\b(?:[Aa]rchivováno z originálu(?:\s+dne)?|[Aa]rchiviert (?:vom|aus dem) Original(?:\s+am)?"
    r"|[Aa]rchivé (?:de|depuis) l['’]original(?:\s+le)?|[Aa]rchivado (?:desde|del) (?:el )?original(?:\s+el)?"
    r"|[Aa]rquivado do original(?:\s+em)?|[Aa]rchiviato dall['’]url originale(?:\s+il)?"
    r"|[Gg]earchiveerd van het origineel(?:\s+op)?|[Aa]rkiverad från originalet(?:\s+den)?"
    r"|[Zz]archiwizowane z (?:adresu|oryginału)|[Аа]рхивировано(?:\s+из\s+(?:первоисточника|оригинала))?)"
    r"|مؤرشف من الأصل(?:\s+في)?|نسخة محفوظة)\s*:?\s*"
)
_local_at_service_re = lazy_pattern(
    r"\s+(?:على\s+موقع|auf|sur|en|na|em|su|op)\s+(?P<service>[^.,;()]{2,40}?)(?=[.,;(]|$)"
)
# A piece of each (English "rchived" holds none of them; Dutch "Gearchiveerd" does not hold "rchived" either).
_LOCAL_ARCHIVE_TRIGGERS = (
    *("rchivo", "rchivi", "rchiva", "rchivé", "rquiv", "earchiveerd", "rkiverad", "rchiwizowane", "рхивировано"),
    *("محفوظة", "مؤرشف"),
)


def _read_local_archive_clause(text: str) -> tuple[PartialDate | None, str | None, int]:
    """(archive date, archive service, where the clause begins) of a non-English archive clause."""
    for match in _local_archived_re().finditer(text):
        found = match_local_date_at(text, match.end())
        if found is None:
            continue
        at = _local_at_service_re().match(text, found[1])
        return found[0], at["service"].strip() if at else None, match.start()
    return None, None, len(text)


def _first_of(text: str, words: tuple[str, ...]) -> int:
    """Where the first of ``words`` occurs in ``text``; -1 when none does."""
    first = -1
    for word in words:
        # Once one is found, the others are looked for only before it.
        index = text.find(word) if first < 0 else text.find(word, 0, first + len(word) - 1)
        if index >= 0 and (first < 0 or index < first):
            first = index
    return first


def _first_before(text: str, words: tuple[str, ...], before: int) -> int:
    """:func:`_first_of`, counting only what begins before ``before`` (-1: anywhere)."""
    if before < 0:
        return _first_of(text, words)
    first = -1
    for word in words:
        index = text.find(word, 0, (first if first >= 0 else before) + len(word) - 1)
        if index >= 0:
            first = index
    return first


def _read_archive_clause(
    text: str, archived: int, archive_word: int
) -> tuple[PartialDate | None, str | None, str | None, int]:
    """(archive date, archive format, archive service, where the clause begins).

    ``archived``: where "rchived" first occurs (-1: nowhere); ``archive_word``: where the first archive word does.
    """
    archive_date: PartialDate | None = None
    archive_format: str | None = None
    service: str | None = None
    first = len(text)
    for match in _archived_from_re().finditer(text, max(archived - 1, 0)) if archived >= 0 else ():
        found = match_date_at(text, match.end())
        if found is None:
            continue
        archive_date = archive_date or found[0]
        archive_format = archive_format or match["fmt1"] or match["fmt2"]
        first = min(first, match.start())
        break
    if archive_date is None and archived >= 0:
        # {{Webarchive}}: "Archived 5 November 2013 at the Wayback Machine"
        for match in _archived_at_re().finditer(text, max(archived - 1, 0)):
            found = match_date_at(text, match.end())
            if found is None:
                continue
            at = _at_service_re().match(text, found[1])
            archive_date = found[0]
            service = at["service"].strip() if at else None
            first = min(first, match.start())
            break
    if archive_date is None:
        # Blog and Markdown wordings: "Archived at <URL> on 3 May 2014", "archived copy (3 May 2014)",
        # "Wayback Machine snapshot from 2014-05-03": a date soon after an archive word, only archive
        # vocabulary between them.
        for match in _archive_word_re().finditer(text, max(archive_word - 1, 0)):
            found_at = _archive_date_after(text, match.end())
            if found_at is None:
                continue
            archive_date, position = found_at
            at = _at_service_re().match(text, position)
            service = service or (at["service"].strip() if at else None)
            first = min(first, match.start())
            break
    return archive_date, archive_format, service, first


# --------------------------------------------------------------------------- 5. the head

_OPENING_QUOTES = '"“„«'
_QUOTED_TITLE_RE = re.compile(r"^[\"“„«](?P<title>.+?)[\"”“»](?=\s*(?:[.,;:(\[]|$|\s))")
_AUTHOR_DATE_RE = re.compile(r"^(?P<authors>[^\"“”„«()]{1,400}?)\s*\((?P<date>[^()]{1,60})\)")
_EDITOR_DATE_RE = re.compile(r"^(?P<authors>[^\"“”„«()]{1,400}?)\s*\(\s*eds?\.?\s*\)\s*\((?P<date>[^()]{1,60})\)", re.I)
_LEADING_DATE_RE = re.compile(r"^\((?P<date>[^()]{1,60})\)")
_NO_DATE_RE = re.compile(r"^\s*(?:n\.\s?d\.?|no date|undated|s\.\s?d\.)\s*$", re.I)
_BRACKET_NOTE_RE = re.compile(r"^\s*\[[^\]]{0,120}\]")
_LEADING_SEPARATORS = " .,;:–—-"

# Abbreviations after which a full stop does not end a block.
_ABBREVIATIONS = frozenset(
    [
        "p",
        "pp",
        "ed",
        "eds",
        "vol",
        "vols",
        "no",
        "nos",
        "st",
        "dr",
        "mr",
        "mrs",
        "ms",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "bros",
        "al",
        "c",
        "ca",
        "cf",
        "vs",
        "rev",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "rep",
        "hon",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "chap",
        "ch",
        "fig",
        "op",
        "cit",
        "ibid",
        "univ",
        "dept",
        "assn",
        "natl",
        "intl",
        "inst",
        "soc",
        "acad",
        "mt",
        "ft",
        "repr",
        "trans",
        "ill",
        "comp",
        "n",
        "d",
        "s",
        "e",
        "w",
        "approx",
        "est",
        "etc",
        "pt",
        "ser",
        "bk",
        # German: Band, Nummer, Jahrgang, Herausgeber
        "bd",
        "nr",
        "jg",
        "hrsg",
        "hg",
        # the German edition's words: "3., überarb. und erw. Auflage"
        "überarb",
        "erw",
        "bearb",
        "durchges",
        "aktual",
    ]
)
_MONTH_ABBREVIATIONS = frozenset(["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"])
_NAME_WORD = r"[A-Z\u00C0-\u024F][\w'’\-]*\.?"
# Words are separated by exactly one space so that a long capitalised run cannot be split many ways.
_inverted_name_re = lazy_pattern(rf"^(?:{_NAME_WORD}\s){{0,3}}{_NAME_WORD},\s?(?:{_NAME_WORD}\s){{0,4}}{_NAME_WORD}$")
_plain_name_re = lazy_pattern(rf"^(?:{_NAME_WORD}\s){{1,4}}{_NAME_WORD}$")
_single_name_re = lazy_pattern(rf"^{_NAME_WORD}$")
_and_re = lazy_pattern(r"\s+(?:and|&)\s+")
_et_al_re = lazy_pattern(r"[,;]?\s*\bet\s+al\.?", re.I)
_editor_suffix_re = lazy_pattern(r"[,;]?\s*(?:\(\s*eds?\.?\s*\)|\beds?\.)\s*$", re.I)
_in_prefix_re = lazy_pattern(r"^\s*In:?\s+")
_initial_end_re = lazy_pattern(r"(?:^|[\s.\-])[A-Z]\.$")

# Blocks that are bibliographic detail, never a work or publisher.
_DETAIL_RE = re.compile(
    r"^(?:(?:pp?\.|pages?|vols?\.|volume|nos?\.|number|issue|iss\.|art\.|article|section|sec\.|chapter|ch\.|loc\.|at"
    r"|col\.|sheet|para\.|§"
    # pages, volumes and numbers as the other Wikipedias' templates write them: "S. 12", "s. 12", "str. 12",
    # "стр. 12", "С. 12", "Bd. 3", "Nr. 5", "č. 5", "№ 5", "صفحة 1188" (page)
    r"|s\.|str\.|стр\.|с\.|bd\.|nr\.|č\.|№|صفحة|صفحات|ص\.|band|heft|jg\.|jahrgang)\s*(?:[0-9]|[IVXLC]+\b)"
    # the edition as German writes it: "2. Auflage", "3., überarb. Aufl."
    r"|[0-9]+\.,?\s(?:[^\W\d_]+\.?,?\s){0,3}(?:auflage|aufl)\b"
    r"|(?:isbn|issn|eissn|doi|bibcode|pmc|pmid|jstor|oclc|s2cid|arxiv|hdl|lccn|osti|ssrn|zbl|mr|eid|citeseerx|asin"
    r"|ismn|rfc)\b"
    r"|via\s|original\s|originally\s|reprinted\s|first published|[0-9]+(?:st|nd|rd|th)\s+ed\b"
    r"|[0-9]+\s*(?:\([^)]*\))?\s*(?::|$))",
    re.I,
)
_german_edition_re = lazy_pattern(r"(?:[^\W\d_]+\.?,?\s){0,3}(?:Auflage|Aufl)\b")
_location_re = lazy_pattern(r"^(?P<place>[A-Z][\w .'’\-]{1,40}(?:,\s*[A-Z][\w .'’\-]{1,30})?):\s+(?P<name>\S.*)$")
_EDITION_RE = re.compile(r"\s*\((?:[^()]{1,20}\s)?(?:ed|edition|reprint|rev\. ed)\.?\)\s*$", re.I)
_marker_only_re = lazy_pattern(r"\[\s*[0-9]{1,4}\s*\]")
_ALNUM_RE = re.compile(r"\w")
_month_day_end_re = lazy_pattern(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+[0-9]{1,2}(?:\s*[–—-]\s*[0-9]{1,2})?$", re.I
)
_year_start_re = lazy_pattern(r"^[0-9]{4}\b")
# "U.S", "J.-M" — letters joined by full stops; a domain such as "Stuff.co.nz" is not one.
_DOTTED_RE = re.compile(r"^(?:[^\W\d_]{1,2}\.-?)+[^\W\d_]{1,2}$")
# Harvard-style short citations: `King 2003, p. 41.` / `Hay, Maclagan & Gordon 2008, pp. 72–73.`
_SHORT_CITATION_RE = re.compile(
    r"^(?P<authors>[^\d\"“”()\[\]]{1,120}?)\s+(?P<year>(?:1[5-9]|20)[0-9]{2})[a-z]?\s*"
    r"(?:,\s*(?:pp?\.|at|§|ch\.|chapter|loc\.)\s*[^.]{1,40}?)?\s*\.?$"
)
_CLOSERS = frozenset(')]"”’')


_SPECIALS_DOT_RE = re.compile(r'[()\[\]"“”„.]')
_specials_comma_re = lazy_pattern(r'[()\[\]"“”„,]')


def _split_blocks(text: str, separator: str) -> list[str]:
    """Split at ``separator`` (". " or ", ") outside parentheses, brackets and quotes.

    A full stop after an initial or a known abbreviation does not split.  With
    commas, ``September 19, 2013`` is put back together.
    """
    blocks: list[str] = []
    depth = 0
    in_quote = False
    low_quote = False  # the open quote is German „
    start = 0
    length = len(text)
    # Only brackets, quotes and the separator matter: visit those characters, not every one.
    specials = _SPECIALS_DOT_RE if separator == "." else _specials_comma_re()
    for found in specials.finditer(text):
        index = found.start()
        character = text[index]
        if character in "([":
            depth += 1
        elif character in ")]":
            depth = max(0, depth - 1)
        elif character in '"“”„':
            if character == '"':
                in_quote = not in_quote
            elif character == "“":
                # English “…” opens with it; German „…“ closes with it.
                in_quote = not (in_quote and low_quote)
            else:
                in_quote = character == "„"
            low_quote = in_quote and character == "„"
        elif character == separator and depth == 0 and not in_quote:
            if index + 1 < length and text[index + 1] != " ":
                continue
            if separator == "." and text[index - 1 : index] not in _CLOSERS:
                word = text[max(start, text.rfind(" ", start, index) + 1) : index]
                folded = word.lower()
                if folded in _ABBREVIATIONS:
                    # A month's abbreviation goes on to its day or year ("Jan. 5, 2014"); before anything else
                    # it is a name ("Novák, Jan. Title").
                    if folded not in _MONTH_ABBREVIATIONS or text[index + 2 : index + 3].isdigit():
                        continue
                elif ("." in word and _DOTTED_RE.match(word)) or word == "u":
                    continue  # "U.S."; German "u." ("und") between names
                elif folded in LOCAL_MONTH_ABBREVIATIONS and text[index + 2 : index + 3].isdigit():
                    continue  # "3 okt. 2019", "5 сент. 2018": the abbreviation goes on to its year
                elif len(word) <= 2 and word.isdigit() and match_local_date_at(text, index - len(word)):
                    continue  # "9. November 2014": a day written with a full stop, not a block's end
                elif len(word) <= 2 and word.isdigit() and _german_edition_re().match(text, index + 2):
                    continue  # "2. Auflage", "3., überarb. Aufl.": an ordinal
                # An initial inside a block is not its end — unless the block is that letter or a date follows.
                initial = len(word) == 1 and word.isupper() and word != text[start:index].strip()
                if initial and match_date_at(text, index + 2) is None and not _names_end_at(text, start, index):
                    continue
            blocks.append(text[start:index])
            start = index + 1
    blocks.append(text[start:])
    cleaned = [block.strip(_LEADING_SEPARATORS) for block in blocks]
    cleaned = [block for block in cleaned if block]
    if separator != ",":
        return cleaned
    merged: list[str] = []
    for block in cleaned:
        if merged and _year_start_re().match(block) and _month_day_end_re().search(merged[-1]):
            merged[-1] = f"{merged[-1]}, {block}"
        else:
            merged.append(block)
    return merged


_next_initial_re = lazy_pattern(r"[A-Z\u00C0-\u00DE]{1,2}\.|[^A-Z\u00C0-\u00DE]")


def _names_end_at(text: str, start: int, index: int) -> bool:
    """The first block, up to the initial whose full stop is at ``index``, is a list of inverted names and a word
    that is no initial follows: ``Smith, J.; Jones, K. Title`` ends its authors there, ``Smith, J. R. Title`` not
    at "J."."""
    return (
        start == 0
        and "," in text[:index]
        and _next_initial_re().match(text, index + 2) is None
        and _inverted_names(text[: index + 1])
    )


def _without_edition(block: str) -> str:
    """The block without a closing edition note ("(2nd ed.)"); every such note ends in ")"."""
    return _EDITION_RE.sub("", block) if ")" in block else block


def _display_name(name: str) -> str:
    """``Williams, Carol J.`` → ``Carol J. Williams``; other names are kept as written."""
    name = name.strip(" ,;")
    if not name.endswith(".") or not _initial_end_re().search(name):
        name = name.rstrip(".").strip()
    if name.count(",") == 1:
        surname, given = name.split(",")
        surname = surname.strip()
        given = given.strip()
        if surname and given:
            return f"{given} {surname}"
    return name


def _without_et_al(block: str) -> str:
    return _et_al_re().sub("", block) if "et" in block.lower() else block


def _has_editor_suffix(text: str) -> bool:
    # The suffix closes the text with ")" or "." (then only whitespace): look at the end before searching it all.
    return "ed" in text.lower() and text.rstrip().endswith((")", ".")) and _editor_suffix_re().search(text) is not None


def _and_split(text: str) -> list[str]:
    return _and_re().split(text) if "and" in text or "&" in text else [text]


def _split_authors(block: str) -> list[str]:
    """Names from an author block, each as ``Given Surname``."""
    if not block.isascii():
        block = block.translate(_ARABIC_PUNCTUATION)  # "Zeidler، Eberhard" as Arabic pages write it
    block = _without_et_al(block)
    if "ed" in block.lower() and block.rstrip().endswith((")", ".")):  # (see _has_editor_suffix)
        block = _editor_suffix_re().sub("", block)
    block = block.strip(" ,;")
    if not block:
        return []
    if ";" in block:
        parts = [part for piece in block.split(";") for part in _and_split(piece)]
    elif "," not in block and "and" not in block and "&" not in block:
        parts = [block]  # one name, whatever it holds
    elif _DIGIT_RE.search(block):
        parts = _written_names(block)  # "Natives and newcomers, 1600–1793, …": no names to pair up
    elif _organisation_word_re().search(block) and all(
        _organisation_word_re().search(segment) for segment in block.split(",")
    ):
        # "Department of Economic and Social Affairs": a body, its "and" no list's; commas may still list bodies.
        parts = [segment.strip() for segment in block.split(",") if segment.strip()]
    else:
        parts = _comma_names(
            [[segment.strip() for segment in piece.split(",") if segment.strip()] for piece in _and_split(block)]
        )
    names = [_display_name(part) for part in parts]
    return [name for name in names if name and _ALNUM_RE.search(name)]


_ARABIC_PUNCTUATION = str.maketrans({"،": ",", "؛": ";"})


def _written_names(block: str) -> list[str]:
    """The names of a block that holds figures, split only where the writing leaves no doubt: at "and", and at
    commas between segments that each hold a space (``Wayne Gabardi, review of …``) or an even number of them."""
    parts: list[str] = []
    for piece in _and_split(block):
        commas = [segment.strip() for segment in piece.split(",") if segment.strip()]
        if len(commas) >= 2 and all(" " in segment for segment in commas):
            parts.extend(commas)
        elif len(commas) >= 4 and len(commas) % 2 == 0:
            parts.extend(f"{commas[i]}, {commas[i + 1]}" for i in range(0, len(commas), 2))
        else:
            parts.append(piece)
    return parts


# Lower-case words that stand in the names of organisations, never in a person's ("van", "de", "bin" do).
_organisation_word_re = lazy_pattern(
    r"\s(?:of|for|the|on|in|at|und|für|des|du)\s|\b(?:Centre|Center|Department|Ministry|Institute|University|Society"
    r"|Association|Council|Agency|Commission|Committee|Foundation|Corporation|Museum|Bureau|Organi[sz]ation|Office"
    r"|Government)\b"
)
_DIGIT_RE = re.compile(r"\d")
# "J.", "C. P.", "M.-L.", "JR": initials, a given name and never a whole name.
_initials_re = lazy_pattern(r"^(?:[A-Z\u00C0-\u00DE]{1,2}\.?(?:\s|-)?){1,4}$")


def _comma_names(pieces: list[list[str]]) -> list[str]:
    """Names from the comma-separated segments of each and-separated piece of an author block without ";".

    Which segments pair up as ``Surname, Given`` is decided by the block's evidence: initials are a given name;
    segments that all hold a space are whole names (``John Smith, Jane Doe``); pieces that all have an even
    number of segments are pairs (``Harrison, Kevin and Boyd, Tony``, ``Smith, J., Jones, K. and Brown, T.``);
    ``Smith, John, and Jane Doe`` (Chicago) inverts only the first; otherwise single words are surnames
    (``Smith, Jones and Brown``) and a surname followed by initials is one name (``Smith, J., Jones and Brown``).
    """
    flat = [segment for segments in pieces for segment in segments]
    if len(flat) <= 1:
        return flat
    # Each segment is tested for initials once: the rules below ask about the same segments again.
    initials = [_initials_re().match(segment) is not None for segment in flat]
    if not any(initials) and all(" " in segment for segment in flat):
        return flat
    if all(len(segments) % 2 == 0 for segments in pieces):
        return [f"{segments[i]}, {segments[i + 1]}" for segments in pieces for i in range(0, len(segments), 2)]
    if len(pieces[0]) >= 2 and all(
        " " in segment and not initial for segment, initial in zip(flat[2:], initials[2:], strict=True)
    ):
        return [f"{flat[0]}, {flat[1]}", *flat[2:]]
    names: list[str] = []
    offset = 0  # where the piece's segments begin in flat (and initials)
    for segments in pieces:
        index = 0
        while index < len(segments):
            if index + 1 < len(segments) and initials[offset + index + 1]:
                names.append(f"{segments[index]}, {segments[index + 1]}")
                index += 2
            else:
                names.append(segments[index])
                index += 1
        offset += len(segments)
    return names


def _looks_like_authors(block: str, *, allow_single_words: bool = False) -> bool:
    """Whether a block standing before a title reads as personal names.

    Single words (``King``) count only where the context says names stand there.
    """
    block = _without_et_al(block).strip(" ,;.")
    if not block or len(block) > 300:
        return False
    pieces = [piece.strip() for part in block.split(";") for piece in _and_split(part)]
    return all(
        _inverted_name_re().match(piece)
        or _plain_name_re().match(piece)
        or (allow_single_words and _single_name_re().match(piece))
        for piece in pieces
    )


def _inverted_names(block: str) -> bool:
    """``Salmond, Anne`` or several inverted names joined by "and", "&" or ";" (``Harrison, Kevin and Boyd, Tony``)."""
    if _inverted_name_re().match(block):
        return True
    pieces = [piece.strip() for part in block.split(";") for piece in _and_split(part)]
    return len(pieces) >= 2 and all(_inverted_name_re().match(piece) for piece in pieces)


def _looks_like_short_authors(block: str) -> bool:
    """The names of a Harvard short citation (``Hay, Maclagan & Gordon``): surnames of at most three words each,
    no sentence ending among them (``Harrison, Kevin and Boyd, Tony. Title. Press`` is a whole citation)."""
    names = block.replace(",", " and")
    return (
        not _holds_sentence_end(block)
        and all(len(piece.split()) <= 3 for piece in _and_split(names))
        and _looks_like_authors(names, allow_single_words=True)
    )


def _ends_with_initial(block: str) -> bool:
    """``Jones, K`` or ``Everhart, Robert B`` (cut before its full stop); not ``Trewick SA, Morgan-Richards M``,
    whose initials are written without full stops (``SA``)."""
    if len(block) < 2 or not block[-1].isupper() or block[-2].isalnum():
        return False
    return "." in block or _undotted_initials_re().search(block) is None


_undotted_initials_re = lazy_pattern(r"\b[A-Z]{2,3}\b")


_sentence_end_re = lazy_pattern(r"([^\s.]{2,})\.\s")


def _names_before_sentence_end(block: str) -> str | None:
    """The names before the first full stop after a whole word, when a sentence follows it; else None."""
    if "." not in block:
        return None
    for match in _sentence_end_re().finditer(block):
        if match[1].lower() in _ABBREVIATIONS:
            continue
        lead = block[: match.end(1)]
        return lead if _looks_like_authors(lead) and block[match.end() :].strip() else None
    return None


def _names_after_sentence_end(block: str) -> str | None:
    """The names after the last full stop after a whole word, when a sentence stands before it; else None."""
    if "." not in block:
        return None
    ends = [match for match in _sentence_end_re().finditer(block) if match[1].lower() not in _ABBREVIATIONS]
    if not ends:
        return None
    tail = block[ends[-1].end() :].strip()
    return tail if _looks_like_authors(tail) else None


def _holds_sentence_end(text: str) -> bool:
    """A full stop after a whole word (not an initial or abbreviation) inside ``text``: ``Boyd, Tony. Title``."""
    return "." in text and any(match[1].lower() not in _ABBREVIATIONS for match in _sentence_end_re().finditer(text))


def _ends_with_full_word(block: str) -> bool:
    """True for ``… Chairman's Press.`` (a sentence end), False for ``Williams, Carol J.``."""
    stripped = block.rstrip()
    if not stripped.endswith("."):
        return False
    word = stripped[:-1].rsplit(" ", 1)[-1]
    return len(word) > 1 and word.lower() not in _ABBREVIATIONS and "." not in word


def _strip_title(title: str) -> str | None:
    title = title.strip().strip(" .,;:")
    title = title.strip('"“” ').strip()
    return title or None


class _HeadFields:
    __slots__ = ("authors", "date", "editors", "publisher", "short", "title", "work")

    def __init__(self) -> None:
        self.authors: list[str] = []
        self.editors: list[str] = []
        self.date: PartialDate | None = None
        self.title: str | None = None
        self.work: str | None = None
        self.publisher: str | None = None
        self.short = False  # a Harvard-style short citation pointing into a bibliography


def _read_parenthesised_date(content: str) -> tuple[bool, PartialDate | None]:
    """(is it a date or n.d., the date)."""
    # The date first: no "n.d." spelling holds a digit, and every date holds a year, so at most one answers.
    parsed = parse_date(content)
    if parsed is not None:
        return True, parsed
    return _NO_DATE_RE.match(content) is not None, None


_TRAILING_DATE_SEPARATORS = " ,;(–—-"
# "II: 162–163", "21", "8 (12): 429": volume and page numbers, never a publisher.
_pages_re = lazy_pattern(r"^[\dIVXLCivxlc\s\-–−:(),.]+$")


# "Oxford University Press", "AK Press" — not "Freedom of the Press" (a report's name).
_publisher_end_re = lazy_pattern(r"(?:(?<!the )(?<!The )\bPress|\bBooks|\bPublishing|\bPublishers|\bVerlag)$")


def _trailing_date(block: str) -> tuple[str, PartialDate] | None:
    """``"Name, 3 May 2014"`` → ``("Name", 2014-05-03)``: a date closing the block after a comma or bracket."""
    stripped = block.rstrip(" .)")
    if len(stripped) < 8 or not stripped[-1].isdigit():
        return None
    dates = find_dates(stripped)
    comma = stripped.rfind(", ") if not dates else -1
    # (a bare year after the comma is the English patterns' business: the local ones are for day-first dates)
    local = match_local_date_at(stripped, comma + 2) if comma > 0 and not stripped[comma + 2 :].isdigit() else None
    if dates and dates[-1][2] == len(stripped):
        parsed, begin, _ = dates[-1]
    elif local is not None and local[1] == len(stripped):
        parsed, begin = local[0], comma + 2  # "Kustbladet, 3 okt. 2019", "Küstenblatt, 3. Oktober 2019"
    else:
        year = _trailing_year_re().search(stripped)
        if year is None:
            return None
        parsed_year = parse_date(year["year"])
        if parsed_year is None:
            return None
        parsed, begin = parsed_year, year.start()
    before = stripped[:begin]
    name = before.rstrip(_TRAILING_DATE_SEPARATORS)
    if not name:
        return None
    if not before[len(name) :].strip(" ") and not _publisher_end_re().search(name):
        # The date must be set off by a comma or bracket ("Example 2014 Report" is a name), unless it follows a
        # publisher's name ("Manchester University Press 2003"): no publisher's name ends in its year.
        return None
    return name, parsed


# "…, Artikel bei Heise online vom 6. Mai 2011", "…; Stand: 13. März 2016", "…, 9. listopadu 2014": a full date
# closing an unquoted title after a comma or the word that introduces a date in the other Wikipedias' prose.
_title_date_re = lazy_pattern(
    r"(?:[,;]|\s(?:vom|am|Stand:|du|le|del|el|dal|van|ze dne|dne|من|في))\s+"
    r"(?P<date>(?:[12]\d|3[01]|0?[1-9])\.?\s+\S+\s+\d{4}|(?:[12]\d|3[01]|0?[1-9])\.\s?(?:1[0-2]|0?[1-9])\.\s?\d{4})$"
)


# "…, Transaction Books, NJ 1979": an imprint's place and year closing a title block that ran on into the imprint.
_imprint_year_re = lazy_pattern(r",\s[^,]+,\s(?:[A-Z][\w.]*\s){1,2}(?P<year>(?:1[5-9]|20)\d\d)$")


# "Anarchism: From Theory to Practice (New York: Monthly Review Press, 1970), p. 38": a book's imprint in brackets.
_title_imprint_re = lazy_pattern(
    r"\s*\((?P<place>[A-Z][^():]{1,40}):\s*(?P<publisher>[^():]{2,80}?),?\s+(?P<year>(?:1[5-9]|20)\d\d)\)"
    r"(?:[,;]\s*(?:pp?\.|pages?|ch\.)\s*[0-9IVXLCivxlc][0-9IVXLCivxlc\s–\-,]*)?$"
)
# "Anti-Capitalism, One World, 2004" after the authors: the year of an entry written with commas.
_title_year_re = lazy_pattern(r",\s(?P<year>(?:1[5-9]|20)\d\d)$")


def _title_imprint(title: str) -> tuple[str, str, PartialDate] | None:
    """``"Title (New York: Monthly Review Press, 1970)"`` → ``("Title", "Monthly Review Press", 1970)``."""
    match = _title_imprint_re().search(title)
    parsed = parse_date(match["year"]) if match is not None else None
    if match is None or parsed is None or not title[: match.start()].strip():
        return None
    return title[: match.start()].rstrip(" ,;"), match["publisher"].strip(), parsed


def _title_date(title: str, authors: list[str] | None = None) -> tuple[str, PartialDate] | None:
    """``"Release notes, 9. November 2014"`` → ``("Release notes", 2014-11-09)``; ``"Title, Publisher, NJ 1979"``
    → ``("Title, Publisher, NJ", 1979)``; None unless a day's date or an imprint's place and year ends it."""
    match = _title_date_re().search(title)
    if match is None and authors and (year := _title_year_re().search(title)) is not None:
        # After names read as authors, a title block is an entry's rest ("Title, Publisher, 2004"), not a title
        # that ends in a year.
        parsed_year = parse_date(year["year"])
        return (title[: year.start()], parsed_year) if parsed_year is not None else None
    if match is None:
        imprint = _imprint_year_re().search(title)
        parsed = parse_date(imprint["year"]) if imprint is not None else None
        return (title[: imprint.start("year")].rstrip(), parsed) if imprint is not None and parsed else None
    parsed = parse_date(match["date"])
    if parsed is None or parsed.day is None:
        return None
    return title[: match.start()].rstrip(" ,;:"), parsed


_trailing_pages_re = lazy_pattern(
    r"[,;]\s*(?:(?:pp?\.|pages?)\s*[0-9IVXLCivxlc][0-9IVXLCivxlc\s–\-,]*|[0-9]+\s+pages?)\.?$"
)
# "2002", "1902–1909" (a range keeps its start)
_trailing_year_re = lazy_pattern(r"(?P<year>(?:1[5-9]|20)\d\d(?:\s*[–—-]\s*(?:(?:1[5-9]|20)\d\d|\d\d))?)$")


_NAME_KEY_STRIP = " .,;:\"'“”‘’«»()[]"


@functools.lru_cache(maxsize=4096)
def _name_key(name: str) -> str:
    # Cached: the markup-hint comparisons ask for the same few names (title, work, each block) several times.
    return " ".join(name.split()).strip(_NAME_KEY_STRIP).casefold()


def _names_include(names: list[str], name: str | None) -> bool:
    key = _name_key(name or "")
    return bool(key) and any(key == _name_key(candidate) or key in _name_key(candidate) for candidate in names)


# "Vorname Nachname, Vorname Nachname: Titel. In: Werk …" — dewiki's templates (Internetquelle, Literatur) and
# German hand-written citations put the authors before a colon.  The shape alone is a title's too ("Mozilla Firefox:
# Neue Version"), so the names must read as people (person_names) and the line must be German by its own words.
_colon_head_re = lazy_pattern(
    r"^(?P<names>[^:\"“„«()\[\]]{3,200}?)(?:\s*\((?P<editors>Hrsg|Hg)\.\))?:\s+(?P<rest>\S.*)$", re.S
)
_colon_name_separators_re = lazy_pattern(r"\s*;\s*|\s+/\s+|\s+u\.\s+|\s+und\s+|\s+&\s+")
# What only a German citation says: "In: Werk", Hrsg., S. 12, Bd., Aufl., Verlag, "u." between names — and, before
# a colon's title, "9. November 2014".
_german_marks_re = lazy_pattern(
    r"(?:^|\s)In:\s|\bHrsg\.|\bHg\.|\bS\.\s?\d|\bBd\.\s|\bAufl\.|\bAuflage\b|\bVerlag\b|\su\.\s"
)
_GERMAN_MARK_WORDS = ("In:", "Hrsg", "Hg.", "S.", "Bd.", "Aufl", "Verlag", " u. ")
_german_date_re = lazy_pattern(
    r"\b\d{1,2}\.\s(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)"
    r"\s\d{4}\b"
)


def _reads_german(rest: str) -> bool:
    """The head holds a mark of the German templates' wording (see above)."""
    if any(map(rest.__contains__, _GERMAN_MARK_WORDS)) and _german_marks_re().search(rest) is not None:
        return True
    return ": " in rest[:200] and ". " in rest and _german_date_re().search(rest) is not None


# "Hrsg.: Eva Schulz", "Hrsg. von Eva Schulz", "Hg. v. Eva Schulz"
_german_editors_re = lazy_pattern(r"^(?:Hrsg\.|Hg\.)(?::\s*|\s+v(?:on|\.)\s+)(?P<names>[^:]{3,200})$")
# "Hanser, München 2010", "Verlag Muster, Berlin/New York 2010, ISBN 978-…, S. 12–14": Verlag, Ort Jahr.
_german_imprint_re = lazy_pattern(
    r"^(?P<publisher>[^,]{2,80}),\s(?P<place>[A-ZÄÖÜ][^\d,:;]{1,60}?)\s(?P<year>(?:1[5-9]|20)\d\d)"
    r"(?:,\s(?:ISBN|ISSN)[\s:]*[\dXx\-‐–\s]{8,20})?(?:,\s(?:S\.|Sp\.)\s?\S.*)?$"
)


def _listed_names(text: str) -> list[str]:
    """The names of ``Eva Schulz, Hans Meier u. Anna Weber`` as written."""
    pieces = _colon_name_separators_re().split(text.strip(" .,;"))
    return [name.strip() for piece in pieces for name in piece.split(",") if name.strip()]


def _colon_authors(rest: str) -> tuple[list[str], bool, str] | None:
    """``Hans Meier, Eva Schulz: Titel …`` → (["Hans Meier", "Eva Schulz"], False, "Titel …"); editors (True) when
    ``(Hrsg.)`` closes the names; None unless every name reads as a person's (``Meier, Hans`` inverted too)."""
    match = _colon_head_re().match(rest)
    if match is None:
        return None
    names: list[str] = []
    for piece in _colon_name_separators_re().split(match["names"].strip()):
        segments = [segment.strip() for segment in piece.split(",")]
        if all(is_person_name(segment) for segment in segments):
            names.extend(segments)
        elif len(segments) == 2 and is_inverted_person_name(segments[0], segments[1]):
            names.append(f"{segments[1]} {segments[0]}")
        else:
            return None
    return names, match["editors"] is not None, match["rest"]


def _author_date(rest: str) -> re.Match[str] | None:
    """``Authors (Date)`` (or ``Editors (eds.) (Date)``) opening the head, by the patterns above."""
    # Neither pattern's names hold "(": the first "(" is the one after them, and "(eds.)" is there or nowhere.
    bracket = rest.find("(")
    if bracket < 1:
        return None
    if rest[bracket + 1 :].lstrip()[:2].lower() == "ed" and (editors := _EDITOR_DATE_RE.match(rest)) is not None:
        return editors
    return _AUTHOR_DATE_RE.match(rest)


def _read_head(head: str, hints: MarkupHints | None = None, *, german_clause: bool = False) -> _HeadFields:
    """The head's fields; ``german_clause``: the clauses after it are German (``abgerufen am …``)."""
    fields = _HeadFields()
    rest = head.strip(_LEADING_SEPARATORS)
    german: bool | None = True if german_clause else None  # the line is German: worked out when first asked
    short = _SHORT_CITATION_RE.match(rest)
    if short and _looks_like_short_authors(short["authors"]):
        fields.authors = _split_authors(short["authors"].replace(",", " and"))
        fields.date = parse_date(short["year"])
        fields.short = True
        return fields
    separator = "."

    author_date = _author_date(rest)
    if author_date and not _ends_with_full_word(author_date["authors"]):
        is_date, parsed = _read_parenthesised_date(author_date["date"])
        if is_date:
            people = author_date["authors"]
            rest = rest[author_date.end() :]
            lead = _names_before_sentence_end(people)
            if lead is not None:
                # `Woodcock, George. Anarchism: A History (1962)`: the names end at the full stop, the title follows.
                people, rest = lead, " ".join(f"{people[len(lead) + 1 :]} {rest}".split())
            elif (tail := _names_after_sentence_end(people)) is not None:
                people = tail  # `A note on the term. Grosskopf, Shane (2022).`: the note is no author
            # "Smith, John, ed. (2010)" / "Smith, John (ed.) (2010)": editors, not authors.
            if author_date.re is _EDITOR_DATE_RE or _has_editor_suffix(people):
                fields.editors = _split_authors(people)
            else:
                fields.authors = _split_authors(people)
            fields.date = parsed
    elif rest.startswith("(") and (leading_date := _LEADING_DATE_RE.match(rest)):
        is_date, parsed = _read_parenthesised_date(leading_date["date"])
        if is_date:
            fields.date = parsed
            rest = rest[leading_date.end() :]
    if rest is not head:
        if "[" in rest:
            rest = _BRACKET_NOTE_RE.sub("", rest)
        separator = "," if rest.lstrip().startswith(",") else "."
        rest = rest.strip(_LEADING_SEPARATORS)

    if not fields.authors and not fields.editors and ": " in rest[:200] and rest[:1] not in _OPENING_QUOTES:
        german = german or _reads_german(rest)
        colon = _colon_authors(rest) if german else None
        if colon is not None:
            people, is_editors, rest = colon
            if is_editors:
                fields.editors = people
            else:
                fields.authors = people

    title_quoted = False
    imprint_publisher: str | None = None
    quoted = _QUOTED_TITLE_RE.match(rest) if rest[:1] in _OPENING_QUOTES and rest else None
    if not quoted and not fields.authors:
        # Authors without a date: `Hamer, David. "Seddon, Richard John".`
        quote_at = min((index for index in (rest.find('"'), rest.find("“")) if index > 0), default=-1)
        if quote_at > 0 and _looks_like_authors(rest[:quote_at]):
            fields.authors = _split_authors(rest[:quote_at].strip(" .,"))
            rest = rest[quote_at:]
            quoted = _QUOTED_TITLE_RE.match(rest) if rest[:1] in _OPENING_QUOTES and rest else None
    if quoted:
        title_quoted = True
        fields.title = _strip_title(quoted["title"])
        rest = rest[quoted.end() :]
        if rest.lstrip().startswith(","):
            separator = ","
        blocks = _split_blocks(rest, separator)
    else:
        blocks = _split_blocks(rest, separator)
        if blocks and not fields.authors and len(blocks) > 1 and _inverted_names(blocks[0].rstrip(".")):
            # `Salmond, Anne. Two Worlds: …`, `Harrison, Kevin and Boyd, Tony. Title. …` — inverted names standing
            # alone before an unquoted title.
            people = blocks.pop(0)
            # The block ended at a full stop: an initial closing it keeps its own ("…; Jones, K. Title").
            fields.authors = _split_authors(people + "." if _ends_with_initial(people) else people)
        while len(blocks) > 1 and _has_editor_suffix(blocks[0]):
            blocks.pop(0)  # `McLintock, Alexander (ed.). Busby, James.` — editors before the entry's title
        date_first = parse_date(blocks[0]) if blocks and blocks[0][-1:].isdigit() else None
        if date_first is not None:
            # `Morris, Christopher. 1992. Title.`, `c. 1990.`: a date where the title would stand is the date.
            fields.date = fields.date or date_first
            blocks.pop(0)
        if blocks:
            title = _without_edition(blocks.pop(0))
            imprint = _title_imprint(title) if title[-1:] in ")0123456789" else None
            if imprint is not None:
                title, imprint_publisher, parsed_date = imprint
                fields.date = fields.date or parsed_date
            dated_title = _title_date(title, fields.authors) if title[-1:].isdigit() else None
            if dated_title is not None:
                title, parsed_date = dated_title
                fields.date = fields.date or parsed_date
            fields.title = _strip_title(title)

    names: list[str] = []
    in_work: str | None = None
    for block in blocks:
        paged = block[-1:].isdigit() or block.endswith("pages")
        if paged and "p" in block and (pages := _trailing_pages_re().search(block)) is not None:
            block = block[: pages.start()]  # "AK Press, 2002, p. 191": the pages after the publisher and its year
        if (block.startswith(("Hrsg", "Hg.")) or (block[-1:].isdigit() and ", " in block)) and (
            german if german is not None else (german := _reads_german(rest))
        ):
            german_editors = _german_editors_re().match(block)
            if german_editors is not None:
                # "Hrsg.: Eva Schulz", "Hrsg. von Eva Schulz und Hans Meier": the editors
                fields.editors = fields.editors or _listed_names(german_editors["names"])
                continue
            imprint_match = _german_imprint_re().match(block)
            parsed = parse_date(imprint_match["year"]) if imprint_match is not None else None
            if imprint_match is not None and parsed is not None:
                # "Hanser, München 2010, ISBN …, S. 12": the publisher, then its place and year
                fields.date = fields.date or parsed
                names.append(imprint_match["publisher"].strip())
                continue
        parsed = parse_date(block)
        if parsed is not None:
            fields.date = fields.date or parsed
            continue
        dated = _trailing_date(block)
        if dated is not None:
            # "The Daily Example, 3 May 2014" / "The Daily Example (May 3, 2014)": the work, then its date.
            block, parsed = dated
            fields.date = fields.date or parsed
        if _has_editor_suffix(block):
            # "In Wilson, D. E.; Reeder, D. M. (eds.)": the editors of the containing work.
            if not fields.editors:
                fields.editors = _split_authors(_in_prefix_re().sub("", block))
            continue
        if _DETAIL_RE.match(block) or _NO_DATE_RE.match(block):
            continue
        if block[:1].isdigit() and _pages_re().match(block):
            continue  # "1866–1874": pages left over from "17 (11): 1866–1874", never a name
        if len(block) > 160 or '"' in block or "“" in block:
            continue  # a quotation or note, not a name
        if in_work is None and block.startswith("In:") and (container := block[3:].strip(" .,;")):
            # "Title. In: Work. Publisher": German and Czech templates name the container so.
            in_work = _without_edition(container)
            if "(H" in container and (editors := _colon_authors(container)) is not None and editors[1]:
                # "In: Eva Schulz (Hrsg.): Sammelwerk": the container's editors, then its title
                fields.editors = fields.editors or editors[0]
                in_work = _without_edition(editors[2])
            continue
        names.append(_without_edition(block).strip(" .,;"))
    names = [name for name in names if name]
    if hints is not None and hints.title:
        title_key = _name_key(hints.title)
        fields.title = _strip_title(hints.title) or fields.title
        names = [name for name in names if _name_key(name) != title_key]
    if hints is not None and (hints.work_known or _names_include(names, hints.work)):
        # The markup sets the work apart (italics): every other name after the title is a publisher.
        work_key = _name_key(hints.work or "")
        fields.work = hints.work.strip(" .,;:") or None if hints.work else None
        others = [
            name for name in names if (not work_key or _name_key(name) != work_key) and not _pages_re().match(name)
        ]
        if work_key:
            others = [name for name in others if work_key not in _name_key(name)]
        # "Title. Series. Santa Barbara: ABC-CLIO.": a "Place: Name" block is the publisher.
        publisher = next(
            (name for name in others if ":" in name and _location_re().match(name)), others[0] if others else None
        )
    elif in_work is not None:
        fields.work = in_work
        publisher = names[0] if names else None
    elif title_quoted or len(names) >= 2:
        fields.work = names[0] if names else None
        publisher = names[1] if len(names) >= 2 else None
    else:
        publisher = names[0] if names else None
    if publisher:
        location = _location_re().match(publisher) if ":" in publisher else None
        if location and _pages_re().match(location["name"]):
            # A journal's "Elsevier BV: 1866–1874" (publisher, then pages) where the markup shows the journal;
            # otherwise, or after "Supplement 47", the block may as well be a title and its years: no publisher.
            place = location["place"].strip()
            known = hints is not None and hints.work_known and not place[-1:].isdigit()
            fields.publisher = place if known else None
        else:
            fields.publisher = location["name"].strip() if location else publisher
    if fields.publisher is None:
        fields.publisher = imprint_publisher
    return fields


# --------------------------------------------------------------------------- the parser


def parse_citation_line(text: str, hints: MarkupHints | None = None) -> CitationFields:
    """Parse a rendered citation such as::

        3.0 3.1 "Iraq raid on Iranian exiles' Camp Ashraf 'killed 34'". 14 April 2011. Retrieved 8 May 2011.
        Williams, Carol J. (19 September 2013). "Envoys urge …". Los Angeles Times. Archived from the
            original on 5 November 2013. Retrieved 30 October 2013.

    Never raises on any input.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    normalised, backlinks = _strip_backlinks(_normalise(text))
    fields = CitationFields(text=normalised, backlinks=backlinks)

    flags: list[SourceFlag] = []
    lowered = normalised.lower()
    working = normalised
    # Each clean-up pass runs only when its trigger is in the text (most citations have none of them).
    if "dead" in lowered:
        for match in _dead_link_re().finditer(normalised):
            flag = (
                SourceFlag.permanent_dead_link
                if match["permanent"] or match["permanent_template"]
                else SourceFlag.dead_link
            )
            if flag not in flags:
                flags.append(flag)
        working = _dead_link_re().sub(" ", working)
    if "[" in working:
        working = _maintenance_tag_re().sub(" ", working)
        working = _marker_only_re().sub(" ", working)
    if "help" in lowered or ("مساعدة" in normalised if not normalised.isascii() else False):
        working = _cs1_error_re().sub(" ", working)
    if "(" in working or "required" in lowered or "cs1" in lowered:
        # Every CS1 note holds one of these words; an ASCII text without them has none (IGNORECASE only
        # adds non-ASCII spellings: the long s, the dotless i, the Kelvin sign).
        folded = lowered if working is normalised else working.lower()
        if not working.isascii() or any(map(folded.__contains__, _CS1_NOTE_WORDS)):
            working = _cs1_note_re().sub(" ", working)

    urls: list[str] = []
    if "http" in lowered:
        working = _url_re().sub(lambda match: _take_url(match.group(0), urls), working)
        working = _empty_brackets_re().sub(" ", working)
    fields.urls = urls
    if urls:
        _assign_urls(fields)

    format_match = None
    if "(" in working:
        # Each bracketed note begins with a known word: look at the words after "(" before scanning for them
        # (in ASCII text, where IGNORECASE is lower-casing; other text is scanned for all of them).
        ascii_text = working.isascii()
        words = _paren_words(working) if ascii_text else set()
        if not ascii_text or not words.isdisjoint(_FORMAT_WORDS):
            format_match = _format_re().search(working)
            if format_match is not None:
                working = _format_re().sub(" ", working)
                words = _paren_words(working) if ascii_text else words  # "((PDF)Report)" → "( Report)"
        if not ascii_text or not words.isdisjoint(_LANGUAGE_NOTE_WORDS):
            cleaned = _language_re().sub("", working)  # with the space before it: "Title (in French), Work"
            if cleaned != working:
                working = cleaned
                words = _paren_words(working) if ascii_text else words
        if not ascii_text or not words.isdisjoint(_TYPE_NOTE_WORDS):
            working = _type_note_re().sub(" ", working)
    if working is not normalised:
        # (normalised and the backlink-free rest of it are already single-spaced)
        working = " ".join(working.split())

    archive_date, access_date, archive_format, service, clauses_at = _read_clauses(working)
    fields.archive_date = archive_date
    fields.access_date = access_date
    fields.archive_service = service
    fields.format = format_match["fmt"].upper() if format_match else (archive_format or "").upper() or None

    head = working[:clauses_at]
    if clauses_at < len(working):
        # "… 2014-05-02 [cit. 2014-05-09]", "… [dostęp 2020-01-13]": the bracket opening the clause is the clause's.
        head = head.rstrip(" [(")
    if "via" in head:
        head = _via_re().sub("", head)
    german_clause = clauses_at < len(working) and working[clauses_at : clauses_at + 10].lower().startswith(
        ("abgerufen", "archiviert", "zugriff")
    )
    head_fields = _read_head(head, hints, german_clause=german_clause)
    fields.authors = head_fields.authors
    fields.editors = head_fields.editors
    fields.date = head_fields.date
    fields.title = head_fields.title
    fields.work = head_fields.work
    fields.publisher = head_fields.publisher

    if head_fields.short:
        flags.append(SourceFlag.short_citation)
    if archive_date is not None and _title_names_the_archive(fields.urls, working[:clauses_at]):
        # Print view shows each link's URL: a title followed by an archive URL, and the original only after
        # "Archived from the original", is how CS1 renders |url-status=dead.
        flags.append(SourceFlag.url_status_dead)
    content = _marker_only_re().sub("", normalised) if "[" in normalised else normalised
    if not _ALNUM_RE.search(content):
        flags.append(SourceFlag.empty)
        fields.title = None
    fields.flags = flags
    return fields


def _title_names_the_archive(urls: list[str], head: str) -> bool:
    """The first URL written is an archive copy and an original follows it (``(PDF)`` and the like aside)."""
    if len(urls) < 2 or parse_archive_url(urls[0]) is None:
        return False
    return any(parse_archive_url(url) is None for url in urls[1:]) and "rchived from" not in head


def _assign_urls(fields: CitationFields) -> None:
    """The first ordinary URL is the cited one; the first archive URL is the archive copy.

    With only an archive URL, the cited URL is the original written inside it.
    """
    plain: str | None = None
    for url in fields.urls:
        archived = parse_archive_url(url)
        if archived is None:
            plain = plain or url
        elif fields.archive_url is None:
            fields.archive_url = url
            fields.archive_url_time = archived.timestamp
            fields.url = archived.original_url
    if plain is not None:
        fields.url = plain

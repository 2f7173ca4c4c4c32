"""Citation templates (``{{cite web}}``, ``{{citation}}``, ``{{مرجع كتاب}}``, ``{{Citace periodika}}`` …) → fields.

The one field mapping every reader shares: the wikitext reader hands over the
parameters mwparserfromhell found, the Parsoid HTML reader the parameters in
``data-mw``; both get the same fields for the same citation.

What the fields mean (the same in every reader):

* ``title`` — the cited item itself: the chapter, entry or article when the
  template names one (``|chapter=``, ``|contribution=``, ``|entry=``), else ``|title=``;
* ``work`` — what contains it: ``|work=`` and its aliases (``website``,
  ``newspaper``, ``journal`` …), or the book's ``|title=`` when a chapter is cited;
* ``authors`` as ``Given Surname`` (or as written in ``|author=``), editors apart;
* identifiers (``|doi=``, ``|isbn=`` …) normalised, never a URL.

Parameter names are matched case-insensitively with ``_`` read as ``-`` and
runs of spaces collapsed; localised names of the Arabic, Czech, German, French,
Spanish, Italian and Portuguese Wikipedias map onto the English ones.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from citecheck.dates import PartialDate, parse_date
from citecheck.lazy_patterns import lazy_pattern
from citecheck.references.identifiers import identifier_from_parameter, identifier_kind

__all__ = [
    "ATTACHED_TEMPLATES",
    "DEAD_LINK_TEMPLATES",
    "PERMANENT_DEAD_TEMPLATES",
    "WEBARCHIVE_TEMPLATES",
    "TemplateCitation",
    "canonical_parameter",
    "is_cite_template",
    "normalise_template_name",
    "read_cite_template",
    "read_webarchive_template",
    "wikitext_plain",
    "wikitext_raw",
]

V = TypeVar("V")

_space_re = lazy_pattern(r"\s+")
_namespace_re = lazy_pattern(
    r"^(?:template|قالب|šablona|vorlage|modèle|plantilla|predefinição|predefinizione)\s*:\s*", re.I
)


def normalise_template_name(name: str) -> str:
    """``"Cite_book\\n "`` → ``"cite book"``; ``"Template:Cite web"`` → ``"cite web"``."""
    text = _space_re().sub(" ", name.replace("_", " ")).strip().lower()
    return _namespace_re().sub("", text)


# Characters that may start wikitext markup; a value without them is already plain text.
_markup_chars_re = lazy_pattern(r"[\[\]{}<>&]|''")
_comment_re = lazy_pattern(r"<!--.*?(?:-->|$)", re.S)


def wikitext_plain(text: str) -> str:
    """A wikitext value as the reader sees it: markup stripped, entities decoded, whitespace collapsed."""
    if not _markup_chars_re().search(text):
        return _space_re().sub(" ", text).strip()
    import mwparserfromhell  # only for values with markup: `citecheck check --offline` never needs it

    plain = str(mwparserfromhell.parse(text).strip_code(normalize=True, collapse=True))
    return _space_re().sub(" ", plain).strip()


def wikitext_raw(text: str) -> str:
    """A wikitext value as written, without comments (URLs are read this way)."""
    return _comment_re().sub("", text).strip() if "<!--" in text else text.strip()


# English CS1/CS2 and the citation templates of other Wikipedias.
_cite_name_re = lazy_pattern(
    r"^(?:v?cite(?:\s+\S.*)?|citation|cite[a-z]+|"
    r"مرجع(?:\s+\S.*)?|استشهاد(?:\s+\S.*)?|"  # ar
    r"citace(?:\s+\S.*)?|"  # cs
    r"internetquelle|literatur|"  # de
    r"lien web|article|ouvrage|chapitre|lien conférence|"  # fr
    r"cita(?:\s+\S.*)?|"  # es, it
    r"citar(?:\s+\S.*)?)$"  # pt
)
# Template names that look like citations but are not (short citations and helpers).
_NOT_CITATIONS = frozenset({"cite quote", "citation needed", "cita requerida", "citace potřebná", "cite check"})


@functools.lru_cache(maxsize=4096)
def is_cite_template(name: str) -> bool:
    """Whether the (normalised) template name is a full citation template."""
    return name not in _NOT_CITATIONS and bool(_cite_name_re().match(name))


DEAD_LINK_TEMPLATES = frozenset(
    {
        "dead link",
        "deadlink",
        "dead-link",
        "dead url",
        "deadurl",
        "404",
        "broken link",
        "link broken",
        "lien brisé",  # fr
        "toter link",  # de
        "enlace roto",  # es
        "collegamento interrotto",  # it
        "ligação inativa",  # pt
        "mrtvý odkaz",  # cs
        "وصلة مكسورة",  # ar
    }
)
PERMANENT_DEAD_TEMPLATES = frozenset({"permanent dead link", "permanently dead link", "permanent deadlink"})
WEBARCHIVE_TEMPLATES = frozenset(
    {"webarchive", "web archive", "wayback", "webcite", "archive.today", "cbignore-webarchive"}
)
# Templates that follow a citation and belong to it ({{dead link}}, {{webarchive}}, bot markers).
ATTACHED_TEMPLATES = DEAD_LINK_TEMPLATES | PERMANENT_DEAD_TEMPLATES | WEBARCHIVE_TEMPLATES | {"cbignore"}


# --------------------------------------------------------------------------- parameter names

_LOCAL_PARAMETERS: dict[str, str] = {
    # ar
    "العنوان": "title",
    "المسار": "url",
    "الرابط": "url",
    "تاريخ الوصول": "access-date",
    "تاريخ الاسترجاع": "access-date",
    "مسار الأرشيف": "archive-url",
    "مسار أرشيف": "archive-url",
    "تاريخ الأرشيف": "archive-date",
    "تاريخ أرشيف": "archive-date",
    "حالة المسار": "url-status",
    "الأخير": "last",
    "الأول": "first",
    "المؤلف": "author",
    "المؤلفين": "authors",
    "المحرر": "editor",
    "الناشر": "publisher",
    "العمل": "work",
    "الموقع": "website",
    "الصحيفة": "newspaper",
    "المجلة": "journal",
    "التاريخ": "date",
    "السنة": "year",
    "الشهر": "month",
    "الفصل": "chapter",
    "الرقم المعياري": "isbn",
    "ردمك": "isbn",
    "الصيغة": "format",
    # cs
    "titul": "title",
    "příjmení": "last",
    "jméno": "first",
    "autor": "author",
    "spoluautoři": "authors",
    "editor": "editor",
    "periodikum": "periodical",
    "vydavatel": "publisher",
    "datum vydání": "date",
    "datum": "date",
    "rok": "year",
    "datum přístupu": "access-date",
    "url archivu": "archive-url",
    "datum archivace": "archive-date",
    "kapitola": "chapter",
    "sborník": "work",
    "nedostupné": "url-status",
    "formát": "format",
    # de
    "titel": "title",
    "hrsg": "publisher",  # {{Internetquelle}}: the site's publisher
    "zugriff": "access-date",
    "werk": "work",
    "abruf": "access-date",
    "archiv-url": "archive-url",
    "archiv-datum": "archive-date",
    "offline": "url-status",
    "verlag": "publisher",
    "jahr": "year",
    # fr
    "titre": "title",
    "auteur": "author",
    "nom": "last",
    "prénom": "first",
    "site": "website",
    "périodique": "periodical",
    "journal": "journal",
    "éditeur": "publisher",
    "consulté le": "access-date",
    "archive url": "archive-url",
    "archive date": "archive-date",
    "date de publication": "date",
    "année": "year",
    "titre chapitre": "chapter",
    # es, it, pt
    "título": "title",
    "titolo": "title",
    "apellido": "last",
    "apellidos": "last",
    "nombre": "first",
    "cognome": "last",
    "nome": "first",
    "sobrenome": "last",
    "obra": "work",
    "opera": "work",
    "sito": "website",
    "periódico": "newspaper",
    "publicación": "journal",
    "rivista": "journal",
    "editorial": "publisher",
    "editore": "publisher",
    "editora": "publisher",
    "fecha": "date",
    "data": "date",
    "año": "year",
    "anno": "year",
    "ano": "year",
    "fechaacceso": "access-date",
    "fecha de acceso": "access-date",
    "accesso": "access-date",
    "acessodata": "access-date",
    "urlarchivo": "archive-url",
    "fechaarchivo": "archive-date",
    "urlarchivio": "archive-url",
    "dataarchivio": "archive-date",
    "arquivourl": "archive-url",
    "arquivodata": "archive-date",
    "capítulo": "chapter",
    "capitolo": "chapter",
    "urlmorto": "url-status",
}
_indexed_local_re = lazy_pattern(r"^(?P<base>\D+?)\s*(?P<index>\d+)$")


@functools.lru_cache(maxsize=4096)
def canonical_parameter(name: str) -> str:
    """A parameter name as CS1 spells it: ``AccessDate`` → ``accessdate``, ``الأخير2`` → ``last2``."""
    key = _space_re().sub(" ", str(name)).strip().lower().replace("_", "-")
    local = _LOCAL_PARAMETERS.get(key) or _LOCAL_PARAMETERS.get(key.replace("-", " "))
    if local is not None:
        return local
    if key.isascii():
        return key
    indexed = _indexed_local_re().match(key)
    if indexed:
        base = _LOCAL_PARAMETERS.get(indexed["base"].strip())
        if base is not None:
            return f"{base}{indexed['index']}"
    return key


# --------------------------------------------------------------------------- the fields


@dataclass(slots=True)
class TemplateCitation:
    """What one citation template says, field by field (plain data: built in inner loops)."""

    template: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    work: str | None = None
    publisher: str | None = None
    date: PartialDate | None = None
    date_text: str | None = None  # as written, for data errors
    access_date: PartialDate | None = None
    access_date_text: str | None = None
    archive_date: PartialDate | None = None
    archive_date_text: str | None = None
    url: str | None = None
    chapter_url: str | None = None
    archive_url: str | None = None
    url_status: Literal["dead", "live"] | None = None  # None: not stated
    format: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    surnames: list[str] = field(default_factory=list)  # what a CITEREF anchor is made of, with the year


_author_key_re = lazy_pattern(
    r"^(?:author|last|surname|author-last|authorlast)(?P<index>\d*)$|^author(?P<index2>\d+)-last$"
)
_editor_key_re = lazy_pattern(r"^editor(?P<index>\d*)(?:-last|-surname)?$|^editor-last(?P<index2>\d+)$")
_WORK_KEYS = (
    "work",
    "website",
    "newspaper",
    "journal",
    "magazine",
    "periodical",
    "encyclopedia",
    "encyclopaedia",
    "dictionary",
    "mailing-list",
    "mailinglist",
)
_CHAPTER_KEYS = ("chapter", "contribution", "entry", "article", "section")
_CHAPTER_URL_KEYS = ("chapter-url", "chapterurl", "contribution-url", "entry-url", "article-url", "section-url")
_DEAD_STATUS = frozenset({"dead", "unfit", "usurped", "yes", "y", "true", "ano", "ja", "oui", "sí", "si", "sim"})
_LIVE_STATUS = frozenset({"live", "no", "n", "false", "ne", "nein", "non"})
_ARCHIVE_STATUS_KEYS = ("url-status", "dead-url", "deadurl", "urlstatus")
_pdf_re = lazy_pattern(r"\.pdf(?:$|[?#])", re.I)


def read_cite_template(
    name: str,
    parameters: Mapping[str, V],
    plain: Callable[[V], str],
    raw: Callable[[V], str],
) -> TemplateCitation:
    """Read a citation template's parameters into fields.

    ``parameters`` maps each parameter name as written to its value; ``plain``
    renders a value as the reader sees it (markup stripped), ``raw`` gives a
    value as written without comments (for URLs).  A parameter given twice
    keeps its last value, as MediaWiki does.
    """
    fields: dict[str, V] = {}
    for key, value in parameters.items():
        fields[canonical_parameter(key)] = value
    texts: dict[str, str] = {}

    def text(*keys: str) -> str | None:
        for key in keys:
            if key not in fields:
                continue
            cached = texts.get(key)
            if cached is None:
                cached = texts[key] = " ".join(plain(fields[key]).split())
            if cached:
                return cached
        return None

    def url(*keys: str) -> str | None:
        for key in keys:
            value = fields.get(key)
            if value is not None:
                written = raw(value).strip()
                if written:
                    return written
        return None

    citation = TemplateCitation(template=name)
    chapter = text(*_CHAPTER_KEYS)
    book_title = text("title", "script-title", "trans-title")
    if chapter:
        citation.title = chapter
        citation.work = text(*_WORK_KEYS) or book_title
    else:
        citation.title = book_title
        citation.work = text(*_WORK_KEYS)
    surnames: list[str] = []
    citation.authors = _names(
        fields, text, _author_key_re(), "first", "given", ("authors", "vauthors", "people"), surnames
    )
    editor_surnames: list[str] = []
    citation.editors = _names(
        fields, text, _editor_key_re(), "editor-first", "editor-given", ("editors", "veditors"), editor_surnames
    )
    citation.surnames = surnames or editor_surnames
    citation.publisher = text("publisher", "institution", "school")
    citation.date_text = text("date", "publication-date")
    citation.date = parse_date(citation.date_text) if citation.date_text else None
    if citation.date is None:
        year, month = text("year"), text("month")
        if year and month:
            citation.date = parse_date(f"{month} {year}")
        if citation.date is None and year:
            citation.date = parse_date(year)
            citation.date_text = citation.date_text or year
    citation.access_date_text = text("access-date", "accessdate")
    citation.access_date = parse_date(citation.access_date_text) if citation.access_date_text else None
    citation.archive_date_text = text("archive-date", "archivedate")
    citation.archive_date = parse_date(citation.archive_date_text) if citation.archive_date_text else None
    citation.url = url("url")
    citation.chapter_url = url(*_CHAPTER_URL_KEYS)
    citation.archive_url = url("archive-url", "archiveurl")
    status = (text(*_ARCHIVE_STATUS_KEYS) or "").lower()
    if status in _DEAD_STATUS:
        citation.url_status = "dead"
    elif status in _LIVE_STATUS:
        citation.url_status = "live"
    elif citation.archive_url and not status:
        # CS1's default for |archive-url= without |url-status=: the archive copy is the one shown (the title
        # links it, "Archived from the original on …"), exactly as with |url-status=dead — and so a rendering
        # of the same citation reads.
        citation.url_status = "dead"
    file_format = text("format")
    shown_url = citation.url or citation.chapter_url
    citation.format = file_format or ("PDF" if shown_url and _pdf_re().search(shown_url) else None)
    for key in fields:
        if identifier_kind(key) is not None:
            found = identifier_from_parameter(key, text(key))
            if found is not None:
                citation.identifiers.setdefault(found[0], found[1])
    return citation


_index_suffix_re = lazy_pattern(r"\d+$")


def _names(
    fields: Mapping[str, object],
    text: Callable[..., str | None],
    key_re: re.Pattern[str],
    first_key: str,
    given_key: str,
    list_keys: tuple[str, ...],
    surnames: list[str],
) -> list[str]:
    """Names from ``last1``/``first1`` (``Given Surname``) or ``author1``, in index order; else a free list."""
    indices: set[int] = set()
    for key in fields:
        index = _name_index(key_re, key)
        if index is not None:
            indices.add(index)
    names: list[str] = []
    for index in sorted(indices):
        last_keys, more_last_keys, first_keys, more_first_keys, whole_keys = _name_keys(index, first_key, given_key)
        last = text(*last_keys) or (text(*more_last_keys) if more_last_keys else None)
        first = text(*first_keys) or (text(*more_first_keys) if more_first_keys else None)
        whole = text(*whole_keys)
        if last:
            names.append(f"{first} {last}" if first else last)
            surnames.append(last)
        elif whole:
            names.append(whole)
            surnames.append(whole)
    if not names:
        listed = text(*list_keys)
        if listed:
            separator = ";" if ";" in listed else ","
            names = [part.strip() for part in listed.split(separator) if part.strip()]
    return names


@functools.lru_cache(maxsize=1024)
def _name_index(key_re: re.Pattern[str], key: str) -> int | None:
    """The name number a parameter holds (``last2`` → 2, ``author`` → 1), or None when it names no person."""
    match = key_re.match(key)
    if not match:
        return None
    index = match["index"] or match["index2"] or ""
    return int(index) if index else 1


@functools.lru_cache(maxsize=1024)
def _name_keys(index: int, first_key: str, given_key: str) -> tuple[tuple[str, ...], ...]:
    """The parameters that may hold the ``index``-th name's surname, given name and whole name, in the order
    they are asked for: ``(last, last if none of those, first, first if none of those, whole)``."""
    suffixes = (str(index), "") if index == 1 else (str(index),)
    if first_key.startswith("editor"):
        return (
            (
                *(f"editor{s}-last" for s in suffixes),
                *(f"editor-last{s}" for s in suffixes),
                *(f"editor{s}-surname" for s in suffixes),
            ),
            (),
            (
                *(f"editor{s}-first" for s in suffixes),
                *(f"editor-first{s}" for s in suffixes),
                *(f"editor{s}-given" for s in suffixes),
            ),
            (),
            tuple(f"editor{s}" for s in suffixes),
        )
    return (
        tuple(f"{key}{s}" for s in suffixes for key in ("last", "surname", "author-last", "authorlast")),
        (f"author{index}-last",),
        tuple(f"{key}{s}" for s in suffixes for key in (first_key, given_key, "author-first")),
        (f"author{index}-first",),
        tuple(f"author{s}" for s in suffixes),
    )


def read_webarchive_template(
    name: str, parameters: Mapping[str, V], plain: Callable[[V], str], raw: Callable[[V], str]
) -> tuple[str | None, PartialDate | None, str | None]:
    """``{{webarchive|url=…|date=…}}`` / ``{{wayback|url=original|date=TS}}`` → (archive URL, date, date as written)."""
    fields = {canonical_parameter(key): value for key, value in parameters.items()}

    def first(*keys: str, as_url: bool = False) -> str | None:
        for key in keys:
            value = fields.get(key)
            if value is not None:
                shown = (raw(value) if as_url else plain(value)).strip()
                if shown:
                    return _space_re().sub(" ", shown) if not as_url else shown
        return None

    date_text = first("date", "date1", "1")
    if name == "wayback":
        original = first("url", "1", as_url=True)
        stamp = first("date", "2") or "*"
        archive_url = f"https://web.archive.org/web/{stamp}/{original}" if original else None
        date = parse_date(f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}") if stamp[:8].isdigit() else None
        return archive_url, date, stamp if stamp != "*" else None
    archive_url = first("url", "url1", as_url=True)
    return archive_url, parse_date(date_text) if date_text else None, date_text

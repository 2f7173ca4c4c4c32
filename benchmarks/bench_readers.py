"""Reader accuracy on real pages: every sample in ../shared/wikipedia-samples, scored against its own data.

Run: ``python benchmarks/bench_readers.py [--samples DIR] [--blog-seeds 10]``

The ground truth is derived **independently of the readers**, by this script's
own small code, from what each rendering carries about itself:

* Parsoid HTML: the ``data-mw`` JSON of each reference's citation template
  (its parameters, read with mwparserfromhell and a small parameter table of
  this script's own), the ``ol.mw-references`` items, the markers'
  ``href``/``data-mw``;
* legacy HTML: the items of ``ol.references``, the markers linking to them,
  the COinS span of each CS1 citation (``rft.*``), the external links;
* wikitext: mwparserfromhell's own ``<ref>`` tags and template parameters;
* Markdown and blog HTML: documents built by ``tests/blog_corpus.py`` from
  known fields.

Scores: references found / spurious; per field, the share of references on
which reader and truth agree, counted over references where either has a
value (a value the truth lacks is as wrong as a value missed); uses (markers
per reference, exact); marker→reference links (markers pointing at the right
reference, over the truth's markers).  The baseline in the same run is the
previous reader behaviour where it can be reproduced (``use_coins=False`` for
legacy HTML: fields from italics and text alone).
"""

from __future__ import annotations

import argparse
import html as html_module
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import mwparserfromhell
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.blog_corpus import blog_sample, markdown_sample
from tests.parsoid_render import render_parsoid, with_reference_features
from tests.reader_agreement import FIELDS as AGREEMENT_FIELDS
from tests.reader_agreement import REFERENCE_FIELDS as FIELDS
from tests.reader_agreement import Agreement, compare_readings

from citecheck.documents import parse_document
from citecheck.documents.html import read_html
from citecheck.models import ParsedDocument, Reference

# --------------------------------------------------------------------------- the truth's own small mapping

_CITE_RE = re.compile(r"^(?:cite\b.*|citation|مرجع\b.*|استشهاد\b.*|citace\b.*|internetquelle|literatur)$")
_PARAMS = {
    "url": "url",
    "المسار": "url",
    "title": "title",
    "العنوان": "title",
    "titul": "title",
    "chapter": "chapter",
    "contribution": "chapter",
    "entry": "chapter",
    "article": "chapter",
    "section": "chapter",
    "الفصل": "chapter",
    "date": "date",
    "التاريخ": "date",
    "year": "year",
    "السنة": "year",
    "access-date": "access-date",
    "accessdate": "access-date",
    "تاريخ الوصول": "access-date",
    "archive-url": "archive-url",
    "archiveurl": "archive-url",
    "مسار الأرشيف": "archive-url",
    "archive-date": "archive-date",
    "archivedate": "archive-date",
    "تاريخ الأرشيف": "archive-date",
    "publisher": "publisher",
    "الناشر": "publisher",
    "url-status": "status",
    "deadurl": "status",
    "dead-url": "status",
    "author": "author",
    "author1": "author",
    "المؤلف": "author",
    "last": "last1",
    "last1": "last1",
    "first": "first1",
    "first1": "first1",
    "الأخير": "last1",
    "الأول": "first1",
    "titel": "title",
    "datum": "date",
    "zugriff": "access-date",
    "abruf": "access-date",
    "hrsg": "publisher",
    "verlag": "publisher",
    "autor": "author",
    "archiv-url": "archive-url",
    "archiv-datum": "archive-date",
    "chapter-url": "chapter-url",
    "chapterurl": "chapter-url",
}
_WORK_PARAMS = {"work", "website", "newspaper", "journal", "magazine", "periodical", "encyclopedia", "encyclopaedia"}
_WORK_PARAMS |= {"الموقع", "العمل", "الصحيفة", "المجلة", "werk"}
_ID_PARAMS = {"doi": "doi", "isbn": "isbn", "pmid": "pmid", "pmc": "pmc", "oclc": "oclc", "الرقم المعياري": "isbn"}
_ID_HOSTS = ("doi.org", "ncbi.nlm.nih.gov", "worldcat.org", "jstor.org", "adsabs.harvard.edu", "semanticscholar.org")
_ARCHIVE_RE = re.compile(
    r"^https?://(?:[\w-]+\.)?archive\.org/web/\d+[a-z_]*/(?P<orig>.+)$"
    r"|^https?://archive\.(?:today|ph|is|li|md)/\d[\d.\-]*/(?P<orig2>.+)$"
    r"|^https?://wayback\.archive-it\.org/\d+/\d+/(?P<orig3>.+)$",
    re.I,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            (),
            ("january", "jan", "يناير"),
            ("february", "feb", "فبراير"),
            ("march", "mar", "مارس"),
            ("april", "apr", "أبريل"),
            ("may", "مايو"),
            ("june", "jun", "يونيو"),
            ("july", "jul", "يوليو"),
            ("august", "aug", "أغسطس"),
            ("september", "sep", "sept", "سبتمبر"),
            ("october", "oct", "أكتوبر"),
            ("november", "nov", "نوفمبر"),
            ("december", "dec", "ديسمبر"),
        ]
    )
    for name in names
}


def plain(wikitext: str) -> str:
    return " ".join(str(mwparserfromhell.parse(wikitext).strip_code()).split())


def day(text: str | None) -> tuple[int, ...] | None:
    """(year, month, day) of the date forms citations use; None when this small parser cannot tell."""
    if not text:
        return None
    text = " ".join(text.replace(",", " ").split()).strip(". ")
    iso = re.fullmatch(r"(\d{4})-(\d\d)(?:-(\d\d))?(?:T.*)?", text)
    if iso:
        return tuple(int(part) for part in iso.groups() if part)
    words = text.lower().split()
    numbers = [int(word) for word in words if word.isdigit()]
    months = [_MONTHS[word.rstrip(".")] for word in words if word.rstrip(".") in _MONTHS]
    years = [number for number in numbers if 1500 < number < 2200]
    days = [number for number in numbers if 1 <= number <= 31]
    if len(years) == 1 and len(months) == 1 and len(days) == 1 and len(words) == 3:
        return (years[0], months[0], days[0])
    if len(years) == 1 and len(months) == 1 and len(words) == 2:
        return (years[0], months[0])
    if len(words) == 1 and len(years) == 1:
        return (years[0],)
    return None


def reader_day(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    return tuple(part for part in (value.year, value.month, value.day) if part is not None)


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", html_module.unescape(text or ""))
    return " ".join(text.split()).strip(" .,;:\"'“”‘’«»()[]").casefold()


def is_identifier_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == known or host.endswith("." + known) for known in _ID_HOSTS)


def original_of(url: str) -> str | None:
    match = _ARCHIVE_RE.match(url)
    return next((group for group in match.groups() if group), None) if match else None


@dataclass
class TruthReference:
    key: str
    fields: dict[str, Any] = field(default_factory=dict)  # only the fields the truth knows
    uses: int = 0


def truth_from_template(name: str, params: dict[str, str]) -> dict[str, Any]:
    """The fields of one citation template, by this script's own table."""
    values: dict[str, str] = {}
    work = None
    identifiers: dict[str, str] = {}
    for key, value in params.items():
        key = " ".join(key.strip().lower().replace("_", "-").split())
        canonical = _PARAMS.get(key)
        if canonical and value.strip():
            values.setdefault(canonical, value)
        elif key in _WORK_PARAMS and value.strip() and work is None:
            work = value
        elif key in _ID_PARAMS and value.strip():
            identifiers[_ID_PARAMS[key]] = value.strip()
    fields: dict[str, Any] = {}
    url = values.get("url", "").strip() or values.get("chapter-url", "").strip()
    archive_url = values.get("archive-url", "").strip()
    if url and original_of(url):
        archive_url, url = archive_url or url, original_of(url) or ""
    if url and is_identifier_url(url):
        url = ""
    fields["url"] = url or None
    fields["archive_url"] = archive_url or None
    chapter = plain(values.get("chapter", ""))
    title = plain(values.get("title", ""))
    fields["title"] = (chapter or title) or None
    fields["work"] = plain(work) if work else (title if chapter else None) or None
    fields["publisher"] = plain(values.get("publisher", "")) or None
    fields["date"] = day(plain(values.get("date", ""))) or day(plain(values.get("year", "")))
    fields["access_date"] = day(plain(values.get("access-date", "")))
    fields["archive_date"] = day(plain(values.get("archive-date", "")))
    last, first = plain(values.get("last1", "")), plain(values.get("first1", ""))
    author = f"{first} {last}".strip() if last else plain(values.get("author", ""))
    fields["authors"] = author or None  # the first author: the truth's table does not read the rest
    fields["identifiers"] = {name: _id_value(name, plain(value)) for name, value in identifiers.items()} or None
    status = values.get("status", "").strip().lower()
    # CS1: |archive-url= with no |url-status= shows the archive copy first, exactly as |url-status=dead.
    stated_archive = values.get("archive-url", "").strip()
    fields["dead"] = status in {"dead", "unfit", "usurped", "yes", "y", "true"} or bool(stated_archive and not status)
    return fields


def _id_value(name: str, value: str) -> str:
    """Identifiers compared as registered: DOIs case-insensitively, ISBNs without hyphens, PMC with its prefix."""
    value = value.strip().lower()
    if name == "isbn":
        return re.sub(r"[\s-]", "", value)
    if name == "pmc" and not value.startswith("pmc"):
        return "pmc" + value
    return value.removeprefix("doi:")


def reader_fields(reference: Reference) -> dict[str, Any]:
    identifiers = {name: _id_value(name, value) for name, value in reference.identifiers.present().items()}
    dead_flags = {"url-status-dead", "dead-link", "permanent-dead-link"}
    return {
        "url": reference.url,
        "archive_url": reference.archive_url,
        "title": reference.title,
        "work": reference.work,
        "publisher": reference.publisher,
        "date": reader_day(reference.date),
        "access_date": reader_day(reference.access_date),
        "archive_date": reader_day(reference.archive_date),
        "authors": reference.authors[0] if reference.authors else None,
        "identifiers": identifiers or None,
        "dead": bool(dead_flags & {str(flag) for flag in reference.source_flags}),
    }


def _absolute(url: str | None) -> str:
    url = (url or "").strip()
    return "https:" + url if url.startswith("//") else url


def agree(name: str, truth: Any, read: Any) -> bool:
    if name in ("title", "work", "publisher", "authors"):
        return norm(truth) == norm(read)
    if name in ("url", "archive_url"):
        return _absolute(truth) == _absolute(read)
    if name == "identifiers":
        return not truth or all(read and read.get(key) == value for key, value in truth.items())
    return bool(truth == read)


# --------------------------------------------------------------------------- scores


@dataclass
class Score:
    truth_references: int = 0
    found: int = 0
    spurious: int = 0
    fields: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    uses: list[int] = field(default_factory=lambda: [0, 0])
    links: list[int] = field(default_factory=lambda: [0, 0])
    seconds: float = 0.0
    megabytes: float = 0.0

    @property
    def mbps(self) -> float:
        return self.megabytes / self.seconds if self.seconds else 0.0

    def add_field(self, name: str, truth: Any, read: Any) -> None:
        if (truth in (None, False, "", {})) and (read in (None, False, "", {})):
            return
        counts = self.fields[name]
        counts[1] += 1
        counts[0] += agree(name, truth, read)

    def merge(self, other: Score) -> None:
        self.truth_references += other.truth_references
        self.found += other.found
        self.spurious += other.spurious
        for name, (good, total) in other.fields.items():
            self.fields[name][0] += good
            self.fields[name][1] += total
        for mine, theirs in ((self.uses, other.uses), (self.links, other.links)):
            mine[0] += theirs[0]
            mine[1] += theirs[1]
        self.seconds += other.seconds
        self.megabytes += other.megabytes


def score_references(
    truths: dict[str, TruthReference], readers: dict[str, Reference], score: Score, fields_of: set[str] | None = None
) -> None:
    score.truth_references += len(truths)
    score.found += sum(1 for key in truths if key in readers)
    score.spurious += sum(1 for key in readers if key not in truths)
    for key, truth in truths.items():
        reference = readers.get(key)
        read = reader_fields(reference) if reference is not None else {}
        for name in FIELDS:
            if name in truth.fields and (fields_of is None or name in fields_of):
                score.add_field(name, truth.fields[name], read.get(name))
        score.uses[1] += 1
        score.uses[0] += reference is not None and reference.uses == truth.uses


def score_links(truth_targets: list[str | None], read_targets: list[str | None], score: Score) -> None:
    expected = Counter(target for target in truth_targets if target is not None)
    got = Counter(target for target in read_targets if target is not None)
    score.links[1] += len(truth_targets)
    score.links[0] += sum(min(count, got[target]) for target, count in expected.items())
    score.links[0] += min(truth_targets.count(None), read_targets.count(None))


def markers_of(document: ParsedDocument) -> list[Any]:
    return [marker for section in document.sections for paragraph in section.paragraphs for marker in paragraph.markers]


# --------------------------------------------------------------------------- HTML truths


def _tree(text: str) -> Any:
    return etree.fromstring(text.encode("utf-8"), etree.HTMLParser(encoding="utf-8", remove_comments=True))


def _has_class(element: Any, name: str) -> bool:
    return name in (element.get("class") or "").split()


def html_truth(text: str, parsoid: bool) -> tuple[dict[str, TruthReference], list[str | None]]:
    root = _tree(text)
    truths: dict[str, TruthReference] = {}
    for ol in root.iter("ol"):
        names = (ol.get("class") or "").split()
        if not ({"references", "mw-references"} & set(names)) and "mw-subreference-list" not in names:
            continue
        for li in ol:
            if li.tag != "li" or not li.get("id"):
                continue
            truth = TruthReference(key=li.get("id"))
            truth.fields = (parsoid_fields if parsoid else legacy_fields)(li)
            truths[truth.key] = truth
    targets: list[str | None] = []
    seen: set[str] = set()  # a cite_ref id is one use, however often the page repeats its element
    for sup in root.iter("sup"):
        typeof = sup.get("typeof") or ""
        is_marker = "mw:Extension/ref" in typeof if parsoid else _has_class(sup, "reference")
        if not is_marker:
            continue
        anchor = next((a for a in sup.iter("a") if "#cite_note" in (a.get("href") or "")), None)
        if anchor is None:
            continue  # {{rp}} and the like
        if sup.get("id") in seen:
            continue
        if sup.get("id"):
            seen.add(sup.get("id"))
        target = unquote(anchor.get("href").split("#", 1)[1])
        targets.append(target if target in truths else None)
    counts = Counter(target for target in targets if target)
    parents = {}
    for ol in root.iter("ol"):
        if _has_class(ol, "mw-subreference-list"):
            main = ol.getparent()
            for li in ol:
                if li.tag == "li" and li.get("id"):
                    parents[li.get("id")] = main.get("id")
    for key, truth in truths.items():
        truth.uses = counts[key] + sum(counts[sub] for sub, main in parents.items() if main == key)
    return truths, targets


_DEAD_LINK_NAMES = {"dead link", "deadlink", "permanent dead link"}


def parsoid_fields(li: Any) -> dict[str, Any]:
    """The first citation template's fields; dead also when a {{dead link}} follows it (as the wikitext truth)."""
    text = next((node for node in li.iter() if _has_class(node, "mw-reference-text")), li)
    fields: dict[str, Any] = {}
    dead_link = False
    for node in text.iter():
        data = node.get("data-mw")
        if not data or "mw:Transclusion" not in (node.get("typeof") or ""):
            continue
        try:
            parts = json.loads(data).get("parts", [])
        except (ValueError, AttributeError):
            continue
        for part in parts:
            template = part.get("template") if isinstance(part, dict) else None
            if not template:
                continue
            name = " ".join(re.sub(r"<!--.*?-->", "", template["target"]["wt"]).replace("_", " ").split()).lower()
            dead_link = dead_link or name in _DEAD_LINK_NAMES
            if _CITE_RE.match(name) and not fields:
                params = {
                    key: re.sub(r"<!--.*?-->", "", value.get("wt", ""), flags=re.S)
                    for key, value in template.get("params", {}).items()
                }
                fields = truth_from_template(name, params)
    if fields:
        fields["dead"] = fields["dead"] or dead_link
    return fields


def legacy_fields(li: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    coins = next((span for span in li.iter("span") if _has_class(span, "Z3988")), None)
    if coins is not None:
        values: dict[str, list[str]] = defaultdict(list)
        for key, value in parse_qsl(coins.get("title") or ""):
            values[key].append(" ".join(value.split()))
        atitle, btitle, jtitle = (values.get(k, [None])[0] for k in ("rft.atitle", "rft.btitle", "rft.jtitle"))
        fields["title"] = atitle or btitle
        if jtitle or (atitle and btitle):
            fields["work"] = jtitle or btitle
        if values.get("rft.pub"):  # COinS states a publisher for books only: elsewhere the truth does not know
            fields["publisher"] = values["rft.pub"][0]
        fields["date"] = day(values.get("rft.date", [None])[0])
        if values.get("rft.aulast"):
            first = values.get("rft.aufirst", [""])[0]
            fields["authors"] = f"{first} {values['rft.aulast'][0]}".strip()
        elif values.get("rft.au"):
            # With no rft.aulast, CS1's first rft.au is |author= written out as the editor wrote it ("Glenday,
            # C."): the name as written, as the wikitext truth below takes |author=.
            fields["authors"] = values["rft.au"][0]
        ids = {}
        for value in values.get("rft_id", []):
            if value.startswith("info:doi/"):
                ids["doi"] = value[9:].lower()
            elif value.startswith("info:pmid/"):
                ids["pmid"] = value[10:]
        if values.get("rft.isbn"):
            ids["isbn"] = _id_value("isbn", values["rft.isbn"][0])
        fields["identifiers"] = ids or None
    external = [a for a in li.iter("a") if _has_class(a, "external")]
    archives = [a.get("href") for a in external if original_of(a.get("href") or "")]
    original = next(
        (a.get("href") for a in external if " ".join("".join(a.itertext()).split()) == "the original"), None
    )
    text = " ".join("".join(li.itertext()).split())
    archived = re.search(r"[Aa]rchived(?: \(\w+\))? from the original(?: \(\w+\))? on ([^.]+?)\.", text)
    retrieved = next((span for span in li.iter("span") if _has_class(span, "reference-accessdate")), None)
    if archives:
        fields["archive_url"] = archives[0]
        fields["archive_date"] = day(archived.group(1)) if archived else None
    if retrieved is not None:
        fields["access_date"] = day(" ".join("".join(retrieved.itertext()).split()).replace(". Retrieved ", ""))
    title_link = next((a for a in external if " ".join("".join(a.itertext()).split())[:1] in '"“'), None)
    fields["dead"] = bool(original and title_link is not None and original_of(title_link.get("href") or ""))
    if original:
        fields["url"] = original
    elif title_link is not None and not original_of(title_link.get("href") or ""):
        href = title_link.get("href") or ""
        fields["url"] = None if is_identifier_url(href) else ("https:" + href if href.startswith("//") else href)
    return fields


def score_html(path: Path, *, use_coins: bool = True) -> Score:
    return score_html_text(
        path.read_text(encoding="utf-8"), path.name, parsoid=".parsoid." in path.name, use_coins=use_coins
    )


def score_html_text(text: str, name: str, *, parsoid: bool, use_coins: bool = True) -> Score:
    truths, targets = html_truth(text, parsoid)
    started = time.perf_counter()
    document = read_html(text, name, use_coins=use_coins)
    score = Score(seconds=time.perf_counter() - started)
    readers = {ref.anchor: ref for ref in document.references if ref.anchor and ref.kind != "bibliography"}
    score_references(truths, readers, score)
    by_id = {reference.id: reference.anchor for reference in document.references}
    score_links(
        targets, [by_id.get(marker.ref_id) if marker.ref_id else None for marker in markers_of(document)], score
    )
    return score


# --------------------------------------------------------------------------- wikitext truth


def wikitext_truth(text: str) -> tuple[dict[str, TruthReference], dict[str, TruthReference]]:
    """(footnotes by key, bibliography entries by template text) from mwparserfromhell's own tree."""
    code = mwparserfromhell.parse(text)
    footnotes: dict[str, TruthReference] = {}
    uses: Counter[str] = Counter()
    inside: set[int] = set()
    listed: set[int] = set()  # <ref>s defined inside <references>…</references>: definitions, not uses
    for references in code.filter_tags(matches=lambda node: str(node.tag).strip().lower() == "references"):
        if references.contents is not None:
            listed.update(id(tag) for tag in references.contents.filter_tags())
    for tag in code.filter_tags(matches=lambda node: str(node.tag).strip().lower() == "ref"):
        attributes = {str(a.name).strip().lower(): str(a.value).strip() for a in tag.attributes}
        name = attributes.get("name")
        group = attributes.get("group", "")
        content = str(tag.contents).strip() if tag.contents is not None else ""
        if tag.contents is not None:
            inside.update(id(template) for template in tag.contents.filter_templates(recursive=True))
        key = f"{group}|{name}" if name else f"{group}|#{content}"
        if content and key not in footnotes:
            truth = TruthReference(key=key)
            cites = [t for t in tag.contents.filter_templates() if _CITE_RE.match(_name(t))]
            if cites:
                truth.fields = truth_from_template(_name(cites[0]), _params(cites[0]))
                dead = {"dead link", "deadlink", "permanent dead link"}
                following = any(_name(t) in dead for t in tag.contents.filter_templates())
                truth.fields["dead"] = truth.fields["dead"] or following
            footnotes[key] = truth
        if id(tag) not in listed:
            uses[key] += 1
    for key, truth in footnotes.items():
        truth.uses = uses[key]
    bibliography: dict[str, TruthReference] = {}
    for template in code.filter_templates():
        if id(template) not in inside and _CITE_RE.match(_name(template)):
            key = str(template).strip()
            truth = TruthReference(key=key, fields=truth_from_template(_name(template), _params(template)))
            bibliography.setdefault(key, truth)
    return footnotes, bibliography


def _name(template: Any) -> str:
    return " ".join(str(template.name).replace("_", " ").split()).lower()


def _params(template: Any) -> dict[str, str]:
    return {str(p.name).strip(): re.sub(r"<!--.*?-->", "", str(p.value), flags=re.S) for p in template.params}


def score_wikitext(path: Path) -> tuple[Score, Score]:
    text = path.read_text(encoding="utf-8")
    footnotes, bibliography = wikitext_truth(text)
    started = time.perf_counter()
    document = parse_document(text, path.name, "wikitext")
    elapsed = time.perf_counter() - started
    readers: dict[str, Reference] = {}
    entries: dict[str, Reference] = {}
    for reference in document.references:
        if reference.kind == "bibliography":
            entries[reference.raw.strip()] = reference
        elif reference.full_citation_ref is None or "short-citation" in reference.source_flags:
            group = reference.group or ""
            key = f"{group}|{reference.name}" if reference.name else f"{group}|#{reference.raw.strip()}"
            readers[key] = reference
    score = Score(seconds=elapsed)
    score_references(footnotes, readers, score)
    truth_markers = [key for key, truth in footnotes.items() for _ in range(truth.uses)]
    by_id = {reference.id: key for key, reference in readers.items()}
    read_markers = [by_id.get(marker.ref_id) if marker.ref_id else None for marker in markers_of(document)]
    hidden = sum(truth.uses for truth in footnotes.values()) - len(read_markers)
    score_links(truth_markers, read_markers, score)
    score.links[1] -= max(hidden, 0)  # uses outside the body (infobox, tables) are counted in `uses`, not as markers
    bib = Score()
    score_references(bibliography, entries, bib)
    bib.uses = [0, 0]  # bibliography uses come from short citations, not from the truth's ref tags
    return score, bib


# --------------------------------------------------------------------------- Markdown and blog HTML


def score_generated(seeds: int) -> dict[str, Score]:
    scores = {"markdown (generated)": Score(), "blog HTML (generated)": Score()}
    for seed in range(seeds):
        for label, sample in (
            ("markdown (generated)", markdown_sample(seed)),
            ("blog HTML (generated)", blog_sample(seed)),
        ):
            started = time.perf_counter()
            document = parse_document(sample.text, sample.name, sample.fmt)  # type: ignore[arg-type]
            score = Score(seconds=time.perf_counter() - started, megabytes=len(sample.text.encode()) / 1048576)
            references = [reference for reference in document.references if reference.kind != "link"]
            truths: dict[str, TruthReference] = {}
            readers: dict[str, Reference] = {}
            for position, truth in enumerate(sample.truths):
                key = str(position + 1)
                truths[key] = TruthReference(
                    key=key,
                    uses=1,
                    fields={
                        "url": truth.url,
                        "archive_url": truth.archive_url,
                        "archive_date": _tuple(truth.archive_date),
                        "date": _tuple(truth.date),
                        "work": truth.work,
                        "title": truth.title,
                    },
                )
                if position < len(references):
                    readers[key] = references[position]
            score_references(truths, readers, score)
            score.spurious += max(0, len(references) - len(sample.truths))
            by_id = {reference.id: str(index + 1) for index, reference in enumerate(references)}
            read = [by_id.get(marker.ref_id) if marker.ref_id else None for marker in markers_of(document)]
            score_links([str(index + 1) for index in range(len(sample.truths))], read, score)
            scores[label].merge(score)
    return scores


def _tuple(value: Any) -> tuple[int, ...] | None:
    return (value.year, value.month, value.day) if value is not None else None


# --------------------------------------------------------------------------- Parsoid HTML generated from the wikitext


def article_wikitext(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return html_module.unescape(text) if "&lt;ref" in text else text  # Anarchism's sample is HTML-escaped


def generated_parsoid_rows(paths: list[Path]) -> list[tuple[str, Score]]:
    """The wikitext samples rendered into Parsoid HTML (tests/parsoid_render.py), scored against this script's
    own data-mw truth like the real Parsoid pages."""
    rows: list[tuple[str, Score]] = []
    for path in paths:
        page = render_parsoid(article_wikitext(path), path.name.split("_", 1)[1].split(".")[0].replace("_", " "))
        score = score_html_text(page.html, path.name, parsoid=True)
        score.megabytes = len(page.html.encode()) / 1048576
        rows.append((f"{path.name} → Parsoid (generated)", score))
    return rows


def agreement_rows(paths: list[Path]) -> list[tuple[str, Agreement]]:
    """The same article read twice — its wikitext by the wikitext reader, its Parsoid rendering by the HTML
    reader — and compared (tests/reader_agreement.py): as rendered; with the reference constructs the samples
    lack (list-defined refs, efn/notelist, groups, sfn/harvnb + bibliography, rp, #tag:ref, webarchive; English
    articles); in the 2018 (1.7) shape; and with every template's data-mw stripped (the rendered-text fallback)."""
    english = [path for path in paths if "Mozilla_Firefox" not in path.name]  # that sample is dewiki wikitext
    german = [path for path in paths if "Mozilla_Firefox" in path.name]
    variants = [
        ("plain 2.8", paths, False, "2.8", True),
        ("features 2.8 (English)", english, True, "2.8", True),
        ("features 1.7 (English)", english, True, "1.7", True),
        ("text only, no data-mw (English, features)", english, True, "2.8", False),
        ("text only, no data-mw (German)", german, False, "2.8", False),
    ]
    readings: dict[tuple[str, bool], Any] = {}
    rows: list[tuple[str, Agreement]] = []
    for label, chosen, features, flavour, template_data in variants:
        total = Agreement(label=label)
        for path in chosen:
            text = article_wikitext(path)
            if features:
                text = with_reference_features(text)
            title = path.name.split("_", 1)[1].split(".")[0].replace("_", " ")
            if (path.name, features) not in readings:
                readings[(path.name, features)] = parse_document(text, path.name, "wikitext")
            page = render_parsoid(text, title, flavour=flavour, template_data=template_data)
            total.add(compare_readings(title, page, readings[(path.name, features)], read_html(page.html, path.name)))
        if chosen:
            rows.append((label, total))
    return rows


def print_agreement_table(rows: list[tuple[str, Agreement]]) -> None:
    columns = ["refs", "found", "spur.", *AGREEMENT_FIELDS, "uses", "links"]
    print("| Parsoid HTML vs wikitext reader | " + " | ".join(columns) + " |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " |")
    for label, result in rows:
        cells = [str(result.references), _rate(result.found[1], result.references), str(len(result.spurious))]
        for name in AGREEMENT_FIELDS:
            good, total = result.fields.get(name, [0, 0])
            cells.append(f"{_rate(good, total)} ({total})" if total else "—")
        cells += [_rate(*result.uses), _rate(*result.links)]
        print(f"| {label} | " + " | ".join(cells) + " |")


# --------------------------------------------------------------------------- the table


def _rate(good: int, total: int) -> str:
    return f"{good / total:.3f}" if total else "—"


def print_table(rows: list[tuple[str, Score]]) -> None:
    columns = ["refs", "found", "spur.", *FIELDS, "uses", "links", "MB/s"]
    print("| sample | " + " | ".join(columns) + " |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " |")
    for label, score in rows:
        cells = [str(score.truth_references), _rate(score.found, score.truth_references), str(score.spurious)]
        for name in FIELDS:
            good, total = score.fields.get(name, [0, 0])
            cells.append(f"{_rate(good, total)} ({total})" if total else "—")
        cells += [_rate(*score.uses), _rate(*score.links), f"{score.mbps:.1f}" if score.megabytes else "—"]
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "wikipedia-samples"
    parser.add_argument("--samples", type=Path, default=default)
    parser.add_argument("--blog-seeds", type=int, default=10)
    args = parser.parse_args()
    rows: list[tuple[str, Score]] = []
    totals: dict[str, Score] = defaultdict(Score)
    if args.samples.is_dir():
        for path in sorted(args.samples.iterdir()):
            size = path.stat().st_size / 1048576
            if path.suffix == ".html":
                score = score_html(path)
                kind = "Parsoid HTML" if ".parsoid." in path.name else "legacy HTML"
                score.megabytes = size
                rows.append((path.name, score))
                totals[kind].merge(score)
                if kind == "legacy HTML":
                    baseline = score_html(path, use_coins=False)
                    baseline.megabytes = size
                    rows.append((f"{path.name} (markup only, no COinS)", baseline))
            elif path.name.endswith(".wikitext.txt"):
                score, bibliography = score_wikitext(path)
                score.megabytes = size
                rows.append((path.name, score))
                totals["wikitext"].merge(score)
                if bibliography.truth_references:
                    rows.append((f"{path.name} (bibliography)", bibliography))
                    totals["wikitext bibliography"].merge(bibliography)
        articles = sorted(path for path in args.samples.iterdir() if path.name.endswith(".wikitext.txt"))
        for label, score in generated_parsoid_rows(articles):
            rows.append((label, score))
            totals["Parsoid HTML (generated from the wikitext)"].merge(score)
    else:
        articles = []
        print(f"no samples at {args.samples}: only generated documents are scored")
    for label, score in score_generated(args.blog_seeds).items():
        rows.append((label, score))
    print_table(rows)
    print()
    print_table(list(totals.items()))
    if articles:
        print()
        print_agreement_table(agreement_rows(articles))


if __name__ == "__main__":
    main()

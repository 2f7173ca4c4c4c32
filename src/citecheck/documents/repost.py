"""Reader for news-aggregator pages that repost articles from other outlets.

Such a page is a run of posts between site menus and a sidebar::

    Iraq                                              <- category
    LA Times : Iraq says raid on militant group's camp …   <- headline
    Seven members of the Iranian opposition faction …      <- body
    LA Times – July 29, 2009                          <- attribution
    July 30, 2009 0 comments                          <- footer: posting date
    FacebookTwitterPinterestWhatsappTelegramSkypeEmail   <- share buttons

Each post becomes a :class:`Section` dated by its footer.  The post's
attribution — a byline, an outlet, a source date, written as a last line
(``By Dan Murphy``, ``Ali Al-Tuwaijri, Agence France-Presse``,
``Source: Reuters``), a dateline (``DIALA / Aswat al-Iraq:``,
``BAGHDAD (Reuters) -``) or a headline prefix (``LA Times : …``) — becomes a
:class:`Reference` of kind ``attribution`` that every sentence of the post
cites implicitly (:attr:`Section.implicit_refs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from citecheck.dates import PartialDate, parse_date
from citecheck.documents.text_structure import (
    SourceLine,
    is_label_line,
    make_paragraph,
    normalise_space,
    paragraphs_from_block,
    plural,
    split_blocks,
    strip_bullet,
    strip_html_tags,
    word_count,
)
from citecheck.models import DocumentFormat, Paragraph, ParsedDocument, Reference, Section

# "July 30, 2009 0 comments", "30 July 2009 | No comments": the footer that closes a post.
FOOTER_RE = re.compile(r"^\s*(?P<date>[^|·]{4,40}?)\s*[|·•–-]?\s*(?:\d{1,6}|no)\s+comments?\s*$", re.IGNORECASE)
SHARE_SERVICES = (
    "facebook|twitter|pinterest|whatsapp|telegram|skype|email|e-mail|linkedin|reddit|tumblr|print|vk|x|messenger"
)
# "FacebookTwitterPinterest…", "Share: Facebook | Twitter": a row of share buttons.
SHARE_RE = re.compile(rf"^\s*(?:share(?: this)?:?\s*)?(?:(?:{SHARE_SERVICES})[\s|,·•]*){{2,}}$", re.IGNORECASE)
# Site furniture between and around posts.
CHROME_RE = re.compile(
    r"^(?:©|copyright\b|all rights reserved|newer posts?|older posts?|previous posts?|next posts?|back to top"
    r"|read more|home|recent posts|related posts)",
    re.IGNORECASE,
)
PIPE_MENU_RE = re.compile(r"^[^|.!?]{1,30}(?:\|[^|.!?]{1,30}){2,}$")
# "DIALA / Aswat al-Iraq: text", "BAGHDAD (Reuters) - text", "WASHINGTON (AP) — text".
DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’/-]{1,40}?)\s*"
    r"(?:/\s*(?P<slash>[^:–—/]{2,40}?)\s*:|\((?P<paren>[^()]{2,30})\)\s*[:–—-])\s*"
)
# "LA Times : Iraq says …", "Reuters | Iraq says …".
HEADLINE_PREFIX_RE = re.compile(r"^(?P<outlet>[^:|–—]{2,40}?)\s*(?::|\||\s[–—-]\s)\s*(?P<rest>\S.*)$")
SOURCE_PREFIX_RE = re.compile(r"^(?:source|sources|via|from)\s*:\s*", re.IGNORECASE)
BYLINE_PREFIX_RE = re.compile(r"^by\s+", re.IGNORECASE)
SEPARATOR_RE = re.compile(r"\s*(?:,|\s[–—|-]\s|\|)\s*")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that mark a name as a news outlet ("Los Angeles Times", "Agence France-Presse").
OUTLET_WORDS = _word_set(
    """times post news press presse journal herald tribune telegraph guardian monitor reuters agency agence
    radio tv television gazette daily weekly magazine review observer independent chronicle wire
    network inquirer express mail economist bulletin dispatch star sun today insider media broadcasting
    channel xinhua bloomberg politico jazeera arabiya alarabiya"""
)
# Wire services and broadcasters known by their initials.
OUTLET_ACRONYMS = _word_set("AP AFP UPI BBC CNN NPR ABC CBS NBC DPA IRNA ISNA PTI IPS ANSA KUNA RFE/RL")
NAME_PARTICLES = _word_set("al el de da di van von bin ibn abu le la du")
DOMAIN_RE = re.compile(r"^[A-Za-z0-9-]{2,40}\.(?:com|org|net|info|co\.uk|news)$", re.IGNORECASE)
WORD_RE = re.compile(r"[A-Za-z]+")

# A post's category line ("Iraq", "USA", "Middle East") is a label of at most this many words.
CATEGORY_MAX_WORDS = 3
# Attribution lines are short; prose is not an attribution.
ATTRIBUTION_MAX_CHARS = 150


@dataclass
class Attribution:
    """Who a post says wrote or published the original."""

    text: str
    line: int | None
    authors: list[str] = field(default_factory=list)
    work: str | None = None
    date: PartialDate | None = None


@dataclass
class _Post:
    headline: str | None
    headline_line: int | None
    footer_date: PartialDate | None
    body: list[SourceLine]


def looks_like_repost(text: str) -> bool:
    """Two or more post footers ("July 30, 2009 0 comments"), or one followed by share buttons."""
    footers = 0
    shares = 0
    for line in text.split("\n"):
        if len(line) > 200:
            continue
        if _footer_date(line) is not None:
            footers += 1
        elif footers and SHARE_RE.match(line):
            shares += 1
        if footers >= 2 or (footers and shares):
            return True
    return False


def read_repost(text: str, path: str) -> ParsedDocument:
    """Split a repost page into one dated section per post, each citing its attribution. Never raises."""
    lines: list[SourceLine] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        lines.append(SourceLine(number, strip_html_tags(raw)[0]))
    footer_indexes = [index for index, line in enumerate(lines) if len(line.text) <= 200 and _footer_date(line.text)]
    if not footer_indexes:
        from citecheck.documents.plaintext import read_plaintext

        document = read_plaintext(text, path)
        document.notices.append("no post footers found: read as an article")
        return document

    site_name = next((normalise_space(line.text) for line in lines if line.text.strip()), None)
    notices: list[str] = []
    posts: list[_Post] = []
    chrome_lines = 0
    start = 0
    for footer_index in footer_indexes:
        segment = lines[start:footer_index]
        start = footer_index + 1
        skipped, post = _split_post(segment, site_name, _footer_date(lines[footer_index].text))
        chrome_lines += skipped
        if post is not None:
            posts.append(post)
    tail = sum(1 for line in lines[start:] if line.text.strip())

    sections: list[Section] = []
    references: list[Reference] = []
    for post in posts:
        section, attribution = _read_post(post)
        if attribution is not None:
            ref_id = f"a{len(references) + 1}"
            references.append(
                Reference(
                    id=ref_id,
                    kind="attribution",
                    raw=attribution.text,
                    authors=attribution.authors,
                    work=attribution.work,
                    date=attribution.date,
                    line=attribution.line,
                )
            )
            section.implicit_refs.append(ref_id)
        sections.append(section)

    if chrome_lines:
        notices.append(f"skipped {plural(chrome_lines, 'line')} of site navigation and share buttons")
    if tail:
        notices.append(f"skipped {plural(tail, 'line')} after the last post (sidebar, pagination, footer)")
    unattributed = len(sections) - len(references)
    if unattributed:
        notices.append(f"{plural(unattributed, 'post')} without an attribution line")
    return ParsedDocument(
        path=path,
        format=DocumentFormat.text,
        title=site_name,
        layout="repost",
        sections=sections,
        references=references,
        notices=notices,
    )


# --------------------------------------------------------------------------- posts


def _footer_date(text: str) -> PartialDate | None:
    # FOOTER_RE backtracks cubically over long runs of spaces (an indented HTML line read as text took seconds):
    # it needs "comment" (or "COMMENT"; IGNORECASE adds no other spellings of these letters), so look first.
    if "comment" not in text.lower():
        return None
    match = FOOTER_RE.match(text)
    return parse_date(match["date"]) if match else None


def _is_chrome(text: str, site_name: str | None) -> bool:
    stripped = normalise_space(text)
    if not stripped:
        return True
    if SHARE_RE.match(stripped) or CHROME_RE.match(stripped) or PIPE_MENU_RE.match(stripped):
        return True
    if site_name is not None and stripped == site_name:
        return True
    item, is_item = strip_bullet(text)
    return is_item and is_label_line(item)


def _split_post(segment: list[SourceLine], site_name: str | None, date: PartialDate | None) -> tuple[int, _Post | None]:
    """Skip the menus and share buttons that precede a post; find its category and headline."""
    index = 0
    skipped = 0
    while index < len(segment) and _is_chrome(segment[index].text, site_name):
        skipped += bool(segment[index].text.strip())
        index += 1
    content = [line for line in segment[index:] if line.text.strip()]
    if not content:
        return skipped, None
    first = normalise_space(content[0].text)
    has_category = (
        len(content) > 1
        and word_count(first) <= CATEGORY_MAX_WORDS
        and is_label_line(first)
        and not normalise_space(content[1].text).endswith(".")
    )
    headline_line = content[1] if has_category else content[0]
    body_start = segment.index(headline_line) + 1
    return skipped, _Post(
        headline=normalise_space(headline_line.text),
        headline_line=headline_line.number,
        footer_date=date,
        body=segment[body_start:],
    )


def _read_post(post: _Post) -> tuple[Section, Attribution | None]:
    found: list[Attribution] = []
    headline = post.headline
    if headline:
        prefix = HEADLINE_PREFIX_RE.match(headline)
        if prefix and looks_like_outlet(prefix["outlet"]):
            found.append(
                Attribution(text=prefix["outlet"].strip(), line=post.headline_line, work=prefix["outlet"].strip())
            )
            headline = prefix["rest"]

    body = list(post.body)
    # Attribution lines close the post: "By Dan Murphy", then perhaps "LA Times – July 29, 2009".
    for _ in range(2):
        last = next((i for i in range(len(body) - 1, -1, -1) if body[i].text.strip()), None)
        if last is None:
            break
        attribution = parse_attribution_line(body[last].text, body[last].number)
        if attribution is None:
            break
        found.append(attribution)
        del body[last]

    paragraphs: list[Paragraph] = []
    for block in split_blocks(body):
        for text, line_number in paragraphs_from_block(block):
            if not paragraphs:
                text, dateline = _take_dateline(text, line_number)
                if dateline is not None:
                    found.append(dateline)
            paragraph = make_paragraph(text, line_number, _no_reference)
            if paragraph.text.strip():
                paragraphs.append(paragraph)
    section = Section(title=headline, date=post.footer_date, paragraphs=paragraphs)
    return section, _merge(found)


def _no_reference(label: str) -> str | None:
    return None  # a repost has no numbered reference list: any [n] points nowhere


def _take_dateline(text: str, line: int) -> tuple[str, Attribution | None]:
    """Strip an agency dateline naming an outlet ("DIALA / Aswat al-Iraq:") from a first paragraph."""
    match = DATELINE_RE.match(text)
    if not match:
        return text, None
    outlet = (match["slash"] or match["paren"]).strip()
    # A second upper-case place ("TEHRAN/BAGHDAD:") is not an outlet.
    if outlet.isupper() and outlet not in OUTLET_ACRONYMS:
        return text, None
    if match["paren"] and not looks_like_outlet(outlet):
        return text, None  # "(pictured)", "(file)": not an agency
    return text[match.end() :], Attribution(text=match.group(0).strip(), line=line, work=outlet)


def _merge(found: list[Attribution]) -> Attribution | None:
    """One post, one source: combine a headline prefix, a byline and a source line."""
    if not found:
        return None
    found.sort(key=lambda item: item.line or 0)
    # "LA Times" from the headline adds nothing to "LA Times – July 29, 2009" from the last line.
    texts = [item.text for item in found]
    distinct = [text for text in texts if not any(text != other and text in other for other in texts)]
    merged = Attribution(text="; ".join(dict.fromkeys(distinct)), line=found[0].line)
    for item in found:
        merged.work = merged.work or item.work
        merged.date = merged.date or item.date
        merged.authors.extend(name for name in item.authors if name not in merged.authors)
    return merged


# --------------------------------------------------------------------------- attribution lines


def parse_attribution_line(text: str, line: int | None = None) -> Attribution | None:
    """Read a byline or source line (``By Dan Murphy``, ``LA Times – July 29, 2009``,
    ``Ali Al-Tuwaijri, Agence France-Presse``, ``Source: Reuters``, ``(AP)``).

    Returns ``None`` for anything that reads as prose.
    """
    stripped = normalise_space(text)
    if not stripped or len(stripped) > ATTRIBUTION_MAX_CHARS:
        return None
    source = SOURCE_PREFIX_RE.match(stripped)
    if source:
        rest = stripped[source.end() :].rstrip(".")
        attribution = _outlet_and_date(rest, stripped, line) or _name_and_outlet(rest, stripped, line)
        # "Source: …" is explicit: keep whatever it names as the outlet.
        return attribution or (Attribution(text=stripped, line=line, work=rest) if rest else None)
    byline = BYLINE_PREFIX_RE.match(stripped)
    if byline:
        return _byline(stripped[byline.end() :], stripped, line)
    if stripped.endswith(".") and not stripped.endswith(("Inc.", "Co.", "Ltd.")):
        return None
    return _outlet_and_date(stripped, stripped, line) or _name_and_outlet(stripped, stripped, line)


def _byline(names_and_rest: str, text: str, line: int | None) -> Attribution | None:
    parts = SEPARATOR_RE.split(names_and_rest, maxsplit=1)
    authors = [name.strip() for name in re.split(r"\s+(?:and|&)\s+", parts[0]) if name.strip()]
    if not authors or not all(looks_like_person(name) for name in authors):
        return None
    attribution = Attribution(text=text, line=line, authors=authors)
    if len(parts) > 1:
        rest = _outlet_and_date(parts[1], text, line)
        if rest is not None:
            attribution.work, attribution.date = rest.work, rest.date
        elif looks_like_outlet(parts[1]):
            attribution.work = parts[1].strip()
    return attribution


def _outlet_and_date(text: str, original: str, line: int | None) -> Attribution | None:
    """``Outlet``, ``(Outlet)``, ``Outlet – Date``, ``Outlet, Date``."""
    parts = SEPARATOR_RE.split(text.strip().strip("()"), maxsplit=1)
    outlet = parts[0].strip().strip("()")
    date = parse_date(parts[1]) if len(parts) > 1 else None
    if len(parts) > 1 and date is None:
        return None
    if not looks_like_outlet(outlet):
        return None
    return Attribution(text=original, line=line, work=outlet, date=date)


def _name_and_outlet(text: str, original: str, line: int | None) -> Attribution | None:
    """``Ali Al-Tuwaijri, Agence France-Presse``."""
    parts = SEPARATOR_RE.split(text, maxsplit=1)
    if len(parts) != 2:
        return None
    name, outlet = parts[0].strip(), parts[1].strip().rstrip(".")
    if looks_like_person(name) and looks_like_outlet(outlet):
        return Attribution(text=original, line=line, authors=[name], work=outlet)
    return None


def looks_like_outlet(text: str) -> bool:
    """A short capitalised name with a news word ("Times", "Presse", "Agency"), wire initials or a domain."""
    name = text.strip().strip("()").strip()
    if not name or len(name) > 50 or word_count(name) > 6 or not name[0].isupper():
        return False
    if name in OUTLET_ACRONYMS or DOMAIN_RE.match(name):
        return True
    return any(word.lower() in OUTLET_WORDS for word in WORD_RE.findall(name))


def looks_like_person(text: str) -> bool:
    """Two to five words, each capitalised or a name particle ("al", "de"), with no outlet word."""
    words = text.split()
    if not 2 <= len(words) <= 5:
        return False
    for word in words:
        if word.lower() in NAME_PARTICLES:
            continue
        if not word[0].isupper() or not any(ch.isalpha() for ch in word) or word.lower() in OUTLET_WORDS:
            return False
    return True

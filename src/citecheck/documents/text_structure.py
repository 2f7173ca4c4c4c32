"""Line-level structure of plain-text renderings of web pages.

Plain text copied or converted from a web page keeps its paragraphs but loses
its markup: headings become short lines between blank lines, infoboxes and
menus become runs of short label lines, bullets become ``•``.  The helpers
here classify lines and blocks by their shape (length, sentence punctuation,
bullets) rather than by any one site's wording, so the plain-text and repost
readers can share them.

Everything is line-by-line with bounded regular expressions: linear in the
size of the input, whatever the input is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from citecheck.documents.markers import NUMERIC_MARKER_RE, extract_markers
from citecheck.models import Paragraph

# A tag left over from an HTML-to-text conversion: <span class="…">, </span>, <br/>.
HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,20}(?:\s[^<>]{0,300})?/?>")
# Bullet glyphs that text renderers put in front of list items.
BULLET_RE = re.compile(r"^\s*(?:[•·▪◦‣∙*]|-(?=\s))\s*")
# Sentence-final punctuation, allowing closing quotes/brackets and a trailing marker ("… Iran.[3]").
SENTENCE_END_RE = re.compile(r"""[.!?…]["'”’)\]]*(?:\s*\[\d{1,4}\])*\s*$""")
WHITESPACE_RE = re.compile(r"[ \t\u00a0\u2009\u202f]+")

# A line this short, without sentence punctuation, is a label (heading, menu
# item, infobox row) rather than prose.
# Section headings that introduce a reference list, compared lower-cased with spaces normalised: English, and
# the standard section names of the largest Wikipedias (a browser's text of a Czech or Arabic article keeps them).
REFERENCE_HEADINGS = frozenset(
    {
        # English
        "references",
        "reference",
        "notes",
        "note",
        "sources",
        "source",
        "citations",
        "citation",
        "footnotes",
        "footnote",
        "endnotes",
        "notes and references",
        "references and notes",
        "notes and sources",
        "sources and references",
        "bibliography",
        "works cited",
        "literature cited",
        # German, French, Spanish, Italian, Portuguese, Dutch
        "einzelnachweise",
        "anmerkungen",
        "belege",
        "quellen",
        "literatur",
        "références",
        "notes et références",
        "bibliographie",
        "referencias",
        "notas",
        "notas y referencias",
        "bibliografía",
        "fuentes",
        "riferimenti",
        "bibliografia",
        "fonti",
        "referências",
        "notas e referências",
        "fontes",
        "referenties",
        "bronnen",
        "noten",
        "voetnoten",
        # Czech, Polish, Russian, Ukrainian, Swedish, Turkish
        "poznámky",
        "literatura",
        "przypisy",
        "примечания",
        "литература",
        "источники",
        "примітки",
        "джерела",
        "література",
        "referenser",
        "källor",
        "noter",
        "kaynakça",
        "kaynaklar",
        # Arabic, Persian, Hebrew
        "مراجع",
        "المراجع",
        "مصادر",
        "المصادر",
        "هوامش",
        "الهوامش",
        "منابع",
        "پانویس",
        "הערות שוליים",
        "מקורות",
        # Japanese, Chinese, Korean, Vietnamese, Indonesian
        "脚注",
        "出典",
        "参考文献",
        "注釈",
        "参考资料",
        "注释",
        "參考文獻",
        "參考資料",
        "註釋",
        "각주",
        "참고 문헌",
        "tham khảo",
        "chú thích",
        "referensi",
        "catatan kaki",
    }
)
# Headings followed by link lists rather than prose; their short lines are not claims.
LINK_LIST_HEADINGS = frozenset(
    {
        "contents",
        "table of contents",
        "see also",
        "external links",
        "further reading",
        "navigation menu",
        "siehe auch",
        "weblinks",
        "voir aussi",
        "liens externes",
        "véase también",
        "enlaces externos",
        "voci correlate",
        "collegamenti esterni",
        "ver também",
        "ligações externas",
        "zie ook",
        "externe links",
        "související články",
        "externí odkazy",
        "odkazy",
        "zobacz też",
        "linki zewnętrzne",
        "см. также",
        "ссылки",
        "انظر أيضا",
        "انظر أيضاً",
        "وصلات خارجية",
        "関連項目",
        "外部リンク",
        "参见",
        "外部链接",
        "外部連結",
    }
)


def heading_key(text: str) -> str:
    """A heading as the vocabularies above hold it: spaces normalised, a trailing colon dropped, lower case."""
    return normalise_space(text).rstrip(":").lower()


SHORT_LINE_CHARS = 80
SHORT_LINE_WORDS = 10
# Hard-wrapped prose (an e-mail or a text file) keeps every line under this width.
WRAP_WIDTH = 100


@dataclass(frozen=True)
class SourceLine:
    """One line of the document with its 1-based line number."""

    number: int
    text: str


def strip_html_tags(text: str) -> tuple[str, bool]:
    """Remove leftover HTML tags from one line; report whether any were there."""
    cleaned, count = HTML_TAG_RE.subn("", text)
    return cleaned, count > 0


def normalise_space(text: str) -> str:
    """Collapse runs of spaces and tabs (and other Unicode spaces), and trim the ends."""
    return " ".join(text.split())


def strip_bullet(text: str) -> tuple[str, bool]:
    """Remove a leading bullet glyph; report whether the line was a list item."""
    match = BULLET_RE.match(text)
    if match and match.end() < len(text):
        return text[match.end() :], True
    return text, False


def word_count(text: str) -> int:
    return len(text.split())


def ends_sentence(text: str) -> bool:
    """The line ends the way a sentence does (``.``, ``?``, ``!``, a closing quote, a marker)."""
    return SENTENCE_END_RE.search(text) is not None


# A line of this many words or more has more than SHORT_LINE_WORDS even after a bullet is taken off: no label,
# and prose.  Counted with a bounded split, so that long lines are not split word by word to say so.
_MANY_WORDS = SHORT_LINE_WORDS + 3


def _has_many_words(text: str) -> bool:
    return len(text) > SHORT_LINE_CHARS and len(text.split(None, _MANY_WORDS - 1)) >= _MANY_WORDS


def is_label_line(text: str) -> bool:
    """A short line without sentence punctuation: a heading, menu item or infobox row."""
    if _has_many_words(text):
        return False
    stripped = normalise_space(strip_bullet(text)[0])
    if not stripped:
        return False
    return (
        len(stripped) <= SHORT_LINE_CHARS and word_count(stripped) <= SHORT_LINE_WORDS and not ends_sentence(stripped)
    )


def is_prose_line(text: str) -> bool:
    """A line that carries at least one sentence: long, or ending like a sentence with several words."""
    if _has_many_words(text):
        return True
    stripped = normalise_space(strip_bullet(text)[0])
    if not stripped:
        return False
    if len(stripped) > SHORT_LINE_CHARS or word_count(stripped) > SHORT_LINE_WORDS:
        return True
    return ends_sentence(stripped) and word_count(stripped) >= 4


def split_blocks(lines: Iterable[SourceLine]) -> list[list[SourceLine]]:
    """Group lines into blocks separated by blank lines; blank lines themselves are dropped."""
    blocks: list[list[SourceLine]] = []
    current: list[SourceLine] = []
    for line in lines:
        if line.text.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def is_heading_block(block: list[SourceLine]) -> bool:
    """A block of one short label line stands alone between blank lines: a heading."""
    return len(block) == 1 and is_label_line(block[0].text)


def is_label_block(block: list[SourceLine]) -> bool:
    """Most lines of the block are labels: an infobox, a menu, a link list."""
    labels = sum(1 for line in block if is_label_line(line.text))
    return labels * 2 > len(block) and not any(is_prose_line(line.text) for line in block[:1])


def _is_hard_wrapped(block: list[SourceLine]) -> bool:
    """Every line but the last fills a fixed width: the text was wrapped, not broken into paragraphs."""
    if len(block) < 3:
        return False
    widths = [len(line.text.rstrip()) for line in block[:-1]]
    return max(widths) <= WRAP_WIDTH and min(widths) >= WRAP_WIDTH // 3


def paragraphs_from_block(block: list[SourceLine]) -> list[tuple[str, int]]:
    """Split a prose block into paragraphs: ``(text, first line number)``.

    Renderings of web pages put one paragraph per line; hard-wrapped text puts
    one paragraph per block.  A line that stops mid-sentence continues on the
    next line either way.  List items are always paragraphs of their own.
    """
    wrapped = _is_hard_wrapped(block)
    paragraphs: list[tuple[str, int]] = []
    pieces: list[str] = []
    start = 0
    for line in block:
        text, is_item = strip_bullet(line.text)
        text = normalise_space(text)
        if not text:
            continue
        if pieces and is_item:
            paragraphs.append((" ".join(pieces), start))
            pieces = []
        if not pieces:
            start = line.number
        pieces.append(text)
        if not wrapped and ends_sentence(text):
            paragraphs.append((" ".join(pieces), start))
            pieces = []
    if pieces:
        paragraphs.append((" ".join(pieces), start))
    return paragraphs


def make_paragraph(
    text: str,
    line: int,
    resolve: Callable[[str], str | None] | None,
    pattern: re.Pattern[str] = NUMERIC_MARKER_RE,
) -> Paragraph:
    """A :class:`Paragraph` with markers (``[3]``, or what ``pattern`` matches) taken out of ``text``."""
    clean, markers = extract_markers(text, pattern, resolve)
    return Paragraph(text=clean, markers=markers, line=line)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

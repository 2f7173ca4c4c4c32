"""Main-text extraction and page publication dates (citecheck.resolve.extract).

The extractor comparison measures, for trafilatura and the beautifulsoup4
heuristic, the share of known article sentences recovered and of known
boilerplate sentences leaked, on article pages written here (three layouts,
with navigation, ads, comments and related-article lists) and on a real
Wikipedia article from ../shared.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from citecheck.dates import PartialDate
from citecheck.resolve.extract import (
    EXTRACTOR_BS4,
    EXTRACTOR_TRAFILATURA,
    ExtractedPage,
    date_from_url,
    decode_html,
    extract_main_text_bs4,
    extract_page,
    extract_with_trafilatura,
    page_publication_date,
    parse_date_value,
    read_html,
)

# --------------------------------------------------------------------------- fixtures built by code

ARTICLE_SENTENCES = [
    "The water ministers of the three countries met in Amman on Thursday to discuss the shared river basin.",
    "According to the draft agreement, each country would receive a fixed share of the seasonal flow.",
    "Officials said the talks had stalled twice over the question of how droughts would be handled.",
    "A spokesman for the delegation described the atmosphere as constructive but cautious.",
    "Farmers downstream have complained for years that upstream dams reduce the water reaching their fields.",
    "The agreement still needs to be ratified by the parliaments of all three countries before it takes effect.",
]
BOILERPLATE_SENTENCES = [
    "Sign up for our daily newsletter and never miss a story again.",
    "Advertisement: buy two pairs of running shoes and get the third one free today.",
    "This comment was posted by a reader who strongly disagrees with the minister's plan.",
    "Another reader replied that the article ignores the history of the region entirely.",
    "Copyright Example News Corporation, all rights reserved, terms of use apply here.",
    "Most popular this week: ten recipes for a quick summer lunch in the garden.",
]
NAV_LINKS = ["Home", "World", "Politics", "Business", "Science", "Sport", "Culture", "Opinion"]


def _nav_list() -> str:
    return "<ul>" + "".join(f'<li><a href="/{name.lower()}">{name}</a></li>' for name in NAV_LINKS) + "</ul>"


def semantic_layout(title: str, head_extra: str = "") -> str:
    """HTML5 with <article>, <nav>, <aside>, <footer> and a comments section."""
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)
    boiler = BOILERPLATE_SENTENCES
    return f"""<!doctype html><html><head><title>{title} | Example News</title>{head_extra}</head><body>
<header><nav>{_nav_list()}</nav><p>{boiler[0]}</p></header>
<main><article><h1>{title}</h1><p class="byline">By Jane Reporter</p>{paragraphs}</article>
<aside class="ad"><p>{boiler[1]}</p></aside>
<section id="comments"><h2>Comments</h2><div class="comment"><p>{boiler[2]}</p></div>
<div class="comment"><p>{boiler[3]}</p></div></section></main>
<aside class="most-popular"><h3>Most popular</h3><p>{boiler[5]}</p></aside>
<footer><p>{boiler[4]}</p></footer></body></html>"""


def div_soup_layout(title: str) -> str:
    """An older CMS: only <div>s, the structure said by class names alone."""
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)
    boiler = BOILERPLATE_SENTENCES
    return f"""<html><head><title>{title}</title></head><body>
<div id="top-menu">{_nav_list()}</div>
<div class="newsletter-signup"><p>{boiler[0]}</p></div>
<div id="wrapper"><div class="col-left"><div class="story-body"><h1>{title}</h1>{paragraphs}</div>
<div class="ad-slot"><p>{boiler[1]}</p></div>
<div id="comment-list"><div class="comment-item"><p>{boiler[2]}</p></div>
<div class="comment-item"><p>{boiler[3]}</p></div></div></div>
<div class="sidebar"><p>{boiler[5]}</p></div></div>
<div id="site-footer"><p>{boiler[4]}</p></div></body></html>"""


def table_layout(title: str) -> str:
    """A 2000s page laid out with tables, text in <br>-separated paragraphs of a cell."""
    cells = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)
    boiler = BOILERPLATE_SENTENCES
    menu = "<br>".join(f'<a href="/{name.lower()}">{name}</a>' for name in NAV_LINKS)
    return f"""<html><head><title>{title}</title></head><body><table>
<tr><td class="menu">{menu}</td><td class="content"><h1>{title}</h1>{cells}</td>
<td class="promo"><p>{boiler[1]}</p><p>{boiler[5]}</p></td></tr>
<tr><td colspan="3" class="footer"><p>{boiler[4]}</p><p>{boiler[0]}</p></td></tr></table></body></html>"""


def blog_layout(title: str) -> str:
    """A blog: comments longer than the post, and teasers of other posts in a block without telltale names."""
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES[:3])
    paragraphs += f"<p>{ARTICLE_SENTENCES[3]} {ARTICLE_SENTENCES[4]}</p><p>{ARTICLE_SENTENCES[5]}</p>"
    boiler = BOILERPLATE_SENTENCES
    long_comment = (
        f"<p>{boiler[2]} {boiler[3]} " + "I have lived by this river all my life and seen it shrink. " * 6 + "</p>"
    )
    return f"""<html><head><title>{title} – A River Blog</title></head><body>
<div id="page"><div class="site-title"><a href="/">A River Blog</a></div>{_nav_list()}
<div id="content"><div class="post"><h2 class="entry-title">{title}</h2><div class="entry">{paragraphs}</div></div>
<ol class="commentlist"><li>{long_comment}</li><li><p>{long_comment}</p></li></ol>
<div class="more-stories"><p>{boiler[5]}</p><p>{boiler[0]}</p></div></div>
<div id="colophon"><p>{boiler[4]}</p></div></div></body></html>"""


def line_break_layout(title: str) -> str:
    """Paragraphs separated by <br><br> inside one <div>, no <p> at all (common before CSS layouts)."""
    body = "<br><br>".join(ARTICLE_SENTENCES)
    boiler = BOILERPLATE_SENTENCES
    return f"""<html><head><title>{title}</title></head><body>
<div class="top">{_nav_list()}</div><div class="story"><b>{title}</b><br><br>{body}</div>
<div class="bottom"><span>{boiler[4]}</span> <span>{boiler[0]}</span></div></body></html>"""


TEASERS = [
    f"Teaser {number}: a long summary of another story about {topic}, written to tempt the reader into one more click."
    for number, topic in enumerate(
        [
            "elections",
            "football",
            "the housing market",
            "a new museum",
            "rail strikes",
            "a storm warning",
            "school results",
            "a film festival",
        ],
        start=1,
    )
]


def teaser_stream_layout(title: str) -> str:
    """A short article followed by a stream of teasers holding more prose than the article itself."""
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)
    stream = "".join(
        f'<div><h3><a href="/s{i}">Story {i}</a></h3><p>{teaser}</p></div>' for i, teaser in enumerate(TEASERS)
    )
    return f"""<html><head><title>{title}</title></head><body>{_nav_list()}
<div class="story"><h1>{title}</h1>{paragraphs}</div><div class="stream">{stream}</div></body></html>"""


LAYOUTS = {
    "teasers": teaser_stream_layout,
    "semantic": semantic_layout,
    "div-soup": div_soup_layout,
    "table": table_layout,
    "blog": blog_layout,
    "line-breaks": line_break_layout,
}
BOILERPLATE_BY_LAYOUT = {
    "table": [BOILERPLATE_SENTENCES[index] for index in (0, 1, 4, 5)],
    "blog": [BOILERPLATE_SENTENCES[index] for index in (0, 2, 3, 4, 5)],
    "line-breaks": [BOILERPLATE_SENTENCES[index] for index in (0, 4)],
    "teasers": TEASERS,
}


def boilerplate_of(layout: str) -> list[str]:
    return BOILERPLATE_BY_LAYOUT.get(layout, BOILERPLATE_SENTENCES)


# --------------------------------------------------------------------------- measuring


def _words(text: str) -> str:
    """Lower-case words only, so punctuation and whitespace differences do not count."""
    return " ".join(re.findall(r"\w+", re.sub(r"\[\d+\]|\[[a-z ]+\]", " ", text.lower())))


@dataclass(frozen=True)
class Score:
    recovered: float  # share of article sentences found in the extracted text
    leaked: float  # share of boilerplate sentences found in it


def score(extracted: ExtractedPage, article: list[str], boilerplate: list[str]) -> Score:
    text = _words(extracted.text)
    found = sum(1 for sentence in article if _words(sentence) in text)
    leaked = sum(1 for sentence in boilerplate if _words(sentence) in text)
    return Score(found / len(article), leaked / len(boilerplate) if boilerplate else 0.0)


def wikipedia_truth(html: str) -> tuple[list[str], list[str]]:
    """Known article sentences (body paragraphs) and boilerplate sentences (navigation, footer, navboxes)."""
    soup = BeautifulSoup(html, "lxml")
    for marker in soup.select("sup.reference, .mw-editsection"):
        marker.decompose()

    def sentences(selector: str, minimum_words: int) -> list[str]:
        found: list[str] = []
        for element in soup.select(selector):
            text = " ".join(element.get_text(" ", strip=True).split())
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
                if len(sentence.split()) >= minimum_words:
                    found.append(sentence)
        return found

    article = sentences(".mw-parser-output > p", 8)
    # Navigation items are short: every label of three words or more counts, unless the article's
    # own paragraphs say the same words (a navbox link "Treaty of Waitangi" is also prose).
    article_words = _words(" ".join(article))
    navigation = sentences("#mw-navigation li, #footer li, .navbox td.navbox-list li, #catlinks li", 3)
    boilerplate = [label for label in navigation if _words(label) not in article_words]
    return article, boilerplate


# --------------------------------------------------------------------------- extraction tests


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_default_extractor_keeps_the_article_and_drops_furniture(layout: str) -> None:
    page = extract_page(LAYOUTS[layout]("Ministers agree water deal"))
    boilerplate = boilerplate_of(layout)
    result = score(page, ARTICLE_SENTENCES, boilerplate)
    assert result.recovered == 1.0, (layout, page.extractor, page.text)
    assert result.leaked <= 0.25, (layout, page.extractor, page.text)
    assert page.title is not None and "Ministers agree water deal" in page.title


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_bs4_heuristic_keeps_the_article_and_drops_furniture(layout: str) -> None:
    page = extract_main_text_bs4(LAYOUTS[layout]("Ministers agree water deal"))
    boilerplate = boilerplate_of(layout)
    result = score(page, ARTICLE_SENTENCES, boilerplate)
    assert page.extractor == EXTRACTOR_BS4
    assert result.recovered == 1.0, (layout, page.text)
    assert result.leaked <= 0.25, (layout, page.text)


def test_trafilatura_agrees_on_semantic_pages() -> None:
    page = extract_with_trafilatura(semantic_layout("Ministers agree water deal"), url="http://news.example.net/s")
    assert page is not None and page.extractor == EXTRACTOR_TRAFILATURA
    assert score(page, ARTICLE_SENTENCES, BOILERPLATE_SENTENCES) == Score(1.0, 0.0)


def test_the_heuristic_is_the_default() -> None:
    assert extract_page(table_layout("Ministers agree water deal")).extractor == EXTRACTOR_BS4


def test_wrapper_with_a_furniture_class_is_kept() -> None:
    article = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)
    html = f'<html><body><form id="aspnetForm"><div class="layout-with-sidebar">{article}</div></form></body></html>'
    page = extract_page(html)
    assert score(page, ARTICLE_SENTENCES, []).recovered == 1.0


def test_falls_back_to_trafilatura_when_the_heuristic_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import citecheck.resolve.extract as extract_module

    def keeps_nothing(soup: object) -> ExtractedPage:
        return ExtractedPage(title="Only a title", text="", extractor=EXTRACTOR_BS4)

    # The heuristic on the parsed page (extract_page and read_html parse once and hand the tree over).
    monkeypatch.setattr(extract_module, "_main_text_of", keeps_nothing)
    page = extract_page(semantic_layout("Ministers agree water deal"))
    assert page.extractor == EXTRACTOR_TRAFILATURA
    assert score(page, ARTICLE_SENTENCES, []).recovered == 1.0


def test_short_page_keeps_what_there_is() -> None:
    html = "<html><head><title>Notice</title></head><body><div>Office closed.</div></body></html>"
    assert extract_with_trafilatura(html) is None
    page = extract_page(html)
    assert "Office closed." in page.text
    assert page.title == "Notice"


def test_bytes_are_decoded_with_the_given_or_declared_encoding() -> None:
    text = "<html><head><title>Café</title></head><body><p>Le café était fermé ce jour-là à Zürich.</p></body></html>"
    assert decode_html(text.encode("latin-1"), "iso-8859-1") == text
    declared = text.replace("<head>", '<head><meta charset="iso-8859-1">')
    assert "Zürich" in decode_html(declared.encode("latin-1"))
    page = extract_page(declared.encode("latin-1"))
    assert "Zürich" in page.text


def test_wikipedia_article_recall_and_leak(wikipedia_samples_dir: Path) -> None:
    html = (wikipedia_samples_dir / "enwiki_New_Zealand_rev917976458.rendered.html").read_text(encoding="utf-8")
    article, boilerplate = wikipedia_truth(html)
    assert len(article) > 100 and len(boilerplate) > 50
    default = score(extract_page(html, url="https://en.wikipedia.org/wiki/New_Zealand"), article, boilerplate)
    heuristic = score(extract_main_text_bs4(html), article, boilerplate)
    assert default.recovered >= 0.9, default
    assert default.leaked <= 0.1, default
    assert heuristic.recovered >= 0.9, heuristic
    assert heuristic.leaked <= 0.2, heuristic


# --------------------------------------------------------------------------- publication dates

TODAY = date(2024, 1, 1)


def _page(head: str = "", body: str = "<p>Text of the story.</p>") -> str:
    return f"<html><head><title>Story</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "expected", "method"),
    [
        (
            '<meta property="article:published_time" content="2011-04-14T09:30:00+02:00">',
            "",
            "2011-04-14",
            "meta:article:published_time",
        ),
        (
            '<meta name="citation_publication_date" content="2010/05/03">',
            "",
            "2010-05-03",
            "meta:citation_publication_date",
        ),
        ('<meta name="DC.date" content="2009-07">', "", "2009-07", "meta:dc.date"),
        ('<meta name="pubdate" content="Thu, 14 Apr 2011 10:00:00 GMT">', "", "2011-04-14", "meta:pubdate"),
        ('<meta name="date" content="14 April 2011">', "", "2011-04-14", "meta:date"),
        ('<meta name="sailthru.date" content="20110414">', "", "2011-04-14", "meta:sailthru.date"),
        (
            '<script type="application/ld+json">'
            + json.dumps({"@graph": [{"@type": "NewsArticle", "datePublished": "2012-02-29T10:00:00Z"}]})
            + "</script>",
            "",
            "2012-02-29",
            "json-ld:datePublished",
        ),
        (
            "",
            '<article><time datetime="2008-11-04" pubdate>4 Nov</time><p>x</p></article>',
            "2008-11-04",
            "time:datetime",
        ),
    ],
)
def test_publication_date_layers(head: str, body: str, expected: str, method: str) -> None:
    found = page_publication_date(_page(head, body or "<p>Text.</p>"), today=TODAY)
    assert found is not None
    assert found.date.iso() == expected
    assert found.method == method


def test_meta_beats_json_ld_and_url_and_modified_time_is_ignored() -> None:
    head = (
        '<meta property="article:modified_time" content="2015-01-01">'
        '<meta property="article:published_time" content="2011-04-14">'
        '<script type="application/ld+json">{"datePublished": "2011-04-10"}</script>'
    )
    found = page_publication_date(_page(head), url="http://example.org/2011/04/01/story", today=TODAY)
    assert found is not None and (found.date.iso(), found.method) == ("2011-04-14", "meta:article:published_time")


def test_surest_meta_name_wins_regardless_of_order() -> None:
    head = '<meta name="date" content="2011-05-01"><meta property="article:published_time" content="2011-04-14">'
    found = page_publication_date(_page(head), today=TODAY)
    assert found is not None and found.method == "meta:article:published_time"


def test_url_path_date_when_markup_says_nothing() -> None:
    found = page_publication_date(_page(), url="http://news.example.net/2011/04/14/water-deal", today=TODAY)
    assert found is not None and (found.date.iso(), found.method) == ("2011-04-14", "url")
    month = date_from_url("http://news.example.net/2011/04/water-deal.html")
    assert month is not None and month.date.precision == "month" and month.date.iso() == "2011-04"
    assert date_from_url("http://example.org/2011/13/40/x") is None


def test_htmldate_is_the_last_resort() -> None:
    body = "<article><h1>Story</h1><p>Published on 3 March 2010 by the desk.</p><p>Text of the story.</p></article>"
    found = page_publication_date(_page(body=body), url="http://example.org/story", today=TODAY)
    assert found is not None
    assert found.method == "htmldate"
    assert found.date == PartialDate(year=2010, month=3, day=3)


def test_a_comment_time_element_is_not_the_publication_date() -> None:
    body = '<p>Story without a date.</p><div class="comments"><time datetime="2019-06-01">June</time></div>'
    found = page_publication_date(_page(body=body), url="http://example.org/story", today=TODAY)
    assert found is None or found.method == "htmldate"


def test_implausible_dates_are_ignored() -> None:
    future = '<meta property="article:published_time" content="2031-01-01">'
    epoch = '<meta property="article:published_time" content="1970-01-01T00:00:00Z">'
    assert page_publication_date(_page(future), today=TODAY) is None
    assert page_publication_date(_page(epoch), today=TODAY) is None


def test_no_date_anywhere() -> None:
    assert page_publication_date(_page(), url="http://example.org/about", today=TODAY) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2011-04-14T23:30:00-05:00", "2011-04-14"),
        ("2011-04", "2011-04"),
        ("April 2011", "2011-04"),
        ("2011", "2011"),
        ("Posted April 14, 2011 at noon", "2011-04-14"),
        ("not a date", None),
    ],
)
def test_parse_date_value_keeps_precision(value: str, expected: str | None) -> None:
    parsed = parse_date_value(value)
    assert (parsed.iso() if parsed else None) == expected


# --------------------------------------------------------------------------- one parse for text and date

_DATED_PAGES = [
    _page('<script type="application/ld+json">{"datePublished": "2012-02-29"}</script>', "<p>A short note.</p>"),
    _page('<meta name="pubdate" content="20110414">', "<nav>Home</nav><article><p>" + "word " * 40 + "</p></article>"),
    _page("", '<article><header><time datetime="2008-11-04">4 Nov</time></header><p>Too short.</p></article>'),
    _page("", "<noscript><p>Enable scripts to read this story in full, please.</p></noscript>"),
    "<html><body>story 7 archived</body></html>",
]


@pytest.mark.parametrize(
    "html", [*(LAYOUTS[name]("Ministers agree water deal") for name in sorted(LAYOUTS)), *_DATED_PAGES]
)
def test_one_parse_reads_what_two_parses_read(html: str) -> None:
    url = "http://news.example.net/2011/04/14/water-deal"
    extracted, page_date = read_html(html, url=url, today=TODAY)
    assert extracted == extract_page(html, url=url)
    assert page_date == page_publication_date(html, url=url, today=TODAY)


def _short_pages() -> list[str]:
    """Small pages near the threshold, in the shapes error pages and short captures take."""
    texts = ["story 7 archived", "Not Found", "Gone", "Page moved: see the new address", "a b c d e f g h i j k l"]
    texts += ["x" * 23, "y" * 24, "word " * 5, "Ünïcödé déjà vu here", "&amp; &lt;tags&gt; only"]
    shapes = [
        "{t}",
        "<html><body>{t}</body></html>",
        "<html><head><title>{t}</title></head><body><p>{t}</p></body></html>",
        "<div><span>{t}</span><b>!</b></div>",
        "<p>{t}</p><p>{t}</p>",
        '<script type="application/ld+json">{{"articleBody": "{t}"}}</script><p>{t}</p>',
        "<noscript>{t}</noscript>",
        "<h1>{t}</h1>",
        "<ul><li>{t}</li><li>more</li></ul>",
        "<table><tr><td>{t}</td><td>1</td></tr></table>",
        '<meta name="description" content="{t} {t} {t}"><p>{t}</p>',
        "<p>{t}<br>{t}</p>",
        "<article><p>{t}</p></article><!-- a comment that is long enough to count -->",
    ]
    return [shape.format(t=text) for shape in shapes for text in texts]


def test_trafilatura_is_skipped_only_where_its_answer_would_be_thrown_away(monkeypatch: pytest.MonkeyPatch) -> None:
    import citecheck.resolve.extract as extract_module

    pages = _short_pages()
    with_shortcut = [extract_with_trafilatura(page, "http://example.org/a") for page in pages]
    monkeypatch.setattr(extract_module, "_too_little_text_for_trafilatura", lambda tree: False)
    without = [extract_with_trafilatura(page, "http://example.org/a") for page in pages]
    assert with_shortcut == without
    assert sum(1 for page in pages if extract_module._parsed_tree(page) is not None) > 100

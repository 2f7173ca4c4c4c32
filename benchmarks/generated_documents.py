# ruff: noqa: E501 - the page templates below are real markup, one line per line as pages have them
"""Generated documents for the parse and scale benchmarks, with the markup density of real ones.

Each generator returns a document and, per reference in reference-number
order, the fields it wrote (the truth :mod:`bench_parse` scores the readers
against).  The documents are modelled on the real samples in ``../shared``
(Wikipedia wikitext and HTML, the wiki-mirror plain-text seeds) and on the
Markdown blog posts of ``tests/blog_corpus.py``:

- wikitext: short description and date-format templates, an infobox with
  nested templates (``{{convert}}``, ``{{lang}}``, ``{{coord}}``,
  ``{{formatnum:}}``), wikilinks (a third piped), bold and italic, comments,
  a file with a caption holding links, a wikitable, section headings, cite
  templates inline, named and reused (``<ref name=… />``) and list-defined
  (``{{reflist|refs=…}}``), ``{{Dead link}}`` marks, categories;
- Markdown: front matter, headings, links, emphasis, code spans, lists,
  block quotes, inline HTML (``<abbr>``, ``<sup>``, ``<br>``), footnotes
  cited more than once, footnote texts with linked titles and italic works;
- HTML: a whole MediaWiki page — head with styles, scripts and meta tags,
  navigation boilerplate, links with ``title`` attributes, ``<sup
  class="reference" id="cite_ref-…">`` markers (reused references with
  ``^ a b`` back-links), CS1 citations with ``reference-accessdate`` and
  a COinS span, a footer;
- text: a wiki-mirror page as the seeds are — "Last updated", infobox lines,
  "Contents", spaced ``[1] [2]`` markers, a share bar, "See also", a
  numbered reference list, "Related Research Articles" with ``<span
  class="mw-page-title-main">`` leftovers, a bulleted site menu, a copyright
  line.

:func:`markup_density` counts the markup per KB a reader has to get through
(the same patterns for generated and real documents), so a benchmark prints
how the generated corpus compares with the real one instead of flattering
the readers with plainer text.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable

FORMATS = ("text", "markdown", "wikitext", "html")
WORDS = (  # noqa: SIM905 - a word list reads better than two dozen quoted strings
    "archive camp report officials said the raid government forces residents statement council "
    "investigation human rights united nations embassy ministry police province capital press agency"
).split()
LINKED = ["United Nations", "Camp Ashraf", "Human rights", "Iraq", "Baghdad", "Security council", "Press agency"]
OUTLETS = ["The Daily Example", "Los Angeles Times", "Foreign Policy", "United Nations", "Example Wire"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
Truth = dict[str, object]


def _words(rng: random.Random, low: int, high: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(rng.randint(low, high))]


def _sentence(rng: random.Random) -> str:
    words = _words(rng, 8, 20)
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _marked_sentence(rng: random.Random, mark: Callable[[str, int], str], share: float = 0.22) -> str:
    """A sentence with ``share`` of its words marked up by ``mark(word, kind)`` (kind 0–9, the format decides)."""
    words = _words(rng, 8, 20)
    words[0] = words[0].capitalize()
    for index in range(len(words)):
        if rng.random() < share:
            words[index] = mark(words[index], rng.randrange(10))
    return " ".join(words) + "."


def _citation_fields(rng: random.Random, number: int) -> dict[str, str]:
    day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(2005, 2020)
    month_number = MONTHS.index(month) + 1
    last, first = rng.choice(["Smith", "Jolly", "Allen", "Dreazen"]), rng.choice(["Carol", "David", "Kate"])
    return {
        "last": last,
        "first": first,
        "author": f"{last}, {first}",
        "title": " ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
        "work": rng.choice(OUTLETS),
        "date": f"{day} {month} {year}",
        "date_iso": f"{year}-{month_number:02d}-{day:02d}",
        "archived": f"{min(day + 3, 28)} {month} {year}",
        "archived_iso": f"{year}-{month_number:02d}-{min(day + 3, 28):02d}",
        "retrieved": f"{day} {month} {year + 1}",
        "retrieved_iso": f"{year + 1}-{month_number:02d}-{day:02d}",
        "url": f"https://news{number % 50}.example.org/{year}/{rng.randint(1, 9999)}/story",
    }


def _truth(f: dict[str, str], **fields: object) -> Truth:
    base: Truth = {
        "title": f["title"],
        "work": f["work"],
        "date": f["date_iso"],
        "authors": [f"{f['first']} {f['last']}"],
    }
    base.update(fields)
    return base


def _citations(references: int, rng: random.Random) -> list[int]:
    """Which reference each marker cites, in text order: every reference is first cited in number order
    (readers number references by first use), and about a quarter of the markers cite one again."""
    order: list[int] = []
    for number in range(1, references + 1):
        order.append(number)
        if number > 1 and rng.random() < 0.3:
            order.append(rng.randint(1, number - 1))
    return order


def _uses(truths: list[Truth], cited: Iterable[int]) -> list[Truth]:
    counts: dict[int, int] = {}
    for number in cited:
        counts[number] = counts.get(number, 0) + 1
    for number, truth in enumerate(truths, start=1):
        truth["uses"] = counts.get(number, 0)
    return truths


# --------------------------------------------------------------------------- plain text (wiki mirror)


def make_text(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    title = " ".join(_words(rng, 3, 5)).title()
    blocks = [
        title,
        "Last updated",
        "\n".join(
            [title, "Part of Iraq Conflict", "Location Camp Ashraf, Iraq", "Date September 1, 2013", "Deaths 52"]
        ),
    ]
    cited = _citations(references, rng)
    position = 0
    while position < len(cited):
        take = rng.randint(1, 3)
        markers = " ".join(f"[{number}]" for number in cited[position : position + take])
        blocks.append(" ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) + f" {markers}")
        position += take
        if rng.random() < 0.3:
            blocks.append(rng.choice(["Contents", "Background", "Reactions", "Aftermath", "Investigation"]))
        if rng.random() < 0.1:
            blocks.append("\n".join(rng.choice(LINKED) for _ in range(rng.randint(2, 4))))
    blocks += ["FacebookTwitterPinterestWhatsappTelegramEmail", "See also", "References"]
    lines, truths = [], []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        dead = number % 7 == 0
        mark = " [dead link]" if dead else ""
        lines.append(
            f'  {number}. {f["author"]} ({f["date"]}). "{f["title"]}". {f["work"]}. '
            f"Archived from the original on {f['archived']}. Retrieved {f['retrieved']}.{mark}"
        )
        truths.append(_truth(f, archive_date=f["archived_iso"], access_date=f["retrieved_iso"], dead=dead))
    blocks.append("\n\n".join(lines))
    related = [
        f'<span class="mw-page-title-main">{" ".join(_words(rng, 2, 3)).title()}</span> {_sentence(rng)}\n\n'
        + " ".join(_sentence(rng) for _ in range(2))
        for _ in range(3)
    ]
    blocks += ["Related Research Articles", *related]
    blocks += ["© 2003 - 2025 Example Society . All Rights Reserved.", "Back To Top"]
    blocks.append("\n".join(f"  • {item}" for item in ("Home", "Articles", "Media", "Publications", "About Us")))
    return "\n\n".join(blocks) + "\n", _uses(truths, cited)


# --------------------------------------------------------------------------- Markdown (blog post)


def _markdown_mark(word: str, kind: int) -> str:
    if kind <= 2:
        return f"[{word}](/tags/{word})"  # the blog's own pages: not references (the count stays exact)
    if kind <= 4:
        return f"*{word}*"
    if kind == 5:
        return f"**{word}**"
    if kind <= 7:
        return f"`{word}`"
    if kind == 8:
        return f'<abbr title="{word}">{word[:3].upper()}</abbr>'
    return f"_{word}_"


def make_markdown(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    blocks = ["---\ntitle: Notes on the news\ndate: 2021-03-04\ntags: [camps, reports]\n---", "# Generated notes"]
    cited = _citations(references, rng)
    position = 0
    while position < len(cited):
        take = rng.randint(1, 3)
        sentences = [_marked_sentence(rng, _markdown_mark) for _ in range(rng.randint(2, 3))]
        sentences[-1] += "".join(f"[^{number}]" for number in cited[position : position + take])
        position += take
        shape = rng.random()
        if shape < 0.12:
            blocks.append(f"## {' '.join(_words(rng, 2, 4)).capitalize()}")
        if shape < 0.2:
            items = [f"- {_marked_sentence(rng, _markdown_mark)}" for _ in range(rng.randint(2, 4))]
            blocks.append("\n".join(items))
        elif shape < 0.26:
            blocks.append("> " + _marked_sentence(rng, _markdown_mark) + "<br>")
        blocks.append(" ".join(sentences))
    notes, truths = [], []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        style = number % 3
        if style == 0:
            notes.append(f'[^{number}]: {f["author"]} ({f["date"]}). "[{f["title"]}]({f["url"]})". *{f["work"]}*.')
        elif style == 1:
            notes.append(f'[^{number}]: {f["author"]} ({f["date"]}). "{f["title"]}". *{f["work"]}*. <{f["url"]}>')
        else:
            notes.append(f'[^{number}]: {f["author"]} ({f["date"]}). "{f["title"]}". {f["work"]}. {f["url"]}')
        truths.append(_truth(f, url=f["url"]))
    return "\n\n".join(blocks) + "\n\n" + "\n".join(notes) + "\n", _uses(truths, cited)


# --------------------------------------------------------------------------- wikitext (Wikipedia article)


def _wiki_mark(word: str, kind: int) -> str:
    if kind <= 3:
        return f"[[{word}]]"
    if kind <= 5:
        return f"[[{word.capitalize()} (topic)|{word}]]"
    if kind == 6:
        return f"'''{word}'''"
    if kind == 7:
        return f"''{word}''"
    if kind == 8:
        return f"{{{{lang|fr|{word}}}}}" if len(word) % 2 else f"{word} {{{{convert|{len(word) * 3}|km|mi}}}}"
    return f"{word}<!-- {word} checked -->" if len(word) == 4 else f"[[{word}]]s"


_INFOBOX = """{{{{Infobox military conflict
| conflict    = {title}
| partof      = [[Iraq War]]
| image       = [[File:Camp map.svg|250px]]
| date        = {{{{start date|2013|9|1|df=y}}}}
| place       = [[Camp Ashraf]], {{{{flag|Iraq}}}}
| coordinates = {{{{coord|33|39|N|44|36|E|display=inline,title}}}}
| casualties1 = {{{{formatnum:52}}}} killed<!-- per the UN count -->
| distance    = {{{{convert|60|km|mi|abbr=on}}}}
}}}}"""


def _cite(rng: random.Random, f: dict[str, str], archive: str, dead: bool | None) -> str:
    """A cite template; ``dead`` None leaves url-status out (an archived citation's original is then dead)."""
    kind = rng.choice(["news", "web"])
    work = "work" if kind == "news" else "website"
    fields = [
        f"last={f['last']}",
        f"first={f['first']}",
        f"title={f['title']}",
        f"{work}=[[{f['work']}]]" if rng.random() < 0.3 else f"{work}={f['work']}",
        f"date={f['date']}",
        f"url={f['url']}",
        f"access-date={f['retrieved']}",
        f"archive-date={f['archived']}",
        f"archive-url={archive}",
    ]
    # CS1: an archive URL without url-status makes the original dead; most citations say live.
    if dead is None:
        pass
    elif dead:
        fields.append("url-status=dead")
    else:
        fields.append(rng.choice(["url-status=live", "url-status=live", "deadurl=no"]))
    separator = rng.choice([" |", " | ", "\n |"])
    return f"{{{{cite {kind}{separator}{separator.join(fields)}}}}}"


def make_wikitext(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    title = " ".join(_words(rng, 2, 4)).title()
    head = [
        "{{Short description|Attack on a camp in 2013}}\n{{Use dmy dates|date=March 2019}}",
        _INFOBOX.format(title=title),
        f"The '''{title}''' ({{{{lang-fa|{title}}}}}) was a [[raid]] on [[Camp Ashraf|the camp]].",
    ]
    truths: list[Truth] = []
    bodies: dict[int, str] = {}
    list_defined: list[int] = []
    cited = _citations(references, rng)
    reused = {number for number in cited if cited.count(number) > 1}
    uses: list[int] = []
    parts = list(head)
    for index, number in enumerate(cited):
        if number not in bodies:
            f = _citation_fields(rng, number)
            archive = f"https://web.archive.org/web/2015/{f['url']}"
            status = {0: True, 1: None}.get(number % 9, False)
            bodies[number] = _cite(rng, f, archive, status)
            fields = {"url": f["url"], "archive_url": archive, "access_date": f["retrieved_iso"]}
            truths.append(_truth(f, archive_date=f["archived_iso"], dead=status is not False, **fields))
            if number % 5 == 0:
                list_defined.append(number)
                marker = f'<ref name="ld{number}" />'
            elif number in reused:
                marker = f'<ref name="n{number}">{bodies[number]}</ref>'
            else:
                marker = f"<ref>{bodies[number]}</ref>"
        else:
            marker = f'<ref name="{"ld" if number in list_defined else "n"}{number}" />'
        uses.append(number)
        sentence = _marked_sentence(rng, _wiki_mark, 0.3)
        parts.append(sentence + marker if index % 2 else sentence + " " + _sentence(rng) + marker)
        roll = rng.random()
        if roll < 0.05:
            parts.append(f"== {' '.join(_words(rng, 1, 3)).capitalize()} ==")
        elif roll < 0.07:
            parts.append(f"[[File:{rng.choice(WORDS).capitalize()} 2013.jpg|thumb|right|The [[{rng.choice(LINKED)}]]]]")
        elif roll < 0.085:
            rows = "\n".join(
                f"|-\n| {2000 + row} || {{{{formatnum:{row * 1234}}}}} || [[{rng.choice(LINKED)}]]" for row in range(3)
            )
            parts.append(f'{{| class="wikitable sortable"\n|+ Casualties\n! Year !! Count !! Place\n{rows}\n|}}')
    references_block = "\n".join(f'<ref name="ld{number}">{bodies[number]}</ref>' for number in list_defined)
    tail = (
        "== References ==\n{{reflist|30em|refs=\n" + references_block + "\n}}\n\n"
        "== External links ==\n* {{Official website|https://camp.example.org}}\n\n"
        "{{Iraq War}}\n\n[[Category:2013 in Iraq]]\n[[Category:Attacks on refugee camps]]\n"
    )
    return "\n\n".join(parts) + "\n\n" + tail, _uses(truths, uses)


# --------------------------------------------------------------------------- HTML (MediaWiki page)


def _html_mark(word: str, kind: int) -> str:
    if kind <= 3:
        target = word.capitalize()
        return f'<a href="/wiki/{target}" title="{target}">{word}</a>'
    if kind == 4:
        return f'<a href="/w/index.php?title={word}&amp;action=edit&amp;redlink=1" class="new" title="{word} (page does not exist)">{word}</a>'
    if kind == 5:
        return f"<b>{word}</b>"
    if kind == 6:
        return f"<i>{word}</i>"
    if kind == 7:
        return f'<span class="nowrap">{word}</span>'
    if kind == 8:
        return f'<span title="French-language text"><i lang="fr">{word}</i></span>'
    return f'{word}<span class="noprint">&#160;</span>'


_HTML_HEAD = """<!DOCTYPE html>
<html class="client-nojs" lang="en" dir="ltr"><head>
<meta charset="UTF-8"><title>{title} - Wikipedia</title>
<script>document.documentElement.className="client-js";RLCONF={{"wgPageName":"{title}","wgNamespaceNumber":0,"wgAction":"view","wgUserName":null,"wgIsArticle":true,"wgCategories":["2013 in Iraq","Attacks on refugee camps"]}};RLSTATE={{"ext.cite.styles":"ready","skins.vector.styles":"ready"}};</script>
<script>(RLQ=window.RLQ||[]).push(function(){{mw.loader.impl(function(){{return["user.options@12s5i",function($,jQuery,require,module){{mw.user.tokens.set({{"patrolToken":"+\\\\","csrfToken":"+\\\\"}});}}];}});}});</script>
<link rel="stylesheet" href="/w/load.php?lang=en&amp;modules=ext.cite.styles%7Cskins.vector.styles&amp;only=styles&amp;skin=vector">
<style>.mw-parser-output .reflist{{font-size:90%;margin-bottom:0.5em}}.mw-parser-output .citation q{{quotes:"\\0022""\\0022""\\0027""\\0027"}}.mw-parser-output .cs1-lock-free a{{background:url("//upload.example.org/lock.svg")right 0.1em center/9px no-repeat}}</style>
<meta name="generator" content="MediaWiki 1.41.0-wmf.1"><meta name="referrer" content="origin">
<link rel="canonical" href="https://en.wikipedia.org/wiki/{title}"><link rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">
</head>
<body class="skin-vector mediawiki ltr sitedir-ltr mw-hide-empty-elt ns-0 ns-subject page-{title} rootpage-{title} skin-vector-2022 action-view">
<a class="mw-jump-link" href="#bodyContent">Jump to content</a>
<div id="mw-navigation"><nav id="p-navigation" class="vector-menu mw-portlet mw-portlet-navigation" aria-labelledby="p-navigation-label"><div class="vector-menu-content"><ul class="vector-menu-content-list">
<li id="n-mainpage-description" class="mw-list-item"><a href="/wiki/Main_Page" title="Visit the main page [z]" accesskey="z"><span>Main page</span></a></li>
<li id="n-contents" class="mw-list-item"><a href="/wiki/Wikipedia:Contents" title="Guides to browsing Wikipedia"><span>Contents</span></a></li>
<li id="n-currentevents" class="mw-list-item"><a href="/wiki/Portal:Current_events" title="Articles related to current events"><span>Current events</span></a></li>
<li id="n-randompage" class="mw-list-item"><a href="/wiki/Special:Random" title="Visit a randomly selected article [x]" accesskey="x"><span>Random article</span></a></li>
</ul></div></nav></div>
<main id="content" class="mw-body" role="main"><h1 id="firstHeading" class="firstHeading mw-first-heading"><span class="mw-page-title-main">{title}</span></h1>
<div id="bodyContent" class="vector-body"><div id="siteSub" class="noprint">From Wikipedia, the free encyclopedia</div>
<div id="mw-content-text" class="mw-body-content mw-content-ltr" lang="en" dir="ltr"><div class="mw-parser-output">
<table class="infobox vevent"><tbody><tr><th colspan="2" class="infobox-above summary">{title}</th></tr>
<tr><th scope="row" class="infobox-label">Date</th><td class="infobox-data"><span class="nowrap">1 September 2013</span></td></tr>
<tr><th scope="row" class="infobox-label">Location</th><td class="infobox-data"><a href="/wiki/Camp_Ashraf" title="Camp Ashraf">Camp Ashraf</a>, <span class="flagicon"><img alt="" src="//upload.example.org/Flag_of_Iraq.svg.png" decoding="async" width="23" height="15" class="mw-file-element"></span> Iraq</td></tr>
</tbody></table>
"""

_HTML_FOOT = """</div></div></div></main>
<footer id="footer" class="mw-footer" role="contentinfo"><ul id="footer-info"><li id="footer-info-lastmod"> This page was last edited on 4 March 2021, at 10:12<span class="anonymous-show">&#160;(UTC)</span>.</li>
<li id="footer-info-copyright">Text is available under the <a rel="license" href="//en.wikipedia.org/wiki/Wikipedia:Text_of_the_Creative_Commons_Attribution-ShareAlike_4.0_International_License">Creative Commons Attribution-ShareAlike License 4.0</a>.</li></ul>
<ul id="footer-places"><li id="footer-places-privacy"><a href="https://foundation.example.org/wiki/Privacy_policy">Privacy policy</a></li><li id="footer-places-about"><a href="/wiki/Wikipedia:About" title="Wikipedia:About">About Wikipedia</a></li></ul></footer>
<script>(RLQ=window.RLQ||[]).push(function(){{mw.config.set({{"wgBackendResponseTime":152,"wgHostname":"mw2301"}});}});</script>
</body></html>
"""


def make_html(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    title = "_".join(_words(rng, 2, 3)).capitalize()
    cited = _citations(references, rng)
    backlinks: dict[int, list[str]] = {}
    paragraphs = []
    position = 0
    while position < len(cited):
        take = rng.randint(1, 3)
        markers = []
        for number in cited[position : position + take]:
            anchor = f"cite_ref-{number}" if number not in backlinks else f"cite_ref-{number}-{len(backlinks[number])}"
            backlinks.setdefault(number, []).append(anchor)
            markers.append(
                f'<sup id="{anchor}" class="reference"><a href="#cite_note-{number}">&#91;{number}&#93;</a></sup>'
            )
        position += take
        sentences = [_marked_sentence(rng, _html_mark, 0.12) for _ in range(rng.randint(2, 4))]
        paragraphs.append(f"<p>{' '.join(sentences)}{''.join(markers)}\n</p>")
        if rng.random() < 0.08:
            heading = " ".join(_words(rng, 1, 3)).capitalize()
            paragraphs.append(
                f'<div class="mw-heading mw-heading2"><h2 id="{heading.replace(" ", "_")}">{heading}</h2>'
                f'<span class="mw-editsection"><span class="mw-editsection-bracket">[</span><a href="/w/index.php?'
                f'title={title}&amp;action=edit&amp;section=1" title="Edit section: {heading}"><span>edit</span></a>'
                '<span class="mw-editsection-bracket">]</span></span></div>'
            )
    items, truths = [], []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        anchors = backlinks[number]
        if len(anchors) == 1:
            back = f'<span class="mw-cite-backlink"><b><a href="#{anchors[0]}">^</a></b></span>'
        else:
            letters = "".join(
                f'<a href="#{anchor}"><sup><i><b>{chr(97 + index)}</b></i></sup></a> '
                for index, anchor in enumerate(anchors)
            )
            back = f'<span class="mw-cite-backlink">^ {letters}</span>'
        coins = (
            f'<span title="ctx_ver=Z39.88-2004&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal&amp;'
            f'rft.atitle={f["title"].replace(" ", "+")}&amp;rft.date={f["date_iso"]}&amp;rft_id={f["url"]}" '
            'class="Z3988"></span>'
        )
        items.append(
            f'<li id="cite_note-{number}">{back} <span class="reference-text"><cite class="citation news cs1">'
            f'{f["author"]} ({f["date"]}). <a rel="nofollow" class="external text" href="{f["url"]}">"{f["title"]}"</a>. '
            f'<i>{f["work"]}</i><span class="reference-accessdate">. Retrieved <span class="nowrap">'
            f"{f['retrieved']}</span></span>.</cite>{coins}</span>\n</li>"
        )
        truths.append(_truth(f, url=f["url"], access_date=f["retrieved_iso"]))
    text = (
        _HTML_HEAD.format(title=title)
        + "\n".join(paragraphs)
        + '<div class="mw-heading mw-heading2"><h2 id="References">References</h2></div>'
        + '<div class="reflist reflist-columns references-column-width" style="column-width: 30em;">'
        + '<ol class="references">\n'
        + "".join(items)
        + "</ol></div>\n"
        + _HTML_FOOT.format()
    )
    return text, _uses(truths, cited)


GENERATORS: dict[str, Callable[[random.Random, int], tuple[str, list[Truth]]]] = {
    "text": make_text,
    "markdown": make_markdown,
    "wikitext": make_wikitext,
    "html": make_html,
}

# --------------------------------------------------------------------------- markup density

# What a reader has to get through, per format: the same patterns count generated and real documents.
DENSITY_PATTERNS: dict[str, dict[str, str]] = {
    "wikitext": {
        "templates": r"\{\{",
        "wikilinks": r"\[\[",
        "piped": r"\[\[[^\]|\n]*\|",
        "refs": r"<ref[\s>]",
        "named refs": r"<ref\s+name",
        "bold/italic": r"''",
        "comments": r"<!--",
        "table rows": r"^\|-",
    },
    "html": {
        "tags": r"<[a-zA-Z]",
        "attributes": r"\s[a-zA-Z-]+=[\"']",
        "classes": r"\sclass=",
        "links": r"<a\s",
        "spans": r"<span[\s>]",
        "entities": r"&#?\w+;",
    },
    "markdown": {
        "links": r"\]\(|<https?://",
        "emphasis": r"(?<![*\w])[*_]{1,2}\w",
        "code spans": r"`[^`\n]+`",
        "list items": r"^\s*(?:[-*+]|\d+\.)\s",
        "inline HTML": r"<[a-zA-Z/][^>\n]*>",
        "headings": r"^#{1,6}\s",
    },
    "text": {
        "lines": r"^.+$",
        "short lines": r"^.{1,40}$",
        "markers": r"\[\d+\]",
        "tag leftovers": r"<[a-z]+[\s>]",
    },
}
_DENSITY_RE = {
    fmt: {name: re.compile(pattern, re.M) for name, pattern in patterns.items()}
    for fmt, patterns in DENSITY_PATTERNS.items()
}


def markup_density(fmt: str, texts: Iterable[str]) -> dict[str, float]:
    """Occurrences per KB of each of the format's markup patterns, over ``texts`` together."""
    counts = dict.fromkeys(_DENSITY_RE[fmt], 0)
    size = 0
    for text in texts:
        size += len(text.encode("utf-8"))
        for name, pattern in _DENSITY_RE[fmt].items():
            counts[name] += sum(1 for _ in pattern.finditer(text))
    kilobytes = max(size / 1024, 1e-9)
    return {name: count / kilobytes for name, count in counts.items()}


def density_line(fmt: str, generated: dict[str, float], real: dict[str, float] | None, real_label: str) -> str:
    """One line: each pattern's count per KB, generated / real (and their ratio)."""
    cells = []
    for name, value in generated.items():
        if real is None:
            cells.append(f"{name} {value:.1f}")
        else:
            other = real[name]
            ratio = f" ×{value / other:.2f}" if other else ""
            cells.append(f"{name} {value:.1f}/{other:.1f}{ratio}")
    against = f"generated/{real_label}" if real is not None else "generated (no real sample)"
    return f"markup per KB, {fmt:<9} ({against}): " + ", ".join(cells)

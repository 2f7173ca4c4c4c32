"""Repair snippets: offered only for gone links with a good capture, valid in each format, never injectable."""

from __future__ import annotations

import html.parser
import re
from datetime import UTC, datetime

import mwparserfromhell
import pytest
from markdown_it import MarkdownIt

from citecheck.documents import parse_document
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    DocumentInfo,
    DocumentReport,
    LiveCheck,
    LiveStatus,
    Reference,
)
from citecheck.reports.markdown import render_document_markdown
from citecheck.reports.repair import repair_snippet

SNAPSHOT = "https://web.archive.org/web/20110509101500/http://news.example/2011/bridge"
CAPTURED = datetime(2011, 5, 9, 10, 15, tzinfo=UTC)
HOSTILE_TITLE = 'Bridge </a><script>alert(1)</script> ]](javascript:alert(2)) "q" <img src=x onerror=alert(3)>'


def _dead(**fields: object) -> Reference:
    values: dict[str, object] = {
        "id": "1",
        "title": "Bridge opens to traffic",
        "url": "http://news.example/2011/bridge",
        "live": LiveCheck(status=LiveStatus.dead, http_status=404),
        "archive": ArchiveResult(status=ArchiveStatus.found, snapshot_url=SNAPSHOT, snapshot_time=CAPTURED),
    }
    values.update(fields)
    return Reference.model_validate(values)


class _Anchors(html.parser.HTMLParser):
    """Collects every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_each_format_names_the_capture_and_its_date() -> None:
    reference = _dead()
    assert repair_snippet(reference, "markdown") == (
        f"[Bridge opens to traffic](http://news.example/2011/bridge) ([archived]({SNAPSHOT}) on 2011-05-09)"
    )
    assert repair_snippet(reference, "html") == (
        f'<a href="http://news.example/2011/bridge" data-versionurl="{SNAPSHOT}" '
        'data-versiondate="2011-05-09">Bridge opens to traffic</a>'
    )
    assert repair_snippet(reference, "text") == f"Archived from the original on 9 May 2011. <{SNAPSHOT}>"
    assert repair_snippet(reference, "wikitext") == (
        f"|archive-url={SNAPSHOT} |archive-date=2011-05-09 |url-status=dead"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"live": LiveCheck(status=LiveStatus.alive)},
        {"live": LiveCheck(status=LiveStatus.blocked)},  # cannot tell: not dead
        {"live": LiveCheck(status=LiveStatus.unreachable)},
        {"archive": ArchiveResult(status=ArchiveStatus.none)},
        {"archive": ArchiveResult(status=ArchiveStatus.error_snapshot, snapshot_url=SNAPSHOT, snapshot_time=CAPTURED)},
        {"archive": ArchiveResult(status=ArchiveStatus.not_checked)},
        {"url": "javascript:alert(1)"},
        {"url": None},
        {"archive": ArchiveResult(status=ArchiveStatus.found, snapshot_url="javascript:alert(1)")},
        {"archive_url": SNAPSHOT},  # the citation already cites this capture
    ],
)
def test_no_snippet_without_a_gone_link_a_good_capture_and_safe_urls(change: dict[str, object]) -> None:
    reference = _dead(**change)
    assert all(repair_snippet(reference, fmt) is None for fmt in ("wikitext", "markdown", "html", "text"))


def test_gone_by_every_live_status_or_by_the_documents_own_mark() -> None:
    for status in (LiveStatus.dead, LiveStatus.soft_404, LiveStatus.parked, LiveStatus.redirected):
        assert repair_snippet(_dead(live=LiveCheck(status=status)), "text") is not None
    for flag in ("dead-link", "permanent-dead-link", "url-status-dead"):
        unchecked = _dead(live=LiveCheck(status=LiveStatus.not_checked), source_flags=[flag])
        assert repair_snippet(unchecked, "text") is not None


def test_a_different_cited_capture_is_replaced() -> None:
    error_capture = "https://web.archive.org/web/20100101000000/http://news.example/2011/bridge"
    assert repair_snippet(_dead(archive_url=error_capture), "text") is not None


def test_capture_date_falls_back_to_the_snapshot_urls_timestamp() -> None:
    reference = _dead(archive=ArchiveResult(status=ArchiveStatus.found, snapshot_url=SNAPSHOT))
    assert repair_snippet(reference, "text") == f"Archived from the original on 9 May 2011. <{SNAPSHOT}>"


def test_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown document format"):
        repair_snippet(_dead(), "docx")


def test_html_title_cannot_inject_markup() -> None:
    snippet = repair_snippet(_dead(title=HOSTILE_TITLE), "html")
    assert snippet is not None
    parser = _Anchors()
    parser.feed(snippet)
    assert [tag for tag, _ in parser.tags] == ["a"]
    attributes = parser.tags[0][1]
    assert set(attributes) == {"href", "data-versionurl", "data-versiondate"}
    assert attributes["data-versionurl"] == SNAPSHOT


def test_html_urls_cannot_break_out_of_attributes() -> None:
    snippet = repair_snippet(_dead(url='http://news.example/a"onmouseover="alert(1)'), "html")
    assert snippet is not None
    parser = _Anchors()
    parser.feed(snippet)
    assert set(parser.tags[0][1]) == {"href", "data-versionurl", "data-versiondate"}


def test_markdown_title_cannot_open_a_link_or_markup() -> None:
    snippet = repair_snippet(_dead(title=HOSTILE_TITLE), "markdown")
    assert snippet is not None
    rendered = MarkdownIt("commonmark").render(snippet)
    assert "<script" not in rendered and "<img" not in rendered
    assert 'href="javascript' not in rendered
    hrefs = [attrs.get("href") for tag, attrs in _tags(rendered) if tag == "a"]
    assert hrefs == ["http://news.example/2011/bridge", SNAPSHOT]


def test_markdown_urls_with_parentheses_stay_whole() -> None:
    reference = _dead(url="http://en.example/wiki/Bridge_(Harbour)")
    snippet = repair_snippet(reference, "markdown")
    assert snippet is not None
    hrefs = [attrs.get("href") for tag, attrs in _tags(MarkdownIt("commonmark").render(snippet)) if tag == "a"]
    assert hrefs == ["http://en.example/wiki/Bridge_(Harbour)", SNAPSHOT]


def _tags(rendered: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Anchors()
    parser.feed(rendered)
    return parser.tags


def test_wikitext_cite_template_is_repaired_in_place_and_stays_valid() -> None:
    text = (
        "The bridge opened.<ref>{{cite news |title=Bridge opens |url=http://news.example/2011/bridge "
        "|work=Harbour Times |access-date=8 May 2011 |dead-url=yes}} {{dead link|date=May 2020}}</ref>\n\n"
        "== References ==\n{{reflist}}\n"
    )
    document = parse_document(text, "bridge.wiki", "wikitext")
    reference = document.references[0].model_copy(
        update={
            "live": LiveCheck(status=LiveStatus.dead),
            "archive": ArchiveResult(status=ArchiveStatus.found, snapshot_url=SNAPSHOT, snapshot_time=CAPTURED),
        }
    )
    snippet = repair_snippet(reference, "wikitext")
    assert snippet is not None and snippet.startswith("{{cite news") and snippet.endswith("}}")
    templates = mwparserfromhell.parse(snippet).filter_templates(recursive=False)
    assert len(templates) == 1
    template = templates[0]
    assert str(template.get("archive-url").value).strip() == SNAPSHOT
    assert str(template.get("archive-date").value).strip() == "2011-05-09"
    assert str(template.get("url-status").value).strip() == "dead"
    assert str(template.get("work").value).strip() == "Harbour Times"  # the rest is kept
    assert not template.has("dead-url")  # dead-url and url-status together are a CS1 error
    # Read back by our own reader, the repaired citation carries the archive copy.
    reread = parse_document(f"Claim.<ref>{snippet}</ref>\n", "again.wiki", "wikitext").references[0]
    assert reread.archive_url == SNAPSHOT and "url-status-dead" in reread.source_flags


def test_wikitext_aliases_are_updated_not_duplicated() -> None:
    raw = (
        "{{Cite web\n| url = http://news.example/2011/bridge\n| archiveurl = http://bad.example/\n"
        "| url-status = usurped\n}}"
    )
    snippet = repair_snippet(_dead(raw=raw, kind="template"), "wikitext")
    assert snippet is not None
    template = mwparserfromhell.parse(snippet).filter_templates()[0]
    assert str(template.get("archiveurl").value).strip() == SNAPSHOT and not template.has("archive-url")
    assert str(template.get("url-status").value).strip() == "usurped"  # already says "do not link the original"


def test_wikitext_urls_cannot_break_the_template() -> None:
    hostile_snapshot = "https://web.archive.org/web/20110509101500/http://news.example/a|title=x}}{{evil}}"
    reference = _dead(
        raw="{{cite web |url=http://news.example/2011/bridge |title=t}}",
        archive=ArchiveResult(status=ArchiveStatus.found, snapshot_url=hostile_snapshot, snapshot_time=CAPTURED),
    )
    snippet = repair_snippet(reference, "wikitext")
    assert snippet is not None
    templates = mwparserfromhell.parse(snippet).filter_templates()
    assert [str(template.name).strip() for template in templates] == ["cite web"]
    assert {str(param.name).strip() for param in templates[0].params} == {
        "url",
        "title",
        "archive-url",
        "archive-date",
        "url-status",
    }


ACTIVE = "\x1b[2J\x1b]0;owned\x07\x9b31m\x08\x85\u202etxt.exe\u202c\u2066x\u2069\u200f\r"


@pytest.mark.parametrize("document_format", ["wikitext", "markdown", "html", "text"])
def test_snippets_carry_no_controls_escape_sequences_or_bidi(document_format: str) -> None:
    raw = "{{cite web |url=http://news.example/2011/bridge |title=Bridge" + ACTIVE + "}}"
    snippet = repair_snippet(_dead(title="Bridge" + ACTIVE, raw=raw), document_format)
    assert snippet is not None
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]", snippet), snippet
    assert "owned" not in snippet and "[31m" not in snippet


def test_a_repair_block_in_the_report_cannot_be_closed_by_the_template_inside() -> None:
    raw = (
        "{{cite web |url=http://news.example/2011/bridge |title=x\n```\n# injected\n"
        "<script>alert(1)</script>\n````` |}}"
    )
    reference = _dead(raw=raw)
    report = DocumentReport(document=DocumentInfo(path="bridge.wiki", format="wikitext"), references=[reference])
    html_text = MarkdownIt("commonmark").enable("table").render(render_document_markdown(report))
    assert "<h1>injected" not in html_text and "<script>" not in html_text
    block = html_text.split('<code class="language-wikitext">', 1)[1].split("</code>", 1)[0]
    assert "# injected" in block and "&lt;script&gt;" in block and "archive-url=" in block

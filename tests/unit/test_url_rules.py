"""URL include/exclude/remap rules and the ignore file (lychee's semantics), applied before resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.models import LiveCheck, LiveStatus, ParsedDocument, Reference
from citecheck.url_rules import UrlRules, apply_url_rules, parse_remap, parse_status_ranges, read_ignore_file


def _document(*urls: str | None) -> ParsedDocument:
    references = [Reference(id=str(number), url=url) for number, url in enumerate(urls, start=1)]
    return ParsedDocument(path="doc.md", format="markdown", references=references)


def test_include_wins_over_exclude() -> None:
    rules = UrlRules.build(include=["keep"], exclude=[r"example\.org"])
    assert rules.excluded_by("https://example.org/keep") is None
    assert rules.excluded_by("https://example.org/other") == r"excluded by --exclude 'example\.org'"
    assert rules.excluded_by("https://elsewhere.net/") is None  # matches neither: checked


def test_only_includes_check_only_what_they_match() -> None:
    rules = UrlRules.build(include=["^https://docs\\."])
    assert rules.excluded_by("https://docs.example/a") is None
    assert rules.excluded_by("https://blog.example/a") == "excluded: matches no --include pattern"


def test_ignore_file_lines_with_comments(tmp_path: Path) -> None:
    ignore = tmp_path / ".citecheckignore"
    ignore.write_text("# comment\n\n  intranet\\.example  \nlocalhost\n", encoding="utf-8")
    assert read_ignore_file(ignore) == [(3, "intranet\\.example"), (4, "localhost")]
    rules = UrlRules.build(ignore_file=ignore)
    assert rules.excluded_by("http://localhost:8080/x") == "excluded by .citecheckignore line 4"
    ignore.write_text("ok\n[broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\.citecheckignore line 2: '\[broken' is not a regular expression"):
        UrlRules.build(ignore_file=ignore)


def test_remap_with_lychee_and_python_groups() -> None:
    pattern, replacement = parse_remap(r"https://old\.example/(.*) https://new.example/$1")
    assert pattern.sub(replacement, "https://old.example/a/b") == "https://new.example/a/b"
    rules = UrlRules.build(remap=[r"^http://(?P<host>[^/]+)/ https://\g<host>/"])
    assert rules.remapped("http://example.org/page") == (
        "https://example.org/page",
        r"^http://(?P<host>[^/]+)/ https://\g<host>/",
    )
    for bad in ("only-one-part", "a b c", "(x) $2"):
        with pytest.raises(ValueError):
            parse_remap(bad)


def test_status_ranges() -> None:
    assert parse_status_ranges(["200", "204..=206", "300..302"]) == {200, 204, 205, 206, 300, 301}
    for bad in ("abc", "99", "300..=200", "200..700"):
        with pytest.raises(ValueError):
            parse_status_ranges([bad])


def test_network_view_leaves_excluded_references_out_and_brings_remapped_answers_back() -> None:
    document = _document("https://skip.example/a", "http://old.example/b", "https://plain.example/c", None)
    rules = UrlRules.build(exclude=["skip"], remap=[r"^http://old\.example/ https://new.example/"])
    view = apply_url_rules([document], rules)
    seen = view.documents[0].references
    assert [reference.url for reference in seen] == ["https://new.example/b", "https://plain.example/c", None]
    assert seen[1] is document.references[2]  # untouched references are the document's own objects
    assert view.excluded == 1
    skipped = document.references[0]
    assert skipped.live.status is LiveStatus.not_checked and skipped.live.reason == "excluded by --exclude 'skip'"
    assert skipped.archive.reason == "excluded by --exclude 'skip'"
    seen[0].live = LiveCheck(status=LiveStatus.alive, http_status=200)
    view.restore()
    remapped = document.references[1]
    assert remapped.url == "http://old.example/b"  # the report still shows what the document cites
    assert remapped.live.status is LiveStatus.alive
    assert remapped.live.evidence[-1].startswith("checked https://new.example/b instead (--remap")


def test_no_rules_no_copies() -> None:
    document = _document("https://a.example/")
    view = apply_url_rules([document], UrlRules.build())
    assert view.documents[0] is document

"""Which article an input names: Wikipedia URLs in all their forms, short forms, other wikis."""

from __future__ import annotations

import pytest

from citecheck.resolve.wiki_input import WikiInputError, WikiSite, bare_title_target, parse_wiki_input, site_from_base

EN = "https://en.wikipedia.org/w/"


@pytest.mark.parametrize(
    ("given", "base", "title", "revision", "older"),
    [
        ("https://en.wikipedia.org/wiki/Camp_Ashraf", EN, "Camp Ashraf", None, None),
        ("http://en.wikipedia.org/wiki/Camp_Ashraf#History", EN, "Camp Ashraf", None, None),
        ("https://en.m.wikipedia.org/wiki/Camp_Ashraf", EN, "Camp Ashraf", None, None),
        ("https://en.wikipedia.org/wiki/Camp_Ashraf?oldid=417123456", EN, "Camp Ashraf", 417123456, None),
        ("https://en.wikipedia.org/w/index.php?title=Camp_Ashraf&oldid=417123456", EN, "Camp Ashraf", 417123456, None),
        ("https://en.wikipedia.org/w/index.php?title=Camp%20Ashraf", EN, "Camp Ashraf", None, None),
        ("https://en.wikipedia.org/w/index.php?oldid=417123456", EN, None, 417123456, None),
        ("https://en.wikipedia.org/wiki/Special:PermanentLink/417123456", EN, None, 417123456, None),
        (
            "https://en.wikipedia.org/w/index.php?title=Camp_Ashraf&diff=420000000&oldid=417123456",
            EN,
            "Camp Ashraf",
            420000000,
            417123456,
        ),
        ("https://en.wikipedia.org/wiki/Special:Diff/417123456/420000000", EN, None, 420000000, 417123456),
        (
            "https://ar.wikipedia.org/wiki/%D8%B1%D9%8A%D8%A7%D8%B6%D9%8A%D8%A7%D8%AA",
            "https://ar.wikipedia.org/w/",
            "رياضيات",
            None,
            None,
        ),
        ("https://de.wikivoyage.org/wiki/Berlin", "https://de.wikivoyage.org/w/", "Berlin", None, None),
        ("https://en.wikipedia.org/wiki/AC/DC", EN, "AC/DC", None, None),
        ("wikipedia:en:Camp Ashraf", EN, "Camp Ashraf", None, None),
        ("wikipedia:en:Camp_Ashraf@417123456", EN, "Camp Ashraf", 417123456, None),
        ("wikipedia:de:Berlin@100..200", "https://de.wikipedia.org/w/", "Berlin", 200, 100),
        ("wikipedia:en:Talk:Camp Ashraf", EN, "Talk:Camp Ashraf", None, None),
    ],
)
def test_wikipedia_inputs(given: str, base: str, title: str | None, revision: int | None, older: int | None) -> None:
    target = parse_wiki_input(given)
    assert target is not None
    assert (target.site.base, target.title, target.revision, target.older) == (base, title, revision, older)
    assert target.given == given


@pytest.mark.parametrize(
    "given",
    ["https://example.org/wiki/Foo", "https://www.nytimes.com/2011/04/14/world.html", "citations/a.md", "notes.txt"],
)
def test_other_inputs_are_not_wiki_articles(given: str) -> None:
    assert parse_wiki_input(given) is None


def test_another_wiki_by_its_script_path() -> None:
    wiki = "https://wiki.example.org/w/"
    for given in ("wikipedia:en:Camp Ashraf", "wikipedia:Camp Ashraf", "https://wiki.example.org/wiki/Camp_Ashraf"):
        target = parse_wiki_input(given, wiki)
        assert target is not None and target.site.base == wiki and target.title == "Camp Ashraf"
    farm = parse_wiki_input("wikipedia:fr:Paris", "https://{lang}.wikivoyage.org/w/")
    assert farm is not None and farm.site.base == "https://fr.wikivoyage.org/w/"
    assert site_from_base("https://wiki.example.org/w/api.php").base == wiki
    assert site_from_base("https://wiki.example.org/w").base == wiki
    assert parse_wiki_input("https://wiki.example.org/w/index.php?title=X&oldid=5", wiki) is not None


def test_site_names_and_addresses() -> None:
    site = WikiSite(EN)
    assert (site.rest, site.action, site.short_name) == (f"{EN}rest.php/v1", f"{EN}api.php", "enwiki")
    assert site.article_url("Camp Ashraf") == "https://en.wikipedia.org/wiki/Camp_Ashraf"
    assert site.permalink("Camp Ashraf", 5) == f"{EN}index.php?title=Camp_Ashraf&oldid=5"
    other = WikiSite("https://wiki.example.org/w/")
    assert other.article_url("A b") == "https://wiki.example.org/w/index.php?title=A_b"
    assert other.short_name == "wiki.example.org"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("wikipedia:Camp Ashraf", "give a language"),
        ("wikipedia:en:", "no article title"),
        ("wikipedia:en:Berlin@200..100", "OLDER..NEWER"),
        ("https://en.wikipedia.org/wiki/Camp_Ashraf?oldid=abc", "not a revision number"),
        ("https://en.wikipedia.org/w/index.php", "names no article"),
    ],
)
def test_malformed_wiki_inputs_say_what_is_wrong(given: str, message: str) -> None:
    with pytest.raises(WikiInputError, match=message):
        parse_wiki_input(given)


def test_bare_titles_from_a_titles_file() -> None:
    assert bare_title_target("Camp Ashraf", None).site.base == EN
    target = bare_title_target("Berlin@42", "https://wiki.example.org/w/")
    assert (target.site.base, target.title, target.revision) == ("https://wiki.example.org/w/", "Berlin", 42)
    with pytest.raises(WikiInputError, match="--wiki"):
        site_from_base("ftp://wiki.example.org/")

"""Every function that takes a URL from a document or a server answers for any text.

urllib raises ``ValueError`` on a bracketed host that is no address (``http://[::g]/``),
on a port that is no number and on some Unicode hosts; an archive's ``Location`` holding
one once failed a whole network stage (CI, stop 19). These functions meet such text from
documents, archive indexes and headers, so none may raise on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from citecheck.references.links import is_site_root, url_problem
from citecheck.reports.escape import safe_url
from citecheck.reports.fingerprint import normalized_url
from citecheck.resolve.archive.choose import url_identity
from citecheck.resolve.archive.discovery import score_url, site_domain
from citecheck.resolve.archive.wayback import join_url, parse_link_header
from citecheck.resolve.wiki_input import parse_article_url

EXAMPLES = int(os.environ.get("CITECHECK_PROPERTY_EXAMPLES", "200"))

_hosts = st.one_of(
    st.sampled_from(["[::g]", "[zz]", "[1::2::3]", "[fe80::1%eth0]", "[::1]", "example.org", "xn--", "a..b", ""]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(lambda text: f"[{text}]"),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
)
_ports = st.one_of(st.just(""), st.sampled_from([":80", ":abc", ":99999", ":-1", ":", ": 8"]))
urls = st.one_of(
    st.builds(
        lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
        st.sampled_from(["http://", "https://", "HTTP://", "//", "ftp://", ""]),
        _hosts,
        _ports,
        st.sampled_from(["", "/", "/wiki/Title", "/index.html?q=1", "/w/index.php?title=T&oldid=x", "#f"]),
    ),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
)

WITH_ONE_URL: list[tuple[str, Callable[[str], object]]] = [
    ("url_problem", url_problem),
    ("safe_url", safe_url),
    ("normalized_url", normalized_url),
    ("url_identity", url_identity),
    ("is_site_root", is_site_root),
    ("score_url", lambda url: score_url(url, ["title", "wiki"])),
    ("site_domain", site_domain),
    ("parse_article_url", parse_article_url),
    ("join_url as base", lambda url: join_url(url, "/next")),
    ("join_url as reference", lambda url: join_url("http://archive.test/web/", url)),
    ("parse_link_header", lambda url: parse_link_header(f'<{url}>; rel="original"')),
]


@pytest.mark.parametrize("name,function", WITH_ONE_URL, ids=[name for name, _ in WITH_ONE_URL])
@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(url=urls)
@example(url="http://[::g]/")
@example(url="http://host:port/")
def test_no_url_function_raises_on_any_text(name: str, function: Callable[[str], object], url: str) -> None:
    function(url)

"""For any answer a cited server or an archive gives, the audit exits 0, 1 or 2, writes every report,
and connects nowhere outside citecheck's guard.

Hypothesis draws one HTTP answer — any status, garbage or hostile ``Location``,
``Content-Type``, ``Content-Encoding``, ``Retry-After``, ``Memento-Datetime``,
``Link`` and ``Content-Length`` headers, bodies that are garbage, compressed,
deeply nested JSON, a bare URL, or shorter than they declare — and a loopback
server gives it to every request: the cited page, the archive's playback and
its index alike.  A listening socket on a forbidden address (127.0.0.2, the
target of some drawn redirects and bodies) counts connections: none may
arrive.  ``CITECHECK_PROPERTY_EXAMPLES`` raises the number of examples.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import zlib
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.guard import network_guard
from tests.resilience.fault_cases import (
    article,
    audit_in_process,
    healthy_routes,
    markdown_citing,
    site_routes,
    write_docs,
)
from tests.resilience.raw_world import Reply, forbidden_target, raw, raw_site

EXAMPLES = int(os.environ.get("CITECHECK_PROPERTY_EXAMPLES", "20"))
FORBIDDEN = "http://127.0.0.2:9"  # the forbidden listener's port is filled in per example

_header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40)
locations = st.one_of(
    st.sampled_from(
        [
            "http://[::g]/",
            "http://x.com:abc/",
            "https://[::1",
            "//",
            "/cited",  # a redirect to itself: a loop
            "/elsewhere",
            "javascript:alert(1)",
            "http://169.254.169.254/latest/meta-data/",
            "http://0177.0.0.1/",
            "http://\u2603.net/",
            FORBIDDEN,
            "",
        ]
    ),
    _header_text,
)
content_types = st.one_of(
    st.sampled_from(
        [
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=bogus-charset",
            "text/html; charset=utf-16",
            "text/plain",
            "application/json",
            "application/pdf",
            "image/png",
            "",
            ";;;",
        ]
    ),
    _header_text,
)
encodings = st.sampled_from(["gzip", "deflate", "br", "gzip, gzip", "x-gzip", "identity", "compress", "garbage", ""])
retry_afters = st.sampled_from(
    ["0", "1", "86400", "-1", "abc", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT"]
)
memento_datetimes = st.one_of(
    st.sampled_from(
        [
            "Sun, 01 May 2011 10:00:00 GMT",
            "Sun, 01 May 2011 10:00:00",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 01 Jan 0001 00:00:00 GMT",
            "garbage",
            "",
        ]
    ),
    _header_text,
)
links = st.one_of(
    st.sampled_from(
        [
            '<http://x/>; rel="memento"; datetime="garbage"',
            '<http://[::g]/>; rel="first memento"; datetime="Sun, 01 May 2011 10:00:00 GMT"',
            "<<<>>>;;;",
            '<http://127.0.0.2:9/>; rel="next memento"',
        ]
    ),
    _header_text,
)
header_strategies = {
    "Location": locations,
    "Content-Type": content_types,
    "Content-Encoding": encodings,
    "Retry-After": retry_afters,
    "Memento-Datetime": memento_datetimes,
    "Link": links,
    "Content-Length": st.sampled_from(["abc", "-1", "0", "99999999999", "1"]),
    # Headers the live checker, the cookie jar and the archive readers look at, as any server may send them.
    "Set-Cookie": st.one_of(
        st.sampled_from(["a=b; Path=/", "=; Domain=.", "a=b; Domain=[::g]", "a=" + "x" * 5000, "a=b; Expires=garbage"]),
        _header_text,
    ),
    "X-Archive-Orig-Location": locations,
    "X-Archive-Orig-Date": memento_datetimes,
    "X-Archive-Wayback-Runtime-Error": st.one_of(st.just("AdministrativeAccessControlException"), _header_text),
    "cf-mitigated": st.one_of(st.just("challenge"), _header_text),
}
headers = st.lists(
    st.sampled_from(sorted(header_strategies)).flatmap(lambda name: header_strategies[name].map(lambda v: (name, v))),
    max_size=6,
)


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data)


bodies = st.one_of(
    st.binary(max_size=1500),
    st.just(article("A page")),
    st.just(gzip.compress(article("Gzipped page"))),
    st.just(gzip.compress(article("Gzipped page")) + b"junk after the member"),
    st.just(_deflate(article("Deflated page"))),
    st.just(b"\x1f\x8b\x08\x00garbage that claims to be gzip"),
    st.just(b"[" * 50_000 + b"]" * 50_000),
    st.just(FORBIDDEN.encode() + b"/"),
    st.just(b"<html><head><meta charset='bogus'><title>P\xe2\x80\x93ge not found \xa9</title></head></html>"),
    st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
statuses = st.one_of(
    st.sampled_from([200, 204, 206, 301, 302, 303, 307, 308, 400, 403, 404, 410, 429, 451, 500, 503]),
    st.integers(100, 999),
)


def _answer(status: int, drawn: list[tuple[str, str]], body: bytes, forbidden: str, length: bool) -> Reply:
    lines = [f"HTTP/1.1 {status} X"]
    for name, value in drawn:
        lines.append(f"{name}: {value.replace(FORBIDDEN, forbidden)}")
    if length and not any(name == "Content-Length" for name, _ in drawn):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    return raw(data + body.replace(FORBIDDEN.encode(), forbidden.encode()))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(status=statuses, drawn=headers, body=bodies, length=st.booleans())
# Found merging this round (and in main before it): the page and the archive both redirecting to
# "http://?.net/" sent two lookups' redirects into each other, and each waited for the other forever.
@example(status=301, drawn=[("Location", "http://\u2603.net/")], body=article("A page"), length=False)
# Found on CI: an archived answer whose Location holds a bracketed host that is no address
# made urllib's urljoin raise, and the whole network stage failed (exit 4).
@example(
    status=200,
    drawn=[("Location", "http://[::g]/"), ("Memento-Datetime", "Sun, 01 May 2011 10:00:00 GMT")],
    body=article("A page"),
    length=False,
)
@example(
    status=302,
    drawn=[("Location", "http://[::g]/"), ("Memento-Datetime", "Sun, 01 May 2011 10:00:00 GMT")],
    body=b"",
    length=True,
)
def test_any_server_or_archive_answer_leaves_the_audit_standing(
    status: int, drawn: list[tuple[str, str]], body: bytes, length: bool
) -> None:
    before = len(network_guard.recorded())
    with tempfile.TemporaryDirectory(prefix="citecheck-server-property-") as folder, forbidden_target() as target:
        tmp = Path(folder)
        answer = _answer(status, drawn, body, target.url, length)
        routes = healthy_routes({"/cited": answer, "/coll/*": answer, "/elsewhere": answer})
        with raw_site(site_routes(routes)) as site:
            docs = write_docs(tmp / "docs", {"a.md": markdown_citing([site.url("/cited"), site.url("/ok")])})
            outcome, result = audit_in_process(
                "property", docs, tmp, canary=site.url("/"), archives=[f"pywb+{site.url('/coll')}"], deadline=90
            )
        assert outcome.crash is None, outcome.crash
        assert not outcome.hang
        assert result is not None and result.summary.exit_code in (0, 1, 2)
        assert len([reference for report in result.reports for reference in report.references]) == 2
        assert target.accepted == 0, "a connection reached the forbidden address"
    assert network_guard.recorded()[before:] == [], network_guard.report(network_guard.recorded()[before:])

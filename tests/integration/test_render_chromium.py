"""A generated report, rendered to HTML and opened in headless Chromium: tables and SVG timelines show.

The documents are written here; live and archive results are set on the
references as the resolve stage would (fake but realistic values), then the
real pipeline (``audit_parsed``) and report renderers run.  Chromium only ever
opens ``file://`` pages and every host name is mapped to nowhere, so nothing
leaves the machine.  Set ``CITECHECK_SCREENSHOT_DIR`` to keep the screenshots.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from citecheck.config import AuditOptions
from citecheck.documents import parse_document
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    AuditSummary,
    Conflict,
    ConflictStatement,
    DocumentReport,
    DocumentSummary,
    Evidence,
    LiveCheck,
    LiveStatus,
    NetworkState,
    PageDate,
    SourceInfo,
)
from citecheck.pipeline import audit_parsed
from citecheck.reports.markdown import render_document_files, render_document_markdown, render_index_markdown
from citecheck.reports.timeline import timeline_files, timeline_names
from tests.chromium import CHROMIUM, SKIP_REASON, run_chromium

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MISMATCH_RED = (0xC6, 0x28, 0x28)

BRIDGE_WIKITEXT = """'''Harbour Bridge''' opened in April 2011.<ref name="opening">{{cite news |last=Jolly \
|first=David |title=Bridge opens to traffic |url=http://news.example/2011/bridge-opens |work=Harbour Times \
|date=14 April 2011 \
|access-date=8 May 2011}}</ref> It carried "4,000 cars" on its first day.<ref name="counts">{{cite web \
|title=Traffic counts | url=http://transport.example/counts |date=May 2011 |access-date=2 March 2011 \
|archive-url=https://web.archive.org/web/20110601000000/http://transport.example/counts \
|archive-date=1 June 2011 |url-status=live}}</ref> The toll was abolished in 2014.<ref>{{cite web |title=Toll ends \
|url=http://city.example/toll |access-date=3 January 2015}} {{dead link|date=May 2020}}</ref> \
Nobody cited this sentence.

== Design ==
The bridge is 1.2 km long.<ref name="opening"/>

== References ==
{{reflist}}
"""

# The page an audit left for the lead to write: the report and its timelines side by side.
HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>citecheck report</title>
<style>
body {{ font: 14px/1.5 "DejaVu Sans", sans-serif; margin: 24px; color: #24292f; max-width: 1150px; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
th, td {{ border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; }}
th {{ background: #f6f8fa; }}
pre {{ background: #f6f8fa; padding: 8px; overflow-x: auto; white-space: pre-wrap; }}
blockquote {{ border-left: 4px solid #d0d7de; margin: 0; padding: 0 12px; color: #57606a; }}
</style></head>
<body>
{body}
<script>
/* The render check's own probe (not part of the report): count images that decoded, and what <details> hide. */
window.addEventListener("load", () => {{
  const images = Array.from(document.images);
  document.body.dataset.imagesTotal = String(images.length);
  document.body.dataset.imagesLoaded = String(images.filter((i) => i.complete && i.naturalWidth > 0).length);
  const details = Array.from(document.querySelectorAll("details"));
  document.body.dataset.detailsTotal = String(details.length);
  document.body.dataset.detailsOpen = String(details.filter((d) => d.open).length);
  const visible = (e) => (e.checkVisibility ? e.checkVisibility() : e.getClientRects().length > 0);
  const hidden = details.map((d) => d.querySelector("table, ul")).filter((e) => e && !visible(e));
  document.body.dataset.detailsHidden = String(hidden.length);
  details.forEach((d) => {{ d.open = true; }});
  const shown = details.map((d) => d.querySelector("table, ul")).filter((e) => e && visible(e));
  document.body.dataset.detailsShownWhenOpened = String(shown.length);
}});
</script>
</body></html>
"""


def _resolved_report() -> DocumentReport:
    """The bridge article parsed and audited, with resolve-stage results as an online run leaves them."""
    document = parse_document(BRIDGE_WIKITEXT, "bridge.wiki", "wikitext")
    document.date = None
    by_title = {reference.title: reference for reference in document.references}
    checked = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)
    opening = by_title["Bridge opens to traffic"]
    opening.live = LiveCheck(status=LiveStatus.dead, http_status=404, checked_at=checked, confirmed=True)
    opening.archive = ArchiveResult(
        status=ArchiveStatus.found,
        archive="web.archive.org",
        snapshot_url="https://web.archive.org/web/20110509101500/http://news.example/2011/bridge-opens",
        snapshot_time=datetime(2011, 5, 9, 10, 15, tzinfo=UTC),
        snapshot_status=200,
        days_from_access=1,
    )
    opening.source = SourceInfo(
        status="fetched",
        origin="capture",
        url=opening.archive.snapshot_url,
        title="Bridge opens to traffic",
        page_date=PageDate(date="2011-04-14", method="meta:article:published_time"),
        extractor="trafilatura",
        chars=4120,
    )
    counts = by_title["Traffic counts"]
    counts.live = LiveCheck(status=LiveStatus.alive, http_status=200, checked_at=checked)
    counts.archive = ArchiveResult(
        status=ArchiveStatus.found,
        archive="web.archive.org",
        snapshot_url="https://web.archive.org/web/20110820000000/http://transport.example/counts",
        snapshot_time=datetime(2011, 8, 20, tzinfo=UTC),
        snapshot_status=200,
        days_from_access=171,
    )
    toll = by_title["Toll ends"]
    toll.live = LiveCheck(status=LiveStatus.dead, http_status=410, checked_at=checked, confirmed=True)
    toll.archive = ArchiveResult(status=ArchiveStatus.none, archive="web.archive.org")
    network = NetworkState(mode="online", message="Live and archive checks ran.")
    report = audit_parsed(document, AuditOptions(today=date(2025, 11, 1)), network)
    for claim in report.claims:
        if "4,000 cars" in claim.text:
            claim.verdict = "verified"
            claim.evidence.append(
                Evidence(
                    kind="quote",
                    detail="quoted passage found",
                    ref=counts.id,
                    status="found",
                    excerpt="the bridge carried 4,000 cars on its first day of operation",
                    url=counts.archive.snapshot_url,
                )
            )
    return report


def _summary(report: DocumentReport) -> AuditSummary:
    claim = next(claim for claim in report.claims if "1.2 km" in claim.text)
    return AuditSummary(
        generated_at=datetime(2025, 11, 1, 10, 0, tzinfo=UTC),
        network=report.network,
        documents=[
            DocumentSummary(
                path=report.document.path,
                title=report.document.title,
                format=report.document.format,
                report_md="bridge.md",
                report_json="bridge.json",
                references=len(report.references),
                claims=len(report.claims),
                cited_claims=sum(1 for claim in report.claims if claim.refs),
                findings={"error": 1, "warning": 2, "info": 1},
                codes={"CC401": 1, "CC303": 1},
            )
        ],
        conflicts=[
            Conflict(
                subject="Harbour Bridge length",
                quantity="distance",
                statements=[
                    ConflictStatement(
                        document="bridge.wiki", claim=claim.id, text=claim.text, figure="1.2 km", value=1200.0, unit="m"
                    ),
                    ConflictStatement(
                        document="guide.md",
                        claim="c4",
                        text="The bridge is a mile long.",
                        figure="a mile",
                        value=1609.3,
                        unit="m",
                        sources=["Harbour Guide"],
                    ),
                ],
            )
        ],
    )


def _png_pixels(path: Path) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for row_index in range(height):
        start = row_index * (stride + 1)
        filter_type, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if filter_type == 1:
                line[i] = (line[i] + left) & 0xFF
            elif filter_type == 2:
                line[i] = (line[i] + up) & 0xFF
            elif filter_type == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                estimate = left + up - up_left
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - up_left))
                predictor = (left, up, up_left)[distances.index(min(distances))]
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(line)
        previous = line
    pixels = [(row[i], row[i + 1], row[i + 2]) for row in rows for i in range(0, stride, channels)]
    return width, height, pixels


def _near(colour: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target, strict=True))


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    configured = os.environ.get("CITECHECK_SCREENSHOT_DIR")
    directory = Path(configured) if configured else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)
def test_report_renders_tables_and_timelines_in_chromium(tmp_path: Path, screenshot_dir: Path) -> None:
    report = _resolved_report()
    stem = "bridge"
    names = timeline_names(report, stem)
    assert len(names) >= 2, names
    markdown = render_document_markdown(report, timelines=names)
    index_markdown = render_index_markdown(_summary(report))
    site = tmp_path / "site"
    site.mkdir()
    for name, svg in timeline_files(report, stem).items():
        (site / name).write_text(svg, encoding="utf-8")
    renderer = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    page = site / f"{stem}.html"
    page.write_text(HTML_PAGE.format(body=renderer.render(markdown)), encoding="utf-8")
    (site / "index.html").write_text(HTML_PAGE.format(body=renderer.render(index_markdown)), encoding="utf-8")

    dumped = run_chromium(["--virtual-time-budget=5000", "--dump-dom", page.as_uri()], tmp_path / "profile-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    severities = {finding.severity for finding in report.findings}
    assert len(severities) == 3
    assert dom.count("<table") == 3 + len(severities)  # summary, claims, references, one per severity
    # "Fix first" is the first thing after the summary table: a numbered list of kinds with counts.
    fix_first = dom.split('id="fix-first"')[1].split("</ol>")[0]
    assert "Sources lost, with no capture to fall back on</strong> (1)" in fix_first
    assert "Dead links with a repair ready to paste</strong> (1)" in fix_first
    assert dom.index('id="fix-first"') < dom.index("<h2>Findings</h2>") < dom.index("<h2>References</h2>")
    # The info findings and the uncited sentence are collapsed, and open to show what they hold.
    details = re.search(
        r'data-details-total="(\d+)" data-details-open="(\d+)" data-details-hidden="(\d+)" '
        r'data-details-shown-when-opened="(\d+)"',
        dom,
    )
    assert details is not None and details.groups() == ("2", "0", "2", "2"), details
    assert "<script>alert" not in dom
    loaded = re.search(r'data-images-total="(\d+)" data-images-loaded="(\d+)"', dom)
    assert loaded is not None, dom[-1500:]
    assert int(loaded[1]) == len(names) and int(loaded[2]) == len(names)
    for name in names.values():
        assert f'src="{name}"' in dom
    assert "data-versionurl" not in dom  # a wikitext document gets a wikitext repair
    assert "archive-url=https://web.archive.org/web/20110509101500/" in dom

    index_dom = run_chromium(["--dump-dom", (site / "index.html").as_uri()], tmp_path / "profile-index")
    assert index_dom.stdout.count("<table") == 2 and "Harbour Bridge length" in index_dom.stdout

    full_page = screenshot_dir / "report.png"
    shot = run_chromium(
        ["--virtual-time-budget=5000", f"--screenshot={full_page}", "--window-size=1200,2000", page.as_uri()],
        tmp_path / "profile-shot",
    )
    assert shot.returncode == 0 and full_page.exists(), shot.stderr[-2000:]
    width, height, pixels = _png_pixels(full_page)
    assert (width, height) == (1200, 2000)
    inked = sum(1 for pixel in pixels if pixel != (255, 255, 255))
    assert inked > len(pixels) // 50  # text, table borders and pictures, not a blank page

    # One timeline alone: its mismatch (archive URL 2011-06-01, capture 2011-08-20) must show in red.
    counts_id = next(reference.id for reference in report.references if reference.title == "Traffic counts")
    timeline_png = screenshot_dir / "timeline.png"
    single = run_chromium(
        [f"--screenshot={timeline_png}", "--window-size=660,320", (site / names[counts_id]).as_uri()],
        tmp_path / "profile-svg",
    )
    assert single.returncode == 0 and timeline_png.exists(), single.stderr[-2000:]
    _, _, svg_pixels = _png_pixels(timeline_png)
    red = sum(1 for pixel in svg_pixels if _near(pixel, MISMATCH_RED))
    assert red > 300, red
    # The opening reference has no mismatch: nothing in its picture is mismatch red.
    opening_id = next(reference.id for reference in report.references if reference.title == "Bridge opens to traffic")
    calm_png = screenshot_dir / "timeline-no-mismatch.png"
    calm = run_chromium(
        [f"--screenshot={calm_png}", "--window-size=660,320", (site / names[opening_id]).as_uri()],
        tmp_path / "profile-svg-calm",
    )
    assert calm.returncode == 0, calm.stderr[-2000:]
    _, _, calm_pixels = _png_pixels(calm_png)
    assert sum(1 for pixel in calm_pixels if _near(pixel, MISMATCH_RED, 20)) == 0
    assert sum(1 for pixel in calm_pixels if pixel != (255, 255, 255)) > 1000


@pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)
def test_a_split_report_renders_and_its_links_land_in_chromium(tmp_path: Path) -> None:
    """A report too large for one file: every part renders, and every link between parts reaches its anchor."""
    report = _resolved_report()
    template = next(claim for claim in report.claims if claim.refs)
    report.claims += [
        template.model_copy(update={"id": f"x{index}", "text": f"Claim {index} " + "words " * 50})
        for index in range(300)
    ]
    pages = render_document_files(report, "bridge", timelines=timeline_names(report, "bridge"), limit=30_000)
    assert len(pages) > 4 and all(len(text.encode()) <= 30_000 for text in pages.values())
    site = tmp_path / "site"
    site.mkdir()
    for name, svg in timeline_files(report, "bridge").items():
        (site / name).write_text(svg, encoding="utf-8")
    renderer = MarkdownIt("commonmark").enable("table")
    for name, text in pages.items():
        # GitHub shows a .md link as the rendered page; the local site does the same with .html.
        body = re.sub(r'href="([\w.-]+)\.md(#[\w-]+)?"', r'href="\1.html\2"', renderer.render(text))
        (site / name.replace(".md", ".html")).write_text(HTML_PAGE.format(body=body), encoding="utf-8")
    doms = {}
    for number, name in enumerate(sorted(pages)):
        html_name = name.replace(".md", ".html")
        dumped = run_chromium(["--dump-dom", (site / html_name).as_uri()], tmp_path / f"profile-{number}")
        assert dumped.returncode == 0, dumped.stderr[-2000:]
        doms[html_name] = dumped.stdout
    main = doms["bridge.html"]
    assert 'id="fix-first"' in main and "so it is split:" in main
    links = {
        (page, target, anchor)
        for page, dom in doms.items()
        for target, anchor in re.findall(r'href="(bridge[\w-]*\.html)#([\w-]+)"', dom)
    }
    assert len({target for _, target, _ in links}) >= 3  # links reach several other files
    for page, target, anchor in links:
        assert f'id="{anchor}"' in doms[target], (page, target, anchor)
    continued = [dom for name, dom in doms.items() if re.match(r"bridge-claims-\d+\.html", name)]
    assert continued and all("<table>" in dom and "<th>claim</th>" in dom for dom in continued)

"""Repairs on real articles' wikitext (../shared/wikipedia-samples): only the intended citations change.

Every citation the article itself marks dead gets a capture here; the
repaired wikitext must change exactly those citations (and drop their
``{{dead link}}`` tags), leave every other byte of the article alone, and
the diff must apply with patch(1).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import mwparserfromhell
import pytest

from citecheck.documents.wikitext import read_wikitext
from citecheck.models import ArchiveResult, ArchiveStatus, LiveCheck, LiveStatus, WikiRevision
from citecheck.reports.wikitext_diff import repaired_wikitext, wikitext_diff
from tests.conftest import shared_path

pytestmark = [pytest.mark.integration, pytest.mark.seeds]

MARKED_DEAD = {"dead-link", "url-status-dead", "permanent-dead-link"}


@pytest.mark.parametrize(
    "name",
    ["enwiki_Toronto.wikitext.txt", "enwiki_Anarchism.wikitext.txt", "enwiki_Mozilla_Firefox.wikitext.txt"],
)
def test_repairs_touch_only_the_dead_citations(name: str, tmp_path: Path) -> None:
    text = shared_path("wikipedia-samples", name).read_text(encoding="utf-8")
    document = read_wikitext(text, name)
    dead = [
        reference
        for reference in document.references
        if reference.url and not reference.archive_url and MARKED_DEAD & {str(flag) for flag in reference.source_flags}
    ]
    for number, reference in enumerate(dead):
        reference.live = LiveCheck(status=LiveStatus.dead, http_status=404)
        reference.archive = ArchiveResult(
            status=ArchiveStatus.found,
            archive="ia",
            snapshot_url=f"https://web.archive.org/web/2010010{number % 9 + 1}000000/{reference.url}",
            snapshot_time=datetime(2010, 1, number % 9 + 1, tzinfo=UTC),
        )
    repaired = repaired_wikitext(text, document.references)
    if not dead:
        assert repaired == text
        return
    assert repaired != text
    before, after = mwparserfromhell.parse(text), mwparserfromhell.parse(repaired)
    old_templates = [str(t) for t in before.filter_templates(recursive=True)]
    new_templates = [str(t) for t in after.filter_templates(recursive=True)]
    changed = [new for new in new_templates if new not in old_templates]
    urls = {reference.url for reference in dead}
    # Every new or changed template is a repaired citation of a dead URL, or a {{Webarchive}} for a bare link.
    for template in changed:
        assert any(url in template for url in urls if url), template[:120]
        assert "archive-url=https://web.archive.org/web/" in template or template.startswith("{{Webarchive")
    # Nothing else in the article changed: with the repaired pieces taken out, the texts agree.
    removed = [old for old in old_templates if old not in new_templates]
    assert all(
        any(url in old for url in urls if url)
        or mwparserfromhell.parse(old).filter_templates()[0].name.strip().lower() in {"dead link", "deadlink"}
        for old in removed
    )
    assert len(repaired) - len(text) < 400 * len(dead)

    revision = WikiRevision(
        wiki="https://en.wikipedia.org/w/",
        title=name.split("_", 1)[1].split(".")[0],
        revision=1,
        timestamp=datetime(2018, 1, 1, tzinfo=UTC),
        permalink="https://en.wikipedia.org/w/index.php?oldid=1",
    )
    diff = wikitext_diff(text, document.references, revision)
    target = tmp_path / f"{revision.title}@1"
    target.write_text(text, encoding="utf-8")
    (tmp_path / "repairs.diff").write_text(diff, encoding="utf-8")
    patch = subprocess.run(
        ["patch", "-p1", "-i", "repairs.diff", target.name], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    if patch.returncode == 127:  # pragma: no cover
        pytest.skip("patch(1) not installed")
    assert patch.returncode == 0, patch.stdout + patch.stderr
    assert target.read_text(encoding="utf-8") == repaired

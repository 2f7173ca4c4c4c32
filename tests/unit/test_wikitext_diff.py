"""Repairs as a unified diff of the pinned wikitext: what changes, what never does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from citecheck.models import ArchiveResult, ArchiveStatus, LiveCheck, LiveStatus, Reference, WikiRevision
from citecheck.reports.wikitext_diff import diff_is_needed, repaired_wikitext, wikitext_diff

DEAD = "https://news.example/2011/story"
ALIVE = "https://news.example/2012/alive"
SNAPSHOT = "https://web.archive.org/web/20110508101500/https://news.example/2011/story"
REVISION = WikiRevision(
    wiki="https://en.wikipedia.org/w/",
    title="Camp Ashraf",
    revision=424242,
    timestamp=datetime(2011, 6, 1, 12, 0, tzinfo=UTC),
    permalink="https://en.wikipedia.org/w/index.php?title=Camp_Ashraf&oldid=424242",
)


def dead(url: str = DEAD, snapshot: str = SNAPSHOT, **fields: object) -> Reference:
    return Reference(
        id="1",
        url=url,
        live=LiveCheck(status=LiveStatus.dead, http_status=404),
        archive=ArchiveResult(
            status=ArchiveStatus.found,
            archive="ia",
            snapshot_url=snapshot,
            snapshot_time=datetime(2011, 5, 8, 10, 15, tzinfo=UTC),
        ),
        **fields,  # type: ignore[arg-type]
    )


def alive(url: str = ALIVE, **fields: object) -> Reference:
    return Reference(id="2", url=url, live=LiveCheck(status=LiveStatus.alive, http_status=200), **fields)  # type: ignore[arg-type]


def test_a_dead_cite_template_gets_its_capture_in_the_articles_date_format() -> None:
    text = (
        "{{Use dmy dates|date=May 2011}}\nCamp Ashraf was raided.<ref>{{cite news |url=" + DEAD + " |title=Raid "
        "|work=The Times |date=14 April 2011 |access-date=8 May 2011 |deadurl=yes}}</ref>{{dead link|date=June 2011}} "
        "More text.\n"
    )
    repaired = repaired_wikitext(text, [dead()])
    assert f"|archive-url={SNAPSHOT} " in repaired
    assert "|archive-date=8 May 2011 " in repaired
    assert "|url-status=dead" in repaired and "deadurl" not in repaired
    assert "{{dead link" not in repaired  # the citation now names its capture
    assert repaired.startswith("{{Use dmy dates|date=May 2011}}\nCamp Ashraf was raided.")
    assert repaired.endswith(" More text.\n")


def test_iso_and_mdy_dates_are_followed() -> None:
    iso = repaired_wikitext(f"<ref>{{{{cite web|url={DEAD}|title=T|access-date=2011-05-08}}}}</ref>", [dead()])
    assert "|archive-date=2011-05-08" in iso
    mdy = repaired_wikitext(f"<ref>{{{{cite web |url={DEAD} |title=T |access-date=May 8, 2011}}}}</ref>", [dead()])
    assert "|archive-date=May 8, 2011" in mdy


def test_a_bare_link_gets_a_webarchive_template_once() -> None:
    text = f"Raid.<ref>[{DEAD} The raid] The Times.</ref>"
    repaired = repaired_wikitext(text, [dead()])
    assert (
        repaired == f"Raid.<ref>[{DEAD} The raid] {{{{Webarchive |url={SNAPSHOT} |date=2011-05-08}}}} The Times.</ref>"
    )
    already = f"Raid.<ref>[{DEAD} The raid] {{{{Webarchive |url={SNAPSHOT} |date=2011-05-08}}}}</ref>"
    assert repaired_wikitext(already, [dead(archive_url=SNAPSHOT)]) == already


def test_a_link_marked_dead_that_answers_again_is_marked_live() -> None:
    text = (
        f"<ref>{{{{cite web |url={ALIVE} |title=T |archive-url=https://web.archive.org/web/2012/{ALIVE} "
        "|archive-date=2012-06-06 |url-status=dead}}</ref> "
        f"<ref>[{ALIVE}/other Other]</ref>{{{{dead link|date=May 2013}}}}"
    )
    references = [alive(archive_url=f"https://web.archive.org/web/2012/{ALIVE}"), alive(url=f"{ALIVE}/other")]
    assert diff_is_needed(references[:1])
    repaired = repaired_wikitext(text, references)
    assert "|url-status=live}}" in repaired
    assert "{{dead link" not in repaired


def test_a_capture_url_cannot_break_out_of_the_template() -> None:
    text = f"<ref>{{{{cite web |url={DEAD} |title=T}}}}</ref>"
    repaired = repaired_wikitext(text, [dead(snapshot="https://web.archive.org/web/2011/x|y=z}}")])
    assert "|archive-url=https://web.archive.org/web/2011/x%7Cy=z%7D%7D " in repaired
    assert repaired.count("|") == text.count("|") + 3  # archive-url, archive-date, url-status: nothing more


def test_a_gone_link_already_archived_but_called_live_becomes_dead() -> None:
    text = f"<ref>{{{{cite web |url={DEAD} |title=T |archive-url={SNAPSHOT} |archive-date=2011-05-08 "
    text += "|url-status=live}}</ref>"
    reference = dead(archive_url=SNAPSHOT)
    assert repaired_wikitext(text, [reference]).count("|url-status=dead}}") == 1


@pytest.mark.parametrize(
    "reference",
    [
        alive(),  # alive and not marked dead: nothing to repair
        dead(snapshot="javascript:alert(1)"),  # an unsafe capture URL is never written into the article
        Reference(id="3", url=DEAD, live=LiveCheck(status=LiveStatus.unreachable)),  # inconclusive: never a change
    ],
)
def test_nothing_changes_without_a_safe_repair(reference: Reference) -> None:
    text = f"<ref>{{{{cite web |url={reference.url} |title=T}}}}</ref> text"
    assert repaired_wikitext(text, [reference]) == text
    assert wikitext_diff(text, [reference], REVISION) == ""


def test_the_diff_names_the_revision_and_applies_as_a_patch(tmp_path: object) -> None:
    text = f"Line one.\n\nRaid.<ref>{{{{cite web |url={DEAD} |title=T}}}}</ref>\n\nLast line without newline"
    diff = wikitext_diff(text, [dead()], REVISION)
    lines = diff.splitlines()
    assert lines[0].startswith("# citecheck: suggested repairs for [[Camp Ashraf]], revision 424242")
    assert "--- a/Camp_Ashraf@424242" in lines and "+++ b/Camp_Ashraf" in lines
    assert sum(1 for line in lines if line.startswith("-") and not line.startswith("---")) == 1
    assert diff.endswith("Last line without newline\n\\ No newline at end of file\n")  # as diff(1) writes it
    import subprocess
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "Camp_Ashraf@424242").write_text(text, encoding="utf-8")
    (folder / "repairs.diff").write_text(diff, encoding="utf-8")
    patch = subprocess.run(
        ["patch", "--dry-run", "-p1", "-i", "repairs.diff", "Camp_Ashraf@424242"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if patch.returncode == 127:  # pragma: no cover - no patch(1) on this machine
        pytest.skip("patch(1) not installed")
    assert patch.returncode == 0, patch.stdout + patch.stderr

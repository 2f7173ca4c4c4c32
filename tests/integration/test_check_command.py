"""``citecheck check`` end to end: pasted lines, cite templates and URLs; offline and against a loopback web."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli import main
from citecheck.config import AuditOptions
from citecheck.models import ArchiveStatus, LiveStatus
from citecheck.single import check_citation
from tests.conftest import shared_path
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import WebWorld, running_world

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _check(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _fields(stdout: str) -> dict[str, str]:
    """``label: value`` lines of the plain verdict."""
    pairs = (line.split(": ", 1) for line in stdout.splitlines() if ": " in line and not line.startswith("CC"))
    return {label.strip(): value for label, value in pairs}


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # check reads citecheck.toml/pyproject.toml from the working directory; keep the repository's out of it.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)


# --------------------------------------------------------------------------- offline


def test_pasted_reference_line_shows_only_parsed_fields() -> None:
    line = 'Doe, Jane (3 March 2020). "Harvest figures revised". The Daily Example. Retrieved 9 March 2020.'
    code, out, _ = _check([line, "--offline"])
    assert code == 0
    fields = _fields(out)
    assert fields["title"] == "Harvest figures revised"
    assert fields["published"] == "2020-03-03"
    assert fields["accessed"] == "2020-03-09"
    assert fields["verdict"].startswith("no problems found offline")
    # No URL: neither a live line nor a snapshot line, and absent fields are not printed as "None".
    assert "live" not in fields and "snapshot" not in fields and "archived" not in fields
    assert "None" not in out
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_cite_template_marked_dead_in_source() -> None:
    template = (
        "{{cite web |url=http://example.org/harvest |title=Harvest figures |work=Daily Ledger "
        "|date=2 May 2011 |access-date=8 May 2011 |url-status=dead}}"
    )
    code, out, _ = _check([template, "--offline", "--format", "json"])
    payload = json.loads(out)
    reference = payload["reference"]
    assert reference["kind"] == "template"
    assert reference["url"] == "http://example.org/harvest"
    assert (reference["date"], reference["access_date"]) == ("2011-05-02", "2011-05-08")
    assert reference["live"]["status"] == "not-checked"
    codes = [finding["code"] for finding in payload["findings"]]
    assert "CC103" in codes
    assert payload["network"]["mode"] == "offline"
    assert code == payload["exit_code"]


def test_url_with_accessed_offline_says_what_was_not_checked() -> None:
    code, out, _ = _check(["https://example.org/report", "--accessed", "2 March 2025", "--offline"])
    assert code == 0
    fields = _fields(out)
    assert fields["url"] == "https://example.org/report"
    assert fields["accessed"] == "2025-03-02"
    assert fields["live"].startswith("not checked")
    assert fields["snapshot"].startswith("not checked")
    assert "note: Offline" in out


def test_accessed_before_published_fails_with_an_error_finding() -> None:
    line = '"Budget approved". The Daily Example. 14 April 2011. Retrieved 8 April 2011.'
    code, out, _ = _check([line, "--offline"])
    assert code == 1
    assert _fields(out)["verdict"] == "problems: 1 error"
    assert re.search(r"^CC401 error accessed-before-published: ", out, re.MULTILINE)
    assert _check([line, "--offline", "--fail-on", "never"])[0] == 0


def test_markdown_format_escapes_untrusted_text() -> None:
    line = '"Pipes | and [links](javascript:alert(1))". Example Press. 2019. https://example.org/a|b'
    code, out, _ = _check([line, "--offline", "--format", "md"])
    assert code == 0
    table_rows = [row for row in out.splitlines() if row.startswith("| ")]
    assert table_rows[0] == "| field | value |"
    # Every row keeps exactly two cells: the title's pipe is escaped.
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 3 for row in table_rows)
    assert not re.search(r"(?<!\\)\]\(javascript:", out)  # the brackets are escaped: no link is formed


def test_colour_only_when_asked_and_control_characters_never_reach_the_terminal() -> None:
    line = '"Evil \x1b[2J title". Example Press. 2019. Retrieved 5 May 2019.'
    code, coloured, _ = _check([line, "--offline", "--color"])
    assert code == 0
    assert "\x1b[" in coloured  # rich styles
    assert "\x1b[2J" not in coloured  # the title's own escape sequence was stripped
    assert "Evil" in ANSI_ESCAPE.sub("", coloured)
    _, plain, _ = _check([line, "--offline", "--no-color"])
    assert "\x1b" not in plain
    assert _fields(plain)["title"] == "Evil [2J title"


def test_bad_input_exits_2_with_one_line() -> None:
    code, out, err = _check(["ftp://example.org/file", "--offline"])
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "only http(s)" in err
    code, _, err = _check(["https://example.org/", "--accessed", "someday", "--offline"])
    assert code == 2 and "--accessed" in err


def test_real_seed_reference_line(seeds_dir: Path) -> None:
    seed = next(iter(sorted(seeds_dir.glob("*.txt"))))
    line = next(
        row.strip()
        for row in seed.read_text(encoding="utf-8").splitlines()
        if "David Jolly" in row and "Retrieved" in row
    )
    code, out, _ = _check([line, "--offline", "--format", "json"])
    reference = json.loads(out)["reference"]
    assert reference["authors"] == ["David Jolly"]
    assert (reference["date"], reference["access_date"]) == ("2011-04-13", "2011-05-08")
    assert code == 0


def test_real_wikipedia_template_with_impossible_access_date() -> None:
    wikitext = shared_path("wikipedia-samples", "enwiki_Toronto.wikitext.txt").read_text(encoding="utf-8")
    match = re.search(r"<ref name=2011censusdiv>(\{\{cite web.*?\}\})</ref>", wikitext, re.DOTALL)
    assert match is not None
    code, out, _ = _check([match.group(1), "--offline", "--format", "json"])
    payload = json.loads(out)
    assert payload["reference"]["access_date"] == "2007-02-08"
    assert "CC401" in [finding["code"] for finding in payload["findings"]]
    assert code == 1


# --------------------------------------------------------------------------- online, loopback


@pytest.fixture(scope="module")
def web() -> Iterator[WebWorld]:
    with running_world() as world:
        yield world


@pytest.fixture(scope="module")
def archive(web: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveWorld]:
    captures = [Capture(web.url("news", "/articles/withdrawn"), at("2012-03-01T08:00:00"))]
    with ArchiveWorld(tmp_path_factory.mktemp("pywb"), captures) as world:
        yield world


def _online_args(web: WebWorld, archive: ArchiveWorld, cache: Path) -> list[str]:
    return [
        "--archive",
        archive.archive_url,
        "--cache",
        str(cache),
        "--allow-private",
        "--canary",
        web.url("news", "/"),
    ]


@pytest.mark.integration
def test_url_online_then_from_the_cache(web: WebWorld, archive: ArchiveWorld, tmp_path: Path) -> None:
    url = web.url("news", "/articles/withdrawn")
    args = [url, "--accessed", "2012-03-02", *_online_args(web, archive, tmp_path / "cache.sqlite")]
    before = len(web.requests)
    code, out, _ = _check(args)
    assert code == 0  # a first, unconfirmed death is a warning
    fields = _fields(out)
    assert fields["live"].startswith("dead (not yet confirmed) · HTTP 410")
    assert fields["snapshot"].startswith("found · 2012-03-01 · 1 day before the access date")
    assert "/20120301080000/" in out
    assert re.search(r"^CC201 warning dead-link: ", out, re.MULTILINE)
    assert len(web.requests) > before

    # Second run: every answer is in the store, so nothing is asked of the web (canary included).
    seen = len(web.requests)
    code, out_json, _ = _check([*args, "--format", "json"])
    payload = json.loads(out_json)
    assert payload["from_cache"] is True
    assert len(web.requests) == seen
    assert payload["reference"]["live"]["status"] == "dead"
    assert payload["reference"]["live"]["http_status"] == 410
    assert payload["reference"]["archive"]["status"] == "found"
    assert "CC201" in [finding["code"] for finding in payload["findings"]]
    assert "cache" in payload["network"]["message"].lower()

    # --refresh asks the web again.
    _check([*args, "--refresh"])
    assert len(web.seen("news", "/articles/withdrawn")) >= 2


@pytest.mark.integration
def test_cached_answer_is_fast_and_stale_answers_are_not_used(
    web: WebWorld, archive: ArchiveWorld, tmp_path: Path
) -> None:
    options = AuditOptions(
        cache=tmp_path / "cache.sqlite",
        archives=[archive.archive_url],
        allow_private=True,
        canary=[web.url("news", "/")],
    )
    url = web.url("news", "/articles/harvest-2011")
    first = check_citation(url, accessed="2011-05-08", offline=False, options=options)
    assert not first.from_cache and first.reference.live.status == LiveStatus.alive
    assert first.reference.archive.status == ArchiveStatus.none

    second = check_citation(url, accessed="2011-05-08", offline=False, options=options)
    assert second.from_cache  # no request sent (speed itself is measured in benchmarks/bench_ux.py, not here)
    assert second.reference.live.status == LiveStatus.alive
    assert second.reference.archive.status == ArchiveStatus.none
    assert [f.code for f in second.findings] == [f.code for f in first.findings]
    # The cached verdict is the one the network gave: same live result, capture and source read.
    assert second.reference.live == first.reference.live
    assert second.reference.archive == first.reference.archive
    assert second.reference.source == first.reference.source
    assert second.reference.source.status == "fetched"  # the alive page was read

    from datetime import timedelta

    stale = check_citation(url, accessed="2011-05-08", offline=False, options=options, live_ttl=timedelta(0))
    assert not stale.from_cache

    # A different access date is a different archive lookup: not in the cache yet.
    other_day = check_citation(url, accessed="2011-06-20", offline=False, options=options)
    assert not other_day.from_cache


@pytest.mark.integration
def test_redirect_shows_final_url(web: WebWorld, archive: ArchiveWorld, tmp_path: Path) -> None:
    url = web.url("news", "/moved-away")
    code, out, _ = _check([url, *_online_args(web, archive, tmp_path / "cache.sqlite")])
    live = _fields(out)["live"]
    assert "HTTP 200" in live
    assert f"→ {web.url('newhome', '/news/harvest-2011')}" in live
    assert code in (0, 1)


@pytest.mark.integration
def test_network_down_is_never_dead(tmp_path: Path) -> None:
    from tests.integration.web_world import closed_port_url

    url = closed_port_url("127.0.0.34") + "articles/withdrawn"
    dead_archive = f"{closed_port_url().rstrip('/')}/coll"
    args = ["--allow-private", "--cache", str(tmp_path / "c.sqlite"), "--canary", closed_port_url()]
    code, out, _ = _check([url, *args, "--archive", dead_archive])
    assert code == 0
    assert _fields(out)["live"].startswith("not checked")
    assert "CC201" not in out
    assert "unreachable" in out.lower()


@pytest.mark.integration
def test_a_server_that_answered_is_judged_though_canary_and_archive_are_down(web: WebWorld, tmp_path: Path) -> None:
    from tests.integration.web_world import closed_port_url

    url = web.url("news", "/articles/withdrawn")
    dead_archive = f"{closed_port_url().rstrip('/')}/coll"
    args = ["--allow-private", "--cache", str(tmp_path / "c.sqlite"), "--canary", closed_port_url()]
    code, out, _ = _check([url, *args, "--archive", dead_archive, "--format", "json"])
    payload = json.loads(out)
    assert payload["reference"]["live"]["status"] == "dead" and payload["reference"]["live"]["http_status"] == 410
    assert payload["reference"]["archive"]["status"] == "not-checked"
    assert code == 0  # unconfirmed (one check): a warning


@pytest.mark.parametrize(
    ("pasted", "number"),
    [
        ('12. 12.0 12.1 Doe, Jane (3 March 2020). "A title". Retrieved 9 March 2020.', 12),
        ('[7] Doe, Jane (3 March 2020). "A title". Retrieved 9 March 2020.', 7),
        ('Doe, Jane (3 March 2020). "A title". Retrieved 9 March 2020.', None),
    ],
)
def test_list_numbers_and_backlinks_pasted_with_the_line_are_not_authors(pasted: str, number: int | None) -> None:
    _, out, _ = _check([pasted, "--offline", "--format", "json"])
    reference = json.loads(out)["reference"]
    assert reference["authors"] == ["Jane Doe"]
    assert reference["number"] == number
    assert reference["title"] == "A title"


def test_an_archive_setting_no_server_can_have_is_a_usage_error_said_once() -> None:
    """Every input would fail on it: exit 2 with what to write, not an internal error per line."""
    code, out, err = _check(["https://example.org/a", "--archive", "https://web.archive.org:99999"])
    assert code == 2 and out == ""
    assert err.count("citecheck: error:") == 1
    assert "port 99999" in err and "write a port from 1 to 65535" in err and "internal error" not in err

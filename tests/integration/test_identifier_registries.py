"""DOIs against a loopback DOI handle API and Crossref, through the real stage and the `check` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.checks.identifiers import identifier_findings
from citecheck.cli import main
from citecheck.dates import PartialDate
from citecheck.models import Identifiers, ParsedDocument, Reference, RegistryStatus
from citecheck.resolve.identifiers import IdentifierSettings, apply_doi_records, document_dois, resolve_dois
from tests.integration.registry_world import (
    CLEAN,
    CORRECTED,
    DATACITE,
    GARBAGE,
    MISSING,
    NOTICE,
    RATE_LIMITED,
    RETRACTED,
    RegistryWorld,
)
from tests.integration.web_world import WebWorld, html

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def registries() -> Iterator[RegistryWorld]:
    web = WebWorld()
    web.add_site("news", "127.0.0.2").route("/", html("Front page", "<p>News.</p>"))
    world = RegistryWorld(web)
    web.start()
    try:
        yield world
    finally:
        web.stop()


def _reference(ref_id: str, doi: str, title: str | None = None, year: int | None = None) -> Reference:
    return Reference(
        id=ref_id,
        title=title,
        date=PartialDate(year=year) if year else None,
        identifiers=Identifiers(doi=doi),
    )


def _document() -> ParsedDocument:
    references = [
        _reference("retracted", RETRACTED.upper(), "Harvest yields under drought", 2011),
        _reference("corrected", CORRECTED, "Soil moisture in terraced fields", 2011),  # online first, Dec 2011
        _reference("clean", CLEAN, "Snowfall in the mountains", 2009),
        _reference("datacite", DATACITE, "A dataset"),
        _reference("missing", MISSING, "Never registered"),
        _reference("busy", RATE_LIMITED, "Orchard pests", 2015),
        _reference("garbage", GARBAGE, "Broken record", 2016),
        _reference("notice", NOTICE),
        Reference(id="book", title="A book", identifiers=Identifiers(isbn="9780306406158")),  # check digit 7
    ]
    return ParsedDocument(path="doc.md", format="markdown", references=references)


def _codes(document: ParsedDocument) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for reference in document.references:
        for finding in identifier_findings(reference):
            found.setdefault(reference.id, set()).add(finding.code)
    return found


async def test_the_stage_reads_registrations_retractions_and_mismatches(
    registries: RegistryWorld, tmp_path: Path
) -> None:
    settings = IdentifierSettings(
        store_path=str(tmp_path / "cache.sqlite"),
        allow_private=True,
        contact="editor@example.org",
        mailto="editor@example.org",
        doi_api=registries.doi_api,
        crossref_api=registries.crossref_api,
    )
    document = _document()
    dois = document_dois([document])
    assert len(dois) == 8
    records = await resolve_dois(dois, settings)
    apply_doi_records([document], records)
    by_id = {reference.id: reference for reference in document.references}

    retracted = by_id["retracted"].doi_record
    assert retracted is not None and retracted.status is RegistryStatus.registered and retracted.agency == "crossref"
    assert retracted.url == "https://journals.example.org/article/harvest.2011.042"  # the handle's URL, not fetched
    assert [notice.source for notice in retracted.updated_by] == ["publisher", "retraction-watch"]
    assert by_id["notice"].doi_record is not None and by_id["notice"].doi_record.updates[0].doi == RETRACTED
    assert by_id["garbage"].doi_record is not None and by_id["garbage"].doi_record.status is RegistryStatus.registered
    assert "garbage" in (by_id["garbage"].doi_record.reason or "")
    assert by_id["busy"].doi_record is not None and by_id["busy"].doi_record.title == "Orchard pests"  # after 429

    codes = _codes(document)
    assert codes["retracted"] == {"CC701"}  # the title matches once the markup goes
    retraction = identifier_findings(by_id["retracted"])[0]
    assert (
        retraction.severity.value == "error"
        and NOTICE in retraction.message
        and "Retraction Watch" in retraction.message
    )
    assert codes["corrected"] == {"CC702"}
    assert codes["clean"] == {"CC704", "CC705"}
    assert codes["missing"] == {"CC703"}
    assert codes["book"] == {"CC706"}
    assert "datacite" not in codes and "busy" not in codes and "garbage" not in codes and "notice" not in codes

    # Crossref was asked politely: mailto and a User-Agent with a contact, every time.
    crossref = registries.seen("crossref")
    assert crossref and all("mailto=editor%40example.org" in r.path for r in crossref)
    assert all("editor@example.org" in r.headers["user-agent"] for r in crossref)
    assert not registries.seen("crossref") or all(r.path.startswith("/works/") for r in crossref)
    assert any(r.path.startswith("/works/") and "busy" in r.path for r in crossref[1:])  # asked again after 429

    # Offline, the store answers; what no service answered stays not-checked, and nothing is sent.
    before = len(registries.world.requests)
    offline = _document()
    records = await resolve_dois(document_dois([offline]), IdentifierSettings(**{**settings.__dict__, "offline": True}))
    apply_doi_records([offline], records)
    assert len(registries.world.requests) == before
    assert _codes(offline) == codes
    garbage = next(reference for reference in offline.references if reference.id == "garbage").doi_record
    assert garbage is not None and garbage.status is RegistryStatus.not_checked


def _config(tmp_path: Path, registries: RegistryWorld) -> Path:
    config = tmp_path / "citecheck.toml"
    config.write_text(
        "\n".join(
            [
                "allow-private = true",
                f'doi-api = "{registries.doi_api}"',
                f'crossref-api = "{registries.crossref_api}"',
                f'canary = ["{registries.world.url("news", "/")}"]',
                f'cache = "{tmp_path / "cache.sqlite"}"',
                'contact = "editor@example.org"',
            ]
        ),
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("given", [RETRACTED, f"doi:{RETRACTED}", f"https://doi.org/{RETRACTED}"])
def test_check_takes_a_doi_and_gives_the_retraction_as_an_error(
    registries: RegistryWorld, tmp_path: Path, given: str
) -> None:
    config = _config(tmp_path, registries)
    result = CliRunner().invoke(main, ["check", given, "--config", str(config), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["reference"]["identifiers"]["doi"].lower() == RETRACTED
    assert data["reference"]["url"] is None  # the landing page is never the citation's URL
    assert [finding["code"] for finding in data["findings"] if finding["code"].startswith("CC7")] == ["CC701"]


def test_check_refuses_a_doi_with_invalid_syntax_in_one_line(registries: RegistryWorld, tmp_path: Path) -> None:
    config = _config(tmp_path, registries)
    result = CliRunner().invoke(main, ["check", "doi:10.abc/", "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "not a valid DOI" in result.output


async def test_registries_that_are_down_are_inconclusive_never_a_finding(tmp_path: Path) -> None:
    from tests.integration.pywb_world import closed_port

    down = f"http://127.0.0.1:{closed_port()}"
    settings = IdentifierSettings(
        store_path=str(tmp_path / "cache.sqlite"), allow_private=True, doi_api=f"{down}/api/handles", crossref_api=down
    )
    document = _document()
    apply_doi_records([document], await resolve_dois(document_dois([document]), settings))
    assert all(
        reference.doi_record is None or reference.doi_record.status is RegistryStatus.not_checked
        for reference in document.references
    )
    assert _codes(document) == {"book": {"CC706"}}  # the offline ISBN check still runs
    # Nothing was kept: the next run asks again.
    again = await resolve_dois([CLEAN], IdentifierSettings(**{**settings.__dict__, "offline": True}))
    assert again[CLEAN].status is RegistryStatus.not_checked


def test_an_audit_flags_a_cited_retraction_in_a_document(registries: RegistryWorld, tmp_path: Path) -> None:
    from citecheck import AuditOptions, audit

    document = tmp_path / "article.wiki"
    document.write_text(
        "Yields fell under drought.<ref>{{cite journal |last=Reyes |first=Ana |title=Harvest yields under drought "
        f"|journal=Journal of Valley Agriculture |year=2011 |doi={RETRACTED}}}}}</ref> Rain was scarce.<ref>"
        f"{{{{cite journal |title=Rainfall in the valley |year=2010 |doi={CLEAN} |isbn=978-0-306-40615-8}}}}</ref>\n",
        encoding="utf-8",
    )
    options = AuditOptions(
        out=tmp_path / "reports",
        cache=tmp_path / "cache.sqlite",
        allow_private=True,
        canary=[registries.world.url("news", "/")],
        archives=[f"warc:{tmp_path / 'none.warc.gz'}"],
        doi_api=registries.doi_api,
        crossref_api=registries.crossref_api,
    )
    result = audit([document], options)
    report = result.reports[0]
    codes = sorted(finding.code for finding in report.findings if finding.code.startswith("CC7"))
    assert codes == ["CC701", "CC706"]
    assert result.exit_code == 1
    markdown = (tmp_path / "reports" / "article.md").read_text(encoding="utf-8")
    assert "retracted-source" in markdown and NOTICE in markdown


def test_one_audit_sends_every_request_through_one_client(
    registries: RegistryWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live checks, archive lookups and DOI lookups of one run share one WebClient (one pool, one politeness)."""
    from citecheck import AuditOptions, audit
    from citecheck.resolve import web as web_module

    made: list[object] = []
    original = web_module.WebClient.__init__

    def counted(self: object, *args: object, **kwargs: object) -> None:
        made.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(web_module.WebClient, "__init__", counted)
    document = tmp_path / "article.wiki"
    story = registries.world.url("news", "/articles/harvest-2011")
    document.write_text(
        "Yields fell under drought.<ref>{{cite journal |last=Reyes |first=Ana |title=Harvest yields under drought "
        f"|journal=Journal of Valley Agriculture |year=2011 |doi={RETRACTED}}}}}</ref> The harvest was revised."
        f"<ref>{{{{cite web |url={story} |title=Harvest figures revised |access-date=2011-05-08}}}}</ref>\n",
        encoding="utf-8",
    )
    options = AuditOptions(
        out=tmp_path / "reports",
        cache=tmp_path / "cache.sqlite",
        allow_private=True,
        canary=[registries.world.url("news", "/")],
        archives=[f"warc:{tmp_path / 'none.warc.gz'}"],
        doi_api=registries.doi_api,
        crossref_api=registries.crossref_api,
    )
    report = audit([document], options).reports[0]
    assert any(finding.code == "CC701" for finding in report.findings)  # the DOI was looked up
    checked = [reference.live for reference in report.references if reference.url == story]
    assert checked and checked[0].http_status is not None  # the URL was checked: the server answered
    assert len(made) == 1

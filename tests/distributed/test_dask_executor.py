"""The Dask path writes the same reports as the single-machine path.

A real ``distributed.LocalCluster`` (two worker processes) parses the
documents and resolves URL partitions against the loopback web and a real
pywb archive; the reports are compared with the in-process run's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import ParsedDocument, Reference
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.plan import ResolvePlan, UrlWork, plan_resolution
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import WebWorld, running_world

pytest.importorskip("distributed")
pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Stateless routes only: both runs must meet the same web.
ROUTES = [
    ("news", "/articles/harvest-2011"),
    ("news", "/articles/withdrawn"),
    ("news", "/articles/soft-missing"),
    ("news", "/articles/retired"),
    ("news", "/articles/never-existed"),
    ("news", "/chain/1"),
    ("parked", "/2010/article"),
    ("botwall", "/story"),
    ("catchall", "/stories/2011/vanished-report"),
]


@pytest.fixture(scope="module")
def web() -> Iterator[WebWorld]:
    with running_world() as world:
        yield world


@pytest.fixture(scope="module")
def archive(web: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveWorld]:
    captures = [
        Capture(web.url("news", "/articles/harvest-2011"), at("2011-05-06T10:00:00")),
        Capture(web.url("news", "/articles/withdrawn"), at("2012-03-01T08:00:00")),
        Capture(web.url("parked", "/2010/article"), at("2010-07-01T00:00:00")),
    ]
    with ArchiveWorld(tmp_path_factory.mktemp("pywb"), captures) as world:
        yield world


def _corpus(web: WebWorld, folder: Path) -> Path:
    """Six documents in three formats citing overlapping URLs (so deduplication matters)."""
    folder.mkdir()
    urls = [web.url(site, path) for site, path in ROUTES]
    for index in range(6):
        cited = [urls[(index + step) % len(urls)] for step in range(4)]
        lines = [f"# Report {index}", ""]
        lines += [f"Finding {n} of report {index} rests on a source.[^s{n}]" for n in range(len(cited))]
        lines.append("")
        lines += [
            f'[^s{n}]: "Story {n}". Daily Ledger. 2 May 2011. {url} Retrieved 8 May 2011.'
            for n, url in enumerate(cited)
        ]
        (folder / f"report-{index}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "broken.html").write_bytes(b"\x00\x01\x02 binary, not a document")
    return folder


def _options(tmp_path: Path, name: str, web: WebWorld, archive: ArchiveWorld, **extra: object) -> AuditOptions:
    return AuditOptions(
        out=tmp_path / name / "reports",
        cache=tmp_path / name / "cache.sqlite",
        archives=[archive.archive_url],
        allow_private=True,
        canary=[web.url("news", "/")],
        **extra,  # type: ignore[arg-type]
    )


def _outputs(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}


# Times of our own requests differ between two runs against the live web; nothing else may.
_CHECKED_AT = re.compile(r'"checked_at": "[^"]+"')


def test_dask_reports_equal_local_reports(
    web: WebWorld, archive: ArchiveWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    corpus = _corpus(web, tmp_path / "corpus")
    local = audit([corpus], _options(tmp_path, "local", web, archive))
    distributed = audit([corpus], _options(tmp_path, "dask", web, archive, executor="dask", workers=2))

    assert local.summary.network.mode == "online", local.summary.network.message
    assert distributed.summary.network.mode == "online"
    assert len(local.reports) == 6 and len(local.summary.errors) == 1
    local_files, dask_files = _outputs(tmp_path / "local" / "reports"), _outputs(tmp_path / "dask" / "reports")
    assert local_files.keys() == dask_files.keys()
    for name, text in local_files.items():
        assert _CHECKED_AT.sub("", text) == _CHECKED_AT.sub("", dask_files[name]), name
    statuses = {ref.url: ref.live.status.value for report in distributed.reports for ref in report.references}
    assert statuses[web.url("news", "/articles/withdrawn")] == "dead"
    assert statuses[web.url("botwall", "/story")] == "blocked"


def test_dask_offline_reports_are_byte_identical(
    web: WebWorld, archive: ArchiveWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    corpus = _corpus(web, tmp_path / "corpus")
    audit([corpus], _options(tmp_path, "local", web, archive, offline=True))
    audit([corpus], _options(tmp_path, "dask", web, archive, offline=True, executor="dask", workers=2))
    assert _outputs(tmp_path / "local" / "reports") == _outputs(tmp_path / "dask" / "reports")


def test_dask_cluster_limit_uses_a_distributed_semaphore(web: WebWorld, archive: ArchiveWorld, tmp_path: Path) -> None:
    corpus = _corpus(web, tmp_path / "corpus")
    capped = audit([corpus], _options(tmp_path, "capped", web, archive, executor="dask", workers=2, cluster_limit=1))
    assert capped.summary.network.mode == "online"
    assert sum(len(report.references) for report in capped.reports) == 24


def test_source_addresses_reach_every_partition_and_the_single_process_run(
    web: WebWorld, archive: ArchiveWorld, tmp_path: Path
) -> None:
    """--source-address: Dask partitions leave from the given addresses round-robin; one process from the first."""
    corpus = _corpus(web, tmp_path / "corpus")
    addresses = ["127.0.0.61", "127.0.0.62"]
    before = len(web.requests)
    audit([corpus], _options(tmp_path, "dask", web, archive, executor="dask", workers=2, source_addresses=addresses))
    clients = {request.client for request in web.requests[before:]}
    assert clients and clients <= set(addresses), clients
    assert clients == set(addresses)  # two partitions, two addresses
    before = len(web.requests)
    audit([corpus], _options(tmp_path, "local", web, archive, source_addresses=addresses, live_reuse_hours=0))
    assert {request.client for request in web.requests[before:]} == {"127.0.0.61"}


def _reference(url: str) -> Reference:
    return Reference(id=url, url=url, raw=url)


def test_partition_keeps_hosts_together_and_loses_nothing() -> None:
    hosts = ["a.example", "b.example", "www.b.example", "c.example", "d.example"]
    urls = tuple(f"https://{host}/page/{n}" for host in hosts for n in range(1 + len(host) % 3))
    plan = ResolvePlan(
        urls=tuple(
            UrlWork(url, True, (SnapshotRequest(url=url),), (), True, (f"doc\x1f{index}",))
            for index, url in enumerate(urls)
        )
    )
    parts = plan.partition(3)
    assert len(parts) == 3
    assert sorted(url for part in parts for url in part.live_urls) == sorted(urls)
    assert sorted(r.url for part in parts for r in part.archive_requests) == sorted(urls)
    for part in parts:
        owners = {host.removeprefix("www.") for url in part.live_urls for host in [url.split("/")[2]]}
        for other in parts:
            if other is not part:
                assert not owners & {url.split("/")[2].removeprefix("www.") for url in other.live_urls}
    assert ResolvePlan().partition(4) == []
    (whole,) = plan.partition(1)
    assert sorted(whole.live_urls) == sorted(plan.live_urls)


def test_plan_deduplicates_across_documents() -> None:
    shared = "https://news.example/story"
    documents = [
        ParsedDocument(path=f"d{n}.md", format="markdown", references=[_reference(shared), _reference(f"{shared}/{n}")])
        for n in range(3)
    ]
    plan = plan_resolution(documents)
    assert plan.live_urls == (shared, f"{shared}/0", f"{shared}/1", f"{shared}/2")
    assert len(plan.archive_requests) == 4
    assert json.dumps(sorted(plan.live_urls))  # picklable/serialisable plain data

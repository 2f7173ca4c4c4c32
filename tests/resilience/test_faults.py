"""The whole audit against a web and an archive that misbehave in every way a real one does.

One run over generated documents whose citations point at sites answering
429 storms (with Retry-After), 503s, resets half-way through the body,
accepted-but-silent connections, a Retry-After far beyond our cap, a closed
port — and at a real pywb behind a proxy that rate-limits and then dies
half-way through the archive stage.  The audit must not crash, lose no
reference, send nothing to a pool before its Retry-After, and call nothing
dead that it merely could not reach.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from citecheck import AuditOptions, audit
from citecheck.models import ArchiveStatus, LiveStatus
from citecheck.resolve import settings as resolve_settings_module
from citecheck.resolve.archive.pywb import FAST_INDEX_POLICY, FAST_PLAYBACK_POLICY
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.web_settings import WebSettings
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import closed_port_url
from tests.resilience.fault_world import (
    Answer,
    DyingArchiveProxy,
    FaultRequest,
    FaultWorld,
    Hit,
    RateLimitSent,
    TrafficLog,
    not_found,
    page,
    rate_limited,
    retry_after_violations,
)

pytestmark = pytest.mark.integration

CAPTURED_AT = "2011-05-06T10:00:00"
LIVE_FAULT_VERDICTS = {LiveStatus.alive, LiveStatus.unreachable}
VERDICTS_OF_DEATH = {LiveStatus.dead, LiveStatus.soft_404, LiveStatus.redirected, LiveStatus.parked}


def _words(seed: str) -> str:
    """Distinct filler text per page, so no two pages look alike to the soft-404 comparison."""
    rng = random.Random(seed)
    vocabulary = ["harvest", "river", "budget", "council", "census", "flood", "minister", "survey", "bridge", "port"]
    return " ".join(rng.choice(vocabulary) + str(rng.randint(0, 999)) for _ in range(40))


def _storm(request: FaultRequest) -> Answer:
    """Every third request to the host is told to wait a second."""
    if request.number % 3 == 1:
        return rate_limited(1)
    return page(f"Story {request.path}", _words(request.path)) if request.path.startswith("/s/") else not_found()


def _flaky(request: FaultRequest) -> Answer:
    if request.path.startswith("/always/"):
        return Answer(503, b"maintenance")
    if not request.path.startswith("/s/"):
        return not_found()
    return Answer(503, b"busy") if request.path_number == 1 else page(f"Story {request.path}", _words(request.path))


def _cutter(request: FaultRequest) -> Answer:
    whole = page(f"Story {request.path}", _words(request.path) * 20)
    if request.path.startswith("/always/"):
        return Answer(whole.status, whole.body, whole.headers, cut_after=200)
    if not request.path.startswith("/s/"):
        return not_found()
    return Answer(whole.status, whole.body, whole.headers, cut_after=200) if request.path_number == 1 else whole


def _healthy(request: FaultRequest) -> Answer:
    if request.path == "/" or request.path.startswith("/s/"):
        return page(f"Story {request.path}", _words(request.path))
    return not_found()


@dataclass(frozen=True)
class Cited:
    url: str
    expected: frozenset[LiveStatus]  # the verdicts a careful checker may give


def build_world() -> FaultWorld:
    world = FaultWorld()
    world.add_site("healthy", "127.0.0.21", _healthy)
    world.add_site("storm", "127.0.0.22", _storm)
    world.add_site("flaky", "127.0.0.23", _flaky)
    world.add_site("cutter", "127.0.0.24", _cutter)
    world.add_site("silent", "127.0.0.25", lambda _request: Answer(hang=True))
    world.add_site("longwait", "127.0.0.26", lambda _request: rate_limited(3600))
    return world


def cited_urls(world: FaultWorld) -> list[Cited]:
    alive, either, unreachable = (
        frozenset({LiveStatus.alive}),
        frozenset(LIVE_FAULT_VERDICTS),
        frozenset({LiveStatus.unreachable}),
    )
    cited = [Cited(world.url("healthy", f"/s/{index}"), alive) for index in range(4)]
    cited += [Cited(world.url("storm", f"/s/{index}"), either) for index in range(6)]
    cited += [Cited(world.url("flaky", f"/s/{index}"), either) for index in range(3)]
    cited += [Cited(world.url("flaky", "/always/down"), unreachable)]
    cited += [Cited(world.url("cutter", f"/s/{index}"), either) for index in range(2)]
    cited += [Cited(world.url("cutter", "/always/cut"), unreachable)]
    cited += [Cited(world.url("silent", f"/s/{index}"), unreachable) for index in range(2)]
    # A Retry-After beyond the cap is not waited for: not-checked, asked again on a later run (issue 16).
    cited += [Cited(world.url("longwait", f"/s/{index}"), frozenset({LiveStatus.not_checked})) for index in range(3)]
    cited += [Cited(closed_port_url("127.0.0.27") + "s/0", unreachable)]
    return cited


def write_documents(folder: Path, urls: list[str], documents: int, per_document: int, seed: int) -> dict[str, int]:
    """Markdown documents citing ``urls`` (each at least once); returns the reference count per file."""
    rng = random.Random(seed)
    order = list(urls)
    rng.shuffle(order)
    counts: dict[str, int] = {}
    for number in range(documents):
        chosen = order[number::documents]  # every URL cited somewhere
        chosen += rng.sample(urls, per_document - len(chosen)) if per_document > len(chosen) else []
        body = " ".join(f"Claim {index} was reported.[^r{index}]" for index in range(len(chosen)))
        notes = "\n".join(
            f'[^r{index}]: "Report {number}-{index}". Ledger. 2 May 2011. {url} Retrieved 8 May 2011.'
            for index, url in enumerate(chosen)
        )
        name = f"doc{number:02d}.md"
        (folder / name).write_text(f"# Document {number}\n\n{body}\n\n{notes}\n", encoding="utf-8")
        counts[name] = len(chosen)
    return counts


def _fast_settings(original):  # type: ignore[no-untyped-def]
    """The audit's resolve settings with a backoff a test can wait for (timeouts come from the options)."""

    def configured(options: AuditOptions) -> ResolveSettings:
        settings: ResolveSettings = original(options)
        return replace(settings, web=settings.web.model_copy(update={"backoff_base": 0.1}))

    return configured


@pytest.fixture
def world() -> Iterator[FaultWorld]:
    with build_world() as running:
        yield running


def test_retry_after_violations_flags_only_requests_inside_the_window() -> None:
    limit = RateLimitSent("a", "/x", sent_at=10.0, retry_after=2.0)
    hits = [
        Hit("a", "/in-flight", 10.1),  # already on its way
        Hit("a", "/early", 11.0),  # the violation
        Hit("b", "/other-pool", 11.0),
        Hit("a", "/after", 12.5),
    ]
    assert [hit.path for _, hit in retry_after_violations(hits, [limit])] == ["/early"]


def test_retry_after_violations_excuses_only_what_the_other_slots_could_hold() -> None:
    """With two connections, one late-logged arrival may have left before the 429; a second cannot have."""
    limit = RateLimitSent("a", "/x", sent_at=10.0, retry_after=2.0)
    hits = [Hit("a", "/late-logged", 10.4), Hit("a", "/sent-after", 10.6), Hit("a", "/after", 12.5)]
    assert retry_after_violations(hits[:1], [limit], in_flight={"a": 1}) == []
    assert [hit.path for _, hit in retry_after_violations(hits, [limit], in_flight={"a": 1})] == ["/sent-after"]
    assert [hit.path for _, hit in retry_after_violations(hits, [limit])] == ["/late-logged", "/sent-after"]


@pytest.mark.unguarded_client("hammers a fault site with a plain client to prove the politeness check")
def test_an_impolite_client_is_caught(world: FaultWorld) -> None:
    """The politeness check has teeth: hammering through 429s shows up as violations."""
    with httpx.Client(timeout=2) as client:
        for _ in range(6):
            client.get(world.url("longwait", "/s/0"))
            time.sleep(0.3)
    hits, limits = world.log.snapshot()
    assert retry_after_violations(hits, limits)


def test_audit_survives_fault_storm_and_dying_archive(
    world: FaultWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cited = cited_urls(world)
    documents_dir = tmp_path / "docs"
    documents_dir.mkdir()
    reference_counts = write_documents(documents_dir, [c.url for c in cited], documents=5, per_document=8, seed=7)
    captures = [Capture(c.url, at(CAPTURED_AT)) for c in cited]
    monkeypatch.setattr(
        resolve_settings_module.ResolveSettings,
        "from_options",
        staticmethod(_fast_settings(resolve_settings_module.ResolveSettings.from_options)),
    )

    def archive_storm(number: int, pool: str) -> int | None:
        return 1 if number in (3, 4, 9) else None

    with (
        ArchiveWorld(tmp_path / "pywb", captures) as archive,
        DyingArchiveProxy(archive.port, world.log, die_after=len(cited) // 2, rate_limit=archive_storm) as proxy,
    ):
        options = AuditOptions(
            out=tmp_path / "reports",
            cache=tmp_path / "cache.sqlite",
            archives=[proxy.archive_url],
            allow_private=True,
            canary=[world.url("healthy", "/")],
            live_timeout=1.0,
        )
        started = time.monotonic()
        result = audit([documents_dir], options)
        elapsed = time.monotonic() - started
    assert proxy.dead.is_set(), "the archive was meant to die half-way"
    assert elapsed < 40, f"faults must not stall the audit ({elapsed:.1f} s)"

    # No crash, no reference lost: every document reported, every reference in it, each with a result.
    assert result.summary.network.mode == "online"
    assert not result.summary.errors
    assert {Path(report.document.path).name: len(report.references) for report in result.reports} == reference_counts
    expected = {c.url: c.expected for c in cited}
    references = [reference for report in result.reports for reference in report.references]
    assert len(references) == sum(reference_counts.values())
    for reference in references:
        assert reference.url in expected, reference.raw
        assert reference.live.checked_at is not None, f"no live result for {reference.url}"
        assert reference.archive.archive is not None, f"no archive result for {reference.url}"

    # Unresolved means inconclusive: nothing reachable-only-in-theory is called dead.
    for reference in references:
        assert reference.live.status in expected[reference.url], (reference.url, reference.live)
        assert reference.live.status not in VERDICTS_OF_DEATH
        if reference.live.status is LiveStatus.unreachable:
            assert reference.live.reason or reference.live.evidence
        # Every cited URL is in the archive: "none" or an error capture would be a false verdict.
        assert reference.archive.status in {ArchiveStatus.found, ArchiveStatus.not_checked}, reference.archive
        if reference.archive.status is ArchiveStatus.not_checked:
            assert reference.archive.reason
    archive_statuses = {reference.archive.status for reference in references}
    assert archive_statuses == {ArchiveStatus.found, ArchiveStatus.not_checked}, "the archive died half-way"
    codes = {finding.code for report in result.reports for finding in report.findings}
    assert not codes & {"CC201", "CC202", "CC203", "CC204", "CC301", "CC304"}, codes
    assert "CC206" in codes
    # The storm was survivable: every storm-hit host delivered pages in the end.
    for site in ("storm", "flaky", "cutter"):
        prefix = world.url(site, "/s/")
        assert any(r.live.status is LiveStatus.alive for r in references if r.url and r.url.startswith(prefix)), site

    # Politeness: no pool heard from us between a 429 and the end of its Retry-After.
    hits, limits = world.log.snapshot()
    assert {limit.pool for limit in limits} >= {"storm", "longwait", "archive:playback"}
    # Each pool's other connection slots may hold requests sent before its 429 arrived.
    slots = {name: WebSettings().per_host_concurrency for name in world.sites}
    slots |= {"archive:cdx": FAST_INDEX_POLICY.concurrency, "archive:playback": FAST_PLAYBACK_POLICY.concurrency}
    violations = retry_after_violations(hits, limits, in_flight={pool: count - 1 for pool, count in slots.items()})
    assert not violations, [(v[0].pool, v[0].retry_after, round(v[1].at - v[0].sent_at, 3)) for v in violations]
    # A host asking for an hour is asked once per connection slot, then left alone.
    assert len(world.log.paths("longwait")) <= 2


def test_traffic_log_counts_each_pool_separately() -> None:
    log = TrafficLog()
    log.hit("archive:cdx", "/coll/cdx?url=x")
    log.hit("archive:playback", "/coll/2011id_/x")
    log.rate_limited("archive:cdx", "/coll/cdx?url=x", 2)
    hits, limits = log.snapshot()
    assert [hit.pool for hit in hits] == ["archive:cdx", "archive:playback"]
    assert limits[0].pool == "archive:cdx" and limits[0].retry_after == 2.0

"""Resolve-stage benchmark: a loopback world of 17 named hosts, four archive set-ups, cold and warm runs.

The world (every name resolved by an in-process DNS stub, never the machine's
resolver): eight news sites with articles (and 404s, 410s, redirects home,
moved articles, a soft-404 titled with an en dash under a wrong header
charset), a catch-all 200 host, a parked domain, a bot wall, a host that
resets connections, one answering 429 with ``Retry-After: 1`` then 200, one
answering 503 then 200, one that stalls, and a name that does not resolve.

Runs, each cold (fresh store) then warm (same store):

1. a real pywb archive, **public DNS failing and no canary flag** (the
   default canaries and check names do not resolve; the world's names do);
2. the same with public DNS working (canaries answer) — verdicts must match;
3. a local WARC file (``warc:``), read in-process;
4. an archive speaking the Internet Archive's dialect (redirect-first
   playback, CDX JSON) behind a proxy enforcing IA's per-pool limits with 429
   and ``Retry-After``.

Printed per run: requests per cited URL (live: first attempts, soft-404
probes, deliberate retries; archive), 429s received, Retry-After
violations, wall time against the floor the politeness limits and the
configured timeouts imply, verdict accuracy; and whether runs 1 and 2 agree.

Run: ``.venv/bin/python benchmarks/bench_resolve.py [--articles 12]``
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.ia_world import IaDialectArchive, LimitsProxy, PoolLimit  # noqa: E402
from tests.integration.pywb_world import COLLECTION, ArchiveWorld, Capture, FaultProxy, at, write_warc  # noqa: E402
from tests.integration.web_world import Reply, SeenRequest, WebWorld, html, redirect  # noqa: E402

from citecheck.models import ArchiveStatus, LiveStatus, ParsedDocument, Reference  # noqa: E402
from citecheck.resolve.archive.ia import IA_INDEX_PER_SECOND, IA_PLAYBACK_PER_SECOND  # noqa: E402
from citecheck.resolve.batch import ResolvedBatch, apply_resolution, plan_for  # noqa: E402
from citecheck.resolve.net import HostResolutionError  # noqa: E402
from citecheck.resolve.settings import ResolveSettings  # noqa: E402
from citecheck.resolve.stage import resolve_plan  # noqa: E402
from citecheck.resolve.web_settings import WebSettings  # noqa: E402

ACCESS = at("2015-06-15T12:00:00")
PUBLIC_NAMES = ("web.archive.org", "www.wikipedia.org", "example.com", "wikipedia.org")

# The HTTP layer's settings for the run: short timeouts so the stalled host costs seconds, not minutes.
WEB = WebSettings(
    allow_private=True, connect_timeout=0.5, read_timeout=1.0, request_deadline=2.5, retries=2, backoff_base=0.2
)
RETRY_AFTER = 1.0


# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class Cited:
    url: str
    live: LiveStatus
    archive: ArchiveStatus
    capture_day: str | None = None  # the capture the rule must choose (YYYY-MM-DD)
    host_answers: bool = True  # False: NXDOMAIN, reset, stall (no usable answer)


@dataclass
class World:
    web: WebWorld
    names: dict[str, str]  # host name -> loopback address
    cited: list[Cited] = field(default_factory=list)
    captures: list[Capture] = field(default_factory=list)
    rate_limited_at: list[tuple[str, float]] = field(default_factory=list)  # (site, when a 429 was sent)
    onces: list[Once] = field(default_factory=list)

    def reset(self) -> None:
        """Each run meets the same web: the 429s and 503s answer the first request again."""
        for once in self.onces:
            once.reset()

    def url(self, site: str, path: str) -> str:
        return f"http://{site}.test:{self.web.sites[site].port}{path}"


class Once:
    """First request per path answers ``first``, later ones ``then`` (a 429 or a 503 that passes)."""

    def __init__(self, world: World, site: str, first: Reply, then: Reply) -> None:
        self.world, self.site, self.first, self.then = world, site, first, then
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.seen.clear()

    def __call__(self, request: SeenRequest) -> Reply:
        with self.lock:
            fresh = request.path not in self.seen
            self.seen.add(request.path)
        if fresh:
            if self.first.status == 429:
                self.world.rate_limited_at.append((self.site, time.monotonic()))
            return self.first
        return self.then


def article(title: str) -> Reply:
    words = " ".join(f"{title.lower().replace(' ', '-')}-{n}" for n in range(40))
    return html(title, f"<p>{title}: the report was published after months of fieldwork. {words}</p>")


def build_world(articles: int) -> World:
    web = WebWorld()
    sites = ["ledger", "herald", "gazette", "tribune", "times", "wire", "journal", "daily"]
    special = ["catchall", "parked", "wall", "reset", "limited", "flaky", "stall", "movedto", "canary"]
    names: dict[str, str] = {}
    for index, name in enumerate(sites + special):
        address = f"127.0.0.{120 + index}"
        web.add_site(name, address)
        if name != "canary":
            names[f"{name}.test"] = address
    world = World(web, names)
    for name in sites:
        site = web.sites[name]
        site.route("/", html(f"The {name.title()}", "<p>Front page.</p>"))
        for number in range(articles):
            site.route(f"/{number}/story", article(f"{name} story {number}"))
    ledger = web.sites["ledger"]
    for number in range(3):
        ledger.route(f"/withdrawn/{number}", html("Gone", "<p>This story was withdrawn.</p>", status=410))
    ledger.route("/retired", redirect("/"))
    ledger.route("/old/story", lambda _r: redirect(world.url("movedto", "/new/story"), status=301))
    web.sites["movedto"].route("/new/story", article("moved story"))
    soft = "<html><head><title>Page not found – The Herald</title></head><body><p>Sorry.</p></body></html>".encode()
    for number in range(2):
        # Served as ASCII though it is UTF-8: the en dash must not empty the page (issue 16).
        web.sites["herald"].route(
            f"/missing/{number}", Reply(200, soft, [("Content-Type", "text/html; charset=ascii")])
        )
    generic = html("Portal", "<p>Welcome to the portal. Latest updates and services for everyone.</p>")
    web.sites["catchall"].fallback = lambda _r: generic
    web.sites["parked"].fallback = lambda _r: html("parked.test", "<p>This domain is for sale! Buy this domain.</p>")
    web.sites["wall"].fallback = lambda _r: html(
        "Just a moment...", "<p>Checking your browser.</p>", status=403, headers=[("cf-mitigated", "challenge")]
    )
    web.sites["reset"].fallback = lambda _r: Reply(reset=True)
    limited = Once(
        world, "limited", Reply(429, b"slow down", [("Retry-After", f"{RETRY_AFTER:.0f}")]), article("limited")
    )
    flaky = Once(world, "flaky", Reply(503, b"busy"), article("flaky"))
    world.onces += [limited, flaky]
    for number in range(3):
        web.sites["limited"].route(f"/{number}/story", limited)
        web.sites["flaky"].route(f"/{number}/story", flaky)
    web.sites["stall"].route("/story", Reply(200, b"late", [("Content-Type", "text/html")], delay=30.0))
    web.sites["canary"].fallback = lambda _r: html("Canary", "<p>ok</p>")
    web.start()

    def cite(url: str, live: LiveStatus, archive: ArchiveStatus, day: str | None = None, answers: bool = True) -> None:
        world.cited.append(Cited(url, live, archive, day, answers))

    for name in sites:
        for number in range(articles):
            url = world.url(name, f"/{number}/story")
            kind = number % 8
            if kind == 6:  # never archived
                cite(url, LiveStatus.alive, ArchiveStatus.none)
                continue
            if kind == 5:  # only captured months after: found, far from the access date
                when = ACCESS + timedelta(days=90)
                world.captures.append(Capture(url, when, body=article(f"{name} {number}").body))
            elif kind == 4:  # an archived error just before, a good capture a month earlier
                world.captures.append(Capture(url, ACCESS - timedelta(days=2), status=404, body=b"gone"))
                when = ACCESS - timedelta(days=30)
                world.captures.append(Capture(url, when, body=article(f"{name} {number}").body))
            else:  # a good capture a few days before: one playback request settles it
                when = ACCESS - timedelta(days=1 + number)
                world.captures.append(Capture(url, when, body=article(f"{name} {number}").body))
            cite(url, LiveStatus.alive, ArchiveStatus.found, when.date().isoformat())
    for number in range(3):
        url = world.url("ledger", f"/withdrawn/{number}")
        world.captures.append(Capture(url, ACCESS - timedelta(days=5), body=article("withdrawn").body))
        cite(url, LiveStatus.dead, ArchiveStatus.found, (ACCESS - timedelta(days=5)).date().isoformat())
    for number in range(3):
        cite(world.url("ledger", f"/never/{number}"), LiveStatus.dead, ArchiveStatus.none)  # 404
    cite(world.url("ledger", "/retired"), LiveStatus.redirected, ArchiveStatus.none)
    cite(world.url("ledger", "/old/story"), LiveStatus.alive, ArchiveStatus.none)
    for number in range(2):
        cite(world.url("herald", f"/missing/{number}"), LiveStatus.soft_404, ArchiveStatus.none)
    for number in range(3):
        cite(world.url("catchall", f"/2015/gone-{number}"), LiveStatus.soft_404, ArchiveStatus.none)
    for number in range(2):
        cite(world.url("parked", f"/2014/{number}"), LiveStatus.parked, ArchiveStatus.none)
        cite(world.url("wall", f"/{number}"), LiveStatus.blocked, ArchiveStatus.none)
    cite(world.url("reset", "/story"), LiveStatus.unreachable, ArchiveStatus.none, answers=False)
    for number in range(3):
        cite(world.url("limited", f"/{number}/story"), LiveStatus.alive, ArchiveStatus.none)
        cite(world.url("flaky", f"/{number}/story"), LiveStatus.alive, ArchiveStatus.none)
    cite(world.url("stall", "/story"), LiveStatus.unreachable, ArchiveStatus.none, answers=False)
    for number in range(2):
        cite(f"http://gone.test/{number}/story", LiveStatus.dead, ArchiveStatus.none, answers=False)  # NXDOMAIN
    return world


def documents(world: World) -> list[ParsedDocument]:
    """Six documents; a sixth of the URLs cited twice (a URL is resolved once however often it is cited)."""
    docs: list[ParsedDocument] = []
    for number in range(6):
        chosen = world.cited[number::6] + world.cited[number::36]
        references = [
            Reference(id=str(index), url=cited.url, date="2015-06-10", access_date="2015-06-15")
            for index, cited in enumerate(chosen)
        ]
        docs.append(ParsedDocument(path=f"doc{number}.md", format="markdown", references=references))
    return docs


def stub_resolver(world: World, public_dns: bool) -> object:
    """The world's DNS: its names resolve; gone.test is NXDOMAIN; public names only when ``public_dns``."""
    canary = world.web.sites["canary"].address

    async def resolve(host: str, port: int) -> list[str]:
        if host in world.names:
            return [world.names[host]]
        if host in PUBLIC_NAMES:
            if public_dns:
                return [canary]
            raise HostResolutionError(host, nxdomain=False, detail="SERVFAIL (no upstream resolver)")
        raise HostResolutionError(host, nxdomain=True, detail="NXDOMAIN")

    return resolve


# --------------------------------------------------------------------------- one run


@dataclass
class Measured:
    label: str
    wall: float
    batch: ResolvedBatch
    live_first: int
    live_probes: int
    live_retries: int
    archive_requests: int
    server_429s: int
    violations: int
    floor: float
    live_correct: int
    archive_correct: int
    verdicts: dict[str, LiveStatus]


_PROBE_PATH = re.compile(r"/[a-z]{16}$")


def live_counts(world: World, start: int) -> tuple[int, int, int]:
    """(first attempts, soft-404 probes, retries) the world's sites saw since ``start`` (canary excluded)."""
    seen = Counter((request.site, request.path) for request in world.web.requests[start:] if request.site != "canary")
    probes = sum(count for (_site, path), count in seen.items() if _PROBE_PATH.search(path))
    first = sum(1 for (_site, path) in seen if not _PROBE_PATH.search(path))
    retries = sum(count - 1 for (_site, path), count in seen.items() if not _PROBE_PATH.search(path))
    return first, probes, retries


def live_violations(world: World, start_time: float) -> int:
    """Requests to a host that had sent a 429 within its Retry-After (in-flight slack 0.25 s)."""
    hits = [request for request in world.web.requests if request.at >= start_time]
    return sum(
        1
        for site, sent in world.rate_limited_at
        if sent >= start_time
        for request in hits
        if request.site == site and sent + 0.25 < request.at < sent + RETRY_AFTER
    )


def live_floor(world: World) -> float:
    """What the configured policy forces on the slowest URL: timeouts per attempt, backoffs, Retry-After."""
    backoffs = sum(WEB.backoff_base * 2**attempt for attempt in range(WEB.retries))
    stall = (WEB.retries + 1) * WEB.read_timeout + backoffs
    return max(stall, RETRY_AFTER, WEB.backoff_base)


def archive_floor(playback: int, index: int, ia: bool) -> float:
    """The time the archive's pools alone impose on the requests made (IA's limits for IA only)."""
    if not ia:
        return 0.0
    return max(max(0, playback - 8) / IA_PLAYBACK_PER_SECOND, max(0, index - 2) / IA_INDEX_PER_SECOND)


async def run_once(
    label: str,
    world: World,
    archive: str,
    store: Path,
    public_dns: bool,
    archive_hits: object,
    ia: bool = False,
) -> Measured:
    docs = documents(world)
    settings = ResolveSettings(
        archives=(archive,),
        store_path=str(store),
        web=WEB,
        concurrency=16,
        resolver=stub_resolver(world, public_dns),  # type: ignore[arg-type]
    )
    plan = plan_for(docs, settings)
    world.reset()
    start_index, start_time = len(world.web.requests), time.monotonic()
    before_archive = archive_hits() if callable(archive_hits) else 0
    started = time.perf_counter()
    batch = await resolve_plan(plan, settings)
    wall = time.perf_counter() - started
    apply_resolution(docs, batch)
    first, probes, retries = live_counts(world, start_index)
    archive_requests = (archive_hits() if callable(archive_hits) else 0) - before_archive
    playback = sum(n for pool, n in batch.requests.items() if pool.endswith(":playback"))
    index = sum(n for pool, n in batch.requests.items() if pool.endswith(":index"))
    expected = {cited.url: cited for cited in world.cited}
    verdicts: dict[str, LiveStatus] = {}
    archive_ok: set[str] = set()
    for document in docs:
        for reference in document.references:
            assert reference.url is not None
            verdicts[reference.url] = reference.live.status
            want = expected[reference.url]
            got = reference.archive
            day = got.snapshot_time.date().isoformat() if got.snapshot_time else None
            if got.status is want.archive and (want.capture_day is None or day == want.capture_day):
                archive_ok.add(reference.url)
    live_ok = sum(1 for url, status in verdicts.items() if status is expected[url].live)
    server_429s = len([1 for site, sent in world.rate_limited_at if sent >= start_time])
    return Measured(
        label=label,
        wall=wall,
        batch=batch,
        live_first=first,
        live_probes=probes,
        live_retries=retries,
        archive_requests=archive_requests,
        server_429s=server_429s,
        violations=live_violations(world, start_time),
        floor=max(live_floor(world), archive_floor(playback, index, ia)),
        live_correct=live_ok,
        archive_correct=len(archive_ok),
        verdicts=verdicts,
    )


def report(cold: Measured, warm: Measured, cited: int, extra_429: int = 0, extra_violations: int = 0) -> None:
    def per_url(count: int) -> str:
        return f"{count / cited:.2f}"

    live_cold = cold.live_first + cold.live_probes + cold.live_retries
    print(f"\n{cold.label}")
    print(
        f"  cold: live {per_url(live_cold)}/URL ({cold.live_first} first + {cold.live_probes} soft-404 probes + "
        f"{cold.live_retries} deliberate retries), archive {per_url(cold.archive_requests)}/URL "
        f"({cold.archive_requests} requests); 429s received: live {cold.server_429s} (limited.test answers each "
        f"URL's first request with one), archive {extra_429}; "
        f"Retry-After violations {cold.violations + extra_violations}"
    )
    pools: Counter[str] = Counter()
    for pool, count in cold.batch.requests.items():
        if pool.startswith("archive:"):
            pools[pool.rsplit(":", 1)[-1]] += count
    if pools:
        by_pool = ", ".join(f"{name} {count}" for name, count in sorted(pools.items()))
        print(f"        archive requests by pool: {by_pool}")
    print(
        f"        wall {cold.wall:.2f} s vs floor {cold.floor:.2f} s (x{cold.wall / cold.floor:.2f}); "
        f"live verdicts {cold.live_correct}/{cited}, archive results {cold.archive_correct}/{cited}; "
        f"network {cold.batch.network.mode}"
    )
    live_warm = warm.live_first + warm.live_probes + warm.live_retries
    print(
        f"  warm: live {per_url(live_warm)}/URL ({live_warm} requests: the inconclusive URLs, re-tried on purpose), "
        f"archive {per_url(warm.archive_requests)}/URL ({warm.archive_requests}), wall {warm.wall:.2f} s; "
        f"live verdicts {warm.live_correct}/{cited}, archive results {warm.archive_correct}/{cited}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=12, help="articles per news site (8 sites)")
    parser.add_argument("--ia-only", action="store_true", help="only run 4 (the IA dialect behind IA's limits)")
    options = parser.parse_args()
    world = build_world(options.articles)
    cited = len(world.cited)
    hosts = len({cited.url.split("/")[2].split(":")[0] for cited in world.cited})
    print(f"resolve benchmark: {cited} cited URLs on {hosts} named hosts, {len(world.captures)} captures")
    print(
        f"  HTTP settings: read timeout {WEB.read_timeout} s, {WEB.retries} retries, backoff {WEB.backoff_base} s; "
        "every name through the loopback DNS stub"
    )
    try:
        with tempfile.TemporaryDirectory() as temp:
            root = Path(temp)
            warc = write_warc(root / "world.warc.gz", world.captures)
            with ArchiveWorld(root / "pywb", world.captures) as pywb, FaultProxy(pywb.port) as counting:
                endpoint = counting.url(f"/{COLLECTION}")

                def pywb_hits() -> int:
                    return counting.requests

                runs: list[tuple[Measured, Measured]] = []
                for label, public in (
                    ()
                    if options.ia_only
                    else (("1. pywb, public DNS failing, no canary flag", False), ("2. pywb, public DNS working", True))
                ):
                    store = root / f"store-{len(runs)}.sqlite"
                    cold = await run_once(label, world, endpoint, store, public, pywb_hits)
                    warm = await run_once(label, world, endpoint, store, public, pywb_hits)
                    runs.append((cold, warm))
                    report(cold, warm, cited)
            if not options.ia_only:
                store = root / "store-warc.sqlite"
                cold = await run_once("3. local WARC archive", world, f"warc:{warc}", store, False, None)
                warm = await run_once("3. local WARC archive", world, f"warc:{warc}", store, False, None)
                report(cold, warm, cited)
            limits = {
                "playback": PoolLimit(per_second=10.0, burst=10),  # IA's hard limits: EDGI's figures are 80 % of these
                "index": PoolLimit(per_second=0.5, burst=3),
            }
            with IaDialectArchive(world.captures) as ia, LimitsProxy(ia.port, limits) as proxy:

                def ia_hits() -> int:
                    return len(proxy.hits)

                store = root / "store-ia.sqlite"
                label = "4. IA dialect behind a proxy enforcing IA's limits (playback 10/s, index 30/min)"
                cold = await run_once(label, world, proxy.url("/web"), store, False, ia_hits, ia=True)
                warm = await run_once(label, world, proxy.url("/web"), store, False, ia_hits, ia=True)
                report(cold, warm, cited, extra_429=len(proxy.refused), extra_violations=proxy.violations())
    finally:
        world.web.stop()
    if options.ia_only:
        return
    dns_off, dns_on = runs[0][0].verdicts, runs[1][0].verdicts
    answered = [c.url for c in world.cited if c.host_answers]
    same = sum(1 for url in answered if dns_off[url] is dns_on[url])
    print(f"\nsame verdicts with and without public DNS, for URLs whose host answered: {same}/{len(answered)}")
    differing = [c.url for c in world.cited if dns_off[c.url] is not dns_on[c.url]]
    if differing:
        print("  differ:", ", ".join(f"{url} ({dns_off[url].value} vs {dns_on[url].value})" for url in differing))


if __name__ == "__main__":
    asyncio.run(main())

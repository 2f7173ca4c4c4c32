"""Live link checking: fetch each cited URL and decide what a careful editor would say.

Two layers:

* :class:`LiveChecker` does the I/O — one ``httpx.AsyncClient`` per run,
  every connection vetted by :mod:`citecheck.resolve.net`, per-host
  semaphores and Retry-After waits, retries with backoff, bodies streamed
  under a byte cap (decompressed bytes included), redirects followed by hand
  so each hop is vetted and loops are seen, and a soft-404 probe per host.
* :func:`classify_response` is pure: it takes what was fetched
  (:class:`FetchOutcome`) and the host's probe answer and runs ordered, named
  heuristics — fetch failure → bot wall → status code → parked → not-found
  text → redirect shape → soft-404 probe → alive — keeping the evidence.

Nothing is reported dead unless the network self-check passed: when our own
network is down every result is ``not-checked`` with a plain reason.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import http.cookiejar
import ipaddress
import random
import re
import ssl
import string
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING

import httpx
from bs4 import BeautifulSoup
from pydantic import BaseModel, ConfigDict, Field

from citecheck.models import LiveCheck, LiveStatus
from citecheck.resolve.net import (
    GuardedTransport,
    HostResolutionError,
    IPNetwork,
    Resolver,
    UrlSafetyError,
    check_url_allowed,
    parse_retry_after,
    system_resolver,
)

if TYPE_CHECKING:
    from citecheck.resolve.live_history import LiveHistory
    from citecheck.store.db import Store

DEFAULT_USER_AGENT = "citecheck/0.1 (+https://github.com/citecheck/citecheck; citation audit)"
NETWORK_UNREACHABLE = "network unreachable"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SOFT_404_SIMILARITY = 0.95
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
_SNIFF_BYTES = 1024


class LiveCheckConfig(BaseModel):
    """Every knob of a live-checking run, in one place."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    request_deadline: float = 45.0  # whole exchange, so a trickling server cannot hold a slot forever
    max_bytes: int = 2 * 1024 * 1024  # body cap, counted after decompression too
    max_redirects: int = 10
    per_host_concurrency: int = 2
    concurrency: int = 32
    retries: int = 2  # extra attempts for 5xx, 429, resets and timeouts
    backoff_base: float = 1.0  # seconds; attempt n waits base * 2**n plus jitter
    retry_after_cap: float = 120.0  # longer waits are not made: the host is reported unreachable
    user_agent: str = DEFAULT_USER_AGENT
    head_first: bool = False  # HEAD, falling back to GET; GET is needed anyway to read HTML
    http2: bool = True
    allow_private: bool = False
    trusted_networks: tuple[str, ...] = ()  # CIDRs treated as public (an intranet you mean to check)
    canary_urls: tuple[str, ...] = ("https://web.archive.org/", "https://www.wikipedia.org/")
    dns_canary_hosts: tuple[str, ...] = ("example.com", "wikipedia.org")
    soft_404_probe: bool = True
    tls_fallback: bool = True  # retry an invalid certificate unverified: alive with a warning
    keep_text: bool = False  # keep each page's title and text (for content-drift comparison)
    confirm_checks: int = 3
    confirm_days: float = 3.0
    local_address: str | None = None  # bind outgoing connections to this local IP (one per Dask worker)
    # A conclusive result younger than this is reused, not fetched again: an interrupted
    # run resumes without repeating finished URLs. 0 always asks the web (check --refresh).
    reuse_within_hours: float = Field(default=20.0, ge=0)

    def trusted(self) -> list[IPNetwork]:
        return [ipaddress.ip_network(cidr, strict=False) for cidr in self.trusted_networks]


# --------------------------------------------------------------------------- what a fetch saw


class FetchError(enum.StrEnum):
    refused = "refused"  # the safety policy forbade it
    nxdomain = "nxdomain"
    dns_failure = "dns-failure"
    connect = "connect"
    timeout = "timeout"
    reset = "reset"
    tls = "tls"
    protocol = "protocol"
    redirect_loop = "redirect-loop"
    too_many_redirects = "too-many-redirects"
    rate_limited = "rate-limited"


@dataclass
class Hop:
    url: str
    status: int


@dataclass
class PageText:
    title: str = ""
    headings: list[str] = field(default_factory=list)
    text: str = ""


@dataclass
class FetchOutcome:
    """Everything one URL's fetch saw, redirects included; input to :func:`classify_response`."""

    url: str
    final_url: str | None = None
    status_code: int | None = None
    hops: list[Hop] = field(default_factory=list)  # the redirect responses, in order
    headers: dict[str, str] = field(default_factory=dict)  # of the final response, names lower-cased
    content_type: str = ""
    page: PageText = field(default_factory=PageText)
    body_bytes: int = 0  # decoded bytes read
    truncated: bool = False
    sniff: bytes = b""  # the first bytes, for magic numbers
    method: str = "GET"
    error: FetchError | None = None
    error_detail: str = ""
    notes: list[str] = field(default_factory=list)  # retries, HEAD fallback, TLS warnings …


@dataclass(frozen=True)
class Verdict:
    status: LiveStatus
    evidence: tuple[str, ...]
    reason: str | None = None


# --------------------------------------------------------------------------- text helpers


def extract_page_text(html: bytes | str, encoding: str | None = None) -> PageText:
    """Title, h1/h2 headings and visible text of an HTML page."""
    soup = (
        BeautifulSoup(html, "lxml", from_encoding=encoding) if isinstance(html, bytes) else BeautifulSoup(html, "lxml")
    )
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    headings = [h.get_text(" ", strip=True) for h in soup.find_all(["h1", "h2"], limit=6)]
    body = soup.body or soup
    text = " ".join(body.get_text(" ", strip=True).split())
    return PageText(title=title, headings=[h for h in headings if h], text=text)


_WORD = re.compile(r"\w+", re.UNICODE)


def text_similarity(first: str, second: str) -> float:
    """Multiset Dice similarity of the two texts' words: 1.0 same words, 0.0 none shared.

    Word order is ignored on purpose: it is linear in the text size and a
    template page that echoes a random path differs from its twin by a word.
    """
    words_a = Counter(word.lower() for word in _WORD.findall(first))
    words_b = Counter(word.lower() for word in _WORD.findall(second))
    total = sum(words_a.values()) + sum(words_b.values())
    if total == 0:
        return 1.0
    shared = sum((words_a & words_b).values())
    return float(2.0 * shared / total)


# --------------------------------------------------------------------------- URL shape helpers


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


_HOME_PATH = re.compile(
    r"^/?((index|default|home|start)(\.[a-z]{2,5})?|[a-z]{2}([-_][a-z]{2})?)?/?$",
    re.IGNORECASE,
)


def is_site_root(url: str) -> bool:
    """True for a site's home page: ``/``, ``/index.html``, ``/home``, a bare language root ``/en/``."""
    return bool(_HOME_PATH.match(httpx.URL(url).path))


def _path_segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def is_trivial_move(original: str, final: str) -> bool:
    """Only the scheme, a ``www.`` prefix or a trailing slash changed."""
    a, b = httpx.URL(original), httpx.URL(final)
    return _strip_www(a.host) == _strip_www(b.host) and a.path.rstrip("/") == b.path.rstrip("/") and a.query == b.query


def is_section_of(original: str, final: str) -> bool:
    """``final`` is a shorter ancestor folder of ``original`` on the same site."""
    a, b = httpx.URL(original), httpx.URL(final)
    if _strip_www(a.host) != _strip_www(b.host):
        return False
    seg_a, seg_b = _path_segments(a.path), _path_segments(b.path)
    return len(seg_b) < len(seg_a) and seg_a[: len(seg_b)] == seg_b


def probe_url_for(url: str, rng: random.Random | None = None) -> str:
    """A surely-missing URL next to ``url``: its parent folder plus 16 random-looking letters.

    Without ``rng`` the letters are drawn from a generator seeded with the
    parent folder, so the same site is probed at the same address on every
    run and machine: reports stay reproducible (the single-machine and Dask
    paths write identical JSON) and 26**16 names are still surely missing.
    """
    parsed = httpx.URL(url)
    segments = _path_segments(parsed.path)
    parent = "/" + "/".join(segments[:-1]) + "/" if len(segments) > 1 else "/"
    if rng is None:
        seed = hashlib.sha256(f"{parsed.scheme}://{parsed.netloc.decode()}{parent}".encode()).digest()
        rng = random.Random(seed)
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(16))
    return str(parsed.copy_with(path=parent + letters, query=None, fragment=None))


# --------------------------------------------------------------------------- heuristics

_BOT_WALL_TITLES = re.compile(
    r"just a moment|attention required|access denied|pardon our interruption|are you a robot|"
    r"security check|verify you are human|ddos protection|checking your browser|bot verification|captcha",
    re.IGNORECASE,
)
_BOT_WALL_MARKERS = (
    "cdn-cgi/challenge-platform",
    "cf-chl-",
    "cf_chl_",
    "captcha-delivery.com",
    "px-captcha",
    "_incapsula_resource",
    "incapsula incident id",
    "g-recaptcha",
    "h-captcha",
    "hcaptcha.com",
)

_PARKING_HOSTS = (
    "sedoparking.com",
    "sedo.com",
    "bodis.com",
    "bodiscdn.com",
    "afternic.com",
    "dan.com",
    "hugedomains.com",
    "parkingcrew.net",
    "above.com",
    "undeveloped.com",
    "parklogic.com",
    "domainmarket.com",
    "buydomains.com",
    "namebright.com",
    "parked.com",
    "skenzo.com",
)
_PARKED_PHRASES = re.compile(
    r"(this|the) domain (name )?(\S+ )?(is|may be) for sale|buy this domain|domain is parked|"
    r"parked free,? courtesy of|this domain has been registered|domain (name )?for sale|"
    r"inquire about this domain|make an offer on this domain|dieser domain(name)? (steht|kann) .*zum verkauf|"
    r"ce (nom de )?domaine est (à|a) vendre|este dominio (est[aá] )?(a|en) venta",
    re.IGNORECASE,
)
_PARKED_REDIRECT_HOST = re.compile(r"^ww[0-9]+\.")

# Error-page wording in titles and headings, by language.
_NOT_FOUND = re.compile(
    r"\b404\b|page not found|not found|page (does not|doesn't) exist|no longer exists|"
    r"nicht gefunden|existiert nicht|"  # de
    r"page introuvable|page non trouv[ée]e|n'existe pas|"  # fr
    r"p[áa]gina no encontrada|no se ha encontrado|no existe|"  # es
    r"pagina non trovata|non trovat[ao]|"  # it
    r"p[áa]gina n[ãa]o encontrada|n[ãa]o encontrad[ao]|"  # pt
    r"pagina niet gevonden|niet gevonden|bestaat niet|"  # nl
    r"nie znaleziono|strona nie istnieje|"  # pl
    r"sidan (kunde inte hittas|hittades inte)|siden (blev ikke fundet|finnes ikke)|"  # sv, da, no
    r"страница не найдена|ページが見つかりません|页面不存在|找不到(该|此)?页面",
    re.IGNORECASE,
)
_NOT_FOUND_BODY_MAX_CHARS = 1500  # longer pages may merely mention "not found"


def _heuristic_fetch_failure(outcome: FetchOutcome, probe: FetchOutcome | None, dns_ok: bool) -> Verdict | None:
    error = outcome.error
    if error is None:
        return None
    detail = outcome.error_detail
    if error is FetchError.refused:
        return Verdict(LiveStatus.not_checked, (f"refused: {detail}",), reason=f"refused by safety policy: {detail}")
    if error is FetchError.nxdomain:
        if dns_ok:
            return Verdict(LiveStatus.dead, (f"domain does not resolve (NXDOMAIN): {detail}",))
        return Verdict(
            LiveStatus.unreachable,
            (f"domain did not resolve, but our own DNS is not known to work: {detail}",),
            reason="DNS unverified",
        )
    if error is FetchError.redirect_loop:
        # The per-check cookie jar already replays cookies, so a repeat is a real loop.
        return Verdict(LiveStatus.dead, (f"redirect loop: {detail}",))
    return Verdict(LiveStatus.unreachable, (f"{error.value}: {detail}",), reason=error.value)


def _heuristic_bot_wall(outcome: FetchOutcome, probe: FetchOutcome | None, dns_ok: bool) -> Verdict | None:
    status = outcome.status_code
    if status == 999:
        return Verdict(LiveStatus.blocked, ("HTTP 999 (LinkedIn-style bot refusal)",))
    if outcome.headers.get("cf-mitigated", "").lower() == "challenge":
        return Verdict(LiveStatus.blocked, (f"HTTP {status} with cf-mitigated: challenge (Cloudflare bot wall)",))
    if status not in {200, 202, 403, 429, 503}:
        return None
    title = outcome.page.title
    lowered = outcome.page.text[:4000].lower()
    marker = next((m for m in _BOT_WALL_MARKERS if m in lowered), None)
    title_hit = bool(title and _BOT_WALL_TITLES.search(title))
    # A 200 page may well discuss captchas; it counts as a wall only with both signals.
    if (status != 200 and (title_hit or marker)) or (title_hit and marker):
        return Verdict(LiveStatus.blocked, (f"HTTP {status} challenge page (title {title!r})",))
    return None


def _heuristic_status_code(outcome: FetchOutcome, probe: FetchOutcome | None, dns_ok: bool) -> Verdict | None:
    status = outcome.status_code
    if status is None:
        return Verdict(LiveStatus.unreachable, ("no response",))
    if status in {404, 410}:
        note = "gone (deliberately removed)" if status == 410 else "not found"
        return Verdict(LiveStatus.dead, (f"HTTP {status} {note}",))
    if status in {401, 402, 403}:
        why = {401: "login required", 402: "payment required", 403: "forbidden"}[status]
        return Verdict(LiveStatus.blocked, (f"HTTP {status} {why}: cannot see the page, not dead",))
    if status == 429:
        return Verdict(LiveStatus.unreachable, ("HTTP 429 rate limited after retries",), reason="rate limited")
    if status == 451:
        return Verdict(LiveStatus.unreachable, ("HTTP 451 unavailable for legal reasons (geo-block?)",))
    if status >= 500:
        return Verdict(LiveStatus.unreachable, (f"HTTP {status} server error after retries",), reason="server error")
    if status >= 400:
        return Verdict(LiveStatus.unreachable, (f"HTTP {status} client error (inconclusive)",))
    if status >= 300:
        return Verdict(LiveStatus.unreachable, (f"HTTP {status} without a usable Location",))
    return None


def _heuristic_parked(outcome: FetchOutcome, probe: FetchOutcome | None, dns_ok: bool) -> Verdict | None:
    original_host = _strip_www(httpx.URL(outcome.url).host)
    for hop_url in [hop.url for hop in outcome.hops[1:]] + [outcome.final_url or outcome.url]:
        host = httpx.URL(hop_url).host
        if _PARKED_REDIRECT_HOST.match(host) and _PARKED_REDIRECT_HOST.sub("", host) == original_host:
            return Verdict(LiveStatus.parked, (f"redirected to parking host {host}",))
        if any(host == p or host.endswith("." + p) for p in _PARKING_HOSTS):
            return Verdict(LiveStatus.parked, (f"redirected to domain-parking service {host}",))
    phrase = _PARKED_PHRASES.search(outcome.page.title + " " + outcome.page.text[:5000])
    if phrase:
        return Verdict(LiveStatus.parked, (f"parking/for-sale wording: {phrase.group(0)!r}",))
    body = outcome.page.text[:5000].lower()
    service = next((p for p in _PARKING_HOSTS if p in body), None)
    if service and len(outcome.page.text) < 3000:
        return Verdict(LiveStatus.parked, (f"short page naming parking service {service}",))
    return None


def _heuristic_not_found_text(outcome: FetchOutcome, probe: FetchOutcome | None, dns_ok: bool) -> Verdict | None:
    page = outcome.page
    for label, text in [("title", page.title)] + [("heading", h) for h in page.headings]:
        match = _NOT_FOUND.search(text)
        if match:
            return Verdict(LiveStatus.soft_404, (f"HTTP {outcome.status_code} but {label} says {text[:120]!r}",))
    if 0 < len(page.text) <= _NOT_FOUND_BODY_MAX_CHARS:
        match = _NOT_FOUND.search(page.text)
        if match:
            return Verdict(LiveStatus.soft_404, (f"HTTP {outcome.status_code} short page saying {match.group(0)!r}",))
    return None


def _heuristic_redirect_shape(outcome: FetchOutcome, probe: FetchOutcome | None, dns_ok: bool) -> Verdict | None:
    final = outcome.final_url
    if not outcome.hops or final is None:
        return None
    if is_trivial_move(outcome.url, final):
        return None  # scheme/www/slash only: alive, the final URL is suggested
    if is_site_root(final) and not is_site_root(outcome.url):
        return Verdict(LiveStatus.redirected, (f"redirects to the site's home page {final}",))
    if is_section_of(outcome.url, final):
        return Verdict(LiveStatus.redirected, (f"redirects to a parent section {final}",))
    return None


def _heuristic_soft_404_probe(outcome: FetchOutcome, probe: FetchOutcome | None, dns_ok: bool) -> Verdict | None:
    if probe is None or is_site_root(outcome.url):
        return None
    if probe.error is not None or probe.status_code is None or not 200 <= probe.status_code < 300:
        return None  # the host answers missing pages honestly
    if outcome.hops and probe.final_url == outcome.final_url:
        return Verdict(
            LiveStatus.soft_404,
            (f"a random path on this host lands on the same page ({outcome.final_url})",),
        )
    if not outcome.page.text and not probe.page.text:
        return None  # nothing to compare (a PDF, an image)
    similarity = text_similarity(outcome.page.title + " " + outcome.page.text, probe.page.title + " " + probe.page.text)
    if similarity >= SOFT_404_SIMILARITY:
        return Verdict(
            LiveStatus.soft_404,
            (f"page is {similarity:.0%} similar to the answer for a random missing path {probe.url}",),
        )
    return None


Heuristic = Callable[[FetchOutcome, "FetchOutcome | None", bool], "Verdict | None"]

HEURISTICS: tuple[tuple[str, Heuristic], ...] = (
    ("fetch-failure", _heuristic_fetch_failure),
    ("bot-wall", _heuristic_bot_wall),
    ("status-code", _heuristic_status_code),
    ("parked", _heuristic_parked),
    ("not-found-text", _heuristic_not_found_text),
    ("redirect-shape", _heuristic_redirect_shape),
    ("soft-404-probe", _heuristic_soft_404_probe),
)


def _alive_notes(outcome: FetchOutcome) -> list[str]:
    notes: list[str] = []
    status = outcome.status_code
    final = outcome.final_url or outcome.url
    if outcome.hops and final != outcome.url:
        notes.append(f"moved: now at {final}")
    if httpx.URL(outcome.url).path.lower().endswith(".pdf"):
        is_html = "html" in outcome.content_type or outcome.sniff.lstrip()[:1] == b"<"
        if is_html:
            notes.append("suspicious: PDF URL answers an HTML page")
    if status == 204 or (outcome.method == "GET" and outcome.body_bytes == 0):
        notes.append(f"suspicious: HTTP {status} with an empty body")
    return notes


def classify_response(outcome: FetchOutcome, probe: FetchOutcome | None = None, dns_ok: bool = True) -> Verdict:
    """Decide a live status from a fetch, running :data:`HEURISTICS` in order.

    ``probe`` is the same host's answer for a surely-missing path (or None);
    ``dns_ok`` says whether our own DNS was seen to work, without which a
    name that does not resolve proves nothing.
    """
    context = [*outcome.notes]
    if outcome.hops:
        chain = " → ".join(f"{hop.url} ({hop.status})" for hop in outcome.hops)
        ending = f" → {outcome.final_url} ({outcome.status_code})" if outcome.final_url else ""
        context.append(f"redirect chain: {chain}{ending}")
    if outcome.truncated:
        context.append(f"body truncated at {outcome.body_bytes} bytes (size cap)")
    for name, heuristic in HEURISTICS:
        verdict = heuristic(outcome, probe, dns_ok)
        if verdict is not None:
            return Verdict(verdict.status, (*verdict.evidence, f"rule: {name}", *context), verdict.reason)
    return Verdict(LiveStatus.alive, (f"HTTP {outcome.status_code}", *_alive_notes(outcome), *context))


# --------------------------------------------------------------------------- bounded body reading


class _CappedDecoder:
    """Decode a Content-Encoding stream without ever holding more than ``limit`` decoded bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.output = bytearray()
        self.truncated = False
        encoding = encoding.strip().lower()
        self.undecodable = encoding not in {"", "identity", "gzip", "x-gzip", "deflate"}
        self._deflate = encoding == "deflate"
        self._zlib: zlib._Decompress | None = None
        if encoding in {"gzip", "x-gzip"}:
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._deflate:
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> None:
        room = self.limit - len(self.output)
        if room <= 0:
            self.truncated = True
            return
        if self._zlib is None:
            self.output += chunk[:room]
            self.truncated = len(chunk) > room
            return
        try:
            data = self._zlib.decompress(chunk, room)
        except zlib.error:
            if self._deflate and not self.output:
                # Some servers send raw deflate without the zlib header.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._deflate = False
                self.feed(chunk)
                return
            raise
        self.output += data
        if self._zlib.unconsumed_tail:
            self.truncated = True


# --------------------------------------------------------------------------- the checker


@dataclass
class NetworkHealth:
    online: bool
    dns_ok: bool
    message: str


class _HostState:
    """Per-host politeness: a concurrency limit and the earliest time of the next request."""

    def __init__(self, limit: int) -> None:
        self.semaphore = asyncio.Semaphore(limit)
        self.not_before = 0.0  # loop time
        self.rate_limited_until = 0.0  # loop time; a Retry-After longer than we wait
        self.probe: asyncio.Task[FetchOutcome] | None = None


class _FetchFailed(Exception):
    def __init__(self, error: FetchError, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail


@dataclass
class _Exchange:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    truncated: bool
    undecodable: bool


def _is_certificate_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_text_type(content_type: str) -> bool:
    return not content_type or content_type.startswith(_TEXT_TYPES)


class LiveChecker:
    """Checks cited URLs over one HTTP client; use as ``async with LiveChecker(config) as checker``.

    With ``store`` given, every result is recorded in the check history and
    ``dead`` results carry ``confirmed`` per the confirmation rule.
    """

    def __init__(
        self,
        config: LiveCheckConfig | None = None,
        *,
        store: Store | None = None,
        clock: Callable[[], datetime] | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.config = config or LiveCheckConfig()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.network: NetworkHealth | None = None
        self.page_texts: dict[str, PageText] = {}
        self._resolver = resolver
        self._trusted = self.config.trusted()
        self._hosts: dict[str, _HostState] = {}
        self._client: httpx.AsyncClient | None = None
        self._insecure_client: httpx.AsyncClient | None = None
        self._self_check_lock = asyncio.Lock()
        self._history: LiveHistory | None = None
        if store is not None:
            from citecheck.resolve.live_history import LiveHistory

            self._history = LiveHistory(
                store,
                self.config.confirm_checks,
                self.config.confirm_days,
                fresh_for=timedelta(hours=self.config.reuse_within_hours),
            )

    # ------------------------------------------------------------------ lifecycle

    def _make_client(self, verify: bool) -> httpx.AsyncClient:
        config = self.config
        transport = GuardedTransport(
            allow_private=config.allow_private,
            trusted_networks=self._trusted,
            resolver=self._resolver,
            verify=verify,
            http2=config.http2,
            local_address=config.local_address,
            limits=httpx.Limits(
                max_connections=max(config.concurrency * 2, 10), max_keepalive_connections=config.concurrency
            ),
        )
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=config.connect_timeout, read=config.read_timeout, write=config.read_timeout, pool=None
            ),
            headers={
                "User-Agent": config.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                # Only encodings this module decodes itself under the size cap.
                "Accept-Encoding": "gzip, deflate",
            },
            follow_redirects=False,
            # Cookies are kept per checked URL (see _fetch_chain), never across URLs.
            cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
            trust_env=False,
        )

    async def __aenter__(self) -> LiveChecker:
        self._client = self._make_client(verify=True)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for client in (self._client, self._insecure_client):
            if client is not None:
                await client.aclose()
        self._client = self._insecure_client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("LiveChecker must be used as 'async with LiveChecker(...) as checker'")
        return self._client

    # ------------------------------------------------------------------ network self-check

    async def _dns_works(self) -> tuple[bool, str]:
        if not self.config.dns_canary_hosts:
            return True, "no DNS canary configured"
        problems: list[str] = []
        for host in self.config.dns_canary_hosts:
            try:
                await asyncio.wait_for(self._resolver(host, 443), self.config.connect_timeout)
                return True, f"DNS works ({host} resolves)"
            except (HostResolutionError, TimeoutError, OSError) as error:
                problems.append(f"{host}: {error or type(error).__name__}")
        return False, "DNS fails for outside names (" + "; ".join(problems) + ")"

    async def network_self_check(self) -> bool:
        """Reach a canary URL and resolve a known-good name; False means checks must not run.

        The result is kept in :attr:`network`; its message is fit to print.
        """
        dns_ok, dns_message = await self._dns_works()
        problems: list[str] = []
        reached = False
        for url in self.config.canary_urls:
            try:
                response = await self.client.get(url)
                await response.aclose()
                reached = True
                break
            except (httpx.HTTPError, UrlSafetyError, HostResolutionError, OSError) as error:
                problems.append(f"{url}: {type(error).__name__} {error}".strip())
        if not self.config.canary_urls:
            reached = True
        online = reached and dns_ok
        if online:
            message = f"Network reachable; {dns_message}."
        else:
            why = dns_message if not dns_ok else "no canary answered (" + "; ".join(problems) + ")"
            message = (
                f"Network unreachable: {why}. Live checks were not run and no link is reported dead "
                "because of it; re-run when the network is back."
            )
        self.network = NetworkHealth(online=online, dns_ok=dns_ok, message=message)
        return online

    async def _ensure_self_check(self) -> NetworkHealth:
        async with self._self_check_lock:
            if self.network is None:
                await self.network_self_check()
            assert self.network is not None
            return self.network

    # ------------------------------------------------------------------ fetching

    def _host(self, url: httpx.URL) -> _HostState:
        key = f"{url.host}:{url.port or url.scheme}"
        state = self._hosts.get(key)
        if state is None:
            state = self._hosts[key] = _HostState(self.config.per_host_concurrency)
        return state

    def _backoff(self, attempt: int) -> float:
        base = self.config.backoff_base * (2.0**attempt)
        return base + random.uniform(0, self.config.backoff_base)

    async def _exchange_once(
        self, client: httpx.AsyncClient, method: str, url: httpx.URL, cookies: httpx.Cookies
    ) -> _Exchange:
        request = client.build_request(method, url)
        cookies.set_cookie_header(request)
        response = await client.send(request, stream=True)
        try:
            cookies.extract_cookies(response)
            content_type = response.headers.get("content-type", "").lower()
            limit = self.config.max_bytes if _is_text_type(content_type) else _SNIFF_BYTES
            decoder = _CappedDecoder(response.headers.get("content-encoding", ""), limit)
            raw_read = 0
            if method != "HEAD" and response.status_code not in REDIRECT_STATUSES:
                async for chunk in response.aiter_raw():
                    raw_read += len(chunk)
                    decoder.feed(chunk)
                    # The raw cap stops a huge compressed body as the decoded cap stops a bomb.
                    if decoder.truncated or raw_read > self.config.max_bytes:
                        decoder.truncated = decoder.truncated or raw_read > self.config.max_bytes
                        break
            truncated = decoder.truncated and limit == self.config.max_bytes
            return _Exchange(
                str(response.url),
                response.status_code,
                response.headers,
                bytes(decoder.output),
                truncated,
                decoder.undecodable,
            )
        finally:
            await response.aclose()

    async def _exchange(
        self, method: str, url: httpx.URL, cookies: httpx.Cookies, notes: list[str], insecure: bool = False
    ) -> _Exchange:
        """One request with retries, host politeness and error mapping."""
        config = self.config
        host = self._host(url)
        loop = asyncio.get_running_loop()
        attempts = config.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            failure: _FetchFailed | None = None
            async with host.semaphore:
                # Checked once the slot is ours: a request queued behind the 429 must not go out.
                if host.rate_limited_until > loop.time():
                    raise _FetchFailed(FetchError.rate_limited, f"{url.host} asked us to wait longer than we wait")
                delay = host.not_before - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                client = self._insecure() if insecure else self.client
                try:
                    async with asyncio.timeout(config.request_deadline):
                        exchange = await self._exchange_once(client, method, url, cookies)
                except UrlSafetyError as error:
                    raise _FetchFailed(FetchError.refused, str(error)) from error
                except HostResolutionError as error:
                    kind = FetchError.nxdomain if error.nxdomain else FetchError.dns_failure
                    raise _FetchFailed(kind, str(error)) from error
                except (httpx.TimeoutException, TimeoutError) as error:
                    failure = _FetchFailed(FetchError.timeout, f"{type(error).__name__} after {attempt + 1} tries")
                except httpx.ConnectError as error:
                    if _is_certificate_error(error):
                        raise _FetchFailed(FetchError.tls, str(error)) from error
                    failure = _FetchFailed(FetchError.connect, f"{error} after {attempt + 1} tries")
                except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, ConnectionError) as error:
                    failure = _FetchFailed(
                        FetchError.reset, f"{type(error).__name__} {error}".strip() + f" after {attempt + 1} tries"
                    )
                except (httpx.HTTPError, zlib.error) as error:
                    raise _FetchFailed(FetchError.protocol, f"{type(error).__name__}: {error}") from error
            if failure is not None:
                if last:
                    raise failure
                notes.append(f"retry {attempt + 1}: {failure.error.value}")
                await asyncio.sleep(self._backoff(attempt))
                continue
            status = exchange.status
            if status == 429:
                wait = parse_retry_after(exchange.headers.get("retry-after"))
                if wait is not None and wait > config.retry_after_cap:
                    host.rate_limited_until = loop.time() + wait
                    raise _FetchFailed(
                        FetchError.rate_limited,
                        f"HTTP 429 with Retry-After {wait:.0f}s, longer than the {config.retry_after_cap:.0f}s cap",
                    )
                if last:
                    return exchange
                wait = self._backoff(attempt) if wait is None else wait
                # Every request to this host waits, not only this one.
                host.not_before = max(host.not_before, loop.time() + wait)
                notes.append(f"HTTP 429: waited {wait:.1f}s before retry {attempt + 1}")
                continue
            if status >= 500 and status not in {501, 505} and not last:
                notes.append(f"retry {attempt + 1}: HTTP {status}")
                await asyncio.sleep(self._backoff(attempt))
                continue
            return exchange
        raise AssertionError("unreachable: the loop returns or raises on its last attempt")

    def _insecure(self) -> httpx.AsyncClient:
        if self._insecure_client is None:
            self._insecure_client = self._make_client(verify=False)
        return self._insecure_client

    async def _fetch_chain(self, url: str, method: str) -> FetchOutcome:
        """Follow redirects by hand (each hop vetted, loops seen) and read the final page."""
        outcome = FetchOutcome(url=url, method=method)
        cookies = httpx.Cookies()
        seen: set[tuple[str, str]] = set()
        insecure = False
        try:
            current = check_url_allowed(url, self.config.allow_private, self._trusted)
            while True:
                key = (str(current), "; ".join(f"{k}={v}" for k, v in sorted(cookies.items())))
                if key in seen:
                    chain = " → ".join(hop.url for hop in outcome.hops)
                    raise _FetchFailed(FetchError.redirect_loop, f"{chain} → {current}")
                seen.add(key)
                try:
                    exchange = await self._exchange(method, current, cookies, outcome.notes, insecure)
                except _FetchFailed as failure:
                    if failure.error is not FetchError.tls or not self.config.tls_fallback or insecure:
                        raise
                    outcome.notes.append(f"warning: TLS certificate not valid ({failure.detail[:160]})")
                    insecure = True
                    exchange = await self._exchange(method, current, cookies, outcome.notes, insecure)
                location = exchange.headers.get("location")
                if exchange.status in REDIRECT_STATUSES and location:
                    if len(outcome.hops) >= self.config.max_redirects:
                        raise _FetchFailed(FetchError.too_many_redirects, f"more than {self.config.max_redirects}")
                    outcome.hops.append(Hop(str(current), exchange.status))
                    current = check_url_allowed(current.join(location), self.config.allow_private, self._trusted)
                    if exchange.status == 303:
                        method = "GET" if method != "HEAD" else method
                    continue
                break
        except UrlSafetyError as error:
            outcome.error, outcome.error_detail = FetchError.refused, str(error)
            return outcome
        except _FetchFailed as failure:
            outcome.error, outcome.error_detail = failure.error, failure.detail
            return outcome
        outcome.final_url = exchange.url
        outcome.status_code = exchange.status
        outcome.headers = {name.lower(): value for name, value in exchange.headers.items()}
        outcome.content_type = outcome.headers.get("content-type", "").lower()
        outcome.body_bytes = len(exchange.body)
        outcome.truncated = exchange.truncated
        outcome.sniff = exchange.body[:_SNIFF_BYTES]
        if exchange.undecodable:
            outcome.notes.append(f"body not decoded (content-encoding {exchange.headers.get('content-encoding')})")
        elif exchange.body and _is_text_type(outcome.content_type) and not exchange.body.startswith(b"%PDF"):
            charset = httpx.Headers({"content-type": outcome.content_type}).encoding
            outcome.page = extract_page_text(exchange.body, charset)
        return outcome

    async def fetch(self, url: str) -> FetchOutcome:
        """Fetch ``url``: GET, or HEAD first with GET where HEAD is mishandled or HTML must be read."""
        if not self.config.head_first:
            return await self._fetch_chain(url, "GET")
        head = await self._fetch_chain(url, "HEAD")
        if head.error is FetchError.refused or head.error is FetchError.nxdomain:
            return head
        status = head.status_code
        if status is not None and 200 <= status < 300 and not _is_text_type(head.content_type):
            return head  # a PDF or image: its headers are enough
        outcome = await self._fetch_chain(url, "GET")
        if status in {400, 403, 404, 405, 501} or head.error is not None:
            outcome.notes.insert(0, f"HEAD answered {status or head.error_detail}; GET used")
        return outcome

    async def _probe(self, url: str) -> FetchOutcome | None:
        """The host's answer for a surely-missing path, fetched once per host per run."""
        if not self.config.soft_404_probe:
            return None
        host = self._host(httpx.URL(url))
        if host.probe is None:
            host.probe = asyncio.ensure_future(self._fetch_chain(probe_url_for(url), "GET"))
        return await asyncio.shield(host.probe)

    # ------------------------------------------------------------------ checking

    def _not_checked(self, reason: str) -> LiveCheck:
        return LiveCheck(status=LiveStatus.not_checked, checked_at=self.clock(), reason=reason, evidence=[reason])

    async def check_url(self, url: str) -> LiveCheck:
        """Check one URL and return its :class:`LiveCheck` (recorded in the history when a store is set)."""
        network = await self._ensure_self_check()
        if not network.online:
            return self._not_checked(NETWORK_UNREACHABLE)
        if self._history is not None and self.config.reuse_within_hours > 0:
            reused = self._history.recent(url, now=self.clock())
            if reused is not None:
                return reused
        outcome = await self.fetch(url)
        probe: FetchOutcome | None = None
        needs_probe = (
            outcome.error is None
            and outcome.status_code is not None
            and 200 <= outcome.status_code < 300
            and not is_site_root(url)
        )
        if needs_probe:
            probe = await self._probe(url)
        verdict = classify_response(outcome, probe, dns_ok=network.dns_ok)
        if self.config.keep_text and outcome.page.text:
            self.page_texts[url] = outcome.page
        check = LiveCheck(
            status=verdict.status,
            http_status=outcome.status_code,
            final_url=outcome.final_url,
            checked_at=self.clock(),
            evidence=list(verdict.evidence),
            reason=verdict.reason,
        )
        if self._history is not None:
            check = self._history.record_and_confirm(url, check)
        return check

    async def check_many(self, urls: Iterable[str]) -> dict[str, LiveCheck]:
        """Check each distinct URL once, at most ``concurrency`` at a time; results keyed by URL."""
        unique = list(dict.fromkeys(urls))
        network = await self._ensure_self_check()
        if not network.online:
            return {url: self._not_checked(NETWORK_UNREACHABLE) for url in unique}
        limit = asyncio.Semaphore(self.config.concurrency)

        async def bounded(url: str) -> LiveCheck:
            async with limit:
                return await self.check_url(url)

        checks = await asyncio.gather(*(bounded(url) for url in unique))
        results = dict(zip(unique, checks, strict=True))
        await self._recheck_dns_after_run(results)
        return results

    async def _recheck_dns_after_run(self, results: dict[str, LiveCheck]) -> None:
        """If DNS broke during the run, names that failed to resolve prove nothing: undo those deaths."""
        nxdomain = [
            url
            for url, check in results.items()
            if check.status is LiveStatus.dead and any("NXDOMAIN" in item for item in check.evidence)
        ]
        if not nxdomain:
            return
        dns_ok, message = await self._dns_works()
        if dns_ok:
            return
        for url in nxdomain:
            results[url] = results[url].model_copy(
                update={
                    "status": LiveStatus.unreachable,
                    "confirmed": False,
                    "reason": "DNS failed during the run",
                    "evidence": [*results[url].evidence, message],
                }
            )


__all__ = [
    "HEURISTICS",
    "NETWORK_UNREACHABLE",
    "FetchError",
    "FetchOutcome",
    "Hop",
    "LiveCheckConfig",
    "LiveChecker",
    "NetworkHealth",
    "PageText",
    "Verdict",
    "classify_response",
    "extract_page_text",
    "is_site_root",
    "probe_url_for",
    "text_similarity",
]

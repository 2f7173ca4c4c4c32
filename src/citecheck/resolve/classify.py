"""The live checker's judgement, pure: what a fetch saw → a status and the evidence for it.

:func:`classify_response` takes a :class:`FetchOutcome` (everything one URL's
fetch saw, redirects included), the same host's answer for a surely-missing
path (the soft-404 probe), and what the run proved about our own network
(:class:`NetworkView`), and runs ordered, named heuristics — fetch failure →
bot wall → status code → parked → not-found text → redirect shape → soft-404
probe → alive — keeping the evidence.  No I/O: testable without a server.
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from citecheck.models import LiveStatus
from citecheck.references.links import is_site_root
from citecheck.resolve.decode import decode_text, find_tags, parse_html
from citecheck.resolve.web import FetchError, Hop

# bs4 and httpx imported where used: an offline audit imports this module but never fetches or parses a page (issue 17).
if TYPE_CHECKING:
    from bs4 import BeautifulSoup


NETWORK_UNREACHABLE = "network unreachable"
SOFT_404_SIMILARITY = 0.95


@dataclass(frozen=True)
class NetworkView:
    """What the run proved about our own network when an answer was missing.

    ``dns_ok``: our resolver resolved a name that should resolve (another cited
    host, a configured check name).  ``network_ok``: some server of the live web
    answered in this run (or a canary did).
    """

    dns_ok: bool = True
    network_ok: bool = True


# --------------------------------------------------------------------------- what a fetch saw


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
    connected: bool = True  # False: no connection was made (DNS, refused, connect timeout)
    notes: list[str] = field(default_factory=list)  # retries, HEAD fallback, TLS warnings …


@dataclass(frozen=True)
class Verdict:
    status: LiveStatus
    evidence: tuple[str, ...]
    reason: str | None = None


# --------------------------------------------------------------------------- text helpers


def extract_page_text(html: bytes | str, content_type: str | None = None) -> PageText:
    """Title, h1/h2 headings and visible text of an HTML page.

    Bytes are decoded by :func:`~citecheck.resolve.decode.decode_text` (the
    header's ``charset``, then BOM/meta, then detection), so one stray byte
    cannot empty the page.
    """
    soup = parse_html(decode_text(html, content_type))
    return page_text_of(soup)


_HIDDEN = frozenset({"script", "style", "noscript", "template"})
_HEADINGS = frozenset({"h1", "h2"})


def page_text_of(soup: BeautifulSoup) -> PageText:
    """:class:`PageText` from a parsed page (scripts and styles dropped in place)."""
    for hidden in find_tags(soup, _HIDDEN):
        hidden.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    headings = [h.get_text(" ", strip=True) for h in find_tags(soup, _HEADINGS, limit=6)]
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


def _path_segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def is_trivial_move(original: str, final: str) -> bool:
    """Only the scheme, a ``www.`` prefix or a trailing slash changed."""
    import httpx

    a, b = httpx.URL(original), httpx.URL(final)
    return _strip_www(a.host) == _strip_www(b.host) and a.path.rstrip("/") == b.path.rstrip("/") and a.query == b.query


def is_section_of(original: str, final: str) -> bool:
    """``final`` is a shorter ancestor folder of ``original`` on the same site."""
    import httpx

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
    import httpx

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


def _heuristic_fetch_failure(outcome: FetchOutcome, probe: FetchOutcome | None, network: NetworkView) -> Verdict | None:
    error = outcome.error
    if error is None:
        return None
    detail = outcome.error_detail
    if error is FetchError.refused:
        return Verdict(LiveStatus.not_checked, (f"refused: {detail}",), reason=f"refused by safety policy: {detail}")
    if error is FetchError.invalid_url:
        return Verdict(LiveStatus.not_checked, (detail,), reason=detail)
    if error is FetchError.offline:
        return Verdict(LiveStatus.not_checked, (detail,), reason="offline")
    if error is FetchError.rate_limited:
        # A wait longer than we wait says nothing about the page: ask again on a later run.
        return Verdict(LiveStatus.not_checked, (f"rate-limited: {detail}",), reason=detail)
    if error is FetchError.nxdomain:
        if network.dns_ok:
            return Verdict(LiveStatus.dead, (f"domain does not resolve (NXDOMAIN): {detail}",))
        if network.network_ok:
            return Verdict(
                LiveStatus.unreachable,
                (f"domain did not resolve, but our resolver resolved no other name in this run: {detail}",),
                reason="DNS unverified",
            )
        return _network_unreachable(detail)
    if error is FetchError.redirect_loop:
        # The per-check cookie jar already replays cookies, so a repeat is a real loop.
        return Verdict(LiveStatus.dead, (f"redirect loop: {detail}",))
    if not outcome.connected and not network.network_ok:
        return _network_unreachable(f"{error.value}: {detail}")
    return Verdict(LiveStatus.unreachable, (f"{error.value}: {detail}",), reason=error.value)


def _network_unreachable(detail: str) -> Verdict:
    return Verdict(
        LiveStatus.not_checked,
        (f"no answer ({detail}), and no other server answered us in this run: our own network may be down",),
        reason=NETWORK_UNREACHABLE,
    )


def _heuristic_bot_wall(outcome: FetchOutcome, probe: FetchOutcome | None, network: NetworkView) -> Verdict | None:
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


def _heuristic_status_code(outcome: FetchOutcome, probe: FetchOutcome | None, network: NetworkView) -> Verdict | None:
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


def _heuristic_parked(outcome: FetchOutcome, probe: FetchOutcome | None, network: NetworkView) -> Verdict | None:
    import httpx

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


def _heuristic_not_found_text(
    outcome: FetchOutcome, probe: FetchOutcome | None, network: NetworkView
) -> Verdict | None:
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


def _heuristic_redirect_shape(
    outcome: FetchOutcome, probe: FetchOutcome | None, network: NetworkView
) -> Verdict | None:
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


def _heuristic_soft_404_probe(
    outcome: FetchOutcome, probe: FetchOutcome | None, network: NetworkView
) -> Verdict | None:
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


Heuristic = Callable[[FetchOutcome, "FetchOutcome | None", NetworkView], "Verdict | None"]

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
    import httpx

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


def classify_response(
    outcome: FetchOutcome,
    probe: FetchOutcome | None = None,
    dns_ok: bool = True,
    *,
    network_ok: bool = True,
    accepted: frozenset[int] = frozenset(),
) -> Verdict:
    """Decide a live status from a fetch, running :data:`HEURISTICS` in order.

    ``probe`` is the same host's answer for a surely-missing path (or None);
    ``dns_ok`` says whether our own DNS was seen to work, without which a
    name that does not resolve proves nothing; ``network_ok`` whether any
    server answered us, without which a connection that failed proves nothing.
    ``accepted`` (``--accept``) are statuses outside 2xx the user counts as
    alive (a site that always answers 403 to robots): they are alive, with the
    reason, and never dead, blocked or unreachable.
    """
    view = NetworkView(dns_ok=dns_ok, network_ok=network_ok)
    context = [*outcome.notes]
    if outcome.hops:
        chain = " → ".join(f"{hop.url} ({hop.status})" for hop in outcome.hops)
        ending = f" → {outcome.final_url} ({outcome.status_code})" if outcome.final_url else ""
        context.append(f"redirect chain: {chain}{ending}")
    if outcome.truncated:
        context.append(f"body truncated at {outcome.body_bytes} bytes (size cap)")
    status = outcome.status_code
    if outcome.error is None and status is not None and status in accepted and not 200 <= status < 300:
        return Verdict(LiveStatus.alive, (f"HTTP {status}, counted alive (--accept)", *context))
    for name, heuristic in HEURISTICS:
        verdict = heuristic(outcome, probe, view)
        if verdict is not None:
            return Verdict(verdict.status, (*verdict.evidence, f"rule: {name}", *context), verdict.reason)
    return Verdict(LiveStatus.alive, (f"HTTP {outcome.status_code}", *_alive_notes(outcome), *context))


__all__ = [
    "HEURISTICS",
    "NETWORK_UNREACHABLE",
    "FetchError",
    "FetchOutcome",
    "Hop",
    "NetworkView",
    "PageText",
    "Verdict",
    "classify_response",
    "extract_page_text",
    "is_section_of",
    "is_site_root",
    "is_trivial_move",
    "page_text_of",
    "probe_url_for",
    "text_similarity",
]

"""The pure layers of live checking: classification, URL shapes, history rule, findings, drift."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from citecheck.checks.live import findings_for_live
from citecheck.models import LiveCheck, LiveStatus, Reference, Severity
from citecheck.resolve.live import (
    FetchError,
    FetchOutcome,
    Hop,
    PageText,
    classify_response,
    extract_page_text,
    is_site_root,
    probe_url_for,
    text_similarity,
)
from citecheck.resolve.live_history import HistoryEntry, LiveHistory, is_confirmed_dead
from citecheck.store.db import Store

ARTICLE = (
    "The harvest report was published after months of fieldwork in three provinces. Officials said the figures "
    "would be revised when the census closes. Critics questioned the methodology and asked for the raw data."
)


def page(
    url: str, status: int = 200, title: str = "Harvest report", text: str = ARTICLE, **extra: object
) -> FetchOutcome:
    outcome = FetchOutcome(url=url, final_url=url, status_code=status, content_type="text/html", body_bytes=len(text))
    outcome.page = PageText(title=title, headings=[title], text=text)
    for name, value in extra.items():
        setattr(outcome, name, value)
    return outcome


def redirected(url: str, final: str, **extra: object) -> FetchOutcome:
    outcome = page(final, **extra)
    outcome.url = url
    outcome.hops = [Hop(url, 301)]
    return outcome


URL = "https://news.example/2011/04/harvest-report"


# --------------------------------------------------------------------------- status layer


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, LiveStatus.alive),
        (404, LiveStatus.dead),
        (410, LiveStatus.dead),
        (401, LiveStatus.blocked),
        (402, LiveStatus.blocked),
        (403, LiveStatus.blocked),
        (999, LiveStatus.blocked),
        (429, LiveStatus.unreachable),
        (451, LiveStatus.unreachable),
        (400, LiveStatus.unreachable),
        (500, LiveStatus.unreachable),
        (503, LiveStatus.unreachable),
    ],
)
def test_status_codes(status: int, expected: LiveStatus) -> None:
    verdict = classify_response(page(URL, status=status, title="Some title", text="some words here"))
    assert verdict.status is expected
    assert verdict.evidence


@pytest.mark.parametrize(
    ("error", "dns_ok", "expected"),
    [
        (FetchError.nxdomain, True, LiveStatus.dead),
        (FetchError.nxdomain, False, LiveStatus.unreachable),
        (FetchError.dns_failure, True, LiveStatus.unreachable),
        (FetchError.timeout, True, LiveStatus.unreachable),
        (FetchError.reset, True, LiveStatus.unreachable),
        # A Retry-After longer than we wait says nothing about the page (issue 16): asked again later.
        (FetchError.rate_limited, True, LiveStatus.not_checked),
        (FetchError.redirect_loop, True, LiveStatus.dead),
        (FetchError.refused, True, LiveStatus.not_checked),
        (FetchError.invalid_url, True, LiveStatus.not_checked),
    ],
)
def test_fetch_failures(error: FetchError, dns_ok: bool, expected: LiveStatus) -> None:
    outcome = FetchOutcome(url=URL, error=error, error_detail="detail")
    assert classify_response(outcome, dns_ok=dns_ok).status is expected


@pytest.mark.parametrize("error", [FetchError.nxdomain, FetchError.connect, FetchError.dns_failure])
def test_no_answer_while_no_server_answered_is_not_checked(error: FetchError) -> None:
    """Without any answer in the run, a missing answer says nothing about the page."""
    outcome = FetchOutcome(url=URL, error=error, error_detail="detail", connected=False)
    verdict = classify_response(outcome, dns_ok=False, network_ok=False)
    assert verdict.status is LiveStatus.not_checked and verdict.reason == "network unreachable"


def test_no_connection_is_unreachable_once_other_servers_answered() -> None:
    outcome = FetchOutcome(url=URL, error=FetchError.connect, error_detail="refused", connected=False)
    assert classify_response(outcome, dns_ok=False, network_ok=True).status is LiveStatus.unreachable


def test_an_answer_stands_whatever_our_dns_does() -> None:
    """A server that answered is evidence about itself: no DNS, no canary needed for its 404."""
    gone = page(URL, status=404, title="Not Found", text="No such page")
    assert classify_response(gone, dns_ok=False, network_ok=False).status is LiveStatus.dead
    soft = page(URL, title="Page not found – Example", text="Sorry")
    assert classify_response(soft, dns_ok=False, network_ok=False).status is LiveStatus.soft_404


# --------------------------------------------------------------------------- bot walls


def test_cf_mitigated_header_means_blocked_even_on_503() -> None:
    outcome = page(URL, status=503, title="", text="")
    outcome.headers = {"cf-mitigated": "challenge"}
    assert classify_response(outcome).status is LiveStatus.blocked


def test_challenge_page_with_200_needs_two_signals() -> None:
    wall = page(URL, title="Just a moment...", text="Enable JavaScript /cdn-cgi/challenge-platform/h/b")
    assert classify_response(wall).status is LiveStatus.blocked
    article_about_captchas = page(URL, title="Why every captcha is getting harder", text=ARTICLE)
    assert classify_response(article_about_captchas).status is LiveStatus.alive


# --------------------------------------------------------------------------- parked


def test_parked_by_ww1_redirect() -> None:
    outcome = redirected("http://old-club.example/events", "http://ww1.old-club.example/", title="old-club", text="x")
    assert classify_response(outcome).status is LiveStatus.parked


def test_parked_by_parking_service_host() -> None:
    outcome = redirected("http://old-club.example/", "https://sedo.com/search/details/?domain=old-club.example")
    assert classify_response(outcome).status is LiveStatus.parked


@pytest.mark.parametrize(
    "wording",
    [
        "This domain is for sale! Make an offer.",
        "The domain name old-club.example may be for sale.",
        "Buy this domain.",
        "Dieser Domainname steht zum Verkauf.",
        "Ce nom de domaine est à vendre.",
    ],
)
def test_parked_by_wording(wording: str) -> None:
    assert classify_response(page(URL, title="old-club.example", text=wording)).status is LiveStatus.parked


# --------------------------------------------------------------------------- not-found text


@pytest.mark.parametrize(
    "title",
    [
        "Page not found – Daily Ledger",
        "404 | Daily Ledger",
        "Seite nicht gefunden",
        "Page introuvable",
        "Página no encontrada",
        "Pagina non trovata",
        "Página não encontrada",
        "Pagina niet gevonden",
        "Nie znaleziono strony",
        "Страница не найдена",
    ],
)
def test_not_found_titles_in_several_languages(title: str) -> None:
    assert classify_response(page(URL, title=title, text="Sorry.")).status is LiveStatus.soft_404


def test_short_body_saying_not_found_is_soft_404() -> None:
    outcome = page(URL, title="Daily Ledger", text="Oops! The page you asked for was not found. Try search.")
    outcome.page.headings = []
    assert classify_response(outcome).status is LiveStatus.soft_404


def test_long_article_mentioning_not_found_is_alive() -> None:
    text = (ARTICLE + " ") * 20 + "The missing ledger was never found, and the page was not found in the archive."
    outcome = page(URL, title="The missing ledger", text=text)
    outcome.page.headings = ["The missing ledger"]
    assert classify_response(outcome).status is LiveStatus.alive


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    ("final", "expected"),
    [
        ("https://news.example/", LiveStatus.redirected),
        ("https://www.news.example/index.html", LiveStatus.redirected),
        ("https://news.example/en/", LiveStatus.redirected),
        ("https://news.example/2011/", LiveStatus.redirected),  # a parent section
        ("http://news.example/2011/04/harvest-report", LiveStatus.alive),  # scheme only
        ("https://www.news.example/2011/04/harvest-report/", LiveStatus.alive),  # www + slash
        ("https://news.example/archive/harvest-report-2011", LiveStatus.alive),  # moved article
        ("https://newspaper.example/2011/04/harvest-report", LiveStatus.alive),  # moved site
    ],
)
def test_redirect_shapes(final: str, expected: LiveStatus) -> None:
    verdict = classify_response(redirected(URL, final))
    assert verdict.status is expected, verdict.evidence
    if expected is LiveStatus.alive:
        assert any(final in item for item in verdict.evidence)


# --------------------------------------------------------------------------- soft-404 probe


def test_probe_similarity_makes_soft_404() -> None:
    probe = page("https://news.example/2011/04/qwertyuiopasdfgh", text=ARTICLE + " qwertyuiopasdfgh")
    verdict = classify_response(page(URL), probe)
    assert verdict.status is LiveStatus.soft_404
    assert any("similar" in item for item in verdict.evidence)


def test_honest_404_probe_keeps_the_page_alive() -> None:
    probe = page("https://news.example/2011/04/qwertyuiopasdfgh", status=404, title="Not found", text="nope")
    assert classify_response(page(URL), probe).status is LiveStatus.alive


def test_different_page_for_random_path_keeps_the_page_alive() -> None:
    probe = page("https://news.example/2011/04/qwertyuiopasdfgh", title="Search", text="Search our site for stories")
    assert classify_response(page(URL), probe).status is LiveStatus.alive


def test_site_root_never_counts_as_soft_404() -> None:
    root = "https://news.example/"
    probe = page("https://news.example/qwertyuiopasdfgh")
    assert classify_response(page(root), probe).status is LiveStatus.alive


def test_random_path_landing_on_the_same_page_is_soft_404() -> None:
    final = "https://news.example/search?missing=1"
    outcome = redirected(URL, final, title="Search results", text="Results for your query")
    probe = redirected("https://news.example/2011/04/zzzz", final, title="Search results", text="Results for zzzz")
    assert classify_response(outcome, probe).status is LiveStatus.soft_404


# --------------------------------------------------------------------------- alive notes


def test_empty_body_is_suspicious() -> None:
    outcome = page(URL, title="", text="")
    outcome.body_bytes = 0
    verdict = classify_response(outcome)
    assert verdict.status is LiveStatus.alive
    assert any("empty body" in item for item in verdict.evidence)


def test_pdf_url_answering_html_is_suspicious() -> None:
    verdict = classify_response(page("https://example.org/report.pdf"))
    assert any("PDF URL answers an HTML page" in item for item in verdict.evidence)


# --------------------------------------------------------------------------- helpers


def test_site_roots() -> None:
    for root in ("https://a.example", "https://a.example/", "https://a.example/index.php", "https://a.example/de/"):
        assert is_site_root(root), root
    for deeper in ("https://a.example/news/", "https://a.example/2011/04/story", "https://a.example/about-us"):
        assert not is_site_root(deeper), deeper


def test_probe_url_keeps_the_parent_folder() -> None:
    probe = probe_url_for("https://a.example/news/2011/story.html?id=4#top", random.Random(7))
    assert probe.startswith("https://a.example/news/2011/")
    assert "?" not in probe and "#" not in probe
    assert len(probe.rsplit("/", 1)[1]) == 16
    assert probe_url_for("https://a.example/story", random.Random(1)).startswith("https://a.example/")


def test_text_similarity() -> None:
    assert text_similarity(ARTICLE, ARTICLE) == 1.0
    assert text_similarity(ARTICLE, "completely different words entirely") == 0.0
    assert 0.9 < text_similarity(ARTICLE, ARTICLE + " extra") < 1.0
    assert text_similarity("", "") == 1.0


def test_extract_page_text_skips_scripts() -> None:
    extracted = extract_page_text(
        b"<html><head><title>T</title><script>var x=1</script></head><body><h1>H</h1>"
        b"<p>Body text</p><style>p{}</style></body></html>"
    )
    assert extracted.title == "T"
    assert extracted.headings == ["H"]
    assert extracted.text == "H Body text"


# --------------------------------------------------------------------------- confirmation over time

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def history(*items: tuple[float, LiveStatus]) -> list[HistoryEntry]:
    return [HistoryEntry(T0 + timedelta(days=day), status) for day, status in items]


D, A, U, B = LiveStatus.dead, LiveStatus.alive, LiveStatus.unreachable, LiveStatus.blocked


@pytest.mark.parametrize(
    ("entries", "confirmed"),
    [
        (history((0, D)), False),
        (history((0, D), (1, D), (2, D)), False),  # three checks, but only two days
        (history((0, D), (1, D), (3, D)), True),
        (history((0, D), (3, D)), False),  # two checks only
        (history((0, D), (1, U), (2, B), (3, D)), False),  # inconclusive results do not count …
        (history((0, D), (1, U), (2, D), (3, D)), True),  # … nor do they break the run
        (history((0, D), (1, D), (2, A), (3, D), (4, D)), False),  # a success restarts the count
        (history((0, D), (1, D), (4, D), (5, A)), False),  # alive now
        (history((0, D), (1, D), (4, D), (5, U)), False),  # latest is inconclusive: not confirmed now
    ],
)
def test_confirmation_rule(entries: list[HistoryEntry], confirmed: bool) -> None:
    assert is_confirmed_dead(entries, confirm_checks=3, confirm_days=3) is confirmed


def test_history_in_the_store_confirms_with_injected_times() -> None:
    url = "https://gone.example/story"
    with Store(":memory:") as store:
        history_store = LiveHistory(store, confirm_checks=3, confirm_days=3)
        results = []
        for day, status in [(0, D), (1, U), (2, D), (4, D)]:
            check = LiveCheck(
                status=status, http_status=404 if status is D else None, checked_at=T0 + timedelta(days=day)
            )
            results.append(history_store.record_and_confirm(url, check))
        assert [r.confirmed for r in results] == [False, False, False, True]
        assert len(history_store.entries(url)) == 4
        assert history_store.entries("https://other.example/") == []
        # A second handle on the same store sees the same history (the schema is created once).
        assert LiveHistory(store).entries(url)[0].status is D


# --------------------------------------------------------------------------- findings


def ref_with(status: LiveStatus, confirmed: bool = False) -> Reference:
    return Reference(id="7", url=URL, live=LiveCheck(status=status, confirmed=confirmed, evidence=["HTTP 404"]))


def test_findings_codes_and_severities() -> None:
    expected = {
        LiveStatus.soft_404: ("CC202", Severity.warning),
        LiveStatus.redirected: ("CC203", Severity.warning),
        LiveStatus.parked: ("CC204", Severity.warning),
        LiveStatus.blocked: ("CC205", Severity.info),
        LiveStatus.unreachable: ("CC206", Severity.info),
    }
    for status, (code, severity) in expected.items():
        (finding,) = findings_for_live(ref_with(status))
        assert (finding.code, finding.severity, finding.ref) == (code, severity, "7")
    assert findings_for_live(ref_with(LiveStatus.alive)) == []
    assert findings_for_live(ref_with(LiveStatus.not_checked)) == []


def test_dead_is_a_warning_until_confirmed() -> None:
    (unconfirmed,) = findings_for_live(ref_with(LiveStatus.dead))
    assert (unconfirmed.code, unconfirmed.severity) == ("CC201", Severity.warning)
    assert "dead (unconfirmed)" in unconfirmed.message
    (confirmed,) = findings_for_live(ref_with(LiveStatus.dead, confirmed=True))
    assert confirmed.severity is Severity.error


def test_accepted_statuses_count_alive_but_never_hide_a_soft_404() -> None:
    """--accept 403: a site that always refuses robots is alive; a 2xx is still judged on its page."""
    wall = page(URL, status=403, title="Forbidden", text="Access denied")
    verdict = classify_response(wall, accepted=frozenset({403, 200}))
    assert verdict.status is LiveStatus.alive and any("--accept" in item for item in verdict.evidence)
    soft = page(URL, title="Page not found – Example", text="Sorry")
    assert classify_response(soft, accepted=frozenset({200})).status is LiveStatus.soft_404
    assert classify_response(wall).status is LiveStatus.blocked

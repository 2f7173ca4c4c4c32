"""API etiquette: Retry-After, maxlag, announced rates, serial requests — over a scripted HttpGet."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from citecheck.resolve.api_http import (
    DEFAULT_MAX_BYTES,
    HttpAnswer,
    MalformedAnswer,
    PoliteEndpoint,
    Politeness,
    user_agent,
)
from citecheck.resolve.crossref import crossref_politeness, follow_rate_limit
from citecheck.resolve.mediawiki import wiki_politeness


class Scripted:
    """Answers in order; records what was asked and how many were in flight at once."""

    def __init__(self, *answers: HttpAnswer, delay: float = 0.0) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, dict[str, str]]] = []
        self.delay = delay
        self.in_flight = 0
        self.most_in_flight = 0

    async def __call__(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> HttpAnswer:
        self.asked.append((url, dict(headers or {})))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def answer(status: int = 200, body: bytes = b"{}", **headers: str) -> HttpAnswer:
    return HttpAnswer(
        status, "https://api.example/x", {k.replace("_", "-").lower(): v for k, v in headers.items()}, body
    )


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


async def test_retry_after_is_waited_out_then_the_answer_returned() -> None:
    http, sleeps = Scripted(answer(429, retry_after="7"), answer(503), answer(200)), Sleeps()
    endpoint = PoliteEndpoint("api", http, Politeness(retries=3, max_pause=30.0), sleep=sleeps)
    result = await endpoint.get("https://api.example/x")
    assert result.status == 200 and endpoint.requests == 3
    assert sleeps.slept == [7.0, 2.0]  # as asked, then the backoff (no Retry-After on the 503)


async def test_a_wait_longer_than_the_cap_is_not_waited() -> None:
    http, sleeps = Scripted(answer(429, retry_after="3600")), Sleeps()
    endpoint = PoliteEndpoint("api", http, Politeness(retries=3, max_pause=30.0), sleep=sleeps)
    assert (await endpoint.get("https://api.example/x")).status == 429
    assert sleeps.slept == [] and endpoint.requests == 1  # inconclusive, and the API is spared


async def test_maxlag_errors_are_retried_after_the_lag() -> None:
    lagged = answer(
        200,
        b'{"error":{"code":"maxlag","info":"Waiting for db: 6 seconds lagged.","lag":6}}',
        retry_after="5",
        mediawiki_api_error="maxlag",
    )
    http, sleeps = Scripted(lagged, lagged, answer(200, b'{"query":{"pages":[]}}')), Sleeps()
    endpoint = PoliteEndpoint("wiki", http, wiki_politeness(), sleep=sleeps)
    result = await endpoint.get("https://wiki.example/w/api.php")
    assert result.json_object() == {"query": {"pages": []}}
    assert sleeps.slept == [5.0, 5.0]


async def test_wiki_requests_are_serial() -> None:
    http = Scripted(answer(200), delay=0.01)
    endpoint = PoliteEndpoint("wiki", http, wiki_politeness())
    await asyncio.gather(*(endpoint.get(f"https://wiki.example/{n}") for n in range(6)))
    assert http.most_in_flight == 1


async def test_crossref_rate_headers_set_the_pace() -> None:
    http = Scripted(answer(200, x_rate_limit_limit="50", x_rate_limit_interval="1s"))
    endpoint = PoliteEndpoint("crossref", http, crossref_politeness(), on_answer=follow_rate_limit)
    await endpoint.get("https://api.crossref.example/works/10.5555/x")
    assert endpoint.bucket is not None and endpoint.bucket.limits.per_second == 50.0
    slow = Scripted(answer(200, x_rate_limit_limit="5", x_rate_limit_interval="2m"))
    endpoint = PoliteEndpoint("crossref", slow, crossref_politeness(), on_answer=follow_rate_limit)
    await endpoint.get("https://api.crossref.example/works/10.5555/x")
    assert endpoint.bucket is not None and endpoint.bucket.limits.per_second == pytest.approx(5 / 120)


async def test_endpoint_headers_go_with_every_request() -> None:
    http = Scripted(answer(200))
    endpoint = PoliteEndpoint("api", http, headers={"User-Agent": user_agent("me@example.org")})
    await endpoint.get("https://api.example/x", headers={"Accept": "application/json"})
    sent = http.asked[0][1]
    assert sent["Accept"] == "application/json" and "me@example.org" in sent["User-Agent"]
    assert sent["User-Agent"].startswith("citecheck/") and "httpx/" in sent["User-Agent"]


def test_answers_that_are_not_json_say_so() -> None:
    with pytest.raises(MalformedAnswer, match="not JSON"):
        answer(200, b"<html>nope</html>").json()
    with pytest.raises(MalformedAnswer, match="JSON object"):
        answer(200, b"[1, 2]").json_object()
    cut = HttpAnswer(200, "u", {}, b'{"a": ', truncated=True)
    with pytest.raises(MalformedAnswer, match="cut"):
        cut.json()
    typed = HttpAnswer(200, "u", {"content-type": "text/HTML; charset=ISO-8859-1"}, b"")
    assert (typed.content_type, typed.charset) == ("text/html", "ISO-8859-1")

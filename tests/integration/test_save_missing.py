"""--save-missing against a fake Save Page Now 2 endpoint on loopback (never the real service)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pytest

from citecheck.resolve.archive.save import SaveConfig, save_missing
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import WebSettings

pytestmark = pytest.mark.integration

KEYS = {"access_key": "key123", "secret_key": "secret456"}


@dataclass
class FakeSavePageNow:
    """Scripted SPN2: per submitted URL, what POST /save answers and what each status poll answers."""

    post_answers: dict[str, list[tuple[int, dict[str, str], dict[str, object]]]] = field(default_factory=dict)
    status_answers: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    posts: list[tuple[str, str | None, float]] = field(default_factory=list)  # (url, Authorization, when)
    polls: list[str] = field(default_factory=list)
    port: int = 0


@pytest.fixture
def spn() -> Iterator[FakeSavePageNow]:
    fake = FakeSavePageNow()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _answer(self, status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            url = form.get("url", [""])[0]
            with lock:
                fake.posts.append((url, self.headers.get("Authorization"), time.monotonic()))
                script = fake.post_answers.get(url) or [(200, {}, {"url": url, "job_id": f"job-{url[-1]}"})]
                status, headers, body = script.pop(0) if len(script) > 1 else script[0]
            self._answer(status, body, headers)

        def do_GET(self) -> None:
            job_id = self.path.rsplit("/", 1)[-1]
            with lock:
                fake.polls.append(job_id)
                script = fake.status_answers.get(job_id, [{"status": "pending"}])
                body = script.pop(0) if len(script) > 1 else script[0]
            self._answer(200, body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def config_for(fake: FakeSavePageNow, **overrides: object) -> SaveConfig:
    settings: dict[str, object] = {
        "base_url": f"http://127.0.0.1:{fake.port}",
        "per_minute": 600.0,
        "poll_interval": 0.02,
        "max_polls": 5,
        **KEYS,
        **overrides,
    }
    return SaveConfig(**settings)  # type: ignore[arg-type]


async def test_saved_after_polling_with_the_keys(spn: FakeSavePageNow) -> None:
    url = "http://live.example/page-a"
    spn.status_answers["job-a"] = [
        {"status": "pending"},
        {"status": "pending"},
        {"status": "success", "timestamp": "20261125010203", "original_url": url},
    ]
    async with WebClient(WebSettings(backoff_base=0.01)) as client:
        outcomes = await save_missing([url, url], web=client, config=config_for(spn))
    assert len(outcomes) == 1  # duplicates asked once
    outcome = outcomes[0]
    assert outcome.status == "saved" and outcome.job_id == "job-a"
    assert outcome.snapshot_url == f"http://127.0.0.1:{spn.port}/web/20261125010203/{url}"
    assert [(posted, auth) for posted, auth, _ in spn.posts] == [(url, "LOW key123:secret456")]
    assert spn.polls == ["job-a"] * 3


async def test_429_waits_for_retry_after_then_saves(spn: FakeSavePageNow) -> None:
    url = "http://live.example/page-b"
    spn.post_answers[url] = [
        (429, {"Retry-After": "1"}, {"message": "slow down"}),
        (200, {}, {"url": url, "job_id": "job-b"}),
    ]
    spn.status_answers["job-b"] = [{"status": "success", "timestamp": "20261125000000", "original_url": url}]
    async with WebClient(WebSettings(backoff_base=0.01)) as client:
        (outcome,) = await save_missing([url], web=client, config=config_for(spn))
    assert outcome.status == "saved"
    assert len(spn.posts) == 2
    assert spn.posts[1][2] - spn.posts[0][2] >= 0.95  # it honoured Retry-After


async def test_persistent_429_fails_without_hammering(spn: FakeSavePageNow) -> None:
    url = "http://live.example/page-c"
    spn.post_answers[url] = [(429, {"Retry-After": "0"}, {})]
    async with WebClient(WebSettings(backoff_base=0.01)) as client:
        (outcome,) = await save_missing([url], web=client, config=config_for(spn, rate_limit_retries=2))
    assert outcome.status == "failed" and "rate limited" in outcome.message
    assert len(spn.posts) == 3


async def test_error_statuses_fail_with_the_archives_message(spn: FakeSavePageNow) -> None:
    refused, errored, pending = "http://live.example/page-d", "http://live.example/page-e", "http://live.example/page-f"
    spn.post_answers[refused] = [(400, {}, {"status": "error", "message": "This URL is excluded."})]
    spn.status_answers["job-e"] = [{"status": "error", "message": "Couldn't resolve host"}]
    async with WebClient(WebSettings(backoff_base=0.01)) as client:
        outcomes = await save_missing([refused, errored, pending], web=client, config=config_for(spn))
    by_url = {outcome.url: outcome for outcome in outcomes}
    assert by_url[refused].status == "failed" and by_url[refused].message == "This URL is excluded."
    assert by_url[errored].status == "failed" and "resolve host" in by_url[errored].message
    assert by_url[pending].status == "queued" and by_url[pending].job_id == "job-f"
    assert [outcome.url for outcome in outcomes] == [refused, errored, pending]


async def test_submissions_are_rate_limited(spn: FakeSavePageNow) -> None:
    urls = [f"http://live.example/page-{letter}" for letter in "ghi"]
    for letter in "ghi":
        spn.status_answers[f"job-{letter}"] = [{"status": "success", "timestamp": "20261125000000"}]
    async with WebClient(WebSettings(backoff_base=0.01)) as client:
        outcomes = await save_missing(urls, web=client, config=config_for(spn, per_minute=120.0))
    assert [outcome.status for outcome in outcomes] == ["saved"] * 3
    times = sorted(when for _, _, when in spn.posts)
    # 2 per second: the third post at least 1 s after the first. The times are the server's, so a
    # first request held up on a loaded machine arrives late and shortens the gap: 0.25 s of slack
    # (unpaced, the three posts arrive within a few milliseconds).
    assert times[2] - times[0] >= 2 * 60 / 120 - 0.25


async def test_without_keys_the_same_api_is_asked_anonymously(spn: FakeSavePageNow) -> None:
    """No keys: the same SPN2 endpoint, through the same guarded client, without an Authorization header."""
    url = "http://live.example/page-j"
    spn.status_answers["job-j"] = [{"status": "success", "timestamp": "20261125000000", "original_url": url}]
    config = config_for(spn, access_key=None, secret_key=None)
    assert not config.authenticated
    async with WebClient(WebSettings(backoff_base=0.01)) as client:
        (outcome,) = await save_missing([url], web=client, config=config)
    assert outcome.status == "saved"
    assert [(posted, auth) for posted, auth, _ in spn.posts] == [(url, None)]


def test_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITECHECK_IA_ACCESS_KEY", "a")
    monkeypatch.setenv("CITECHECK_IA_SECRET_KEY", "b")
    assert SaveConfig.from_env(per_minute=2.0) == SaveConfig(access_key="a", secret_key="b", per_minute=2.0)
    monkeypatch.delenv("CITECHECK_IA_SECRET_KEY")
    assert not SaveConfig.from_env().authenticated

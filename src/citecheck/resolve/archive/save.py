"""``--save-missing``: ask the archive to capture live pages it has no snapshot of.

Opt-in only.  With keys (``CITECHECK_IA_ACCESS_KEY`` / ``CITECHECK_IA_SECRET_KEY``)
the authenticated Save Page Now 2 API is used: ``POST /save`` with
``Authorization: LOW key:secret`` and the form field ``url``, answered with a
``job_id``, then ``GET /save/status/<job_id>`` until the job succeeds or fails.
Without keys, waybackpy's anonymous save API does the same (it is sync: run
in a thread).  Save Page Now's limits are tight and opaque, so requests go
out slowly (6 a minute by default) and a 429 pauses every later request for
its Retry-After.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import httpx

from citecheck.resolve.archive.ia import IA_BASE_URL
from citecheck.resolve.archive.ratelimit import PoolLimits, TokenBucket
from citecheck.resolve.archive.wayback import USER_AGENT
from citecheck.resolve.net import parse_retry_after

ACCESS_KEY_ENV = "CITECHECK_IA_ACCESS_KEY"
SECRET_KEY_ENV = "CITECHECK_IA_SECRET_KEY"

SaveStatus = Literal["saved", "queued", "failed"]


@dataclass(frozen=True)
class SaveOutcome:
    """What asking the archive to capture one URL gave.

    ``saved``: the capture exists (``snapshot_url``); ``queued``: the archive
    accepted the job but it had not finished when we stopped polling
    (``job_id`` says which); ``failed``: it refused or errored (``message``).
    """

    url: str
    status: SaveStatus
    snapshot_url: str | None = None
    message: str = ""
    job_id: str | None = None


def _anonymous_save(url: str, user_agent: str) -> str:
    """Capture ``url`` through waybackpy's anonymous save API; the new snapshot's address."""
    from waybackpy import WaybackMachineSaveAPI

    archived: str = WaybackMachineSaveAPI(url, user_agent=user_agent, max_tries=3).save()
    return archived


@dataclass(frozen=True)
class SaveConfig:
    """Where and how politely to ask for captures."""

    base_url: str = IA_BASE_URL
    access_key: str | None = None
    secret_key: str | None = None
    per_minute: float = 6.0
    poll_interval: float = 5.0
    max_polls: int = 24
    rate_limit_retries: int = 3
    max_rate_limit_wait: float = 600.0
    user_agent: str = USER_AGENT
    # Used without keys; replaceable so nothing in tests ever reaches the real service.
    anonymous_saver: Callable[[str, str], str] = _anonymous_save

    @classmethod
    def from_env(cls, **overrides: object) -> SaveConfig:
        """Keys from ``CITECHECK_IA_ACCESS_KEY`` / ``CITECHECK_IA_SECRET_KEY``, everything else as given."""
        keys = {
            "access_key": os.environ.get(ACCESS_KEY_ENV) or None,
            "secret_key": os.environ.get(SECRET_KEY_ENV) or None,
        }
        return cls(**{**keys, **overrides})  # type: ignore[arg-type]

    @property
    def authenticated(self) -> bool:
        return bool(self.access_key and self.secret_key)


class _SavePageNow:
    """One run's SPN2 session: one bucket for every submission, shared 429 pauses."""

    def __init__(self, client: httpx.AsyncClient, config: SaveConfig) -> None:
        self.client = client
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.bucket = TokenBucket(PoolLimits(config.per_minute / 60.0, burst=1))
        self.headers = {"Accept": "application/json", "User-Agent": config.user_agent}
        if config.authenticated:
            self.headers["Authorization"] = f"LOW {config.access_key}:{config.secret_key}"

    async def _request(self, method: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        """Send within the bucket; a 429 pauses the bucket for Retry-After (else 60 s) and retries."""
        for _attempt in range(self.config.rate_limit_retries + 1):
            await self.bucket.acquire()
            response = await self.client.request(method, f"{self.base_url}{path}", data=data, headers=self.headers)
            if response.status_code != 429:
                return response
            wait = parse_retry_after(response.headers.get("Retry-After"))
            self.bucket.pause(min(wait if wait is not None else 60.0, self.config.max_rate_limit_wait))
        return response

    async def save(self, url: str) -> SaveOutcome:
        try:
            response = await self._request("POST", "/save", data={"url": url})
        except httpx.HTTPError as error:
            return SaveOutcome(url, "failed", message=f"could not reach {self.base_url}: {type(error).__name__}")
        if response.status_code == 429:
            return SaveOutcome(url, "failed", message="rate limited by Save Page Now; try again later")
        answer = _json_object(response)
        job_id = answer.get("job_id")
        if response.status_code != 200 or not isinstance(job_id, str):
            message = answer.get("message") or f"Save Page Now answered {response.status_code}"
            return SaveOutcome(url, "failed", message=str(message))
        return await self._poll(url, job_id)

    async def _poll(self, url: str, job_id: str) -> SaveOutcome:
        for _poll in range(self.config.max_polls):
            await asyncio.sleep(self.config.poll_interval)
            try:
                response = await self.client.get(f"{self.base_url}/save/status/{job_id}", headers=self.headers)
            except httpx.HTTPError as error:
                return SaveOutcome(url, "queued", message=f"status unknown: {type(error).__name__}", job_id=job_id)
            if response.status_code == 429:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                await asyncio.sleep(min(wait if wait is not None else 60.0, self.config.max_rate_limit_wait))
                continue
            state = _json_object(response)
            status = state.get("status")
            if status == "success" and state.get("timestamp"):
                original = str(state.get("original_url") or url)
                snapshot = f"{self.base_url}/web/{state['timestamp']}/{original}"
                return SaveOutcome(url, "saved", snapshot_url=snapshot, message="captured", job_id=job_id)
            if status == "error":
                message = state.get("message") or state.get("status_ext") or "Save Page Now reported an error"
                return SaveOutcome(url, "failed", message=str(message), job_id=job_id)
        return SaveOutcome(url, "queued", message="capture still pending when polling stopped", job_id=job_id)


def _json_object(response: httpx.Response) -> dict[str, object]:
    try:
        loaded = response.json()
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


async def _save_anonymously(urls: Sequence[str], config: SaveConfig) -> list[SaveOutcome]:
    bucket = TokenBucket(PoolLimits(config.per_minute / 60.0, burst=1))
    outcomes: list[SaveOutcome] = []
    for url in urls:
        await bucket.acquire()
        try:
            snapshot = await asyncio.to_thread(config.anonymous_saver, url, config.user_agent)
        except Exception as error:  # waybackpy raises its own and requests' exceptions
            outcomes.append(SaveOutcome(url, "failed", message=f"{type(error).__name__}: {error}"))
        else:
            outcomes.append(SaveOutcome(url, "saved", snapshot_url=snapshot, message="captured"))
    return outcomes


async def save_missing(urls: Sequence[str], *, client: httpx.AsyncClient, config: SaveConfig) -> list[SaveOutcome]:
    """Ask the archive to capture each URL (duplicates once), one outcome per distinct URL, in order.

    Callers pass live-alive URLs whose archive result is ``none``.  Uses SPN2
    when keys are configured or the base URL is not the Internet Archive's
    (a self-hosted or test endpoint), else waybackpy's anonymous save API.
    """
    distinct = list(dict.fromkeys(urls))
    if not config.authenticated and config.base_url.rstrip("/") == IA_BASE_URL:
        return await _save_anonymously(distinct, config)
    session = _SavePageNow(client, config)
    # Submissions are serialised by the bucket; polling overlaps so slow jobs do not hold up the rest.
    return list(await asyncio.gather(*(session.save(url) for url in distinct)))

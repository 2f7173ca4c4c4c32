"""``--save-missing``: ask the archive to capture live pages it has no snapshot of.

Opt-in only.  Save Page Now 2: ``POST /save`` with the form field ``url`` —
with keys (``CITECHECK_IA_ACCESS_KEY`` / ``CITECHECK_IA_SECRET_KEY``) as
``Authorization: LOW key:secret``, without them anonymously (lower limits) —
answered with a ``job_id``, then ``GET /save/status/<job_id>`` until the job
succeeds or fails.  Every request goes through the run's one HTTP layer
(no library is handed a URL).  Save Page Now's limits are tight and opaque,
so submissions go out slowly (6 a minute by default) and a 429 pauses every
later submission for its Retry-After.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from citecheck.resolve.archive.ia import IA_BASE_URL
from citecheck.resolve.decode import JsonDataError
from citecheck.resolve.politeness import PoolPolicy
from citecheck.resolve.web import FetchFailed, WebClient, WebResponse
from citecheck.resolve.web_settings import DEFAULT_USER_AGENT

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
    user_agent: str = DEFAULT_USER_AGENT

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
    """One run's SPN2 session: one slow pool for every submission (429s pause it), a quick one for polls."""

    def __init__(self, web: WebClient, config: SaveConfig) -> None:
        self.web = web
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        web.trust_endpoint(self.base_url)
        self.submit_pool = f"archive:{self.base_url}:save"
        self.status_pool = f"archive:{self.base_url}:save-status"
        web.configure_pool(
            self.submit_pool,
            PoolPolicy(
                concurrency=1,
                per_second=config.per_minute / 60.0,
                burst=1,
                adaptive=False,
                max_wait=config.max_rate_limit_wait,
            ),
        )
        web.configure_pool(self.status_pool, PoolPolicy(concurrency=4, max_wait=config.max_rate_limit_wait))
        self.headers = {"Accept": "application/json", "User-Agent": config.user_agent}
        if config.authenticated:
            self.headers["Authorization"] = f"LOW {config.access_key}:{config.secret_key}"

    async def save(self, url: str) -> SaveOutcome:
        try:
            response = await self.web.fetch(
                f"{self.base_url}/save",
                method="POST",
                data={"url": url},
                headers=self.headers,
                pool=self.submit_pool,
                retries=self.config.rate_limit_retries,
                follow_redirects=False,
            )
        except FetchFailed as failure:
            return SaveOutcome(url, "failed", message=f"could not reach {self.base_url}: {failure.detail}")
        if response.status == 429:
            return SaveOutcome(url, "failed", message="rate limited by Save Page Now; try again later")
        answer = _json_object(response)
        job_id = answer.get("job_id")
        if response.status != 200 or not isinstance(job_id, str):
            message = answer.get("message") or f"Save Page Now answered {response.status}"
            return SaveOutcome(url, "failed", message=str(message))
        return await self._poll(url, job_id)

    async def _poll(self, url: str, job_id: str) -> SaveOutcome:
        for _poll in range(self.config.max_polls):
            await asyncio.sleep(self.config.poll_interval)
            try:
                response = await self.web.fetch(
                    f"{self.base_url}/save/status/{job_id}", headers=self.headers, pool=self.status_pool, retries=1
                )
            except FetchFailed as failure:
                return SaveOutcome(url, "queued", message=f"status unknown: {failure.error.value}", job_id=job_id)
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


def _json_object(response: WebResponse) -> dict[str, object]:
    try:
        loaded = response.json()
    except JsonDataError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


async def save_missing(urls: Sequence[str], *, web: WebClient, config: SaveConfig) -> list[SaveOutcome]:
    """Ask the archive to capture each URL (duplicates once), one outcome per distinct URL, in order.

    Callers pass live-alive URLs whose archive result is ``none``.
    """
    distinct = list(dict.fromkeys(urls))
    session = _SavePageNow(web, config)
    # Submissions are serialised by their pool; polling overlaps so slow jobs do not hold up the rest.
    return list(await asyncio.gather(*(session.save(url) for url in distinct)))

"""The HTTP layer's settings — user agent, timeouts, body bounds, retries, per-host overrides — without the client.

Every audit builds them from its options (:mod:`.settings`), offline ones
too; the client that uses them (:mod:`.web`), with its event loop, TLS and
cookie machinery, is imported by the runs that send requests.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from citecheck.resolve.decode import DEFAULT_MAX_JSON_DEPTH

if TYPE_CHECKING:
    from citecheck.resolve.net import IPNetwork

DEFAULT_USER_AGENT = "citecheck/0.1 (+https://github.com/citecheck/citecheck; citation audit)"


class HostSettings(BaseModel):
    """Per-host overrides (lychee's host pool): ``[tool.citecheck.hosts."example.org"]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int | None = Field(default=None, ge=1, le=256)
    per_second: float | None = Field(default=None, gt=0)
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float | None = Field(default=None, gt=0)
    retries: int | None = Field(default=None, ge=0, le=10)


class WebSettings(BaseModel):
    """Every knob of the HTTP layer, in one place."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: str = DEFAULT_USER_AGENT
    headers: dict[str, str] = Field(default_factory=dict)  # sent with every request (--header)
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    request_deadline: float = 45.0  # one exchange, body included
    max_bytes: int = 5 * 1024 * 1024  # text bodies, counted after decompression
    max_pdf_bytes: int = 20 * 1024 * 1024
    max_decompression_ratio: float = 200.0  # decoded:raw, beyond a megabyte (a gzip bomb)
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    max_redirects: int = 10
    retries: int = 2  # extra attempts for 5xx, 429, resets and timeouts
    backoff_base: float = 1.0  # seconds; attempt n waits base * 2**n plus jitter
    retry_after_cap: float = 120.0  # a longer Retry-After is not waited for: that URL is not-checked
    # An archive refusing (429s) or failing every request this long is given up for the run (see EndpointBreaker).
    give_up_after: float = Field(default=20.0, gt=0)
    http2: bool = True
    allow_private: bool = False
    trusted_networks: tuple[str, ...] = ()  # CIDRs treated as public (an intranet you mean to check)
    local_address: str | None = None  # bind outgoing connections to this local IP
    tls_fallback: bool = True  # read a page whose certificate is bad unverified (alive, with a warning)
    concurrency: int = 32  # connections in all
    per_host_concurrency: int = 2
    hosts: dict[str, HostSettings] = Field(default_factory=dict)  # by host name (``*.example.org`` too)
    # Each archive endpoint's pools send at most this many requests a second (--archive-rate): a rate
    # the endpoint's own policy (the Internet Archive's published limits) is already below stays.
    archive_rate: float | None = Field(default=None, gt=0)

    def trusted(self) -> list[IPNetwork]:
        return [ipaddress.ip_network(cidr, strict=False) for cidr in self.trusted_networks]

    def host_settings(self, host: str) -> HostSettings | None:
        """The overrides for ``host``: an exact entry, else the nearest ``*.parent`` entry."""
        host = host.lower()
        if host in self.hosts:
            return self.hosts[host]
        labels = host.split(".")
        for index in range(1, len(labels)):
            parent = ".".join(labels[index:])
            for key in (f"*.{parent}", f".{parent}"):
                if key in self.hosts:
                    return self.hosts[key]
        return None

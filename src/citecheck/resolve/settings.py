"""How an audit's options become the resolve stage's settings — in one place.

:meth:`ResolveSettings.from_options` is the only code that reads
:class:`~citecheck.config.AuditOptions` for the network stages; everything
below it (the HTTP layer, the live checker, the archives, the source reader,
the Dask partitions) reads :class:`ResolveSettings`.  ``tests/unit/
test_settings_flow.py`` checks that every option reaches the code that uses
it, in one process and on Dask.

To wire a new option: add the field to ``AuditOptions`` and one line here;
the HTTP layer takes a per-host table (:class:`~citecheck.resolve.web_settings.HostSettings`)
and global user agent, headers, timeouts and retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from citecheck.resolve.archive.spec import parse_archive_spec
from citecheck.resolve.web_settings import DEFAULT_USER_AGENT, HostSettings, WebSettings

if TYPE_CHECKING:
    from citecheck.config import AuditOptions
    from citecheck.resolve.live import LiveCheckConfig
    from citecheck.resolve.net import Resolver

# Offline, any remembered answer is better than none; the report says how old the store is.
OFFLINE_REUSE_HOURS = 3650 * 24.0


@dataclass(frozen=True)
class ResolveSettings:
    """Everything the resolve stage needs; picklable (it travels to Dask workers)."""

    archives: tuple[str, ...]
    store_path: str
    web: WebSettings = field(default_factory=WebSettings)
    concurrency: int = 32  # URLs being resolved at once (each host: two requests at once at most)
    canary_urls: tuple[str, ...] = ()  # empty: the live checker's defaults
    dns_check_names: tuple[str, ...] = ()  # empty: the live checker's defaults
    save_missing: bool = False  # ask the archive to capture live URLs it has no snapshot of
    live_reuse_hours: float = 20.0  # reuse a conclusive live check younger than this (0: always fetch)
    live_source_ttl: timedelta = timedelta(days=7)  # a live page's text read from the store this long
    offline: bool = False  # no request at all: answers from the store only
    source_addresses: tuple[str, ...] = ()  # local IPs to leave from (Dask partitions round-robin)
    discovery_limit: int = 20  # fresh discovery searches per run (the index is the scarcest pool)
    accepted_statuses: frozenset[int] = frozenset()  # --accept: statuses that count as alive
    # Resolves every host name (tests and benchmarks: a loopback stub); None: the system resolver.
    # Must be a picklable callable to travel to Dask workers.
    resolver: Resolver | None = field(default=None, compare=False)

    @classmethod
    def from_options(cls, options: AuditOptions) -> ResolveSettings:
        """The resolve stage's settings for an audit's options (the one place options are read).

        Raises ValueError for an ``--archive`` value that cannot be an archive.
        """
        for spec in options.archives:
            parse_archive_spec(spec)
        timeout = options.live_timeout
        web = WebSettings(
            user_agent=options.user_agent or DEFAULT_USER_AGENT,
            headers=dict(options.headers),
            connect_timeout=min(10.0, timeout / 2),
            read_timeout=timeout,
            request_deadline=max(timeout * 2.25, timeout + 1.0),
            retries=options.live_retries,
            allow_private=options.allow_private,
            concurrency=max(options.concurrency * 4, 16),
            local_address=options.source_addresses[0] if options.source_addresses else None,
            hosts={
                host: HostSettings(concurrency=table.concurrency, per_second=table.rate, headers=dict(table.headers))
                for host, table in options.hosts.items()
            },
            archive_rate=options.archive_rate,
        )
        return cls(
            archives=tuple(options.archives),
            store_path=str(options.cache),
            web=web,
            concurrency=options.concurrency,
            canary_urls=tuple(options.canary),
            save_missing=options.save_missing,
            live_reuse_hours=options.live_reuse_hours,
            offline=options.offline,
            source_addresses=tuple(options.source_addresses),
            accepted_statuses=options.accepted_statuses(),
        )

    def for_partition(self, index: int) -> ResolveSettings:
        """The settings of Dask partition ``index``: its own source address when several are given."""
        if not self.source_addresses:
            return self
        address = self.source_addresses[index % len(self.source_addresses)]
        return replace(self, web=self.web.model_copy(update={"local_address": address}))

    def live_config(self) -> LiveCheckConfig:
        """The live checker's own settings (its HTTP settings are :attr:`web`)."""
        # Imported here, with the checker it configures: every audit reads these settings, offline ones too,
        # and the live checker (its classifier, its event loop) is for the runs that send requests (issue 17).
        from citecheck.resolve.live import LiveCheckConfig

        overrides: dict[str, object] = {
            "web": self.web,
            "reuse_within_hours": OFFLINE_REUSE_HOURS if self.offline else self.live_reuse_hours,
            "reuse_unreachable": self.offline,
            "url_deadline": max(60.0, self.web.request_deadline * (self.web.retries + 2)),
            "accepted_statuses": self.accepted_statuses,
        }
        if self.canary_urls:
            overrides["canary_urls"] = self.canary_urls
        if self.dns_check_names:
            overrides["dns_canary_hosts"] = self.dns_check_names
        return LiveCheckConfig.model_validate(overrides)

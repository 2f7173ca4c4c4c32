"""Every audit option reaches the code that uses it: CLI flag → AuditOptions → ResolveSettings → component.

The table below classifies every field of :class:`AuditOptions`; a new field
fails :func:`test_every_option_is_classified` until someone says where it goes.
For the resolve stage's options, a non-default value is set and followed to
the object that acts on it — in one process (a real :class:`ResolveSession`)
and on Dask (the settings each partition receives, after pickling).
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from citecheck import cli
from citecheck.config import AuditOptions
from citecheck.resolve.archive.http_archive import HttpArchive
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.stage import ResolveSession
from citecheck.resolve.web import host_policy

Check = Callable[[ResolveSession, Any], bool]


def _archive_rates(session: ResolveSession) -> list[tuple[float | None, float | None]]:
    """(playback, index) requests per second of each HTTP archive of the session (WARCs send nothing)."""
    return [
        (session.web.pool(b.playback_pool).policy.per_second, session.web.pool(b.index_pool).policy.per_second)
        for b in session.archives.backends
        if isinstance(b, HttpArchive)
    ]


# Resolve options: a non-default value, and how to see it arrived where it acts.
RESOLVE_OPTIONS: dict[str, tuple[Any, Check]] = {
    "archives": (
        ["pywb+http://archive.test/coll", "warc:/tmp/x.warc"],
        lambda s, v: [b.name for b in s.archives.backends] == [spec.removeprefix("pywb+") for spec in v],
    ),
    "cache": (Path("/tmp/flow/cache.sqlite"), lambda s, v: s.settings.store_path == str(v)),
    "allow_private": (True, lambda s, v: s.web.settings.allow_private is v),
    "concurrency": (3, lambda s, v: s.settings.concurrency == v and s.web.settings.concurrency >= v),
    "canary": (["http://canary.test/"], lambda s, v: list(s.live.config.canary_urls) == v),
    "live_reuse_hours": (5.0, lambda s, v: s.live.config.reuse_within_hours == v),
    "live_timeout": (
        7.0,
        lambda s, v: s.web.settings.read_timeout == v and s.web.settings.connect_timeout == min(10.0, v / 2),
    ),
    "live_retries": (4, lambda s, v: s.web.settings.retries == v),
    "save_missing": (True, lambda s, v: s.settings.save_missing is v),
    "offline": (True, lambda s, v: s.web.offline is v and s.archives.offline is v and s.sources.offline is v),
    "source_addresses": (["127.0.0.61", "127.0.0.62"], lambda s, v: s.web.settings.local_address == v[0]),
    "user_agent": ("FlowBot/1.0 (+https://flow.example/bot)", lambda s, v: s.web.settings.user_agent == v),
    "headers": ({"X-Flow": "1"}, lambda s, v: s.web.settings.headers == v),
    "hosts": (
        {"flow.example": {"concurrency": 1, "rate": 0.5, "headers": {"X-Host": "2"}}},
        lambda s, v: (
            (policy := host_policy(s.web.settings, "flow.example")).concurrency == 1
            and policy.per_second == 0.5
            and s.web.settings.host_settings("flow.example") is not None
            and s.web.settings.host_settings("flow.example").headers == {"X-Host": "2"}
        ),
    ),
    "accept": (["403", "451"], lambda s, v: s.live.config.accepted_statuses == {int(code) for code in v}),
    # Every HTTP archive's pools at most this fast: the default (the Internet Archive, 8/s playback) slowed
    # to 2/s, its 0.4/s index left as it is.
    "archive_rate": (2.0, lambda s, v: bool(rates := _archive_rates(s)) and all(p == v >= i for p, i in rates)),
}

# Options other stages read: the stage that uses each (and so is tested elsewhere).
OTHER_OPTIONS = {
    "out": "reports (pipeline.audit writes there)",
    "formats": "reports",
    "fail_on": "pipeline exit code",
    "select": "checks (code_selected)",
    "ignore": "checks (code_selected)",
    "max_document_size": "documents (parse_one)",
    "snapshot_far_days": "checks.archive (CC302)",
    "today": "checks (dates in the future)",
    "baseline": "reports.baseline",
    "write_baseline": "reports.baseline",
    "executor": "execution (make_executor)",
    "scheduler": "execution (DaskExecutor)",
    "workers": "execution (DaskExecutor)",
    "jobs": "pipeline (--jobs worker processes; tests/integration/test_streamed_audit.py)",
    "cluster_limit": "execution (resolve_partition's semaphore)",
    "exclude": "url_rules (applied before the resolve stage: excluded references never reach it)",
    "include": "url_rules",
    "remap": "url_rules",
    "ignore_file": "url_rules",
    "output_format": "cli / reports.terminal",
    "show": "cli / reports.terminal",
    "max_lines": "cli / reports.terminal",
    "contact": "web_documents and the identifier stage (their User-Agent and Crossref's mailto)",
    "crossref_api": "the identifier stage (resolve/identifiers.py)",
    "crossref_mailto": "the identifier stage",
    "doi_api": "the identifier stage",
    "history_budget": "web_documents (access dates from a wiki's history)",
    "latest": "web_documents (a wiki article's newest revision)",
    "max_page_size": "web_documents (pages given to audit)",
    "titles": "web_inputs",
    "wiki": "web_inputs (which article an input names)",
}


def test_every_option_is_classified() -> None:
    fields = set(AuditOptions.model_fields)
    classified = set(RESOLVE_OPTIONS) | set(OTHER_OPTIONS)
    assert fields - classified == set(), "new AuditOptions fields: say where they go (resolve/settings.py?)"
    assert classified - fields == set()


def _session(settings: ResolveSettings) -> ResolveSession:
    """A session as a run builds it (entered: its archives exist), then closed; nothing is sent."""

    async def build() -> ResolveSession:
        session = ResolveSession(settings, store=None)
        async with session:
            pass
        return session

    return asyncio.run(build())


@pytest.mark.parametrize("name", sorted(RESOLVE_OPTIONS))
def test_each_resolve_option_reaches_the_component_that_uses_it(name: str) -> None:
    value, arrived = RESOLVE_OPTIONS[name]
    baseline = _session(ResolveSettings.from_options(AuditOptions()))
    assert not arrived(baseline, value), f"{name}: the check passes without the option; it proves nothing"
    session = _session(ResolveSettings.from_options(AuditOptions(**{name: value})))
    assert arrived(session, value), name


def test_dask_partitions_receive_the_same_settings_with_their_own_source_address() -> None:
    options = AuditOptions(
        **{name: value for name, (value, _check) in RESOLVE_OPTIONS.items() if name != "offline"}  # type: ignore[arg-type]
    )
    settings = ResolveSettings.from_options(options)
    travelled = [pickle.loads(pickle.dumps(settings.for_partition(index))) for index in range(4)]
    assert [part.web.local_address for part in travelled] == ["127.0.0.61", "127.0.0.62"] * 2
    for part in travelled:
        session = _session(part)
        for name, (value, arrived) in RESOLVE_OPTIONS.items():
            if name in ("offline", "source_addresses"):
                continue
            assert arrived(session, value), f"{name} lost on the way to a Dask worker"


# CLI flags of `citecheck audit` and the AuditOptions field each sets (value given, value expected).
AUDIT_FLAGS: list[tuple[list[str], str, Any]] = [
    (["--archive", "warc:/tmp/a.warc"], "archives", ["warc:/tmp/a.warc"]),
    (["--archive-rate", "2"], "archive_rate", 2.0),
    (["--cache", "/tmp/c.sqlite"], "cache", Path("/tmp/c.sqlite")),
    (["--allow-private"], "allow_private", True),
    (["--concurrency", "3"], "concurrency", 3),
    (["--canary", "http://canary.test/"], "canary", ["http://canary.test/"]),
    (["--save-missing"], "save_missing", True),
    (["--offline"], "offline", True),
    (
        ["--source-address", "127.0.0.61", "--source-address", "127.0.0.62"],
        "source_addresses",
        ["127.0.0.61", "127.0.0.62"],
    ),
    (["--executor", "dask"], "executor", "dask"),
    (["--scheduler", "tcp://h:8786"], "scheduler", "tcp://h:8786"),
    (["--workers", "5"], "workers", 5),
    (["--jobs", "3"], "jobs", 3),
    (["--cluster-limit", "2"], "cluster_limit", 2),
    (
        ["--user-agent", "FlowBot/1.0 (+https://flow.example/bot)"],
        "user_agent",
        "FlowBot/1.0 (+https://flow.example/bot)",
    ),
    (["--header", "X-Flow: 1"], "headers", {"X-Flow": "1"}),
    (["--accept", "403", "--accept", "451"], "accept", ["403", "451"]),
    (["--timeout", "7"], "live_timeout", 7.0),
    (["--retries", "4"], "live_retries", 4),
    (["--max-cache-age", "5h"], "live_reuse_hours", 5.0),
]


@pytest.mark.parametrize(("flags", "field", "expected"), AUDIT_FLAGS, ids=[flags[0] for flags, _, _ in AUDIT_FLAGS])
def test_audit_flags_reach_the_options(
    flags: list[str], field: str, expected: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[AuditOptions] = []

    def fake_audit(paths: object, options: AuditOptions, progress: object = None, **kwargs: object) -> object:
        seen.append(options)
        raise SystemExit(0)

    import citecheck.pipeline

    monkeypatch.setattr(citecheck.pipeline, "audit", fake_audit)  # the CLI imports it when the command runs
    monkeypatch.chdir(tmp_path)
    CliRunner().invoke(cli.main, ["audit", *flags])
    assert seen, "the CLI did not reach audit()"
    assert getattr(seen[0], field) == expected
    # …and from the options to the resolve stage (for the resolve stage's own options).
    if field in RESOLVE_OPTIONS:
        session = _session(ResolveSettings.from_options(seen[0]))
        assert RESOLVE_OPTIONS[field][1](session, expected), field


def test_live_timeout_and_retries_from_the_config_file_reach_the_http_layer(tmp_path: Path) -> None:
    from citecheck.config import build_options, load_config_file

    (tmp_path / "citecheck.toml").write_text("live-timeout = 4\nlive-retries = 0\n", encoding="utf-8")
    options = build_options(load_config_file(tmp_path), {})
    session = _session(ResolveSettings.from_options(options))
    assert session.web.settings.read_timeout == 4 and session.web.settings.retries == 0


def test_the_archive_rate_slows_archives_down_and_never_speeds_the_internet_archive_up() -> None:
    """Above the Internet Archive's own limits it changes nothing there; a self-hosted archive (no rate
    of its own for playback) gets it, with no burst above one second's worth."""
    options = AuditOptions(archives=["https://web.archive.org", "pywb+http://archive.test/coll"], archive_rate=50.0)
    ia, pywb = (backend for backend in _session(ResolveSettings.from_options(options)).archives.backends)
    assert isinstance(ia, HttpArchive) and isinstance(pywb, HttpArchive)
    web = ia.web
    assert (web.pool(ia.playback_pool).policy.per_second, web.pool(ia.index_pool).policy.per_second) == (8.0, 0.4)
    assert web.pool(pywb.playback_pool).policy.per_second == 50.0  # rate-less (adaptive) without the option
    assert web.pool(pywb.index_pool).policy.per_second == 20.0  # its own policy is already slower
    slow = AuditOptions(archives=["pywb+http://archive.test/coll"], archive_rate=0.5)
    [backend] = _session(ResolveSettings.from_options(slow)).archives.backends
    assert isinstance(backend, HttpArchive)
    index = backend.web.pool(backend.index_pool).policy
    assert (index.per_second, index.burst) == (0.5, 1)

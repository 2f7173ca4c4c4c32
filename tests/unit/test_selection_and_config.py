"""Strict --select/--ignore, settings files found like ruff's, and errors in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.checks.catalogue import RULES, SelectionError, resolve_selector, resolve_selectors
from citecheck.config import AuditOptions, ConfigError, build_options, find_config_file, load_config
from citecheck.models import OFFLINE_MESSAGE


def test_codes_prefixes_names_and_all() -> None:
    assert resolve_selectors(["cc201", " CC2 ", "dead-link", "Dangling-Marker", "ALL", ""]) == [
        "CC201",
        "CC2",
        "CC201",
        "CC104",
        "CC",
    ]


@pytest.mark.parametrize(
    ("token", "suggestion"),
    [("CC2O1", "CC201 (dead-link)"), ("dead-lnk", "CC201 (dead-link)"), ("CC9", None), ("C", None), ("x", None)],
)
def test_unknown_selectors_fail_with_the_nearest_suggestion(token: str, suggestion: str | None) -> None:
    with pytest.raises(SelectionError) as raised:
        resolve_selector(token)
    message = str(raised.value)
    assert message.startswith(f"{token!r} is not a finding code, code prefix or finding name")
    assert (f"did you mean {suggestion}?" in message) if suggestion else "did you mean" not in message


def test_every_rule_name_is_unique_so_names_can_alias_codes() -> None:
    names = [rule.name for rule in RULES.values()]
    assert len(names) == len(set(names))


def test_settings_file_is_the_nearest_one_up_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.citecheck]\nconcurrency = 4\n", encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")  # no table: skipped
    assert find_config_file(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / "citecheck.toml").write_text("concurrency = 3\n", encoding="utf-8")
    assert find_config_file(deep) == tmp_path / "a" / "citecheck.toml"
    config = load_config(deep)
    assert build_options(config, {}).concurrency == 3
    assert build_options(config, {"concurrency": 5}).concurrency == 5  # flags win


def test_paths_in_a_settings_file_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "citecheck.toml").write_text('out = "r"\ncache = "store/c.sqlite"\n', encoding="utf-8")
    options = build_options(load_config(tmp_path), {})
    assert options.out == tmp_path / "r" and options.cache == tmp_path / "store" / "c.sqlite"


def test_host_tables_headers_and_http_settings(tmp_path: Path) -> None:
    (tmp_path / "citecheck.toml").write_text(
        'user-agent = "ExampleBot/1.0"\ntimeout = 5\nretries = 1\nmax-cache-age = "1d"\naccept = [200, "429"]\n'
        '[headers]\nAccept-Language = "en"\n'
        '[hosts."Example.ORG"]\nconcurrency = 1\nrate = 0.5\nheaders = {Authorization = "Bearer x"}\n',
        encoding="utf-8",
    )
    options = build_options(load_config(tmp_path), {})
    assert options.user_agent == "ExampleBot/1.0"
    assert (options.live_timeout, options.live_retries, options.live_reuse_hours) == (5, 1, 24.0)
    assert options.accepted_statuses() == {200, 429}
    assert options.headers == {"Accept-Language": "en"}
    host = options.hosts["example.org"]
    assert (host.concurrency, host.rate, host.headers) == (1, 0.5, {"Authorization": "Bearer x"})


def test_bad_header_and_host_names() -> None:
    with pytest.raises(ConfigError, match="is not a valid HTTP header name"):
        build_options({}, {"headers": {"Bad Name": "x"}})
    with pytest.raises(ConfigError, match="holds a control character"):
        build_options({}, {"headers": {"X-Ok": "a\r\nInjected: yes"}})
    with pytest.raises(ConfigError, match="is not a host name"):
        build_options({"hosts": {"https://example.org/": {}}}, {})


@pytest.mark.parametrize(
    "flags",
    [
        {"canary": ["https://example.org:99999/"]},
        {"canary": ["https://example.org/", "http://example.org:0/"]},
        {"doi_api": "https://doi.org:-1/api/handles"},
        {"crossref_api": "https://api.crossref.org:abc"},
    ],
)
def test_a_server_setting_with_a_port_no_server_can_have_is_refused(flags: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"port .*; write a port from 1 to 65535, or none for the scheme's default"):
        build_options({}, flags)


def test_good_ports_in_server_settings_are_kept() -> None:
    options = build_options({"crossref_api": "http://127.0.0.1:65535"}, {"canary": ["http://127.0.0.1:1/"]})
    assert (options.crossref_api, options.canary) == ("http://127.0.0.1:65535", ["http://127.0.0.1:1/"])


def test_missing_explicit_files() -> None:
    with pytest.raises(ConfigError, match=r"--config nowhere\.toml: no such file"):
        load_config(explicit=Path("nowhere.toml"))
    with pytest.raises(ConfigError, match="--ignore-file: nowhere: no such file"):
        build_options({}, {"ignore_file": Path("nowhere")})


def test_library_defaults_need_no_file() -> None:
    options = AuditOptions()
    assert options.select == [] and options.output_format == "concise" and options.show == "warning"


def test_the_offline_message_is_the_resolve_stage_s() -> None:
    from citecheck.resolve.batch import OFFLINE_STATE

    assert OFFLINE_STATE.message == OFFLINE_MESSAGE  # check --offline answers without importing the resolve stage

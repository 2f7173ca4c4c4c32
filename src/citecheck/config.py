"""Audit settings: defaults, then ``[tool.citecheck]`` / ``citecheck.toml``, then command-line flags."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from citecheck.documents.loading import DEFAULT_MAX_BYTES
from citecheck.store.db import DEFAULT_STORE_PATH

DEFAULT_ARCHIVE = "https://web.archive.org"
REPORT_FORMATS = ("md", "json", "sarif", "jsonl", "github")
DEFAULT_FORMATS = ("md", "json")
DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024  # a page or wiki article fetched to audit; the largest articles are ~5 MiB


class ConfigError(Exception):
    """A setting is wrong; the message is one line for the user."""


class AuditOptions(BaseModel):
    """Every setting of an audit run, validated in one place."""

    model_config = ConfigDict(extra="forbid")

    out: Path = Path("reports")
    formats: list[str] = Field(default_factory=lambda: list(DEFAULT_FORMATS))
    offline: bool = False
    archives: list[str] = Field(default_factory=lambda: [DEFAULT_ARCHIVE])
    cache: Path = DEFAULT_STORE_PATH
    fail_on: Literal["error", "warning", "never"] = "error"
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    concurrency: int = Field(default=8, ge=1, le=256)
    allow_private: bool = False
    max_document_size: int = Field(default=DEFAULT_MAX_BYTES, ge=1)
    snapshot_far_days: int = Field(default=30, ge=0)
    # URLs whose answer proves the network works; empty: the archive and well-known sites.
    canary: list[str] = Field(default_factory=list)
    today: date = Field(default_factory=date.today)
    live_reuse_hours: float = Field(default=20.0, ge=0)  # a re-run within this reuses live checks (resume)
    live_timeout: float = Field(default=20.0, gt=0)  # seconds per live request
    live_retries: int = Field(default=2, ge=0, le=10)
    save_missing: bool = False  # ask the archive to capture live pages it has no snapshot of (opt-in)
    baseline: Path | None = None  # only findings not in it count toward the exit code
    write_baseline: Path | None = None  # accept every current finding into this file
    # Where parsing and resolution run: this process, or a Dask cluster (the dask extra).
    executor: Literal["local", "dask"] = "local"
    scheduler: str | None = None  # a running Dask scheduler (tcp://host:8786); None: a local cluster
    workers: int = Field(default=2, ge=1, le=512)  # local cluster size
    cluster_limit: int | None = Field(default=None, ge=1)  # partitions resolving at once, cluster-wide
    source_addresses: list[str] = Field(default_factory=list)  # local IPs to spread Dask partitions over
    # Web inputs (URLs, wiki articles) and identifiers (issue 12).
    wiki: str | None = None  # --wiki: another wiki's script path (a {lang} placeholder for a farm)
    latest: bool = False  # audit a wiki article's latest revision, not the pinned one
    titles: Path | None = None  # --titles FILE: one article (title, URL or wikipedia:LANG:TITLE) per line
    contact: str | None = None  # e-mail or URL in the User-Agent of API requests (Wikimedia's policy)
    crossref_mailto: str | None = None  # Crossref's polite pool (default: contact, when it is an e-mail)
    max_page_size: int = Field(
        default=DEFAULT_MAX_PAGE_BYTES, ge=1
    )  # a page fetched to audit (wiki articles: 48 MiB at least)
    history_budget: int = Field(default=8, ge=0, le=100)  # requests per article for access dates from history
    doi_api: str = "https://doi.org/api/handles"  # the DOI handle API (its base; tests point it at loopback)
    crossref_api: str = "https://api.crossref.org"

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str]) -> list[str]:
        unknown = [fmt for fmt in value if fmt not in REPORT_FORMATS]
        if unknown:
            raise ValueError(f"unknown report format(s): {', '.join(unknown)} (known: {', '.join(REPORT_FORMATS)})")
        return value

    @field_validator("select", "ignore")
    @classmethod
    def _upper_codes(cls, value: list[str]) -> list[str]:
        return [code.strip().upper() for code in value if code.strip()]


# Config-file keys as users write them (kebab-case, like the flags) → option names.
_KEY_ALIASES = {
    "fail-on": "fail_on",
    "allow-private": "allow_private",
    "max-document-size": "max_document_size",
    "snapshot-far-days": "snapshot_far_days",
    "archive": "archives",
    "format": "formats",
    "cluster-limit": "cluster_limit",
    "write-baseline": "write_baseline",
    "save-missing": "save_missing",
    "live-reuse-hours": "live_reuse_hours",
    "live-timeout": "live_timeout",
    "live-retries": "live_retries",
    "source-address": "source_addresses",
    "max-page-size": "max_page_size",
    "history-budget": "history_budget",
    "crossref-mailto": "crossref_mailto",
    "mailto": "crossref_mailto",
    "doi-api": "doi_api",
    "crossref-api": "crossref_api",
}


def load_config_file(start: Path | None = None, explicit: Path | None = None) -> dict[str, Any]:
    """Settings from ``--config FILE``, else ``citecheck.toml``, else ``pyproject.toml``'s ``[tool.citecheck]``."""
    directory = start or Path.cwd()
    candidates: list[tuple[Path, bool]] = []
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such config file")
        candidates.append((explicit, explicit.name == "pyproject.toml"))
    else:
        candidates += [(directory / "citecheck.toml", False), (directory / "pyproject.toml", True)]
    for path, is_pyproject in candidates:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from None
        section = data.get("tool", {}).get("citecheck", {}) if is_pyproject else data.get("citecheck", data)
        if section:
            if not isinstance(section, dict):
                raise ConfigError(f"{path}: [tool.citecheck] must be a table")
            return {_KEY_ALIASES.get(key, key.replace("-", "_")): value for key, value in section.items()}
        if explicit is not None:
            return {}
    return {}


def build_options(file_settings: dict[str, Any], flags: dict[str, Any]) -> AuditOptions:
    """Merge config-file settings with flags (flags given on the command line win)."""
    merged = dict(file_settings)
    merged.update({key: value for key, value in flags.items() if value is not None})
    for key in ("formats", "select", "ignore", "archives", "source_addresses"):
        value = merged.get(key)
        if isinstance(value, str):
            merged[key] = [part for part in value.split(",") if part.strip()]
    try:
        return AuditOptions(**merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
    except TypeError as error:
        raise ConfigError(f"invalid settings: {error}") from None

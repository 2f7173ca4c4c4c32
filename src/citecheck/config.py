"""Audit settings: defaults, then ``[tool.citecheck]`` / ``citecheck.toml``, then command-line flags.

The settings file is found like ruff's and pytest's: the nearest
``citecheck.toml``, or ``pyproject.toml`` with a ``[tool.citecheck]`` table,
walking up from the working directory to the repository root (the first
folder holding ``.git``).  Paths in a settings file are relative to the
file's folder, so a run from a subfolder means the same as a run from the top.

Every error is one line naming the file (or the flag), the key and what
would be accepted, in plain words.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from citecheck.checks.catalogue import resolve_selectors
from citecheck.documents.loading import DEFAULT_MAX_BYTES
from citecheck.errors import UsageError
from citecheck.field_defaults import new_dict, new_list
from citecheck.references.links import PORT_ADVICE, url_port_problem
from citecheck.store.db import DEFAULT_STORE_PATH
from citecheck.url_rules import parse_remap, parse_status_ranges, validate_pattern

DEFAULT_ARCHIVE = "https://web.archive.org"
REPORT_FORMATS = ("md", "json", "sarif", "jsonl", "github", "junit")
DEFAULT_FORMATS = ("md", "json")
DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024  # a page or wiki article fetched to audit; the largest articles are ~5 MiB
OUTPUT_FORMATS = ("concise", "full", "grouped", "json")
CONFIG_FILE_NAMES = ("citecheck.toml", "pyproject.toml")
IGNORE_FILE_NAME = ".citecheckignore"

_HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.I)
_DURATION_HOURS = {"s": 1 / 3600, "m": 1 / 60, "h": 1.0, "": 1.0, "d": 24.0, "w": 168.0}


class ConfigError(UsageError):
    """A setting is wrong; the message is one line naming the file or flag, the key and what would do."""


def _checked_headers(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not _HEADER_NAME_RE.match(name):
            raise ValueError(f"{name!r} is not a valid HTTP header name")
        if _CONTROL_RE.search(value):
            raise ValueError(f"the value of header {name!r} holds a control character or line break")
    return headers


Headers = Annotated[dict[str, str], AfterValidator(_checked_headers)]


class HostSettings(BaseModel):
    """Per-host politeness and headers (``[tool.citecheck.hosts."example.org"]``)."""

    model_config = ConfigDict(extra="forbid")

    concurrency: int | None = Field(default=None, ge=1, le=64)  # requests at once to this host
    rate: float | None = Field(default=None, gt=0, le=100)  # requests per second to this host
    headers: Headers = Field(default_factory=new_dict)


class AuditOptions(BaseModel):
    """Every setting of an audit run, validated in one place."""

    model_config = ConfigDict(extra="forbid")

    out: Path = Path("reports")
    formats: list[str] = Field(default_factory=lambda: list(DEFAULT_FORMATS))
    offline: bool = False
    archives: list[str] = Field(default_factory=lambda: [DEFAULT_ARCHIVE])
    # Requests per second to each archive, at most (playback and index each); the Internet Archive's
    # own limits stay a ceiling: this only ever slows it down.
    archive_rate: float | None = Field(default=None, gt=0, le=100)
    cache: Path = DEFAULT_STORE_PATH
    fail_on: Literal["error", "warning", "never"] = "error"
    select: list[str] = Field(default_factory=new_list)
    ignore: list[str] = Field(default_factory=new_list)
    # URLs resolved at once in all; each host still gets at most two requests at once (per-host pools),
    # so a larger global pool serves audits citing many hosts without pressing any one of them.
    concurrency: int = Field(default=32, ge=1, le=256)
    allow_private: bool = False
    max_document_size: int = Field(default=DEFAULT_MAX_BYTES, ge=1)
    snapshot_far_days: int = Field(default=30, ge=0)
    # URLs whose answer proves the network works; empty: the archive and well-known sites.
    canary: list[str] = Field(default_factory=new_list)
    today: date = Field(default_factory=date.today)
    live_reuse_hours: float = Field(default=20.0, ge=0)  # a re-run within this reuses live checks (resume)
    live_timeout: float = Field(default=20.0, gt=0, le=600)  # seconds per live request
    live_retries: int = Field(default=2, ge=0, le=10)
    save_missing: bool = False  # ask the archive to capture live pages it has no snapshot of (opt-in)
    baseline: Path | None = None  # only findings not in it count toward the exit code
    write_baseline: Path | None = None  # accept every current finding into this file
    # Where parsing and resolution run: this process, or a Dask cluster (the dask extra).
    executor: Literal["local", "dask"] = "local"
    scheduler: str | None = None  # a running Dask scheduler (tcp://host:8786); None: a local cluster
    workers: int = Field(default=2, ge=1, le=512)  # local cluster size
    jobs: int = Field(default=1, ge=1, le=256)  # processes that read, check and write documents (offline)
    cluster_limit: int | None = Field(default=None, ge=1)  # partitions resolving at once, cluster-wide
    source_addresses: list[str] = Field(default_factory=new_list)  # local IPs to spread Dask partitions over
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
    # Which URLs are checked (lychee's --exclude/--include/--remap and .lycheeignore), applied before resolution.
    exclude: list[str] = Field(default_factory=new_list)  # regular expressions; a matching URL is not checked
    include: list[str] = Field(default_factory=new_list)  # regular expressions; win over exclude
    ignore_file: Path | None = None  # one regex a line; None: .citecheckignore beside the settings, if any
    remap: list[str] = Field(default_factory=new_list)  # "PATTERN REPLACEMENT": check another URL instead
    # HTTP-level settings for the resolve stage's client (see NOTES.md: surface done, wiring pending).
    accept: list[str] = Field(default_factory=new_list)  # status codes or ranges ("200..=299") that count as alive
    user_agent: str | None = None
    headers: Headers = Field(default_factory=new_dict)  # sent with every live request
    hosts: dict[str, HostSettings] = Field(default_factory=new_dict)  # per-host concurrency, rate, headers
    # How the audit's findings are printed on the terminal.
    output_format: Literal["concise", "full", "grouped", "json"] = "concise"
    show: Literal["error", "warning", "info"] = "warning"  # lowest severity printed one line each
    max_lines: int = Field(default=30, ge=0)  # finding lines printed at most (0: all)

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str]) -> list[str]:
        value = [fmt.strip().lower() for fmt in value if fmt.strip()]
        unknown = [fmt for fmt in value if fmt not in REPORT_FORMATS]
        if unknown:
            raise ValueError(f"unknown report format {unknown[0]!r}; choose from {', '.join(REPORT_FORMATS)}")
        return value

    @field_validator("select", "ignore")
    @classmethod
    def _known_codes(cls, value: list[str]) -> list[str]:
        return resolve_selectors(value)

    @field_validator("exclude", "include")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            validate_pattern(pattern)
        return value

    @field_validator("remap")
    @classmethod
    def _valid_remaps(cls, value: list[str]) -> list[str]:
        for rule in value:
            parse_remap(rule)
        return value

    @field_validator("accept", mode="before")
    @classmethod
    def _valid_statuses(cls, value: Any) -> Any:
        if isinstance(value, list):
            value = [str(item) for item in value]
            parse_status_ranges(value)
        return value

    @field_validator("canary", "doi_api", "crossref_api")
    @classmethod
    def _servers_ports(cls, value: str | list[str]) -> str | list[str]:
        # httpx takes :99999, :0 and :-1, and the request then fails far from the setting: a canary that cannot
        # answer would make the network look down.  --archive values are read by parse_archive_spec.
        for url in [value] if isinstance(value, str) else value:
            problem = url_port_problem(url)
            if problem is not None:
                raise ValueError(f"{url!r}: {problem}; {PORT_ADVICE}")
        return value

    @field_validator("user_agent")
    @classmethod
    def _one_line_agent(cls, value: str | None) -> str | None:
        if value is not None and _CONTROL_RE.search(value):
            raise ValueError("the user agent holds a control character or line break")
        return value

    @field_validator("hosts")
    @classmethod
    def _host_names(cls, value: dict[str, HostSettings]) -> dict[str, HostSettings]:
        for host in value:
            if not host or "/" in host or _CONTROL_RE.search(host) or " " in host:
                raise ValueError(f'{host!r} is not a host name (write the host alone, like "example.org")')
        return {host.lower().rstrip("."): settings for host, settings in value.items()}

    def accepted_statuses(self) -> frozenset[int]:
        """The HTTP status codes ``accept`` lists, expanded."""
        return parse_status_ranges(self.accept)


# Config-file keys as users write them (kebab-case, like the flags) → option names.
_KEY_ALIASES = {
    "fail-on": "fail_on",
    "allow-private": "allow_private",
    "max-document-size": "max_document_size",
    "snapshot-far-days": "snapshot_far_days",
    "archive": "archives",
    "archive-rate": "archive_rate",
    "format": "formats",
    "cluster-limit": "cluster_limit",
    "write-baseline": "write_baseline",
    "save-missing": "save_missing",
    "live-reuse-hours": "live_reuse_hours",
    "live-timeout": "live_timeout",
    "live-retries": "live_retries",
    "timeout": "live_timeout",
    "retries": "live_retries",
    "source-address": "source_addresses",
    "max-page-size": "max_page_size",
    "history-budget": "history_budget",
    "crossref-mailto": "crossref_mailto",
    "mailto": "crossref_mailto",
    "doi-api": "doi_api",
    "crossref-api": "crossref_api",
    "ignore-file": "ignore_file",
    "user-agent": "user_agent",
    "header": "headers",
    "output-format": "output_format",
    "max-lines": "max_lines",
    "max-cache-age": "max_cache_age",
}
# Options that are paths: relative ones in a settings file are relative to that file's folder.
_PATH_OPTIONS = ("out", "cache", "baseline", "write_baseline", "ignore_file", "titles")
# The flag that sets each option, for messages about a flag's value.
_FLAGS = {
    "formats": "--format",
    "archives": "--archive",
    "canary": "--canary",
    "source_addresses": "--source-address",
    "live_timeout": "--timeout",
    "live_retries": "--retries",
    "headers": "--header",
    "live_reuse_hours": "--max-cache-age",
}


@dataclass
class ConfigFile:
    """The settings a file holds, by option name, and where they came from."""

    path: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # option name → the key as written in the file

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()


def _repository_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest ``citecheck.toml`` or ``pyproject.toml`` with ``[tool.citecheck]``, up to the repository root."""
    here = (start or Path.cwd()).resolve()
    root = _repository_root(here)
    for folder in (here, *here.parents):
        own = folder / "citecheck.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_citecheck_table(pyproject):
            return pyproject
        if folder == root:
            break
    return None


def _has_citecheck_table(path: Path) -> bool:
    import tomllib  # only when a settings file is found: most runs have none

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml is the project's business unless it holds our table; say so if it does.
        try:
            return "[tool.citecheck" in path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "citecheck" in tool


def _duration_hours(value: Any, where: str) -> float:
    """``"1d"``, ``"12h"``, ``"30m"``, ``"90s"`` or a number of hours, as hours."""
    if isinstance(value, bool):
        raise ConfigError(f"{where}: must be a duration like 1d, 12h or 30m")
    if isinstance(value, int | float):
        if value < 0:
            raise ConfigError(f"{where}: must not be negative")
        return float(value)
    match = _DURATION_RE.match(str(value))
    if match is None:
        raise ConfigError(f"{where}: {value!r} is not a duration; write it like 1d, 12h, 30m or 90s")
    return float(match.group(1)) * _DURATION_HOURS[match.group(2).lower()]


def load_config(start: Path | None = None, explicit: Path | None = None) -> ConfigFile:
    """Settings from ``--config FILE``, else the nearest settings file (see the module docstring)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"--config {explicit}: no such file")
        path: Path | None = explicit
    else:
        path = find_config_file(start)
    if path is None:
        return ConfigFile()
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        section = tool.get("citecheck", {}) if isinstance(tool, dict) else {}
        table = "[tool.citecheck]"
    else:
        section = data.get("citecheck", data)
        table = "the file"
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: {table} must be a table of settings")
    config = ConfigFile(path=path)
    for key, value in section.items():
        name = _KEY_ALIASES.get(key, key.replace("-", "_"))
        config.keys[name] = key
        config.settings[name] = value
    if "max_cache_age" in config.settings:
        config.settings["live_reuse_hours"] = _duration_hours(
            config.settings.pop("max_cache_age"), f"{path}: {config.keys['max_cache_age']}"
        )
        config.keys["live_reuse_hours"] = config.keys.pop("max_cache_age")
    for name in _PATH_OPTIONS:
        value = config.settings.get(name)
        if isinstance(value, str) and value:
            config.settings[name] = config.folder / value
    return config


def load_config_file(start: Path | None = None, explicit: Path | None = None) -> dict[str, Any]:
    """The settings of :func:`load_config`, by option name."""
    return load_config(start, explicit).settings


def parse_duration_hours(value: str, where: str) -> float:
    """A ``--max-cache-age`` value (``1d``, ``12h``, ``30m``, ``90s``) in hours; else :class:`ConfigError`."""
    return _duration_hours(value, where)


def _plain(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_keys() -> list[str]:
    names = [name for name in AuditOptions.model_fields if name != "today"]
    reverse = {option: key for key, option in _KEY_ALIASES.items()}
    return sorted({reverse.get(name, name.replace("_", "-")) for name in names} | {"max-cache-age"})


def _explain(error: dict[str, Any]) -> str:
    """A pydantic error entry in plain words (no "Value error," or "Extra inputs are not permitted")."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"must be one of {', '.join(choices)} (got {_plain(given)})"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number (got {_plain(given)})"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number (got {_plain(given)})"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false (got {_plain(given)})"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        bound = next(iter(ctx.values()), "")
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"must be {words} {bound} (got {_plain(given)})"
    if kind == "list_type":
        return f'must be a list like ["a", "b"] or a comma-separated string (got {_plain(given)})'
    if kind in ("string_type", "path_type"):
        return f"must be a string (got {_plain(given)})"
    if kind in ("dict_type", "model_type"):
        return f"must be a table (got {_plain(given)})"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return f"must be a date like 2025-03-02 (got {_plain(given)})"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _where(loc: tuple[Any, ...], flags_given: set[str], config: ConfigFile) -> tuple[str, str | None]:
    """Who set the failing value: ``(--flag or FILE: key, unknown key or None)``."""
    name = str(loc[0]) if loc else ""
    rest = "".join(f".{part}" if isinstance(part, str) else f"[{part}]" for part in loc[1:])
    if name in flags_given:
        return _FLAGS.get(name, "--" + name.replace("_", "-")), None
    key = config.keys.get(name, name.replace("_", "-"))
    where = f"{config.path}: {key}{rest}" if config.path is not None else f"setting {key}{rest}"
    return where, key


def build_options(file_settings: dict[str, Any] | ConfigFile, flags: dict[str, Any]) -> AuditOptions:
    """Merge settings-file values with flags (flags given on the command line win)."""
    config = file_settings if isinstance(file_settings, ConfigFile) else ConfigFile(settings=dict(file_settings))
    given = {key: value for key, value in flags.items() if value is not None}
    merged = dict(config.settings)
    merged.update(given)
    for key in ("formats", "select", "ignore", "archives", "source_addresses", "exclude", "include", "accept"):
        value = merged.get(key)
        if isinstance(value, str):
            merged[key] = [item.strip() for item in value.split(",") if item.strip()]
        elif isinstance(value, int) and not isinstance(value, bool) and key == "accept":
            merged[key] = [str(value)]
    if isinstance(merged.get("remap"), str):
        merged["remap"] = [merged["remap"]]
    try:
        options = AuditOptions(**merged)
    except ValidationError as error:
        first = error.errors()[0]
        where, written = _where(tuple(first["loc"]), set(given), config)
        if first.get("type") == "extra_forbidden":
            if len(first["loc"]) > 1:
                known = ", ".join(HostSettings.model_fields)
                raise ConfigError(f"{where}: unknown setting (a host table takes {known})") from None
            import difflib

            close = difflib.get_close_matches(written or "", _known_keys(), n=1)
            hint = f"; did you mean {close[0]}?" if close else "; see citecheck audit --help for the settings"
            raise ConfigError(f"{where}: unknown setting{hint}") from None
        raise ConfigError(f"{where}: {_explain(dict(first))}") from None
    except TypeError as error:
        raise ConfigError(f"invalid settings: {error}") from None
    if options.ignore_file is None:
        # Like .lycheeignore: picked up without a flag, beside the settings file (or here, without one).
        candidate = config.folder / IGNORE_FILE_NAME
        if candidate.is_file():
            options.ignore_file = candidate
    elif not options.ignore_file.is_file():
        where, _ = _where(("ignore_file",), set(given), config)
        raise ConfigError(f"{where}: {options.ignore_file}: no such file")
    return options

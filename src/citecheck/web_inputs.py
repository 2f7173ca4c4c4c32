"""An audit's inputs sorted — files and folders, page URLs, wiki articles — before anything is read or fetched.

:func:`split_inputs` takes what ``audit`` was given (and ``--titles FILE``, one
input a line) and returns the local paths, the web inputs (each once) and the
inputs that are wrong; :mod:`citecheck.web_documents` fetches and reads the
web inputs.  Every audit sorts its inputs, offline audits of a folder too, so
this module imports no HTTP layer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck.config import AuditOptions
from citecheck.errors import UsageError
from citecheck.models import DocumentError, ParsedDocument
from citecheck.resolve.wiki_input import ArticleTarget, WikiInputError, bare_title_target, parse_wiki_input

if TYPE_CHECKING:
    from citecheck.resolve.mediawiki import RevisionHtml

_URL_RE = re.compile(r"^https?://", re.I)


class InputListError(UsageError):
    """``--titles FILE`` cannot be read; one line for the user (a usage error, exit 2)."""


@dataclass(frozen=True)
class WebInput:
    given: str
    article: ArticleTarget | None = None  # None: a plain page URL


@dataclass
class WebDocument:
    key: str  # unique over the run: the input as given (plus @revision within a range)
    stem: str  # report file stem
    document: ParsedDocument
    revision: RevisionHtml | None = None  # a wiki article: the pinned revision read


@dataclass
class WebBatch:
    documents: list[WebDocument] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)  # per endpoint (host): requests sent


# --------------------------------------------------------------------------- inputs


def _recover_url(item: Path | str) -> str:
    """The input as text; a ``Path`` made of a URL lost one slash of ``//`` (``https:/host``), put it back."""
    text = str(item)
    if isinstance(item, Path):
        match = re.match(r"^(https?):/(?!/)", text, re.I)
        if match:
            text = f"{match.group(1)}://{text[match.end() :]}"
    return text


def _title_lines(titles: Path) -> list[str]:
    try:
        content = titles.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputListError(f"--titles {titles}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputListError(f"--titles {titles}: cannot be read ({error})") from None
    return [line.strip() for line in content.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def split_inputs(
    items: Sequence[Path | str] | None, options: AuditOptions
) -> tuple[list[Path], list[WebInput], list[DocumentError]]:
    """Files and folders, web inputs (URLs and wiki articles, each once), and inputs that are wrong.

    With no input at all (and no ``--titles``), ``citations/`` is audited.
    Raises :class:`InputListError` when ``--titles`` cannot be read.
    """
    lines = _title_lines(options.titles) if options.titles is not None else []
    if not items and not lines:
        return [Path("citations")], [], []
    local: list[Path] = []
    web: dict[str, WebInput] = {}
    errors: list[DocumentError] = []
    candidates: list[tuple[Path | str, bool]] = [(item, False) for item in items or []]
    candidates += [(line, True) for line in lines]
    for item, from_titles in candidates:
        text = _recover_url(item)
        try:
            target = parse_wiki_input(text, options.wiki)
            if target is None and from_titles and not _URL_RE.match(text):
                target = bare_title_target(text, options.wiki)
        except WikiInputError as error:
            message = str(error)
            errors.append(DocumentError(path=text, error=message if message.startswith(text) else f"{text}: {message}"))
            continue
        if target is not None:
            # One article named several ways (a title, a short form, its URL) is audited once.
            key = f"{target.site.base}\x1f{target.title}\x1f{target.revision}\x1f{target.older}"
            web.setdefault(key, WebInput(text, target))
        elif _URL_RE.match(text):
            web.setdefault(text, WebInput(text, target))
        else:
            local.append(item if isinstance(item, Path) else Path(item))
    return local, list(web.values()), errors

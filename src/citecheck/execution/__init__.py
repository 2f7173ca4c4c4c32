"""Where the audit's heavy stages run: in this process (default) or on a Dask cluster.

Both executors run the same stage functions — :func:`parse_one` for a
document and :func:`citecheck.resolve.stage.resolve_plan` for a plan of
network work — so the reports they lead to are the same.  Only the
placement differs: Dask maps documents over workers and gives each worker
a partition of the deduplicated URLs (all of one host's URLs together, so
per-host politeness holds on that worker).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from citecheck.documents import DocumentInputError, read_document
from citecheck.models import DocumentError, DocumentErrorKind, ParsedDocument
from citecheck.progress import NULL_PROGRESS, ProgressEvents
from citecheck.resolve.batch import ResolvedBatch
from citecheck.resolve.plan import ResolvePlan
from citecheck.resolve.settings import ResolveSettings

if TYPE_CHECKING:
    from citecheck.resolve.answers import Answers
    from citecheck.resolve.run_client import RunClient


def parse_one(path: Path, max_bytes: int) -> ParsedDocument | DocumentError:
    """Read and parse one document; any failure becomes a one-line error entry, never an exception."""
    try:
        return read_document(path, max_bytes=max_bytes)
    except DocumentInputError as error:
        return DocumentError(path=str(path), error=str(error))
    except Exception as error:  # a reader bug must not cost the other documents their reports
        return DocumentError(
            path=str(path),
            error=f"{path}: could not be parsed ({type(error).__name__}: {error})",
            kind=DocumentErrorKind.internal_error,
        )


class Executor(Protocol):
    """Runs the parse and resolve stages somewhere."""

    def parse(self, paths: Sequence[Path], max_bytes: int) -> list[ParsedDocument | DocumentError]: ...

    def resolve(
        self,
        plan: ResolvePlan,
        settings: ResolveSettings,
        progress: ProgressEvents = NULL_PROGRESS,
        answers: Answers | None = None,
    ) -> ResolvedBatch: ...

    def close(self) -> None: ...


class LocalExecutor:
    """This process: documents one after another, the network stage on one asyncio loop.

    With ``client`` (the run's :class:`~citecheck.resolve.run_client.RunClient`), on the run's loop
    through the run's one HTTP client.
    """

    def __init__(self, client: RunClient | None = None) -> None:
        self.client = client

    def parse(self, paths: Sequence[Path], max_bytes: int) -> list[ParsedDocument | DocumentError]:
        return [parse_one(path, max_bytes) for path in paths]

    def resolve(
        self,
        plan: ResolvePlan,
        settings: ResolveSettings,
        progress: ProgressEvents = NULL_PROGRESS,
        answers: Answers | None = None,
    ) -> ResolvedBatch:
        """The plan resolved on one event loop; each URL's outcome written to ``answers`` as it finishes."""
        # Imported here: an audit that resolves nothing over the network (offline, no store) never loads the
        # session, the archive resolver or the event loop (issue 17).
        import asyncio

        from citecheck.resolve.stage import resolve_plan

        if self.client is not None and not settings.offline:
            return self.client.run(resolve_plan(plan, settings, progress, answers, web=self.client.web))
        return asyncio.run(resolve_plan(plan, settings, progress, answers))

    def close(self) -> None:
        return None

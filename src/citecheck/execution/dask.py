"""The Dask executor: parse documents and resolve URL partitions on a cluster.

Install with ``pip install 'citecheck[dask]'``.  With ``scheduler`` it joins
a running cluster (``tcp://host:8786``); without, it starts a
``LocalCluster`` of ``workers`` processes.

Politeness: every partition runs its own live checker and archive resolver,
so each worker keeps the per-host and per-archive limits for its own
address.  Workers that share one address (a local cluster, or several
workers per machine) would multiply the rate an archive sees from that
address; ``cluster_limit`` caps how many partitions resolve at once across
the whole cluster, through a ``distributed.Semaphore``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from citecheck.execution import parse_one
from citecheck.models import DocumentError, ParsedDocument
from citecheck.progress import NULL_PROGRESS, ProgressEvents, Stage
from citecheck.resolve.answers import Answers
from citecheck.resolve.batch import ResolvedBatch, merge_batches
from citecheck.resolve.plan import ResolvePlan
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.stage import resolve_plan

SEMAPHORE_NAME = "citecheck-resolve"


def _require_distributed() -> Any:
    try:
        import distributed
    except ImportError as error:  # the extra is optional
        raise RuntimeError("the Dask executor needs the dask extra: pip install 'citecheck[dask]'") from error
    return distributed


def resolve_partition(plan: ResolvePlan, settings: ResolveSettings, cluster_limit: int | None) -> ResolvedBatch:
    """Run on a worker: resolve one partition on a fresh event loop, under the cluster-wide cap if any."""
    if cluster_limit is None:
        return asyncio.run(resolve_plan(plan, settings))
    distributed = _require_distributed()
    semaphore = distributed.Semaphore(max_leases=cluster_limit, name=SEMAPHORE_NAME)
    with semaphore:
        return asyncio.run(resolve_plan(plan, settings))


class DaskExecutor:
    def __init__(
        self,
        *,
        scheduler: str | None = None,
        workers: int = 2,
        cluster_limit: int | None = None,
        partitions_per_worker: int = 1,
    ) -> None:
        distributed = _require_distributed()
        self._cluster: Any = None
        if scheduler:
            self.client: Any = distributed.Client(scheduler)
        else:
            # One thread per worker process: a worker resolves one partition
            # at a time, so its limits are the limits of one client.
            self._cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = distributed.Client(self._cluster)
        self.cluster_limit = cluster_limit
        self.partitions_per_worker = max(1, partitions_per_worker)

    @property
    def worker_count(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))

    def parse(self, paths: Sequence[Path], max_bytes: int) -> list[ParsedDocument | DocumentError]:
        futures = self.client.map(parse_one, list(paths), max_bytes=max_bytes, pure=False)
        results: list[ParsedDocument | DocumentError] = self.client.gather(futures)
        return results

    def resolve(
        self,
        plan: ResolvePlan,
        settings: ResolveSettings,
        progress: ProgressEvents = NULL_PROGRESS,
        answers: Answers | None = None,
    ) -> ResolvedBatch:
        """The plan's partitions resolved on the workers, merged here.

        ``answers`` is not used: each partition's answers come back from its
        worker in memory (a spill on a worker's disk could not be read here).
        """
        parts = plan.partition(self.worker_count * self.partitions_per_worker)
        if not parts:
            return asyncio.run(resolve_plan(plan, settings, progress))
        # Partition i leaves from source address i (round robin) when --source-address names several.
        part_settings = [settings.for_partition(index) for index in range(len(parts))]
        futures = self.client.map(resolve_partition, parts, part_settings, cluster_limit=self.cluster_limit, pure=False)
        batches: list[ResolvedBatch] = self.client.gather(futures)
        # The partitions ran on workers: their work is counted when they come back.
        progress.advance(Stage.live, len(plan.live_urls))
        progress.advance(Stage.archive, len(plan.archive_requests))
        return merge_batches(batches, plan, settings)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

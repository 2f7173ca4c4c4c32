"""The resolve stage's answers, without the network: one batch per plan, merged and written onto the references.

What every audit needs from the resolve stage, offline ones too — the plan
with the run's archives known (:func:`plan_for`), the answers' shape
(:class:`ResolvedBatch`), partitions merged (:func:`merge_batches`) and the
answers applied (:func:`apply_resolution`) — kept apart from the session that
asks the network (:mod:`.stage`), so that an offline audit with no store
never imports the archive resolver, the save client or the session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck.models import (
    OFFLINE_MESSAGE,
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    EndpointKind,
    EndpointOutage,
    EndpointState,
    LiveCheck,
    LiveStatus,
    NetworkMode,
    NetworkState,
    ParsedDocument,
)
from citecheck.resolve.archive.spec import archive_host, parse_archive_spec
from citecheck.resolve.plan import ResolvePlan, plan_resolution, reference_key

if TYPE_CHECKING:
    from citecheck.resolve.archive.save import SaveOutcome
    from citecheck.resolve.settings import ResolveSettings
    from citecheck.resolve.sources import SourceText

OFFLINE_STATE = NetworkState(mode=NetworkMode.offline, message=OFFLINE_MESSAGE)


@dataclass
class ResolvedBatch:
    """What the network (or the store) said about one plan: picklable, so it can come back from a worker.

    Live checks are keyed by URL; everything per reference by its
    :func:`~citecheck.resolve.plan.reference_key`.  ``live``, ``archive`` and
    ``sources`` are dictionaries, or read-only mappings over the spilled
    answers of a streamed audit (:class:`~citecheck.resolve.answers.SpilledAnswers`,
    which a batch so made cannot be pickled with).
    """

    network: NetworkState
    live: Mapping[str, LiveCheck] = field(default_factory=dict)
    archive: Mapping[str, ArchiveResult] = field(default_factory=dict)  # by reference key
    sources: Mapping[str, SourceText] = field(default_factory=dict)  # by reference key
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)  # by reference key
    discovery_refused: dict[str, ArchiveResult] = field(default_factory=dict)  # by reference key
    saved: dict[str, SaveOutcome] = field(default_factory=dict)  # --save-missing, by URL
    discovery_skipped: int = 0  # URL-less references left for a later run (index budget)
    requests: dict[str, int] = field(default_factory=dict)  # requests sent, by pool
    retried: dict[str, int] = field(default_factory=dict)  # of which re-sent, by pool
    rate_limited: dict[str, int] = field(default_factory=dict)  # 429s received, by pool

    def sources_for(self, document: ParsedDocument) -> dict[str, SourceText]:
        """The source text read for each of the document's references, by reference id."""
        return {
            reference.id: self.sources[key]
            for reference in document.references
            if (key := reference_key(document, reference)) in self.sources
        }

    @property
    def requests_sent(self) -> int:
        return sum(self.requests.values())


def archive_hosts(specs: Sequence[str]) -> list[str]:
    """The hosts of the ``--archive`` endpoints (their cited URLs are resolved, not fetched as copies)."""
    hosts: list[str] = []
    for spec in specs:
        parsed = parse_archive_spec(spec)
        if not parsed.is_local:
            hosts.append(archive_host(parsed))
    return hosts


def plan_for(documents: Sequence[ParsedDocument], settings: ResolveSettings) -> ResolvePlan:
    """:func:`plan_resolution` with the run's archive endpoints known."""
    return plan_resolution(documents, queried_archive_hosts=archive_hosts(settings.archives))


def online_message(
    plan: ResolvePlan, settings: ResolveSettings, batch: ResolvedBatch, endpoints: Sequence[EndpointState]
) -> str:
    """What an online run did, in one paragraph: the same words for one process and for merged partitions."""
    not_checked = sum(1 for check in batch.live.values() if check.status is LiveStatus.not_checked)
    unresolved = sum(1 for result in batch.archive.values() if result.status is ArchiveStatus.not_checked)
    refused = sum(1 for result in batch.archive.values() if result.refusal is not None)
    # The same words whether the answers came from the network or the store (a warm re-run writes the same
    # reports); `check` says when it sent nothing.
    message = f"Checked {len(plan.urls)} distinct URLs live and in {', '.join(settings.archives)}."
    parts = []
    down = [state for state in endpoints if state.outage in (EndpointOutage.rate_limited, EndpointOutage.failing)]
    for state in endpoints:
        if state in down:
            refusing = state.outage is EndpointOutage.rate_limited
            parts.append(f"{state.name}: {'refusing us' if refusing else 'failing'} ({state.detail})")
        elif state.reachable is False:
            parts.append(f"{state.name}: unreachable ({state.detail})")
        elif state.kind == EndpointKind.archive and state.reachable and state.dialect:
            parts.append(f"{state.name}: reachable ({state.dialect})")
        elif state.kind == EndpointKind.dns and state.reachable is not None:
            parts.append(state.detail or "")
    if parts:
        message += " " + "; ".join(part for part in parts if part) + "."
    if not_checked:
        message += f" {not_checked} live checks gave no usable answer and are reported not-checked (never dead)."
    if unresolved:
        message += f" {unresolved} archive lookups were inconclusive and are reported not-checked"
        message += f" ({refused} refused by the archive)." if refused else "."
    if down:
        # Said once, for the whole run: what the user can do about an archive that stopped answering us.
        message += (
            f" What {' and '.join(state.name for state in down)} left unanswered is not-checked, never"
            ' "not archived": audit again later (the answers already received are kept in the store), or name'
            " another archive with --archive (an endpoint URL, or warc:PATH for captures of your own)."
        )
    if plan.discovery:
        skipped = batch.discovery_skipped
        message += (
            f" Discovery proposed candidates for {len(batch.candidates)} of {len(plan.discovery)} references"
            " without a URL" + (f" ({skipped} left for a later run, to spare the archive's index)." if skipped else ".")
        )
        if batch.discovery_refused:
            message += f" The archive refused to search for {len(batch.discovery_refused)} of them."
    if batch.saved:
        done = sum(1 for outcome in batch.saved.values() if outcome.status == "saved")
        message += f" Asked the archive to capture {len(batch.saved)} unarchived live URLs ({done} saved)."
    return message


def merge_batches(batches: Iterable[ResolvedBatch], plan: ResolvePlan, settings: ResolveSettings) -> ResolvedBatch:
    """One batch from the partitions' batches; endpoints merged by name."""
    batches = list(batches)
    live: dict[str, LiveCheck] = {}
    archive: dict[str, ArchiveResult] = {}
    sources: dict[str, SourceText] = {}
    merged = ResolvedBatch(network=NetworkState(mode=NetworkMode.online), live=live, archive=archive, sources=sources)
    endpoints: dict[str, EndpointState] = {}
    for batch in batches:
        live.update(batch.live)
        archive.update(batch.archive)
        sources.update(batch.sources)
        merged.candidates.update(batch.candidates)
        merged.discovery_refused.update(batch.discovery_refused)
        merged.saved.update(batch.saved)
        merged.discovery_skipped += batch.discovery_skipped
        for name, count in batch.requests.items():
            merged.requests[name] = merged.requests.get(name, 0) + count
        for name, count in batch.retried.items():
            merged.retried[name] = merged.retried.get(name, 0) + count
        for name, count in batch.rate_limited.items():
            merged.rate_limited[name] = merged.rate_limited.get(name, 0) + count
        for state in batch.network.endpoints:
            known = endpoints.get(state.name)
            if known is None:
                endpoints[state.name] = state
                continue
            reachable = known.reachable
            if state.reachable is not None:
                reachable = state.reachable if reachable is None else (reachable or state.reachable)
            endpoints[state.name] = known.model_copy(update={"reachable": reachable})
    states = list(endpoints.values())
    anything = any(state.reachable for state in states if state.kind != EndpointKind.dns)
    offline = all(batch.network.mode == NetworkMode.offline for batch in batches) and batches
    if offline:
        merged.network = batches[0].network
    else:
        mode = NetworkMode.online if anything or merged.requests_sent == 0 else NetworkMode.unreachable
        merged.network = NetworkState(
            mode=mode, message=online_message(plan, settings, merged, states), endpoints=states
        )
    return merged


def apply_resolution(documents: Sequence[ParsedDocument], batch: ResolvedBatch) -> None:
    """Write each URL's live check and each reference's capture, source and candidates onto it."""
    for document in documents:
        for reference in document.references:
            key = reference_key(document, reference)
            if reference.url:
                if reference.url in batch.live:
                    reference.live = batch.live[reference.url]
                if key in batch.archive:
                    reference.archive = batch.archive[key]
                if key in batch.sources:
                    reference.source = batch.sources[key].info
                outcome = batch.saved.get(reference.url)
                if outcome is not None:
                    where = outcome.snapshot_url or outcome.job_id or outcome.message
                    reference.archive = reference.archive.model_copy(
                        update={"reason": f"capture requested with --save-missing: {outcome.status} ({where})"}
                    )
                continue
            found = batch.candidates.get(key)
            if found:
                reference.candidates = found
            refused = batch.discovery_refused.get(key)
            if refused is not None:
                reference.archive = refused


def nothing_stored(settings: ResolveSettings) -> bool:
    """Whether an offline run has no store to read: every answer is then ``not-checked``, known without a request,
    an event loop or a store opened (a missing store is not created: an offline run leaves no trace)."""
    return settings.store_path != ":memory:" and not Path(settings.store_path).is_file()

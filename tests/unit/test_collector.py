"""The audit's collector tuning: the CLI's block restores what it found, a ``--jobs`` worker keeps it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any, cast

import pytest

from citecheck import pipeline
from citecheck.execution.collector import AUDIT_THRESHOLDS, collector_tuned_for_audit


@pytest.fixture
def collector_state() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@pytest.mark.usefixtures("collector_state")
def test_the_block_tunes_the_collector_and_restores_it() -> None:
    with collector_tuned_for_audit():
        assert gc.get_threshold() == AUDIT_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_state")
def test_the_block_restores_the_collector_when_the_audit_raises() -> None:
    with pytest.raises(KeyboardInterrupt), collector_tuned_for_audit():
        raise KeyboardInterrupt
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_state")
def test_a_jobs_worker_starts_with_the_audit_tuning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "_WORK", None)
    work = cast(Any, object())
    pipeline._start_worker(work)
    assert pipeline._WORK is work
    assert gc.get_threshold() == AUDIT_THRESHOLDS
    assert gc.get_freeze_count() > 0

"""Every fault case of issue 16 on loopback worlds, then the count: crashes, hangs, over-memory, wrong verdicts
and forbidden connections — all 0 (see fault_cases.py; benchmarks/bench_faults.py prints the same table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.resilience.fault_cases import CASES, FaultCase, Outcome, run_case

pytestmark = pytest.mark.integration

_OUTCOMES: dict[str, Outcome] = {}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_fault_case(case: FaultCase, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path)
    _OUTCOMES[case.name] = outcome
    assert not outcome.failures, f"{case.covers}: {outcome.failures}\n{outcome.detail}"


def test_the_count_is_zero_across_every_case(tmp_path_factory: pytest.TempPathFactory) -> None:
    for case in CASES:
        if case.name not in _OUTCOMES:
            _OUTCOMES[case.name] = run_case(case, tmp_path_factory.mktemp(case.name[:20]))
    outcomes = [_OUTCOMES[case.name] for case in CASES]
    counts = {
        "crashes": sum(bool(outcome.crash) for outcome in outcomes),
        "hangs": sum(outcome.hang for outcome in outcomes),
        "over memory": sum(outcome.over_memory for outcome in outcomes),
        "wrong verdicts": sum(len(outcome.wrong) for outcome in outcomes),
        "forbidden connections": sum(outcome.forbidden for outcome in outcomes),
    }
    assert len(outcomes) == len(CASES) >= 20
    assert all(count == 0 for count in counts.values()), counts
    heavy = [outcome for outcome, case in zip(outcomes, CASES, strict=True) if case.heavy]
    assert heavy and all(outcome.peak_rss_mb is not None for outcome in heavy)

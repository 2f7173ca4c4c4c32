"""Spilled sorts and record files give what ``sorted`` and a list would."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from citecheck.reports.filenames import collision_safe_stems, name_key
from citecheck.reports.spill import RecordFile, SortedSpill


@given(st.lists(st.tuples(st.text(max_size=4), st.integers()), max_size=60), st.integers(min_value=1, max_value=7))
def test_a_spilled_sort_is_sorted(items: list[tuple[str, int]], chunk: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        spill: SortedSpill[tuple[str, int]] = SortedSpill(Path(folder), "items", chunk=chunk)
        for item in items:
            spill.add(item)
        assert list(spill) == sorted(items)
        assert len(spill) == len(items)


def test_records_come_back_by_number_in_any_order(tmp_path: Path) -> None:
    records = RecordFile(tmp_path / "records")
    numbers = list(range(0, 40, 3))
    random.Random(4).shuffle(numbers)
    for number in numbers:
        records.put(number, {"number": number, "text": "x" * number})
    assert list(records.numbers()) == sorted(numbers)
    assert all(records.get(number)["number"] == number for number in numbers)
    assert 3 in records and 4 not in records
    records.close()


def test_stems_that_continue_another_with_ref_are_renamed() -> None:
    stems = {1: "a", 2: "a-ref-b", 3: "a-ref_b-ref-c", 4: "notes-ref-1", 5: "A-REF-x"}
    changed = collision_safe_stems(stems)
    assert changed == {2: "a-ref_b", 3: "a-ref_b-ref_c", 5: "A-REF_x"}
    final = {**stems, **changed}
    keys = {name_key(stem) for stem in final.values()}
    assert len(keys) == len(final)
    for stem in final.values():
        assert not any(name_key(stem).startswith(other + "-ref-") for other in keys)
    assert collision_safe_stems({1: "a", 2: "b-ref-c"}) == {}


def test_a_stem_named_like_another_documents_report_page_is_renamed() -> None:
    assert collision_safe_stems({1: "a", 2: "a-findings", 3: "a-claims-2", 4: "b-findings"}) == {
        2: "a_findings",
        3: "a_claims-2",
    }

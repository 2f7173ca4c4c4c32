"""Generated file names: bounded, safe, unique and stable whatever the documents call things."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citecheck.models import DocumentInfo, DocumentReport, Reference
from citecheck.reports.filenames import (
    MAX_NAME_BYTES,
    STEM_MAX_BYTES,
    bounded_name,
    name_key,
    report_stems,
    safe_name_part,
)
from citecheck.reports.timeline import timeline_names
from citecheck.reports.writer import atomic_write_text

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


def nfd_bytes(name: str) -> int:
    return len(unicodedata.normalize("NFD", name).encode("utf-8"))


def test_short_safe_names_are_unchanged() -> None:
    assert bounded_name("link-rot-essay", ".md") == "link-rot-essay.md"
    assert bounded_name("Café notes", ".json") == "Café notes.json"


def test_a_300_character_label_gives_a_bounded_stable_unique_name() -> None:
    first = bounded_name("doc-ref-" + "x" * 300, ".svg")
    second = bounded_name("doc-ref-" + "x" * 299 + "y", ".svg")
    assert nfd_bytes(first) <= MAX_NAME_BYTES and first.endswith(".svg") and first.startswith("doc-ref-xxx")
    assert first == bounded_name("doc-ref-" + "x" * 300, ".svg")  # stable across runs
    assert first != second  # the hash of the whole original tells them apart


@pytest.mark.parametrize("letter", ["é", "م", "日", "😀", "e\u0301", "Å"])
def test_multibyte_names_are_cut_between_characters_within_the_nfd_budget(letter: str) -> None:
    name = bounded_name(letter * 400, ".md")
    assert nfd_bytes(name) <= MAX_NAME_BYTES
    name.encode("utf-8")  # no half character
    assert name.endswith(".md")


def test_unsafe_characters_devices_and_dots() -> None:
    cleaned = safe_name_part('a<b>c:d"e/f\\g|h?i*j\x00k\x1bl\u202em\u2066n\x85o')
    assert not WINDOWS_FORBIDDEN & set(cleaned)
    assert cleaned == "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o"
    assert safe_name_part(".hidden") == "hidden"
    assert safe_name_part("...") == "___"
    assert safe_name_part("trailing. ") == "trailing"
    assert safe_name_part("CON") == "_CON" and safe_name_part("nul.v2") == "_nul.v2"
    assert safe_name_part("console") == "console"
    assert safe_name_part("") == "_"


def test_report_stems_never_take_the_index_or_the_summary() -> None:
    stems = report_stems([Path("docs/index.md"), Path("summary.txt"), Path("notes.md")])
    assert stems[Path("notes.md")] == "notes"
    assert name_key(stems[Path("docs/index.md")]) not in {"index", "summary"}
    assert name_key(stems[Path("summary.txt")]) not in {"index", "summary"}


def test_report_stems_are_unique_on_case_insensitive_file_systems() -> None:
    paths = [Path("a/Report.md"), Path("b/report.md"), Path("c/REPORT.txt"), Path("x.md"), Path("X/x_md.md")]
    stems = report_stems(paths)
    keys = [name_key(stem) for stem in stems.values()]
    assert len(set(keys)) == len(paths), stems
    assert stems == report_stems(paths)


def test_report_stems_leave_room_for_what_follows() -> None:
    path = Path("d" * 30) / ("long title " * 20 + ".md")
    stem = report_stems([path])[path]
    assert nfd_bytes(stem) <= STEM_MAX_BYTES
    timeline = bounded_name(f"{stem}-ref-" + "n" * 250, ".svg")
    assert nfd_bytes(timeline) <= MAX_NAME_BYTES


def _report(ids: list[str]) -> DocumentReport:
    references = [
        Reference(id=ref_id, raw="x", url="https://e.org/", access_date="2012-03-06", date="2012-03-02")
        for ref_id in ids
    ]
    return DocumentReport(document=DocumentInfo(path="doc.md", format="markdown"), references=references)


def test_timeline_names_differing_only_in_case_do_not_share_a_file(tmp_path: Path) -> None:
    ids = ["NYT", "nyt", "a/b", "a_b", "x" * 300, "x" * 300 + "y"]
    names = timeline_names(_report(ids), "doc")
    assert set(names) == set(ids)
    assert len({name_key(name) for name in names.values()}) == len(ids)
    for name in names.values():  # each can really be written, temporary file included
        assert nfd_bytes(name) <= MAX_NAME_BYTES
        atomic_write_text(tmp_path / name, "<svg/>")
    assert len(list(tmp_path.iterdir())) == len(ids)


UNSAFE_IN_NAMES = re.compile('[<>:"/\\\\|?*\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\ud800-\udfff]')


@given(st.text(max_size=400), st.sampled_from(["", ".md", ".json", ".svg", "-ref-1.svg"]))
def test_any_text_gives_a_bounded_safe_stable_name(base: str, suffix: str) -> None:
    name = bounded_name(base, suffix)
    head = name[: len(name) - len(suffix)]
    assert nfd_bytes(name) <= MAX_NAME_BYTES and name.endswith(suffix) and head
    assert not UNSAFE_IN_NAMES.search(name), name
    assert not head.startswith(".") and not head.endswith((".", " "))
    assert name == bounded_name(base, suffix)

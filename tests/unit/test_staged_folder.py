"""A new report folder is built under a hidden name and renamed into place; an existing one is written in place."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from citecheck.reports.writer import StagedFolder, write_outputs


def test_a_new_folder_appears_whole_with_the_mode_of_a_plain_mkdir(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "reports"
    staged = StagedFolder.begin(target)
    assert staged is not None
    write_outputs({staged.path / "a.md": "á\n", staged.path / "b.svg": "<svg/>"}, durable=False, staged=True)
    assert not target.exists()
    staged.publish()
    assert sorted(os.listdir(target)) == ["a.md", "b.svg"]
    assert (target / "a.md").read_text(encoding="utf-8") == "á\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((target / "a.md").stat().st_mode) == 0o666 & ~umask
    assert [name for name in os.listdir(target.parent) if name != "reports"] == []


def test_an_existing_folder_is_not_staged(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    assert StagedFolder.begin(tmp_path / "reports") is None


def test_a_folder_that_appeared_meanwhile_gets_the_staged_files_and_keeps_its_own(tmp_path: Path) -> None:
    target = tmp_path / "reports"
    staged = StagedFolder.begin(target)
    assert staged is not None
    write_outputs({staged.path / "a.md": "new\n", staged.path / "sub" / "c.json": "{}\n"}, staged=True)
    target.mkdir()
    (target / "a.md").write_text("old\n", encoding="utf-8")
    (target / "mine.txt").write_text("kept\n", encoding="utf-8")
    staged.publish()
    assert (target / "a.md").read_text(encoding="utf-8") == "new\n"
    assert (target / "mine.txt").read_text(encoding="utf-8") == "kept\n"
    assert (target / "sub" / "c.json").read_text(encoding="utf-8") == "{}\n"
    assert sorted(os.listdir(tmp_path)) == ["reports"]


def test_a_file_written_twice_into_a_staged_folder_holds_the_last_text(tmp_path: Path) -> None:
    staged = StagedFolder.begin(tmp_path / "reports")
    assert staged is not None
    write_outputs({staged.path / "a.md": "first\n"}, staged=True)
    write_outputs({staged.path / "a.md": "second\n"}, staged=True)
    staged.publish()
    assert (tmp_path / "reports" / "a.md").read_text(encoding="utf-8") == "second\n"

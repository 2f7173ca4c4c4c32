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


def test_a_killed_audits_staged_folder_is_removed_by_the_next_run_and_a_running_ones_is_kept(tmp_path: Path) -> None:
    """SIGKILL leaves a staged folder nobody will publish; its lock dies with the process."""
    import signal
    import subprocess
    import sys

    target = tmp_path / "reports"
    script = (
        "import sys, time\nfrom pathlib import Path\nfrom citecheck.reports.writer import StagedFolder\n"
        "staged = StagedFolder.begin(Path(sys.argv[1]))\n(staged.path / 'half.md').write_text('x')\n"
        "print(staged.path, flush=True)\ntime.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    killed = Path(child.stdout.readline().strip())
    running = StagedFolder.begin(target)  # another audit of the same target, alive
    assert running is not None
    assert killed.exists()  # its owner still runs: left alone
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)  # the kernel has dropped its lock

    second = StagedFolder.begin(target)
    assert second is not None
    assert not killed.exists() and not Path(str(killed) + ".lock").exists()
    assert running.path.exists()  # held by this process: not stale
    second.publish()
    running.publish()  # the folder exists now: its files move in one by one
    assert sorted(os.listdir(tmp_path)) == ["reports"]

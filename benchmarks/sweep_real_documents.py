"""Real documents nobody here wrote, audited offline: how many findings of each code, before and after.

Run: ``python benchmarks/sweep_real_documents.py [DIR ...] [--baseline-src DIR] [--formats md,html,txt]``

Every Markdown, HTML and text file under the given folders (default: the
machine's own documentation, ``/usr/share/doc``, which a Debian system fills
with Node.js's API docs, pip's, systemd's, git's release notes, licences …) is
audited offline by this checkout's ``citecheck`` in a child process — and, with
``--baseline-src``, by another checkout's, on the same files — and the findings
are counted per format and code.  The files are read where they lie; nothing is
copied into the repository.

A documentation tree cites little, so nearly every warning or error it draws is
a false alarm: a reader taking code (``uchar[20]``), exponents (``2<sup>31</sup>``),
in-page links or logos for citations.  The script prints the worst documents
per code so each class can be looked at; it scores nothing by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = {"md": (".md", ".markdown"), "html": (".html", ".htm"), "txt": (".txt",)}
MIN_BYTES = 2048  # shorter files are mostly stubs and redirects


def collect(folders: list[Path], formats: list[str], limit: int) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {name: [] for name in formats}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            for name in formats:
                wanted = path.suffix.lower() in SUFFIXES[name] and len(found[name]) < limit
                if wanted and path.is_file() and path.stat().st_size >= MIN_BYTES:
                    found[name].append(path)
    return found


def audit(src: Path, files: list[Path], work: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Audit ``files`` offline with the checkout whose ``src/`` is ``src``; the summary and each document's report."""
    inputs = work / "inputs"
    inputs.mkdir(parents=True)
    for number, path in enumerate(files):
        # One symlink per file in a flat folder: the documents stay where they are.
        (inputs / f"{number:05d}{path.suffix.lower()}").symlink_to(path)
    out = work / "out"
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "citecheck.cli", "audit", str(inputs), "--offline", "--out", str(out)]
    command += ["--cache", str(work / "cache.sqlite")]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if finished.returncode not in (0, 1):
        raise SystemExit(f"audit exited {finished.returncode}: {finished.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    reports = []
    for report_path in sorted(out.glob("*.json")):
        if report_path.name == "summary.json":
            continue
        data = json.loads(report_path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "findings" in data and "document" in data:
            reports.append(data)
    return summary, reports


def tally(
    reports: list[dict[str, object]], files: list[Path]
) -> tuple[Counter[tuple[str, str]], dict[str, Counter[str]]]:
    """Findings per (severity, code), and per code the documents drawing most of them."""
    by_code: Counter[tuple[str, str]] = Counter()
    worst: dict[str, Counter[str]] = {}
    for report in reports:
        document = report["document"]
        assert isinstance(document, dict)
        name = Path(str(document["path"])).name
        original = files[int(name.split(".")[0])] if name.split(".")[0].isdigit() else Path(name)
        findings = report["findings"]
        assert isinstance(findings, list)
        for finding in findings:
            by_code[(finding["severity"], finding["code"])] += 1
            worst.setdefault(finding["code"], Counter())[str(original)] += 1
    return by_code, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[Path("/usr/share/doc")])
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/, audited on the same files")
    parser.add_argument("--formats", default="md,html,txt")
    parser.add_argument("--limit", type=int, default=400, help="files per format at most")
    parser.add_argument("--show", type=int, default=3, help="worst documents listed per code")
    args = parser.parse_args()
    folders = [folder for folder in args.folders if folder.is_dir()]
    if not folders:
        raise SystemExit(f"no such folder: {', '.join(map(str, args.folders))}")
    formats = [name.strip() for name in args.formats.split(",") if name.strip() in SUFFIXES]
    found = collect(folders, formats, args.limit)
    contenders = [("this checkout", ROOT / "src")] + ([("baseline", args.baseline_src)] if args.baseline_src else [])
    for name in formats:
        files = found[name]
        if not files:
            print(f"{name}: no files")
            continue
        print(f"\n## {name}: {len(files)} files ({sum(path.stat().st_size for path in files) / 1e6:.1f} MB)")
        counts: dict[str, Counter[tuple[str, str]]] = {}
        for label, src in contenders:
            with tempfile.TemporaryDirectory(prefix="citecheck-sweep-") as work:
                summary, reports = audit(src, files, Path(work))
            by_code, worst = tally(reports, files)
            counts[label] = by_code
            totals = Counter()
            for (severity, _), count in by_code.items():
                totals[severity] += count
            documents = summary.get("documents") or []
            references = sum(int(d.get("references", 0)) for d in documents if isinstance(d, dict))
            print(
                f"{label:14} {len(reports)} documents, {references} references: "
                + ", ".join(f"{totals[s]} {s}s" for s in ("error", "warning", "info"))
            )
            if label == "this checkout":
                for (severity, code), count in sorted(by_code.items(), key=lambda item: -item[1]):
                    if severity == "info":
                        continue
                    shown = ", ".join(f"{Path(path).name} ×{n}" for path, n in worst[code].most_common(args.show))
                    print(f"    {severity:8} {code} ×{count}: {shown}")
        if len(counts) == 2:
            mine, base = counts["this checkout"], counts["baseline"]
            changed = sorted(set(mine) | set(base))
            print(
                "    code changes vs baseline: "
                + ", ".join(
                    f"{code} {base[(sev, code)]}→{mine[(sev, code)]}"
                    for sev, code in changed
                    if mine[(sev, code)] != base[(sev, code)] and sev != "info"
                )
                or "none"
            )


if __name__ == "__main__":
    main()

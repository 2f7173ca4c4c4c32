"""The local WARC backend resolves the same cases as pywb, from the same WARCs, in-process."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from citecheck.checks.archive import findings_for_archive
from citecheck.models import ArchiveStatus, Reference
from citecheck.resolve.archive.choose import request_for_reference
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.warc import WarcArchive, index_file
from tests.integration.pywb_world import (
    ACCESS,
    SCENARIO_EXPECTATIONS,
    Capture,
    Expected,
    at,
    scenario_captures,
    write_warc,
)

pytestmark = pytest.mark.integration

SITE = "http://example.org"


@pytest.fixture(scope="module")
def warc_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_warc(tmp_path_factory.mktemp("warc") / "world.warc.gz", scenario_captures())


def reference_for(path: str) -> Reference:
    return Reference(id=path.strip("/") or "root", url=f"{SITE}{path}", access_date=ACCESS)  # type: ignore[arg-type]


@pytest.mark.parametrize("expected", SCENARIO_EXPECTATIONS, ids=lambda case: case.path)
async def test_scenario_on_local_warc(warc_path: Path, expected: Expected) -> None:
    reference = reference_for(expected.path)
    request = request_for_reference(reference)
    assert request is not None
    spec = f"warc:{warc_path.parent}"
    async with ArchiveResolver([spec]) as resolver:
        result = await resolver.resolve(request)
        assert resolver.requests_sent == 0
    assert result.status.value == expected.status, result
    assert result.archive == spec
    if expected.snapshot_day:
        assert result.snapshot_time is not None and result.snapshot_time.date().isoformat() == expected.snapshot_day
        assert result.snapshot_status == expected.snapshot_status
        assert result.snapshot_url and result.snapshot_url.startswith(f"warc:{warc_path}#")
    if expected.reason_contains:
        assert result.reason and expected.reason_contains in result.reason
    codes = sorted(finding.code for finding in findings_for_archive(reference, result))
    assert codes == sorted(expected.codes)


def test_index_is_built_once_per_file_version(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "one.warc.gz", [Capture(f"{SITE}/a", at("2011-05-01T00:00:00"))])
    first = index_file(path)
    assert index_file(path) is first  # same path, size and mtime: not read again
    write_warc(path, [Capture(f"{SITE}/a", at("2011-05-01T00:00:00")), Capture(f"{SITE}/b", at("2011-05-02"))])
    os.utime(path, (1_700_000_000, 1_700_000_000))
    second = index_file(path)
    assert second is not first
    assert [capture.url for capture in second] == [f"{SITE}/a", f"{SITE}/b"]


async def test_wacz_package_is_read(tmp_path: Path) -> None:
    warc = write_warc(tmp_path / "data.warc.gz", [Capture(f"{SITE}/in-wacz", at("2011-05-08T10:00:00"))])
    package = tmp_path / "site.wacz"
    with zipfile.ZipFile(package, "w") as archive:
        archive.write(warc, "archive/data.warc.gz")
    warc.unlink()
    request = request_for_reference(reference_for("/in-wacz"))
    assert request is not None
    async with ArchiveResolver([f"warc:{package}"]) as resolver:
        result = await resolver.resolve(request)
    assert result.status is ArchiveStatus.found
    assert result.snapshot_url == f"warc:{package}!archive/data.warc.gz#0"


async def test_scheme_and_www_do_not_hide_a_capture(warc_path: Path) -> None:
    archive = WarcArchive(warc_path)
    memento = await archive.nearest("https://www.example.org/exact/", at("2011-05-08T00:00:00"))
    assert memento.status == 200 and memento.capture_time == at("2011-05-08T12:00:00")


async def test_missing_folder_is_not_checked(tmp_path: Path) -> None:
    request = request_for_reference(reference_for("/exact"))
    assert request is not None
    async with ArchiveResolver([f"warc:{tmp_path / 'absent'}"]) as resolver:
        result = await resolver.resolve(request)
    assert result.status is ArchiveStatus.not_checked

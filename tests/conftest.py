"""Shared test fixtures: where ../shared lives, and skipping cleanly when it does not.

The network guard (tests/guard/) is wired here for the whole session: every test stays on loopback,
and the session fails if anything connected outside citecheck's guarded client.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.guard.plugin import (  # noqa: F401 - pytest hooks, found by name
    pytest_configure,
    pytest_runtest_protocol,
    pytest_sessionfinish,
    pytest_sessionstart,
    pytest_terminal_summary,
    pytest_unconfigure,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
# CI clones the repository with shared/ beside it; developers have it at ../shared too.
SHARED = REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not available: {path}")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture
def wikipedia_samples_dir() -> Path:
    return shared_path("wikipedia-samples")


@pytest.fixture
def ia_recordings_dir() -> Path:
    return shared_path("ia-recordings")

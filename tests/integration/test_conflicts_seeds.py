"""CC503 on the shared seeds: the known disagreements surface, and little else does."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.checks.conflicts import conflict_findings, find_conflicts
from citecheck.claims.build import build_claims
from citecheck.documents import read_document
from citecheck.models import Claim, Conflict, ParsedDocument
from tests.conftest import shared_path

pytestmark = pytest.mark.seeds


@pytest.fixture(scope="module")
def seed_conflicts() -> list[Conflict]:
    documents: list[tuple[ParsedDocument, list[Claim]]] = []
    for path in sorted(shared_path("seeds").glob("*.txt")):
        document = read_document(path)
        documents.append((document, build_claims(document).claims))
    conflicts = find_conflicts(documents)
    for conflict in conflicts:  # shown with -s: the list a reviewer judges
        print(f"\n{conflict.subject} | {conflict.quantity}")
        for statement in conflict.statements:
            print(f"  {Path(statement.document).name} {statement.claim}: {statement.figure} {statement.sources}")
    return conflicts


def test_camp_ashraf_distance_north_of_baghdad(seed_conflicts: list[Conflict]) -> None:
    (distance,) = [c for c in seed_conflicts if c.quantity == "distance"]
    assert "Camp Ashraf" in distance.subject and "Baghdad" in distance.subject
    kilometres = sorted(round(statement.value / 1000) for statement in distance.statements)
    assert kilometres == [60, 64, 96]  # 60 km, 40 miles, 96 km
    assert len({statement.document for statement in distance.statements}) == 3


def test_july_2009_raid_death_toll(seed_conflicts: list[Conflict]) -> None:
    (deaths,) = [c for c in seed_conflicts if c.quantity == "deaths"]
    assert "July 2009" in deaths.subject
    values = {statement.value for statement in deaths.statements}
    assert min(values) == 0  # the government spokesman: "not a single death"
    assert max(values) == 11  # "killing eleven people"
    assert {4, 7, 8, 9} <= values
    assert len({statement.document for statement in deaths.statements}) == 3
    # The posts of the repost page speak for themselves: several outlets are named.
    assert {"LA Times", "Agence France-Presse"} <= {source for s in deaths.statements for source in s.sources}


def test_the_report_stays_small(seed_conflicts: list[Conflict]) -> None:
    # Reviewed by hand: distance, deaths and two injury counts (residents; security forces) of the July 2009 raid.
    assert len(seed_conflicts) <= 4
    for conflict in seed_conflicts:
        assert conflict.quantity in {"distance", "deaths", "injuries", "injuries among security forces"}
        assert len({statement.document for statement in conflict.statements}) >= 1
        assert conflict.quantity == "distance" or "July 2009" in conflict.subject


def test_one_finding_per_statement(seed_conflicts: list[Conflict]) -> None:
    findings = conflict_findings(seed_conflicts)
    statements = sum(len(conflict.statements) for conflict in seed_conflicts)
    assert sum(len(found) for found in findings.values()) == statements
    assert all(finding.code == "CC503" for found in findings.values() for finding in found)

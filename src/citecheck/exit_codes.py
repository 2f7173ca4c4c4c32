"""Exit codes (CONTRACT.md) and the severity threshold that turns findings into code 1.

``0`` no finding at or above ``--fail-on``; ``1`` such findings; ``2`` usage or
input error; ``3`` interrupted; ``4`` internal error (a bug in citecheck).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads these constants before anything heavy is loaded
    from citecheck.models import Finding

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_INTERNAL = 0, 1, 2, 3, 4
FAIL_THRESHOLDS = {"error": 3, "warning": 2, "never": 99}


def exit_code_for(findings: Iterable[Finding], fail_on: str) -> int:
    """1 when a finding reaches the ``fail_on`` severity, else 0."""
    threshold = FAIL_THRESHOLDS[fail_on]
    return EXIT_FINDINGS if any(finding.severity.rank >= threshold for finding in findings) else EXIT_OK

"""How hard the fuzz targets work: a few examples in the normal suite, ``CITECHECK_FUZZ_EXAMPLES`` in the long run.

``CITECHECK_FUZZ_EXAMPLES=10000 pytest tests/fuzz -m fuzz`` runs at least
10,000 generated cases per target (hypothesis counts each call of the test
body; add ``--hypothesis-show-statistics`` to see the numbers).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

QUICK_EXAMPLES = 40
EXAMPLES = int(os.environ.get("CITECHECK_FUZZ_EXAMPLES", QUICK_EXAMPLES))
PROFILE = "citecheck-fuzz-long" if EXAMPLES > QUICK_EXAMPLES else "citecheck-fuzz-quick"

settings.register_profile(
    PROFILE,
    max_examples=EXAMPLES,
    deadline=None,  # a reader on a pathological input may be slow; slowness is not what is measured
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,  # a failure prints the blob to reproduce it with @reproduce_failure
)
# Applied per test (``@FUZZ``) rather than loaded globally, so other hypothesis suites keep their own settings.
FUZZ = settings.get_profile(PROFILE)

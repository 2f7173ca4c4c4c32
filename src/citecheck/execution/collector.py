"""The cyclic garbage collector tuned for a process that runs an audit: the CLI's, and every ``--jobs`` worker.

What the imports made (modules, pydantic schemas, compiled patterns) lives as long as the process: out of the
collector's way, every full pass no longer walks it again.  And the youngest generation is collected every
50,000 allocations rather than 700: an audit's models and strings mostly die young, by reference counting,
and the frequent passes moved the survivors up only to walk them again.  A tenth of a 10k-reference offline
audit's CPU went to the collector at 700 (issue 17); at 10,000 the collector's own time (``gc.callbacks``) was
0.21 s of 6.5 s user CPU, at 50,000 it is 0.10 s, with the same peak RSS (91 MB); on 1k references the run's
instructions are 0.5 % fewer.  No full collection runs in either audit, so the freeze is for larger ones; most
of what is left is the young survivors' walk (each is walked about as often at any threshold) and the
interpreter's own collections at exit.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

AUDIT_THRESHOLDS = (50_000, 10, 10)


def tune_collector() -> tuple[int, int, int]:
    """Freeze every object alive now and set the audit's thresholds; return the thresholds that were set before."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*AUDIT_THRESHOLDS)
    return before


@contextlib.contextmanager
def collector_tuned_for_audit() -> Iterator[None]:
    """The collector tuned for the block, restored after it (for callers in a process that outlives the audit)."""
    before = tune_collector()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()

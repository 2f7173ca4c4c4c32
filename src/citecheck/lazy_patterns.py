"""Regular expressions compiled on first use, so that start-up does not pay for patterns a run never meets.

``citecheck check`` parses one citation: compiling every reader's and parser's patterns at import cost it
more than parsing does (each 0.1-0.8 ms; issue 17).  Patterns that every input meets stay module-level
``re.compile`` calls; the rest are made with :func:`lazy_pattern` and called where used::

    _doi_re = lazy_pattern(r"\\b10\\.\\d{4,9}/\\S+")
    ...
    match = _doi_re().search(text)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

__all__ = ["lazy_pattern"]


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function returning ``re.compile(pattern, flags)``, compiled on its first call and kept."""
    return functools.cache(lambda: re.compile(pattern, flags))

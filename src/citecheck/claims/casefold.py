"""Dictionary keys for words that case-insensitive patterns matched.

Python's ``re.IGNORECASE`` lets a few non-ASCII letters stand for ASCII ones
(long s for ``s``, the Kelvin sign for ``k``, dotless and dotted I for ``i``), so
"ſecond" or "kılometres" match patterns built from the word tables while their
``lower()`` is no key of those tables; looking them up raised ``KeyError``.
"""

from __future__ import annotations

_CASE_FOLDS = str.maketrans({"ſ": "s", "\u212a": "k", "ı": "i", "İ": "i"})


def word_key(word: str) -> str:
    """``word.lower()``, with the letters ``re.IGNORECASE`` equates with ASCII ones written as those."""
    return word.lower() if word.isascii() else word.translate(_CASE_FOLDS).lower()

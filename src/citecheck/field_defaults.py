"""Default factories for pydantic fields: plain functions, where ``list`` and ``dict`` would do the same.

Pydantic asks every default factory whether it takes the validated data — ``inspect.signature`` of it — when a
model class is built, and :func:`citecheck.references.construct.build` asks again when it plans a model.  For
a builtin type that means parsing its ``__text_signature__`` with the tokenizer (and compiling the tokenizer's
pattern on the first call): about 0.6 M instructions a field, 27 M of the 1,026 M ``check --offline`` ran
(issue 17).  A Python function's signature is read from its code object.
"""

from typing import Any

__all__ = ["new_dict", "new_list"]


def new_list() -> list[Any]:
    """A fresh empty list (a field's ``default_factory``)."""
    return []


def new_dict() -> dict[Any, Any]:
    """A fresh empty dict (a field's ``default_factory``)."""
    return {}

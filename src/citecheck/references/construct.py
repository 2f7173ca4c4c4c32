"""Building models from values already of their fields' types, without validating them again.

The readers build thousands of :class:`~citecheck.models.Reference`, ``Paragraph`` and ``Marker``
objects per document from values they have just parsed (dates, enums, classified links).  Validating
each again was much of the cost of reading a document; pydantic's own ``model_construct`` is no
cheaper here, as it inspects the signature of every default factory on every call.  :func:`build`
does what ``model_construct`` does — fields in declaration order, defaults and default factories for
the fields not given, ``model_fields_set`` the fields given — with the plan of each model worked out
once.  ``tests/unit/test_reader_models_valid.py`` validates what the readers build and compares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

__all__ = ["build"]

Model = TypeVar("Model", bound=BaseModel)
# Per model: every field with its default (a placeholder for factories), the factories, the required fields.
_Plan = tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...], frozenset[str]]
_PLANS: dict[type[BaseModel], _Plan] = {}
_set = object.__setattr__


def _plan(cls: type[BaseModel]) -> _Plan:
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    required: set[str] = set()
    for name, info in cls.model_fields.items():
        factory = info.default_factory
        defaults[name] = None if factory is not None or info.default is PydanticUndefined else info.default
        if factory is not None:
            factories.append((name, factory))  # type: ignore[arg-type]  # a nested model: validated, as pydantic does
        elif info.default is PydanticUndefined:
            required.add(name)
    if cls.__pydantic_post_init__ is not None or cls.__private_attributes__:
        raise TypeError(f"{cls.__name__} needs model_construct")  # not the case for any model built here
    plan = (defaults, tuple(factories), frozenset(required))
    _PLANS[cls] = plan
    return plan


def build(cls: type[Model], **values: Any) -> Model:
    """``cls.model_construct(**values)``: ``values`` must already be of their fields' types."""
    defaults, factories, required = _PLANS.get(cls) or _plan(cls)
    data = defaults.copy()  # the fields in declaration order, as validation and model_construct leave them
    data.update(values)
    if len(data) != len(defaults):
        raise TypeError(f"{cls.__name__} has no field among {sorted(set(values) - set(defaults))}")
    if required and not required <= values.keys():
        raise TypeError(f"{cls.__name__} needs {sorted(required - values.keys())}")
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    model = cls.__new__(cls)
    _set(model, "__dict__", data)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model

"""Building models from values already of their fields' types, without validating them again.

The readers build thousands of :class:`~citecheck.models.Reference`, ``Paragraph`` and ``Marker``
objects per document from values they have just parsed (dates, enums, classified links), and the
claims stage a ``Claim`` and its ``Evidence`` per sentence.  Validating each again was much of the
cost of reading a document; pydantic's own ``model_construct`` is no cheaper here, as it inspects the
signature of every default factory on every call and validates the nested models its factories make
(a ``Reference``'s ``Identifiers``, ``LiveCheck``, ``ArchiveResult`` and ``SourceInfo``: four
validations per reference).  :func:`build` leaves what validation would leave — fields in
declaration order, defaults as pydantic-core gives them (shared when hashable, a deep copy when not),
default factories called, ``model_fields_set`` the fields given — with the plan of each model worked
out once, and makes a nested model's default the same way: validating a model from no input only
fills its defaults.

Only models validation cannot change are built so: one with a validator, a ``validate_default``,
extra fields allowed, private attributes, a ``model_post_init`` or a default factory that reads the
other fields is refused (``TypeError``) when first built.  The values given are trusted: a caller passes
values of the fields' types (enum members, not their strings; parsed dates; fresh lists), and what
comes from a document unparsed is validated by the stage that reads it.  ``tests/unit/test_construct.py``
checks that :func:`build` equals validation of the same values for every model of
:mod:`citecheck.models`; ``tests/unit/test_reader_models_valid.py`` validates what the readers build.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

__all__ = ["build", "builder"]

Model = TypeVar("Model", bound=BaseModel)
# Per model: every field with its default (a placeholder where a factory or copy fills it), the fields
# filled on each build (default factories, copies of unhashable defaults), the required fields.
_Plan = tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...], frozenset[str]]
_PLANS: dict[type[BaseModel], _Plan] = {}
_new = object.__new__
# BaseModel's slots (and its __dict__), set through their descriptors: BaseModel.__setattr__ is pydantic's own, and
# object.__setattr__ finds the same descriptor by a lookup on every call.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _refusal(cls: type[BaseModel]) -> str | None:
    """Why validating ``cls`` may give something else than its fields and defaults as they are; None when not."""
    decorators = cls.__pydantic_decorators__
    if decorators.validators or decorators.field_validators or decorators.root_validators:
        return "a field validator"
    if decorators.model_validators:
        return "a model validator"
    if cls.model_config.get("validate_default"):
        return "validate_default"
    if cls.model_config.get("extra") == "allow":
        return "extra fields allowed"
    if cls.__pydantic_post_init__ is not None:
        return "model_post_init"
    if cls.__private_attributes__:
        return "private attributes"
    if cls.__pydantic_root_model__:
        return "a root model"
    return None


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _plan(cls: type[BaseModel]) -> _Plan:
    refusal = _refusal(cls)
    if refusal is not None:
        raise TypeError(f"{cls.__name__} has {refusal}: validate it instead of building it")
    defaults: dict[str, Any] = {}
    fills: list[tuple[str, Callable[[], Any]]] = []
    required: set[str] = set()
    for name, info in cls.model_fields.items():
        if info.validate_default:
            raise TypeError(f"{cls.__name__}.{name} has validate_default: validate it instead of building it")
        factory = info.default_factory
        if factory is not None:
            if info.default_factory_takes_validated_data:
                raise TypeError(f"{cls.__name__}.{name}'s default factory reads the other fields: validate it")
            defaults[name] = None
            fills.append((name, _trusted_factory(factory)))  # type: ignore[arg-type]  # takes no data: checked
        elif info.default is PydanticUndefined:
            defaults[name] = None
            required.add(name)
        else:
            defaults[name] = info.default
            if not _hashable(info.default):
                # pydantic-core gives each instance a deep copy of an unhashable default.
                fills.append((name, functools.partial(copy.deepcopy, info.default)))
    plan = (defaults, tuple(fills), frozenset(required))
    _PLANS[cls] = plan
    return plan


def _trusted_factory(factory: Callable[[], Any]) -> Callable[[], Any]:
    """``factory``, or for a model validation cannot change, what validating it from no input makes, built."""
    if not (isinstance(factory, type) and issubclass(factory, BaseModel)) or _refusal(factory) is not None:
        return factory
    defaults, fills, required = _PLANS.get(factory) or _plan(factory)
    if required:
        return factory  # validating it from nothing fails: let it say so
    return _maker(factory, defaults, fills)


def _maker(
    cls: type[Model], defaults: dict[str, Any], fills: tuple[tuple[str, Callable[[], Any]], ...]
) -> Callable[[], Model]:
    """A model's default from no input, as one call: a Reference makes three (live, archive, source) each time."""
    copy_defaults = defaults.copy

    def make() -> Model:
        data = copy_defaults()
        for name, fill in fills:
            data[name] = fill()
        model = _new(cls)
        _set_dict(model, data)
        _set_fields_set(model, set())
        _set_extra(model, None)
        _set_private(model, None)
        return model

    return make


def build(cls: type[Model], **values: Any) -> Model:
    """``cls(**values)`` without validating ``values``, which must already be of their fields' types."""
    defaults, fills, required = _PLANS.get(cls) or _plan(cls)
    data = defaults.copy()  # the fields in declaration order, as validation and model_construct leave them
    data.update(values)
    if len(data) != len(defaults):
        raise TypeError(f"{cls.__name__} has no field among {sorted(set(values) - set(defaults))}")
    if required and not required <= values.keys():
        raise TypeError(f"{cls.__name__} needs {sorted(required - values.keys())}")
    for name, fill in fills:
        if name not in values:
            data[name] = fill()
    model = _new(cls)
    _set_dict(model, data)
    _set_fields_set(model, set(values))
    _set_extra(model, None)
    _set_private(model, None)
    return model


def builder(cls: type[Model], *names: str) -> Callable[..., Model]:
    """``make(*values)`` for ``build(cls, **dict(zip(names, values)))``, the fields checked once, not on every call:
    for a model built over and over from the same fields (a claim per sentence, its evidence)."""
    defaults, fills, required = _PLANS.get(cls) or _plan(cls)
    unknown = set(names) - defaults.keys()
    if unknown or len(set(names)) != len(names):
        raise TypeError(f"{cls.__name__}: fields {list(names)} repeat or are not among {list(defaults)}")
    if not required <= set(names):
        raise TypeError(f"{cls.__name__} needs {sorted(required - set(names))}")
    given = frozenset(names)
    left = tuple((name, fill) for name, fill in fills if name not in given)
    copy_defaults = defaults.copy

    def make(*values: Any) -> Model:
        data = copy_defaults()
        data.update(zip(names, values, strict=True))
        for name, fill in left:
            data[name] = fill()
        model = _new(cls)
        _set_dict(model, data)
        _set_fields_set(model, set(given))
        _set_extra(model, None)
        _set_private(model, None)
        return model

    return make

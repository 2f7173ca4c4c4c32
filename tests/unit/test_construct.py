"""``construct.build(cls, **values)`` is ``cls(**values)`` without the validation, for every model of the contract.

For each model of :mod:`citecheck.models`, hypothesis draws values of its fields' types (enum members,
parsed dates, nested models, lists) for a random subset of its fields; the built model must equal the
validated one in every respect validation decides: the class, the fields and their order, each value and
its type, recursively (a nested default ``Identifiers`` as much as a given ``Marker``), ``model_fields_set``,
the extra and private parts, and the JSON.  Built defaults are fresh per instance, as validation's are.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, field_validator, model_validator

from citecheck import models
from citecheck.dates import PartialDate
from citecheck.references.construct import build, builder

MODELS: list[type[BaseModel]] = sorted(
    (
        value
        for value in vars(models).values()
        if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == models.__name__
    ),
    key=lambda cls: cls.__name__,
)
MODELS = [cls for cls in MODELS if not cls.__name__.startswith("_")]
_ONE_OF_EACH = {cls.__name__: cls for cls in MODELS}


def assert_same(built: object, validated: object, where: str = "model") -> None:
    """``built`` is what validation made, down to the types and the fields set of every nested model."""
    assert type(built) is type(validated), where
    if isinstance(validated, BaseModel):
        assert isinstance(built, BaseModel)
        assert list(built.__dict__) == list(validated.__dict__), where
        assert built.model_fields_set == validated.model_fields_set, where
        assert built.__pydantic_extra__ == validated.__pydantic_extra__, where
        assert built.__pydantic_private__ == validated.__pydantic_private__, where
        for name, value in validated.__dict__.items():
            assert_same(built.__dict__[name], value, f"{where}.{name}")
    elif isinstance(validated, list):
        assert isinstance(built, list)
        assert len(built) == len(validated), where
        for index, (one, other) in enumerate(zip(built, validated, strict=True)):
            assert_same(one, other, f"{where}[{index}]")
    elif isinstance(validated, dict):
        assert isinstance(built, dict)
        assert list(built) == list(validated), where
        for key, value in validated.items():
            assert_same(built[key], value, f"{where}[{key!r}]")
    else:
        assert built == validated, where


_TEXT = st.text(max_size=8)
_DATES = st.builds(
    PartialDate,
    year=st.integers(1, 9999),
    month=st.none() | st.integers(1, 12) | st.integers(21, 24),
    day=st.none() | st.integers(1, 28),
    approximate=st.booleans(),
)


def values_of(annotation: Any, depth: int) -> st.SearchStrategy[Any]:
    """Values of ``annotation`` as the stages pass them: already of the type, never a string standing for one."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return values_of(arguments[0], depth)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([values_of(argument, depth) for argument in arguments])
    if origin is typing.Literal:
        return st.sampled_from(arguments)
    if origin is list:
        return st.lists(values_of(arguments[0], depth + 1), max_size=2 if depth < 2 else 0)
    if origin is dict:
        return st.dictionaries(values_of(arguments[0], depth + 1), values_of(arguments[1], depth + 1), max_size=2)
    if annotation is type(None):
        return st.none()
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        return st.sampled_from(list(annotation))
    if annotation is PartialDate:
        return _DATES
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return fields_of(annotation, depth + 1).map(lambda values: annotation(**values))
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: _TEXT,
        int: st.integers(-(2**40), 2**40),
        float: st.floats(allow_nan=False),
        bool: st.booleans(),
        datetime: st.datetimes(),
    }
    return simple[annotation]


def fields_of(cls: type[BaseModel], depth: int = 0, only_required: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Every required field of ``cls`` and any of the others (none of them past a depth of nesting)."""
    fields = cls.model_fields.items()
    required = {name: values_of(info.annotation, depth) for name, info in fields if info.is_required()}
    optional = {} if depth > 2 or only_required else {name: values_of(info.annotation, depth) for name, info in fields}
    return st.fixed_dictionaries(required, optional={k: v for k, v in optional.items() if k not in required})


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_build_equals_validation(cls: type[BaseModel], data: st.DataObject) -> None:
    values = data.draw(fields_of(cls))
    validated = cls(**values)
    built = build(cls, **values)
    assert_same(built, validated)
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_builder_equals_build(cls: type[BaseModel], data: st.DataObject) -> None:
    """A builder's model is build's for the same values, given in any order, and twice: nothing shared."""
    values = data.draw(fields_of(cls))
    names = data.draw(st.permutations(sorted(values)))
    make = builder(cls, *names)
    first, second = make(*(values[name] for name in names)), make(*(values[name] for name in names))
    expected = build(cls, **values)
    assert_same(first, expected)
    assert first.model_fields_set == expected.model_fields_set
    assert list(first.__dict__) == list(expected.__dict__)
    for name, info in cls.model_fields.items():
        if name not in values and info.default_factory is not None:
            assert first.__dict__[name] is not second.__dict__[name], name


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_defaults_are_validations_and_fresh(cls: type[BaseModel], data: st.DataObject) -> None:
    """With only the required fields (every default and default factory in play), twice: nothing shared."""
    values = data.draw(fields_of(cls, only_required=True))
    first, second = build(cls, **values), build(cls, **values)
    assert_same(first, cls(**values))
    for name, info in cls.model_fields.items():
        if name not in values and info.default_factory is not None:
            assert first.__dict__[name] is not second.__dict__[name], name


def test_the_models_built_in_the_inner_loops_are_checked() -> None:
    # The readers and the claims stage build these; a rename must not drop them from the test silently.
    built = {"Reference", "Identifiers", "Marker", "Paragraph", "Section", "Claim", "Evidence", "ParsedDocument"}
    assert built <= _ONE_OF_EACH.keys()


def test_a_reference_has_nested_defaults_as_validation_makes_them() -> None:
    reference = build(models.Reference, id="r1")
    assert_same(reference, models.Reference(id="r1"))
    assert reference.model_fields_set == {"id"}
    assert reference.live.model_fields_set == set() and reference.identifiers.model_fields_set == set()
    reference.live.evidence.append("x")
    assert build(models.Reference, id="r2").live.evidence == []


def test_unknown_or_missing_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="not among"):
        builder(models.Marker, "label", "offset", "colour")
    with pytest.raises(TypeError, match="repeat"):
        builder(models.Marker, "label", "offset", "label")
    with pytest.raises(TypeError, match="needs"):
        builder(models.Marker, "label")
    with pytest.raises(ValueError):
        builder(models.Marker, "label", "offset")("a")
    with pytest.raises(TypeError, match="no field"):
        build(models.Marker, label="a", offset=1, colour="red")
    with pytest.raises(TypeError, match="needs"):
        build(models.Marker, label="a")


class _Normalised(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class _Checked(BaseModel):
    start: int
    end: int

    @model_validator(mode="after")
    def _ordered(self) -> _Checked:
        return self


class _FromOthers(BaseModel):
    first: str
    second: str = Field(default_factory=lambda data: data["first"])


class _ValidatedDefault(BaseModel):
    level: int = Field(default=1, validate_default=True)


class _MutableDefault(BaseModel):
    tags: list[str] = []  # the case under test: pydantic copies an unhashable default per instance
    nested: _Normalised | None = None


@pytest.mark.parametrize("cls", [_Normalised, _Checked, _FromOthers, _ValidatedDefault])
def test_models_validation_could_change_are_refused(cls: type[BaseModel]) -> None:
    with pytest.raises(TypeError, match="validate it"):
        build(cls)


def test_an_unhashable_default_is_copied_as_validation_copies_it() -> None:
    first, second = build(_MutableDefault), build(_MutableDefault)
    assert_same(first, _MutableDefault())
    assert first.tags is not second.tags and first.tags is not _MutableDefault.model_fields["tags"].default

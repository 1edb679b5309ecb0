"""Property names as a Pulumi schema spells them (camelCase, as the API does) and as the resource
core records them (snake_case), converted by walking the core's own input models.

Why walk the models instead of converting every key: a map's keys are the user's words (trait
names, channels), never renamed, while an object's keys are field names. Only the model knows which
is which, so ``traits.loyalty_tier.data_type`` becomes ``traits.loyalty_tier.dataType``.
Keys a model does not know are passed through as written (``check`` names them).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel
from pydantic.alias_generators import to_camel, to_snake

__all__ = ["camel_path", "model_members", "strip_annotated", "to_core", "to_engine"]


def strip_annotated(annotation: Any) -> Any:
    """``annotation`` without ``Annotated[...]`` and ``Optional`` wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def model_members(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation may hold at its top (one, or each member of a union of models)."""
    annotation = strip_annotated(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in model_members(a)]
    return []


def _fields(annotation: Any) -> dict[str, tuple[str, Any]]:
    """Every field of the model(s) at the top of ``annotation``: name -> (alias, annotation)."""
    out: dict[str, tuple[str, Any]] = {}
    for model in model_members(annotation):
        for name, field in model.model_fields.items():
            out.setdefault(name, (field.alias or name, field.annotation))
    return out


def _respell(annotation: Any, value: Any, *, engine: bool) -> Any:
    fields = _fields(annotation)
    if fields and isinstance(value, Mapping):
        by_key: dict[str, tuple[str, Any]] = {}
        for name, (alias, inner) in fields.items():
            by_key[name] = by_key[alias] = (alias if engine else name, inner)
        out: dict[Any, Any] = {}
        for key, item in value.items():
            target, inner = by_key.get(key, (key, Any)) if isinstance(key, str) else (key, Any)
            out[target] = _respell(inner, item, engine=engine)
        return out
    bare = strip_annotated(annotation)
    origin = typing.get_origin(bare)
    args = typing.get_args(bare)
    if origin in (dict, Mapping) and isinstance(value, Mapping) and len(args) == 2:
        return {k: _respell(args[1], v, engine=engine) for k, v in value.items()}
    if origin in (list, tuple, Iterable) and isinstance(value, list | tuple) and args:
        return [_respell(args[0], v, engine=engine) for v in value]
    return value


def _top(model: type[BaseModel], key: str, *, engine: bool) -> tuple[str, Any]:
    """The name of a resource's top-level property and its annotation (Any for outputs)."""
    if key.startswith("__"):
        return key, Any
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return (field.alias or name) if engine else name, field.annotation
    return (to_camel(key) if engine else to_snake(key)), Any


def _props(model: type[BaseModel], props: Mapping[str, Any], *, engine: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        name, annotation = _top(model, key, engine=engine)
        out[name] = _respell(annotation, value, engine=engine)
    return out


def to_engine(model: type[BaseModel], props: Mapping[str, Any]) -> dict[str, Any]:
    """The core's snake_case properties as the schema spells them (hidden ``__`` keys kept)."""
    return _props(model, props, engine=True)


def to_core(model: type[BaseModel], props: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's camelCase properties as the core records them."""
    return _props(model, props, engine=False)


def camel_path(model: type[BaseModel], path: str) -> str:
    """A property path of a check failure (``traits.tier.data_type``, ``rules[0].rule_type``) in the
    schema's spelling; map keys and list indexes kept as written."""
    if not path:
        return path
    head, _, rest = path.partition(".")
    index = ""
    if "[" in head:
        head, bracket, tail = head.partition("[")
        index = bracket + tail
    name, annotation = _top(model, head, engine=True)
    parts = [name + index]
    node = annotation
    if index:
        node = _item(node)
    for segment in rest.split(".") if rest else []:
        key, bracket, tail = segment.partition("[")
        fields = _fields(node)
        if fields:
            match = next(((a, t) for n, (a, t) in fields.items() if key in (n, a)), (key, Any))
            key, node = match
        else:
            node = _value(node)
        if bracket:
            node = _item(node)
        parts.append(key + bracket + tail)
    return ".".join(parts)


def _value(annotation: Any) -> Any:
    bare = strip_annotated(annotation)
    args = typing.get_args(bare)
    return args[1] if typing.get_origin(bare) in (dict, Mapping) and len(args) == 2 else Any


def _item(annotation: Any) -> Any:
    bare = strip_annotated(annotation)
    args = typing.get_args(bare)
    return args[0] if typing.get_origin(bare) in (list, tuple) and args else Any


def enum_values(annotation: Any) -> list[str] | None:
    """The allowed values of an enum or ``Literal`` annotation, or None."""
    bare = strip_annotated(annotation)
    if isinstance(bare, type) and issubclass(bare, Enum):
        return [str(member.value) for member in bare]
    if typing.get_origin(bare) is Literal:
        return [str(a) for a in typing.get_args(bare)]
    return None

"""Property values between the engine's form (``PropertyValue``) and the plain Python the resource
core works with: unknowns become the core's ``UNKNOWN``, secrets are unwrapped (the provider tells
the engine it does not accept secrets, so the engine keeps track of them), and whole-number floats
(the wire has only doubles) become ints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.rpc import UNKNOWN

from ..resources._values import is_unknown

__all__ = ["from_plain", "from_plain_map", "to_plain", "to_plain_map"]


def to_plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return to_plain_map(inner)
    if isinstance(inner, tuple | list):
        return [to_plain(item) for item in inner]
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    return inner


def to_plain_map(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    return {key: to_plain(value) for key, value in values.items()}


def from_plain(value: Any) -> PropertyValue:
    if is_unknown(value):
        # The wire's own spelling of an unknown: this SDK's PropertyValue cannot marshal Computed.
        return PropertyValue(UNKNOWN)
    if value is None:
        return PropertyValue.null()
    if isinstance(value, bool | str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue(from_plain_map(value))
    if isinstance(value, list | tuple):
        return PropertyValue([from_plain(item) for item in value])
    return PropertyValue(str(value))


def from_plain_map(values: Mapping[str, Any]) -> dict[str, PropertyValue]:
    return {str(key): from_plain(value) for key, value in values.items() if value is not None}

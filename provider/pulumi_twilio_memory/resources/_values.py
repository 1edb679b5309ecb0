"""Input values as Pulumi hands them to a provider: possibly unknown during ``pulumi preview``
(an output not yet computed), and with keys in either case style (a program's dicts may use the
API's camelCase or Python's snake_case). Resources normalize with these before comparing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeGuard

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN
from pydantic.alias_generators import to_snake

__all__ = ["contains", "contains_unknown", "is_unknown", "known_str", "normalize", "snake_keys", "strip_none"]


def is_unknown(value: Any) -> bool:
    """True for a value not known until apply (preview): the dynamic-provider host of pulumi 3.259
    hands ``check``/``diff`` a ``pulumi.output.Unknown`` instance; older hosts the UNKNOWN string."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def known_str(value: Any) -> TypeGuard[str]:
    """A string whose value is known (not a preview placeholder)."""
    return isinstance(value, str) and not is_unknown(value)


def snake_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    """``value`` with snake_case keys (an unknown key kept as it is) and no ``None`` values (an
    input left out and one given as ``None`` mean the same)."""
    return {(k if is_unknown(k) else to_snake(str(k))): v for k, v in value.items() if v is not None}


def contains(value: Any, test: Callable[[Any], bool]) -> bool:
    """True when ``test`` holds for ``value`` or for anything inside it (dict keys and values,
    list and tuple items, at any depth)."""
    if test(value):
        return True
    if isinstance(value, Mapping):
        return any(contains(k, test) or contains(v, test) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains(v, test) for v in value)
    return False


def contains_unknown(value: Any) -> bool:
    """True when ``value`` is, or holds anywhere inside it, an unknown."""
    return contains(value, is_unknown)


def strip_none(value: Any) -> Any:
    """Recursively drop ``None`` values from dicts (absent and null mean the same to the API)."""
    if isinstance(value, Mapping):
        return {k: strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [strip_none(v) for v in value]
    return value


def normalize(value: Any) -> Any:
    """Comparable form: ``None`` dropped, tuples as lists, enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return value

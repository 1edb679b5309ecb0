"""Input values as Pulumi hands them to a provider: possibly unknown during ``pulumi preview``
(an output not yet computed), and with keys in either case style (a program's dicts may use the
API's camelCase or Python's snake_case). Resources normalize with these before comparing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN
from pydantic.alias_generators import to_snake

__all__ = ["is_unknown", "known_str", "snake_keys"]


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

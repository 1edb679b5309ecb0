"""Which trait values a profile may hold (data plane): a value is written only when its trait group
and trait definition exist in the store (control plane), has the definition's ``dataType`` and
passes its ``validationRule``. Trait names are normalized to lowerCamelCase, as the API does.
Every refusal is a 400 naming ``traits.<group>.<name>`` and what is allowed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from twilio_memory_api.models import normalize_trait_name

from twilio_memory_emulator.errors import BadRequest

__all__ = ["check_traits"]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else "null"


def _check_value(where: str, value: Any, definition: Mapping[str, Any]) -> None:
    data_type = definition.get("dataType")
    rule = definition.get("validationRule") or {}
    expected = {"STRING": str, "NUMBER": int | float, "BOOLEAN": bool, "ARRAY": list}.get(str(data_type))
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    ok = is_number if data_type == "NUMBER" else expected is not None and isinstance(value, expected)
    if not ok:
        raise BadRequest(f"{where}: must be a {data_type} (the trait's dataType), got {_kind(value)}")
    if isinstance(value, str):
        if "minLength" in rule and len(value) < rule["minLength"]:
            raise BadRequest(f"{where}: must be at least {rule['minLength']} characters (validationRule)")
        if "maxLength" in rule and len(value) > rule["maxLength"]:
            raise BadRequest(f"{where}: must be at most {rule['maxLength']} characters (validationRule)")
        if "pattern" in rule and re.search(rule["pattern"], value) is None:
            raise BadRequest(f"{where}: must match {rule['pattern']} (validationRule)")
    elif is_number:
        if "min" in rule and value < rule["min"]:
            raise BadRequest(f"{where}: must be at least {rule['min']} (validationRule)")
        if "max" in rule and value > rule["max"]:
            raise BadRequest(f"{where}: must be at most {rule['max']} (validationRule)")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, list | dict) or item is None:
                raise BadRequest(f"{where}[{i}]: array items must be strings, numbers or booleans")
        if "minItems" in rule and len(value) < rule["minItems"]:
            raise BadRequest(f"{where}: must have at least {rule['minItems']} items (validationRule)")
        if "maxItems" in rule and len(value) > rule["maxItems"]:
            raise BadRequest(f"{where}: must have at most {rule['maxItems']} items (validationRule)")


def check_traits(
    traits: Mapping[str, Any],
    groups: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    nulls: bool = False,
) -> dict[str, dict[str, Any]]:
    """``traits`` (group -> name -> value) with names normalized, or a 400 for the first bad one.

    ``groups`` maps each of the store's trait groups to its definitions. ``nulls`` allows
    ``null`` values (a merge patch's removal).
    """
    checked: dict[str, dict[str, Any]] = {}
    for group_name, values in traits.items():
        definitions = groups.get(group_name)
        if definitions is None:
            known = ", ".join(sorted(groups)) or "none"
            raise BadRequest(
                f"traits.{group_name}: the store has no trait group {group_name!r} (it has: {known}); "
                "define the group on the control plane (tm.TraitGroup) before writing its traits"
            )
        if not isinstance(values, Mapping):
            raise BadRequest(f"traits.{group_name}: must be an object of trait name -> value")
        by_normal = {normalize_trait_name(name): name for name in definitions}
        out = checked.setdefault(group_name, {})
        for raw_name, value in values.items():
            normal = normalize_trait_name(raw_name)
            name = by_normal.get(normal)
            where = f"traits.{group_name}.{raw_name}"
            if name is None:
                known = ", ".join(sorted(definitions)) or "none"
                raise BadRequest(
                    f"{where}: trait group {group_name!r} defines no trait {normal!r} "
                    f"(it defines: {known}); add it to the group before writing it"
                )
            if value is None:
                if not nulls:
                    raise BadRequest(f"{where}: must not be null here (null removes a trait in a PATCH)")
            else:
                _check_value(where, value, definitions[name])
            out[name] = value
    return checked

"""Check failures as the user reads them: one per bad field, named as the user wrote it, with
what is allowed, never echoing a pasted blob back into preview output and CI logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_snake
from twilio_memory_api.models import format_validation_error

from ._results import CheckFailure
from ._values import contains_unknown, is_unknown

__all__ = ["MAX_ECHOED_WORD", "clip_long_words", "validation_failures"]

#: The longest word an error message repeats from the user's input as it is.
MAX_ECHOED_WORD = 80


def _walk(inputs: Any, loc: tuple[int | str, ...]) -> tuple[list[str], Any, bool]:
    """Follow a pydantic error ``loc`` through the user's inputs.

    Returns the property path as the user wrote it (dict keys verbatim, union tags skipped), the
    node reached, and whether an unknown was crossed on the way.
    """
    parts: list[str] = []
    node = inputs
    for item in loc:
        if is_unknown(node):
            return parts, node, True
        if isinstance(item, int) and isinstance(node, list) and 0 <= item < len(node):
            parts.append(f"[{item}]")
            node = node[item]
        elif isinstance(item, str) and isinstance(node, Mapping) and item in node:
            parts.append(f".{item}" if parts else item)
            node = node[item]
        elif isinstance(item, str) and isinstance(node, Mapping) and to_snake(item) in node:
            parts.append(f".{to_snake(item)}" if parts else to_snake(item))
            node = node[to_snake(item)]
        elif isinstance(item, str) and item[:1].islower() and isinstance(node, Mapping):
            # A field the user did not give (missing); name it in snake_case and stop.
            name = to_snake(item)
            parts.append(f".{name}" if parts else name)
            return parts, None, False
        # else: a union tag ('STRING', 'function-after', ...) that is not in the data: skip it
    return parts, node, is_unknown(node)


_LONG_WORD = re.compile(rf"\S{{{MAX_ECHOED_WORD + 1},}}")


def clip_long_words(text: str) -> str:
    """Shorten every run of over ``MAX_ECHOED_WORD`` non-blank characters (a pasted blob used as
    a dict key, say) to its start and its length, so an error about it stays readable and does
    not echo the whole value back into the preview output and CI logs."""
    return _LONG_WORD.sub(lambda m: f"{m.group(0)[:40]}…({len(m.group(0))} characters)", text)


def _hint(hints: Mapping[str, str], path: str) -> str | None:
    """The hint for a failing property: ``hints[path]`` for a top-level one, ``hints["*.<name>"]``
    for a nested field (``identifier_configs[0].limit`` -> ``*.limit``); list items and dict keys
    of a top-level property (``matching_rules[2]``) get no hint."""
    top = path.split(".", maxsplit=1)[0].split("[", maxsplit=1)[0]
    if path == top:
        return hints.get(top)
    leaf = path.rsplit(".", 1)[-1] if "." in path else ""
    return hints.get(f"*.{leaf.split('[')[0]}") if leaf else None


def validation_failures(
    model: type[BaseModel], inputs: Mapping[str, Any], hints: Mapping[str, str] | None = None
) -> list[CheckFailure]:
    """One ``CheckFailure`` per bad field, as the user named it; errors that involve an unknown
    value (preview) are skipped rather than reported."""
    try:
        model.model_validate(dict(inputs))
    except ValidationError as exc:
        errors = exc.errors()
        formatted = format_validation_error(exc, snake=True)
        if len(formatted) != len(errors):  # defensive: pair by position only when they line up
            formatted = [("", str(e.get("msg", "invalid value"))) for e in errors]
        failures: list[CheckFailure] = []
        seen: set[tuple[str, str]] = set()
        for error, (fallback_path, text) in zip(errors, formatted, strict=True):
            parts, node, crossed_unknown = _walk(inputs, tuple(error["loc"]))
            if crossed_unknown:
                continue
            structural = error["type"] in ("missing", "extra_forbidden")
            if not structural and contains_unknown(node if parts else inputs):
                continue  # a cross-field or size rule over data that is not fully known yet
            path = "".join(parts) if parts else fallback_path
            if path == "body":
                path = ""
            hint = _hint(hints or {}, path)
            message = f"{text}: {hint}" if hint and not structural else text
            if (path, message) not in seen:
                seen.add((path, message))
                failures.append(CheckFailure(path, message))
        return failures
    return []

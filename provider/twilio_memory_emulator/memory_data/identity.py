"""Identity resolution's pure rules (data plane): normalizing identifier values, keeping a
profile's values within the idType's ``limit``, and deciding which profiles an identifier set
matches. No state here: :mod:`.profiles` applies these to a store.

The rules are the spec's (``info.x-rule``): ``matchingRules`` are single idTypes joined by OR;
an idType with ``enforceUnique`` matches on one shared value, one without it only when two or
more of the incoming identifiers are shared (a compound identity); ``limit`` keeps that many
values per idType, and ``limitPolicy`` says which go: ``fifo`` keeps the newest, ``lifo`` the
first ones (an incoming value over the limit is not kept).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import phonenumbers

__all__ = [
    "IdentifierError",
    "attach_value",
    "match_profiles",
    "normalize",
    "removal_index",
]


class IdentifierError(ValueError):
    """A value that cannot be normalized as its idType's settings say (the message says why)."""


def _phone(value: str) -> str:
    """E.164 as the spec describes it: a US number needs its 10 digits (``+1`` optional), any other
    a 1-3 digit country code (``+`` optional); a national format of another country reads as US."""
    text = value.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    candidates = [text] if text.startswith("+") else [text, f"+{digits}"]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, None if candidate.startswith("+") else "US")
        except phonenumbers.NumberParseException:
            continue
        # Not is_possible_number: it also passes a local number without its area code.
        if phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise IdentifierError(
        "is not a phone number: give a US number with its area code (+1 optional) or a number with its "
        "country code, such as +14155550100"
    )


def normalize(value: str, normalization: str) -> str:
    """``value`` as stored and matched under ``normalization`` (phone, email, trim or none)."""
    match normalization:
        case "phone":
            return _phone(value)
        case "email":
            return "".join(value.split()).lower()
        case "trim":
            return value.strip()
        case _:
            return value


def attach_value(values: list[list[Any]], value: str, now: float, limit: int, policy: str) -> bool:
    """Add ``value`` (``[value, added_at]`` pairs, oldest first) within ``limit``; True if kept.

    A value already held keeps its original time. Over the limit, ``fifo`` drops the oldest
    value and ``lifo`` the newest, which is the incoming one.
    """
    if any(held == value for held, _ in values):
        return True
    if len(values) >= limit and policy == "lifo":
        return False
    values.append([value, now])
    while len(values) > limit:
        values.pop(0)
    return True


def removal_index(values: Sequence[Sequence[Any]], policy: str) -> int:
    """Which one value a DELETE without ``removeAll`` removes: the one ``policy`` would drop."""
    return 0 if policy == "fifo" else len(values) - 1


def _same(held: str, incoming: str, config: Mapping[str, Any]) -> bool:
    if config["matchingAlgo"] == "fuzzy":
        ratio = difflib.SequenceMatcher(None, held, incoming).ratio() * 100
        return ratio >= int(config["matchingThreshold"])
    return held == incoming


def match_profiles(
    incoming: Mapping[str, Iterable[str]],
    profiles: Iterable[tuple[str, Mapping[str, Sequence[Sequence[Any]]]]],
    rules: Sequence[str],
    configs: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """The ids of the profiles an identifier set matches under the store's matching rules.

    ``profiles`` are ``(id, identifiers)`` pairs. A profile matches on one shared value of an
    ``enforceUnique`` idType, or on two or more shared values of idTypes without it.
    """
    matched: list[str] = []
    wanted = {t: list(incoming.get(t, ())) for t in rules if t in configs}
    for profile_id, identifiers in profiles:
        unique_hit = False
        shared = 0
        for id_type, values in wanted.items():
            config = configs[id_type]
            held = [v for v, _ in identifiers.get(id_type, ())]
            hits = sum(1 for v in values if any(_same(h, v, config) for h in held))
            if hits and config["enforceUnique"]:
                unique_hit = True
            shared += hits
        if unique_hit or shared >= 2:
            matched.append(profile_id)
    return matched

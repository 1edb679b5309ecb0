"""What every new Memory store starts with: the ``Contact`` trait group and the API's default
identity resolution settings (the defaults come from the wire package: one copy for both sides)."""

from __future__ import annotations

from typing import Any

from pydantic.alias_generators import to_camel
from twilio_memory_api.models import (
    DEFAULT_IDENTITY_RESOLUTION,
    FUZZY_THRESHOLD_DEFAULT,
    IDENTIFIER_CONFIG_DEFAULTS,
    SEEDED_TRAIT_GROUP,
    to_wire,
)

from twilio_memory_emulator.state_schema import IdentityResolutionRec

__all__ = ["CONTACT_TRAITS", "CONTACT_TRAIT_GROUP", "default_identity_resolution", "fill_identifier_defaults"]

CONTACT_TRAIT_GROUP = SEEDED_TRAIT_GROUP  # every store starts with it

#: The default Contact group (product pages): its identifiers are promoted to profile identifiers.
CONTACT_TRAITS: dict[str, dict[str, Any]] = {
    "firstName": {"dataType": "STRING", "description": "First name"},
    "lastName": {"dataType": "STRING", "description": "Last name"},
    "email": {"dataType": "STRING", "description": "Email address", "idTypePromotion": "email"},
    "phone": {"dataType": "STRING", "description": "Phone number (E.164)", "idTypePromotion": "phone"},
    "address": {"dataType": "STRING", "description": "Postal address"},
}


def fill_identifier_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """The defaults the API applies to an identifier config field that is not sent."""
    out = dict(config)
    for name, default in IDENTIFIER_CONFIG_DEFAULTS.items():
        key = to_camel(name)
        if default is not None and key not in out:
            out[key] = default
    if out.get("matchingAlgo") == "fuzzy" and "matchingThreshold" not in out:
        out["matchingThreshold"] = FUZZY_THRESHOLD_DEFAULT
    return out


def default_identity_resolution() -> IdentityResolutionRec:
    body = to_wire(DEFAULT_IDENTITY_RESOLUTION)
    return IdentityResolutionRec(
        identifier_configs=[fill_identifier_defaults(c) for c in body["identifierConfigs"]],
        matching_rules=list(body["matchingRules"]),
    )

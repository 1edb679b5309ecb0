"""The one home of the emulated APIs' path templates (their prefixes come from the wire package).

Templates use the spec's ``{name}`` parameters, so one string serves the router (Starlette's
syntax is the same), the fault rules and stats (which match on templates), and the messages that
name a resource (:func:`fill`)."""

from __future__ import annotations

from twilio_memory_api.prefixes import CONVERSATIONS_CONTROL_PLANE, MEMORY_CONTROL_PLANE, MEMORY_DATA_PLANE

__all__ = [
    "ADMIN",
    "CONFIGURATION",
    "CONFIGURATIONS",
    "CONVERSATIONS",
    "CONVERSATIONS_OPERATION",
    "DATA_MAPPING",
    "DATA_MAPPINGS",
    "IDENTIFIER",
    "IDENTIFIERS",
    "IDENTITY_RESOLUTION",
    "MEMORY",
    "MEMORY_DATA",
    "MEMORY_OPERATION",
    "PROFILE",
    "PROFILES",
    "STORE",
    "STORES",
    "TRAIT_GROUP",
    "TRAIT_GROUPS",
    "fill",
    "operation_path",
]

MEMORY = MEMORY_CONTROL_PLANE
CONVERSATIONS = CONVERSATIONS_CONTROL_PLANE
MEMORY_DATA = MEMORY_DATA_PLANE
ADMIN = "/_emulator"  # the emulator's own endpoints (tests, benchmarks)

STORES = f"{MEMORY}/Stores"
STORE = f"{STORES}/{{storeId}}"
TRAIT_GROUPS = f"{STORE}/TraitGroups"
TRAIT_GROUP = f"{TRAIT_GROUPS}/{{traitGroupName}}"
IDENTITY_RESOLUTION = f"{STORE}/IdentityResolutionSettings"
DATA_MAPPINGS = f"{STORE}/DataMappings"
DATA_MAPPING = f"{DATA_MAPPINGS}/{{dataMappingId}}"
MEMORY_OPERATION = f"{MEMORY}/Operations/{{operationId}}"

CONFIGURATIONS = f"{CONVERSATIONS}/Configurations"
CONFIGURATION = f"{CONFIGURATIONS}/{{id}}"
CONVERSATIONS_OPERATION = f"{CONVERSATIONS}/Operations/{{id}}"

PROFILES = f"{MEMORY_DATA}/{{storeId}}/Profiles"
PROFILE = f"{PROFILES}/{{profileId}}"
IDENTIFIERS = f"{PROFILE}/Identifiers"
IDENTIFIER = f"{IDENTIFIERS}/{{idType}}"


def fill(template: str, **params: str) -> str:
    """A template with its parameters filled in: ``fill(STORE, storeId="mem_store_...")``."""
    return template.format(**params)


def operation_path(product: str, operation_id: str) -> str:
    """Where an operation of ``product`` (``memory`` or ``conversations``) is polled."""
    prefix = MEMORY if product == "memory" else CONVERSATIONS
    return f"{prefix}/Operations/{operation_id}"

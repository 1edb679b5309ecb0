"""The schema of the emulator's state: the records of one account, as plain dataclasses that the
services mutate and the state file holds (:mod:`.engine.snapshot`).

Everything here is JSON-able through :func:`dataclasses.asdict` and rebuilt by
:func:`account_from_dict`; the field names are the state file's keys, so renaming one breaks old
files. No credential is ever part of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AccountState",
    "ConfigurationRec",
    "DataMappingRec",
    "DocumentRec",
    "IdempotencyRec",
    "IdentityResolutionRec",
    "ObservationRec",
    "OperationRec",
    "ProfileRec",
    "StoreRec",
    "SummaryRec",
    "TraitGroupRec",
    "account_from_dict",
]


@dataclass
class TraitGroupRec:
    name: str
    description: str | None
    traits: dict[str, dict[str, Any]]
    created_at: float
    version: int = 1
    uid: str = ""  # short, unique per incarnation: keeps the ETag under If-Match's 100 characters


@dataclass
class IdentityResolutionRec:
    identifier_configs: list[dict[str, Any]]
    matching_rules: list[str]
    version: int = 1


@dataclass
class DocumentRec:
    """A resource kept as its wire body (``data``) plus id, timestamps and version."""

    id: str
    data: dict[str, Any]
    created_at: float
    updated_at: float
    version: int = 1


DataMappingRec = DocumentRec  # a Memory data mapping
ConfigurationRec = DocumentRec  # a Conversations v2 configuration


@dataclass
class ObservationRec:
    """A memory of a profile (data plane). ``revisions`` are its earlier wire views, oldest first."""

    id: str
    content: str
    source: str
    occurred_at: float
    conversation_ids: list[str]
    created_at: float
    updated_at: float
    revisions: list[dict[str, Any]] = field(default_factory=list)
    indexed_at: float = 0.0  # from when Recall finds it (``--index-delay`` after each write)


@dataclass
class SummaryRec:
    """A conversation summary of a profile (data plane)."""

    id: str
    content: str
    source: str | None
    occurred_at: float
    conversation_id: str
    created_at: float
    updated_at: float
    indexed_at: float = 0.0  # from when Recall finds it (``--index-delay`` after each write)


@dataclass
class ProfileRec:
    """A profile (data plane): traits by group as ``{name: {"value": v, "at": t}}``, identifier
    values per idType as ``[value, added_at]`` in the order added, and its memories.
    ``memory_version`` counts changes to its observations and summaries (Recall's index key)."""

    id: str
    created_at: float
    traits: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    identifiers: dict[str, list[list[Any]]] = field(default_factory=dict)
    observations: dict[str, ObservationRec] = field(default_factory=dict)
    summaries: dict[str, SummaryRec] = field(default_factory=dict)
    memory_version: int = 0


@dataclass
class StoreRec:
    id: str
    display_name: str
    description: str | None
    created_at: float
    provisioning_delay: float
    outcome: str  # ACTIVE, FAILED or HANG (stays PROVISIONING)
    intelligence_service_id: str
    identity_resolution: IdentityResolutionRec
    version: int = 1
    trait_groups: dict[str, TraitGroupRec] = field(default_factory=dict)
    data_mappings: dict[str, DataMappingRec] = field(default_factory=dict)
    profiles: dict[str, ProfileRec] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)  # merged profile id -> canonical id


@dataclass
class OperationRec:
    id: str
    product: str  # "memory" or "conversations"
    kind: str  # an OpKind value ("store.create"): the applier registered for it applies the change
    change: dict[str, Any]
    created_at: float
    due_at: float
    fail: bool = False
    status: str = "PENDING"  # PENDING until applied, then COMPLETED or FAILED
    completed_at: float | None = None
    result_id: str | None = None
    result_path: str | None = None
    error: str | None = None


@dataclass
class IdempotencyRec:
    fingerprint: str
    accepted: dict[str, Any]
    created_at: float


@dataclass
class AccountState:
    stores: dict[str, StoreRec] = field(default_factory=dict)
    configurations: dict[str, ConfigurationRec] = field(default_factory=dict)
    operations: dict[str, OperationRec] = field(default_factory=dict)
    pending: dict[str, None] = field(default_factory=dict)  # ordered set of pending operation ids
    idempotency: dict[str, IdempotencyRec] = field(default_factory=dict)


def account_from_dict(raw: Mapping[str, Any]) -> AccountState:
    stores = {}
    for sid, s in raw["stores"].items():
        groups = {name: TraitGroupRec(**g) for name, g in s["trait_groups"].items()}
        mappings = {mid: DataMappingRec(**m) for mid, m in s["data_mappings"].items()}
        irs = IdentityResolutionRec(**s["identity_resolution"])
        profiles = {pid: _profile_from_dict(p) for pid, p in s.get("profiles", {}).items()}
        stores[sid] = StoreRec(
            **{
                **s,
                "trait_groups": groups,
                "data_mappings": mappings,
                "identity_resolution": irs,
                "profiles": profiles,
            }
        )
    return AccountState(
        stores=stores,
        configurations={cid: ConfigurationRec(**c) for cid, c in raw["configurations"].items()},
        operations={oid: OperationRec(**o) for oid, o in raw["operations"].items()},
        pending=dict.fromkeys(raw["pending"]),
        idempotency={k: IdempotencyRec(**r) for k, r in raw["idempotency"].items()},
    )


def _profile_from_dict(raw: Mapping[str, Any]) -> ProfileRec:
    return ProfileRec(
        **{
            **raw,
            "observations": {oid: ObservationRec(**o) for oid, o in raw["observations"].items()},
            "summaries": {sid: SummaryRec(**m) for sid, m in raw["summaries"].items()},
        }
    )

"""The Memory control plane's service: stores, trait groups, identity resolution settings, data
mappings and Memory operations, over the engine (:mod:`twilio_memory_emulator.engine`).

* **Store lifecycle.** A store's status is a function of its age (:func:`store_status`): QUEUED,
  then PROVISIONING after half the provisioning delay, then ACTIVE (or FAILED/stuck when a fault
  rule said so).
* **Seeding.** Every new store gets what :mod:`.seeds` says.
* **Concurrency control.** Memory resources carry a ``version`` and an ETag; ``If-Match`` is
  compared on arrival, and an update still being applied makes every held ETag stale.
* **Listeners.** The data plane keeps indexes beside a store's records; it registers on
  :attr:`MemoryControl.store_deleted` to drop them when a deletion is applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from twilio_memory_api.models import (
    CHECKED_TARGET_TYPES,
    DATA_MAPPING_TYPES,
    MAX_STORES_PER_ACCOUNT,
    MAX_TRAIT_GROUPS_PER_STORE,
    MAX_TRAITS_PER_GROUP,
    STORE_ID_PATTERN,
    DataMappingCreate,
    DataMappingPatch,
    IdentityResolutionSettingsPut,
    StoreCreate,
    StoreUpdate,
    TraitGroupCreate,
    TraitGroupUpdate,
    to_wire,
)

from twilio_memory_emulator.engine import paths
from twilio_memory_emulator.engine.engine import Engine
from twilio_memory_emulator.engine.operations import OpKind
from twilio_memory_emulator.engine.writes import Accepted, WriteRequest
from twilio_memory_emulator.errors import BadRequest, Conflict, NameTaken, resource_not_found
from twilio_memory_emulator.memory_control.seeds import (
    CONTACT_TRAIT_GROUP,
    CONTACT_TRAITS,
    default_identity_resolution,
    fill_identifier_defaults,
)
from twilio_memory_emulator.protocol import Page, PageRequest, iso, make_etag, new_typeid, page_of
from twilio_memory_emulator.state_schema import (
    AccountState,
    DataMappingRec,
    OperationRec,
    StoreRec,
    TraitGroupRec,
)

__all__ = ["MemoryControl", "store_status"]

_STORE_RE = re.compile(STORE_ID_PATTERN)


def store_status(store: StoreRec, now: float) -> str:
    """QUEUED, then PROVISIONING at half the delay, then the outcome at the full delay."""
    elapsed = now - store.created_at
    if elapsed >= store.provisioning_delay:
        return "PROVISIONING" if store.outcome == "HANG" else store.outcome
    if elapsed >= store.provisioning_delay / 2:
        return "PROVISIONING"
    return "QUEUED"


class MemoryControl:
    """Stores, trait groups, identity resolution settings, data mappings, Memory operations."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: Called with a store's id when its deletion is applied (under the engine's lock).
        self.store_deleted: list[Callable[[str], None]] = []
        engine.operations.register(
            {
                OpKind.STORE_CREATE: self._apply_store_create,
                OpKind.STORE_UPDATE: self._apply_store_update,
                OpKind.STORE_DELETE: self._apply_store_delete,
                OpKind.TRAITGROUP_CREATE: self._apply_group_create,
                OpKind.TRAITGROUP_UPDATE: self._apply_group_update,
                OpKind.TRAITGROUP_DELETE: self._apply_group_delete,
                OpKind.IDENTITYRESOLUTION_PUT: self._apply_irs_put,
                OpKind.DATAMAPPING_CREATE: self._apply_mapping_create,
                OpKind.DATAMAPPING_UPDATE: self._apply_mapping_update,
                OpKind.DATAMAPPING_DELETE: self._apply_mapping_delete,
            }
        )

    # -------------------------------------------------------------------------------------------
    # Memory stores
    # -------------------------------------------------------------------------------------------

    @staticmethod
    def find_store(state: AccountState, store_id: str) -> StoreRec:
        """The store ``store_id`` names (404 if none); other products look stores up here too."""
        # mem_service_ is a legacy alias of mem_store_ with the same suffix.
        key = (
            "mem_store_" + store_id.removeprefix("mem_service_")
            if store_id.startswith("mem_service_")
            else store_id
        )
        store = state.stores.get(key) if _STORE_RE.match(store_id) else None
        if store is None:
            raise resource_not_found(paths.fill(paths.STORE, storeId=store_id))
        return store

    def _check_store_name(self, state: AccountState, name: str, exclude: str | None) -> None:
        for store in state.stores.values():
            if store.display_name == name and store.id != exclude:
                raise NameTaken(
                    f"displayName: a store named {name!r} already exists ({store.id})",
                    conflicting_id=store.id,
                )
        for op in self.engine.operations.pending(state, OpKind.STORE_CREATE, OpKind.STORE_UPDATE):
            if op.change.get("displayName") == name and op.change["id"] != exclude:
                raise NameTaken(
                    f"displayName: a store named {name!r} is being created or renamed by operation {op.id}",
                    conflicting_id=op.change["id"],
                )

    def create_store(self, req: WriteRequest, body: StoreCreate) -> Accepted:
        with self.engine.transaction() as now:
            state = self.engine.account(req.account)
            self._check_store_name(state, body.display_name, None)
            pending = sum(1 for _ in self.engine.operations.pending(state, OpKind.STORE_CREATE))
            if len(state.stores) + pending >= MAX_STORES_PER_ACCOUNT:
                raise BadRequest(
                    f"Store limit reached: an account can have at most {MAX_STORES_PER_ACCOUNT} "
                    "memory stores (delete one first)"
                )
            outcome = (
                self.engine.faults.take_provisioning_outcome() if self.engine.faults else None
            ) or "ACTIVE"
            store_id = new_typeid("mem_store", now)
            change = {
                "id": store_id,
                "displayName": body.display_name,
                "description": body.description,
                "outcome": outcome,
                "provisioningDelay": self.engine.jittered(self.engine.settings.provisioning_delay),
            }
            path = paths.fill(paths.STORE, storeId=store_id)
            return self.engine.submit(req, OpKind.STORE_CREATE, change, result_id=store_id, result_path=path)

    def list_stores(self, account: str, page: PageRequest) -> dict[str, Any]:
        with self.engine.transaction():
            state = self.engine.view(account)
            result = page_of(list(state.stores), page, "stores")
            return {"stores": result.items, "meta": result.meta}

    def get_store(self, account: str, store_id: str) -> tuple[dict[str, Any], str]:
        with self.engine.transaction() as now:
            store = self.find_store(self.engine.view(account), store_id)
            return self._store_view(store, now), make_etag(store.id, store.version)

    @staticmethod
    def _store_view(store: StoreRec, now: float) -> dict[str, Any]:
        status = store_status(store, now)
        view: dict[str, Any] = {"id": store.id, "displayName": store.display_name}
        if store.description is not None:
            view["description"] = store.description
        view.update(
            status=status,
            intelligenceServiceId=store.intelligence_service_id if status == "ACTIVE" else None,
            version=store.version,
            dataAsOf=iso(store.created_at),
        )
        return view

    def update_store(self, req: WriteRequest, store_id: str, body: StoreUpdate) -> Accepted:
        with self.engine.transaction():
            state = self.engine.account(req.account)
            store = self.find_store(state, store_id)
            etag = (store.id, store.version)
            self.engine.operations.check_if_match(
                req.if_match, state, etag, f"Store {store.id}", OpKind.STORE_UPDATE, id=store.id
            )
            if body.display_name is not None:
                self._check_store_name(state, body.display_name, store.id)
            change = {"id": store.id, **to_wire(body)}
            path = paths.fill(paths.STORE, storeId=store.id)
            return self.engine.submit(req, OpKind.STORE_UPDATE, change, result_id=store.id, result_path=path)

    def delete_store(self, req: WriteRequest, store_id: str) -> Accepted:
        with self.engine.transaction():
            store = self.find_store(self.engine.account(req.account), store_id)
            change = {"id": store.id}
            return self.engine.submit(req, OpKind.STORE_DELETE, change, result_id=store.id)

    def _apply_store_create(self, state: AccountState, op: OperationRec) -> None:
        change = op.change
        store = StoreRec(
            id=change["id"],
            display_name=change["displayName"],
            description=change.get("description"),
            created_at=op.due_at,
            provisioning_delay=change["provisioningDelay"],
            outcome=change["outcome"],
            intelligence_service_id=new_typeid("intelligence_service", op.due_at),
            identity_resolution=default_identity_resolution(),
        )
        store.trait_groups[CONTACT_TRAIT_GROUP] = TraitGroupRec(
            name=CONTACT_TRAIT_GROUP,
            description="Default contact traits; promoted to profile identifiers",
            traits={name: dict(defn) for name, defn in CONTACT_TRAITS.items()},
            created_at=op.due_at,
            uid=new_typeid("tg", op.due_at),
        )
        state.stores[store.id] = store

    def _apply_store_update(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["id"])
        if "displayName" in op.change:
            store.display_name = op.change["displayName"]
        if "description" in op.change:
            store.description = op.change["description"]
        store.version += 1

    def _apply_store_delete(self, state: AccountState, op: OperationRec) -> None:
        # Trait groups, identity resolution, data mappings and profiles live inside the store record.
        state.stores.pop(op.change["id"], None)
        for listener in self.store_deleted:
            listener(op.change["id"])

    # -------------------------------------------------------------------------------------------
    # Trait groups
    # -------------------------------------------------------------------------------------------

    @staticmethod
    def _require_active(store: StoreRec, now: float) -> None:
        status = store_status(store, now)
        if status != "ACTIVE":  # 400: the status every one of these operations documents
            raise BadRequest(
                f"Store {store.id} is {status}, not ACTIVE: wait until its status is ACTIVE before changing "
                "its trait groups, identity resolution settings or data mappings"
            )

    @staticmethod
    def _find_group(store: StoreRec, name: str) -> TraitGroupRec:
        group = store.trait_groups.get(name)
        if group is None:
            raise resource_not_found(paths.fill(paths.TRAIT_GROUP, storeId=store.id, traitGroupName=name))
        return group

    def create_trait_group(self, req: WriteRequest, store_id: str, body: TraitGroupCreate) -> Accepted:
        with self.engine.transaction() as now:
            state = self.engine.account(req.account)
            store = self.find_store(state, store_id)
            self._require_active(store, now)
            name = body.display_name
            pending = [
                op
                for op in self.engine.operations.pending(state, OpKind.TRAITGROUP_CREATE)
                if op.change["storeId"] == store.id
            ]
            if name in store.trait_groups or any(op.change["displayName"] == name for op in pending):
                raise NameTaken(f"displayName: trait group {name!r} already exists in store {store.id}")
            if len(store.trait_groups) + len(pending) >= MAX_TRAIT_GROUPS_PER_STORE:
                raise BadRequest(
                    "Trait group limit reached: a store can have at most "
                    f"{MAX_TRAIT_GROUPS_PER_STORE} trait groups"
                )
            change = {"storeId": store.id, **to_wire(body)}
            path = paths.fill(paths.TRAIT_GROUP, storeId=store.id, traitGroupName=name)
            return self.engine.submit(req, OpKind.TRAITGROUP_CREATE, change, result_id=name, result_path=path)

    @staticmethod
    def _group_view(group: TraitGroupRec, include_traits: bool) -> dict[str, Any]:
        view: dict[str, Any] = {"displayName": group.name}
        if group.description is not None:
            view["description"] = group.description
        if include_traits:
            view["traits"] = {name: dict(defn) for name, defn in group.traits.items()}
        view["version"] = group.version
        return view

    def list_trait_groups(
        self, account: str, store_id: str, page: PageRequest, *, include_traits: bool
    ) -> dict[str, Any]:
        with self.engine.transaction():
            store = self.find_store(self.engine.view(account), store_id)
            result: Page = page_of(list(store.trait_groups.values()), page, "traitGroups")
            return {
                "traitGroups": [self._group_view(g, include_traits) for g in result.items],
                "meta": result.meta,
            }

    def get_trait_group(
        self, account: str, store_id: str, name: str, page: PageRequest, *, include_traits: bool
    ) -> tuple[dict[str, Any], str]:
        with self.engine.transaction():
            store = self.find_store(self.engine.view(account), store_id)
            group = self._find_group(store, name)
            body = {
                "traitGroup": self._group_view(group, include_traits),
                "meta": {"key": "traitGroup", "pageSize": page.page_size},
            }
            return body, make_etag(group.uid, group.version)

    def update_trait_group(
        self, req: WriteRequest, store_id: str, name: str, body: TraitGroupUpdate
    ) -> Accepted:
        with self.engine.transaction() as now:
            state = self.engine.account(req.account)
            store = self.find_store(state, store_id)
            group = self._find_group(store, name)
            target = {"storeId": store.id, "displayName": name}
            etag = (group.uid, group.version)
            self.engine.operations.check_if_match(
                req.if_match, state, etag, f"Trait group {name!r}", OpKind.TRAITGROUP_UPDATE, **target
            )
            self._require_active(store, now)
            change = {"storeId": store.id, "displayName": name, **to_wire(body)}
            merged = _merge_traits(group.traits, change.get("traits", {}))
            if len(merged) > MAX_TRAITS_PER_GROUP:
                raise BadRequest(
                    f"traits: a trait group holds at most {MAX_TRAITS_PER_GROUP} traits; "
                    f"this change would leave {len(merged)}"
                )
            path = paths.fill(paths.TRAIT_GROUP, storeId=store.id, traitGroupName=name)
            return self.engine.submit(req, OpKind.TRAITGROUP_UPDATE, change, result_id=name, result_path=path)

    def delete_trait_group(self, req: WriteRequest, store_id: str, name: str) -> Accepted:
        with self.engine.transaction():
            state = self.engine.account(req.account)
            store = self.find_store(state, store_id)
            self._find_group(store, name)
            if name == CONTACT_TRAIT_GROUP:
                raise Conflict(f"The default {CONTACT_TRAIT_GROUP} trait group cannot be deleted")
            for mapping in store.data_mappings.values():
                if any(m["traitGroup"] == name for m in mapping.data["mappingTo"]["mappings"]):
                    raise Conflict(
                        f"Trait group {name!r} is used by data mapping {mapping.id}; "
                        "delete or change the mapping first",
                        conflicting_id=mapping.id,
                    )
            change = {"storeId": store.id, "displayName": name}
            return self.engine.submit(req, OpKind.TRAITGROUP_DELETE, change, result_id=name)

    def _apply_group_create(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["storeId"])
        name = op.change["displayName"]
        if name in store.trait_groups:
            raise Conflict(f"Trait group {name!r} already exists in store {store.id}")
        store.trait_groups[name] = TraitGroupRec(
            name=name,
            description=op.change.get("description"),
            traits=dict(op.change.get("traits", {})),
            created_at=op.due_at,
            uid=new_typeid("tg", op.due_at),
        )

    def _apply_group_update(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["storeId"])
        group = self._find_group(store, op.change["displayName"])
        merged = _merge_traits(group.traits, op.change.get("traits", {}))
        if len(merged) > MAX_TRAITS_PER_GROUP:
            raise BadRequest(f"traits: a trait group holds at most {MAX_TRAITS_PER_GROUP} traits")
        group.traits = merged
        if "description" in op.change:
            group.description = op.change["description"]
        group.version += 1

    def _apply_group_delete(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["storeId"])
        store.trait_groups.pop(op.change["displayName"], None)

    # -------------------------------------------------------------------------------------------
    # Identity resolution settings
    # -------------------------------------------------------------------------------------------

    def get_identity_resolution(self, account: str, store_id: str) -> tuple[dict[str, Any], str]:
        with self.engine.transaction():
            store = self.find_store(self.engine.view(account), store_id)
            irs = store.identity_resolution
            body = {
                "identifierConfigs": [dict(c) for c in irs.identifier_configs],
                "matchingRules": list(irs.matching_rules),
                "version": irs.version,
            }
            return body, make_etag(_irs_tag(store), irs.version)

    def put_identity_resolution(
        self, req: WriteRequest, store_id: str, body: IdentityResolutionSettingsPut
    ) -> Accepted:
        with self.engine.transaction() as now:
            state = self.engine.account(req.account)
            store = self.find_store(state, store_id)
            etag = (_irs_tag(store), store.identity_resolution.version)
            what = f"Identity resolution settings of {store.id}"
            self.engine.operations.check_if_match(
                req.if_match, state, etag, what, OpKind.IDENTITYRESOLUTION_PUT, storeId=store.id
            )
            self._require_active(store, now)
            wire = to_wire(body)
            change = {
                "storeId": store.id,
                "identifierConfigs": [fill_identifier_defaults(c) for c in wire["identifierConfigs"]],
                "matchingRules": wire["matchingRules"],
            }
            path = paths.fill(paths.IDENTITY_RESOLUTION, storeId=store.id)
            return self.engine.submit(
                req, OpKind.IDENTITYRESOLUTION_PUT, change, result_id=store.id, result_path=path
            )

    def _apply_irs_put(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["storeId"])
        irs = store.identity_resolution
        irs.identifier_configs = op.change["identifierConfigs"]
        irs.matching_rules = op.change["matchingRules"]
        irs.version += 1

    # -------------------------------------------------------------------------------------------
    # Data mappings
    # -------------------------------------------------------------------------------------------

    @staticmethod
    def _find_mapping(store: StoreRec, mapping_id: str) -> DataMappingRec:
        mapping = store.data_mappings.get(mapping_id)
        if mapping is None:
            raise resource_not_found(
                paths.fill(paths.DATA_MAPPING, storeId=store.id, dataMappingId=mapping_id)
            )
        return mapping

    @staticmethod
    def _check_mapping_targets(store: StoreRec, mapping_to: dict[str, Any]) -> None:
        """Referenced trait groups and traits must exist (the spec)."""
        for index, item in enumerate(mapping_to["mappings"]):
            group = store.trait_groups.get(item["traitGroup"])
            if group is None:
                raise BadRequest(
                    f"mappingTo.mappings[{index}].traitGroup: no trait group {item['traitGroup']!r}"
                )
            if item["traitName"] not in group.traits:
                raise BadRequest(
                    f"mappingTo.mappings[{index}].traitName: trait group {group.name!r} "
                    f"has no trait {item['traitName']!r}"
                )

    def _check_mapping_name(
        self, state: AccountState, store: StoreRec, name: str, exclude: str | None
    ) -> None:
        for mapping in store.data_mappings.values():
            if mapping.data["displayName"] == name and mapping.id != exclude:
                raise Conflict(
                    f"A data mapping named {name!r} already exists ({mapping.id})", conflicting_id=mapping.id
                )
        for op in self.engine.operations.pending(state, OpKind.DATAMAPPING_CREATE, OpKind.DATAMAPPING_UPDATE):
            if (
                op.change["storeId"] == store.id
                and op.change.get("displayName") == name
                and op.change["id"] != exclude
            ):
                raise Conflict(
                    f"A data mapping named {name!r} is being created or renamed",
                    conflicting_id=op.change["id"],
                )

    def create_data_mapping(self, req: WriteRequest, store_id: str, body: DataMappingCreate) -> Accepted:
        with self.engine.transaction() as now:
            state = self.engine.account(req.account)
            store = self.find_store(state, store_id)
            self._require_active(store, now)
            wire = to_wire(body)
            if wire["mappingFrom"]["type"] in CHECKED_TARGET_TYPES:  # INGRESS: checked at ingestion
                self._check_mapping_targets(store, wire["mappingTo"])
            self._check_mapping_name(state, store, body.display_name, None)
            mapping_id = new_typeid("mem_datamapping", now)
            change = {"storeId": store.id, "id": mapping_id, "isEnabled": True, **wire}
            path = paths.fill(paths.DATA_MAPPING, storeId=store.id, dataMappingId=mapping_id)
            return self.engine.submit(
                req, OpKind.DATAMAPPING_CREATE, change, result_id=mapping_id, result_path=path
            )

    def list_data_mappings(
        self, account: str, store_id: str, page: PageRequest, *, type_: str | None
    ) -> dict[str, Any]:
        if type_ is not None and type_ not in DATA_MAPPING_TYPES:
            raise BadRequest(f"type must be one of {', '.join(DATA_MAPPING_TYPES)}")
        with self.engine.transaction():
            store = self.find_store(self.engine.view(account), store_id)
            items = [
                m
                for m in store.data_mappings.values()
                if type_ is None or m.data["mappingFrom"]["type"] == type_
            ]
            result = page_of(items, page, "dataMappings")
            return {"dataMappings": [self._mapping_view(m) for m in result.items], "meta": result.meta}

    @staticmethod
    def _mapping_view(mapping: DataMappingRec) -> dict[str, Any]:
        return {
            "id": mapping.id,
            **mapping.data,
            "createdAt": iso(mapping.created_at),
            "updatedAt": iso(mapping.updated_at),
            "version": mapping.version,
        }

    def get_data_mapping(self, account: str, store_id: str, mapping_id: str) -> tuple[dict[str, Any], str]:
        with self.engine.transaction():
            store = self.find_store(self.engine.view(account), store_id)
            mapping = self._find_mapping(store, mapping_id)
            return self._mapping_view(mapping), make_etag(mapping.id, mapping.version)

    def update_data_mapping(
        self, req: WriteRequest, store_id: str, mapping_id: str, body: DataMappingPatch
    ) -> Accepted:
        with self.engine.transaction() as now:
            state = self.engine.account(req.account)
            store = self.find_store(state, store_id)
            mapping = self._find_mapping(store, mapping_id)
            etag = (mapping.id, mapping.version)
            what = f"Data mapping {mapping.id}"
            self.engine.operations.check_if_match(
                req.if_match, state, etag, what, OpKind.DATAMAPPING_UPDATE, id=mapping.id
            )
            self._require_active(store, now)
            wire = to_wire(body)
            if "mappingTo" in wire and mapping.data["mappingFrom"]["type"] in CHECKED_TARGET_TYPES:
                self._check_mapping_targets(store, wire["mappingTo"])
            if body.display_name is not None:
                self._check_mapping_name(state, store, body.display_name, mapping.id)
            change = {"storeId": store.id, "id": mapping.id, **wire}
            path = paths.fill(paths.DATA_MAPPING, storeId=store.id, dataMappingId=mapping.id)
            return self.engine.submit(
                req, OpKind.DATAMAPPING_UPDATE, change, result_id=mapping.id, result_path=path
            )

    def delete_data_mapping(self, req: WriteRequest, store_id: str, mapping_id: str) -> Accepted:
        with self.engine.transaction():
            store = self.find_store(self.engine.account(req.account), store_id)
            mapping = self._find_mapping(store, mapping_id)
            change = {"storeId": store.id, "id": mapping.id}
            return self.engine.submit(req, OpKind.DATAMAPPING_DELETE, change, result_id=mapping.id)

    def _apply_mapping_create(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["storeId"])
        data = {k: v for k, v in op.change.items() if k not in {"storeId", "id"}}
        store.data_mappings[op.change["id"]] = DataMappingRec(op.change["id"], data, op.due_at, op.due_at)

    def _apply_mapping_update(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["storeId"])
        mapping = self._find_mapping(store, op.change["id"])
        mapping.data.update({k: v for k, v in op.change.items() if k not in {"storeId", "id"}})
        mapping.updated_at = op.due_at
        mapping.version += 1

    def _apply_mapping_delete(self, state: AccountState, op: OperationRec) -> None:
        store = self.find_store(state, op.change["storeId"])
        store.data_mappings.pop(op.change["id"], None)

    # -------------------------------------------------------------------------------------------
    # Memory operations
    # -------------------------------------------------------------------------------------------

    def get_memory_operation(self, account: str, op_id: str) -> tuple[OperationRec, float]:
        """A copy of the operation and the time it was read at (the view is the routes' job)."""
        with self.engine.transaction() as now:
            return replace(self.engine.operations.find(self.engine.view(account), op_id, "memory")), now


def _irs_tag(store: StoreRec) -> str:
    """The identity in the settings' ETag: the store's, marked so the two ETags never coincide."""
    return f"{store.id}:irs"


def _merge_traits(
    current: Mapping[str, dict[str, Any]], patch: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Merge-patch: a full definition adds or replaces a trait, ``dataType: ""`` deletes it."""
    merged = dict(current)
    for name, definition in patch.items():
        if definition.get("dataType") == "":
            merged.pop(name, None)
        else:
            merged[name] = dict(definition)
    return merged

"""State and every business rule of the emulated control plane (moto-style backend).

The HTTP layer (:mod:`twilio_memory_emulator.app`) parses a request with the shared wire models,
calls one method here and renders what it returns; it holds no rules. This module decides
everything a user can observe:

* **Accounts.** State is partitioned by Account SID; another account's resource is a 404.
* **Asynchronous writes.** A write is validated synchronously (400/404/409/412 come back at once),
  then recorded as an *operation* that applies the change atomically when it completes, after the
  operation delay. Names a pending create or rename will take are already reserved, so uniqueness
  and the 15-store limit hold under concurrency.
* **Lazy lifecycles.** Nothing runs in the background: every call first applies the operations
  that are due on the (virtual) clock, and a store's status is a function of its age:
  QUEUED, then PROVISIONING after half the provisioning delay, then ACTIVE (or FAILED/stuck when a
  fault rule said so) after the whole delay.
* **Concurrency control.** Memory resources carry a ``version`` and an ETag; ``If-Match`` is
  compared on arrival. Conversations writes honour ``Idempotency-Key`` (24 h, per account).
* **One lock.** Every public method runs under one re-entrant lock, so the server is safe under
  concurrent requests and a snapshot for ``--state-file`` is always consistent.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from pydantic.alias_generators import to_camel
from twilio_memory_api.models import (
    DEFAULT_IDENTITY_RESOLUTION,
    FUZZY_THRESHOLD_DEFAULT,
    IDENTIFIER_CONFIG_DEFAULTS,
    MAX_STORES_PER_ACCOUNT,
    MAX_TRAIT_GROUPS_PER_STORE,
    MAX_TRAITS_PER_GROUP,
    SEEDED_TRAIT_GROUP,
    STORE_ID_PATTERN,
    ConfigurationCreate,
    ConfigurationPatch,
    ConfigurationPut,
    IdentityResolutionSettingsPut,
    StoreCreate,
    StoreUpdate,
    TraitGroupCreate,
    TraitGroupUpdate,
    to_wire,
)

from twilio_memory_emulator.datamapping import (
    CHECKED_TARGET_TYPES,
    DATA_MAPPING_TYPES,
    DataMappingCreate,
    DataMappingPatch,
)
from twilio_memory_emulator.errors import BadRequest, Conflict, NameTaken, NotFound
from twilio_memory_emulator.faults import FaultRegistry
from twilio_memory_emulator.protocol import (
    Page,
    PageRequest,
    check_if_match,
    iso,
    make_etag,
    new_typeid,
    page_of,
    validate_idempotency_key,
)
from twilio_memory_emulator.records import (
    Accepted,
    AccountState,
    ConfigurationRec,
    DataMappingRec,
    IdempotencyRec,
    IdentityResolutionRec,
    OperationRec,
    Settings,
    StoreRec,
    TraitGroupRec,
    WriteRequest,
    account_from_dict,
    store_status,
)

__all__ = [
    "CONTACT_TRAIT_GROUP",
    "STATE_FORMAT",
    "Accepted",
    "Backend",
    "DataMappingCreate",
    "DataMappingPatch",
    "Settings",
    "WriteRequest",
    "store_status",
]

log = logging.getLogger("twilio_memory_emulator")

STATE_FORMAT = 1  # bump when the snapshot layout changes incompatibly
IDEMPOTENCY_TTL = 24 * 3600.0  # [O] keys live 24 hours
CONTACT_TRAIT_GROUP = SEEDED_TRAIT_GROUP  # every store starts with it
MAX_DATA_MAPPINGS_PAGE = 100

_V1 = "/v1/ControlPlane"
#: Where Conversations lives: a FAILED operation's ``error.instance`` is an absolute URI under it.
CONVERSATIONS_ORIGIN = "https://conversations.twilio.com"
_V2 = "/v2/ControlPlane"

#: What each kind of write's 202 says (Memory shows it; Conversations keeps it for replays).
_ACCEPTED_MESSAGES = {
    "store.create": "Store creation accepted",
    "store.update": "Store update accepted",
    "store.delete": "Store deletion accepted",
    "traitgroup.create": "Trait group creation accepted",
    "traitgroup.update": "Trait group update accepted",
    "traitgroup.delete": "Trait group deletion accepted",
    "identityresolution.put": "Identity resolution settings update accepted",
    "datamapping.create": "Data mapping creation accepted",
    "datamapping.update": "Data mapping update accepted",
    "datamapping.delete": "Data mapping deletion accepted",
    "configuration.create": "Configuration create accepted",
    "configuration.put": "Configuration put accepted",
    "configuration.patch": "Configuration patch accepted",
    "configuration.delete": "Configuration delete accepted",
}
_STORE_RE = re.compile(STORE_ID_PATTERN)

#: [D0/D3] The default Contact group: its identifiers are promoted to profile identifiers.
_CONTACT_TRAITS: dict[str, dict[str, Any]] = {
    "firstName": {"dataType": "STRING", "description": "First name"},
    "lastName": {"dataType": "STRING", "description": "Last name"},
    "email": {"dataType": "STRING", "description": "Email address", "idTypePromotion": "email"},
    "phone": {"dataType": "STRING", "description": "Phone number (E.164)", "idTypePromotion": "phone"},
    "address": {"dataType": "STRING", "description": "Postal address"},
}


def _fill_identifier_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """[O, S] defaults the API applies to an identifier config field that is not sent."""
    out = dict(config)
    for name, default in IDENTIFIER_CONFIG_DEFAULTS.items():
        key = to_camel(name)
        if default is not None and key not in out:
            out[key] = default
    if out.get("matchingAlgo") == "fuzzy" and "matchingThreshold" not in out:
        out["matchingThreshold"] = FUZZY_THRESHOLD_DEFAULT
    return out


def _default_identity_resolution() -> IdentityResolutionRec:
    body = to_wire(DEFAULT_IDENTITY_RESOLUTION)
    return IdentityResolutionRec(
        identifier_configs=[_fill_identifier_defaults(c) for c in body["identifierConfigs"]],
        matching_rules=list(body["matchingRules"]),
    )


def _normalize_configuration(data: dict[str, Any]) -> dict[str, Any]:
    """[P] What GET shows for fields that were not sent: the API's defaults, not absence."""
    out = dict(data)
    out.setdefault("channelSettings", {})
    out["statusCallbacks"] = [{"method": "POST", **cb} for cb in out.get("statusCallbacks", [])]
    out.setdefault("intelligenceConfigurationIds", [])
    out.setdefault("memoryExtractionEnabled", False)
    return out


#: Checks a Conversations write and returns the configuration's id and new data (None: delete).
_Build = Callable[[AccountState, float], tuple[str, dict[str, Any] | None]]


def _fingerprint(method: str, path: str, body: bytes) -> str:
    return f"{method} {path} {hashlib.sha256(body).hexdigest()}"


class Backend:
    """The whole emulated control plane; thread-safe, persistence-agnostic."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        faults: FaultRegistry | None = None,
        persist: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.RLock()
        self._initial_settings = Settings(**asdict(settings or Settings()))
        self.settings = Settings(**asdict(self._initial_settings))
        self.faults = faults
        self._persist = persist
        self._clock = clock
        self._offset = 0.0
        self._accounts: dict[str, AccountState] = {}
        self._heap: list[tuple[float, int, str, str]] = []  # (due, seq, account, operation id)
        self._seq = 0
        self._dirty = False
        self._rng = random.Random()

    # -------------------------------------------------------------------------------------------
    # Clock, transactions, operations
    # -------------------------------------------------------------------------------------------

    def _jittered(self, delay: float) -> float:
        """``delay`` spread by ``settings.delay_jitter`` (never negative)."""
        jitter = self.settings.delay_jitter
        spread = self._rng.uniform(1 - jitter, 1 + jitter) if jitter else 1.0
        return max(0.0, delay * spread)

    def now(self) -> float:
        """Wall clock plus the virtual offset added by ``POST /_emulator/clock``."""
        return self._clock() + self._offset

    @contextmanager
    def _tx(self) -> Iterator[float]:
        """Lock, apply whatever is due, run the body, persist if anything changed."""
        with self._lock:
            now = self.now()
            self._advance(now)
            try:
                yield now
            finally:
                if self._dirty and self._persist is not None:
                    self._persist(self._snapshot())
                self._dirty = False

    def _account(self, account: str) -> AccountState:
        state = self._accounts.get(account)
        if state is None:
            state = self._accounts[account] = AccountState()
        return state

    def _view(self, account: str) -> AccountState:
        """An account's state for reading: never creates one (a read changes nothing)."""
        return self._accounts.get(account) or AccountState()

    def _advance(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            _, _, account, op_id = heapq.heappop(self._heap)
            state = self._accounts.get(account)
            op = state.operations.get(op_id) if state else None
            if state is None or op is None or op.status != "PENDING":
                continue
            state.pending.pop(op_id, None)
            op.completed_at = op.due_at
            if op.fail:
                op.status = "FAILED"
                op.error = "The operation failed (injected by an emulator fault rule); nothing was changed."
            else:
                try:
                    _APPLY[op.kind](self, state, op)
                    op.status = "COMPLETED"
                except (NotFound, Conflict, BadRequest) as exc:
                    op.status = "FAILED"
                    op.error = exc.message
                except Exception:  # a bug must fail one operation, not every later request
                    log.exception("applying operation %s (%s) failed", op.id, op.kind)
                    op.status = "FAILED"
                    op.error = "Internal error while applying the change (emulator bug: see its log)"
            self._dirty = True

    def _submit(
        self,
        req: WriteRequest,
        kind: str,
        change: dict[str, Any],
        *,
        result_id: str,
        result_path: str | None = None,
        product: str = "memory",
        related: dict[str, str] | None = None,
    ) -> Accepted:
        """Record an accepted write as an operation that applies ``change`` when it is due."""
        state = self._account(req.account)
        now = self.now()
        prefix = "mem_operation" if product == "memory" else "proc_job"
        op = OperationRec(
            id=new_typeid(prefix, now),
            product=product,
            kind=kind,
            change=change,
            created_at=now,
            due_at=now + self._jittered(self.settings.operation_delay),
            fail=req.fail,
            result_id=result_id,
            result_path=result_path,
        )
        state.operations[op.id] = op
        state.pending[op.id] = None
        self._seq += 1
        heapq.heappush(self._heap, (op.due_at, self._seq, req.account, op.id))
        self._dirty = True
        self._advance(now)
        return Accepted(op.id, product, _ACCEPTED_MESSAGES[kind], related, self._retry_after(op, now))

    @staticmethod
    def _retry_after(op: OperationRec, now: float) -> int:
        """Seconds until the operation is due (0 once it is terminal, at least 1 before)."""
        if op.status != "PENDING":
            return 0
        return max(1, int(-(-(op.due_at - now) // 1)))

    def _check_if_match(
        self,
        req: WriteRequest,
        state: AccountState,
        etag: tuple[str, int],
        what: str,
        kind: str,
        **target: str,
    ) -> None:
        """412 unless If-Match names the current ETag and no accepted ``kind`` change to the
        target (the ``change`` fields given as ``target``) is still waiting to be applied."""
        pending = sum(
            1
            for op in self._pending_changes(state, kind)
            if all(op.change.get(key) == value for key, value in target.items())
        )
        check_if_match(req.if_match, *etag, what, pending=pending)

    def _pending_changes(self, state: AccountState, *kinds: str) -> Iterator[OperationRec]:
        for op_id in state.pending:
            op = state.operations[op_id]
            if op.kind in kinds and not op.fail:
                yield op

    # -------------------------------------------------------------------------------------------
    # Control (reset, clock, settings, persistence)
    # -------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every account, pending operation, clock offset and run-time setting."""
        with self._tx():
            self._accounts.clear()
            self._heap.clear()
            self._offset = 0.0
            self.settings = Settings(**asdict(self._initial_settings))
            self._dirty = True

    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock forward; due operations and lifecycles follow on next access."""
        if not seconds >= 0:
            raise BadRequest("seconds must be a number >= 0 (the clock never goes back)")
        with self._tx():
            self._offset += seconds
            self._advance(self.now())
            self._dirty = True
            return self._offset

    def clock_state(self) -> dict[str, Any]:
        with self._tx() as now:
            return {"now": iso(now), "offsetSeconds": self._offset}

    def update_settings(
        self,
        provisioning_delay: float | None,
        operation_delay: float | None,
        delay_jitter: float | None = None,
    ) -> Settings:
        with self._tx():
            for name, value in (
                ("provisioningDelay", provisioning_delay),
                ("operationDelay", operation_delay),
            ):
                if value is not None and not 0 <= value <= 86400:
                    raise BadRequest(f"{name} must be a number of seconds from 0 to 86400")
            if delay_jitter is not None and not 0 <= delay_jitter <= 1:
                raise BadRequest("delayJitter must be a fraction from 0 to 1")
            if provisioning_delay is not None:
                self.settings.provisioning_delay = provisioning_delay
            if operation_delay is not None:
                self.settings.operation_delay = operation_delay
            if delay_jitter is not None:
                self.settings.delay_jitter = delay_jitter
            return Settings(**asdict(self.settings))

    def _snapshot(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "clockOffset": self._offset,
            "accounts": {sid: asdict(state) for sid, state in self._accounts.items()},
        }

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of all state (what ``--state-file`` holds). Contains no secret."""
        with self._tx():
            return self._snapshot()

    def restore(self, data: Mapping[str, Any]) -> None:
        """Load a snapshot written by :meth:`snapshot`; raise ValueError if it is not one."""
        if not isinstance(data, Mapping) or data.get("format") != STATE_FORMAT:
            raise ValueError(f"not an emulator state file of format {STATE_FORMAT}")
        try:
            accounts = {sid: account_from_dict(raw) for sid, raw in data["accounts"].items()}
            offset = float(data.get("clockOffset", 0.0))
            pending = [
                (state.operations[op_id].due_at, sid, op_id)
                for sid, state in accounts.items()
                for op_id in state.pending
            ]
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"corrupt emulator state file: {exc!r}") from None
        with self._lock:
            self._accounts = accounts
            self._offset = offset
            self._heap = []
            for due, sid, op_id in sorted(pending):
                self._seq += 1
                self._heap.append((due, self._seq, sid, op_id))
            heapq.heapify(self._heap)

    # -------------------------------------------------------------------------------------------
    # Memory stores (§2)
    # -------------------------------------------------------------------------------------------

    def _find_store(self, state: AccountState, store_id: str) -> StoreRec:
        # mem_service_ is a legacy alias of mem_store_ with the same suffix (§1.6).
        key = (
            "mem_store_" + store_id.removeprefix("mem_service_")
            if store_id.startswith("mem_service_")
            else store_id
        )
        store = state.stores.get(key) if _STORE_RE.match(store_id) else None
        if store is None:
            raise NotFound(f"The requested resource {_V1}/Stores/{store_id} was not found")
        return store

    def _check_store_name(self, state: AccountState, name: str, exclude: str | None) -> None:
        for store in state.stores.values():
            if store.display_name == name and store.id != exclude:
                raise NameTaken(
                    f"displayName: a store named {name!r} already exists ({store.id})",
                    conflicting_id=store.id,
                )
        for op in self._pending_changes(state, "store.create", "store.update"):
            if op.change.get("displayName") == name and op.change["id"] != exclude:
                raise NameTaken(
                    f"displayName: a store named {name!r} is being created or renamed by operation {op.id}",
                    conflicting_id=op.change["id"],
                )

    def create_store(self, req: WriteRequest, body: StoreCreate) -> Accepted:
        with self._tx() as now:
            state = self._account(req.account)
            self._check_store_name(state, body.display_name, None)
            pending = sum(1 for _ in self._pending_changes(state, "store.create"))
            if len(state.stores) + pending >= MAX_STORES_PER_ACCOUNT:
                raise BadRequest(
                    f"Store limit reached: an account can have at most {MAX_STORES_PER_ACCOUNT} "
                    "memory stores (delete one first)"
                )
            outcome = (self.faults.take_provisioning_outcome() if self.faults else None) or "ACTIVE"
            store_id = new_typeid("mem_store", now)
            change = {
                "id": store_id,
                "displayName": body.display_name,
                "description": body.description,
                "outcome": outcome,
                "provisioningDelay": self._jittered(self.settings.provisioning_delay),
            }
            path = f"{_V1}/Stores/{store_id}"
            return self._submit(req, "store.create", change, result_id=store_id, result_path=path)

    def list_stores(self, account: str, page: PageRequest) -> dict[str, Any]:
        with self._tx():
            state = self._view(account)
            result = page_of(list(state.stores), page, "stores")
            return {"stores": result.items, "meta": result.meta}

    def get_store(self, account: str, store_id: str) -> tuple[dict[str, Any], str]:
        with self._tx() as now:
            store = self._find_store(self._view(account), store_id)
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
        with self._tx():
            state = self._account(req.account)
            store = self._find_store(state, store_id)
            etag = (store.id, store.version)
            self._check_if_match(req, state, etag, f"Store {store.id}", "store.update", id=store.id)
            if body.display_name is not None:
                self._check_store_name(state, body.display_name, store.id)
            change = {"id": store.id, **to_wire(body)}
            path = f"{_V1}/Stores/{store.id}"
            return self._submit(req, "store.update", change, result_id=store.id, result_path=path)

    def delete_store(self, req: WriteRequest, store_id: str) -> Accepted:
        with self._tx():
            store = self._find_store(self._account(req.account), store_id)
            change = {"id": store.id}
            return self._submit(req, "store.delete", change, result_id=store.id)

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
            identity_resolution=_default_identity_resolution(),
        )
        store.trait_groups[CONTACT_TRAIT_GROUP] = TraitGroupRec(
            name=CONTACT_TRAIT_GROUP,
            description="Default contact traits; promoted to profile identifiers",
            traits={name: dict(defn) for name, defn in _CONTACT_TRAITS.items()},
            created_at=op.due_at,
            uid=new_typeid("tg", op.due_at),
        )
        state.stores[store.id] = store

    def _apply_store_update(self, state: AccountState, op: OperationRec) -> None:
        store = self._find_store(state, op.change["id"])
        if "displayName" in op.change:
            store.display_name = op.change["displayName"]
        if "description" in op.change:
            store.description = op.change["description"]
        store.version += 1

    def _apply_store_delete(self, state: AccountState, op: OperationRec) -> None:
        # Trait groups, identity resolution and data mappings live inside the store record.
        state.stores.pop(op.change["id"], None)

    # -------------------------------------------------------------------------------------------
    # Trait groups (§3)
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
            raise NotFound(f"The requested resource {_V1}/Stores/{store.id}/TraitGroups/{name} was not found")
        return group

    def create_trait_group(self, req: WriteRequest, store_id: str, body: TraitGroupCreate) -> Accepted:
        with self._tx() as now:
            state = self._account(req.account)
            store = self._find_store(state, store_id)
            self._require_active(store, now)
            name = body.display_name
            pending = [
                op
                for op in self._pending_changes(state, "traitgroup.create")
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
            path = f"{_V1}/Stores/{store.id}/TraitGroups/{name}"
            return self._submit(req, "traitgroup.create", change, result_id=name, result_path=path)

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
        with self._tx():
            store = self._find_store(self._view(account), store_id)
            result: Page = page_of(list(store.trait_groups.values()), page, "traitGroups")
            return {
                "traitGroups": [self._group_view(g, include_traits) for g in result.items],
                "meta": result.meta,
            }

    def get_trait_group(
        self, account: str, store_id: str, name: str, page: PageRequest, *, include_traits: bool
    ) -> tuple[dict[str, Any], str]:
        with self._tx():
            store = self._find_store(self._view(account), store_id)
            group = self._find_group(store, name)
            body = {
                "traitGroup": self._group_view(group, include_traits),
                "meta": {"key": "traitGroup", "pageSize": page.page_size},
            }
            return body, make_etag(group.uid, group.version)

    def update_trait_group(
        self, req: WriteRequest, store_id: str, name: str, body: TraitGroupUpdate
    ) -> Accepted:
        with self._tx() as now:
            state = self._account(req.account)
            store = self._find_store(state, store_id)
            group = self._find_group(store, name)
            target = {"storeId": store.id, "displayName": name}
            etag = (group.uid, group.version)
            self._check_if_match(req, state, etag, f"Trait group {name!r}", "traitgroup.update", **target)
            self._require_active(store, now)
            change = {"storeId": store.id, "displayName": name, **to_wire(body)}
            merged = _merge_traits(group.traits, change.get("traits", {}))
            if len(merged) > MAX_TRAITS_PER_GROUP:
                raise BadRequest(
                    f"traits: a trait group holds at most {MAX_TRAITS_PER_GROUP} traits; "
                    f"this change would leave {len(merged)}"
                )
            path = f"{_V1}/Stores/{store.id}/TraitGroups/{name}"
            return self._submit(req, "traitgroup.update", change, result_id=name, result_path=path)

    def delete_trait_group(self, req: WriteRequest, store_id: str, name: str) -> Accepted:
        with self._tx():
            state = self._account(req.account)
            store = self._find_store(state, store_id)
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
            return self._submit(req, "traitgroup.delete", change, result_id=name)

    def _apply_group_create(self, state: AccountState, op: OperationRec) -> None:
        store = self._find_store(state, op.change["storeId"])
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
        store = self._find_store(state, op.change["storeId"])
        group = self._find_group(store, op.change["displayName"])
        merged = _merge_traits(group.traits, op.change.get("traits", {}))
        if len(merged) > MAX_TRAITS_PER_GROUP:
            raise BadRequest(f"traits: a trait group holds at most {MAX_TRAITS_PER_GROUP} traits")
        group.traits = merged
        if "description" in op.change:
            group.description = op.change["description"]
        group.version += 1

    def _apply_group_delete(self, state: AccountState, op: OperationRec) -> None:
        store = self._find_store(state, op.change["storeId"])
        store.trait_groups.pop(op.change["displayName"], None)

    # -------------------------------------------------------------------------------------------
    # Identity resolution settings (§4)
    # -------------------------------------------------------------------------------------------

    def get_identity_resolution(self, account: str, store_id: str) -> tuple[dict[str, Any], str]:
        with self._tx():
            store = self._find_store(self._view(account), store_id)
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
        with self._tx() as now:
            state = self._account(req.account)
            store = self._find_store(state, store_id)
            etag = (_irs_tag(store), store.identity_resolution.version)
            what = f"Identity resolution settings of {store.id}"
            self._check_if_match(req, state, etag, what, "identityresolution.put", storeId=store.id)
            self._require_active(store, now)
            wire = to_wire(body)
            change = {
                "storeId": store.id,
                "identifierConfigs": [_fill_identifier_defaults(c) for c in wire["identifierConfigs"]],
                "matchingRules": wire["matchingRules"],
            }
            path = f"{_V1}/Stores/{store.id}/IdentityResolutionSettings"
            return self._submit(req, "identityresolution.put", change, result_id=store.id, result_path=path)

    def _apply_irs_put(self, state: AccountState, op: OperationRec) -> None:
        store = self._find_store(state, op.change["storeId"])
        irs = store.identity_resolution
        irs.identifier_configs = op.change["identifierConfigs"]
        irs.matching_rules = op.change["matchingRules"]
        irs.version += 1

    # -------------------------------------------------------------------------------------------
    # Data mappings (§5)
    # -------------------------------------------------------------------------------------------

    @staticmethod
    def _find_mapping(store: StoreRec, mapping_id: str) -> DataMappingRec:
        mapping = store.data_mappings.get(mapping_id)
        if mapping is None:
            raise NotFound(
                f"The requested resource {_V1}/Stores/{store.id}/DataMappings/{mapping_id} was not found"
            )
        return mapping

    @staticmethod
    def _check_mapping_targets(store: StoreRec, mapping_to: dict[str, Any]) -> None:
        """[O] Referenced trait groups and traits must exist."""
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
        for op in self._pending_changes(state, "datamapping.create", "datamapping.update"):
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
        with self._tx() as now:
            state = self._account(req.account)
            store = self._find_store(state, store_id)
            self._require_active(store, now)
            wire = to_wire(body)
            if wire["mappingFrom"]["type"] in CHECKED_TARGET_TYPES:  # INGRESS: checked at ingestion
                self._check_mapping_targets(store, wire["mappingTo"])
            self._check_mapping_name(state, store, body.display_name, None)
            mapping_id = new_typeid("mem_datamapping", now)
            change = {"storeId": store.id, "id": mapping_id, "isEnabled": True, **wire}
            path = f"{_V1}/Stores/{store.id}/DataMappings/{mapping_id}"
            return self._submit(req, "datamapping.create", change, result_id=mapping_id, result_path=path)

    def list_data_mappings(
        self, account: str, store_id: str, page: PageRequest, *, type_: str | None
    ) -> dict[str, Any]:
        if type_ is not None and type_ not in DATA_MAPPING_TYPES:
            raise BadRequest(f"type must be one of {', '.join(DATA_MAPPING_TYPES)}")
        with self._tx():
            store = self._find_store(self._view(account), store_id)
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
        with self._tx():
            store = self._find_store(self._view(account), store_id)
            mapping = self._find_mapping(store, mapping_id)
            return self._mapping_view(mapping), make_etag(mapping.id, mapping.version)

    def update_data_mapping(
        self, req: WriteRequest, store_id: str, mapping_id: str, body: DataMappingPatch
    ) -> Accepted:
        with self._tx() as now:
            state = self._account(req.account)
            store = self._find_store(state, store_id)
            mapping = self._find_mapping(store, mapping_id)
            etag = (mapping.id, mapping.version)
            what = f"Data mapping {mapping.id}"
            self._check_if_match(req, state, etag, what, "datamapping.update", id=mapping.id)
            self._require_active(store, now)
            wire = to_wire(body)
            if "mappingTo" in wire and mapping.data["mappingFrom"]["type"] in CHECKED_TARGET_TYPES:
                self._check_mapping_targets(store, wire["mappingTo"])
            if body.display_name is not None:
                self._check_mapping_name(state, store, body.display_name, mapping.id)
            change = {"storeId": store.id, "id": mapping.id, **wire}
            path = f"{_V1}/Stores/{store.id}/DataMappings/{mapping.id}"
            return self._submit(req, "datamapping.update", change, result_id=mapping.id, result_path=path)

    def delete_data_mapping(self, req: WriteRequest, store_id: str, mapping_id: str) -> Accepted:
        with self._tx():
            store = self._find_store(self._account(req.account), store_id)
            mapping = self._find_mapping(store, mapping_id)
            change = {"storeId": store.id, "id": mapping.id}
            return self._submit(req, "datamapping.delete", change, result_id=mapping.id)

    def _apply_mapping_create(self, state: AccountState, op: OperationRec) -> None:
        store = self._find_store(state, op.change["storeId"])
        data = {k: v for k, v in op.change.items() if k not in {"storeId", "id"}}
        store.data_mappings[op.change["id"]] = DataMappingRec(op.change["id"], data, op.due_at, op.due_at)

    def _apply_mapping_update(self, state: AccountState, op: OperationRec) -> None:
        store = self._find_store(state, op.change["storeId"])
        mapping = self._find_mapping(store, op.change["id"])
        mapping.data.update({k: v for k, v in op.change.items() if k not in {"storeId", "id"}})
        mapping.updated_at = op.due_at
        mapping.version += 1

    def _apply_mapping_delete(self, state: AccountState, op: OperationRec) -> None:
        store = self._find_store(state, op.change["storeId"])
        store.data_mappings.pop(op.change["id"], None)

    # -------------------------------------------------------------------------------------------
    # Memory operations (§6)
    # -------------------------------------------------------------------------------------------

    def _find_operation(self, state: AccountState, op_id: str, product: str) -> OperationRec:
        op = state.operations.get(op_id)
        if op is None or op.product != product:
            prefix = _V1 if product == "memory" else _V2
            raise NotFound(f"The requested resource {prefix}/Operations/{op_id} was not found")
        return op

    def get_memory_operation(self, account: str, op_id: str, base_url: str) -> tuple[dict[str, Any], int]:
        with self._tx() as now:
            op = self._find_operation(self._view(account), op_id, "memory")
            status = op.status
            if status == "PENDING" and now >= (op.created_at + op.due_at) / 2:
                status = "RUNNING"
            view: dict[str, Any] = {
                "operationId": op.id,
                "status": status,
                "createdAt": iso(op.created_at),
                "statusUrl": f"{base_url}{_V1}/Operations/{op.id}",
            }
            if op.completed_at is not None:
                view["completedAt"] = iso(op.completed_at)
            if op.status == "COMPLETED" and op.result_id is not None:
                view["result"] = {"type": "RESOURCE_ID", "id": op.result_id}
                if op.result_path is not None:
                    view["resultUrl"] = f"{base_url}{op.result_path}"
            if op.status == "FAILED":
                view["error"] = {
                    "type": "https://www.twilio.com/docs/api/errors/20500",
                    "title": "Operation failed",
                    "code": 20500,
                    "detail": op.error or "The operation failed",
                }
            return view, self._retry_after(op, now)

    # -------------------------------------------------------------------------------------------
    # Conversations v2 configurations (§7) and operations (§8)
    # -------------------------------------------------------------------------------------------

    def _find_configuration(self, state: AccountState, config_id: str) -> ConfigurationRec:
        config = state.configurations.get(config_id)
        if config is None:
            raise NotFound(f"The requested resource {_V2}/Configurations/{config_id} was not found")
        return config

    def _check_configuration(self, state: AccountState, data: dict[str, Any], exclude: str | None) -> None:
        """Store reference, unique displayName and one configuration per Conversations V1 service."""
        store_id = data.get("memoryStoreId")
        if store_id is not None:
            try:
                self._find_store(state, store_id)
            except NotFound:
                raise BadRequest(
                    f"memoryStoreId: no memory store {store_id} exists in this account"
                ) from None
        for label in ("displayName", "conversationsV1Bridge.serviceId"):
            value = _config_value(data, label)
            if value is None:
                continue
            for config in state.configurations.values():
                if config.id != exclude and _config_value(config.data, label) == value:
                    raise Conflict(
                        f"{label} {value!r} is already used by configuration {config.id}",
                        conflicting_id=config.id,
                    )
            for op in self._pending_changes(
                state, "configuration.create", "configuration.put", "configuration.patch"
            ):
                if op.change["id"] != exclude and _config_value(op.change["data"], label) == value:
                    raise Conflict(
                        f"{label} {value!r} is being claimed by configuration {op.change['id']}",
                        conflicting_id=op.change["id"],
                    )

    def _idempotent(
        self,
        req: WriteRequest,
        state: AccountState,
        fingerprint: str,
        now: float,
        action: Callable[[], Accepted],
    ) -> Accepted:
        """Replay the first response for a repeated ``Idempotency-Key`` with the same request."""
        if req.idempotency_key is None:
            return action()
        key = validate_idempotency_key(req.idempotency_key)
        record = state.idempotency.get(key)
        if record is not None and now - record.created_at > IDEMPOTENCY_TTL:
            del state.idempotency[key]
            record = None
        if record is not None:
            # A key reused with another body gets the original answer (the spec), not a 422.
            op = state.operations[record.accepted["operation_id"]]
            return Accepted(**{**record.accepted, "retry_after": self._retry_after(op, now)})
        accepted = action()
        state.idempotency[key] = IdempotencyRec(fingerprint, asdict(accepted), now)
        self._dirty = True
        return accepted

    def _write_configuration(self, req: WriteRequest, kind: str, fingerprint: str, build: _Build) -> Accepted:
        """Every Conversations write: once per Idempotency-Key, ``build`` checks the request and
        returns the configuration's id and new data (None to delete), which an operation applies."""
        with self._tx() as now:
            state = self._account(req.account)

            def action() -> Accepted:
                config_id, data = build(state, now)
                return self._submit(
                    req,
                    kind,
                    {"id": config_id, "data": data},
                    result_id=config_id,
                    product="conversations",
                    related={"configurationId": config_id},
                )

            return self._idempotent(req, state, fingerprint, now, action)

    def create_configuration(self, req: WriteRequest, body: ConfigurationCreate) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            data = _normalize_configuration(to_wire(body))
            self._check_configuration(state, data, None)
            return new_typeid("conv_configuration", now), data

        fingerprint = _fingerprint("POST", "", req.raw)
        return self._write_configuration(req, "configuration.create", fingerprint, build)

    def list_configurations(
        self, account: str, page: PageRequest, *, memory_store_id: str | None
    ) -> dict[str, Any]:
        if memory_store_id is not None and not _STORE_RE.match(memory_store_id):
            raise BadRequest("memoryStoreId must be a memory store id (mem_store_ followed by 26 characters)")
        with self._tx():
            state = self._view(account)
            items = [
                c
                for c in state.configurations.values()
                if memory_store_id is None or c.data.get("memoryStoreId") == memory_store_id
            ]
            result = page_of(
                items, PageRequest(page.page_size, page.offset, descending=False), "configurations"
            )
            return {
                "configurations": [self._configuration_view(c) for c in result.items],
                "meta": result.meta,
            }

    @staticmethod
    def _configuration_view(config: ConfigurationRec) -> dict[str, Any]:
        return {
            "id": config.id,
            **config.data,
            "traitExtractionStrategyIds": [],
            "observationExtractionStrategyIds": [],
            "createdAt": iso(config.created_at),
            "updatedAt": iso(config.updated_at),
            "version": config.version,
        }

    def get_configuration(self, account: str, config_id: str) -> dict[str, Any]:
        with self._tx():
            return self._configuration_view(self._find_configuration(self._view(account), config_id))

    def replace_configuration(self, req: WriteRequest, config_id: str, body: ConfigurationPut) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            config = self._find_configuration(state, config_id)
            data = _normalize_configuration(to_wire(body))
            data.setdefault("displayName", config.data["displayName"])  # required on create, kept on PUT
            self._check_configuration(state, data, config.id)
            return config.id, data

        fingerprint = _fingerprint("PUT", config_id, req.raw)
        return self._write_configuration(req, "configuration.put", fingerprint, build)

    def patch_configuration(self, req: WriteRequest, config_id: str, body: ConfigurationPatch) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            config = self._find_configuration(state, config_id)
            data = _patch_configuration(config.data, body)
            self._check_configuration(state, {k: v for k, v in data.items() if k in to_wire(body)}, config.id)
            return config.id, data

        fingerprint = _fingerprint("PATCH", config_id, req.raw)
        return self._write_configuration(req, "configuration.patch", fingerprint, build)

    def delete_configuration(self, req: WriteRequest, config_id: str) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            return self._find_configuration(state, config_id).id, None

        fingerprint = _fingerprint("DELETE", config_id, b"")  # a DELETE's body is not part of it
        return self._write_configuration(req, "configuration.delete", fingerprint, build)

    def _apply_configuration_create(self, state: AccountState, op: OperationRec) -> None:
        config_id = op.change["id"]
        state.configurations[config_id] = ConfigurationRec(config_id, op.change["data"], op.due_at, op.due_at)

    def _apply_configuration_write(self, state: AccountState, op: OperationRec) -> None:
        config = self._find_configuration(state, op.change["id"])
        config.data = op.change["data"]
        config.updated_at = op.due_at
        config.version += 1

    def _apply_configuration_delete(self, state: AccountState, op: OperationRec) -> None:
        state.configurations.pop(op.change["id"], None)

    def get_conversations_operation(
        self, account: str, op_id: str, base_url: str
    ) -> tuple[dict[str, Any], int]:
        with self._tx() as now:
            op = self._find_operation(self._view(account), op_id, "conversations")
            view: dict[str, Any] = {
                "operationId": op.id,
                "status": op.status,  # [S] models only PENDING, COMPLETED and FAILED
                "createdAt": iso(op.created_at),
                "completedAt": iso(op.completed_at) if op.completed_at is not None else None,
                "statusUrl": f"{base_url}{_V2}/Operations/{op.id}",
                "error": None,
                "related": {"configurationId": op.change["id"]},
            }
            if op.status == "FAILED":
                view["error"] = {
                    "type": "https://www.twilio.com/docs/api/errors/20500",
                    "title": "Operation failed",
                    "status": 500,
                    "detail": op.error or "The operation failed",
                    "instance": f"{CONVERSATIONS_ORIGIN}{_V2}/Operations/{op.id}",  # absolute, as specified
                }
            return view, self._retry_after(op, now)


def _irs_tag(store: StoreRec) -> str:
    """The identity in the settings' ETag: the store's, marked so the two ETags never coincide."""
    return f"{store.id}:irs"


def _config_value(data: Mapping[str, Any], label: str) -> Any:
    if label == "displayName":
        return data.get("displayName")
    return (data.get("conversationsV1Bridge") or {}).get("serviceId")


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


def _patch_configuration(current: Mapping[str, Any], body: ConfigurationPatch) -> dict[str, Any]:
    """Only what is sent changes; ``channelSettings`` merges per channel (``null`` removes one)."""
    data = dict(current)
    wire = to_wire(body)
    for key, value in wire.items():
        if key == "channelSettings":
            channels = dict(data.get("channelSettings", {}))
            for channel, setting in value.items():
                if setting is None:
                    channels.pop(channel, None)
                else:
                    channels[channel] = setting
            data["channelSettings"] = channels
        else:
            data[key] = value
    return _normalize_configuration(data)


_APPLY: dict[str, Callable[[Backend, AccountState, OperationRec], None]] = {
    "store.create": Backend._apply_store_create,
    "store.update": Backend._apply_store_update,
    "store.delete": Backend._apply_store_delete,
    "traitgroup.create": Backend._apply_group_create,
    "traitgroup.update": Backend._apply_group_update,
    "traitgroup.delete": Backend._apply_group_delete,
    "identityresolution.put": Backend._apply_irs_put,
    "datamapping.create": Backend._apply_mapping_create,
    "datamapping.update": Backend._apply_mapping_update,
    "datamapping.delete": Backend._apply_mapping_delete,
    "configuration.create": Backend._apply_configuration_create,
    "configuration.put": Backend._apply_configuration_write,
    "configuration.patch": Backend._apply_configuration_write,
    "configuration.delete": Backend._apply_configuration_delete,
}

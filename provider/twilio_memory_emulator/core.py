"""The shared core of the emulated control plane: accounts, the (virtual) clock, one lock,
asynchronous operations, idempotency, settings and the state snapshot.

The products' backends (:mod:`.memory`, :mod:`.conversations`) put their rules on top of it, and
:class:`~.backend.Backend` is both together:

* **Accounts.** State is partitioned by Account SID; another account's resource is a 404.
* **Asynchronous writes.** A write is validated synchronously (400/404/409/412 come back at once),
  then recorded as an *operation* (:class:`OpKind`) that applies the change atomically when it
  completes, after the operation delay (spread by the jitter). Names a pending create or rename
  will take are already reserved, so uniqueness and the 15-store limit hold under concurrency.
* **Lazy lifecycles.** Nothing runs in the background: every call first applies the operations
  that are due on the (virtual) clock.
* **Idempotency.** A repeated ``Idempotency-Key`` (24 h, per account) replays the first answer.
* **One lock.** Every public method runs under one re-entrant lock, so the server is safe under
  concurrent requests and a snapshot for ``--state-file`` is always consistent.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from typing import Any

from twilio_memory_emulator.errors import BadRequest, Conflict, NotFound
from twilio_memory_emulator.faults import FaultRegistry
from twilio_memory_emulator.protocol import check_if_match, iso, new_typeid, validate_idempotency_key
from twilio_memory_emulator.records import (
    Accepted,
    AccountState,
    IdempotencyRec,
    OperationRec,
    Settings,
    WriteRequest,
    account_from_dict,
)

__all__ = ["IDEMPOTENCY_TTL", "STATE_FORMAT", "CoreBackend", "OpKind", "fingerprint"]

log = logging.getLogger("twilio_memory_emulator")

STATE_FORMAT = 1  # bump when the snapshot layout changes incompatibly
IDEMPOTENCY_TTL = 24 * 3600.0  # keys live 24 hours
_V1 = "/v1/ControlPlane"
_V2 = "/v2/ControlPlane"


class OpKind(StrEnum):
    """Every kind of asynchronous write: what its 202 says, and the backend method that applies
    it when its operation completes (one table, instead of strings repeated across tables). The
    values are what the state file records."""

    STORE_CREATE = "store.create"
    STORE_UPDATE = "store.update"
    STORE_DELETE = "store.delete"
    TRAITGROUP_CREATE = "traitgroup.create"
    TRAITGROUP_UPDATE = "traitgroup.update"
    TRAITGROUP_DELETE = "traitgroup.delete"
    IDENTITYRESOLUTION_PUT = "identityresolution.put"
    DATAMAPPING_CREATE = "datamapping.create"
    DATAMAPPING_UPDATE = "datamapping.update"
    DATAMAPPING_DELETE = "datamapping.delete"
    CONFIGURATION_CREATE = "configuration.create"
    CONFIGURATION_PUT = "configuration.put"
    CONFIGURATION_PATCH = "configuration.patch"
    CONFIGURATION_DELETE = "configuration.delete"

    @property
    def accepted_message(self) -> str:
        return _KIND_FACTS[self][0]

    @property
    def applier(self) -> str:
        """The name of the backend method ``(state, operation) -> None`` that applies it."""
        return _KIND_FACTS[self][1]


_KIND_FACTS: dict[str, tuple[str, str]] = {
    "store.create": ("Store creation accepted", "_apply_store_create"),
    "store.update": ("Store update accepted", "_apply_store_update"),
    "store.delete": ("Store deletion accepted", "_apply_store_delete"),
    "traitgroup.create": ("Trait group creation accepted", "_apply_group_create"),
    "traitgroup.update": ("Trait group update accepted", "_apply_group_update"),
    "traitgroup.delete": ("Trait group deletion accepted", "_apply_group_delete"),
    "identityresolution.put": ("Identity resolution settings update accepted", "_apply_irs_put"),
    "datamapping.create": ("Data mapping creation accepted", "_apply_mapping_create"),
    "datamapping.update": ("Data mapping update accepted", "_apply_mapping_update"),
    "datamapping.delete": ("Data mapping deletion accepted", "_apply_mapping_delete"),
    "configuration.create": ("Configuration create accepted", "_apply_configuration_create"),
    "configuration.put": ("Configuration put accepted", "_apply_configuration_write"),
    "configuration.patch": ("Configuration patch accepted", "_apply_configuration_write"),
    "configuration.delete": ("Configuration delete accepted", "_apply_configuration_delete"),
}


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request (for Idempotency-Key bookkeeping)."""
    return f"{method} {path} {hashlib.sha256(body).hexdigest()}"


class CoreBackend:
    """Accounts, clock, lock, operations and snapshot; the products' rules live in subclasses."""

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
                    getattr(self, OpKind(op.kind).applier)(state, op)
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
        return Accepted(op.id, product, OpKind(kind).accepted_message, related, self._retry_after(op, now))

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
        index_delay: float | None = None,
    ) -> Settings:
        with self._tx():
            for name, value in (
                ("provisioningDelay", provisioning_delay),
                ("operationDelay", operation_delay),
                ("indexDelay", index_delay),
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
            if index_delay is not None:
                self.settings.index_delay = index_delay
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

    def _find_operation(self, state: AccountState, op_id: str, product: str) -> OperationRec:
        op = state.operations.get(op_id)
        if op is None or op.product != product:
            prefix = _V1 if product == "memory" else _V2
            raise NotFound(f"The requested resource {prefix}/Operations/{op_id} was not found")
        return op

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

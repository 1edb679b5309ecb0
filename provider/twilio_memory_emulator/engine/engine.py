"""The engine: accounts, the (virtual) clock, one lock and the run-time settings, with the
operations queue, idempotency and the snapshot wired in. The products' services hold it by
reference and run every public method inside :meth:`Engine.transaction`.

* **Accounts.** State is partitioned by Account SID; another account's resource is a 404.
* **Asynchronous writes.** A write is validated synchronously (400/404/409/412 come back at once),
  then recorded as an operation (:mod:`.operations`) that applies the change atomically when it
  completes, after the operation delay (spread by the jitter). Names a pending create or rename
  will take are already reserved, so uniqueness and the 15-store limit hold under concurrency.
* **Lazy lifecycles.** Nothing runs in the background: every call first applies the operations
  that are due on the (virtual) clock.
* **One lock.** Every public method runs under one re-entrant lock, so the server is safe under
  concurrent requests and a snapshot for ``--state-file`` is always consistent.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from twilio_memory_emulator.engine.faults import FaultRegistry
from twilio_memory_emulator.engine.idempotency import remember, remembered
from twilio_memory_emulator.engine.operations import Operations, OpKind, retry_after
from twilio_memory_emulator.engine.settings import Settings
from twilio_memory_emulator.engine.snapshot import read_snapshot, snapshot_of
from twilio_memory_emulator.engine.writes import Accepted, WriteRequest
from twilio_memory_emulator.errors import BadRequest
from twilio_memory_emulator.protocol import iso, new_typeid
from twilio_memory_emulator.state_schema import AccountState, OperationRec

__all__ = ["Engine"]


class Engine:
    """What every product shares; thread-safe, persistence-agnostic."""

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
        self.operations = Operations()
        #: Called (under the lock) after :meth:`reset`: services drop what they keep beside the state.
        self.reset_listeners: list[Callable[[], None]] = []
        self._persist = persist
        self._clock = clock
        self._offset = 0.0
        self._accounts: dict[str, AccountState] = {}
        self._dirty = False
        self._rng = random.Random()

    # Clock, transactions, accounts ---------------------------------------------------------------

    def now(self) -> float:
        """Wall clock plus the virtual offset added by ``POST /_emulator/clock``."""
        return self._clock() + self._offset

    def jittered(self, delay: float) -> float:
        """``delay`` spread by ``settings.delay_jitter`` (never negative)."""
        jitter = self.settings.delay_jitter
        spread = self._rng.uniform(1 - jitter, 1 + jitter) if jitter else 1.0
        return max(0.0, delay * spread)

    @contextmanager
    def transaction(self) -> Iterator[float]:
        """Lock, apply whatever is due, run the body, persist if anything changed."""
        with self._lock:
            now = self.now()
            self._apply_due(now)
            try:
                yield now
            finally:
                if self._dirty and self._persist is not None:
                    self._persist(snapshot_of(self._accounts, self._offset))
                self._dirty = False

    def changed(self) -> None:
        """Mark the state changed: the transaction persists it."""
        self._dirty = True

    def account(self, account: str) -> AccountState:
        """An account's state for writing (created on first use)."""
        state = self._accounts.get(account)
        if state is None:
            state = self._accounts[account] = AccountState()
        return state

    def view(self, account: str) -> AccountState:
        """An account's state for reading: never creates one (a read changes nothing)."""
        return self._accounts.get(account) or AccountState()

    def _apply_due(self, now: float) -> None:
        if self.operations.apply_due(self._accounts, now):
            self._dirty = True

    # Asynchronous writes ------------------------------------------------------------------------

    def submit(
        self,
        req: WriteRequest,
        kind: OpKind,
        change: dict[str, Any],
        *,
        result_id: str,
        result_path: str | None = None,
        product: str = "memory",
        related: dict[str, str] | None = None,
    ) -> Accepted:
        """Record an accepted write as an operation that applies ``change`` when it is due."""
        state = self.account(req.account)
        now = self.now()
        op = OperationRec(
            id=new_typeid("mem_operation" if product == "memory" else "proc_job", now),
            product=product,
            kind=kind,
            change=change,
            created_at=now,
            due_at=now + self.jittered(self.settings.operation_delay),
            fail=req.fail,
            result_id=result_id,
            result_path=result_path,
        )
        state.operations[op.id] = op
        state.pending[op.id] = None
        self.operations.enqueue(req.account, op)
        self._dirty = True
        self._apply_due(now)
        return Accepted(op.id, product, kind.accepted_message, related, retry_after(op, now))

    def idempotent(
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
        record = remembered(state, req.idempotency_key, now)
        if record is not None:
            op = state.operations[record.accepted["operation_id"]]
            return Accepted(**{**record.accepted, "retry_after": retry_after(op, now)})
        accepted = action()
        remember(state, req.idempotency_key, fingerprint, accepted, now)
        self._dirty = True
        return accepted

    # Admin: reset, clock, settings, snapshot ----------------------------------------------------

    def reset(self) -> None:
        """Forget every account, pending operation, clock offset and run-time setting."""
        with self.transaction():
            self._accounts.clear()
            self.operations.clear()
            self._offset = 0.0
            self.settings = Settings(**asdict(self._initial_settings))
            for listener in self.reset_listeners:
                listener()
            self._dirty = True

    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock forward; due operations and lifecycles follow on next access."""
        if not seconds >= 0:
            raise BadRequest("seconds must be a number >= 0 (the clock never goes back)")
        with self.transaction():
            self._offset += seconds
            self._apply_due(self.now())
            self._dirty = True
            return self._offset

    def clock_state(self) -> dict[str, Any]:
        with self.transaction() as now:
            return {"now": iso(now), "offsetSeconds": self._offset}

    def update_settings(
        self,
        provisioning_delay: float | None,
        operation_delay: float | None,
        delay_jitter: float | None = None,
        index_delay: float | None = None,
    ) -> Settings:
        with self.transaction():
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

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of all state (what ``--state-file`` holds). Contains no secret."""
        with self.transaction():
            return snapshot_of(self._accounts, self._offset)

    def restore(self, data: Mapping[str, Any]) -> None:
        """Load a snapshot written by :meth:`snapshot`; raise ValueError if it is not one."""
        accounts, offset = read_snapshot(data)
        with self._lock:
            self._accounts = accounts
            self._offset = offset
            self.operations.requeue(accounts)

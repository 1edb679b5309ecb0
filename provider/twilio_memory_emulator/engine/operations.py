"""Asynchronous operations: every accepted write is recorded as an operation that applies its
change atomically when it is due on the (virtual) clock. Nothing runs in the background: the
engine applies what is due at the start of every call.

Each :class:`OpKind` has its applier, registered by the product that owns the kind
(:meth:`Operations.register`): one table, looked up by kind, never by a method's name.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum

from twilio_memory_emulator.engine.paths import operation_path
from twilio_memory_emulator.errors import BadRequest, Conflict, NotFound, resource_not_found
from twilio_memory_emulator.protocol import check_if_match
from twilio_memory_emulator.state_schema import AccountState, OperationRec

__all__ = ["Applier", "OpKind", "Operations", "retry_after"]

log = logging.getLogger("twilio_memory_emulator")

#: Applies an operation's change to its account's state; raises an ApiError to fail it.
Applier = Callable[[AccountState, OperationRec], None]


class OpKind(StrEnum):
    """Every kind of asynchronous write and what its 202 says. The values are what the state
    file records."""

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
        return _ACCEPTED_MESSAGES[self]


_ACCEPTED_MESSAGES: dict[str, str] = {
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


def retry_after(op: OperationRec, now: float) -> int:
    """Seconds until the operation is due (0 once it is terminal, at least 1 before)."""
    if op.status != "PENDING":
        return 0
    return max(1, int(-(-(op.due_at - now) // 1)))


class Operations:
    """The queue of pending operations across accounts and the appliers by kind."""

    def __init__(self) -> None:
        self._appliers: dict[OpKind, Applier] = {}
        self._heap: list[tuple[float, int, str, str]] = []  # (due, seq, account, operation id)
        self._seq = 0

    def register(self, appliers: Mapping[OpKind, Applier]) -> None:
        """A product's appliers for the kinds it owns (each kind has exactly one)."""
        taken = set(appliers) & set(self._appliers)
        if taken:
            raise ValueError(f"operation kinds registered twice: {sorted(taken)}")
        self._appliers.update(appliers)

    def clear(self) -> None:
        self._heap.clear()

    def enqueue(self, account: str, op: OperationRec) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (op.due_at, self._seq, account, op.id))

    def requeue(self, accounts: Mapping[str, AccountState]) -> None:
        """Rebuild the queue from the pending ids of restored accounts."""
        self._heap = []
        pending = sorted(
            (state.operations[op_id].due_at, sid, op_id)
            for sid, state in accounts.items()
            for op_id in state.pending
        )
        for due, sid, op_id in pending:
            self._seq += 1
            self._heap.append((due, self._seq, sid, op_id))
        heapq.heapify(self._heap)

    def apply_due(self, accounts: Mapping[str, AccountState], now: float) -> bool:
        """Apply every operation due by ``now``; True if any state changed."""
        changed = False
        while self._heap and self._heap[0][0] <= now:
            _, _, account, op_id = heapq.heappop(self._heap)
            state = accounts.get(account)
            op = state.operations.get(op_id) if state else None
            if state is None or op is None or op.status != "PENDING":
                continue
            state.pending.pop(op_id, None)
            op.completed_at = op.due_at
            self._complete(state, op)
            changed = True
        return changed

    def _complete(self, state: AccountState, op: OperationRec) -> None:
        if op.fail:
            op.status = "FAILED"
            op.error = "The operation failed (injected by an emulator fault rule); nothing was changed."
            return
        try:
            self._appliers[OpKind(op.kind)](state, op)
            op.status = "COMPLETED"
        except (NotFound, Conflict, BadRequest) as exc:
            op.status = "FAILED"
            op.error = exc.message
        except Exception:  # a bug must fail one operation, not every later request
            log.exception("applying operation %s (%s) failed", op.id, op.kind)
            op.status = "FAILED"
            op.error = "Internal error while applying the change (emulator bug: see its log)"

    @staticmethod
    def pending(state: AccountState, *kinds: str) -> Iterator[OperationRec]:
        """The accepted changes of ``kinds`` still waiting to be applied (failing ones excluded)."""
        for op_id in state.pending:
            op = state.operations[op_id]
            if op.kind in kinds and not op.fail:
                yield op

    def check_if_match(
        self,
        if_match: str | None,
        state: AccountState,
        etag: tuple[str, int],
        what: str,
        kind: str,
        **target: str,
    ) -> None:
        """412 unless If-Match names the current ETag and no accepted ``kind`` change to the
        target (the ``change`` fields given as ``target``) is still waiting to be applied."""
        waiting = sum(
            1
            for op in self.pending(state, kind)
            if all(op.change.get(key) == value for key, value in target.items())
        )
        check_if_match(if_match, *etag, what, pending=waiting)

    @staticmethod
    def find(state: AccountState, op_id: str, product: str) -> OperationRec:
        op = state.operations.get(op_id)
        if op is None or op.product != product:
            raise resource_not_found(operation_path(product, op_id))
        return op

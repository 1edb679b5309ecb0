"""``Idempotency-Key``: a repeated key (24 h, per account) replays the first answer."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict

from twilio_memory_emulator.engine.operations import retry_after
from twilio_memory_emulator.engine.writes import Accepted
from twilio_memory_emulator.protocol import validate_idempotency_key
from twilio_memory_emulator.state_schema import AccountState, IdempotencyRec

__all__ = ["IDEMPOTENCY_TTL", "fingerprint", "replay_or_run"]

IDEMPOTENCY_TTL = 24 * 3600.0  # keys live 24 hours


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request (for Idempotency-Key bookkeeping)."""
    return f"{method} {path} {hashlib.sha256(body).hexdigest()}"


def replay_or_run(
    key: str | None,
    state: AccountState,
    request_fingerprint: str,
    now: float,
    action: Callable[[], Accepted],
) -> tuple[Accepted, bool]:
    """The first answer for a repeated ``key``, else ``action()``'s (remembered under ``key``);
    and whether the state changed."""
    if key is None:
        return action(), False
    key = validate_idempotency_key(key)
    record = state.idempotency.get(key)
    if record is not None and now - record.created_at > IDEMPOTENCY_TTL:
        del state.idempotency[key]
        record = None
    if record is not None:
        # A key reused with another body gets the original answer (the spec), not a 422.
        op = state.operations[record.accepted["operation_id"]]
        return Accepted(**{**record.accepted, "retry_after": retry_after(op, now)}), False
    accepted = action()
    state.idempotency[key] = IdempotencyRec(request_fingerprint, asdict(accepted), now)
    return accepted, True

"""``Idempotency-Key``: a repeated key (24 h, per account) replays the first answer."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from twilio_memory_emulator.engine.writes import Accepted
from twilio_memory_emulator.protocol import validate_idempotency_key
from twilio_memory_emulator.state_schema import AccountState, IdempotencyRec

__all__ = ["IDEMPOTENCY_TTL", "fingerprint", "remember", "remembered"]

IDEMPOTENCY_TTL = 24 * 3600.0  # keys live 24 hours


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request (for Idempotency-Key bookkeeping)."""
    return f"{method} {path} {hashlib.sha256(body).hexdigest()}"


def remembered(state: AccountState, key: str, now: float) -> IdempotencyRec | None:
    """The first answer given for ``key`` (checked), unless there is none or it has expired.

    A key reused with another body gets the original answer (the spec), not a 422."""
    key = validate_idempotency_key(key)
    record = state.idempotency.get(key)
    if record is not None and now - record.created_at > IDEMPOTENCY_TTL:
        del state.idempotency[key]
        return None
    return record


def remember(state: AccountState, key: str, request_fingerprint: str, accepted: Accepted, now: float) -> None:
    state.idempotency[validate_idempotency_key(key)] = IdempotencyRec(
        request_fingerprint, asdict(accepted), now
    )

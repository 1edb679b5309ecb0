"""What an asynchronous write brings in (:class:`WriteRequest`) and what its 202 carries out
(:class:`Accepted`): the two values between the routes and the services' write methods."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Accepted", "WriteRequest"]


@dataclass(frozen=True)
class Accepted:
    """What a 202 carries: the operation, a message (Memory) or related ids (Conversations).
    Idempotency records keep it by field name (``asdict``), so the names are part of the state file."""

    operation_id: str
    product: str
    message: str
    related: dict[str, str] | None
    retry_after: int


@dataclass(frozen=True)
class WriteRequest:
    """Who asks for a write and the request's conditions: what the rules read besides the body."""

    account: str
    fail: bool = False  # a fault rule asked for this write's operation to fail
    if_match: str | None = None  # Memory: compared with the current ETag (412)
    idempotency_key: str | None = None  # Conversations: replays the first 202 (24 h)
    raw: bytes = b""  # the body as sent: part of the Idempotency-Key fingerprint

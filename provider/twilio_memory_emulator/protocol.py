"""Wire-protocol helpers shared by the services' rules: ids, timestamps, ETags, pages, bodies.

Each helper implements one rule of the common protocol (docs/wire-protocol.md) and raises the typed errors of
:mod:`twilio_memory_emulator.errors`, so the services' business rules read as a list of checks.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from twilio_memory_api.models import format_validation_error

from twilio_memory_emulator.errors import BadRequest, PreconditionFailed

__all__ = [
    "MAX_IF_MATCH",
    "Page",
    "PageRequest",
    "check_if_match",
    "iso",
    "make_etag",
    "new_typeid",
    "page_of",
    "parse_body",
    "parse_bool",
    "parse_json",
    "parse_page_request",
    "validate_idempotency_key",
]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

MAX_IF_MATCH = 100  # the spec: If-Match is at most 100 characters
MAX_PAGE_TOKEN = 4096  # the spec: Memory pageToken is at most 4096 characters
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"  # TypeID's alphabet: no i, l, o, u
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


# ------------------------------------------------------------------------------------------------
# Identifiers and timestamps
# ------------------------------------------------------------------------------------------------


def new_typeid(prefix: str, now: float) -> str:
    """A TypeID: ``prefix_`` + a UUIDv7 (timestamped with the virtual clock) in Crockford base32.

    The 128-bit value is written as 26 characters of 5 bits; the two spare leading bits are zero,
    so the first character is always 0-7, as the API's ``[0-7][0-9a-z]{25}`` patterns require.
    """
    millis = int(now * 1000) & ((1 << 48) - 1)
    rand_a = secrets.randbits(12)
    rand_b = secrets.randbits(62)
    value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    suffix = "".join(_CROCKFORD[(value >> (125 - 5 * i)) & 31] for i in range(26))
    return f"{prefix}_{suffix}"


def iso(timestamp: float) -> str:
    """RFC 3339 UTC timestamp with milliseconds, the way Twilio's v1/v2 APIs write them."""
    text = datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


# ------------------------------------------------------------------------------------------------
# Optimistic concurrency
# ------------------------------------------------------------------------------------------------


def make_etag(ident: str, version: int) -> str:
    """Quoted base64url (no padding) of ``{"id": ..., "v": ...}``, like the spec's example (the
    encoding is our choice, docs/wire-protocol.md)."""
    raw = json.dumps({"id": ident, "v": version}, separators=(",", ":")).encode()
    return '"' + base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip().strip('"')


def check_if_match(if_match: str | None, ident: str, version: int, what: str, *, pending: int = 0) -> None:
    """Raise 412 unless ``If-Match`` is absent, ``*`` or lists the current ETag.

    Weak markers and quotes are ignored (the spec's example quotes If-Match but not the ETag).
    ``pending`` accepted updates not yet applied make every ETag a client can hold stale: a
    second conditional write cannot overwrite a first one that is still being applied.
    """
    if if_match is None:
        return
    if len(if_match) > MAX_IF_MATCH:
        raise BadRequest(f"If-Match header must be at most {MAX_IF_MATCH} characters")
    candidates = [_opaque(part) for part in if_match.split(",")]
    if not any(candidates):
        raise BadRequest("If-Match header is empty: send the ETag from the last read, or omit the header")
    current = _opaque(make_etag(ident, version))
    if "*" in candidates or (current in candidates and not pending):
        return
    detail = f", and {pending} accepted change(s) are still being applied" if pending else ""
    raise PreconditionFailed(
        f"{what} was modified since you read it (current version {version}{detail}): the If-Match value "
        "does not match its ETag. Fetch it again, then retry with the new ETag."
    )


def validate_idempotency_key(key: str) -> str:
    """An Idempotency-Key is a UUID (hex 8-4-4-4-12), as the spec says."""
    if not _UUID_RE.match(key):
        raise BadRequest("Idempotency-Key header must be a UUID such as 123e4567-e89b-12d3-a456-426614174000")
    return str(uuid.UUID(key))


# ------------------------------------------------------------------------------------------------
# Token pagination
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """A validated page query: how many items, from which offset, in which order."""

    page_size: int
    offset: int = 0
    descending: bool = True


@dataclass(frozen=True)
class Page:
    items: list[Any]
    meta: dict[str, Any]


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).rstrip(b"=").decode()


def _decode_token(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        data = None
    offset = data.get("offset") if isinstance(data, dict) else None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise BadRequest(
            "pageToken is not a token this API issued: pass meta.nextToken or meta.previousToken"
        )
    return offset


def parse_bool(query: Mapping[str, str], name: str, default: bool) -> bool:
    """A ``true``/``false`` query parameter, the way the SDK serializes booleans."""
    value = query.get(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered not in {"true", "false"}:
        raise BadRequest(f"{name} must be true or false")
    return lowered == "true"


def parse_page_request(
    query: Mapping[str, str], *, max_size: int, default_size: int = 50, order: bool = True
) -> PageRequest:
    """Validate ``pageSize`` (1..max), ``pageToken`` and, for Memory, ``orderBy`` (ASC/DESC)."""
    raw_size = query.get("pageSize")
    size = default_size
    if raw_size is not None:
        if not re.fullmatch(r"[0-9]{1,9}", raw_size) or not 1 <= int(raw_size) <= max_size:
            raise BadRequest(f"pageSize must be an integer from 1 to {max_size}")
        size = int(raw_size)
    offset = 0
    token = query.get("pageToken")
    if token:
        if order and len(token) > MAX_PAGE_TOKEN:
            raise BadRequest(f"pageToken must be at most {MAX_PAGE_TOKEN} characters")
        offset = _decode_token(token)
    descending = True
    if order:
        order_by = query.get("orderBy")
        if order_by is not None:
            if order_by not in {"ASC", "DESC"}:  # as the spec spells them: Twilio refuses "asc"
                raise BadRequest("orderBy must be one of 'ASC', 'DESC'")
            descending = order_by == "DESC"
    return PageRequest(page_size=size, offset=offset, descending=descending)


def page_of(items: Sequence[T], request: PageRequest, key: str) -> Page:
    """Slice ``items`` (oldest first) into one page with ``meta`` as the SDK reads it.

    Our choice: ``nextToken`` is omitted on the last page and ``previousToken`` on the first.
    """
    ordered = list(reversed(items)) if request.descending else list(items)
    start = request.offset
    end = start + request.page_size
    page = ordered[start:end]
    meta: dict[str, Any] = {"key": key, "pageSize": len(page)}  # the spec: items returned
    if end < len(ordered):
        meta["nextToken"] = _encode_token(end)
    if start > 0:
        meta["previousToken"] = _encode_token(max(0, start - request.page_size))
    return Page(items=page, meta=meta)


# ------------------------------------------------------------------------------------------------
# Request bodies
# ------------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """A request body's JSON (strictly: no NaN, Infinity or lone surrogates), or a 400."""
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise BadRequest("Request body is not valid JSON (send Content-Type: application/json)") from None


def parse_body(model: type[M], raw: bytes, *, empty_ok: bool = False) -> M:
    """Validate a JSON body against a shared request model, strictly (no "5" for 5).

    Malformed JSON, a non-object body, unknown keys and wrong types all become one 400 whose
    message names every bad field; the input value itself is never echoed back.
    """
    if empty_ok and not raw.strip():
        raw = b"{}"
    parse_json(raw)  # the stdlib parser rejects what pydantic's tolerates
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        kinds = {error["type"] for error in exc.errors(include_url=False)}
        if "json_invalid" in kinds:
            raise BadRequest("Request body is not valid JSON (send Content-Type: application/json)") from None
        if "model_type" in kinds and all(not e["loc"] for e in exc.errors(include_url=False)):
            raise BadRequest("Request body must be a JSON object") from None
        problems = "; ".join(f"{path}: {message}" for path, message in format_validation_error(exc))
        raise BadRequest(f"Invalid request body: {problems}") from None

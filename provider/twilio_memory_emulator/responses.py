"""Rendering shared by the routes, the control endpoints and the gateway: Twilio's JSON bodies,
header spelling, the 202 of an accepted write, and the per-request context the gateway resolves."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from twilio_memory_emulator.backend import (
    Accepted,
)
from twilio_memory_emulator.errors import (
    ApiError,
)

__all__ = [
    "CONTROL_HEADER",
    "CONTROL_PREFIX",
    "HEALTH_PATH",
    "RequestCtx",
    "path_args",
    "render_accepted",
    "render_error",
    "render_json",
    "request_base_url",
    "request_ctx",
]

log = logging.getLogger("twilio_memory_emulator")

_V1 = "/v1/ControlPlane"
_V2 = "/v2/ControlPlane"
CONTROL_PREFIX = "/_emulator"
#: The one control endpoint open to anyone (liveness probes): it answers only ``{"status": "ok"}``.
HEALTH_PATH = f"{CONTROL_PREFIX}/health"
CONTROL_HEADER = "x-emulator-control-token"


_HEADER_CASE = {"etag": "ETag", "www-authenticate": "WWW-Authenticate"}


def _canonical(name: bytes) -> bytes:
    """``operation-id`` -> ``Operation-Id``: the SDK hands users a plain dict of header names."""
    text = name.decode("latin-1").lower()
    return _HEADER_CASE.get(text, "-".join(p.capitalize() for p in text.split("-"))).encode("latin-1")


def render_json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    response = Response(
        content, status_code=status, headers=dict(headers or {}), media_type="application/json"
    )
    response.raw_headers = [(_canonical(k), v) for k, v in response.raw_headers]
    return response


def render_error(exc: ApiError) -> Response:
    return render_json(exc.body(), exc.status, exc.headers)


def request_base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def render_accepted(request: Request, accepted: Accepted) -> Response:
    """202 with the operation's ``statusUrl`` and the Operation-Id/Location/Retry-After headers."""
    prefix = _V1 if accepted.product == "memory" else _V2
    status_url = f"{request_base_url(request)}{prefix}/Operations/{accepted.operation_id}"
    body: dict[str, Any]
    if accepted.product == "memory":
        body = {"message": accepted.message, "statusUrl": status_url}
    else:
        body = {"statusUrl": status_url, "related": accepted.related}
    headers = {
        "Operation-Id": accepted.operation_id,
        "Location": status_url,
        "Retry-After": str(accepted.retry_after),
    }
    return render_json(body, 202, headers)


@dataclass
class RequestCtx:
    """Per-request values the gateway resolved before the route runs."""

    account: str
    body: bytes
    fail: bool


def path_args(request: Request, path: str) -> list[str]:
    """The request's path parameters in the order the route template ``path`` names them."""
    return [request.path_params[name] for name in re.findall(r"{(\w+)}", path)]


def request_ctx(request: Request) -> RequestCtx:
    return request.scope["emulator"]  # type: ignore[no-any-return]

"""Rendering shared by the routes, the admin endpoints and the gateway: Twilio's JSON bodies,
header spelling, and the per-request context the gateway resolves for the routes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from twilio_memory_emulator.errors import ApiError

__all__ = [
    "RequestCtx",
    "path_args",
    "render_error",
    "render_json",
    "request_base_url",
    "request_ctx",
]

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

"""The two shapes most control-plane routes share: an asynchronous write answered 202
(:func:`write_route`) and a read of one resource with its ETag (:func:`read_route`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from twilio_memory_emulator.api.operations import render_accepted
from twilio_memory_emulator.api.route import ApiRoute, B, bound_route
from twilio_memory_emulator.engine.writes import Accepted, WriteRequest
from twilio_memory_emulator.http.responses import path_args, render_json, request_ctx
from twilio_memory_emulator.protocol import parse_body, parse_json
from twilio_memory_emulator.spec import check_request

__all__ = ["read_route", "write_route"]


def _write_request(request: Request) -> WriteRequest:
    """What every write passes on besides its body: account, fault decision, conditional headers."""
    ctx = request_ctx(request)
    return WriteRequest(
        account=ctx.account,
        fail=ctx.fail,
        if_match=request.headers.get("if-match"),
        idempotency_key=request.headers.get("idempotency-key"),
        raw=ctx.body,
    )


def _judged_body(request: Request, method: str, template: str, model: type[BaseModel]) -> BaseModel:
    """The body as the wire model, judged by Twilio's spec first, then by the business rules.

    A PATCH may send an empty body (a merge-patch of nothing); other writes with a model need one.
    """
    raw = request_ctx(request).body
    judged = None
    if raw.strip() or method != "PATCH":
        judged = check_request(method, template, parse_json(raw))
        if not judged.shapes_only:
            judged.raise_problems()
        raw = json.dumps(judged.data).encode()
    parsed = parse_body(model, raw, empty_ok=method == "PATCH")
    if judged is not None:
        judged.raise_problems()  # a shape the spec refuses and the rules did not catch
    return parsed


def write_route(
    method: str,
    template: str,
    action: Callable[[B], Callable[..., Accepted]],
    body: type[BaseModel] | None = None,
) -> ApiRoute[B]:
    """A write: ``action(write request, *path parameters[, parsed body])``, answered 202."""

    async def answer(request: Request, write: Callable[..., Accepted]) -> Response:
        args: list[Any] = path_args(request, template)
        if body is not None:
            args.append(_judged_body(request, method, template, body))
        return render_accepted(request, write(_write_request(request), *args))

    return bound_route(method, template, action, answer)


def read_route(
    template: str, action: Callable[[B], Callable[..., tuple[dict[str, Any], str]]]
) -> ApiRoute[B]:
    """A GET of one Memory resource: ``action(account, *path parameters)``, with its ETag header."""

    async def answer(request: Request, read: Callable[..., tuple[dict[str, Any], str]]) -> Response:
        body, etag = read(request_ctx(request).account, *path_args(request, template))
        return render_json(body, headers={"ETag": etag})

    return bound_route("GET", template, action, answer)

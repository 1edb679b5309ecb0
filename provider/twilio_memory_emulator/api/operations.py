"""What both control planes answer about asynchronous operations: the 202 of an accepted write
(:func:`render_accepted`) and an operation's status (:func:`operation_view`). URLs are built here,
from the request's base URL; the services return records and times."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from twilio_memory_emulator.api.route import ApiRoute, B, bound_route
from twilio_memory_emulator.engine.operations import retry_after
from twilio_memory_emulator.engine.paths import operation_path
from twilio_memory_emulator.engine.writes import Accepted
from twilio_memory_emulator.http.responses import path_args, render_json, request_base_url, request_ctx
from twilio_memory_emulator.protocol import iso
from twilio_memory_emulator.state_schema import OperationRec

__all__ = ["CONVERSATIONS_ORIGIN", "operation_route", "operation_view", "render_accepted"]

#: Where Conversations lives: a FAILED operation's ``error.instance`` is an absolute URI under it.
CONVERSATIONS_ORIGIN = "https://conversations.twilio.com"

#: Reads an operation: (account, operation id) -> (a copy of it, the time it was read at).
ReadOperation = Callable[[str, str], tuple[OperationRec, float]]


def render_accepted(request: Request, accepted: Accepted) -> Response:
    """202 with the operation's ``statusUrl`` and the Operation-Id/Location/Retry-After headers."""
    status_url = request_base_url(request) + operation_path(accepted.product, accepted.operation_id)
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


def operation_view(op: OperationRec, now: float, base_url: str) -> dict[str, Any]:
    """An operation as its product's spec shows it. Memory shows RUNNING from half-way to due and
    the result's URL; Conversations shows only PENDING, COMPLETED and FAILED, with related ids."""
    path = operation_path(op.product, op.id)
    if op.product != "memory":
        return {
            "operationId": op.id,
            "status": op.status,
            "createdAt": iso(op.created_at),
            "completedAt": iso(op.completed_at) if op.completed_at is not None else None,
            "statusUrl": base_url + path,
            "error": (
                {
                    **_failure(op, status=500),
                    "instance": CONVERSATIONS_ORIGIN + path,
                }  # absolute, as specified
                if op.status == "FAILED"
                else None
            ),
            "related": {"configurationId": op.change["id"]},
        }
    running = op.status == "PENDING" and now >= (op.created_at + op.due_at) / 2
    view: dict[str, Any] = {
        "operationId": op.id,
        "status": "RUNNING" if running else op.status,
        "createdAt": iso(op.created_at),
        "statusUrl": base_url + path,
    }
    if op.completed_at is not None:
        view["completedAt"] = iso(op.completed_at)
    if op.status == "COMPLETED" and op.result_id is not None:
        view["result"] = {"type": "RESOURCE_ID", "id": op.result_id}
        if op.result_path is not None:
            view["resultUrl"] = base_url + op.result_path
    if op.status == "FAILED":
        view["error"] = _failure(op, code=20500)
    return view


def _failure(op: OperationRec, **status: int) -> dict[str, Any]:
    """The 20500 problem of a FAILED operation; ``status`` is the field each product adds."""
    return {
        "type": "https://www.twilio.com/docs/api/errors/20500",
        "title": "Operation failed",
        **status,
        "detail": op.error or "The operation failed",
    }


def operation_route(template: str, action: Callable[[B], ReadOperation]) -> ApiRoute[B]:
    """A GET of an operation's status, with the Operation-Id and Retry-After headers."""

    async def answer(request: Request, read: ReadOperation) -> Response:
        [op_id] = path_args(request, template)
        op, now = read(request_ctx(request).account, op_id)
        headers = {"Operation-Id": op_id, "Retry-After": str(retry_after(op, now))}
        return render_json(operation_view(op, now, request_base_url(request)), headers=headers)

    return bound_route("GET", template, action, answer)

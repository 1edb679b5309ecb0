"""The gateway every request passes through, a plain ASGI wrapper, in this order:

1. ``/_emulator/...`` admin endpoints, guarded by the loopback rule or ``--control-token``;
   never counted in stats, never faulted;
2. route resolution to a template such as ``PATCH /v1/ControlPlane/Stores/{storeId}``;
3. HTTP Basic authentication (:class:`Credentials`: Account SID + auth token, or API key + secret);
4. the request-body size limit (413);
5. fault rules (latency, injected errors, dropped connections, failed operations);
6. the route; an :class:`~twilio_memory_emulator.errors.ApiError` becomes Twilio's error body, any
   other exception is logged and becomes a 500 with the same body shape;
7. request counting by route template and status (:class:`Stats`), whatever the outcome.

It is handed its routes (the API's and the admin endpoints') by the app and imports no product.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence

from starlette.responses import Response
from starlette.routing import Match, Route, Router
from starlette.types import Message, Receive, Scope, Send

from twilio_memory_emulator.defaults import MAX_BODY_BYTES
from twilio_memory_emulator.engine.faults import FaultRegistry
from twilio_memory_emulator.engine.paths import ADMIN
from twilio_memory_emulator.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    error_body,
    resource_not_found,
)
from twilio_memory_emulator.http.credentials import Credentials
from twilio_memory_emulator.http.responses import RequestCtx, render_error, render_json
from twilio_memory_emulator.http.stats import Stats
from twilio_memory_emulator.spec import check_query

__all__ = ["ADMIN_TOKEN_HEADER", "HEALTH_PATH", "Gateway"]

log = logging.getLogger("twilio_memory_emulator")

#: The one admin endpoint open to anyone (liveness probes): it answers only ``{"status": "ok"}``.
HEALTH_PATH = f"{ADMIN}/health"
ADMIN_TOKEN_HEADER = "x-emulator-control-token"  # noqa: S105 - a header name, not a secret


async def _send_response(send: Send, response: Response, scope: Scope, receive: Receive) -> None:
    await response(scope, receive, send)


async def _drop_connection(send: Send) -> None:
    """Close the TCP connection with no answer (uvicorn exposes its transport on ``send``)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        for _ in range(3):  # let uvicorn see the disconnect before the app returns
            await asyncio.sleep(0)
        return
    # Fallback: promise a body and never send it; the server then closes the connection.
    await send({"type": "http.response.start", "status": 500, "headers": [(b"content-length", b"1")]})


class Gateway:
    """The ASGI app: admin endpoints, auth, limits, faults, stats, error mapping, then routes."""

    def __init__(
        self,
        api_routes: Sequence[Route],
        admin_routes: Sequence[Route],
        credentials: Credentials,
        faults: FaultRegistry,
        stats: Stats,
        *,
        control_token: str | None = None,
        loopback: bool = True,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.credentials = credentials
        self.faults = faults
        self.stats = stats
        self.max_body = max_body
        self._control_token = control_token
        self._loopback = loopback
        self._api_routes = list(api_routes)
        self._api = Router(routes=self._api_routes)
        self._control = Router(routes=list(admin_routes))

    def _resolve(self, scope: Scope) -> tuple[str | None, bool]:
        """(route template, method allowed) for an API request; (None, False) if no path matches."""
        template = None
        for route in self._api_routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route.path, True
            if match is Match.PARTIAL:
                template = route.path
        return template, False

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    raise BadRequest("Content-Length header is not a number") from None
                if declared > self.max_body:
                    raise PayloadTooLarge(f"Request body is larger than {self.max_body} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise PayloadTooLarge(f"Request body is larger than {self.max_body} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _check_control_access(self, scope: Scope) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self._control_token is not None:
            presented = headers.get(ADMIN_TOKEN_HEADER, "")
            auth = headers.get("authorization", "")
            if auth[:7].lower() == "bearer ":
                presented = presented or auth[7:].strip()
            if not hmac.compare_digest(presented.encode(), self._control_token.encode()):
                raise Forbidden(
                    "Control endpoints need the X-Emulator-Control-Token header given by --control-token"
                )
        elif not self._loopback:
            raise Forbidden(
                "Control endpoints are disabled: the emulator is not bound to loopback "
                "and no --control-token was set"
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._api(scope, receive, send)
            return
        if scope["path"] == ADMIN or scope["path"].startswith(ADMIN + "/"):
            await self._serve_control(scope, receive, send)
            return
        method = scope["method"]
        template, allowed = self._resolve(scope)
        label = f"{method} {template or '<unmatched>'}"
        sent: dict[str, int] = {}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
                request_id = (
                    b"Twilio-Request-Id",
                    ("RQ" + secrets.token_hex(16)).encode(),
                )  # as Twilio sends
                message = {**message, "headers": [*message.get("headers", []), request_id]}
            await send(message)

        try:
            await self._serve_api(scope, receive, counting_send, send, template=template, allowed=allowed)
        finally:
            self.stats.record(label, str(sent["status"]) if "status" in sent else "dropped")

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, call: Callable[[], Awaitable[None]]
    ) -> None:
        """Run ``call``; map ApiError to Twilio's body and anything else to a logged 500."""
        try:
            await call()
        except ApiError as exc:
            await _send_response(send, render_error(exc), scope, receive)
        except Exception:
            log.exception("unexpected error while handling %s %s", scope.get("method"), scope.get("path"))
            body = error_body(500, 20500, "Internal Server Error (emulator bug: see the emulator log)")
            await _send_response(send, render_json(body, 500), scope, receive)

    async def _serve_control(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def call() -> None:
            # Liveness probes (a CI service container's health check) need no token; the answer
            # says nothing but "ok". Everything else under /_emulator/ stays guarded.
            if not (scope["path"] == HEALTH_PATH and scope["method"] in ("GET", "HEAD")):
                self._check_control_access(scope)
            body = await self._read_body(scope, receive)
            await self._dispatch(self._control, scope, body, send, _control_not_found)

        await self._guarded(scope, receive, send, call)

    async def _serve_api(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        raw_send: Send,
        *,
        template: str | None,
        allowed: bool,
    ) -> None:
        async def call() -> None:
            headers = dict(scope.get("headers", []))
            authorization = headers.get(b"authorization", b"").decode("latin-1") or None
            account = self.credentials.authenticate(authorization)
            if template is None:
                raise resource_not_found(scope["path"])
            if not allowed:
                raise MethodNotAllowed(f"Method {scope['method']} is not allowed on {template}")
            body = await self._read_body(scope, receive)
            decision = self.faults.evaluate(scope["method"], template, account)
            if decision.latency:
                await asyncio.sleep(decision.latency)
            if decision.phase == "before" and decision.drop:
                await _drop_connection(raw_send)
                return
            if decision.phase == "before" and decision.error is not None:
                raise decision.error
            check_query(scope["method"], template, scope.get("query_string", b""))
            scope["emulator"] = RequestCtx(account=account, body=body, fail=decision.fail_operation)
            if decision.phase == "after" and (decision.drop or decision.error is not None):
                await self._guarded(
                    scope, receive, _discard, lambda: self._dispatch(self._api, scope, body, _discard)
                )
                if decision.drop:
                    await _drop_connection(raw_send)
                    return
                assert decision.error is not None
                raise decision.error
            await self._dispatch(self._api, scope, body, send)

        await self._guarded(scope, receive, send, call)

    @staticmethod
    async def _dispatch(
        router: Router,
        scope: Scope,
        body: bytes,
        send: Send,
        not_found: Callable[[Scope], ApiError] | None = None,
    ) -> None:
        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        for route in router.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                await route.handle(scope, replay, send)
                return
        if any(route.matches(scope)[0] is Match.PARTIAL for route in router.routes):
            raise MethodNotAllowed(f"Method {scope['method']} is not allowed on {scope['path']}")
        raise (not_found or _api_not_found)(scope)


async def _discard(message: Message) -> None:
    """A ``send`` that swallows the response (for faults that lose the answer after the change)."""


def _api_not_found(scope: Scope) -> ApiError:
    return resource_not_found(scope["path"])


def _control_not_found(scope: Scope) -> ApiError:
    return NotFound(f"No control endpoint {scope['path']}")

"""HTTP layer of the emulator: thin routes plus the gateway every request passes through.

Routes only parse (path, query, headers, body via the shared wire models), call one
:class:`~twilio_memory_emulator.backend.Backend` method and render JSON. Everything around them
lives in :class:`Gateway`, a plain ASGI wrapper, in this order:

1. ``/_emulator/...`` control endpoints (reset, stats, faults, clock, settings, state), guarded by
   the loopback rule or ``--control-token``; never counted in stats, never faulted;
2. route resolution to a template such as ``PATCH /v1/ControlPlane/Stores/{storeId}``;
3. HTTP Basic authentication (Account SID + auth token, or API key + secret of an account);
4. the request-body size limit (413);
5. fault rules (latency, injected errors, dropped connections, failed operations);
6. the route; a :class:`~twilio_memory_emulator.errors.ApiError` becomes Twilio's error body, any
   other exception is logged and becomes a 500 with the same body shape;
7. request counting by route template and status, whatever the outcome.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import re
import secrets
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route, Router
from starlette.types import Message, Receive, Scope, Send
from twilio_memory_api import models

from twilio_memory_emulator.backend import (
    Accepted,
    Backend,
    DataMappingCreate,
    DataMappingPatch,
    WriteRequest,
)
from twilio_memory_emulator.bodies import TraitGroupCreateBody
from twilio_memory_emulator.defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
    MAX_BODY_BYTES,
)
from twilio_memory_emulator.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    error_body,
)
from twilio_memory_emulator.faults import FaultRegistry
from twilio_memory_emulator.protocol import iso, parse_body, parse_bool, parse_json, parse_page_request
from twilio_memory_emulator.spec import check_request

__all__ = [
    "Credentials",
    "Gateway",
    "Stats",
    "api_route_templates",
    "create_app",
]

log = logging.getLogger("twilio_memory_emulator")


_V1 = "/v1/ControlPlane"
_V2 = "/v2/ControlPlane"
_CONTROL_PREFIX = "/_emulator"
_CONTROL_HEADER = "x-emulator-control-token"


# ------------------------------------------------------------------------------------------------
# Credentials and stats
# ------------------------------------------------------------------------------------------------


@dataclass
class Credentials:
    """Accounts (SID -> auth token) and API keys (key SID -> (secret, owning account SID))."""

    accounts: dict[str, str] = field(default_factory=dict)
    api_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Credentials:
        return cls(
            accounts={DEFAULT_ACCOUNT_SID: DEFAULT_AUTH_TOKEN},
            api_keys={DEFAULT_API_KEY_SID: (DEFAULT_API_KEY_SECRET, DEFAULT_ACCOUNT_SID)},
        )

    def __repr__(self) -> str:  # never show secrets
        return f"Credentials(accounts={sorted(self.accounts)}, api_keys={sorted(self.api_keys)})"

    def authenticate(self, authorization: str | None) -> str:
        """The Account SID a Basic ``Authorization`` header belongs to; 401 otherwise."""
        if not authorization or not authorization[:6].lower() == "basic ":
            raise Unauthorized()
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized() from None
        user, sep, password = decoded.partition(":")
        if not sep:
            raise Unauthorized()
        if user in self.accounts:
            expected, account = self.accounts[user], user
        elif user in self.api_keys:
            expected, account = self.api_keys[user]
        else:
            raise Unauthorized()
        if not hmac.compare_digest(expected.encode(), password.encode()):
            raise Unauthorized()
        return account


class Stats:
    """Request counters by route template and status; holds no credential or body, ever."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._routes: Counter[str] = Counter()
            self._statuses: Counter[str] = Counter()
            self._pairs: dict[str, Counter[str]] = {}
            self._since = self._clock()

    def record(self, route: str, status: str) -> None:
        with self._lock:
            self._routes[route] += 1
            self._statuses[status] += 1
            self._pairs.setdefault(route, Counter())[status] += 1

    def view(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._routes.values()),
                "byRoute": dict(sorted(self._routes.items())),
                "byStatus": dict(sorted(self._statuses.items())),
                "byRouteStatus": {route: dict(sorted(c.items())) for route, c in sorted(self._pairs.items())},
                "since": iso(self._since),
            }


# ------------------------------------------------------------------------------------------------
# Rendering helpers
# ------------------------------------------------------------------------------------------------


_HEADER_CASE = {"etag": "ETag", "www-authenticate": "WWW-Authenticate"}


def _canonical(name: bytes) -> bytes:
    """``operation-id`` -> ``Operation-Id``: the SDK hands users a plain dict of header names."""
    text = name.decode("latin-1").lower()
    return _HEADER_CASE.get(text, "-".join(p.capitalize() for p in text.split("-"))).encode("latin-1")


def _json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    response = Response(
        content, status_code=status, headers=dict(headers or {}), media_type="application/json"
    )
    response.raw_headers = [(_canonical(k), v) for k, v in response.raw_headers]
    return response


def _error(exc: ApiError) -> Response:
    return _json(exc.body(), exc.status, exc.headers)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _accepted(request: Request, accepted: Accepted) -> Response:
    """202 with the operation's ``statusUrl`` and the Operation-Id/Location/Retry-After headers."""
    prefix = _V1 if accepted.product == "memory" else _V2
    status_url = f"{_base_url(request)}{prefix}/Operations/{accepted.operation_id}"
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
    return _json(body, 202, headers)


@dataclass
class _Ctx:
    """Per-request values the gateway resolved before the route runs."""

    account: str
    body: bytes
    fail: bool


def _ctx(request: Request) -> _Ctx:
    return request.scope["emulator"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------------
# API routes
# ------------------------------------------------------------------------------------------------


def _write_request(request: Request) -> WriteRequest:
    """What every write passes on besides its body: account, fault decision, conditional headers."""
    ctx = _ctx(request)
    return WriteRequest(
        account=ctx.account,
        fail=ctx.fail,
        if_match=request.headers.get("if-match"),
        idempotency_key=request.headers.get("idempotency-key"),
        raw=ctx.body,
    )


def _path_args(request: Request, path: str) -> list[str]:
    """The request's path parameters in the order the route template names them."""
    return [request.path_params[name] for name in re.findall(r"{(\w+)}", path)]


def _write(
    method: str, path: str, action: Callable[..., Accepted], body: type[BaseModel] | None = None
) -> Route:
    """A write: ``action(write request, *path parameters[, parsed body])``, answered 202.

    A PATCH may send an empty body (a merge-patch of nothing); other writes with a model need one.
    """

    async def endpoint(request: Request) -> Response:
        args: list[Any] = _path_args(request, path)
        if body is not None:
            raw = _ctx(request).body
            judged = None
            if raw.strip() or method != "PATCH":  # Twilio's spec first, then the business rules
                judged = check_request(method, path, parse_json(raw))
                if not judged.shapes_only:
                    judged.raise_problems()
                raw = json.dumps(judged.data).encode()
            args.append(parse_body(body, raw, empty_ok=method == "PATCH"))
            if judged is not None:
                judged.raise_problems()  # a shape the spec refuses and the rules did not catch
        return _accepted(request, action(_write_request(request), *args))

    return Route(path, endpoint, methods=[method])


def _read(path: str, action: Callable[..., tuple[dict[str, Any], str]]) -> Route:
    """A GET of one Memory resource: ``action(account, *path parameters)``, with its ETag header."""

    async def endpoint(request: Request) -> Response:
        body, etag = action(_ctx(request).account, *_path_args(request, path))
        return _json(body, headers={"ETag": etag})

    return Route(path, endpoint, methods=["GET"])


def _operation(path: str, action: Callable[[str, str, str], tuple[dict[str, Any], int]]) -> Route:
    """A GET of an operation's status, with the Operation-Id and Retry-After headers."""

    async def endpoint(request: Request) -> Response:
        [op_id] = _path_args(request, path)
        body, retry_after = action(_ctx(request).account, op_id, _base_url(request))
        return _json(body, headers={"Operation-Id": op_id, "Retry-After": str(retry_after)})

    return Route(path, endpoint, methods=["GET"])


class _Api:
    """Route handlers: parse -> backend -> JSON. No rule lives here.

    Writes, single reads and operation reads are built from the route table (:func:`_write`,
    :func:`_read`, :func:`_operation`); lists and reads with query parameters are methods here.
    """

    def __init__(self, backend: Backend) -> None:
        self.b = backend

    async def list_stores(self, request: Request) -> Response:
        page = parse_page_request(request.query_params, max_size=100)
        return _json(self.b.list_stores(_ctx(request).account, page))

    async def list_trait_groups(self, request: Request) -> Response:
        query = request.query_params
        page = parse_page_request(query, max_size=100)
        include = parse_bool(query, "includeTraits", False)
        return _json(
            self.b.list_trait_groups(
                _ctx(request).account, request.path_params["storeId"], page, include_traits=include
            )
        )

    async def get_trait_group(self, request: Request) -> Response:
        query = request.query_params
        page = parse_page_request(query, max_size=100)
        include = parse_bool(query, "includeTraits", True)
        params = request.path_params
        body, etag = self.b.get_trait_group(
            _ctx(request).account, params["storeId"], params["traitGroupName"], page, include_traits=include
        )
        return _json(body, headers={"ETag": etag})

    async def list_data_mappings(self, request: Request) -> Response:
        page = parse_page_request(request.query_params, max_size=100)
        type_ = request.query_params.get("type")
        return _json(
            self.b.list_data_mappings(
                _ctx(request).account, request.path_params["storeId"], page, type_=type_
            )
        )

    async def list_configurations(self, request: Request) -> Response:
        query = request.query_params
        page = parse_page_request(query, max_size=1000, order=False)
        store_filter = query.get("memoryStoreId")
        return _json(self.b.list_configurations(_ctx(request).account, page, memory_store_id=store_filter))

    async def get_configuration(self, request: Request) -> Response:
        return _json(self.b.get_configuration(_ctx(request).account, request.path_params["id"]))

    def routes(self) -> list[Route]:
        b = self.b
        stores = f"{_V1}/Stores"
        store = f"{stores}/{{storeId}}"
        groups = f"{store}/TraitGroups"
        group = f"{groups}/{{traitGroupName}}"
        irs = f"{store}/IdentityResolutionSettings"
        mappings = f"{store}/DataMappings"
        mapping = f"{mappings}/{{dataMappingId}}"
        configs = f"{_V2}/Configurations"
        config = f"{configs}/{{id}}"
        return [
            _write("POST", stores, b.create_store, models.StoreCreate),
            Route(stores, self.list_stores, methods=["GET"]),
            _read(store, b.get_store),
            _write("PATCH", store, b.update_store, models.StoreUpdate),
            _write("DELETE", store, b.delete_store),
            _write("POST", groups, b.create_trait_group, TraitGroupCreateBody),
            Route(groups, self.list_trait_groups, methods=["GET"]),
            Route(group, self.get_trait_group, methods=["GET"]),
            _write("PATCH", group, b.update_trait_group, models.TraitGroupUpdate),
            _write("DELETE", group, b.delete_trait_group),
            _read(irs, b.get_identity_resolution),
            _write("PUT", irs, b.put_identity_resolution, models.IdentityResolutionSettingsPut),
            _write("POST", mappings, b.create_data_mapping, DataMappingCreate),
            Route(mappings, self.list_data_mappings, methods=["GET"]),
            _read(mapping, b.get_data_mapping),
            _write("PATCH", mapping, b.update_data_mapping, DataMappingPatch),
            _write("DELETE", mapping, b.delete_data_mapping),
            _operation(f"{_V1}/Operations/{{operationId}}", b.get_memory_operation),
            _write("POST", configs, b.create_configuration, models.ConfigurationCreate),
            Route(configs, self.list_configurations, methods=["GET"]),
            Route(config, self.get_configuration, methods=["GET"]),
            _write("PUT", config, b.replace_configuration, models.ConfigurationPut),
            _write("PATCH", config, b.patch_configuration, models.ConfigurationPatch),
            _write("DELETE", config, b.delete_configuration),
            _operation(f"{_V2}/Operations/{{id}}", b.get_conversations_operation),
        ]


def api_route_templates() -> list[str]:
    """Every API route template (what stats count and fault rules match on)."""
    seen: dict[str, None] = {}
    for route in _Api(Backend()).routes():
        seen[route.path] = None
    return list(seen)


# ------------------------------------------------------------------------------------------------
# Control endpoints (/_emulator/...)
# ------------------------------------------------------------------------------------------------


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadRequest("Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("Request body must be a JSON object")
    return data


def _seconds(data: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        if name in data:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise BadRequest(f"{name} must be a number of seconds")
            return float(value)
    return None


class _Control:
    def __init__(self, backend: Backend, faults: FaultRegistry, stats: Stats) -> None:
        self.b, self.faults, self.stats = backend, faults, stats

    async def health(self, request: Request) -> Response:
        return _json({"status": "ok"})

    async def reset(self, request: Request) -> Response:
        self.b.reset()
        self.faults.clear()
        self.stats.reset()
        return _json({"status": "reset"})

    async def get_stats(self, request: Request) -> Response:
        return _json(self.stats.view())

    async def delete_stats(self, request: Request) -> Response:
        self.stats.reset()
        return _json(self.stats.view())

    async def list_faults(self, request: Request) -> Response:
        return _json({"faults": self.faults.views()})

    async def add_faults(self, request: Request) -> Response:
        raw = await request.body()
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise BadRequest("Request body is not valid JSON") from None
        specs: list[Any] = data if isinstance(data, list) else [data]
        if not specs or not all(isinstance(s, dict) for s in specs):
            raise BadRequest("Send one fault rule object, or a list of them")
        try:
            for spec in specs:  # validate every rule before adding any
                self.faults.parse(spec)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        added = [self.faults.add(spec).view() for spec in specs]
        return _json({"faults": added}, 201)

    async def clear_faults(self, request: Request) -> Response:
        self.faults.clear()
        return _json({"faults": []})

    async def delete_fault(self, request: Request) -> Response:
        if not self.faults.remove(request.path_params["faultId"]):
            raise NotFound(f"No fault rule {request.path_params['faultId']!r}")
        return _json({"faults": self.faults.views()})

    async def get_clock(self, request: Request) -> Response:
        return _json(self.b.clock_state())

    async def advance_clock(self, request: Request) -> Response:
        seconds = _seconds(_json_object(await request.body()), "advance", "seconds")
        if seconds is None:
            raise BadRequest("advance: the number of seconds to move the clock forward is required")
        self.b.advance_clock(seconds)
        return _json(self.b.clock_state())

    async def get_settings(self, request: Request) -> Response:
        return _json(_settings_view(self.b))

    async def set_settings(self, request: Request) -> Response:
        data = _json_object(await request.body())
        unknown = set(data) - {"provisioningDelay", "operationDelay", "delayJitter"}
        if unknown:
            raise BadRequest(f"unknown setting(s): {', '.join(sorted(unknown))}")
        delays = (_seconds(data, name) for name in ("provisioningDelay", "operationDelay", "delayJitter"))
        self.b.update_settings(*delays)
        return _json(_settings_view(self.b))

    async def state(self, request: Request) -> Response:
        return _json(self.b.snapshot())

    def routes(self) -> list[Route]:
        p = _CONTROL_PREFIX
        return [
            Route(f"{p}/health", self.health, methods=["GET"]),
            Route(f"{p}/reset", self.reset, methods=["POST"]),
            Route(f"{p}/stats", self.get_stats, methods=["GET"]),
            Route(f"{p}/stats", self.delete_stats, methods=["DELETE"]),
            Route(f"{p}/faults", self.list_faults, methods=["GET"]),
            Route(f"{p}/faults", self.add_faults, methods=["POST"]),
            Route(f"{p}/faults", self.clear_faults, methods=["DELETE"]),
            Route(f"{p}/faults/{{faultId}}", self.delete_fault, methods=["DELETE"]),
            Route(f"{p}/clock", self.get_clock, methods=["GET"]),
            Route(f"{p}/clock", self.advance_clock, methods=["POST"]),
            Route(f"{p}/settings", self.get_settings, methods=["GET"]),
            Route(f"{p}/settings", self.set_settings, methods=["POST"]),
            Route(f"{p}/state", self.state, methods=["GET"]),
        ]


def _settings_view(backend: Backend) -> dict[str, Any]:
    s = asdict(backend.settings)
    return {
        "provisioningDelay": s["provisioning_delay"],
        "operationDelay": s["operation_delay"],
        "delayJitter": s["delay_jitter"],
    }


# ------------------------------------------------------------------------------------------------
# Gateway
# ------------------------------------------------------------------------------------------------


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
    """The ASGI app: control endpoints, auth, limits, faults, stats, error mapping, then routes."""

    def __init__(
        self,
        backend: Backend,
        credentials: Credentials,
        faults: FaultRegistry,
        *,
        control_token: str | None = None,
        loopback: bool = True,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.backend = backend
        self.credentials = credentials
        self.faults = faults
        self.stats = Stats(backend.now)
        self.max_body = max_body
        self._control_token = control_token
        self._loopback = loopback
        self._api_routes = _Api(backend).routes()
        self._api = Router(routes=self._api_routes)
        self._control = Router(routes=_Control(backend, faults, self.stats).routes())

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
            presented = headers.get(_CONTROL_HEADER, "")
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
        if scope["path"] == _CONTROL_PREFIX or scope["path"].startswith(_CONTROL_PREFIX + "/"):
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
            await _send_response(send, _error(exc), scope, receive)
        except Exception:
            log.exception("unexpected error while handling %s %s", scope.get("method"), scope.get("path"))
            body = error_body(500, 20500, "Internal Server Error (emulator bug: see the emulator log)")
            await _send_response(send, _json(body, 500), scope, receive)

    async def _serve_control(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def call() -> None:
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
                raise NotFound(f"The requested resource {scope['path']} was not found")
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
            scope["emulator"] = _Ctx(account=account, body=body, fail=decision.fail_operation)
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
    return NotFound(f"The requested resource {scope['path']} was not found")


def _control_not_found(scope: Scope) -> ApiError:
    return NotFound(f"No control endpoint {scope['path']}")


def create_app(
    backend: Backend | None = None,
    credentials: Credentials | None = None,
    faults: FaultRegistry | None = None,
    *,
    control_token: str | None = None,
    loopback: bool = True,
    max_body: int = MAX_BODY_BYTES,
) -> Gateway:
    """Build the ASGI app; the backend's fault registry and the gateway's are the same object."""
    faults = (
        faults
        or (backend.faults if backend and backend.faults else None)
        or FaultRegistry(api_route_templates())
    )
    if backend is None:
        backend = Backend(faults=faults)
    backend.faults = faults
    return Gateway(
        backend,
        credentials or Credentials.default(),
        faults,
        control_token=control_token,
        loopback=loopback,
        max_body=max_body,
    )

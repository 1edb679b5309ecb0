"""The API routes of both products' control planes: each parses (path, query, headers, body:
Twilio's spec first, then the wire models), calls one backend method and renders what it
returns. No rules here. The Memory data plane's routes are in :mod:`.dataplane_routes`."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio_memory_api import models

from twilio_memory_emulator.backend import Accepted, Backend, WriteRequest
from twilio_memory_emulator.bodies import TraitGroupCreateBody
from twilio_memory_emulator.dataplane_routes import DataPlaneApi
from twilio_memory_emulator.protocol import parse_body, parse_bool, parse_json, parse_page_request
from twilio_memory_emulator.responses import (
    path_args,
    render_accepted,
    render_json,
    request_base_url,
    request_ctx,
)
from twilio_memory_emulator.spec import check_request

__all__ = ["Api", "api_route_templates"]

log = logging.getLogger("twilio_memory_emulator")

_V1 = "/v1/ControlPlane"
_V2 = "/v2/ControlPlane"


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


def _write(
    method: str, path: str, action: Callable[..., Accepted], body: type[BaseModel] | None = None
) -> Route:
    """A write: ``action(write request, *path parameters[, parsed body])``, answered 202.

    A PATCH may send an empty body (a merge-patch of nothing); other writes with a model need one.
    """

    async def endpoint(request: Request) -> Response:
        args: list[Any] = path_args(request, path)
        if body is not None:
            raw = request_ctx(request).body
            judged = None
            if raw.strip() or method != "PATCH":  # Twilio's spec first, then the business rules
                judged = check_request(method, path, parse_json(raw))
                if not judged.shapes_only:
                    judged.raise_problems()
                raw = json.dumps(judged.data).encode()
            args.append(parse_body(body, raw, empty_ok=method == "PATCH"))
            if judged is not None:
                judged.raise_problems()  # a shape the spec refuses and the rules did not catch
        return render_accepted(request, action(_write_request(request), *args))

    return Route(path, endpoint, methods=[method])


def _read(path: str, action: Callable[..., tuple[dict[str, Any], str]]) -> Route:
    """A GET of one Memory resource: ``action(account, *path parameters)``, with its ETag header."""

    async def endpoint(request: Request) -> Response:
        body, etag = action(request_ctx(request).account, *path_args(request, path))
        return render_json(body, headers={"ETag": etag})

    return Route(path, endpoint, methods=["GET"])


def _operation(path: str, action: Callable[[str, str, str], tuple[dict[str, Any], int]]) -> Route:
    """A GET of an operation's status, with the Operation-Id and Retry-After headers."""

    async def endpoint(request: Request) -> Response:
        [op_id] = path_args(request, path)
        body, retry_after = action(request_ctx(request).account, op_id, request_base_url(request))
        return render_json(body, headers={"Operation-Id": op_id, "Retry-After": str(retry_after)})

    return Route(path, endpoint, methods=["GET"])


class Api:
    """Route handlers: parse -> backend -> JSON. No rule lives here.

    Writes, single reads and operation reads are built from the route table (:func:`_write`,
    :func:`_read`, :func:`_operation`); lists and reads with query parameters are methods here.
    """

    def __init__(self, backend: Backend) -> None:
        self.b = backend

    async def list_stores(self, request: Request) -> Response:
        page = parse_page_request(request.query_params, max_size=100)
        return render_json(self.b.list_stores(request_ctx(request).account, page))

    async def list_trait_groups(self, request: Request) -> Response:
        query = request.query_params
        page = parse_page_request(query, max_size=100)
        include = parse_bool(query, "includeTraits", False)
        return render_json(
            self.b.list_trait_groups(
                request_ctx(request).account, request.path_params["storeId"], page, include_traits=include
            )
        )

    async def get_trait_group(self, request: Request) -> Response:
        query = request.query_params
        page = parse_page_request(query, max_size=100)
        include = parse_bool(query, "includeTraits", True)
        params = request.path_params
        body, etag = self.b.get_trait_group(
            request_ctx(request).account,
            params["storeId"],
            params["traitGroupName"],
            page,
            include_traits=include,
        )
        return render_json(body, headers={"ETag": etag})

    async def list_data_mappings(self, request: Request) -> Response:
        page = parse_page_request(request.query_params, max_size=100)
        type_ = request.query_params.get("type")
        return render_json(
            self.b.list_data_mappings(
                request_ctx(request).account, request.path_params["storeId"], page, type_=type_
            )
        )

    async def list_configurations(self, request: Request) -> Response:
        query = request.query_params
        page = parse_page_request(query, max_size=1000, order=False)
        store_filter = query.get("memoryStoreId")
        return render_json(
            self.b.list_configurations(request_ctx(request).account, page, memory_store_id=store_filter)
        )

    async def get_configuration(self, request: Request) -> Response:
        return render_json(self.b.get_configuration(request_ctx(request).account, request.path_params["id"]))

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
            _write("POST", mappings, b.create_data_mapping, models.DataMappingCreate),
            Route(mappings, self.list_data_mappings, methods=["GET"]),
            _read(mapping, b.get_data_mapping),
            _write("PATCH", mapping, b.update_data_mapping, models.DataMappingPatch),
            _write("DELETE", mapping, b.delete_data_mapping),
            _operation(f"{_V1}/Operations/{{operationId}}", b.get_memory_operation),
            _write("POST", configs, b.create_configuration, models.ConfigurationCreate),
            Route(configs, self.list_configurations, methods=["GET"]),
            Route(config, self.get_configuration, methods=["GET"]),
            _write("PUT", config, b.replace_configuration, models.ConfigurationPut),
            _write("PATCH", config, b.patch_configuration, models.ConfigurationPatch),
            _write("DELETE", config, b.delete_configuration),
            _operation(f"{_V2}/Operations/{{id}}", b.get_conversations_operation),
            *DataPlaneApi(b).routes(),
        ]


def api_route_templates() -> list[str]:
    """Every API route template (what stats count and fault rules match on)."""
    seen: dict[str, None] = {}
    for route in Api(Backend()).routes():
        seen[route.path] = None
    return list(seen)

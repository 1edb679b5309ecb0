"""The routes of Memory's control plane (``/v1/ControlPlane``): stores, trait groups, identity
resolution settings, data mappings and operations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from twilio_memory_api import models

from twilio_memory_emulator.api.bodies import TraitGroupCreateBody
from twilio_memory_emulator.api.endpoints import read_route, write_route
from twilio_memory_emulator.api.operations import operation_route
from twilio_memory_emulator.api.route import ApiRoute, get_route
from twilio_memory_emulator.backend import Backend
from twilio_memory_emulator.engine import paths
from twilio_memory_emulator.http.responses import render_json, request_ctx
from twilio_memory_emulator.protocol import parse_bool, parse_page_request

__all__ = ["MEMORY_CONTROL_ROUTES"]

_PAGE_MAX = 100


async def _list_stores(b: Backend, request: Request) -> Response:
    page = parse_page_request(request.query_params, max_size=_PAGE_MAX)
    return render_json(b.list_stores(request_ctx(request).account, page))


async def _list_trait_groups(b: Backend, request: Request) -> Response:
    query = request.query_params
    page = parse_page_request(query, max_size=_PAGE_MAX)
    include = parse_bool(query, "includeTraits", False)
    store_id = request.path_params["storeId"]
    return render_json(
        b.list_trait_groups(request_ctx(request).account, store_id, page, include_traits=include)
    )


async def _get_trait_group(b: Backend, request: Request) -> Response:
    query = request.query_params
    page = parse_page_request(query, max_size=_PAGE_MAX)
    include = parse_bool(query, "includeTraits", True)
    params = request.path_params
    body, etag = b.get_trait_group(
        request_ctx(request).account,
        params["storeId"],
        params["traitGroupName"],
        page,
        include_traits=include,
    )
    return render_json(body, headers={"ETag": etag})


async def _list_data_mappings(b: Backend, request: Request) -> Response:
    page = parse_page_request(request.query_params, max_size=_PAGE_MAX)
    type_ = request.query_params.get("type")
    store_id = request.path_params["storeId"]
    return render_json(b.list_data_mappings(request_ctx(request).account, store_id, page, type_=type_))


MEMORY_CONTROL_ROUTES: list[ApiRoute[Backend]] = [
    write_route("POST", paths.STORES, lambda b: b.create_store, models.StoreCreate),
    get_route(paths.STORES, _list_stores),
    read_route(paths.STORE, lambda b: b.get_store),
    write_route("PATCH", paths.STORE, lambda b: b.update_store, models.StoreUpdate),
    write_route("DELETE", paths.STORE, lambda b: b.delete_store),
    write_route("POST", paths.TRAIT_GROUPS, lambda b: b.create_trait_group, TraitGroupCreateBody),
    get_route(paths.TRAIT_GROUPS, _list_trait_groups),
    get_route(paths.TRAIT_GROUP, _get_trait_group),
    write_route("PATCH", paths.TRAIT_GROUP, lambda b: b.update_trait_group, models.TraitGroupUpdate),
    write_route("DELETE", paths.TRAIT_GROUP, lambda b: b.delete_trait_group),
    read_route(paths.IDENTITY_RESOLUTION, lambda b: b.get_identity_resolution),
    write_route(
        "PUT",
        paths.IDENTITY_RESOLUTION,
        lambda b: b.put_identity_resolution,
        models.IdentityResolutionSettingsPut,
    ),
    write_route("POST", paths.DATA_MAPPINGS, lambda b: b.create_data_mapping, models.DataMappingCreate),
    get_route(paths.DATA_MAPPINGS, _list_data_mappings),
    read_route(paths.DATA_MAPPING, lambda b: b.get_data_mapping),
    write_route("PATCH", paths.DATA_MAPPING, lambda b: b.update_data_mapping, models.DataMappingPatch),
    write_route("DELETE", paths.DATA_MAPPING, lambda b: b.delete_data_mapping),
    operation_route(paths.MEMORY_OPERATION, lambda b: b.get_memory_operation),
]

"""The routes of Conversations v2's control plane (``/v2/ControlPlane``): configurations and
operations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from twilio_memory_api import models

from twilio_memory_emulator.api.endpoints import write_route
from twilio_memory_emulator.api.operations import operation_route
from twilio_memory_emulator.api.route import ApiRoute, get_route
from twilio_memory_emulator.backend import Backend
from twilio_memory_emulator.engine import paths
from twilio_memory_emulator.http.responses import render_json, request_ctx
from twilio_memory_emulator.protocol import parse_page_request

__all__ = ["CONVERSATIONS_ROUTES"]


async def _list_configurations(b: Backend, request: Request) -> Response:
    query = request.query_params
    page = parse_page_request(query, max_size=1000, order=False)
    store_filter = query.get("memoryStoreId")
    return render_json(
        b.list_configurations(request_ctx(request).account, page, memory_store_id=store_filter)
    )


async def _get_configuration(b: Backend, request: Request) -> Response:
    return render_json(b.get_configuration(request_ctx(request).account, request.path_params["id"]))


CONVERSATIONS_ROUTES: list[ApiRoute[Backend]] = [
    write_route("POST", paths.CONFIGURATIONS, lambda b: b.create_configuration, models.ConfigurationCreate),
    get_route(paths.CONFIGURATIONS, _list_configurations),
    get_route(paths.CONFIGURATION, _get_configuration),
    write_route("PUT", paths.CONFIGURATION, lambda b: b.replace_configuration, models.ConfigurationPut),
    write_route("PATCH", paths.CONFIGURATION, lambda b: b.patch_configuration, models.ConfigurationPatch),
    write_route("DELETE", paths.CONFIGURATION, lambda b: b.delete_configuration),
    operation_route(paths.CONVERSATIONS_OPERATION, lambda b: b.get_conversations_operation),
]

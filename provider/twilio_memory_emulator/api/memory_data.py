"""The routes of Memory's data plane (``/v1/Stores/{storeId}/Profiles...``): each parses the path,
the query and the body (judged by Twilio's data-plane spec, :mod:`twilio_memory_emulator.spec`),
calls one backend method and renders the JSON and headers it returns.

A request body may come compressed (``Content-Encoding: gzip`` or ``deflate``), as the spec allows
for Recall and the observation and summary creates. Imports (a pre-signed upload to Twilio's
storage) are not emulated.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from twilio_memory_emulator.api.route import ApiRoute, bound_route
from twilio_memory_emulator.backend import Backend
from twilio_memory_emulator.defaults import MAX_BODY_BYTES
from twilio_memory_emulator.engine import paths
from twilio_memory_emulator.errors import BadRequest, Moved, PayloadTooLarge
from twilio_memory_emulator.http.responses import path_args, render_json, request_base_url, request_ctx
from twilio_memory_emulator.memory_data.memory_kinds import OBSERVATIONS, SUMMARIES, MemoryFilter, MemoryKind
from twilio_memory_emulator.memory_data.profiles import Reply
from twilio_memory_emulator.protocol import parse_bool, parse_json, parse_page_request
from twilio_memory_emulator.spec import check_request

__all__ = ["MEMORY_DATA_ROUTES"]

_PAGE_MAX = 1000  # the data plane's PageSize parameter
_MAX_TRAIT_GROUPS_PARAM = 256
#: Query parameters -> the extra arguments a backend method takes after the path's.
QueryArgs = Callable[[Mapping[str, str]], list[Any]]


def _decoded(request: Request, raw: bytes) -> bytes:
    encoding = (request.headers.get("content-encoding") or "").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "deflate"):
        raise BadRequest(
            f"Content-Encoding {encoding!r} is not supported by the emulator: send gzip, deflate or none"
        )
    inflater = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
    try:
        body = inflater.decompress(raw, MAX_BODY_BYTES + 1)
    except zlib.error:
        raise BadRequest(
            f"Request body is not valid {encoding} data (Content-Encoding: {encoding})"
        ) from None
    if len(body) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise PayloadTooLarge(f"Request body is larger than {MAX_BODY_BYTES} bytes once decompressed")
    return body


def _body(request: Request, method: str, template: str) -> Any:
    """The JSON body as the spec judges it (a 400 names each field it refuses)."""
    raw = _decoded(request, request_ctx(request).body)
    if method == "PATCH" and not raw.strip():
        raw = b"{}"
    judged = check_request(method, template, parse_json(raw))
    judged.raise_problems()
    if not isinstance(judged.data, dict):
        raise BadRequest("Request body must be a JSON object")
    return judged.data


def _page(query: Mapping[str, str]) -> list[Any]:
    return [parse_page_request(query, max_size=_PAGE_MAX)]


def _trait_groups(query: Mapping[str, str]) -> set[str] | None:
    raw = query.get("traitGroups")
    if raw is None:
        return None
    if not 1 <= len(raw) <= _MAX_TRAIT_GROUPS_PARAM:
        raise BadRequest(
            f"traitGroups must be 1 to {_MAX_TRAIT_GROUPS_PARAM} characters (comma-separated names)"
        )
    return {name.strip() for name in raw.split(",") if name.strip()}


def _memory_filter(query: Mapping[str, str]) -> MemoryFilter:
    return MemoryFilter(
        source=query.get("source"),
        created_after=query.get("createdAfter"),
        created_before=query.get("createdBefore"),
        conversation_id=query.get("conversationId"),
    )


def _route(
    method: str,
    template: str,
    action: Callable[[Backend], Callable[..., Reply]],
    *,
    query: QueryArgs | None = None,
    body: bool = False,
    status: int = 200,
) -> ApiRoute[Backend]:
    """``action(account, *path parameters, *query arguments[, body]) -> (json, headers)``."""

    async def answer(request: Request, call: Callable[..., Reply]) -> Response:
        args: list[Any] = path_args(request, template)
        if query is not None:
            args += query(request.query_params)
        if body:
            args.append(_body(request, method, template))
        try:
            payload, headers = call(request_ctx(request).account, *args)
        except Moved as moved:  # the spec's Location is format: uri, absolute (and uri is the same URL)
            base = request_base_url(request)
            raise Moved(moved.status, base + moved.uri, moved.headers["Canonical-Profile-Id"]) from None
        return render_json(payload, status, headers)

    return bound_route(method, template, action, answer)


def _memory_routes(kind: MemoryKind) -> list[ApiRoute[Backend]]:
    """The five routes of observations or of summaries."""
    items = f"{paths.PROFILE}/{kind.collection}"
    item = f"{items}/{{{kind.id_param}}}"
    return [
        _route(
            "GET",
            items,
            lambda b: partial(b.list_memories, kind=kind),
            query=lambda q: [*_page(q), _memory_filter(q)],
        ),
        _route("POST", items, lambda b: partial(b.create_memories, kind=kind), body=True, status=202),
        _route("GET", item, lambda b: partial(b.get_memory, kind=kind)),
        _route("PATCH", item, lambda b: partial(b.patch_memory, kind=kind), body=True, status=202),
        _route("DELETE", item, lambda b: partial(b.delete_memory, kind=kind), status=202),
    ]


MEMORY_DATA_ROUTES: list[ApiRoute[Backend]] = [
    # Fixed names first: {profileId} would match them too.
    _route("PUT", f"{paths.PROFILES}/Bulk", lambda b: b.upsert_profiles, body=True, status=202),
    _route("POST", f"{paths.PROFILES}/Lookup", lambda b: b.lookup_profiles, body=True),
    _route("POST", paths.PROFILES, lambda b: b.create_profile, body=True, status=202),
    _route("GET", paths.PROFILES, lambda b: b.list_profiles, query=_page),
    _route("GET", paths.PROFILE, lambda b: b.get_profile, query=lambda q: [_trait_groups(q)]),
    _route("PATCH", paths.PROFILE, lambda b: b.patch_profile, body=True, status=202),
    _route("DELETE", paths.PROFILE, lambda b: b.delete_profile, status=202),
    _route(
        "GET",
        f"{paths.PROFILE}/Traits",
        lambda b: b.list_profile_traits,
        query=lambda q: [*_page(q), _trait_groups(q)],
    ),
    _route("GET", paths.IDENTIFIERS, lambda b: b.list_identifiers),
    _route("POST", paths.IDENTIFIERS, lambda b: b.add_identifier, body=True, status=202),
    _route("GET", paths.IDENTIFIER, lambda b: b.get_identifier),
    _route("PATCH", paths.IDENTIFIER, lambda b: b.update_identifier, body=True, status=202),
    _route(
        "DELETE",
        paths.IDENTIFIER,
        lambda b: b.delete_identifier,
        query=lambda q: [parse_bool(q, "removeAll", False)],
        status=202,
    ),
    _route("POST", f"{paths.PROFILE}/Recall", lambda b: b.recall, body=True),
    _route(
        "GET",
        f"{paths.PROFILE}/Observations/{{observationId}}/Revisions",
        lambda b: b.list_revisions,
        query=_page,
    ),
    *_memory_routes(OBSERVATIONS),
    *_memory_routes(SUMMARIES),
]

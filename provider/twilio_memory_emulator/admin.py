"""The emulator's admin endpoints under ``/_emulator/``, for tests and benchmarks: health, reset,
stats, faults, clock, settings and the state snapshot. The gateway decides who may call them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from twilio_memory_emulator.backend import Backend
from twilio_memory_emulator.engine.faults import FaultRegistry
from twilio_memory_emulator.engine.paths import ADMIN
from twilio_memory_emulator.errors import BadRequest, NotFound
from twilio_memory_emulator.http.responses import render_json
from twilio_memory_emulator.http.stats import Stats

__all__ = ["Admin"]


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


class Admin:
    """The admin endpoints over one backend, its fault registry and the gateway's stats."""

    def __init__(self, backend: Backend, faults: FaultRegistry, stats: Stats) -> None:
        self.b, self.faults, self.stats = backend, faults, stats

    async def health(self, request: Request) -> Response:
        return render_json({"status": "ok"})

    async def reset(self, request: Request) -> Response:
        self.b.reset()
        self.faults.clear()
        self.stats.reset()
        return render_json({"status": "reset"})

    async def get_stats(self, request: Request) -> Response:
        return render_json(self.stats.view())

    async def delete_stats(self, request: Request) -> Response:
        self.stats.reset()
        return render_json(self.stats.view())

    async def list_faults(self, request: Request) -> Response:
        return render_json({"faults": self.faults.views()})

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
        return render_json({"faults": added}, 201)

    async def clear_faults(self, request: Request) -> Response:
        self.faults.clear()
        return render_json({"faults": []})

    async def delete_fault(self, request: Request) -> Response:
        if not self.faults.remove(request.path_params["faultId"]):
            raise NotFound(f"No fault rule {request.path_params['faultId']!r}")
        return render_json({"faults": self.faults.views()})

    async def get_clock(self, request: Request) -> Response:
        return render_json(self.b.clock_state())

    async def advance_clock(self, request: Request) -> Response:
        seconds = _seconds(_json_object(await request.body()), "advance", "seconds")
        if seconds is None:
            raise BadRequest("advance: the number of seconds to move the clock forward is required")
        self.b.advance_clock(seconds)
        return render_json(self.b.clock_state())

    async def get_settings(self, request: Request) -> Response:
        return render_json(_settings_view(self.b))

    async def set_settings(self, request: Request) -> Response:
        data = _json_object(await request.body())
        names = ("provisioningDelay", "operationDelay", "delayJitter", "indexDelay")
        unknown = set(data) - set(names)
        if unknown:
            raise BadRequest(f"unknown setting(s): {', '.join(sorted(unknown))}")
        delays = (_seconds(data, name) for name in names)
        self.b.update_settings(*delays)
        return render_json(_settings_view(self.b))

    async def state(self, request: Request) -> Response:
        return render_json(self.b.snapshot())

    def routes(self) -> list[Route]:
        p = ADMIN
        return [
            Route(f"{p}/health", self.health, methods=["GET", "HEAD"]),
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
        "indexDelay": s["index_delay"],
    }

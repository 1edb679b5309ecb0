"""A route of the API as data: method, template and how to build its endpoint over a backend, so
the templates are listed (fault rules, stats) without building one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from twilio_memory_emulator.backend import Backend

__all__ = ["ApiRoute", "Endpoint", "get_route"]

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class ApiRoute:
    method: str
    template: str
    endpoint: Callable[[Backend], Endpoint]

    def bind(self, backend: Backend) -> Route:
        return Route(self.template, self.endpoint(backend), methods=[self.method])


def get_route(template: str, handler: Callable[[Backend, Request], Awaitable[Response]]) -> ApiRoute:
    """A GET whose handler reads its own path and query parameters: ``handler(backend, request)``."""
    return ApiRoute("GET", template, lambda backend: partial(handler, backend))

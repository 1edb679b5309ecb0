"""A route of the API as data: method, template and how to build its endpoint over a backend, so
the templates are listed (fault rules, stats) without building one. Generic in the backend's type,
so the shapes of endpoints need not import the backend."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["ApiRoute", "Endpoint", "bound_route", "get_route"]

Endpoint = Callable[[Request], Awaitable[Response]]
A = TypeVar("A")
B = TypeVar("B")  # the backend


@dataclass(frozen=True)
class ApiRoute(Generic[B]):
    method: str
    template: str
    endpoint: Callable[[B], Endpoint]

    def bind(self, backend: B) -> Route:
        return Route(self.template, self.endpoint(backend), methods=[self.method])


def get_route(template: str, handler: Callable[[B, Request], Awaitable[Response]]) -> ApiRoute[B]:
    """A GET whose handler reads its own path and query parameters: ``handler(backend, request)``."""
    return ApiRoute("GET", template, lambda backend: partial(handler, backend))


def bound_route(
    method: str,
    template: str,
    action: Callable[[B], A],
    answer: Callable[[Request, A], Awaitable[Response]],
) -> ApiRoute[B]:
    """A route whose endpoint answers with ``answer(request, action)``, ``action`` being what
    ``action(backend)`` picks from the backend when the route is bound (so a replaced method is seen)."""

    def endpoint(backend: B) -> Endpoint:
        call = action(backend)

        async def handle(request: Request) -> Response:  # a coroutine function: Starlette awaits it
            return await answer(request, call)

        return handle

    return ApiRoute(method, template, endpoint)

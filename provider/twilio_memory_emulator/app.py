"""The composition root of the HTTP app: the route table (every API route, as data), bound to one
:class:`~.backend.Backend`, and the admin endpoints (:mod:`.admin`), handed to the gateway
(:mod:`.http.gateway`: auth, body limits, faults, stats, error mapping)."""

from __future__ import annotations

from twilio_memory_emulator.admin import Admin
from twilio_memory_emulator.api.conversations import CONVERSATIONS_ROUTES
from twilio_memory_emulator.api.memory_control import MEMORY_CONTROL_ROUTES
from twilio_memory_emulator.api.memory_data import MEMORY_DATA_ROUTES
from twilio_memory_emulator.api.route import ApiRoute
from twilio_memory_emulator.backend import Backend
from twilio_memory_emulator.defaults import MAX_BODY_BYTES
from twilio_memory_emulator.engine.faults import FaultRegistry
from twilio_memory_emulator.http.credentials import Credentials
from twilio_memory_emulator.http.gateway import Gateway
from twilio_memory_emulator.http.stats import Stats

__all__ = ["API_ROUTES", "Credentials", "Gateway", "Stats", "api_route_templates", "create_app"]

#: Every API route, in matching order.
API_ROUTES: list[ApiRoute[Backend]] = [*MEMORY_CONTROL_ROUTES, *CONVERSATIONS_ROUTES, *MEMORY_DATA_ROUTES]


def api_route_templates() -> list[str]:
    """Every API route template (what stats count and fault rules match on)."""
    return list(dict.fromkeys(route.template for route in API_ROUTES))


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
    stats = Stats(backend.now)
    return Gateway(
        [route.bind(backend) for route in API_ROUTES],
        Admin(backend, faults, stats).routes(),
        credentials or Credentials.default(),
        faults,
        stats,
        control_token=control_token,
        loopback=loopback,
        max_body=max_body,
    )

"""The emulator's ASGI app: the gateway (:mod:`.gateway`: auth, body limits, faults, stats, error
mapping) in front of the API routes (:mod:`.routes`) and the control endpoints (:mod:`.control`),
over one backend (:mod:`.backend`). Rendering shared by all three is in :mod:`.responses`.
"""

from __future__ import annotations

from twilio_memory_emulator.backend import Backend
from twilio_memory_emulator.defaults import MAX_BODY_BYTES
from twilio_memory_emulator.faults import FaultRegistry
from twilio_memory_emulator.gateway import Credentials, Gateway
from twilio_memory_emulator.routes import api_route_templates
from twilio_memory_emulator.stats import Stats

__all__ = ["Credentials", "Gateway", "Stats", "api_route_templates", "create_app"]


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

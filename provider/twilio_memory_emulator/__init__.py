"""Local emulator of Twilio Conversation Memory's and Conversations v2's control planes, and of
Memory's data plane (profiles, identity resolution, observations, summaries, Recall).

Run it with ``twilio-memory-emulator`` (or ``python -m twilio_memory_emulator``); embed it with
:func:`create_app` (an ASGI app) around a :class:`Backend`; start it from tests with
:class:`twilio_memory_emulator.testing.EmulatorServer`. See ``docs/emulator.md``.

Names are imported on first use, so the command line starts (and prints ``--help``) without
loading the server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from twilio_memory_emulator.defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
)

if TYPE_CHECKING:
    from twilio_memory_emulator.app import Credentials, create_app
    from twilio_memory_emulator.backend import Backend, Settings
    from twilio_memory_emulator.engine.faults import FaultRegistry

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_API_KEY_SECRET",
    "DEFAULT_API_KEY_SID",
    "DEFAULT_AUTH_TOKEN",
    "Backend",
    "Credentials",
    "FaultRegistry",
    "Settings",
    "create_app",
]

_LAZY = {
    "Backend": "twilio_memory_emulator.backend",
    "Settings": "twilio_memory_emulator.backend",
    "Credentials": "twilio_memory_emulator.app",
    "create_app": "twilio_memory_emulator.app",
    "FaultRegistry": "twilio_memory_emulator.engine.faults",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'twilio_memory_emulator' has no attribute {name!r}")

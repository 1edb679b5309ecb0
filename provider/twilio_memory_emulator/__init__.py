"""Local emulator of Twilio Conversation Memory's and Conversations v2's control planes.

Run it with ``twilio-memory-emulator`` (or ``python -m twilio_memory_emulator``); embed it with
:func:`create_app` (an ASGI app) around a :class:`Backend`. See ``docs/emulator.md``.
"""

from twilio_memory_emulator.app import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
    Credentials,
    create_app,
)
from twilio_memory_emulator.backend import Backend, Settings
from twilio_memory_emulator.faults import FaultRegistry

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

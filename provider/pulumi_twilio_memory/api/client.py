"""Re-export of :mod:`twilio_memory_api.client` (its old import path)."""

from twilio_memory_api import client as _wire
from twilio_memory_api.client import *  # noqa: F403

__all__ = list(_wire.__all__)

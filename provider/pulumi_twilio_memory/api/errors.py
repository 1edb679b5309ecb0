"""Re-export of :mod:`twilio_memory_api.errors` (its old import path)."""

from twilio_memory_api import errors as _wire
from twilio_memory_api.errors import *  # noqa: F403

__all__ = list(_wire.__all__)

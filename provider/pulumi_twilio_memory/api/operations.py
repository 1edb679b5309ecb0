"""Re-export of :mod:`twilio_memory_api.operations` (its old import path)."""

from twilio_memory_api import operations as _wire
from twilio_memory_api.operations import *  # noqa: F403

__all__ = list(_wire.__all__)

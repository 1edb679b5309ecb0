"""Re-export of :mod:`twilio_memory_api.models` (its old import path)."""

from twilio_memory_api import models as _wire
from twilio_memory_api.models import *  # noqa: F403

__all__ = list(_wire.__all__)

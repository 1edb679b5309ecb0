"""Where the wire layer used to live: a thin re-export of :mod:`twilio_memory_api`, so imports
written against ``pulumi_twilio_memory.api`` keep working (the wire package never imports pulumi;
importing it from here does, because ``pulumi_twilio_memory`` is the Pulumi package)."""

import twilio_memory_api as _wire
from twilio_memory_api.client import *  # noqa: F403
from twilio_memory_api.operations import *  # noqa: F403

__all__ = list(_wire.__all__)

"""The installed distribution's version (kept where it was; it lives in the wire package)."""

from twilio_memory_api._version import __version__

__all__ = ["__version__"]

"""The package version: the one place it is written (``pyproject.toml`` reads it at build time),
so the ``User-Agent`` header costs no ``importlib.metadata`` lookup at import."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"

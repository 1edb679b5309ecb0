"""The run-time knobs the command line sets and ``POST /_emulator/settings`` changes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Settings"]


@dataclass
class Settings:
    """Run-time knobs (``--provisioning-delay``, ``--operation-delay``, ``--delay-jitter``,
    ``--index-delay``), changeable via control. ``delay_jitter`` is a fraction: each delay is drawn
    uniformly from ``delay * (1 ± jitter)``, so concurrent writes finish out of order as they do on
    Twilio. ``index_delay``: how long a written observation or summary takes to reach Recall."""

    provisioning_delay: float = 2.0
    operation_delay: float = 0.5
    delay_jitter: float = 0.0
    index_delay: float = 0.0

"""Cancel for the native face: every wait of every call in flight ends at the engine's Cancel.

The resource core waits through a :class:`~twilio_memory_api.operations.Deadline`'s clock; the
native face gives each call a clock whose ``sleep`` returns early, raising, once Cancel came. A
create cancelled after its POST leaves the resource made but unrecorded, exactly like a lost
answer: the next ``pulumi up`` finds it (by its unique name or its recorded Idempotency-Key) instead
of making a second one.
"""

from __future__ import annotations

import threading
import time

__all__ = ["CancellableClock", "OperationCancelled"]


class OperationCancelled(BaseException):
    """Raised inside a wait after Cancel. A ``BaseException``, like ``asyncio.CancelledError``, so
    no ``except Exception`` of the core's retries and clean-ups mistakes it for an API error."""


class CancellableClock:
    """The system clock, except that ``sleep`` ends (raising) once :meth:`cancel` was called."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if self._cancelled.wait(max(seconds, 0)):
            raise OperationCancelled(
                "Cancelled by Pulumi (Ctrl-C or a stopped update) while waiting for Twilio: what was "
                "already sent may still complete there. Run `pulumi refresh`, then `pulumi up`: a "
                "resource made but not recorded is found again, never made twice."
            )

"""Cancel for the native face: every wait of every call in flight ends at the engine's Cancel.

The resource core waits through a :class:`~twilio_memory_api.operations.Deadline`'s clock; the
native face gives each call a clock whose ``sleep`` raises :class:`OperationCancelled` once Cancel
came. A create cancelled while waiting on a resource it already made reports that resource to the
engine as made but unfinished (see :mod:`.partial`), so the state records it and the next
``pulumi up`` finishes it instead of making a second one.
"""

from __future__ import annotations

import threading
import time

from twilio_memory_api.operations import WaitInterrupted

__all__ = ["CancellableClock", "OperationCancelled"]

CANCELLED = (
    "Cancelled by Pulumi (Ctrl-C or a stopped update) while waiting for Twilio. What was already sent "
    "may still complete there; nothing is made twice. Run `pulumi up` again: it finishes what was "
    "started, or, if it says a name is taken, names the resource to `pulumi import`."
)


class OperationCancelled(WaitInterrupted):
    """Raised inside a wait after Cancel (a ``BaseException``: nothing in the core retries it)."""


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
            raise OperationCancelled(CANCELLED)

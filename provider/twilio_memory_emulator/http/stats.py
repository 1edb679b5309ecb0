"""Counts of API requests by route template and status, for ``GET /_emulator/stats``: what the
gateway records for every request and the admin endpoints report and reset. Never ids, bodies
or credentials."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from twilio_memory_emulator.protocol import iso

__all__ = ["Stats"]


class Stats:
    """Request counters by route template and status; holds no credential or body, ever."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._routes: Counter[str] = Counter()
            self._statuses: Counter[str] = Counter()
            self._pairs: dict[str, Counter[str]] = {}
            self._since = self._clock()

    def record(self, route: str, status: str) -> None:
        with self._lock:
            self._routes[route] += 1
            self._statuses[status] += 1
            self._pairs.setdefault(route, Counter())[status] += 1

    def view(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._routes.values()),
                "byRoute": dict(sorted(self._routes.items())),
                "byStatus": dict(sorted(self._statuses.items())),
                "byRouteStatus": {route: dict(sorted(c.items())) for route, c in sorted(self._pairs.items())},
                "since": iso(self._since),
            }

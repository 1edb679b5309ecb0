"""The physical floor of ``pulumi up`` for N tenants: the emulator's delays, scheduled as well as
the engine and the provider host allow, with zero overhead for everything else.

Where the delays come from (``twilio_memory_emulator.engine``): every asynchronous write
completes ``operation_delay`` after it is accepted; a store's record appears when its create
operation completes and becomes ACTIVE ``provisioning_delay`` later. Per tenant that is:

* store: ``operation_delay + provisioning_delay`` (create returns only once ACTIVE);
* then, each needing the store id: the trait group (one write), identity resolution (one PUT)
  and the Conversations configuration (one write): ``operation_delay`` each.

Parallelism: a dynamic provider's ``create`` is synchronous and holds one of the provider host's
gRPC worker threads for its whole wait (``pulumi/dynamic/__main__.py`` builds its server on
``ThreadPoolExecutor(max_workers=4)``), and the engine runs at most ``--parallel`` steps at once
(default ``4 x GOMAXPROCS``, ``pkg/cmd/pulumi/operations/up.go``). So at most
``min(host_workers, engine_parallel)`` creates wait at the same time.

:func:`floor_seconds` list-schedules the jobs on that many slots, longest remaining path first
(stores before dependents), which is optimal or within a few percent for this shape; the
unlimited floor is the critical path, ``2 x operation_delay + provisioning_delay``.
"""

from __future__ import annotations

import heapq
import os
import re
from dataclasses import dataclass

import pulumi.dynamic

__all__ = [
    "HOST_WORKERS",
    "Floor",
    "engine_default_parallel",
    "floor_for",
    "floor_seconds",
    "host_workers",
]

#: ``grpc.server(futures.ThreadPoolExecutor(max_workers=4))`` in pulumi/dynamic/__main__.py (3.259).
HOST_WORKERS = 4


def host_workers() -> int:
    """Read the worker count from the installed SDK, so the floor follows an SDK upgrade."""
    path = os.path.join(os.path.dirname(pulumi.dynamic.__file__), "__main__.py")
    try:
        with open(path, encoding="utf-8") as handle:
            match = re.search(r"ThreadPoolExecutor\(max_workers=(\d+)\)", handle.read())
    except OSError:
        return HOST_WORKERS
    return int(match.group(1)) if match else HOST_WORKERS


def engine_default_parallel() -> int:
    """``pulumi up``'s default ``--parallel``: ``PULUMI_PARALLEL`` or 4 x GOMAXPROCS (= CPUs)."""
    raw = os.environ.get("PULUMI_PARALLEL", "")
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    procs = os.environ.get("GOMAXPROCS", "")
    cpus = int(procs) if procs.isdigit() and int(procs) > 0 else (os.cpu_count() or 1)
    return 4 * cpus


@dataclass(frozen=True)
class Floor:
    tenants: int
    slots: int
    seconds: float
    unlimited_seconds: float
    #: Total time creates spend waiting, summed over resources (slot-seconds).
    work_seconds: float


def floor_seconds(
    tenants: int, slots: int, provisioning_delay: float, operation_delay: float, dependents: int = 3
) -> float:
    """Makespan of the greedy longest-path-first schedule on ``slots`` parallel slots."""
    store = operation_delay + provisioning_delay
    # (priority, kind, duration): a store unlocks its dependents; stores go first.
    ready: list[tuple[float, int, float]] = [(-(store + operation_delay), 0, store) for _ in range(tenants)]
    heapq.heapify(ready)
    running: list[tuple[float, int]] = []  # (finish time, kind)
    now = 0.0
    while ready or running:
        while ready and len(running) < slots:
            _priority, kind, duration = heapq.heappop(ready)
            heapq.heappush(running, (now + duration, kind))
        now, kind = heapq.heappop(running)
        if kind == 0:
            for _ in range(dependents):
                heapq.heappush(ready, (-operation_delay, 1, operation_delay))
    return now


def floor_for(
    tenants: int,
    provisioning_delay: float,
    operation_delay: float,
    *,
    workers: int | None = None,
    parallel: int | None = None,
) -> Floor:
    slots = min(workers or host_workers(), parallel or engine_default_parallel())
    return Floor(
        tenants=tenants,
        slots=slots,
        seconds=floor_seconds(tenants, slots, provisioning_delay, operation_delay),
        unlimited_seconds=(2 * operation_delay + provisioning_delay) if tenants else 0.0,
        work_seconds=tenants * (provisioning_delay + 4 * operation_delay),
    )

"""Where the time of one ``pulumi up`` goes, from the provider-host trace of ``bench/hostprobe``.

The probe records when the program and the provider host start, and the start and end of every
provider RPC. Against the moment the CLI was started that splits the wall time into:

* **startup**: CLI start, program start (``import pulumi``, the package), resource registration,
  provider host start (``python -m pulumi.dynamic``), the first ``Check`` (which unpickles the
  provider, importing ``pulumi_twilio_memory``), up to the first ``Create``;
* **creates**: first ``Create`` start to last ``Create`` end, which the floor models;
* **teardown**: last ``Create`` end to CLI exit (outputs, the state checkpoint, plugin shutdown).

The native face's provider (``pulumi-resource-twilio-memory``) is traced the same way: its start
is the "host" start, and a Pulumi YAML program has no Python program start.

Inside the create phase, each ``Create`` is compared with the emulator delay it must wait
(:func:`physical_delay`): the excess is polling cadence, HTTP and the provider's own extra reads.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["HostTrace", "TypeStats", "physical_delay", "read_trace"]

#: The probe's roles of a provider process: the dynamic host, or the native provider plugin.
_PROVIDERS = ("provider_host", "native_provider")

RESOURCE_TYPES = ("Store", "TraitGroup", "IdentityResolutionSettings", "ConversationConfiguration")


def physical_delay(kind: str, provisioning_delay: float, operation_delay: float) -> float:
    """The emulator time a create must wait: a store's operation plus provisioning, else one operation."""
    return operation_delay + (provisioning_delay if kind == "Store" else 0.0)


@dataclass(frozen=True)
class TypeStats:
    kind: str
    count: int
    mean_seconds: float
    physical_seconds: float

    @property
    def excess_seconds(self) -> float:
        return self.mean_seconds - self.physical_seconds


@dataclass
class HostTrace:
    """Timeline of one command; times are seconds since the CLI was started."""

    program_start: float | None = None
    host_start: float | None = None
    host_serving: float | None = None
    host_workers: int | None = None
    first_create: float | None = None
    last_create_end: float | None = None
    create_busy_seconds: float = 0.0
    max_concurrent_creates: int = 0
    rpc_counts: dict[str, int] = field(default_factory=dict)
    creates: dict[str, list[float]] = field(default_factory=dict)
    #: Per tenant: a store's Create returned -> the first Create of its dependents began: the
    #: engine's round trip (outputs back to the program, Check of the dependents) plus any wait
    #: for a free slot of the host.
    dependency_hops: list[float] = field(default_factory=list)
    #: The provider processes that served a resource's ``Check`` or ``Create`` (the native face
    #: also starts one for the YAML language host's ``GetSchema`` alone).
    serving_pids: set[int] = field(default_factory=set)

    @property
    def create_phase(self) -> float | None:
        if self.first_create is None or self.last_create_end is None:
            return None
        return self.last_create_end - self.first_create

    def type_stats(self, provisioning_delay: float, operation_delay: float) -> list[TypeStats]:
        return [
            TypeStats(
                kind,
                len(self.creates[kind]),
                statistics.fmean(self.creates[kind]),
                physical_delay(kind, provisioning_delay, operation_delay),
            )
            for kind in RESOURCE_TYPES
            if self.creates.get(kind)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "program_start": self.program_start,
            "host_start": self.host_start,
            "host_serving": self.host_serving,
            "host_workers": self.host_workers,
            "first_create": self.first_create,
            "last_create_end": self.last_create_end,
            "create_phase": self.create_phase,
            "create_busy_seconds": self.create_busy_seconds,
            "max_concurrent_creates": self.max_concurrent_creates,
            "rpc_counts": self.rpc_counts,
            "create_seconds_by_type": self.creates,
            "dependency_hops": self.dependency_hops,
            "serving_processes": len(self.serving_pids),
        }


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    best = current = 0
    for _time, step in edges:
        current += step
        best = max(best, current)
    return best


def read_trace(path: Path, started: float) -> HostTrace:
    """Parse the probe's JSON lines; ``started`` is ``time.time()`` when the CLI was launched."""
    trace = HostTrace()
    if not path.exists():
        return trace
    intervals: list[tuple[float, float]] = []
    provider_starts: dict[int, float] = {}
    serves: dict[int, tuple[float, int | None]] = {}
    store_done: dict[str, float] = {}
    dependents_start: dict[str, float] = {}
    for line in path.read_text().splitlines():
        event = json.loads(line)
        kind = event["event"]
        if kind == "start" and event.get("role") == "program" and trace.program_start is None:
            trace.program_start = event["time"] - started
        elif kind == "start" and event.get("role") in _PROVIDERS:
            provider_starts.setdefault(event.get("pid", 0), event["time"] - started)
        elif kind == "serve":
            serves.setdefault(event.get("pid", 0), (event["time"] - started, event.get("workers")))
        elif kind == "rpc":
            method = event["method"]
            trace.rpc_counts[method] = trace.rpc_counts.get(method, 0) + 1
            if method in ("Check", "Create") and "pid" in event:
                trace.serving_pids.add(event["pid"])
            if method != "Create":
                continue
            start, end = event["start"] - started, event["end"] - started
            intervals.append((start, end))
            resource = event["type"].rsplit(":", 1)[-1]
            trace.creates.setdefault(resource, []).append(end - start)
            tenant = str(event.get("name", "")).split("/", 1)[0]
            if resource == "Store":
                store_done[tenant] = end
            else:
                dependents_start[tenant] = min(start, dependents_start.get(tenant, start))
    # The first provider process that served a resource (the native face's schema-only one aside).
    host = min(
        (pid for pid in provider_starts if pid in trace.serving_pids or not trace.serving_pids),
        key=provider_starts.__getitem__,
        default=None,
    )
    if host is not None:
        trace.host_start = provider_starts[host]
        trace.host_serving, trace.host_workers = serves.get(host, (None, None))
    trace.dependency_hops = [
        dependents_start[tenant] - done
        for tenant, done in sorted(store_done.items())
        if tenant in dependents_start
    ]
    if intervals:
        trace.first_create = min(start for start, _ in intervals)
        trace.last_create_end = max(end for _, end in intervals)
        trace.create_busy_seconds = sum(end - start for start, end in intervals)
        trace.max_concurrent_creates = _max_overlap(intervals)
    return trace

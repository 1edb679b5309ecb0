"""The Memory data plane at size: Recall latency, write throughput and the emulator's memory.

For each layout, a fresh emulator server (no delays: the data plane answers at once) gets one
store, its profiles (``POST /v1/Stores/{id}/Profiles`` with a ``Contact.email``), and then
``observations`` observations of varied customer-service text (:func:`observation_texts`),
10 per ``POST .../Observations`` (the spec's maximum), from one client, one request after
another, the batches going round-robin over the profiles. Layouts: **one profile** holding
every observation, and the same count **spread** over ``spread_profiles`` profiles.

Then Recall (``POST .../Profiles/{id}/Recall``), timed from the client (request to parsed
answer) beside the emulator's own ``meta.queryTime``:

* the **first** Recall with a query after the writes (it builds the profile's BM25 index);
* ``recalls`` repeated calls each **with a query** (rotating over :data:`QUERIES`), **without
  a query** (newest first) and **with a relevanceThreshold** (:data:`THRESHOLD`);
* spread layout: the same query Recall going round-robin over **every profile**;
* **write, then Recall**: ``alternations`` rounds of one new observation and one query Recall,
  what an agent that remembers every turn does (each write changes the profile's memories, so
  each Recall builds the index again).

The emulator's memory is read from ``/proc/<pid>/status`` (``VmRSS`` now, ``VmHWM`` the peak)
after start, before filling (store and profiles made), after filling, after the Recalls and after
the write-then-Recall rounds. Numbers only; nothing here judges a time.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from twilio_memory_emulator.testing import EmulatorServer

__all__ = ["FULL", "QUICK", "DataPlaneSize", "observation_texts", "run_dataplane"]

STORES = "/v1/ControlPlane/Stores"
#: The spec's maximum of observations per create request.
BATCH = 10
THRESHOLD = 0.5
QUERIES = (
    "refund for the damaged headphones",
    "prefers text messages over calls",
    "delivery delayed to Berlin",
    "change the billing address",
    "upgrade to the premium plan",
    "password reset locked out of the account",
    "allergic to peanuts",
    "warranty claim for a cracked screen",
)


@dataclass(frozen=True)
class DataPlaneSize:
    observations: int  # in the store, per layout
    spread_profiles: int  # profiles of the spread layout
    recalls: int  # repeated Recalls per kind
    alternations: int  # write-then-Recall rounds

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


QUICK = DataPlaneSize(observations=1_000, spread_profiles=100, recalls=20, alternations=10)
#: 70 write-then-Recall rounds on one profile: each write makes the next Recall rebuild that
#: profile's index in place (the ranker keeps one per profile, up to 256).
FULL = DataPlaneSize(observations=10_000, spread_profiles=100, recalls=100, alternations=70)

_PRODUCTS = (
    "wireless headphones",
    "running shoes",
    "espresso machine",
    "smart thermostat",
    "laptop sleeve",
    "phone with a cracked screen",
    "winter jacket",
    "blender",
    "gaming chair",
    "premium plan",
    "family data plan",
    "fiber internet router",
)
_CITIES = ("Berlin", "Austin", "Lisbon", "Toronto", "Osaka", "Nairobi", "Denver", "Lyon", "Melbourne")
_CHANNELS = ("text messages", "email", "phone calls", "WhatsApp", "the mobile app", "live chat")
_TIMES = ("mornings", "after 6 pm", "weekends", "lunch time", "weekday afternoons")
_MOODS = ("frustrated", "pleased", "impatient", "confused", "relieved", "polite but firm")
_ISSUES = (
    "arrived damaged",
    "stopped charging after a week",
    "was the wrong size",
    "never arrived",
    "was charged twice",
    "makes a rattling noise",
    "does not pair with Bluetooth",
)
_DIETS = ("allergic to peanuts", "vegetarian", "lactose intolerant", "gluten free", "vegan")
_TEMPLATES: tuple[Callable[[random.Random], str], ...] = (
    lambda r: (
        f"Customer asked for a refund for the {r.choice(_PRODUCTS)} (order #{r.randint(10000, 99999)}) "
        f"because it {r.choice(_ISSUES)}."
    ),
    lambda r: f"Prefers {r.choice(_CHANNELS)} over {r.choice(_CHANNELS)}, ideally {r.choice(_TIMES)}.",
    lambda r: (
        f"Delivery to {r.choice(_CITIES)} was delayed by {r.randint(2, 9)} days; "
        f"the customer sounded {r.choice(_MOODS)}."
    ),
    lambda r: (
        f"Wants to change the billing address to {r.randint(1, 999)} {r.choice(('Oak', 'Main', 'Lake'))} "
        f"Street, {r.choice(_CITIES)}."
    ),
    lambda r: (
        f"Interested in an upgrade to the {r.choice(_PRODUCTS)}; "
        f"asked about the price in {r.choice(_CITIES)}."
    ),
    lambda r: (
        f"Locked out of the account after {r.randint(3, 6)} failed logins; a password reset link "
        f"was sent by {r.choice(_CHANNELS)}."
    ),
    lambda r: f"Mentioned being {r.choice(_DIETS)} while ordering a gift basket for a colleague.",
    lambda r: (
        f"Opened a warranty claim: the {r.choice(_PRODUCTS)} {r.choice(_ISSUES)}, "
        f"bought {r.randint(2, 23)} months ago."
    ),
    lambda r: (
        f"Rated the support call {r.randint(1, 5)} out of 5 and was {r.choice(_MOODS)} "
        f"about the wait of {r.randint(1, 40)} minutes."
    ),
    lambda r: (
        f"Travels to {r.choice(_CITIES)} every {r.choice(('month', 'quarter', 'spring'))} "
        f"and asked to pause the {r.choice(_PRODUCTS)} subscription meanwhile."
    ),
    lambda r: (
        f"Their dog {r.choice(('Max', 'Luna', 'Biscuit', 'Pepper'))} chewed the {r.choice(_PRODUCTS)} cable."
    ),
    lambda r: (
        f"Agent offered a {r.randint(5, 30)}% discount code for the next order; "
        f"the customer {r.choice(('accepted', 'declined', 'will think about it'))}."
    ),
)
_SOURCES = ("agent", "voice transcript", "chat.summary", "crm_sync", "post-call-survey")


def observation_texts(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` observation bodies: 12 templates of support notes with varied products, cities,
    channels, numbers (order ids, amounts), five sources, ``occurredAt`` spread over two years,
    a conversation id on every other one. Deterministic for a seed."""
    r = random.Random(seed)
    start = time.mktime((2025, 1, 1, 0, 0, 0, 0, 0, 0))
    items = []
    for index in range(count):
        item: dict[str, Any] = {
            "content": r.choice(_TEMPLATES)(r),
            "source": r.choice(_SOURCES),
            "occurredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + r.uniform(0, 730 * 86400))),
        }
        if index % 2:
            item["conversationIds"] = [f"conv_conversation_0{r.randrange(10**12):025d}"]
        items.append(item)
    return items


def _checked(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        request = response.request
        raise RuntimeError(
            f"{request.method} {request.url.path}: {response.status_code} {response.text[:500]}"
        )
    return response.json() if response.content else None


def _create_store(http: httpx.Client) -> str:
    accepted = _checked(http.post(STORES, json={"displayName": "bench-memory"}), 202)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        op = _checked(http.get(accepted["statusUrl"]), 200)
        if op["status"] == "COMPLETED":
            return str(op["result"]["id"])
        if op["status"] in ("FAILED", "CANCELLED"):
            raise RuntimeError(f"store creation ended {op['status']}: {op}")
        time.sleep(0.05)
    raise RuntimeError("store creation did not complete within 60 s")


def _memory_mib(pid: int | None) -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` of a process in MiB (0 when /proc cannot say)."""
    found = {"rss": 0.0, "hwm": 0.0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found["rss" if key == "VmRSS" else "hwm"] = int(value.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return found


def summarize_ms(samples: list[float]) -> dict[str, Any]:
    """Median, p95, min and max of milliseconds (p95: inclusive quantile of the samples)."""
    ordered = sorted(samples)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else ordered[0]
    return {
        "calls": len(ordered),
        "median_ms": statistics.median(ordered),
        "p95_ms": p95,
        "min_ms": ordered[0],
        "max_ms": ordered[-1],
    }


class _Layout:
    """One fresh emulator, one store, ``profiles`` profiles; the measurements of one layout."""

    def __init__(self, emu: EmulatorServer, http: httpx.Client, profiles: int) -> None:
        self.emu = emu
        self.http = http
        self.store = _create_store(http)
        base = f"/v1/Stores/{self.store}/Profiles"
        self.profiles = []
        for index in range(profiles):
            contact = {"traits": {"Contact": {"email": f"customer{index}@example.com"}}}
            self.profiles.append(f"{base}/{_checked(http.post(base, json=contact), 202)['id']}")

    def memory(self) -> dict[str, float]:
        return _memory_mib(self.emu.pid)

    def fill(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        latencies = []
        started = time.perf_counter()
        for batch, first in enumerate(range(0, len(items), BATCH)):
            profile = self.profiles[batch % len(self.profiles)]
            sent = time.perf_counter()
            body = {"observations": items[first : first + BATCH]}
            _checked(self.http.post(f"{profile}/Observations", json=body), 202)
            latencies.append((time.perf_counter() - sent) * 1000)
        seconds = time.perf_counter() - started
        return {
            "observations": len(items),
            "requests": len(latencies),
            "seconds": seconds,
            "observations_per_second": len(items) / seconds,
            "request": summarize_ms(latencies),
        }

    def recall(self, profile: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        sent = time.perf_counter()
        answer = _checked(self.http.post(f"{profile}/Recall", json=body), 200)
        return (time.perf_counter() - sent) * 1000, answer

    def recalls(self, asks: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
        client, server, items = [], [], []
        for profile, body in asks:
            took, answer = self.recall(profile, body)
            client.append(took)
            server.append(answer["meta"]["queryTime"])
            items.append(len(answer["observations"]))
        return {
            **summarize_ms(client),
            "server_median_ms": statistics.median(server),
            "observations_returned_mean": statistics.mean(items),
            "body": asks[0][1] if len({str(b) for _, b in asks}) == 1 else "rotating queries",
        }


def _asks(
    profiles: list[str], count: int, extra: dict[str, Any] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (profiles[i % len(profiles)], {"query": QUERIES[i % len(QUERIES)], **(extra or {})})
        for i in range(count)
    ]


def _measure_layout(size: DataPlaneSize, profiles: int, log: Callable[[str], None]) -> dict[str, Any]:
    items = observation_texts(size.observations)
    extra = observation_texts(size.alternations, seed=11)
    with EmulatorServer(provisioning_delay=0, operation_delay=0) as emu, emu.http() as http:
        memory = {"started": _memory_mib(emu.pid)}
        layout = _Layout(emu, http, profiles)
        memory["before_fill"] = layout.memory()
        fill = layout.fill(items)
        memory["after_fill"] = layout.memory()
        log(f"  filled {fill['observations']:,} observations: {fill['observations_per_second']:,.0f}/s")
        target = layout.profiles[0]
        first_ms, first = layout.recall(target, {"query": QUERIES[0]})
        recalls: dict[str, Any] = {
            "first": {"ms": first_ms, "server_ms": first["meta"]["queryTime"]},
            "query": layout.recalls(_asks([target], size.recalls)),
            "no_query": layout.recalls([(target, {})] * size.recalls),
            "threshold": layout.recalls(_asks([target], size.recalls, {"relevanceThreshold": THRESHOLD})),
        }
        if profiles > 1:
            rounds = max(size.recalls, profiles)
            recalls["query_every_profile"] = layout.recalls(_asks(layout.profiles, rounds))
        memory["after_recalls"] = layout.memory()
        log(f"  Recall with a query: {recalls['query']['median_ms']:.1f} ms median, first {first_ms:.1f} ms")
        alternating = []
        for index, item in enumerate(extra):
            _checked(http.post(f"{target}/Observations", json={"observations": [item]}), 202)
            alternating.append(layout.recall(target, {"query": QUERIES[index % len(QUERIES)]})[0])
        recalls["after_each_write"] = summarize_ms(alternating)
        memory["after_alternating"] = layout.memory()
    return {
        "profiles": profiles,
        "observations_per_profile": size.observations // profiles,
        "fill": fill,
        "recall": recalls,
        "memory_mib": memory,
    }


def run_dataplane(size: DataPlaneSize, log: Callable[[str], None]) -> dict[str, Any]:
    """Both layouts, each on its own fresh emulator server."""
    layouts = []
    for profiles in (1, size.spread_profiles):
        log(f"data plane: {size.observations:,} observations over {profiles} profile(s)")
        layouts.append(_measure_layout(size, profiles, log))
    return {
        "size": size.as_dict(),
        "batch": BATCH,
        "threshold": THRESHOLD,
        "queries": list(QUERIES),
        "layouts": layouts,
    }

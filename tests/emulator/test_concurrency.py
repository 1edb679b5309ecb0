"""Parallel clients: no lost or duplicated writes, and every rule holds under contention."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from emu_helpers import CONFIGS, STORES, configuration_body, create_store
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator
WORKERS = 16


def _parallel(
    emulator: EmulatorServer, calls: list[Callable[[httpx.Client], httpx.Response]]
) -> list[httpx.Response]:
    """Run each call on its own pooled client, all released at the same moment."""
    barrier = threading.Barrier(min(WORKERS, len(calls)))
    local = threading.local()

    def run(call: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        if not hasattr(local, "client"):
            local.client = emulator.http()
            barrier.wait(timeout=30)
        return call(local.client)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(run, calls))


def test_parallel_creates_never_exceed_the_limit(emulator: EmulatorServer) -> None:
    calls = [lambda c, i=i: c.post(STORES, json={"displayName": f"tenant-{i}"}) for i in range(48)]
    statuses = Counter(r.status_code for r in _parallel(emulator, calls))
    assert statuses == {202: 15, 400: 33}
    with emulator.http() as http:
        stores = http.get(STORES, params={"pageSize": 100}).json()["stores"]
        names = [http.get(f"{STORES}/{s}").json()["displayName"] for s in stores]
    assert len(stores) == len(set(stores)) == 15
    assert len(set(names)) == 15


def test_parallel_creates_with_one_name_make_one_store(emulator: EmulatorServer) -> None:
    calls = [lambda c: c.post(STORES, json={"displayName": "same"}) for _ in range(32)]
    statuses = Counter(r.status_code for r in _parallel(emulator, calls))
    assert statuses == {202: 1, 400: 31}  # a taken name: 400, as CreateStore documents
    with emulator.http() as http:
        assert len(http.get(STORES).json()["stores"]) == 1


def test_parallel_conditional_updates_let_exactly_one_win(emulator: EmulatorServer) -> None:
    with emulator.http() as http:
        store_id = create_store(http)
        etag = http.get(f"{STORES}/{store_id}").headers["ETag"]
    calls = [
        lambda c, i=i: c.patch(
            f"{STORES}/{store_id}", json={"description": f"writer {i}"}, headers={"If-Match": etag}
        )
        for i in range(24)
    ]
    responses = _parallel(emulator, calls)
    assert Counter(r.status_code for r in responses) == {202: 1, 412: 23}
    with emulator.http() as http:
        assert http.get(f"{STORES}/{store_id}").json()["version"] == 2


def test_parallel_idempotent_creates_make_one_configuration(emulator: EmulatorServer) -> None:
    with emulator.http() as http:
        store_id = create_store(http)
    body = configuration_body(store_id)
    key = {"Idempotency-Key": "0b9f4a0e-3c7d-4e59-a1f2-7d8e9c0b1a2f"}
    responses = _parallel(emulator, [lambda c: c.post(CONFIGS, json=body, headers=key) for _ in range(20)])
    assert {r.status_code for r in responses} == {202}
    assert len({r.json()["related"]["configurationId"] for r in responses}) == 1
    with emulator.http() as http:
        assert len(http.get(CONFIGS).json()["configurations"]) == 1


def test_parallel_mixed_traffic_keeps_every_store(emulator: EmulatorServer) -> None:
    with emulator.http() as http:
        ids = [create_store(http, f"tenant-{i}") for i in range(10)]
    calls: list[Callable[[httpx.Client], httpx.Response]] = []
    for store_id in ids:
        calls += [
            lambda c, s=store_id: c.get(f"{STORES}/{s}"),
            lambda c, s=store_id: c.post(f"{STORES}/{s}/TraitGroups", json={"displayName": "prefs"}),
            lambda c, s=store_id: c.get(f"{STORES}/{s}/TraitGroups"),
            lambda c: c.get(STORES),
        ]
    assert all(r.status_code in {200, 202} for r in _parallel(emulator, calls))
    with emulator.http() as http:
        for store_id in ids:
            groups = http.get(f"{STORES}/{store_id}/TraitGroups").json()["traitGroups"]
            assert sorted(g["displayName"] for g in groups) == ["Contact", "prefs"]

"""Driving the emulator through a scenario (the contract tier's helpers): waiting for a condition,
polling a control-plane operation to its end, and a fresh ACTIVE store."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["STORES", "active", "active_store", "done", "until"]

STORES = "/v1/ControlPlane/Stores"


def until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def done(http: httpx.Client, accepted: httpx.Response) -> dict[str, Any]:
    """Poll the operation of a 202 to its end (each poll is recorded: pending states too)."""
    url = accepted.json()["statusUrl"]
    result: dict[str, Any] = {}

    def ended() -> bool:
        result.update(http.get(url).json())
        return result.get("status") in ("COMPLETED", "FAILED", "CANCELLED")

    until(ended, url)
    return result


def active(http: httpx.Client, store_id: str) -> None:
    until(lambda: http.get(f"{STORES}/{store_id}").json().get("status") == "ACTIVE", f"{store_id} ACTIVE")


def active_store(http: httpx.Client, name: str) -> str:
    """A new store named ``name``, once it is ACTIVE (its data plane answers then)."""
    store_id = str(done(http, http.post(STORES, json={"displayName": name}))["result"]["id"])
    active(http, store_id)
    return store_id

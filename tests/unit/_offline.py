"""Offline setting for the check/diff unit tests of the store-dependent resources.

``offline_provider`` is the body of each module's autouse fixture: credentials configured (so
check has nothing to complain about there), base URLs pointing at a port nothing listens on, and
every HTTP request made through httpx turned into a test failure, which proves check and diff never
touch the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pulumi_twilio_memory import config
from pulumi_twilio_memory.resources._base import PROVIDER_KEY, clear_client_cache

DEAD_URL = "http://127.0.0.1:9"  # the discard port: nothing answers there
STORE_ID = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
OTHER_STORE_ID = "mem_store_01k1etk2y5f1y9fpe2epfdtvv3"


class HttpAttempted(AssertionError):
    """check/diff tried to send an HTTP request."""


def offline_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Yield the list of attempted requests (always empty unless a test fails)."""
    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_API_KEY", "SK00000000000000000000000000000000")
    monkeypatch.setenv("TWILIO_API_SECRET", "unit-test-secret")
    monkeypatch.setenv("TWILIO_MEMORY_BASE_URL", DEAD_URL)
    monkeypatch.setenv("TWILIO_CONVERSATIONS_BASE_URL", DEAD_URL)
    attempted: list[str] = []

    def refuse(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        attempted.append(f"{request.method} {request.url}")
        raise HttpAttempted(f"unexpected HTTP request: {request.method} {request.url}")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    config.reset()
    clear_client_cache()
    yield attempted
    assert attempted == []
    config.reset()
    clear_client_cache()


def props(**inputs: Any) -> dict[str, Any]:
    return {PROVIDER_KEY: "serialized", **inputs}

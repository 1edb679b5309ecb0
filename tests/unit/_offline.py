"""Offline settings for the unit tests of the store-dependent resources.

``offline_provider`` is the body of each module's autouse fixture: credentials configured (so
check has nothing to complain about there), base URLs pointing at a port nothing listens on, and
every HTTP request made through httpx turned into a test failure, which proves check and diff never
touch the network. ``install_mocks`` runs the resource classes under Pulumi mocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pulumi
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


def assert_one_failure(found: dict[str, str], prop: str, needle: str) -> None:
    """Exactly one CheckFailure, on ``prop``, whose reason says ``needle``."""
    assert list(found) == [prop], found
    assert needle in found[prop], found[prop]


# -- the resource classes under pulumi mocks ---------------------------------------------------

Outputs = Callable[[pulumi.runtime.MockResourceArgs], tuple[str, dict[str, Any]]]


class RecordingMocks(pulumi.runtime.Mocks):
    """Pulumi mocks that record every registration and answer with ``outputs(args)``."""

    def __init__(self, outputs: Outputs) -> None:
        self.outputs = outputs
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        return self.outputs(args)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    def inputs(self, typ: str, name: str) -> dict[str, Any]:
        """The inputs one resource registered with (without the serialized provider)."""
        (args,) = [a for a in self.registered if a.typ == typ and a.name == name]
        return {k: v for k, v in args.inputs.items() if k != PROVIDER_KEY}


def install_mocks(outputs: Outputs, *, project: str = "project", stack: str = "stack") -> RecordingMocks:
    mocks = RecordingMocks(outputs)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False)
    return mocks


def resolve(output: pulumi.Output[Any]) -> Any:
    """The value of an output (registration included: resolve ``id`` before reading inputs)."""
    return pulumi.runtime.sync_await._sync_await(output.future())

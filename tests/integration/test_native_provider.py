"""The native provider's methods driven in-process against a real emulator server: what only the
native face does (camelCase properties, detailed diffs, customTimeouts, Cancel, a create that made
its resource recorded as unfinished). Its journeys under the real CLI are in
``tests/e2e/test_native_yaml.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi_twilio_memory import config
from pulumi_twilio_memory.native.catalog import token
from pulumi_twilio_memory.native.partial import PartialCreate
from pulumi_twilio_memory.native.provider import TwilioMemoryProvider
from pulumi_twilio_memory.native.values import from_plain_map, to_plain_map
from pulumi_twilio_memory.resources._base import clear_client_cache
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

T = TypeVar("T")

STORE = token("Store")


def _run(call: Coroutine[Any, Any, T]) -> T:
    """Run ``call`` on a loop of its own: ``asyncio.run`` would leave the thread without a current
    loop, which Pulumi's runtime mocks (other tests of the same worker) need."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(call)
    finally:
        loop.close()


def _urn(name: str, kind: str = STORE) -> str:
    return f"urn:pulumi:test::project::{kind}::{name}"


@pytest.fixture
def native(emulator: EmulatorServer) -> Iterator[TwilioMemoryProvider]:
    provider = TwilioMemoryProvider()
    args = from_plain_map(
        {
            "apiKey": emulator.api_key,
            "apiSecret": emulator.api_secret,
            "memoryBaseUrl": emulator.base_url,
            "conversationsBaseUrl": emulator.base_url,
        }
    )
    _run(provider.configure(p.ConfigureRequest({}, args, False, False)))
    yield provider
    config.reset()
    clear_client_cache()


def _check(provider: TwilioMemoryProvider, name: str, news: dict[str, Any]) -> p.CheckResponse:
    return _run(provider.check(p.CheckRequest(_urn(name), {}, from_plain_map(news), b"")))


def _create(
    provider: TwilioMemoryProvider, name: str, inputs: dict[str, PropertyValue], timeout: float = 0
) -> p.CreateResponse:
    return _run(provider.create(p.CreateRequest(_urn(name), inputs, timeout, False)))


def test_a_store_through_its_lifecycle_in_the_schemas_spelling(
    native: TwilioMemoryProvider, emulator: EmulatorServer
) -> None:
    checked = _check(native, "acme", {"displayName": "native-acme", "description": "Acme"})
    assert not checked.failures and checked.inputs is not None
    created = _create(native, "acme", checked.inputs)
    outs = to_plain_map(created.properties)
    assert created.resource_id and outs["displayName"] == "native-acme" and outs["status"] == "ACTIVE"
    assert {"intelligenceServiceId", "etag", "version"} <= set(outs)

    news = from_plain_map({**to_plain_map(checked.inputs), "description": "Acme, v2"})
    diff = _run(native.diff(p.DiffRequest(_urn("acme"), created.resource_id, created.properties, news, [])))
    assert diff.changes and diff.diffs == ["description"] and diff.replaces == []
    assert diff.detailed_diff["description"].kind == p.PropertyDiffKind.UPDATE

    updated = _run(
        native.update(
            p.UpdateRequest(_urn("acme"), created.resource_id, created.properties, news, 0, [], False)
        )
    )
    assert to_plain_map(updated.properties)["description"] == "Acme, v2"
    with emulator.http() as http:
        live = http.get(f"/v1/ControlPlane/Stores/{created.resource_id}").json()
    assert live["description"] == "Acme, v2"

    # Import: read by id alone gives inputs a program can be checked against.
    imported = _run(native.read(p.ReadRequest(_urn("acme"), created.resource_id, {}, {})))
    assert to_plain_map(imported.inputs) == {
        "displayName": "native-acme",
        "description": "Acme, v2",
        "adopt": False,
    }

    _run(native.delete(p.DeleteRequest(_urn("acme"), created.resource_id, updated.properties, 0)))
    gone = _run(native.read(p.ReadRequest(_urn("acme"), created.resource_id, updated.properties, news)))
    assert not gone.resource_id


def test_check_failures_name_the_property_as_the_program_spells_it(native: TwilioMemoryProvider) -> None:
    failures = _check(native, "bad", {"displayName": "not a name!"}).failures or []
    assert [f.property for f in failures] == ["displayName"]
    group = {
        "storeId": "mem_store_01h00000000000000000000000",
        "displayName": "G",
        "traits": {"my_tier": {"dataType": "TEXT"}},
    }
    failures = (
        _run(
            native.check(p.CheckRequest(_urn("g", token("TraitGroup")), {}, from_plain_map(group), b""))
        ).failures
        or []
    )
    assert any(f.property.startswith("traits.") and f.property.endswith(".dataType") for f in failures), [
        (f.property, f.reason) for f in failures
    ]


def test_custom_timeouts_end_the_create_and_record_the_store_as_unfinished(
    native: TwilioMemoryProvider, emulator: EmulatorServer
) -> None:
    emulator.control.settings(provisioning_delay=30)
    checked = _check(native, "slow", {"displayName": "native-slow"})
    assert checked.inputs is not None
    with pytest.raises(PartialCreate) as caught:
        _create(native, "slow", checked.inputs, timeout=2)
    with emulator.http() as http:
        stores = http.get("/v1/ControlPlane/Stores").json()["stores"]
    assert stores == [caught.value.resource_id]  # made once, and its id is what the state records
    assert "customTimeouts" in str(caught.value) and "next `pulumi up`" in str(caught.value)
    code, _details, metadata = caught.value.status()
    assert metadata[0][0] == "grpc-status-details-bin" and code.name == "UNKNOWN"


def test_cancel_ends_a_waiting_create_promptly(
    native: TwilioMemoryProvider, emulator: EmulatorServer
) -> None:
    emulator.control.settings(provisioning_delay=30)
    checked = _check(native, "cancelled", {"displayName": "native-cancelled"})
    assert checked.inputs is not None
    inputs = checked.inputs

    async def create_then_cancel() -> tuple[BaseException | None, float]:
        task = asyncio.ensure_future(native.create(p.CreateRequest(_urn("cancelled"), inputs, 0, False)))
        # Until the provider waits on the store itself (its create operation done, its id known).
        while not emulator.control.stats()["byRoute"].get("GET /v1/ControlPlane/Stores/{storeId}"):
            await asyncio.sleep(0.05)
        started = time.monotonic()
        await native.cancel()
        try:
            await task
        except PartialCreate as exc:
            return exc, time.monotonic() - started
        return None, time.monotonic() - started

    error, waited = _run(create_then_cancel())
    assert isinstance(error, PartialCreate) and "cancelled" in str(error)
    with emulator.http() as http:
        store = http.get(f"/v1/ControlPlane/Stores/{error.resource_id}").json()
    assert store["status"] != "ACTIVE"  # it stopped waiting long before provisioning ended
    assert waited < 30

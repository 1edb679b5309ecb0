"""StoreProvider's methods driven directly against a real emulator server on loopback.

Each test configures the provider the way the dynamic-provider host does (``configure()`` with the
``twilio-memory:*`` stack config) and asserts what a user would see: ids, outputs, error messages,
and what exists on the server afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config as DynamicConfig
from pulumi.dynamic import ConfigureRequest
from pulumi_twilio_memory import config
from pulumi_twilio_memory.resources._base import PROVIDER_KEY, clear_client_cache
from pulumi_twilio_memory.resources.store import StoreProvider
from twilio_memory_api.errors import (
    AlreadyExistsError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    OperationFailedError,
    OperationTimeoutError,
    PreconditionFailedError,
    ServerError,
)

pytestmark = pytest.mark.integration

STORES = "/v1/ControlPlane/Stores"


def configure(emulator: Any, **overrides: str) -> StoreProvider:
    values = {
        "apiKey": emulator.api_key,
        "apiSecret": emulator.api_secret,
        "memoryBaseUrl": emulator.base_url,
        "conversationsBaseUrl": emulator.base_url,
        "operationTimeout": "20",
        **overrides,
    }
    provider = StoreProvider()
    raw = {f"twilio-memory:{k}": v for k, v in values.items() if v}
    provider.configure(ConfigureRequest(DynamicConfig(raw, project_name="it")))
    return provider


@pytest.fixture
def provider(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreProvider]:
    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield configure(emulator)
    config.reset()
    clear_client_cache()


def props(**inputs: Any) -> dict[str, Any]:
    return {PROVIDER_KEY: "serialized", **inputs}


def live_stores(emulator: Any) -> dict[str, dict[str, Any]]:
    """What the server holds, read over plain HTTP (not through the code under test)."""
    with emulator.http(settle=True) as http:
        ids = http.get(STORES, params={"pageSize": 100}).json()["stores"]
        return {i: http.get(f"{STORES}/{i}").json() for i in ids}


def make_store_out_of_band(emulator: Any, name: str, description: str = "made elsewhere") -> str:
    with emulator.http(settle=True) as http:
        http.post(STORES, json={"displayName": name, "description": description}).raise_for_status()
    (store_id,) = [i for i, s in live_stores(emulator).items() if s["displayName"] == name]
    return store_id


def status_count(emulator: Any, route: str, status: int) -> int:
    return int(emulator.control.stats()["byRouteStatus"].get(route, {}).get(str(status), 0))


def test_full_lifecycle(provider: StoreProvider, emulator: Any) -> None:
    inputs = props(display_name="client-acme", description="Acme support memory")
    assert provider.check({}, inputs).failures == []

    created = provider.create(inputs)
    outs = created.outs or {}
    assert created.id.startswith("mem_store_")
    assert outs["status"] == "ACTIVE" and outs["version"] == 1 and outs["etag"]
    assert outs["intelligence_service_id"] and outs["display_name"] == "client-acme"
    assert live_stores(emulator)[created.id]["description"] == "Acme support memory"

    read = provider.read(created.id, {**inputs, **outs})
    assert read.id == created.id and read.outs == outs
    # No drift: the recorded inputs stay as the program wrote them (no phantom update on refresh).
    assert read.inputs is None

    new_inputs = props(display_name="client-acme-eu", description="Moved")
    diff = provider.diff(created.id, {**inputs, **outs}, new_inputs)
    assert diff.changes is True and diff.replaces == []
    updated = (provider.update(created.id, {**inputs, **outs}, new_inputs).outs) or {}
    assert updated["version"] == 2 and updated["etag"] != outs["etag"]
    assert updated["display_name"] == "client-acme-eu" and updated["description"] == "Moved"
    live = live_stores(emulator)[created.id]
    assert (live["displayName"], live["description"], live["version"]) == ("client-acme-eu", "Moved", 2)
    assert provider.diff(created.id, {**new_inputs, **updated}, new_inputs).changes is False

    provider.delete(created.id, {**new_inputs, **updated})
    assert live_stores(emulator) == {}
    assert provider.read(created.id, updated).id == ""
    provider.delete(created.id, updated)  # already gone is success


def test_read_of_a_store_deleted_elsewhere_removes_it_from_state(
    provider: StoreProvider, emulator: Any
) -> None:
    created = provider.create(props(display_name="gone-soon"))
    with emulator.http(settle=True) as http:
        http.delete(f"{STORES}/{created.id}").raise_for_status()
    provider_read = provider.read(created.id, created.outs or {})
    assert provider_read.id == "" and provider_read.outs == {}


def test_refresh_shows_drift_made_outside_pulumi(provider: StoreProvider, emulator: Any) -> None:
    inputs = props(display_name="drifty", description="Original")
    created = provider.create(inputs)
    with emulator.http(settle=True) as http:
        http.patch(f"{STORES}/{created.id}", json={"description": "Console edit"}).raise_for_status()
    refreshed = provider.read(created.id, {**inputs, **(created.outs or {})})
    assert refreshed.inputs is not None and refreshed.inputs["description"] == "Console edit"
    assert refreshed.outs is not None and refreshed.outs["version"] == 2
    diff = provider.diff(created.id, {PROVIDER_KEY: "s", **refreshed.outs}, inputs)
    assert diff.changes is True


def test_stale_etag_is_a_412_that_names_the_store_and_says_refresh(
    provider: StoreProvider, emulator: Any
) -> None:
    inputs = props(display_name="contended", description="v1")
    created = provider.create(inputs)
    state = {**inputs, **(created.outs or {})}
    with emulator.http(settle=True) as http:
        http.patch(f"{STORES}/{created.id}", json={"description": "someone else"}).raise_for_status()

    with pytest.raises(PreconditionFailedError) as info:
        provider.update(created.id, state, props(display_name="contended", description="v2"))
    message = str(info.value)
    assert created.id in message and "outside Pulumi" in message and "pulumi refresh" in message
    assert live_stores(emulator)[created.id]["description"] == "someone else"  # nothing overwritten

    refreshed = provider.read(created.id, state)  # what `pulumi refresh` does
    new_state = {**inputs, **(refreshed.outs or {})}
    updated = provider.update(created.id, new_state, props(display_name="contended", description="v2"))
    assert (updated.outs or {})["description"] == "v2"


def test_failed_provisioning_reports_the_reason_and_cleans_up(provider: StoreProvider, emulator: Any) -> None:
    emulator.control.add_fault(action="fail_provisioning", times=1)
    with pytest.raises(OperationFailedError) as info:
        provider.create(props(display_name="doomed", description="x"))
    message = str(info.value)
    assert "FAILED" in message and "was deleted" in message and info.value.resource_id
    assert live_stores(emulator) == {}
    # the name is free again: the retry a user would run now succeeds
    assert provider.create(props(display_name="doomed", description="x")).id.startswith("mem_store_")


def test_failed_create_operation_carries_the_api_reason(provider: StoreProvider, emulator: Any) -> None:
    emulator.control.add_fault(action="fail_operation", route=f"POST {STORES}", times=1)
    with pytest.raises(OperationFailedError) as info:
        provider.create(props(display_name="op-fails"))
    assert "ended FAILED" in str(info.value)
    assert "creation of store 'op-fails'" in str(info.value)
    assert live_stores(emulator) == {}


def test_deadline_expiry_names_the_store_and_how_to_recover(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    provider = configure(emulator, operationTimeout="3")
    try:
        emulator.control.add_fault(action="hang_provisioning", times=1)
        with pytest.raises(OperationTimeoutError) as info:
            provider.create(props(display_name="stuck", description="x"))
    finally:
        config.reset()
        clear_client_cache()
    err = info.value
    (store_id,) = live_stores(emulator)
    assert err.resource_id == store_id
    message = str(err)
    assert store_id in message and "to become ACTIVE" in message and "PROVISIONING" in message
    assert "adopt=True" in message and "operationTimeout" in message


def test_name_taken_by_an_unmanaged_store_explains_adopt(provider: StoreProvider, emulator: Any) -> None:
    existing = make_store_out_of_band(emulator, "client-globex")
    with pytest.raises(AlreadyExistsError) as info:
        provider.create(props(display_name="client-globex"))
    assert existing in str(info.value) and "adopt=True" in str(info.value)
    assert info.value.existing_id == existing
    assert len(live_stores(emulator)) == 1


def test_adopt_takes_over_the_existing_store_and_updates_it(provider: StoreProvider, emulator: Any) -> None:
    existing = make_store_out_of_band(emulator, "client-initech", "old text")
    created = provider.create(props(display_name="client-initech", description="managed now", adopt=True))
    assert created.id == existing
    assert (created.outs or {})["adopt"] is True and (created.outs or {})["description"] == "managed now"
    assert live_stores(emulator)[existing]["description"] == "managed now"
    assert len(live_stores(emulator)) == 1


def test_adopt_without_an_existing_store_just_creates(provider: StoreProvider, emulator: Any) -> None:
    created = provider.create(props(display_name="fresh", adopt=True))
    assert list(live_stores(emulator)) == [created.id]


def test_renaming_onto_a_taken_name_is_a_conflict(provider: StoreProvider, emulator: Any) -> None:
    make_store_out_of_band(emulator, "taken")
    created = provider.create(props(display_name="mine"))
    with pytest.raises((ConflictError, BadRequestError)) as info:
        provider.update(created.id, {**(created.outs or {})}, props(display_name="taken"))
    assert created.id in str(info.value)


def test_rate_limit_storm_is_ridden_out(provider: StoreProvider, emulator: Any) -> None:
    emulator.control.add_fault(action="error", status=429, retry_after=0, times=4, route="*")
    created = provider.create(props(display_name="storm", description="x"))
    assert created.id in live_stores(emulator)
    stats = emulator.control.stats()
    assert stats["byStatus"].get("429") == 4


def test_sustained_rate_limit_gives_up_with_advice(provider: StoreProvider, emulator: Any) -> None:
    created = provider.create(props(display_name="limited"))
    emulator.control.add_fault(
        action="error", status=429, retry_after=0, route="GET /v1/ControlPlane/Stores/{storeId}"
    )
    with pytest.raises(Exception) as info:
        provider.read(created.id, created.outs or {})
    assert "HTTP 429" in str(info.value) and "--parallel" in str(info.value)


def test_create_whose_answer_was_lost_does_not_make_a_second_store(
    provider: StoreProvider, emulator: Any
) -> None:
    emulator.control.add_fault(action="drop", phase="after", route=f"POST {STORES}", times=1)
    created = provider.create(props(display_name="lost-answer", description="x"))
    assert list(live_stores(emulator)) == [created.id]
    assert (created.outs or {})["status"] == "ACTIVE"


def test_create_after_a_503_retries_once_it_knows_nothing_was_made(
    provider: StoreProvider, emulator: Any
) -> None:
    emulator.control.add_fault(action="error", status=503, retry_after=0, route=f"POST {STORES}", times=1)
    created = provider.create(props(display_name="after-503"))
    assert list(live_stores(emulator)) == [created.id]
    assert status_count(emulator, f"POST {STORES}", 503) == 1


def test_read_errors_are_errors_never_gone(provider: StoreProvider, emulator: Any) -> None:
    created = provider.create(props(display_name="flaky"))
    emulator.control.add_fault(action="error", status=500, route="GET /v1/ControlPlane/Stores/{storeId}")
    with pytest.raises(ServerError):
        provider.read(created.id, created.outs or {})
    emulator.control.clear_faults()
    configure(emulator, apiSecret="wrong-secret-value")
    with pytest.raises(AuthenticationError) as info:
        provider.read(created.id, created.outs or {})
    assert "wrong-secret-value" not in str(info.value)


def test_missing_credentials(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    provider = configure(emulator, apiKey="", apiSecret="")
    try:
        result = provider.check({}, props(display_name="no-creds"))
        assert [f.property for f in result.failures] == [""]
        assert "TWILIO_API_KEY" in result.failures[0].reason
        assert "twilio-memory:apiKey" in result.failures[0].reason
        with pytest.raises(ConfigurationError):
            provider.create(props(display_name="no-creds"))
    finally:
        config.reset()
        clear_client_cache()
    assert live_stores(emulator) == {}


def test_environment_only_configuration(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    config.reset()
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", emulator.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", emulator.auth_token)
    monkeypatch.setenv("TWILIO_MEMORY_BASE_URL", emulator.base_url)
    try:
        created = StoreProvider().create(props(display_name="env-only"))
    finally:
        clear_client_cache()
    assert created.id in live_stores(emulator)


def test_store_limit_message_comes_from_the_api(provider: StoreProvider, emulator: Any) -> None:
    with emulator.http(settle=True) as http:
        for i in range(15):
            http.post(STORES, json={"displayName": f"filler-{i}"}).raise_for_status()
    with pytest.raises(BadRequestError) as info:
        provider.create(props(display_name="sixteenth"))
    message = str(info.value)
    assert "15" in message
    # The hint says what to do, and no longer claims `pulumi preview` would have caught it.
    assert "another Twilio account" in message and "runs the same checks offline" not in message


def test_lifecycle_with_real_provisioning_and_operation_delays(
    provider: StoreProvider, emulator: Any
) -> None:
    """Stores go QUEUED -> PROVISIONING -> ACTIVE and operations stay PENDING for a while: the
    waiters poll through it (the emulator's clock, not a sleep, decides when). Both delays are
    longer than the first waits (half the 202's Retry-After of 1 s; a new store's first look
    after 1 s), so the first polls do meet pending states."""
    emulator.control.settings(provisioning_delay=1.6, operation_delay=0.8, delay_jitter=0)
    created = provider.create(props(display_name="slow-one", description="a"))
    assert (created.outs or {})["status"] == "ACTIVE"
    assert emulator.control.stats()["byRoute"]["GET /v1/ControlPlane/Stores/{storeId}"] > 1
    updated = provider.update(created.id, created.outs or {}, props(display_name="slow-one", description="b"))
    assert (updated.outs or {})["description"] == "b" and (updated.outs or {})["version"] == 2
    provider.delete(created.id, updated.outs or {})
    assert live_stores(emulator) == {}
    polls = emulator.control.stats()["byRoute"]
    assert polls["GET /v1/ControlPlane/Operations/{operationId}"] > 3


def test_name_taken_between_lookup_and_post_is_adopted_when_asked(
    provider: StoreProvider, emulator: Any
) -> None:
    # The POST is applied but answered 409, as if another process had won the race for the name.
    emulator.control.add_fault(action="error", status=409, phase="after", route=f"POST {STORES}", times=1)
    created = provider.create(props(display_name="raced", description="mine", adopt=True))
    assert list(live_stores(emulator)) == [created.id]
    assert (created.outs or {})["description"] == "mine"


def test_name_taken_between_lookup_and_post_without_adopt_fails_clearly(
    provider: StoreProvider, emulator: Any
) -> None:
    emulator.control.add_fault(action="error", status=409, phase="after", route=f"POST {STORES}", times=1)
    with pytest.raises(AlreadyExistsError, match="adopt=True"):
        provider.create(props(display_name="raced-2"))


def test_a_409_with_no_store_behind_it_is_the_apis_error(provider: StoreProvider, emulator: Any) -> None:
    emulator.control.add_fault(action="error", status=409, route=f"POST {STORES}", times=1)
    with pytest.raises(ConflictError):
        provider.create(props(display_name="phantom"))
    assert live_stores(emulator) == {}


def test_four_host_threads_share_one_client_safely(provider: StoreProvider, emulator: Any) -> None:
    """The provider host runs four worker threads; they share the cached client."""
    from concurrent.futures import ThreadPoolExecutor

    from pulumi_twilio_memory.resources._base import memory_client

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: provider.create(props(display_name=f"parallel-{i}")), range(8)))
        clients = set(pool.map(lambda _i: id(memory_client()), range(8)))
    assert len(clients) == 1
    assert {r.id for r in results} == set(live_stores(emulator))
    assert len(results) == 8


def test_update_of_a_store_deleted_elsewhere_says_refresh(provider: StoreProvider, emulator: Any) -> None:
    created = provider.create(props(display_name="vanishing", description="a"))
    with emulator.http(settle=True) as http:
        http.delete(f"{STORES}/{created.id}").raise_for_status()
    with pytest.raises(NotFoundError) as info:
        provider.update(created.id, created.outs or {}, props(display_name="vanishing", description="b"))
    assert created.id in str(info.value) and "pulumi refresh" in str(info.value)


def test_failed_delete_keeps_the_store_and_says_so(provider: StoreProvider, emulator: Any) -> None:
    created = provider.create(props(display_name="sticky"))
    emulator.control.add_fault(
        action="fail_operation", route="DELETE /v1/ControlPlane/Stores/{storeId}", times=1
    )
    with pytest.raises(OperationFailedError) as info:
        provider.delete(created.id, created.outs or {})
    assert created.id in str(info.value) and "deletion of store" in str(info.value)
    assert created.id in live_stores(emulator)  # still there, and still in state (delete raised)
    provider.delete(created.id, created.outs or {})  # the next `pulumi destroy` finishes the job
    assert live_stores(emulator) == {}

"""ConversationConfigurationProvider's methods against a real emulator server on loopback.

Covers the parts a user relies on: crash-safe create (Idempotency-Key), updates that PATCH only
what changed (a removed channel really goes), the version check that stands in for an ETag, drift
on read, adoption, and the messages of the conflicts they can hit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _dependents import CONFIG_ROUTE, V2, calls, configured_store, get, props, route_calls, send, state
from pulumi_twilio_memory.resources._base import UNKNOWN
from pulumi_twilio_memory.resources.conversation_configuration import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_SEED,
    ConfigurationChangedError,
    ConversationConfigurationProvider,
)
from twilio_memory_api.errors import AlreadyExistsError, OperationFailedError, TwilioMemoryError

pytestmark = pytest.mark.integration

URN = "urn:pulumi:dev::tenants::pulumi-python:dynamic/twilio-memory:ConversationConfiguration::acme"
BRIDGE = {"service_id": "IS" + "0" * 32}


@pytest.fixture
def store_id(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from configured_store(emulator, monkeypatch)


def program(store: str, **overrides: Any) -> dict[str, Any]:
    """Inputs as the program gives them, with the hidden seed the resource adds."""
    return props(
        **{
            IDEMPOTENCY_SEED: URN,
            "display_name": "acme",
            "description": "Acme support",
            "conversation_grouping_type": "group_by_participant_addresses",
            "memory_store_id": store,
            "channel_settings": {
                "sms": {"status_timeouts": {"inactive": 30, "closed": 1440}},
                "CHAT": {"capture_rules": [{"from_": "*", "to": "*", "metadata": {"chatService": "x"}}]},
            },
            **overrides,
        }
    )


def checked(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    result = ConversationConfigurationProvider().check(olds, news)
    assert result.failures == []
    return props(**result.inputs)


def configurations(emulator: Any) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in get(emulator, f"{V2}/Configurations")["configurations"]}


def test_full_lifecycle_and_a_removed_channel_is_removed(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    inputs = checked({}, program(store_id))
    assert inputs["conversation_grouping_type"] == "GROUP_BY_PARTICIPANT_ADDRESSES"
    assert list(inputs["channel_settings"]) == ["CHAT", "SMS"]

    created = provider.create(inputs)
    outs = created.outs or {}
    assert created.id.startswith("conv_configuration_")
    assert outs["version"] == 1 and outs["memory_extraction_enabled"] is False
    assert outs["channel_settings"]["CHAT"]["capture_rules"][0]["from"] == "*"
    assert set(configurations(emulator)[created.id]["channelSettings"]) == {"CHAT", "SMS"}

    read = provider.read(created.id, state(inputs, outs))
    assert read.id == created.id and read.outs == outs
    assert read.inputs is None  # no drift: a refresh records (and shows) nothing
    projected = provider.read(created.id, {}).inputs  # with nothing recorded: everything
    assert projected is not None and projected["memory_extraction_enabled"] is False
    assert provider.diff(created.id, {**projected, **outs}, inputs).changes is False

    news = checked(
        inputs,
        program(
            store_id,
            description="Acme, all channels",
            channel_settings={"WHATSAPP": {"status_timeouts": {"inactive": 10}}, "SMS": {}},
            status_callbacks=[{"url": "https://hooks.example.com/conv"}],
        ),
    )
    assert provider.diff(created.id, state(inputs, outs), news).replaces == []
    emulator.control.reset_stats()
    updated = provider.update(created.id, state(inputs, outs), news).outs or {}
    assert route_calls(emulator, "PATCH", CONFIG_ROUTE) == 1
    assert route_calls(emulator, "PUT", CONFIG_ROUTE) == 0
    live = configurations(emulator)[created.id]
    assert set(live["channelSettings"]) == {"SMS", "WHATSAPP"}  # CHAT really went (sent as null)
    assert live["description"] == "Acme, all channels" and live["version"] == 2
    assert live["statusCallbacks"] == [{"url": "https://hooks.example.com/conv", "method": "POST"}]
    assert updated["version"] == 2
    assert provider.diff(created.id, state(news, updated), news).changes is False

    provider.delete(created.id, state(news, updated))
    assert configurations(emulator) == {}
    assert provider.read(created.id, updated).id == ""
    provider.delete(created.id, updated)  # already gone is success


def test_a_retried_create_after_a_crash_does_not_duplicate(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    first_run = checked({}, program(store_id))
    created = provider.create(first_run)  # ... and pulumi crashed before saving the state
    second_run = checked({}, program(store_id))  # not in the state: same inputs, same key
    assert second_run[IDEMPOTENCY_KEY] == first_run[IDEMPOTENCY_KEY]
    again = provider.create(second_run)
    assert again.id == created.id
    assert list(configurations(emulator)) == [created.id]
    assert route_calls(emulator, "POST", f"{V2}/Configurations") == 2


def test_a_replacement_and_a_recreate_after_destroy_make_new_configurations(
    emulator: Any, store_id: str
) -> None:
    provider = ConversationConfigurationProvider()
    inputs = checked({}, program(store_id))
    created = provider.create(inputs)
    # `pulumi up --replace` (delete first: the display name is unique): the old state is known.
    replacing = checked(inputs, program(store_id))
    assert replacing[IDEMPOTENCY_KEY] != inputs[IDEMPOTENCY_KEY]
    provider.delete(created.id, state(inputs, created.outs))
    replaced = provider.create(replacing)
    assert replaced.id != created.id and list(configurations(emulator)) == [replaced.id]

    # destroy, then `pulumi up` again within the key's lifetime: the replayed answer names a
    # deleted configuration, so a new one is made.
    provider.delete(replaced.id, state(replacing, replaced.outs))
    fresh = provider.create(checked({}, program(store_id)))
    assert fresh.id not in {created.id, replaced.id} and list(configurations(emulator)) == [fresh.id]


def test_a_key_used_for_another_request_gets_a_fresh_one(emulator: Any, store_id: str) -> None:
    inputs = checked({}, program(store_id))
    other = {
        "displayName": "other",
        "description": "other",
        "conversationGroupingType": "GROUP_BY_PROFILE",
        "memoryStoreId": store_id,
    }
    send(emulator, "POST", f"{V2}/Configurations", other, **{"Idempotency-Key": inputs[IDEMPOTENCY_KEY]})
    created = ConversationConfigurationProvider().create(inputs)
    assert configurations(emulator)[created.id]["displayName"] == "acme"


def test_a_moved_version_refuses_to_write(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    inputs = checked({}, program(store_id))
    created = provider.create(inputs)
    send(emulator, "PATCH", f"{V2}/Configurations/{created.id}", {"description": "edited in the Console"})

    news = checked(inputs, program(store_id, description="ours"))
    emulator.control.reset_stats()
    with pytest.raises(
        ConfigurationChangedError, match=r"version is 2, Pulumi last recorded 1.*pulumi refresh"
    ):
        provider.update(created.id, state(inputs, created.outs), news)
    assert route_calls(emulator, "PATCH", CONFIG_ROUTE) == 0
    assert configurations(emulator)[created.id]["description"] == "edited in the Console"


def test_an_out_of_band_change_is_reported_by_read_and_diff(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    inputs = checked({}, program(store_id))
    created = provider.create(inputs)
    body = {"memoryExtractionEnabled": True, "channelSettings": {"SMS": None}}
    send(emulator, "PATCH", f"{V2}/Configurations/{created.id}", body)

    read = provider.read(created.id, state(inputs, created.outs))
    assert read.inputs is not None and read.outs is not None
    assert read.inputs["memory_extraction_enabled"] is True
    assert list(read.inputs["channel_settings"]) == ["CHAT"] and read.outs["version"] == 2
    diff = provider.diff(created.id, {**read.inputs, **read.outs}, inputs)
    assert diff.changes is True and diff.replaces == []


def test_removing_the_v1_bridge_replaces_the_whole_configuration(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    inputs = checked(
        {}, program(store_id, conversations_v1_bridge=BRIDGE, intelligence_configuration_ids=["a"])
    )
    created = provider.create(inputs)
    assert configurations(emulator)[created.id]["conversationsV1Bridge"] == {
        "serviceId": BRIDGE["service_id"]
    }

    news = checked(inputs, program(store_id, intelligence_configuration_ids=["a"]))
    emulator.control.reset_stats()
    updated = provider.update(created.id, state(inputs, created.outs), news).outs or {}
    assert route_calls(emulator, "PUT", CONFIG_ROUTE) == 1
    live = configurations(emulator)[created.id]
    assert "conversationsV1Bridge" not in live
    assert live["intelligenceConfigurationIds"] == ["a"] and set(live["channelSettings"]) == {"CHAT", "SMS"}
    assert provider.diff(created.id, state(news, updated), news).changes is False


def test_a_taken_display_name_needs_adopt(emulator: Any, store_id: str) -> None:
    body = {
        "displayName": "acme",
        "description": "made in the Console",
        "conversationGroupingType": "GROUP_BY_PROFILE",
        "memoryStoreId": store_id,
    }
    send(emulator, "POST", f"{V2}/Configurations", body)
    (existing_id,) = configurations(emulator)
    provider = ConversationConfigurationProvider()

    with pytest.raises(AlreadyExistsError, match=rf"{existing_id}.*adopt=True"):
        provider.create(checked({}, program(store_id)))

    adopted = provider.create(checked({}, program(store_id, adopt=True)))
    assert adopted.id == existing_id
    live = configurations(emulator)[existing_id]
    assert live["description"] == "Acme support"
    assert live["conversationGroupingType"] == "GROUP_BY_PARTICIPANT_ADDRESSES"
    assert (adopted.outs or {})["version"] == 2


def test_a_v1_service_bridged_elsewhere_is_named(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    first = provider.create(checked({}, program(store_id, conversations_v1_bridge=BRIDGE)))
    with pytest.raises(TwilioMemoryError, match=rf"already bridged by configuration {first.id} \('acme'\)"):
        provider.create(checked({}, program(store_id, display_name="other", conversations_v1_bridge=BRIDGE)))


def test_nothing_forces_a_replacement(store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    olds = {**checked({}, program(store_id)), "version": 1}
    for change in (
        {"display_name": "acme2"},
        {"memory_store_id": "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaa"},
        {"memory_store_id": UNKNOWN},
        {"conversation_grouping_type": "GROUP_BY_PROFILE"},
    ):
        diff = provider.diff("conv_configuration_x", olds, {**olds, **change})
        assert diff.changes is True and diff.replaces == [], change
    # Defaults the API fills in, case, and the order of unordered ids are not changes.
    same = {
        **olds,
        "memory_extraction_enabled": False,
        "status_callbacks": [],
        "channel_settings": {
            "sms": {"status_timeouts": {"inactive": 30, "closed": 1440}},
            "chat": {"capture_rules": [{"from": "*", "to": "*", "metadata": {"chatService": "x"}}]},
        },
    }
    assert provider.diff("conv_configuration_x", olds, same).changes is False
    ids = {**olds, "intelligence_configuration_ids": ["a", "b"]}
    assert (
        provider.diff(
            "conv_configuration_x", ids, {**ids, "intelligence_configuration_ids": ["b", "a"]}
        ).changes
        is False
    )


def test_check_makes_no_request_and_tolerates_unknown_ids(emulator: Any, store_id: str) -> None:
    before = calls(emulator)
    provider = ConversationConfigurationProvider()
    unknown = provider.check({}, program(UNKNOWN, description=UNKNOWN))
    assert unknown.failures == [] and IDEMPOTENCY_KEY not in unknown.inputs
    bad = provider.check({}, program(store_id, display_name="bad!", channel_settings={"FAX": {}}))
    assert {f.property for f in bad.failures} == {"display_name", "channel_settings.FAX"}
    assert calls(emulator) == before


def test_writes_whose_answers_were_lost_are_retried_without_duplicates(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    configs = f"{V2}/Configurations"
    emulator.control.add_fault(action="error", route=f"POST {configs}", status=503, phase="after", times=1)
    inputs = checked({}, program(store_id))
    created = provider.create(inputs)  # the retry carried the same Idempotency-Key: replayed
    assert list(configurations(emulator)) == [created.id]
    assert route_calls(emulator, "POST", configs) == 2

    emulator.control.add_fault(
        action="error", route=f"PATCH {CONFIG_ROUTE}", status=503, phase="after", times=1
    )
    news = checked(inputs, program(store_id, description="changed once"))
    updated = provider.update(created.id, state(inputs, created.outs), news).outs or {}
    assert updated["version"] == 2 and configurations(emulator)[created.id]["version"] == 2


def test_a_failed_create_is_retried_once_with_a_fresh_key(emulator: Any, store_id: str) -> None:
    provider = ConversationConfigurationProvider()
    configs = f"{V2}/Configurations"
    emulator.control.add_fault(action="fail_operation", route=f"POST {configs}", times=1)
    created = provider.create(checked({}, program(store_id)))  # e.g. replaying an earlier run's failure
    assert list(configurations(emulator)) == [created.id]

    emulator.control.add_fault(action="fail_operation", route=f"POST {configs}")
    with pytest.raises(OperationFailedError, match="creation of conversation configuration 'other'"):
        provider.create(checked({}, program(store_id, display_name="other")))
    assert list(configurations(emulator)) == [created.id]

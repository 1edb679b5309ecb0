"""ConversationConfigurationProvider.check and .diff, the Idempotency-Key it derives and the PATCH
body it builds: offline (any HTTP fails the test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _offline import OTHER_STORE_ID, STORE_ID, assert_one_failure, offline_provider, props
from pulumi_twilio_memory.resources._base import UNKNOWN
from pulumi_twilio_memory.resources.conversation_configuration import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_SEED,
    ConversationConfigurationProvider,
    _channel_patch,
    _patch_fields,
)

URN = "urn:pulumi:dev::tenants::pulumi-python:dynamic/twilio-memory:ConversationConfiguration::acme"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    yield from offline_provider(monkeypatch)


def config(**overrides: Any) -> dict[str, Any]:
    values = {
        IDEMPOTENCY_SEED: URN,
        "display_name": "acme",
        "description": "Acme support",
        "conversation_grouping_type": "GROUP_BY_PROFILE",
        "memory_store_id": STORE_ID,
    }
    return props(**{**values, **overrides})


def check(olds: dict[str, Any] | None = None, **overrides: Any) -> Any:
    return ConversationConfigurationProvider().check(olds or {}, config(**overrides))


def failures(**overrides: Any) -> dict[str, str]:
    return {f.property: f.reason for f in check(**overrides).failures}


def sms(**setting: Any) -> dict[str, Any]:
    return {"channel_settings": {"SMS": setting}}


@pytest.mark.parametrize(
    ("overrides", "prop", "needle"),
    [
        ({"display_name": "bad!name"}, "display_name", "letters, digits, spaces"),
        ({"display_name": "x" * 33}, "display_name", "at most 32"),
        (
            {"conversation_grouping_type": "GROUP_BY_NOTHING"},
            "conversation_grouping_type",
            "GROUP_BY_PROFILE",
        ),
        ({"memory_store_id": "store-1"}, "memory_store_id", "memory store id"),
        ({"channel_settings": {"FAX": {}}}, "channel_settings.FAX", "'FAX' is not a channel"),
        (sms(status_timeouts={"inactive": 0}), "channel_settings.SMS.status_timeouts.inactive", "at least 1"),
        (sms(status_timeouts={"closed": 0}), "channel_settings.SMS.status_timeouts.closed", "at least 1"),
        (sms(capture_rules=[{"to": "+15550100"}]), "channel_settings.SMS.capture_rules[0].from", "required"),
        (sms(capture_rules=[{"from": "*"}]), "channel_settings.SMS.capture_rules[0].to", "required"),
        (
            sms(capture_rules=[{"from": "*", "to": "*", "metadata": {"a": 1}}]),
            "channel_settings.SMS.capture_rules[0].metadata.a",
            "string",
        ),
        (sms(colour="red"), "channel_settings.SMS.colour", "not accepted here"),
        ({"status_callbacks": [{"url": "ftp://x"}]}, "status_callbacks[0].url", "http(s) URL"),
        (
            {"status_callbacks": [{"url": "https://x", "method": "TRACE"}]},
            "status_callbacks[0].method",
            "use POST or GET",
        ),
        (  # the spec's request enum is POST and GET only
            {"status_callbacks": [{"url": "https://x", "method": "PUT"}]},
            "status_callbacks[0].method",
            "'POST' or 'GET'",
        ),
        ({"description": "d" * 513}, "description", "at most 512"),
        ({"status_callbacks": [{"url": "https://x"}] * 3}, "status_callbacks", "at most 2 status callbacks"),
        ({"intelligence_configuration_ids": ["a"] * 6}, "intelligence_configuration_ids", "at most 5"),
        (
            {"conversations_v1_bridge": {"service_id": "IS123"}},
            "conversations_v1_bridge.service_id",
            "'IS' + 32",
        ),
        ({"memory_extraction_enabled": "perhaps"}, "memory_extraction_enabled", "boolean"),
        ({"adopt": "perhaps"}, "adopt", "boolean"),
        ({"description": None}, "description", "required"),
        ({"memory_store_id": None}, "memory_store_id", "required"),
        ({"colour": "red"}, "colour", "not accepted here"),
    ],
)
def test_each_documented_rule_gives_one_failure_on_its_property(
    overrides: dict[str, Any], prop: str, needle: str
) -> None:
    assert_one_failure(failures(**overrides), prop, needle)


def test_any_spelling_is_accepted_and_recorded_once() -> None:
    result = check(
        conversation_grouping_type="group_by_participant_addresses",
        channel_settings={
            "sms": {"statusTimeouts": {"inactive": 30}},
            "chat": {"captureRules": [{"from_": "*", "to": "*", "metadata": {"b": "2", "a": "1"}}]},
        },
        status_callbacks=[{"url": "https://hooks.example.com", "method": "post"}],
        conversations_v1_bridge={"serviceId": "IS" + "a" * 32},
    )
    assert result.failures == []
    inputs = result.inputs
    assert inputs["conversation_grouping_type"] == "GROUP_BY_PARTICIPANT_ADDRESSES"
    assert inputs["channel_settings"] == {
        "CHAT": {"capture_rules": [{"from": "*", "to": "*", "metadata": {"a": "1", "b": "2"}}]},
        "SMS": {"status_timeouts": {"inactive": 30}},
    }
    assert inputs["status_callbacks"] == [{"url": "https://hooks.example.com", "method": "POST"}]
    assert inputs["conversations_v1_bridge"] == {"service_id": "IS" + "a" * 32}


def test_unknown_ids_are_not_failures_and_no_key_is_derived_yet() -> None:
    result = check(memory_store_id=UNKNOWN, intelligence_configuration_ids=[UNKNOWN])
    assert result.failures == []
    assert IDEMPOTENCY_KEY not in result.inputs and result.inputs[IDEMPOTENCY_SEED] == URN
    assert list(failures(memory_store_id=UNKNOWN, display_name="bad!")) == ["display_name"]


def test_the_idempotency_key_is_stable_for_a_retry_and_new_for_anything_else() -> None:
    first = check().inputs[IDEMPOTENCY_KEY]
    assert check().inputs[IDEMPOTENCY_KEY] == first  # a retried `pulumi up` after a crash
    other_stack = config(**{IDEMPOTENCY_SEED: URN.replace(":dev:", ":prod:")})
    assert ConversationConfigurationProvider().check({}, other_stack).inputs[IDEMPOTENCY_KEY] != first
    assert check(description="changed").inputs[IDEMPOTENCY_KEY] != first
    state = check().inputs
    replacement = check(olds=state).inputs[IDEMPOTENCY_KEY]
    assert replacement != first  # `--replace`: the old configuration's key is not reused
    assert check(olds=state).inputs[IDEMPOTENCY_KEY] == replacement  # and a retry of it is stable
    no_seed = {k: v for k, v in config().items() if k != IDEMPOTENCY_SEED}
    assert ConversationConfigurationProvider().check({}, no_seed).inputs[IDEMPOTENCY_KEY]


def test_hidden_inputs_never_make_a_diff() -> None:
    provider = ConversationConfigurationProvider()
    olds = {**check().inputs, "version": 1}
    news = {**check(olds=olds).inputs, IDEMPOTENCY_SEED: "urn:renamed"}
    assert news[IDEMPOTENCY_KEY] != olds[IDEMPOTENCY_KEY]
    assert provider.diff("conv_configuration_x", olds, props(**news)).changes is False


def test_api_defaults_case_and_unordered_ids_are_not_changes() -> None:
    provider = ConversationConfigurationProvider()
    live = config(
        channel_settings={"SMS": {"status_timeouts": {"inactive": 5}, "capture_rules": []}},
        status_callbacks=[{"url": "https://x.example", "method": "POST"}],
        intelligence_configuration_ids=["b", "a"],
        memory_extraction_enabled=False,
        version=2,
    )
    program = config(
        conversation_grouping_type="group_by_profile",
        channel_settings={"sms": {"statusTimeouts": {"inactive": 5}}},
        status_callbacks=[{"url": "https://x.example"}],
        intelligence_configuration_ids=["a", "b"],
    )
    assert provider.diff("conv_configuration_x", live, program).changes is False
    assert provider.diff("conv_configuration_x", config(channel_settings={}), config()).changes is False


def test_every_field_updates_in_place() -> None:
    provider = ConversationConfigurationProvider()
    olds = config(channel_settings={"SMS": {}}, conversations_v1_bridge={"service_id": "IS" + "0" * 32})
    for change in (
        {"display_name": "acme2"},
        {"memory_store_id": OTHER_STORE_ID},
        {"channel_settings": {}},
        {"conversations_v1_bridge": None},
        {"memory_extraction_enabled": True},
    ):
        diff = provider.diff("conv_configuration_x", olds, {**olds, **change})
        assert diff.changes is True and diff.replaces == [], change


def test_the_patch_carries_only_changes_and_removals_as_resets() -> None:
    olds = {
        "description": "old",
        "channel_settings": {"SMS": {}, "CHAT": {"status_timeouts": {"inactive": 5}}, "VOICE": {}},
        "status_callbacks": [{"url": "https://x", "method": "POST"}],
        "memory_extraction_enabled": True,
    }
    wanted = {
        "description": "new",
        "channel_settings": {"SMS": {}, "CHAT": {"status_timeouts": {"inactive": 9}}},
    }
    fields = _patch_fields(
        ["channel_settings", "description", "memory_extraction_enabled", "status_callbacks"], olds, wanted
    )
    assert fields == {
        "channel_settings": {"CHAT": {"status_timeouts": {"inactive": 9}}, "VOICE": None},
        "description": "new",
        "memory_extraction_enabled": False,
        "status_callbacks": [],
    }
    assert _channel_patch({"sms": {"capture_rules": []}}, {"SMS": {}}) == {}

"""StoreProvider.check and .diff: offline validation and normalized comparison (no HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi_twilio_memory import config
from pulumi_twilio_memory.resources._base import PROVIDER_KEY, UNKNOWN
from pulumi_twilio_memory.resources.store import StoreProvider

OUTPUTS = {"status": None, "version": None, "intelligence_service_id": None, "data_as_of": None, "etag": None}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_MEMORY_OPERATION_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_API_KEY", "SK00000000000000000000000000000000")
    monkeypatch.setenv("TWILIO_API_SECRET", "unit-test-secret")
    config.reset()
    yield
    config.reset()


def news(**inputs: object) -> dict[str, object]:
    """Props as the host hands them to check: inputs, None outputs, the serialized provider."""
    return {PROVIDER_KEY: "serialized", **OUTPUTS, **inputs}


def failures(**inputs: object) -> dict[str, str]:
    result = StoreProvider().check({}, news(**inputs))
    return {f.property: f.reason for f in result.failures}


def test_valid_inputs_pass_and_outputs_are_not_inputs() -> None:
    result = StoreProvider().check({}, news(display_name="client-acme", description="Acme support memory"))
    assert result.failures == []
    assert result.inputs == {"display_name": "client-acme", "description": "Acme support memory"}


@pytest.mark.parametrize(
    ("inputs", "prop", "needle"),
    [
        ({"display_name": "client acme"}, "display_name", "letters, digits or '-'"),
        ({"display_name": "client_acme"}, "display_name", "letters, digits or '-'"),
        ({"display_name": "x" * 65}, "display_name", "at most 64"),
        ({"display_name": ""}, "display_name", "at least 1"),
        ({"display_name": "ok", "description": ""}, "description", "1-128"),
        ({"display_name": "ok", "description": "d" * 129}, "description", "at most 128"),
        ({"display_name": "ok", "adopt": "maybe"}, "adopt", "boolean"),
        ({"description": "no name"}, "display_name", "required"),
    ],
)
def test_each_documented_rule_fails_on_its_own_property(
    inputs: dict[str, object], prop: str, needle: str
) -> None:
    found = failures(**inputs)
    assert list(found) == [prop]
    assert needle in found[prop]


def test_several_bad_fields_give_one_failure_each() -> None:
    assert set(failures(display_name="bad name", description="", adopt=3)) == {
        "display_name",
        "description",
        "adopt",
    }


def test_unknown_values_are_skipped_during_preview() -> None:
    assert failures(display_name=UNKNOWN, description=UNKNOWN) == {}
    # a known bad value is still reported next to an unknown one
    assert list(failures(display_name=UNKNOWN, description="")) == ["description"]
    result = StoreProvider().check({}, news(display_name=UNKNOWN))
    assert result.inputs["display_name"] == UNKNOWN


def test_missing_credentials_fail_check_with_both_ways_to_set_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_API_KEY")
    monkeypatch.delenv("TWILIO_API_SECRET")
    found = failures(display_name="client-acme")
    assert list(found) == [""]
    assert "pulumi config set twilio-memory:apiKey" in found[""] and "TWILIO_API_KEY" in found[""]


def test_bad_provider_settings_fail_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_MEMORY_BASE_URL", "not a url")
    assert "TWILIO_MEMORY_BASE_URL" in failures(display_name="client-acme")[""]


# -- diff ------------------------------------------------------------------------------------------

STATE = {
    PROVIDER_KEY: "serialized",
    "display_name": "client-acme",
    "description": "Acme",
    "adopt": False,
    "status": "ACTIVE",
    "version": 3,
    "intelligence_service_id": "intelligence_service_x",
    "data_as_of": "2026-01-01T00:00:00Z",
    "etag": '"e3"',
}


def diff(**inputs: object) -> tuple[bool | None, list[str] | None]:
    result = StoreProvider().diff("mem_store_x", STATE, news(**inputs))
    return result.changes, result.replaces


def test_no_change_when_inputs_match_the_recorded_state() -> None:
    assert diff(display_name="client-acme", description="Acme") == (False, [])


def test_description_and_display_name_update_in_place() -> None:
    assert diff(display_name="client-acme", description="New") == (True, [])
    assert diff(display_name="client-acme-2", description="Acme") == (True, [])
    assert StoreProvider().changed_properties(STATE, news(display_name="renamed", description="Other")) == [
        "description",
        "display_name",
    ]


def test_adopt_and_output_only_fields_never_cause_a_change() -> None:
    assert diff(display_name="client-acme", description="Acme", adopt=True) == (False, [])
    state = {**STATE, "status": "PROVISIONING", "version": 9, "etag": "other"}
    assert (
        StoreProvider()
        .diff("mem_store_x", state, news(display_name="client-acme", description="Acme"))
        .changes
        is False
    )


def test_omitted_description_leaves_the_live_one_alone() -> None:
    assert diff(display_name="client-acme") == (False, [])


def test_unknown_new_value_counts_as_a_change() -> None:
    assert diff(display_name=UNKNOWN, description="Acme") == (True, [])


def test_drift_recorded_by_refresh_shows_as_a_change() -> None:
    drifted = {**STATE, "description": "edited in the Console"}
    result = StoreProvider().diff(
        "mem_store_x", drifted, news(display_name="client-acme", description="Acme")
    )
    assert result.changes is True and result.replaces == []

"""IdentityResolutionSettingsProvider's methods against a real emulator server on loopback.

The settings are a singleton per store: create takes them over with a conditional PUT, delete puts
the API's defaults back. Assertions are about what the server holds and what a user sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _dependents import IRS_ROUTE, V1, calls, configured_store, get, props, route_calls, send, state
from pulumi_twilio_memory.resources._base import UNKNOWN
from pulumi_twilio_memory.resources.identity_resolution import IdentityResolutionSettingsProvider
from pulumi_twilio_memory.resources.store import StoreProvider
from twilio_memory_api import models as m
from twilio_memory_api.errors import PreconditionFailedError

pytestmark = pytest.mark.integration

#: As the product docs write it: upper-case enums, no limit (the API's default is 100).
DOCS_STYLE = [
    {"id_type": "email", "matching_algo": "EXACT", "limit_policy": "FIFO", "normalization": "EMAIL"}
]


@pytest.fixture
def store_id(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from configured_store(emulator, monkeypatch)


def live(emulator: Any, store: str) -> dict[str, Any]:
    return dict(get(emulator, f"{V1}/Stores/{store}/IdentityResolutionSettings"))


def default_settings() -> dict[str, Any]:
    wire = m.to_wire(m.DEFAULT_IDENTITY_RESOLUTION)
    return {"rules": wire["matchingRules"], "types": [c["idType"] for c in wire["identifierConfigs"]]}


def test_full_lifecycle_and_delete_restores_the_defaults(emulator: Any, store_id: str) -> None:
    provider = IdentityResolutionSettingsProvider()
    inputs = props(store_id=store_id, identifier_configs=DOCS_STYLE, matching_rules=["email"])
    checked = provider.check({}, inputs)
    assert checked.failures == []
    assert checked.inputs["identifier_configs"] == [
        {"id_type": "email", "matching_algo": "exact", "limit_policy": "fifo", "normalization": "email"}
    ]

    emulator.control.reset_stats()
    created = provider.create(props(**checked.inputs))
    outs = created.outs or {}
    assert created.id == store_id
    assert route_calls(emulator, "PUT", IRS_ROUTE) == 1
    assert route_calls(emulator, "GET", IRS_ROUTE) == 1  # no read before the PUT; one after it
    assert outs["version"] == 2 and outs["etag"]
    assert outs["identifier_configs"] == [
        {
            "id_type": "email",
            "matching_algo": "exact",
            "limit": 100,
            "limit_policy": "fifo",
            "enforce_unique": True,
            "normalization": "email",
        }
    ]
    assert live(emulator, store_id)["matchingRules"] == ["email"]

    # Refresh, then preview the same program: the defaults the API filled in are not drift.
    read = provider.read(store_id, state(inputs, outs))
    assert read.id == store_id and read.outs == outs
    assert read.inputs is None  # no drift: a refresh records (and shows) nothing
    projected = provider.read(store_id, {}).inputs  # with nothing recorded: everything
    assert projected is not None and projected["identifier_configs"][0]["limit"] == 100
    assert provider.diff(store_id, {**projected, **outs}, inputs).changes is False

    news = props(
        store_id=store_id,
        identifier_configs=[
            {"id_type": "phone", "normalization": "phone", "limit": 5},
            {"id_type": "email", "matching_algo": "fuzzy"},
        ],
        matching_rules=["phone", "email"],
    )
    assert provider.diff(store_id, state(inputs, outs), news).replaces == []
    emulator.control.reset_stats()
    updated = provider.update(store_id, state(inputs, outs), news).outs or {}
    assert route_calls(emulator, "PUT", IRS_ROUTE) == 1
    assert updated["version"] == 3 and updated["etag"] != outs["etag"]
    fuzzy = next(c for c in updated["identifier_configs"] if c["id_type"] == "email")
    assert fuzzy["matching_threshold"] == 75  # filled in by the API, and no drift for it:
    assert provider.diff(store_id, state(news, updated), news).changes is False

    provider.delete(store_id, state(news, updated))
    after = live(emulator, store_id)
    assert after["matchingRules"] == default_settings()["rules"]
    assert [c["idType"] for c in after["identifierConfigs"]] == default_settings()["types"]


def test_create_does_not_write_when_the_settings_already_match(emulator: Any, store_id: str) -> None:
    wire = m.to_wire(m.DEFAULT_IDENTITY_RESOLUTION)
    configs = [
        {"id_type": c["idType"], "normalization": c["normalization"]} for c in wire["identifierConfigs"]
    ]
    emulator.control.reset_stats()
    created = IdentityResolutionSettingsProvider().create(
        props(store_id=store_id, identifier_configs=configs, matching_rules=wire["matchingRules"])
    )
    assert route_calls(emulator, "PUT", IRS_ROUTE) == 0
    assert (created.outs or {})["version"] == 1


def test_an_out_of_band_change_is_reported_by_read_and_diff(emulator: Any, store_id: str) -> None:
    provider = IdentityResolutionSettingsProvider()
    inputs = props(store_id=store_id, identifier_configs=DOCS_STYLE, matching_rules=["email"])
    created = provider.create(inputs)
    body = {"identifierConfigs": [{"idType": "email", "limit": 3}], "matchingRules": ["email"]}
    send(emulator, "PUT", f"{V1}/Stores/{store_id}/IdentityResolutionSettings", body)

    read = provider.read(store_id, state(inputs, created.outs))
    assert read.inputs is not None and read.outs is not None
    assert read.inputs["identifier_configs"][0]["limit"] == 3
    assert read.inputs["identifier_configs"][0]["normalization"] == "trim"
    diff = provider.diff(store_id, {**read.inputs, **read.outs}, inputs)
    assert diff.changes is True and diff.replaces == []


def test_a_stale_etag_refuses_to_write(emulator: Any, store_id: str) -> None:
    provider = IdentityResolutionSettingsProvider()
    inputs = props(store_id=store_id, identifier_configs=DOCS_STYLE, matching_rules=["email"])
    created = provider.create(inputs)
    body = {"identifierConfigs": [{"idType": "phone"}], "matchingRules": ["phone"]}
    send(emulator, "PUT", f"{V1}/Stores/{store_id}/IdentityResolutionSettings", body)

    news = props(
        store_id=store_id, identifier_configs=[{"id_type": "email", "limit": 9}], matching_rules=["email"]
    )
    with pytest.raises(PreconditionFailedError, match="pulumi refresh"):
        provider.update(store_id, state(inputs, created.outs), news)
    assert live(emulator, store_id)["matchingRules"] == ["phone"]  # the other writer's change stands


def test_only_a_new_store_replaces_and_config_order_is_not_a_change(store_id: str) -> None:
    provider = IdentityResolutionSettingsProvider()
    two = [{"id_type": "email"}, {"id_type": "phone", "normalization": "PHONE"}]
    olds = {
        **props(store_id=store_id, identifier_configs=two, matching_rules=["email", "phone"]),
        "version": 2,
    }
    same = props(store_id=store_id, identifier_configs=two[::-1], matching_rules=["email", "phone"])
    assert provider.diff(store_id, olds, same).changes is False
    reordered_rules = provider.diff(store_id, olds, {**same, "matching_rules": ["phone", "email"]})
    assert reordered_rules.changes is True and reordered_rules.replaces == []
    other = provider.diff(store_id, olds, {**same, "store_id": "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaa"})
    assert other.replaces == ["store_id"]
    assert provider.diff(store_id, olds, {**same, "store_id": UNKNOWN}).replaces == ["store_id"]


def test_read_and_delete_when_the_store_is_gone(emulator: Any, store_id: str) -> None:
    provider = IdentityResolutionSettingsProvider()
    inputs = props(store_id=store_id, identifier_configs=DOCS_STYLE, matching_rules=["email"])
    created = provider.create(inputs)
    StoreProvider().delete(store_id, {})
    assert provider.read(store_id, state(inputs, created.outs)).id == ""
    provider.delete(store_id, state(inputs, created.outs))  # nothing left to restore: success


def test_check_makes_no_request_and_checks_rules_while_the_store_id_is_unknown(
    emulator: Any, store_id: str
) -> None:
    before = calls(emulator)
    provider = IdentityResolutionSettingsProvider()
    result = provider.check(
        {}, props(store_id=UNKNOWN, identifier_configs=[{"id_type": "email"}], matching_rules=["phone"])
    )
    ((prop, reason),) = [(f.property, f.reason) for f in result.failures]
    assert prop == "matching_rules"
    assert reason.startswith("matching_rules: 'phone' is not a configured id_type (configured: email)")
    assert result.inputs["store_id"] == UNKNOWN
    assert calls(emulator) == before


def test_an_update_whose_answer_was_lost_is_not_reported_as_a_conflict(emulator: Any, store_id: str) -> None:
    provider = IdentityResolutionSettingsProvider()
    inputs = props(store_id=store_id, identifier_configs=DOCS_STYLE, matching_rules=["email"])
    created = provider.create(inputs)
    emulator.control.add_fault(action="error", route=f"PUT {IRS_ROUTE}", status=503, phase="after", times=1)
    news = props(
        store_id=store_id, identifier_configs=[{"id_type": "email", "limit": 7}], matching_rules=["email"]
    )
    updated = provider.update(store_id, state(inputs, created.outs), news).outs or {}
    assert updated["identifier_configs"][0]["limit"] == 7
    assert live(emulator, store_id)["identifierConfigs"][0]["limit"] == 7

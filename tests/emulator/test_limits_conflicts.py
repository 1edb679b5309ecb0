"""Limits (15 stores, 50 groups, 95 traits), uniqueness (400 where the spec documents no 409, else
409), references and cascades."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from emu_helpers import (
    CONFIGS,
    STORES,
    assert_error,
    configuration_body,
    create_configuration,
    create_store,
    create_trait_group,
    data_mapping_body,
    operation,
)
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with emulator.http() as client:
        yield client


def test_fifteen_stores_per_account(http: httpx.Client) -> None:
    ids = [create_store(http, f"tenant-{i}") for i in range(15)]
    assert_error(http.post(STORES, json={"displayName": "tenant-15"}), 400, mentions="15")
    assert len(http.get(STORES, params={"pageSize": 100}).json()["stores"]) == 15
    operation(http, http.delete(f"{STORES}/{ids[0]}"))
    create_store(http, "tenant-15")


def test_failed_stores_count_toward_the_limit(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.add_fault(action="fail_provisioning", times=1)
    failed = create_store(http, "broken")
    assert http.get(f"{STORES}/{failed}").json()["status"] == "FAILED"
    for i in range(14):
        create_store(http, f"tenant-{i}")
    assert_error(http.post(STORES, json={"displayName": "one-more"}), 400)


def test_store_display_name_is_unique(http: httpx.Client) -> None:
    first = create_store(http, "acme")
    other = create_store(http, "globex")
    response = http.post(STORES, json={"displayName": "acme"})
    assert_error(response, 400, mentions="acme")
    assert response.headers["X-Conflicting-Resource-Id"] == first
    assert_error(http.patch(f"{STORES}/{other}", json={"displayName": "acme"}), 400, mentions="displayName")
    # Renaming to its own name is fine, and a freed name can be reused.
    assert http.patch(f"{STORES}/{first}", json={"displayName": "acme"}).status_code == 202
    operation(http, http.delete(f"{STORES}/{first}"))
    create_store(http, "acme")


def test_delete_cascades_and_then_404(http: httpx.Client) -> None:
    store_id = create_store(http)
    create_trait_group(http, store_id, "prefs", traits={"tier": {"dataType": "STRING"}})
    op = operation(http, http.delete(f"{STORES}/{store_id}"))
    assert op["status"] == "COMPLETED"
    assert op["result"] == {"type": "RESOURCE_ID", "id": store_id}
    for path in (
        "",
        "/TraitGroups",
        "/TraitGroups/prefs",
        "/TraitGroups/Contact",
        "/IdentityResolutionSettings",
    ):
        assert_error(http.get(f"{STORES}/{store_id}{path}"), 404, 20404)
    assert_error(http.delete(f"{STORES}/{store_id}"), 404, 20404)
    assert store_id not in http.get(STORES).json()["stores"]


def test_new_store_is_seeded(http: httpx.Client) -> None:
    store_id = create_store(http)
    contact = http.get(f"{STORES}/{store_id}/TraitGroups/Contact").json()["traitGroup"]
    assert {"email", "phone", "firstName", "lastName"} <= set(contact["traits"])
    settings = http.get(f"{STORES}/{store_id}/IdentityResolutionSettings").json()
    assert [c["idType"] for c in settings["identifierConfigs"]] == ["email", "whatsapp", "phone"]
    assert settings["version"] == 1


def test_trait_group_conflicts_and_limits(http: httpx.Client) -> None:
    store_id = create_store(http)
    groups = f"{STORES}/{store_id}/TraitGroups"
    create_trait_group(http, store_id, "prefs")
    assert_error(http.post(groups, json={"displayName": "prefs"}), 400, mentions="displayName")
    assert_error(http.post(groups, json={"displayName": "Contact"}), 400, mentions="displayName")
    assert_error(http.delete(f"{groups}/Contact"), 409, 20409, mentions="Contact")
    for i in range(48):  # Contact + prefs + 48 = 50
        assert http.post(groups, json={"displayName": f"g{i}"}).status_code == 202
    assert_error(http.post(groups, json={"displayName": "g48"}), 400, mentions="50")
    assert_error(http.get(f"{groups}/missing"), 404, 20404)
    assert_error(http.patch(f"{groups}/missing", json={}), 404, 20404)
    assert_error(http.delete(f"{groups}/missing"), 404, 20404)


def test_trait_group_in_use_by_a_data_mapping_cannot_be_deleted(http: httpx.Client) -> None:
    store_id = create_store(http)
    create_trait_group(http, store_id, "prefs", traits={"tier": {"dataType": "STRING"}})
    mapping = data_mapping_body()
    mapping_id = operation(http, http.post(f"{STORES}/{store_id}/DataMappings", json=mapping))["result"]["id"]
    fetched = http.get(f"{STORES}/{store_id}/DataMappings/{mapping_id}")
    assert fetched.json()["isEnabled"] is True
    assert fetched.headers["ETag"]
    response = http.delete(f"{STORES}/{store_id}/TraitGroups/prefs")
    assert_error(response, 409, 20409, mentions=mapping_id)
    assert_error(http.post(f"{STORES}/{store_id}/DataMappings", json=mapping), 409, 20409)
    stale = fetched.headers["ETag"]
    assert (
        http.patch(
            f"{STORES}/{store_id}/DataMappings/{mapping_id}",
            json={"isEnabled": False},
            headers={"If-Match": stale},
        ).status_code
        == 202
    )
    assert_error(
        http.patch(
            f"{STORES}/{store_id}/DataMappings/{mapping_id}",
            json={"description": "x"},
            headers={"If-Match": stale},
        ),
        412,
    )
    assert http.get(f"{STORES}/{store_id}/DataMappings").json()["dataMappings"][0]["isEnabled"] is False
    operation(http, http.delete(f"{STORES}/{store_id}/DataMappings/{mapping_id}"))
    assert operation(http, http.delete(f"{STORES}/{store_id}/TraitGroups/prefs"))["status"] == "COMPLETED"


def test_configuration_conflicts(http: httpx.Client) -> None:
    store_id = create_store(http)
    bridge = {"serviceId": "IS" + "a" * 32}
    first = create_configuration(http, store_id, "acme", conversationsV1Bridge=bridge)
    body = configuration_body(store_id)
    response = http.post(CONFIGS, json=body)
    assert_error(response, 409, 20409, mentions="displayName")
    assert response.headers["X-Conflicting-Resource-Id"] == first
    response = http.post(CONFIGS, json={**body, "displayName": "other", "conversationsV1Bridge": bridge})
    assert_error(response, 409, 20409, mentions="serviceId")
    second = create_configuration(http, store_id, "other")
    assert_error(http.patch(f"{CONFIGS}/{second}", json={"displayName": "acme"}), 409, 20409)
    assert_error(http.patch(f"{CONFIGS}/{second}", json={"conversationsV1Bridge": bridge}), 409, 20409)
    assert http.patch(f"{CONFIGS}/{first}", json={"displayName": "acme"}).status_code == 202
    assert_error(http.get(f"{CONFIGS}/conv_configuration_01k1etk2y5f1y9fpe2epfdtvv2"), 404, 20404)
    assert_error(http.delete(f"{CONFIGS}/conv_configuration_01k1etk2y5f1y9fpe2epfdtvv2"), 404, 20404)


def test_writes_to_a_store_that_is_not_active_are_400(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.settings(provisioning_delay=60)
    store_id = create_store(http)
    assert http.get(f"{STORES}/{store_id}").json()["status"] == "QUEUED"
    assert_error(
        http.post(f"{STORES}/{store_id}/TraitGroups", json={"displayName": "g"}), 400, mentions="ACTIVE"
    )
    body = {"identifierConfigs": [{"idType": "email"}], "matchingRules": ["email"]}
    assert_error(
        http.put(f"{STORES}/{store_id}/IdentityResolutionSettings", json=body), 400, mentions="ACTIVE"
    )
    assert http.patch(f"{STORES}/{store_id}", json={"description": "store itself is fine"}).status_code == 202


def test_legacy_store_id_alias_and_request_ids(http: httpx.Client) -> None:
    store_id = create_store(http)
    alias = store_id.replace("mem_store_", "mem_service_")
    response = http.get(f"{STORES}/{alias}")
    assert response.json()["id"] == store_id
    assert response.headers["Twilio-Request-Id"].startswith("RQ")
    assert_error(http.get(f"{STORES}/{store_id}/TraitGroups/bad%20name"), 404, 20404)

"""Every answer of the emulator, for every control-plane operation of both products and in every
state a scenario can reach, conforms to Twilio's OpenAPI spec: a documented status, a body its
response schema accepts, the documented headers. The judge is the vendored spec read by
``openapi-schema-validator``: nothing of this project's models is involved."""

from __future__ import annotations

import httpx
import pytest
from drive import STORES, active, done
from spec_contract import Recorder, find_operation, operations, problems
from twilio_memory_emulator.testing import EmulatorServer

V1, V2 = "/v1/ControlPlane", "/v2/ControlPlane"
CONFIGS = f"{V2}/Configurations"
UNKNOWN_STORE = "mem_store_01h00000000000000000000000"


@pytest.fixture
def recorded(emulator: EmulatorServer, recorder: Recorder) -> tuple[httpx.Client, Recorder]:
    return emulator.http(event_hooks={"response": [recorder]}), recorder


def _memory_scenario(http: httpx.Client, emulator: EmulatorServer) -> str:
    created = http.post(STORES, json={"displayName": "contract-a", "description": "Contract store"})
    store_id = done(http, created)["result"]["id"] if created.status_code == 202 else ""
    http.get(f"{STORES}/{store_id}")  # QUEUED or PROVISIONING
    active(http, store_id)
    http.get(STORES, params={"pageSize": 1})
    http.post(STORES, json={"displayName": "contract-a"})  # the name is taken
    http.post(STORES, json={"displayName": "bad name!"})
    http.get(f"{STORES}/{UNKNOWN_STORE}")
    fetched = http.get(f"{STORES}/{store_id}")
    http.patch(f"{STORES}/{store_id}", json={"description": "stale"}, headers={"If-Match": '"0-stale"'})
    done(
        http,
        http.patch(
            f"{STORES}/{store_id}",
            json={"description": "Edited"},
            headers={"If-Match": fetched.headers["ETag"]},
        ),
    )
    http.patch(f"{STORES}/{store_id}", json={"description": ""})

    groups = f"{STORES}/{store_id}/TraitGroups"
    done(http, http.post(groups, json={"displayName": "Prefs", "traits": {"tier": {"dataType": "STRING"}}}))
    http.post(groups, json={"displayName": "Prefs"})
    http.post(groups, json={"displayName": "bad/name"})
    http.get(groups, params={"includeTraits": "true", "pageSize": 1})
    group = http.get(f"{groups}/Prefs")
    done(
        http,
        http.patch(f"{groups}/Prefs", json={"description": "d"}, headers={"If-Match": group.headers["ETag"]}),
    )
    http.patch(f"{groups}/Prefs", json={"traits": {"tier": {"dataType": "BAD"}}})
    http.get(f"{groups}/Missing")

    settings = f"{STORES}/{store_id}/IdentityResolutionSettings"
    current = http.get(settings)
    body = {"identifierConfigs": [{"idType": "email", "matchingAlgo": "exact"}], "matchingRules": ["email"]}
    done(http, http.put(settings, json=body, headers={"If-Match": current.headers["ETag"]}))
    http.put(settings, json=body, headers={"If-Match": current.headers["ETag"]})  # stale now
    http.put(settings, json={"identifierConfigs": [], "matchingRules": []})

    mappings = f"{STORES}/{store_id}/DataMappings"
    mapping = {
        "displayName": "crm",
        "mappingFrom": {"type": "INGRESS", "columns": ["tier"]},
        "mappingTo": {
            "type": "TRAITS",
            "mappings": [{"expression": "$.tier", "traitGroup": "Prefs", "traitName": "tier"}],
        },
    }
    made = http.post(mappings, json=mapping)
    mapping_id = done(http, made).get("result", {}).get("id", "") if made.status_code == 202 else ""
    http.post(mappings, json={"displayName": "?"})
    http.get(mappings)
    if mapping_id:
        http.get(f"{mappings}/{mapping_id}")
        http.delete(f"{groups}/Prefs")  # still mapped: 409
        done(http, http.patch(f"{mappings}/{mapping_id}", json={"displayName": "crm2"}))
        done(http, http.delete(f"{mappings}/{mapping_id}"))
    done(http, http.delete(f"{groups}/Prefs"))

    emulator.control.add_fault(
        action="fail_operation", method="PATCH", route=f"{STORES}/{{storeId}}", times=1
    )
    done(http, http.patch(f"{STORES}/{store_id}", json={"description": "fails"}))
    emulator.control.add_fault(
        action="error", status=429, route=f"{STORES}/{{storeId}}", times=1, retry_after=1
    )
    http.get(f"{STORES}/{store_id}")
    for status in (500, 503):
        emulator.control.add_fault(action="error", status=status, route=STORES, method="GET", times=1)
        http.get(STORES)
    http.get(f"{V1}/Operations/mem_operation_01h00000000000000000000000")
    return store_id


def _conversations_scenario(http: httpx.Client, emulator: EmulatorServer, store_id: str) -> None:
    body = {
        "displayName": "contract",
        "description": "Contract configuration",
        "conversationGroupingType": "GROUP_BY_PROFILE",
        "memoryStoreId": store_id,
        "statusCallbacks": [{"url": "https://example.com/cb", "method": "GET"}],
    }
    created = http.post(CONFIGS, json=body)
    config_id = (
        created.json().get("related", {}).get("configurationId", "") if created.status_code == 202 else ""
    )
    done(http, created)
    http.post(CONFIGS, json=body, headers={"Idempotency-Key": "contract-1"})
    http.post(CONFIGS, json={**body, "displayName": "bad!"})
    http.get(CONFIGS, params={"pageSize": 1})
    http.get(f"{CONFIGS}/{config_id}")
    http.get(f"{CONFIGS}/conv_configuration_01h00000000000000000000000")
    done(http, http.patch(f"{CONFIGS}/{config_id}", json={"description": "patched"}))
    done(http, http.put(f"{CONFIGS}/{config_id}", json={**body, "channelSettings": {}}))
    http.patch(f"{CONFIGS}/{config_id}", json={"conversationGroupingType": "NOPE"})
    emulator.control.add_fault(action="fail_operation", method="PATCH", route=f"{CONFIGS}/{{id}}", times=1)
    done(http, http.patch(f"{CONFIGS}/{config_id}", json={"description": "fails"}))
    http.get(f"{V2}/Operations/proc_job_01h00000000000000000000000")
    done(http, http.delete(f"{CONFIGS}/{config_id}"))
    http.delete(f"{CONFIGS}/{config_id}")


@pytest.fixture
def scenario(emulator: EmulatorServer, recorded: tuple[httpx.Client, Recorder]) -> Recorder:
    """Every operation of both products, in the states and errors a user can meet."""
    http, recorder = recorded
    with http:
        store_id = _memory_scenario(http, emulator)
        _conversations_scenario(http, emulator, store_id)
        done(http, http.delete(f"{STORES}/{store_id}"))
        http.delete(f"{STORES}/{store_id}")
    return recorder


def test_every_answer_conforms_to_the_spec(scenario: Recorder) -> None:
    found = [p for exchange in scenario.exchanges for p in problems(exchange)]
    assert not found, "\n".join(found)


def test_the_scenario_covers_every_control_plane_operation(scenario: Recorder) -> None:
    """Guards the test above: every operation of both spec files was exercised."""
    covered = set(scenario.statuses())
    everything = {
        op.name
        for name in ("twilio_memory_v1.json", "twilio_conversations_v2.json")
        for op in operations(name)
    }
    assert everything - covered == set()
    assert find_operation("GET", f"{STORES}/{UNKNOWN_STORE}") is not None

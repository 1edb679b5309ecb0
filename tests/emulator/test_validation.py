"""Every documented constraint, one bad value at a time: a 400 naming the field, and no change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import emu_helpers
import httpx
import pytest
from emu_helpers import CONFIGS, STORES, assert_error, create_configuration, create_store, create_trait_group
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator

MISSING = object()
STORE_ID_UNKNOWN = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with emulator.http() as client:
        yield client


@pytest.fixture
def store_id(http: httpx.Client) -> str:
    return create_store(http, "acme")


def _with(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``base`` with the dotted ``path`` set to ``value`` (or removed for MISSING)."""
    import copy

    body = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node.setdefault(part, {})
    if value is MISSING:
        node.pop(last, None)
    else:
        node[last] = value
    return body


# ------------------------------------------------------------------------------------------------
# Stores
# ------------------------------------------------------------------------------------------------

STORE_OK = {"displayName": "acme", "description": "Acme memory"}
STORE_CASES = [
    ("displayName", MISSING, "displayName"),
    ("displayName", "", "displayName"),
    ("displayName", "has space", "displayName"),
    ("displayName", "under_score", "displayName"),
    ("displayName", "x" * 65, "displayName"),
    ("displayName", "ünïcode", "displayName"),
    ("displayName", 42, "displayName"),
    ("displayName", None, "displayName"),
    ("description", "", "description"),
    ("description", "d" * 129, "description"),
    ("description", ["list"], "description"),
]


@pytest.mark.parametrize(("field", "value", "mentions"), STORE_CASES)
def test_store_create_rejects(http: httpx.Client, field: str, value: Any, mentions: str) -> None:
    assert_error(http.post(STORES, json=_with(STORE_OK, field, value)), 400, mentions=mentions)
    assert http.get(STORES).json()["stores"] == []


@pytest.mark.parametrize(
    ("field", "value", "mentions"), [c for c in STORE_CASES if c[1] not in (MISSING, None)]
)
def test_store_patch_rejects(
    http: httpx.Client, store_id: str, field: str, value: Any, mentions: str
) -> None:
    assert_error(http.patch(f"{STORES}/{store_id}", json={field: value}), 400, mentions=mentions)
    assert http.get(f"{STORES}/{store_id}").json()["version"] == 1


def test_store_patch_empty_changes_no_field_and_null_is_not_a_string(
    http: httpx.Client, store_id: str
) -> None:
    assert http.patch(f"{STORES}/{store_id}", content=b"").status_code == 202
    assert_error(http.patch(f"{STORES}/{store_id}", json={"displayName": None}), 400, mentions="displayName")
    store = http.get(f"{STORES}/{store_id}").json()
    assert (store["displayName"], store["description"]) == ("acme", "Acme memory")


def test_store_boundaries_are_accepted(http: httpx.Client) -> None:
    create_store(http, "x" * 64, "d" * 128)  # the spec's maximum display name
    create_store(http, "A-1", None)


def test_keys_the_spec_allows_are_accepted_and_ignored(http: httpx.Client, store_id: str) -> None:
    """Where a request schema does not forbid extra keys, they are accepted (and ignored), so a
    read-modify-write works: PUT or PATCH back what GET returned."""
    assert http.post(STORES, json={"displayName": "extra", "friendlyName": "legacy"}).status_code == 202
    url = f"{STORES}/{store_id}/IdentityResolutionSettings"
    current = http.get(url)
    assert (
        http.put(url, json=current.json(), headers={"If-Match": current.headers["ETag"]}).status_code == 202
    )
    config_id = create_configuration(http, store_id)
    config = http.get(f"{CONFIGS}/{config_id}").json()
    assert http.patch(f"{CONFIGS}/{config_id}", json=config).status_code == 202


@pytest.mark.parametrize(
    ("raw", "mentions"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "JSON object"),
        (b'"acme"', "JSON object"),
        (b"", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "not valid JSON"),
        (b'{"displayName": NaN}', "not valid JSON"),
    ],
)
def test_malformed_bodies_are_400(http: httpx.Client, raw: bytes, mentions: str) -> None:
    response = http.post(STORES, content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, mentions=mentions)


def test_oversized_body_is_413_but_the_largest_valid_request_is_not(
    http: httpx.Client, store_id: str
) -> None:
    assert_error(http.post(STORES, json={"displayName": "acme", "description": "d" * (1100 * 1024)}), 413)
    rule = {"ruleType": "STRING", "pattern": "p" * 1000, "minLength": 1, "maxLength": 2}
    traits = {
        f"t{i}": {"dataType": "STRING", "description": "d" * 1024, "validationRule": rule} for i in range(95)
    }
    body = {"displayName": "big", "description": "d" * 1024, "traits": traits}
    assert len(json.dumps(body)) > 190_000  # about 200 kB: valid, so not refused for its size
    assert http.post(f"{STORES}/{store_id}/TraitGroups", json=body).status_code == 202


# ------------------------------------------------------------------------------------------------
# Trait groups
# ------------------------------------------------------------------------------------------------

GROUP_OK = {"displayName": "prefs", "description": "Preferences", "traits": {"tier": {"dataType": "STRING"}}}
TRAIT = "traits.tier"
GROUP_CASES = [
    ("displayName", MISSING, "displayName"),
    ("displayName", "", "displayName"),
    ("displayName", "has space", "displayName"),
    ("displayName", "slash/name", "displayName"),
    ("displayName", "g" * 65, "displayName"),
    ("description", "d" * 1025, "description"),
    ("traits", ["tier"], "traits"),
    ("traits", {"__": {"dataType": "STRING"}}, "traits"),
    ("traits", {"first_name": {"dataType": "STRING"}, "firstName": {"dataType": "STRING"}}, "traits"),
    ("traits", {f"t{i}": {"dataType": "STRING"} for i in range(96)}, "traits"),
    (f"{TRAIT}.dataType", MISSING, "dataType"),
    (f"{TRAIT}.dataType", "TEXT", "dataType"),
    (f"{TRAIT}.dataType", "string", "dataType"),
    (f"{TRAIT}.description", "d" * 1025, "description"),
    (f"{TRAIT}.idTypePromotion", "i" * 31, "idTypePromotion"),
    (f"{TRAIT}.unknown", True, "unknown"),
    (f"{TRAIT}.validationRule", {"ruleType": "NUMBER"}, "ruleType"),
    (f"{TRAIT}.validationRule", {"ruleType": "DATE"}, "validationRule"),
    (f"{TRAIT}.validationRule", {"ruleType": "STRING", "minLength": 5, "maxLength": 2}, "minLength"),
    (f"{TRAIT}.validationRule", {"ruleType": "STRING", "maxLength": 0}, "maxLength"),
    (f"{TRAIT}.validationRule", {"ruleType": "STRING", "minLength": -1}, "minLength"),
    (f"{TRAIT}.validationRule", {"ruleType": "STRING", "pattern": "("}, "pattern"),
    (f"{TRAIT}.validationRule", {"ruleType": "STRING", "pattern": "p" * 1001}, "pattern"),
    (f"{TRAIT}.validationRule", {"ruleType": "STRING", "min": 1}, "min"),
    (f"{TRAIT}.validationRule", {"ruleType": "STRING", "maxLength": "10"}, "maxLength"),
    ("extra", 1, "extra"),
]
NUMBER_TRAIT = {"dataType": "NUMBER", "validationRule": {"ruleType": "NUMBER", "min": 10, "max": 1}}
ARRAY_TRAIT = {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "minItems": -1}}


@pytest.mark.parametrize(("field", "value", "mentions"), GROUP_CASES)
def test_trait_group_create_rejects(
    http: httpx.Client, store_id: str, field: str, value: Any, mentions: str
) -> None:
    response = http.post(f"{STORES}/{store_id}/TraitGroups", json=_with(GROUP_OK, field, value))
    assert_error(response, 400, mentions=mentions)
    groups = http.get(f"{STORES}/{store_id}/TraitGroups").json()["traitGroups"]
    assert [g["displayName"] for g in groups] == ["Contact"]


def test_trait_names_are_normalized_to_lower_camel_case(http: httpx.Client, store_id: str) -> None:
    """The spec: any trait key is accepted and stored in lowerCamelCase (not refused)."""
    traits = {
        "FirstName": {"dataType": "STRING"},
        "loyalty_tier": {"dataType": "STRING"},
        "1st": {"dataType": "STRING"},
    }
    body = {"displayName": "names", "traits": traits}
    http.post(f"{STORES}/{store_id}/TraitGroups", json=body).raise_for_status()
    stored = http.get(f"{STORES}/{store_id}/TraitGroups/names").json()["traitGroup"]["traits"]
    assert set(stored) == {"firstName", "loyaltyTier", "1st"}


@pytest.mark.parametrize(("trait", "mentions"), [(NUMBER_TRAIT, "min"), (ARRAY_TRAIT, "minItems")])
def test_trait_group_rule_bounds(
    http: httpx.Client, store_id: str, trait: dict[str, Any], mentions: str
) -> None:
    body = {"displayName": "prefs", "traits": {"score": trait}}
    assert_error(http.post(f"{STORES}/{store_id}/TraitGroups", json=body), 400, mentions=mentions)


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"displayName": "renamed"}, "displayName"),
        ({"traits": {"tier": {"dataType": "BAD"}}}, "dataType"),
        ({"traits": {"tier": {"description": "no type"}}}, "dataType"),
        ({"traits": {f"t{i}": {"dataType": "STRING"} for i in range(96)}}, "traits"),
        ({"description": 5}, "description"),
    ],
)
def test_trait_group_patch_rejects(
    http: httpx.Client, store_id: str, body: dict[str, Any], mentions: str
) -> None:
    create_trait_group(http, store_id, "prefs", traits={"tier": {"dataType": "STRING"}})
    response = http.patch(f"{STORES}/{store_id}/TraitGroups/prefs", json=body)
    assert_error(response, 400, mentions=mentions)
    assert http.get(f"{STORES}/{store_id}/TraitGroups/prefs").json()["traitGroup"]["version"] == 1


def test_trait_group_patch_counts_the_merged_result(http: httpx.Client, store_id: str) -> None:
    create_trait_group(http, store_id, "big", traits={f"t{i}": {"dataType": "STRING"} for i in range(90)})
    more = {f"n{i}": {"dataType": "NUMBER"} for i in range(6)}
    assert_error(
        http.patch(f"{STORES}/{store_id}/TraitGroups/big", json={"traits": more}), 400, mentions="95"
    )
    swap = {**{f"t{i}": {"dataType": ""} for i in range(6)}, **more}
    assert http.patch(f"{STORES}/{store_id}/TraitGroups/big", json={"traits": swap}).status_code == 202


# ------------------------------------------------------------------------------------------------
# Identity resolution settings
# ------------------------------------------------------------------------------------------------

IRS_OK: dict[str, Any] = {
    "identifierConfigs": [{"idType": "email"}, {"idType": "phone"}],
    "matchingRules": ["email", "phone"],
}


def _config(**fields: Any) -> dict[str, Any]:
    return {"identifierConfigs": [{"idType": "email", **fields}], "matchingRules": ["email"]}


IRS_CASES: list[tuple[dict[str, Any], str]] = [
    ({"matchingRules": ["email"]}, "identifierConfigs"),
    ({"identifierConfigs": [{"idType": "email"}]}, "matchingRules"),
    ({"identifierConfigs": [], "matchingRules": ["email"]}, "identifierConfigs"),
    (
        {"identifierConfigs": [{"idType": f"id{i}"} for i in range(16)], "matchingRules": ["id1"]},
        "identifierConfigs",
    ),
    ({"identifierConfigs": [{"idType": "email"}], "matchingRules": []}, "matchingRules"),
    ({"identifierConfigs": [{"idType": "email"}], "matchingRules": ["email"] * 16}, "matchingRules"),
    ({"identifierConfigs": [{"idType": "e"}], "matchingRules": ["e"]}, "idType"),
    ({"identifierConfigs": [{"idType": "e" * 31}], "matchingRules": ["email"]}, "idType"),
    ({"identifierConfigs": [{"matchingAlgo": "exact"}], "matchingRules": ["email"]}, "idType"),
    (_config(matchingAlgo="EXACT"), "matchingAlgo"),
    (_config(matchingAlgo="fuzzy", matchingThreshold=49), "matchingThreshold"),
    (_config(matchingAlgo="fuzzy", matchingThreshold=100), "matchingThreshold"),
    (_config(limit=0), "limit"),
    (_config(limit=101), "limit"),
    (_config(limit="5"), "limit"),
    (_config(limitPolicy="FIFO"), "limitPolicy"),
    (_config(enforceUnique="yes"), "enforceUnique"),
    (_config(normalization="lower"), "normalization"),
    (_config(color="blue"), "color"),
    ({"identifierConfigs": [{"idType": "email"}, {"idType": "email"}], "matchingRules": ["email"]}, "idType"),
    ({"identifierConfigs": [{"idType": "email"}], "matchingRules": ["phone"]}, "matchingRules"),
    ({"identifierConfigs": [{"idType": "email"}], "matchingRules": ["email", "email"]}, "matchingRules"),
    ({**IRS_OK, "matchingRules": ["email AND phone"]}, "matchingRules"),
    ({**IRS_OK, "matchingRules": ["e" * 31]}, "matchingRules"),
]


@pytest.mark.parametrize(("body", "mentions"), IRS_CASES)
def test_identity_resolution_rejects(
    http: httpx.Client, store_id: str, body: dict[str, Any], mentions: str
) -> None:
    url = f"{STORES}/{store_id}/IdentityResolutionSettings"
    assert_error(http.put(url, json=body), 400, mentions=mentions)
    assert http.get(url).json()["version"] == 1


def test_identity_resolution_boundaries_are_accepted(http: httpx.Client, store_id: str) -> None:
    configs = [{"idType": f"id{i:02d}", "limit": 100 if i % 2 else 1} for i in range(15)]
    configs[0] |= {"matchingAlgo": "fuzzy", "matchingThreshold": 99}
    body = {"identifierConfigs": configs, "matchingRules": [c["idType"] for c in configs]}
    assert http.put(f"{STORES}/{store_id}/IdentityResolutionSettings", json=body).status_code == 202


# ------------------------------------------------------------------------------------------------
# Conversations configurations
# ------------------------------------------------------------------------------------------------


def _configuration(store_id: str) -> dict[str, Any]:
    sms = {"statusTimeouts": {"inactive": 5}, "captureRules": [{"from": "*", "to": "*"}]}
    return emu_helpers.configuration_body(store_id, "acme", "Acme", channelSettings={"SMS": sms})


CONFIG_CASES = [
    ("displayName", MISSING, "displayName"),
    ("displayName", "n" * 33, "displayName"),
    ("displayName", "bang!", "displayName"),
    ("description", MISSING, "description"),
    ("description", 7, "description"),
    ("description", "d" * 513, "description"),
    ("conversationGroupingType", "GROUP_BY_MOOD", "conversationGroupingType"),
    ("memoryStoreId", MISSING, "memoryStoreId"),
    ("memoryStoreId", "store-1", "memoryStoreId"),
    ("memoryStoreId", STORE_ID_UNKNOWN, "memoryStoreId"),
    ("channelSettings", {"FAX": {}}, "channelSettings.FAX"),
    ("channelSettings", {"SMS": {"statusTimeouts": {"inactive": 0}}}, "inactive"),
    ("channelSettings", {"SMS": {"statusTimeouts": {"closed": "60"}}}, "closed"),
    ("channelSettings", {"SMS": {"captureRules": [{"from": "*"}]}}, "to"),
    (
        "channelSettings",
        {"SMS": {"captureRules": [{"from": "*", "to": "*", "metadata": {"k": 1}}]}},
        "metadata",
    ),
    ("statusCallbacks", [{"url": "https://a.example"}] * 3, "statusCallbacks"),
    ("statusCallbacks", [{"url": "ftp://a.example"}], "url"),
    ("statusCallbacks", [{"url": "https://a.example", "method": "HEAD"}], "method"),
    ("statusCallbacks", [{"method": "POST"}], "url"),
    ("intelligenceConfigurationIds", ["a", "b", "c", "d", "e", "f"], "intelligenceConfigurationIds"),
    ("memoryExtractionEnabled", "true", "memoryExtractionEnabled"),
    ("conversationsV1Bridge", {"serviceId": "IS123"}, "serviceId"),
    ("conversationsV1Bridge", {"serviceId": "CH" + "0" * 32}, "serviceId"),
]


@pytest.mark.parametrize(("field", "value", "mentions"), CONFIG_CASES)
def test_configuration_create_rejects(
    http: httpx.Client, store_id: str, field: str, value: Any, mentions: str
) -> None:
    assert_error(
        http.post(CONFIGS, json=_with(_configuration(store_id), field, value)), 400, mentions=mentions
    )
    assert http.get(CONFIGS).json()["configurations"] == []


@pytest.mark.parametrize(
    ("field", "mentions"), [("description", "description"), ("channelSettings", "channelSettings")]
)
def test_configuration_put_requires(http: httpx.Client, store_id: str, field: str, mentions: str) -> None:
    config_id = create_configuration(http, store_id)
    response = http.put(f"{CONFIGS}/{config_id}", json=_with(_configuration(store_id), field, MISSING))
    assert_error(response, 400, mentions=mentions)


@pytest.mark.parametrize(("field", "value", "mentions"), [c for c in CONFIG_CASES if c[1] is not MISSING])
def test_configuration_patch_rejects(
    http: httpx.Client, store_id: str, field: str, value: Any, mentions: str
) -> None:
    config_id = create_configuration(http, store_id)
    assert_error(http.patch(f"{CONFIGS}/{config_id}", json={field: value}), 400, mentions=mentions)
    assert http.get(f"{CONFIGS}/{config_id}").json()["version"] == 1


# ------------------------------------------------------------------------------------------------
# Data mappings (brief)
# ------------------------------------------------------------------------------------------------


def _mapping(**fields: Any) -> dict[str, Any]:
    return emu_helpers.data_mapping_body("crm-import", "$.tier", **fields)


def _dataset(**fields: Any) -> dict[str, Any]:
    """A DATASET_CLOUDAPP mapping: its target traits are checked when it is written."""
    return _mapping(
        mappingFrom={"type": "DATASET_CLOUDAPP", "datasetId": "tdi_dataset_01h00000000000000000000000"},
        **fields,
    )


def _one_mapping(type_: str = "TRAITS", **item: str | None) -> dict[str, Any]:
    """``mappingTo`` with one mapping of ``x`` into prefs.tier, but for ``item`` (None drops a key)."""
    merged = {"expression": "x", "traitGroup": "prefs", "traitName": "tier", **item}
    return {"type": type_, "mappings": [{k: v for k, v in merged.items() if v is not None}]}


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        (_mapping(displayName="1abc"), "displayName"),
        (_mapping(description=""), "description"),
        (_mapping(mappingFrom={"type": "CSV"}), "type"),
        (_mapping(mappingFrom={"type": "DATASET", "datasetId": "ds1"}), "datasetId"),
        (_mapping(mappingTo={"type": "TRAITS", "mappings": []}), "mappings"),
        (_mapping(mappingTo=_one_mapping("PROFILES")), "type"),
        (_mapping(mappingTo=_one_mapping(expression=None)), "expression"),
        (_dataset(mappingTo=_one_mapping(traitGroup="nope")), "traitGroup"),
        (_dataset(mappingTo=_one_mapping(traitName="nope")), "traitName"),
    ],
)
def test_data_mapping_create_rejects(
    http: httpx.Client, store_id: str, body: dict[str, Any], mentions: str
) -> None:
    create_trait_group(http, store_id, "prefs", traits={"tier": {"dataType": "STRING"}})
    assert_error(http.post(f"{STORES}/{store_id}/DataMappings", json=body), 400, mentions=mentions)


# ------------------------------------------------------------------------------------------------
# Query parameters and headers
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"pageSize": "0"}, "pageSize"),
        ({"pageSize": "101"}, "pageSize"),
        ({"pageSize": "ten"}, "pageSize"),
        ({"pageSize": "-1"}, "pageSize"),
        ({"orderBy": "UP"}, "orderBy"),
        ({"pageToken": "garbage!"}, "pageToken"),
        ({"pageToken": "eyJvZmZzZXQiOiAtMX0"}, "pageToken"),  # {"offset": -1}
        ({"pageToken": "a" * 501}, "pageToken"),
    ],
)
def test_store_list_query_rejects(http: httpx.Client, params: dict[str, str], mentions: str) -> None:
    assert_error(http.get(STORES, params=params), 400, mentions=mentions)


def test_other_list_queries_reject(http: httpx.Client, store_id: str) -> None:
    assert_error(
        http.get(f"{STORES}/{store_id}/TraitGroups", params={"includeTraits": "yes"}),
        400,
        mentions="includeTraits",
    )
    assert_error(http.get(CONFIGS, params={"pageSize": "1001"}), 400, mentions="pageSize")
    assert http.get(CONFIGS, params={"pageSize": "1000"}).status_code == 200
    assert_error(http.get(CONFIGS, params={"memoryStoreId": "x"}), 400, mentions="memoryStoreId")
    assert_error(http.get(f"{STORES}/{store_id}/DataMappings", params={"type": "CSV"}), 400, mentions="type")


def test_header_constraints(http: httpx.Client, store_id: str) -> None:
    url = f"{STORES}/{store_id}"
    assert_error(
        http.patch(url, json={}, headers={"If-Match": '"' + "a" * 100 + '"'}), 400, mentions="If-Match"
    )
    assert_error(http.patch(url, json={}, headers={"If-Match": '""'}), 400, mentions="If-Match")
    bad_key = {"Idempotency-Key": "not-a-uuid"}
    assert_error(
        http.post(CONFIGS, json=_configuration(store_id), headers=bad_key), 400, mentions="Idempotency-Key"
    )


def test_unknown_paths_and_methods(http: httpx.Client, store_id: str) -> None:
    assert_error(http.get("/v1/ControlPlane/Nope"), 404, 20404)
    assert_error(http.get(f"{STORES}/not-an-id"), 404, 20404)
    assert_error(http.put(f"{STORES}/{store_id}", json={}), 405)
    assert_error(http.post(f"{STORES}/{store_id}/IdentityResolutionSettings", json={}), 405)

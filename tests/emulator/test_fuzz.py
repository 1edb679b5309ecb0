"""Fuzzing: whatever a client sends, the answer is a Twilio 4xx or a 202, never a 500 or a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from emu_helpers import CONFIGS, STORES, create_configuration, create_store, create_trait_group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ALLOWED = {202, 400, 404, 409, 413}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=80)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = [
    "displayName",
    "description",
    "traits",
    "dataType",
    "validationRule",
    "ruleType",
    "identifierConfigs",
    "matchingRules",
    "idType",
    "limit",
    "memoryStoreId",
    "channelSettings",
    "statusCallbacks",
    "SMS",
    "conversationGroupingType",
    "mappingFrom",
    "mappingTo",
]
shaped = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5)


@pytest.fixture(scope="module")
def targets(emulator_server: EmulatorServer) -> Iterator[tuple[EmulatorServer, dict[str, str]]]:
    emulator_server.control.reset()
    with emulator_server.http() as http:
        store_id = create_store(http, "fuzz")
        create_trait_group(http, store_id, "prefs", traits={"tier": {"dataType": "STRING"}})
        config_id = create_configuration(http, store_id, "fuzz")
    yield emulator_server, {"store": store_id, "config": config_id}
    emulator_server.control.reset()


def _endpoints(ids: dict[str, str]) -> list[tuple[str, str]]:
    store = f"{STORES}/{ids['store']}"
    return [
        ("POST", STORES),
        ("PATCH", store),
        ("POST", f"{store}/TraitGroups"),
        ("PATCH", f"{store}/TraitGroups/prefs"),
        ("PUT", f"{store}/IdentityResolutionSettings"),
        ("POST", f"{store}/DataMappings"),
        ("POST", CONFIGS),
        ("PUT", f"{CONFIGS}/{ids['config']}"),
        ("PATCH", f"{CONFIGS}/{ids['config']}"),
    ]


def _send_all(emulator: EmulatorServer, ids: dict[str, str], content: bytes) -> None:
    with emulator.http() as http:
        for method, url in _endpoints(ids):
            response = http.request(
                method, url, content=content, headers={"Content-Type": "application/json"}
            )
            assert response.status_code in ALLOWED, (method, url, response.status_code, response.text)
            if response.status_code != 202:
                assert set(response.json()) == {"code", "message", "more_info", "status"}


@FUZZ
@given(body=json_values)
def test_any_json_value(targets: tuple[EmulatorServer, dict[str, str]], body: Any) -> None:
    _send_all(*targets, json.dumps(body).encode())


@FUZZ
@given(body=shaped)
def test_field_shaped_objects(targets: tuple[EmulatorServer, dict[str, str]], body: dict[str, Any]) -> None:
    _send_all(*targets, json.dumps(body).encode())


@FUZZ
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes(targets: tuple[EmulatorServer, dict[str, str]], raw: bytes) -> None:
    _send_all(*targets, raw)


@FUZZ
@given(
    name=st.text(min_size=0, max_size=300),
    query=st.dictionaries(
        st.sampled_from(["pageSize", "pageToken", "orderBy", "includeTraits", "memoryStoreId", "type"]),
        st.text(max_size=600),
        max_size=3,
    ),
)
def test_paths_and_queries(
    targets: tuple[EmulatorServer, dict[str, str]], name: str, query: dict[str, str]
) -> None:
    emulator, ids = targets
    store = f"{STORES}/{ids['store']}"
    with emulator.http() as http:
        for url in (
            STORES,
            f"{store}/TraitGroups",
            f"{store}/DataMappings",
            CONFIGS,
            f"{store}/TraitGroups/{quote(name, safe='') or 'x'}",
        ):
            response = http.get(url, params=query)
            assert response.status_code in {200, 400, 404}, (url, response.text)


def test_huge_unicode_and_deep_values(targets: tuple[EmulatorServer, dict[str, str]]) -> None:
    emulator, ids = targets
    bodies: list[Any] = [
        {"displayName": "🙂" * 20000},
        {"displayName": "a" * 60000},
        {"description": {"a": {"b": {"c": [[[[[[[[[[[]]]]]]]]]]]}}}},
        {"traits": {f"t{i}": {"dataType": "STRING"} for i in range(1500)}},
        {"displayName": "\u0000\ud7ff\ue000"},
        {"identifierConfigs": [{"idType": "x" * 10}] * 1000, "matchingRules": ["x" * 10] * 1000},
    ]
    for body in bodies:
        _send_all(emulator, ids, json.dumps(body).encode())

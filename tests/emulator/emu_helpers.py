"""Raw-HTTP helpers for the emulator contract tests (the SDK tests use the official client)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
from twilio.rest import Client
from twilio_memory_emulator.testing import EmulatorServer

V1 = "/v1/ControlPlane"
V2 = "/v2/ControlPlane"
STORES = f"{V1}/Stores"
CONFIGS = f"{V2}/Configurations"
#: Twilio's error codes for HTTP statuses; others use the status itself.
TWILIO_CODES = {401: 20003, 404: 20404, 409: 20409, 412: 20412, 429: 20429, 500: 20500, 503: 20503}


def sdk_client(emulator: EmulatorServer, username: str | None = None, password: str | None = None) -> Client:
    """The official twilio client pointed at the emulator, as the issue describes."""
    client = Client(username or emulator.account_sid, password or emulator.auth_token)
    client.memory.base_url = emulator.base_url
    client.conversations.base_url = emulator.base_url
    return client


def operation(http: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    """Follow a 202's statusUrl once and return the operation."""
    assert response.status_code == 202, response.text
    result = http.get(response.json()["statusUrl"])
    assert result.status_code == 200, result.text
    return result.json()  # type: ignore[no-any-return]


def create_store(http: httpx.Client, name: str = "acme", description: str | None = "Acme memory") -> str:
    body: dict[str, Any] = {"displayName": name}
    if description is not None:
        body["description"] = description
    op = operation(http, http.post(STORES, json=body))
    assert op["status"] == "COMPLETED", op
    return op["result"]["id"]  # type: ignore[no-any-return]


def create_trait_group(
    http: httpx.Client, store_id: str, name: str = "prefs", **fields: Any
) -> dict[str, Any]:
    body = {"displayName": name, **fields}
    return operation(http, http.post(f"{STORES}/{store_id}/TraitGroups", json=body))


def configuration_body(
    store_id: str, name: str = "acme", description: str = "d", **fields: Any
) -> dict[str, Any]:
    """A valid configuration create body (grouped by profile unless ``fields`` say otherwise)."""
    return {
        "displayName": name,
        "description": description,
        "conversationGroupingType": "GROUP_BY_PROFILE",
        "memoryStoreId": store_id,
        **fields,
    }


def data_mapping_body(name: str = "crm", expression: str = "$.t", **fields: Any) -> dict[str, Any]:
    """A valid data mapping create body: ``expression`` of ingested data into the prefs.tier trait."""
    return {
        "displayName": name,
        "mappingFrom": {"type": "INGRESS", "columns": ["t"]},
        "mappingTo": {
            "type": "TRAITS",
            "mappings": [{"expression": expression, "traitGroup": "prefs", "traitName": "tier"}],
        },
        **fields,
    }


def create_configuration(http: httpx.Client, store_id: str, name: str = "acme", **fields: Any) -> str:
    body = configuration_body(
        store_id,
        name,
        "Acme conversations",
        conversationGroupingType="GROUP_BY_PARTICIPANT_ADDRESSES",
        **fields,
    )
    response = http.post(CONFIGS, json=body)
    op = operation(http, response)
    assert op["status"] == "COMPLETED", op
    return response.json()["related"]["configurationId"]  # type: ignore[no-any-return]


def assert_error(
    response: httpx.Response, status: int, code: int | None = None, mentions: str | None = None
) -> None:
    """Twilio's legacy error body with the expected status, code and a message naming the field."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "more_info", "status"}, body
    assert body["status"] == status
    assert body["code"] == (code if code is not None else TWILIO_CODES.get(status, status))
    assert body["more_info"] == f"https://www.twilio.com/docs/api/errors/{body['code']}"
    if mentions is not None:
        assert mentions in body["message"], body["message"]


def run_emulator_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``twilio-memory-emulator ARGS`` as a process (for flags that exit: ``--help``, errors)."""
    return subprocess.run(
        [sys.executable, "-m", "twilio_memory_emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def profiles_path(store_id: str) -> str:
    """The data plane's profile collection of a store."""
    return f"/v1/Stores/{store_id}/Profiles"


def create_profile(http: httpx.Client, store_id: str, **contact: Any) -> str:
    """A profile resolved from ``Contact`` traits (``email=...``, ``phone=...``); its (canonical) id."""
    response = http.post(profiles_path(store_id), json={"traits": {"Contact": contact}})
    assert response.status_code == 202, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def put_identity_resolution(
    http: httpx.Client, store_id: str, configs: list[dict[str, Any]], rules: list[str]
) -> None:
    """Replace the store's identity resolution settings and wait until they apply."""
    body = {"identifierConfigs": configs, "matchingRules": rules}
    op = operation(http, http.put(f"{STORES}/{store_id}/IdentityResolutionSettings", json=body))
    assert op["status"] == "COMPLETED", op


def observation_items(
    conversation: str, *texts: str, source: str = "agent", at: str = "2026-01-01"
) -> list[dict[str, Any]]:
    """Observations of ``conversation`` as a create body lists them, one an hour from ``at``'s midnight."""
    return [
        {
            "content": text,
            "source": source,
            "occurredAt": f"{at}T0{i}:00:00Z",
            "conversationIds": [conversation],
        }
        for i, text in enumerate(texts)
    ]

"""Helpers shared by the integration tests of the store-dependent resources (trait groups,
identity resolution settings, conversation configurations): provider configuration pointed at the
emulator, a ready store to hang things on, plain-HTTP views of what the server holds (read
without the code under test), and request bodies for what no resource manages (data mappings)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi_twilio_memory import config
from pulumi_twilio_memory.resources._base import PROVIDER_KEY, clear_client_cache
from pulumi_twilio_memory.resources.store import StoreProvider

V1 = "/v1/ControlPlane"
V2 = "/v2/ControlPlane"
STORE_ROUTE = f"{V1}/Stores/{{storeId}}"
GROUP_ROUTE = f"{STORE_ROUTE}/TraitGroups/{{traitGroupName}}"
IRS_ROUTE = f"{STORE_ROUTE}/IdentityResolutionSettings"
CONFIG_ROUTE = f"{V2}/Configurations/{{id}}"
#: A stack's serialized provider as the host passes it; its value does not matter to our code.
SERIALIZED = "serialized-provider"


def configured_store(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Body of each test module's ``store_id`` fixture: point every provider at the emulator (as
    ``configure()`` does with the stack config), make an ACTIVE store through the Store provider,
    yield its id, and forget the configuration afterwards."""
    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config.configure(
        {
            "twilio-memory:apiKey": emulator.api_key,
            "twilio-memory:apiSecret": emulator.api_secret,
            "twilio-memory:memoryBaseUrl": emulator.base_url,
            "twilio-memory:conversationsBaseUrl": emulator.base_url,
            "twilio-memory:operationTimeout": "20",
        }
    )
    try:
        yield StoreProvider().create(props(display_name="client-acme")).id
    finally:
        config.reset()
        clear_client_cache()


def props(**inputs: Any) -> dict[str, Any]:
    return {PROVIDER_KEY: SERIALIZED, **inputs}


def state(inputs: dict[str, Any], outs: dict[str, Any] | None) -> dict[str, Any]:
    """What the engine hands to diff/update/delete as ``olds``: the recorded outputs."""
    return {**inputs, **(outs or {})}


def get(emulator: Any, path: str, **params: Any) -> Any:
    with emulator.http(settle=True) as http:
        response = http.get(path, params=params or None)
        response.raise_for_status()
        return response.json()


def send(emulator: Any, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """An out-of-band write (someone in the Console), waited to completion."""
    with emulator.http(settle=True) as http:
        response = http.request(method, path, json=body, headers=headers)
        response.raise_for_status()
        return response.json() if response.content else None


def calls(emulator: Any) -> int:
    """How many API requests the server has seen (control endpoints are not counted)."""
    return int(emulator.control.stats()["total"])


def route_calls(emulator: Any, method: str, route: str) -> int:
    return int(emulator.control.stats()["byRoute"].get(f"{method} {route}", 0))


def ingress_mapping(name: str, trait_group: str, trait: str) -> dict[str, Any]:
    """A data mapping (the API's camelCase body) feeding ingested ``$.<trait>`` into that trait."""
    return {
        "displayName": name,
        "mappingFrom": {"type": "INGRESS", "columns": [trait]},
        "mappingTo": {
            "type": "TRAITS",
            "mappings": [{"expression": f"$.{trait}", "traitGroup": trait_group, "traitName": trait}],
        },
    }


def while_the_store_is_deleted(emulator: Any, store_id: str, delete: Callable[[], None]) -> None:
    """Run ``delete`` (a dependent's delete) while its store's delete is under way, so that the
    dependent's operation ends after the store's (as in a destroy that deletes both at once)."""
    emulator.control.settings(operation_delay=0.2, delay_jitter=0)
    with emulator.http() as http:  # the store's delete, not waited for
        assert http.delete(f"{V1}/Stores/{store_id}").status_code == 202
    emulator.control.settings(operation_delay=1.0)  # the dependent's delete ends after the store's
    delete()

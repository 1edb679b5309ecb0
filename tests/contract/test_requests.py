"""Every request constraint of the spec, violated once, is refused with 400 naming the field; every
edge value it allows (maximum lengths and sizes, minimum numbers, every enum value) is accepted.
The cases are generated from the vendored spec's request schemas (see request_cases), not written
by hand, and the same cases judge the provider's ``check()``: it must refuse what the spec refuses
and accept what it accepts, before any API call.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from drive import active_store
from pulumi_twilio_memory.resources.conversation_configuration import ConversationConfigurationProvider
from pulumi_twilio_memory.resources.identity_resolution import IdentityResolutionSettingsProvider
from pulumi_twilio_memory.resources.store import StoreProvider
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider
from pydantic.alias_generators import to_snake
from request_cases import MISSING, Case, Op, assert_judged, generate, leaf, put

V1, V2 = "/v1/ControlPlane", "/v2/ControlPlane"
STORE_ID = "mem_store_01h00000000000000000000000"


OPS = [
    Op("POST", f"{V1}/Stores", {"displayName": "edge", "description": "d"}, StoreProvider),
    Op("PATCH", f"{V1}/Stores/{{storeId}}", {"description": "d"}),
    Op(
        "POST",
        f"{V1}/Stores/{{storeId}}/TraitGroups",
        {"displayName": "edge", "description": "d", "traits": {"tier": {"dataType": "STRING"}}},
        TraitGroupProvider,
        (("store_id", STORE_ID),),
    ),
    Op("PATCH", f"{V1}/Stores/{{storeId}}/TraitGroups/{{traitGroupName}}", {"description": "d"}),
    Op(
        "PUT",
        f"{V1}/Stores/{{storeId}}/IdentityResolutionSettings",
        {"identifierConfigs": [{"idType": "email", "matchingAlgo": "exact"}], "matchingRules": ["email"]},
        IdentityResolutionSettingsProvider,
        (("store_id", STORE_ID),),
    ),
    Op(
        "POST",
        f"{V2}/Configurations",
        {
            "displayName": "edge",
            "description": "d",
            "conversationGroupingType": "GROUP_BY_PROFILE",
            "memoryStoreId": "<store>",
            "statusCallbacks": [{"url": "https://example.com/a", "method": "POST"}],
            "intelligenceConfigurationIds": ["a"],
        },
        ConversationConfigurationProvider,
    ),
]

#: (operation, path) pairs whose edge value a business rule refuses for another reason.
EDGE_EXCEPTIONS = {
    # a 30-character matching rule must name a configured idType (cross-field rule)
    (f"{V1}/Stores/{{storeId}}/IdentityResolutionSettings", "matchingRules[0]"),
    # an idType of its own: the matching rule "email" then names no configured idType
    (f"{V1}/Stores/{{storeId}}/IdentityResolutionSettings", "identifierConfigs[0].idType"),
    # a list at its maxItems is copies of its first item, and idTypes and rules must be unique
    (f"{V1}/Stores/{{storeId}}/IdentityResolutionSettings", "identifierConfigs"),
    (f"{V1}/Stores/{{storeId}}/IdentityResolutionSettings", "matchingRules"),
}
#: Where the provider's check() refuses a value the spec allows, on purpose (say why).
PROVIDER_STRICTER = {
    # "" is the API's delete marker; a program declaring a trait as "" declares nothing
    ("traits.tier.dataType", '""'),
}


CASES = generate(OPS, EDGE_EXCEPTIONS)


def _target(http: httpx.Client, op: Op) -> tuple[str, dict[str, Any]]:
    """The URL for ``op`` on a fresh store (with a group ``prefs``), and its base body."""
    store_id = active_store(http, "owner")
    http.post(f"{V1}/Stores/{store_id}/TraitGroups", json={"displayName": "prefs"})
    url = op.template.replace("{storeId}", store_id).replace("{traitGroupName}", "prefs")
    base = json.loads(json.dumps(op.base).replace("<store>", store_id))
    return url, base


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_emulator_follows_the_spec(http: httpx.Client, case: Case) -> None:
    url, base = _target(http, case.op)
    headers = {}
    if case.op.method in ("PATCH", "PUT") and "Configurations" not in url:
        headers["If-Match"] = http.get(url).headers["ETag"]
    response = http.request(case.op.method, url, json=put(base, case.path, case.value), headers=headers)
    assert_judged(response, case)


def _snake_path(path: str) -> str:
    return ".".join(to_snake(p) if not p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path))


@pytest.mark.parametrize("case", [c for c in CASES if c.op.provider is not None], ids=lambda c: c.id)
def test_provider_check_accepts_what_the_spec_accepts_and_refuses_what_it_refuses(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_API_KEY", "SK" + "0" * 32)
    monkeypatch.setenv("TWILIO_API_SECRET", "contract-secret")
    assert case.op.provider is not None
    body = json.loads(json.dumps(case.op.base).replace("<store>", STORE_ID))
    mutated = put(body, case.path, case.value)
    # The provider's inputs: the same body in snake_case at the top (nested keys are accepted in
    # either spelling), plus the inputs that live in the URL on the wire.
    inputs = {to_snake(k): v for k, v in mutated.items()} | dict(case.op.extra)
    result = case.op.provider().check({}, inputs)
    failures = [f"{f.property}: {f.reason}" for f in result.failures]
    shown = "missing" if case.value is MISSING else json.dumps(case.value)
    stricter = (case.path, shown) in PROVIDER_STRICTER
    if case.valid and not stricter:
        assert failures == [], failures
    else:
        name = leaf(case.path)
        assert any(name in f or to_snake(name) in f for f in failures), (_snake_path(case.path), failures)

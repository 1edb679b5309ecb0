"""Every request constraint of the spec, violated once, is refused with 400 naming the field; every
edge value it allows (maximum lengths, every enum value) is accepted. The cases are generated from
the vendored spec's request schemas, not written by hand, and the same cases judge the provider's
``check()``: it must refuse what the spec refuses and accept what it accepts, before any API call.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pulumi.dynamic import ResourceProvider
from pulumi_twilio_memory.resources.conversation_configuration import ConversationConfigurationProvider
from pulumi_twilio_memory.resources.identity_resolution import IdentityResolutionSettingsProvider
from pulumi_twilio_memory.resources.store import StoreProvider
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider
from pydantic.alias_generators import to_snake
from spec_contract import request_schema
from twilio_memory_emulator.testing import EmulatorServer

V1, V2 = "/v1/ControlPlane", "/v2/ControlPlane"
STORE_ID = "mem_store_01h00000000000000000000000"


@dataclass(frozen=True)
class Op:
    method: str
    template: str
    base: dict[str, Any]
    #: The provider that manages this body (its check() is judged too), and its extra inputs.
    provider: type[ResourceProvider] | None = None
    extra: tuple[tuple[str, Any], ...] = ()


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
}
#: Where the provider's check() refuses a value the spec allows, on purpose (say why).
PROVIDER_STRICTER = {
    # "" is the API's delete marker; a program declaring a trait as "" declares nothing
    ("traits.tier.dataType", '""'),
}


@dataclass(frozen=True)
class Case:
    op: Op
    path: str  # where the value goes, e.g. "statusCallbacks[0].method"
    value: Any  # the value there (MISSING: the key removed)
    valid: bool

    @property
    def id(self) -> str:
        shown = json.dumps(self.value)[:30] if self.value is not MISSING else "missing"
        return f"{self.op.method} {self.op.template.rsplit('/', 1)[-1]} {self.path}={shown}"


MISSING = object()


def _walk(schema: dict[str, Any], base: Any, path: str) -> Iterator[tuple[str, Any, bool]]:
    """(path, value, valid) for every constraint of ``schema`` reachable in ``base``."""
    if "oneOf" in schema or "anyOf" in schema:
        return
    kind = schema.get("type")
    if kind == "string":
        pattern, longest = schema.get("pattern"), schema.get("maxLength")
        fill = "a" if pattern is None or re.search(pattern, "a" * 3) else "A"
        if longest is not None:
            yield path, fill * (longest + 1), False
            yield path, fill * longest, True
        if schema.get("minLength", 0) > 1:
            yield path, fill * (schema["minLength"] - 1), False
        if pattern is not None:
            yield path, "no spaces or !", False
        for value in schema.get("enum") or []:
            yield path, value, True
        if schema.get("enum"):
            yield path, "NOT_A_VALUE", False
        yield path, 5, False
    elif kind == "integer":
        if "maximum" in schema:
            yield path, schema["maximum"] + 1, False
            yield path, schema["maximum"], True
        if "minimum" in schema:
            yield path, schema["minimum"] - 1, False
    elif kind == "array" and isinstance(base, list):
        if "maxItems" in schema and base:
            yield path, [copy.deepcopy(base[0]) for _ in range(schema["maxItems"] + 1)], False
        if schema.get("minItems", 0) >= 1:
            yield path, [], False
        if base and isinstance(schema.get("items"), dict):
            yield from _walk(schema["items"], base[0], f"{path}[0]")
    elif isinstance(base, dict):
        props: dict[str, Any] = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if name in base:
                yield (f"{path}.{name}" if path else name), MISSING, False
        for name, sub in props.items():
            if name in base:
                yield from _walk(sub, base[name], f"{path}.{name}" if path else name)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, value in base.items():
                if name not in props:
                    yield from _walk(extra, value, f"{path}.{name}" if path else name)


def _cases() -> list[Case]:
    cases = []
    for op in OPS:
        for path, value, valid in _walk(request_schema(op.method, op.template), op.base, ""):
            if valid and (op.template, path) in EDGE_EXCEPTIONS:
                continue
            cases.append(Case(op, path, value, valid))
    return cases


CASES = _cases()


def _put(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    node: Any = out
    for part in parts[:-1]:
        node = node[part]
    if value is MISSING:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return out


def _leaf(path: str) -> str:
    return re.findall(r"[^.\[\]0-9]+", path)[-1]


@pytest.fixture(scope="module")
def server(emulator_server: EmulatorServer) -> EmulatorServer:
    return emulator_server  # request validation is synchronous: no delays needed


@pytest.fixture
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    server.control.reset()
    with server.http(settle=True) as client:
        yield client


def _target(http: httpx.Client, op: Op) -> tuple[str, dict[str, Any]]:
    """The URL for ``op`` on a fresh store (with a group ``prefs``), and its base body."""
    created = http.post(f"{V1}/Stores", json={"displayName": "owner"}).json()["statusUrl"]
    store_id = http.get(created).json()["result"]["id"]
    for _ in range(100):
        if http.get(f"{V1}/Stores/{store_id}").json()["status"] == "ACTIVE":
            break
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
    response = http.request(case.op.method, url, json=_put(base, case.path, case.value), headers=headers)
    if case.valid:
        assert response.status_code == 202, response.text
    else:
        assert response.status_code == 400, response.text
        assert _leaf(case.path) in response.json()["message"], response.text


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
    mutated = _put(body, case.path, case.value)
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
        leaf = _leaf(case.path)
        assert any(leaf in f or to_snake(leaf) in f for f in failures), (_snake_path(case.path), failures)

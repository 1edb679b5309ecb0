"""Every query parameter whose values Twilio's spec lists is matched exactly as the spec spells
them, on every operation of both Memory specs and the Conversations spec that has one: generated
from the vendored spec's parameters, not from the emulator. A value the spec does not list (the
lower-case spelling of a listed one included: Twilio answers ``orderBy=asc`` with a 400) is a 400
naming the parameter and every allowed value; each listed value gets the operation's documented
success on real resources.

The Imports operations are not emulated (a pre-signed upload to Twilio's storage), so they are
left out, and nothing else.
"""

from __future__ import annotations

import re

import httpx
import pytest
from drive import active_store
from spec_contract import Operation, operations
from twilio_memory_emulator.spec import SPEC_FILES, deref, load

NOT_EMULATED = {"CreateProfilesImportV2", "ListProfileImportsV2", "FetchProfileImportV2"}


def _enums(op: Operation) -> dict[str, list[str]]:
    document = load(op.document)
    listed = {}
    shared = document["paths"][op.template].get("parameters", [])
    for parameter in deref(document, [*shared, *op.definition.get("parameters", [])]):
        schema = parameter.get("schema") or {}
        values = schema.get("enum") or (schema.get("items") or {}).get("enum")
        if parameter.get("in") == "query" and values:
            listed[parameter["name"]] = list(values)
    return listed


CASES = [
    pytest.param(op, name, values, id=f"{op.name}-{name}")
    for document in dict.fromkeys(SPEC_FILES.values())
    for op in operations(document)
    for name, values in _enums(op).items()
    if op.name not in NOT_EMULATED
]


def _unlisted(values: list[str]) -> list[str]:
    """Values a client might send by mistake: other spellings of listed ones, and nonsense."""
    spelled = {variant for v in values for variant in (v.lower(), v.capitalize(), f" {v}")}
    return sorted((spelled | {"", "NOT_A_VALUE"}) - set(values))


def _path(http: httpx.Client, template: str) -> str:
    """``template`` with real ids: an ACTIVE store, its seeded group, a profile of it."""
    ids: dict[str, str] = {}
    if "{storeId}" in template:
        ids["storeId"] = active_store(http, "query-enums")
    if "{traitGroupName}" in template:
        ids["traitGroupName"] = "Contact"  # every store has it
    if "{profileId}" in template:
        made = http.post(
            f"/v1/Stores/{ids['storeId']}/Profiles",
            json={"traits": {"Contact": {"email": "ann@example.com"}}},
        )
        assert made.status_code == 202, made.text
        ids["profileId"] = made.json()["id"]
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], template)


def test_every_enum_query_parameter_of_the_specs_is_covered() -> None:
    """The cases above are the spec's: its ``orderBy`` lists and the data mappings' ``type``."""
    names = {(case.values[0].template, case.values[1]) for case in CASES}
    assert ("/v1/ControlPlane/Stores", "orderBy") in names
    assert ("/v1/ControlPlane/Stores/{storeId}/DataMappings", "type") in names
    assert ("/v1/Stores/{storeId}/Profiles", "orderBy") in names


@pytest.mark.parametrize(("op", "name", "values"), CASES)
def test_a_value_the_spec_does_not_list_is_refused_naming_the_parameter(
    http: httpx.Client, op: Operation, name: str, values: list[str]
) -> None:
    path = _path(http, op.template)
    for value in _unlisted(values):
        answer = http.request(op.method, path, params={name: value})
        assert answer.status_code == 400, (value, answer.text)
        message = answer.json()["message"]
        assert name in message and all(repr(v) in message for v in values), message


@pytest.mark.parametrize(("op", "name", "values"), CASES)
def test_every_value_the_spec_lists_is_accepted(
    http: httpx.Client, op: Operation, name: str, values: list[str]
) -> None:
    path = _path(http, op.template)
    (success,) = [int(s) for s in op.definition["responses"] if s.startswith("2")]
    for value in values:
        answer = http.request(op.method, path, params={name: value})
        assert answer.status_code == success, (value, answer.text)

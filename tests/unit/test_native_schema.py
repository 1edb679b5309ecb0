"""The native provider's schema says what the core checks: every input of every resource with its
type, required, replacement and description, the provider's configuration with its secrets."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_twilio_memory import config
from pulumi_twilio_memory.native.catalog import CATALOG, Kind
from pulumi_twilio_memory.native.schema import package_schema


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return package_schema()


@pytest.mark.parametrize("kind", CATALOG, ids=lambda k: k.name)
def test_every_input_of_the_core_is_in_the_schema(schema: dict[str, Any], kind: Kind) -> None:
    resource = schema["resources"][kind.token]
    fields = kind.core.inputs_model.model_fields
    assert set(resource["inputProperties"]) == {f.alias or n for n, f in fields.items()}
    assert resource["requiredInputs"] == sorted(f.alias or n for n, f in fields.items() if f.is_required())
    replaced = {k for k, v in resource["inputProperties"].items() if v.get("replaceOnChanges")}
    assert replaced == {fields[n].alias for n in kind.core.replace_fields}
    for name, described in resource["inputProperties"].items():
        assert described.get("description"), f"{kind.name}.{name} has no description"
    outputs = set(resource["properties"]) - set(resource["inputProperties"])
    assert len(outputs) == len(kind.core.output_fields)


def test_every_reference_resolves_and_no_property_is_untyped(schema: dict[str, Any]) -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            else:
                assert "type" in node or "properties" in node or not node, node
            for key, value in node.items():
                if key not in ("description",):
                    walk(value)

    for resource in schema["resources"].values():
        for described in resource["inputProperties"].values():
            walk(described)
    local = {r.removeprefix("#/types/") for r in refs if r.startswith("#/types/")}
    assert local <= set(schema["types"]) and local


def test_configuration_keys_and_secrets_are_the_providers(schema: dict[str, Any]) -> None:
    variables = schema["config"]["variables"]
    assert set(variables) == {key for key, _env in config.SETTINGS}
    assert {k for k, v in variables.items() if v.get("secret")} == {
        k.removeprefix(f"{config.NAMESPACE}:") for k in config.SECRET_KEYS
    }
    assert schema["provider"]["inputProperties"] == variables
    for key, environment in config.SETTINGS:
        assert environment in variables[key]["description"]


def test_the_python_sdk_it_generates_does_not_take_this_packages_name(schema: dict[str, Any]) -> None:
    assert schema["language"]["python"]["packageName"] != "pulumi_twilio_memory"

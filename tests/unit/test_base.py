"""resources/_base.py: the shared check/diff machinery every resource relies on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pulumi_twilio_memory.resources._base import (
    PROVIDER_KEY,
    UNKNOWN,
    BaseProvider,
    contains_unknown,
    normalize,
    resource_props,
    validation_failures,
)
from pydantic import BaseModel
from twilio_memory_api import models as m


def paths(model: type[BaseModel], inputs: dict[str, Any]) -> dict[str, str]:
    return {f.property: f.reason for f in validation_failures(model, inputs)}


def test_nested_paths_keep_dict_keys_as_written_and_skip_union_tags() -> None:
    inputs = {
        "display_name": "prefs",
        "traits": {
            "myTrait": {"data_type": "STRING", "validation_rule": {"rule_type": "STRING", "min_length": -1}}
        },
    }
    assert list(paths(m.TraitGroupCreate, inputs)) == ["traits.myTrait.validation_rule.min_length"]


def test_list_indices_and_cross_field_rules() -> None:
    inputs = {"identifier_configs": [{"id_type": "email"}, {"id_type": "x"}], "matching_rules": ["phone"]}
    found = paths(m.IdentityResolutionSettingsPut, inputs)
    assert "identifier_configs[1].id_type" in found
    inputs["identifier_configs"] = [{"id_type": "email"}]
    found = paths(m.IdentityResolutionSettingsPut, inputs)
    assert list(found) == ["matching_rules"] and "not a configured id_type" in found["matching_rules"]


def test_unknowns_suppress_only_the_errors_they_could_explain() -> None:
    inputs: dict[str, Any] = {"identifier_configs": [{"id_type": UNKNOWN}], "matching_rules": ["phone"]}
    assert paths(m.IdentityResolutionSettingsPut, inputs) == {}  # the cross-field rule can't be judged yet
    inputs = {"identifier_configs": UNKNOWN, "matching_rules": ["a" * 31]}
    assert list(paths(m.IdentityResolutionSettingsPut, inputs)) == ["matching_rules[0]"]
    inputs = {"display_name": "g", "traits": {"t": {"data_type": UNKNOWN, "validation_rule": UNKNOWN}}}
    assert paths(m.TraitGroupCreate, inputs) == {}


def test_missing_required_field_is_reported_even_beside_unknowns() -> None:
    found = paths(m.StoreCreate, {"description": UNKNOWN})
    assert list(found) == ["display_name"]


def test_contains_unknown_and_normalize() -> None:
    assert contains_unknown({"a": [1, {"b": UNKNOWN}]}) and not contains_unknown({"a": [1, {"b": 2}]})
    assert normalize({"a": None, "b": (1, m.DataType.STRING), "c": {"d": None}}) == {
        "b": [1, "STRING"],
        "c": {},
    }


@dataclass(frozen=True, kw_only=True)
class InnerArgs:
    inactive: int | None = None
    closed: int | None = None


@dataclass(frozen=True, kw_only=True)
class OuterArgs:
    name: str
    timeouts: InnerArgs | dict[str, Any] | None = None
    tags: list[Any] | None = None


def test_resource_props_accepts_args_dicts_and_keywords_alike() -> None:
    props = resource_props(
        OuterArgs(name="n", timeouts=InnerArgs(inactive=5), tags=[InnerArgs(closed=1), {"x": 1}]),
        {"name": None, "extra": m.DataType.NUMBER},
        ("status", "etag"),
    )
    assert props == {
        "name": "n",
        "timeouts": {"inactive": 5},
        "tags": [{"closed": 1}, {"x": 1}],
        "extra": "NUMBER",
        "status": None,
        "etag": None,
    }
    assert resource_props(None, {"name": "kw"}, ()) == {"name": "kw"}


class ThingInputs(BaseModel):
    name: str
    store_id: str
    rules: list[str] = []
    size: float | None = None


class ThingProvider(BaseProvider):
    kind = "thing"
    inputs_model = ThingInputs
    output_fields = ("version",)
    replace_fields = frozenset({"store_id"})
    unordered_fields = frozenset({"rules"})


@pytest.mark.parametrize(
    ("new", "changes", "replaces"),
    [
        ({"name": "a", "store_id": "s1", "rules": ["y", "x"], "size": 1.0}, False, []),
        ({"name": "b", "store_id": "s1", "rules": ["x", "y"], "size": 1}, True, []),
        ({"name": "a", "store_id": "s2", "rules": ["x", "y"], "size": 1}, True, ["store_id"]),
        ({"name": "a", "store_id": UNKNOWN, "rules": ["x", "y"], "size": 1}, True, ["store_id"]),
    ],
)
def test_diff_ignores_order_and_numeric_type_and_reports_replacements(
    new: dict[str, Any], changes: bool, replaces: list[str]
) -> None:
    old = {PROVIDER_KEY: "p", "name": "a", "store_id": "s1", "rules": ["x", "y"], "size": 1, "version": 4}
    result = ThingProvider().diff("id", old, {PROVIDER_KEY: "p", "version": None, **new})
    assert (result.changes, result.replaces) == (changes, replaces)


def test_read_result_projects_outputs_onto_inputs_and_gone_is_an_empty_id() -> None:
    result = ThingProvider().read_result("t1", {"name": "a", "store_id": "s", "size": None, "version": 2})
    assert result.id == "t1" and result.inputs == {"name": "a", "store_id": "s"}
    assert result.outs == {"name": "a", "store_id": "s", "size": None, "version": 2}
    gone = ThingProvider.gone()
    assert gone.id == "" and gone.outs == {}


def test_clients_are_cached_per_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi_twilio_memory import config
    from pulumi_twilio_memory.resources._base import clear_client_cache, conversations_client, memory_client

    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config.reset()
    try:
        config.configure({"twilio-memory:apiKey": "SK1", "twilio-memory:apiSecret": "secret-one"})
        first = memory_client()
        assert memory_client() is first
        assert conversations_client().base_url == "https://conversations.twilio.com"
        config.configure({"twilio-memory:apiKey": "SK1", "twilio-memory:apiSecret": "secret-two"})
        assert memory_client() is not first  # rotated credentials get a fresh client
        config.configure(
            {
                "twilio-memory:apiKey": "SK1",
                "twilio-memory:apiSecret": "secret-two",
                "twilio-memory:memoryBaseUrl": "http://127.0.0.1:1",
            }
        )
        assert memory_client().base_url == "http://127.0.0.1:1"
    finally:
        config.reset()
        clear_client_cache()

"""DataMappingProvider.check and .diff, and the PATCH it builds: offline (any HTTP fails the test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _offline import OTHER_STORE_ID, STORE_ID, assert_one_failure, offline_provider, props
from pulumi_twilio_memory.resources._base import IMPORT_ID, UNKNOWN
from pulumi_twilio_memory.resources.data_mapping import DataMappingProvider, _patch
from twilio_memory_api import models as m

DATASET = "tdi_dataset_01h00000000000000000000000"
MAPPING_ID = "mem_datamapping_01k1etk2y5f1y9fpe2epfdtvv2"
TIER = {"expression": "$.tier", "trait_group": "Preferences", "trait_name": "tier"}


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    yield from offline_provider(monkeypatch)


def mapping(**overrides: Any) -> dict[str, Any]:
    return props(
        **{
            "store_id": STORE_ID,
            "display_name": "crm-import",
            "mapping_from": {"type": "INGRESS", "columns": ["tier"]},
            "mapping_to": [TIER],
            **overrides,
        }
    )


def failures(**overrides: Any) -> dict[str, str]:
    result = DataMappingProvider().check({}, mapping(**overrides))
    return {f.property: f.reason for f in result.failures}


def checked(**overrides: Any) -> dict[str, Any]:
    result = DataMappingProvider().check({}, mapping(**overrides))
    assert result.failures == []
    return dict(result.inputs)


def test_valid_inputs_pass_and_are_recorded_in_one_spelling() -> None:
    inputs = checked(
        mapping_from={"type": "dataset_cloudapp", "datasetId": DATASET},
        mapping_to=[{"expression": "$.first", "traitGroup": "Contact", "traitName": "FirstName"}],
    )
    assert inputs["mapping_from"] == {"type": "DATASET_CLOUDAPP", "dataset_id": DATASET}
    assert inputs["mapping_to"] == {
        "type": "TRAITS",
        "mappings": [{"expression": "$.first", "trait_group": "Contact", "trait_name": "firstName"}],
    }
    # The list and the API's whole object are one value.
    assert checked(mapping_to={"type": "traits", "mappings": [TIER]})["mapping_to"] == checked()["mapping_to"]


@pytest.mark.parametrize(
    ("overrides", "prop", "needle"),
    [
        ({"display_name": "1crm"}, "display_name", "starting with a letter"),
        ({"display_name": "crm_import"}, "display_name", "letters, digits, '-' or '.'"),
        ({"display_name": "c" * 65}, "display_name", "at most 64"),
        ({"description": ""}, "description", "1-512"),
        ({"description": "d" * 513}, "description", "at most 512"),
        ({"is_enabled": "maybe"}, "is_enabled", "true or false"),
        ({"store_id": "acme"}, "store_id", "memory store id"),
        ({"adopt": "maybe"}, "adopt", "true or false"),
        ({"mapping_from": {"type": "CSV"}}, "mapping_from.type", "'INGRESS', 'DATASET_CLOUDAPP' or"),
        (
            {"mapping_from": {"type": "DATASET", "dataset_id": DATASET}},
            "mapping_from.type",
            "DATASET_WAREHOUSE",
        ),
        ({"mapping_from": {"type": "INGRESS"}}, "mapping_from", "INGRESS mapping needs 1-100 columns"),
        ({"mapping_from": {"type": "INGRESS", "columns": []}}, "mapping_from.columns", "at least 1"),
        (
            {"mapping_from": {"type": "INGRESS", "columns": ["c"] * 101}},
            "mapping_from.columns",
            "at most 100",
        ),
        ({"mapping_from": {"type": "INGRESS", "columns": ["c" * 257]}}, "mapping_from.columns[0]", "256"),
        (
            {"mapping_from": {"type": "INGRESS", "columns": ["c"], "dataset_id": DATASET}},
            "mapping_from",
            "takes no dataset_id",
        ),
        ({"mapping_from": {"type": "DATASET_WAREHOUSE"}}, "mapping_from", "needs the dataset_id"),
        (
            {"mapping_from": {"type": "DATASET_WAREHOUSE", "dataset_id": DATASET, "columns": ["c"]}},
            "mapping_from",
            "takes no columns",
        ),
        (
            {"mapping_from": {"type": "DATASET_CLOUDAPP", "dataset_id": "ds1"}},
            "mapping_from.dataset_id",
            "tdi_dataset_",
        ),
        (
            {"mapping_from": {"type": "INGRESS", "columns": ["c"], "table": "t"}},
            "mapping_from.table",
            "not accepted",
        ),
        ({"mapping_to": []}, "mapping_to.mappings", "at least 1"),
        ({"mapping_to": [TIER] * 101}, "mapping_to.mappings", "at most 100"),
        ({"mapping_to": {"type": "PROFILES", "mappings": [TIER]}}, "mapping_to.type", "'TRAITS'"),
        ({"mapping_to": [{**TIER, "expression": ""}]}, "mapping_to.mappings[0].expression", "1-256"),
        (
            {"mapping_to": [{**TIER, "expression": "e" * 257}]},
            "mapping_to.mappings[0].expression",
            "at most 256",
        ),
        (
            {"mapping_to": [{**TIER, "trait_group": "no spaces"}]},
            "mapping_to.mappings[0].trait_group",
            "display_name",
        ),
        (
            {"mapping_to": [{**TIER, "trait_name": "t" * 129}]},
            "mapping_to.mappings[0].trait_name",
            "at most 128",
        ),
        ({"mapping_to": [{**TIER, "field_name": "x"}]}, "mapping_to.mappings[0].field_name", "not accepted"),
        (
            {"mapping_to": [{"expression": "x", "trait_group": "g"}]},
            "mapping_to.mappings[0].trait_name",
            "required",
        ),
    ],
)
def test_each_documented_rule_gives_one_failure_on_its_property(
    overrides: dict[str, Any], prop: str, needle: str
) -> None:
    assert_one_failure(failures(**overrides), prop, needle)


def test_required_inputs_and_unknowns() -> None:
    result = DataMappingProvider().check({}, props())
    assert {f.property for f in result.failures} == {"store_id", "display_name", "mapping_from", "mapping_to"}
    assert failures(store_id=UNKNOWN, mapping_to=[{**TIER, "trait_group": UNKNOWN}]) == {}
    assert failures(mapping_from=UNKNOWN, mapping_to=UNKNOWN) == {}


def test_import_id_must_name_a_mapping_of_this_store() -> None:
    good = DataMappingProvider().check({}, {**mapping(), IMPORT_ID: f"{STORE_ID}/{MAPPING_ID}"})
    assert good.failures == []
    for bad in (MAPPING_ID, f"{OTHER_STORE_ID}/{MAPPING_ID}", f"{STORE_ID}/crm-import"):
        result = DataMappingProvider().check({}, {**mapping(), IMPORT_ID: bad})
        assert [f.property for f in result.failures] == ["import_"], bad
        assert "'<storeId>/<dataMappingId>'" in result.failures[0].reason


def recorded(**overrides: Any) -> dict[str, Any]:
    """The state after a create: the checked inputs plus what the API filled in."""
    return {**checked(), "is_enabled": True, "adopt": False, "version": 1, "etag": '"e1"', **overrides}


def test_no_change_for_spelling_defaults_or_output_fields() -> None:
    provider = DataMappingProvider()
    olds = recorded(description="from the CRM", data_mapping_id=MAPPING_ID)
    news = mapping(
        mapping_from={"Type": "ingress", "columns": ["tier"]},
        mapping_to={"mappings": [{"expression": "$.tier", "traitGroup": "Preferences", "traitName": "Tier"}]},
    )
    diff = provider.diff("id", olds, news)  # description omitted: left alone; is_enabled: true
    assert diff.changes is False, diff.__dict__
    assert provider.diff("id", olds, {**news, "adopt": True}).changes is False


@pytest.mark.parametrize(
    ("change", "replaces", "delete_first"),
    [
        ({"display_name": "crm.v2"}, [], None),
        ({"description": "new"}, [], None),
        ({"is_enabled": False}, [], None),
        ({"mapping_to": [TIER, {**TIER, "expression": "$.level"}]}, [], None),
        ({"mapping_from": {"type": "INGRESS", "columns": ["tier", "level"]}}, ["mapping_from"], True),
        ({"mapping_from": {"type": "DATASET_WAREHOUSE", "dataset_id": DATASET}}, ["mapping_from"], True),
        ({"store_id": OTHER_STORE_ID}, ["store_id"], False),
        ({"store_id": UNKNOWN}, ["store_id"], False),
    ],
)
def test_what_updates_and_what_replaces(
    change: dict[str, Any], replaces: list[str], delete_first: Any
) -> None:
    diff = DataMappingProvider().diff("id", recorded(), mapping(**change))
    assert diff.changes is True
    assert diff.replaces == replaces
    assert diff.delete_before_replace is delete_first


def test_the_patch_carries_only_what_differs() -> None:
    current = {**recorded(description="old"), "data_mapping_id": MAPPING_ID}
    parse = DataMappingProvider().parse
    assert _patch(current, parse(mapping())) is None  # description omitted: not sent
    body = _patch(current, parse(mapping(description="new", is_enabled=False)))
    assert body is not None and m.to_wire(body) == {"description": "new", "isEnabled": False}
    more = [TIER, {**TIER, "expression": "$.lvl", "trait_name": "level"}]
    body = _patch(current, parse(mapping(display_name="crm.v2", mapping_to=more)))
    assert body is not None and m.to_wire(body) == {
        "displayName": "crm.v2",
        "mappingTo": {
            "type": "TRAITS",
            "mappings": [
                {"expression": "$.tier", "traitGroup": "Preferences", "traitName": "tier"},
                {"expression": "$.lvl", "traitGroup": "Preferences", "traitName": "level"},
            ],
        },
    }

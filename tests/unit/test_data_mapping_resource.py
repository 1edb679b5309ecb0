"""The ``DataMapping`` resource class as a program sees it (pulumi mocks, no HTTP)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_twilio_memory as tm
import pytest
from _offline import STORE_ID, RecordingMocks, install_mocks, resolve

TYPE = "pulumi-python:dynamic/twilio-memory:DataMapping"
MAPPING_ID = "mem_datamapping_01k1etk2y5f1y9fpe2epfdtvv2"


def outputs(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    inputs = args.inputs
    if args.typ.endswith(":Store"):
        return STORE_ID, dict(inputs)
    if args.typ.endswith(":TraitGroup"):
        return f"{inputs['store_id']}/{inputs['display_name']}", dict(inputs)
    targets = inputs["mapping_to"]  # what check records: the API's whole object
    if isinstance(targets, list):
        targets = {"type": "TRAITS", "mappings": targets}
    outs = {**inputs, "mapping_to": targets, "data_mapping_id": MAPPING_ID, "version": 1}
    return f"{inputs['store_id']}/{MAPPING_ID}", outs


@pytest.fixture
def mocks() -> RecordingMocks:
    return install_mocks(outputs)


def test_typed_args_and_plain_dicts_register_the_same_inputs(mocks: RecordingMocks) -> None:
    typed = tm.DataMapping(
        "typed",
        tm.DataMappingArgs(
            store_id=STORE_ID,
            display_name="crm-import",
            mapping_from=tm.MappingFromArgs(type="INGRESS", columns=["tier"]),
            mapping_to=tm.MappingToArgs(
                mappings=[tm.TraitMappingArgs(expression="$.tier", trait_group="Prefs", trait_name="tier")]
            ),
        ),
    )
    plain = tm.DataMapping(
        "plain",
        store_id=STORE_ID,
        display_name="crm-import",
        mapping_from={"type": "INGRESS", "columns": ["tier"]},
        mapping_to={"mappings": [{"expression": "$.tier", "trait_group": "Prefs", "trait_name": "tier"}]},
    )
    assert resolve(typed.id) == resolve(plain.id) == f"{STORE_ID}/{MAPPING_ID}"
    assert mocks.inputs(TYPE, "typed") == mocks.inputs(TYPE, "plain")
    assert mocks.inputs(TYPE, "typed")["is_enabled"] is True  # the API's default, recorded
    assert resolve(typed.data_mapping_id) == MAPPING_ID


def test_targets_from_other_resources_make_the_mapping_depend_on_them(mocks: RecordingMocks) -> None:
    store = tm.Store("acme", display_name="client-acme")
    group = tm.TraitGroup("prefs", store_id=store.id, display_name="Preferences")
    mapping = tm.DataMapping(
        "crm",
        store_id=store.id,
        display_name="crm-import",
        mapping_from={"type": "INGRESS", "columns": ["tier"]},
        mapping_to=[{"expression": "$.tier", "trait_group": group.display_name, "trait_name": "tier"}],
    )
    assert resolve(mapping.store_id) == STORE_ID
    assert resolve(mapping.mapping_to)["type"] == "TRAITS"
    assert mocks.inputs(TYPE, "crm")["mapping_to"] == [
        {"expression": "$.tier", "trait_group": "Preferences", "trait_name": "tier"}
    ]


def test_every_required_input_is_named(mocks: RecordingMocks) -> None:
    with pytest.raises(TypeError, match="store_id=, display_name=, mapping_from= and mapping_to="):
        tm.DataMapping("nameless", store_id=STORE_ID, display_name="crm")

"""The ``TraitGroup`` resource class as a program sees it (pulumi mocks, no HTTP)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_twilio_memory as tm
import pytest
from _offline import STORE_ID, RecordingMocks, install_mocks, resolve

TYPE = "pulumi-python:dynamic/twilio-memory:TraitGroup"


def outputs(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    inputs = args.inputs
    if args.typ.endswith(":Store"):
        return STORE_ID, dict(inputs)
    return f"{inputs['store_id']}/{inputs['display_name']}", {**inputs, "version": 1, "etag": '"e1"'}


@pytest.fixture
def mocks() -> RecordingMocks:
    return install_mocks(outputs)


def test_typed_args_and_plain_dicts_register_the_same_inputs(mocks: RecordingMocks) -> None:
    typed = tm.TraitGroup(
        "typed",
        tm.TraitGroupArgs(
            store_id=STORE_ID,
            display_name="Preferences",
            traits={
                "tier": tm.TraitDefinitionArgs(
                    data_type="STRING", validation_rule=tm.ValidationRuleArgs(pattern="^(gold|silver)$")
                )
            },
        ),
    )
    plain = tm.TraitGroup(
        "plain",
        store_id=STORE_ID,
        display_name="Preferences",
        traits={"tier": {"data_type": "STRING", "validation_rule": {"pattern": "^(gold|silver)$"}}},
    )
    assert resolve(typed.id) == resolve(plain.id) == f"{STORE_ID}/Preferences"
    typed_inputs = mocks.inputs(TYPE, "typed")
    assert typed_inputs == mocks.inputs(TYPE, "plain")
    assert typed_inputs["traits"] == {
        "tier": {"data_type": "STRING", "validation_rule": {"pattern": "^(gold|silver)$"}}
    }
    assert resolve(typed.etag) == '"e1"' and resolve(typed.version) == 1


def test_store_id_from_another_resource_is_accepted(mocks: RecordingMocks) -> None:
    store = tm.Store("acme", display_name="client-acme")
    group = tm.TraitGroup("prefs", store_id=store.id, display_name="Preferences")
    assert resolve(group.store_id) == resolve(store.id) == STORE_ID


def test_store_and_name_are_required(mocks: RecordingMocks) -> None:
    with pytest.raises(TypeError, match="store_id= and display_name="):
        tm.TraitGroup("nameless", store_id=STORE_ID)

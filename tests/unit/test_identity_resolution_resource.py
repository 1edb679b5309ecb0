"""The ``IdentityResolutionSettings`` resource class as a program sees it (pulumi mocks, no HTTP)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_twilio_memory as tm
import pytest
from _offline import STORE_ID, RecordingMocks, install_mocks, resolve

TYPE = "pulumi-python:dynamic/twilio-memory:IdentityResolutionSettings"


def outputs(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    return str(args.inputs["store_id"]), {**args.inputs, "version": 2, "etag": '"e2"'}


@pytest.fixture
def mocks() -> RecordingMocks:
    return install_mocks(outputs)


def test_typed_args_and_plain_dicts_register_the_same_inputs_and_the_id_is_the_store(
    mocks: RecordingMocks,
) -> None:
    typed = tm.IdentityResolutionSettings(
        "typed",
        tm.IdentityResolutionSettingsArgs(
            store_id=STORE_ID,
            identifier_configs=[tm.IdentifierConfigArgs(id_type="email", matching_algo="EXACT", limit=5)],
            matching_rules=["email"],
        ),
    )
    plain = tm.IdentityResolutionSettings(
        "plain",
        store_id=STORE_ID,
        identifier_configs=[{"id_type": "email", "matching_algo": "EXACT", "limit": 5}],
        matching_rules=["email"],
    )
    assert resolve(typed.id) == resolve(plain.id) == STORE_ID
    assert mocks.inputs(TYPE, "typed") == mocks.inputs(TYPE, "plain")
    assert resolve(typed.etag) == '"e2"'


def test_all_three_inputs_are_required(mocks: RecordingMocks) -> None:
    with pytest.raises(TypeError, match="matching_rules="):
        tm.IdentityResolutionSettings("partial", store_id=STORE_ID, identifier_configs=[{"id_type": "email"}])


def test_the_docstring_says_destroy_restores_the_defaults() -> None:
    doc = " ".join((tm.IdentityResolutionSettings.__doc__ or "").split())
    assert "destroying it restores the API's defaults" in doc

"""The ``ConversationConfiguration`` resource class as a program sees it (pulumi mocks, no HTTP):
typed Args and plain dicts give the same inputs, and the hidden idempotency seed is the URN."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_twilio_memory as tm
import pytest
from _offline import STORE_ID, RecordingMocks, install_mocks, resolve
from pulumi_twilio_memory.resources.conversation_configuration import IDEMPOTENCY_SEED

TYPE = "pulumi-python:dynamic/twilio-memory:ConversationConfiguration"
CONFIG_ID = "conv_configuration_01k1etk2y5f1y9fpe2epfdtvv2"
REQUIRED = {
    "description": "Acme",
    "conversation_grouping_type": "GROUP_BY_PROFILE",
    "memory_store_id": STORE_ID,
}


def outputs(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    if args.typ != TYPE:
        return f"{args.name}-id", dict(args.inputs)
    return CONFIG_ID, {**args.inputs, "version": 1}


@pytest.fixture
def mocks() -> RecordingMocks:
    return install_mocks(outputs, project="tenants", stack="dev")


def test_typed_args_and_plain_dicts_register_the_same_inputs(mocks: RecordingMocks) -> None:
    typed = tm.ConversationConfiguration(
        "typed",
        tm.ConversationConfigurationArgs(
            display_name="acme",
            channel_settings={
                "SMS": tm.ChannelSettingArgs(
                    status_timeouts=tm.StatusTimeoutsArgs(inactive=30),
                    capture_rules=[tm.CaptureRuleArgs(from_="*", to="+15550100", metadata={"k": "v"})],
                )
            },
            status_callbacks=[tm.StatusCallbackArgs(url="https://hooks.example.com")],
            conversations_v1_bridge=tm.ConversationsV1BridgeArgs(service_id="IS" + "0" * 32),
            **REQUIRED,
        ),
    )
    plain = tm.ConversationConfiguration(
        "plain",
        display_name="acme",
        channel_settings={
            "SMS": {
                "status_timeouts": {"inactive": 30},
                "capture_rules": [{"from_": "*", "to": "+15550100", "metadata": {"k": "v"}}],
            }
        },
        status_callbacks=[{"url": "https://hooks.example.com"}],
        conversations_v1_bridge={"service_id": "IS" + "0" * 32},
        **REQUIRED,
    )
    assert resolve(typed.id) == resolve(plain.id) == CONFIG_ID
    typed_inputs, plain_inputs = mocks.inputs(TYPE, "typed"), mocks.inputs(TYPE, "plain")
    assert typed_inputs.pop(IDEMPOTENCY_SEED) != plain_inputs.pop(IDEMPOTENCY_SEED)
    assert typed_inputs == plain_inputs
    assert resolve(typed.version) == 1


def test_the_idempotency_seed_is_the_resource_urn_with_project_stack_and_parent(
    mocks: RecordingMocks,
) -> None:
    acme = tm.ConversationConfiguration("acme", display_name="acme", **REQUIRED)
    resolve(acme.id)
    assert mocks.inputs(TYPE, "acme")[IDEMPOTENCY_SEED] == f"urn:pulumi:dev::tenants::{TYPE}::acme"

    parent = pulumi.ComponentResource("twilio-memory:index:TenantMemory", "globex")
    child = pulumi.ResourceOptions(parent=parent)
    globex = tm.ConversationConfiguration("globex", opts=child, display_name="globex", **REQUIRED)
    resolve(globex.id)
    seed = mocks.inputs(TYPE, "globex")[IDEMPOTENCY_SEED]
    # (the mock monitor names the parent's stack and project its own way; the engine does not)
    assert seed.startswith("urn:pulumi:") and seed.endswith(
        f"twilio-memory:index:TenantMemory${TYPE}::globex"
    )


def test_display_name_is_required(mocks: RecordingMocks) -> None:
    with pytest.raises(TypeError, match="display_name"):
        tm.ConversationConfiguration("nameless")

"""The ``Store`` resource class as a Pulumi program sees it (pulumi mocks, no engine, no HTTP)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_twilio_memory as tm
import pytest

registered: list[pulumi.runtime.MockResourceArgs] = []


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        registered.append(args)
        outs = {**args.inputs, "status": "ACTIVE", "version": 1, "etag": '"e1"'}
        return "mem_store_01k1etk2y5f1y9fpe2epfdtvv2", outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture(autouse=True)
def mocks() -> None:
    registered.clear()
    pulumi.runtime.set_mocks(Mocks(), preview=False)


def resolve(output: pulumi.Output[Any]) -> Any:
    future: Any = output.future()
    return pulumi.runtime.sync_await._sync_await(future)


def test_keyword_form_registers_the_documented_type_and_inputs() -> None:
    store = tm.Store("acme", display_name="client-acme", description="Acme support memory")
    assert resolve(store.id) == "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
    assert resolve(store.status) == "ACTIVE" and resolve(store.version) == 1 and resolve(store.etag) == '"e1"'
    assert resolve(store.display_name) == "client-acme"
    (args,) = registered
    assert args.typ == "pulumi-python:dynamic/twilio-memory:Store"
    assert (
        args.inputs["display_name"] == "client-acme" and args.inputs["description"] == "Acme support memory"
    )
    assert "__provider" in args.inputs


def test_args_class_form_and_keyword_overrides() -> None:
    store = tm.Store("globex", tm.StoreArgs(display_name="client-globex", adopt=True), description="Globex")
    assert resolve(store.adopt) is True and resolve(store.description) == "Globex"
    assert registered[0].inputs["display_name"] == "client-globex"


def test_display_name_is_required() -> None:
    with pytest.raises(TypeError, match="display_name"):
        tm.Store("nameless")

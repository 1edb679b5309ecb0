"""The import file that moves a dynamic-face stack to the native face."""

from __future__ import annotations

from pulumi_twilio_memory.native.migrate import import_file


def _resource(kind: str, name: str, id_: str | None, **extra: object) -> dict[str, object]:
    return {"type": kind, "urn": f"urn:pulumi:s::p::{kind}::{name}", "id": id_, **extra}


def test_every_live_dynamic_resource_becomes_its_native_type_with_its_name_and_id() -> None:
    export = {
        "deployment": {
            "resources": [
                _resource("pulumi:pulumi:Stack", "p-s", None),
                _resource("pulumi:providers:pulumi-python", "default", "x"),
                _resource("pulumi-python:dynamic/twilio-memory:Store", "acme", "mem_store_1"),
                _resource(
                    "pulumi-python:dynamic/twilio-memory:TraitGroup", "acme/Prefs", "mem_store_1/Prefs"
                ),
                _resource("pulumi-python:dynamic/twilio-memory:Store", "old", "mem_store_0", delete=True),
                _resource("pulumi-python:dynamic/other:Thing", "t", "1"),
            ]
        }
    }
    assert import_file(export) == {
        "resources": [
            {"type": "twilio-memory:index:Store", "name": "acme", "id": "mem_store_1"},
            {"type": "twilio-memory:index:TraitGroup", "name": "acme/Prefs", "id": "mem_store_1/Prefs"},
        ]
    }

"""Pulumi mock runtime for the TenantMemory / tenant-onboarding tests: records every registration.

``mocked(project=, stack=, config=)`` installs mocks that give resources the ids the real API
would (store ``mem_store_…``, trait group ``<storeId>/<name>``, identity resolution = store id,
configuration ``conv_configuration_…``) and records type, name, parent and dependencies of each
registration, so tests can assert the wiring a user would see in ``pulumi preview``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.sync_await import _ensure_event_loop

COMPONENT = "twilio-memory:index:TenantMemory"


def _suffix(text: str) -> str:
    """26 characters of the TTID alphabet, stable per input (like a real id, but predictable)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return "0" + "".join(c for c in digest if c in "0123456789abcdef")[:25]


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    dependencies: list[str]
    inputs: dict[str, Any]
    protect: bool = False
    id: str | None = None

    @property
    def kind(self) -> str:
        """The last part of the type token: ``Store``, ``TraitGroup``, ``TenantMemory``, …"""
        return self.type.rsplit(":", 1)[-1]


@dataclass
class Recorder(pulumi.runtime.Mocks):
    registrations: list[Registration] = field(default_factory=list)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        kind = args.typ.rsplit(":", 1)[-1]
        inputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        if kind == "Store":
            id_ = f"mem_store_{_suffix(str(inputs.get('display_name')))}"
            outputs = {**inputs, "status": "ACTIVE", "version": 1, "etag": '"e"'}
        elif kind == "TraitGroup":
            id_ = f"{inputs['store_id']}/{inputs['display_name']}"
            outputs = {**inputs, "version": 1}
        elif kind == "IdentityResolutionSettings":
            id_ = str(inputs["store_id"])
            outputs = {**inputs, "version": 1}
        elif kind == "DataMapping":
            id_ = f"{inputs['store_id']}/mem_datamapping_{_suffix(str(inputs.get('display_name')))}"
            targets = inputs["mapping_to"]  # recorded by check as the API's whole object
            outputs = {**inputs, "mapping_to": {"type": "TRAITS", "mappings": targets}, "version": 1}
        elif kind == "ConversationConfiguration":
            id_ = f"conv_configuration_{_suffix(str(inputs.get('display_name')))}"
            outputs = {**inputs, "version": 1}
        else:  # components
            return None, {}
        for reg in reversed(self.registrations):
            if reg.type == args.typ and reg.name == args.name:
                reg.id = id_
                break
        return id_, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        raise AssertionError(f"unexpected invoke {args.token}: the component must not call functions")

    # -- queries ----------------------------------------------------------------------------

    def of_kind(self, kind: str) -> list[Registration]:
        return [r for r in self.registrations if r.kind == kind]

    def one(self, kind: str, name: str) -> Registration:
        found = [r for r in self.of_kind(kind) if r.name == name]
        assert len(found) == 1, (
            f"expected one {kind} named {name!r}, got {[r.name for r in self.of_kind(kind)]}"
        )
        return found[0]


class RecordingMonitor(MockMonitor):
    """MockMonitor that also records parent and dependencies (MockResourceArgs has neither)."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder)
        self.recorder = recorder

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            _ensure_event_loop()
            inputs = rpc.deserialize_properties(request.object)
            self.recorder.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=self.make_urn(request.parent, request.type, request.name),
                    parent=request.parent,
                    dependencies=list(request.dependencies),
                    inputs={k: v for k, v in inputs.items() if k != "__provider"},
                    protect=bool(request.protect),
                )
            )
        return super().RegisterResource(request)


@contextmanager
def mocked(
    *,
    project: str = "test-project",
    stack: str = "test",
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
) -> Iterator[Recorder]:
    """Install recording mocks and stack config (values: str, or JSON-encoded when structured)."""
    recorder = Recorder()
    pulumi.runtime.set_mocks(
        recorder, project=project, stack=stack, preview=preview, monitor=RecordingMonitor(recorder)
    )
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (config or {}).items()}
    pulumi.runtime.set_all_config(encoded)
    try:
        yield recorder
    finally:
        pulumi.runtime.set_all_config({})


def run(fn: Any) -> None:
    """Run ``fn`` as a Pulumi program under the installed mocks and wait for every registration."""
    pulumi.runtime.test(fn)()

"""The Conversations v2 control plane's service: configurations and their operations, over the
engine. Configurations have no ETag; every write honours ``Idempotency-Key``. A configuration's
``memoryStoreId`` must name a Memory store of the same account, so this service holds the Memory
control plane's (:class:`~twilio_memory_emulator.memory_control.service.MemoryControl`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from twilio_memory_api.models import (
    STORE_ID_PATTERN,
    ConfigurationCreate,
    ConfigurationPatch,
    ConfigurationPut,
    to_wire,
)

from twilio_memory_emulator.engine import paths
from twilio_memory_emulator.engine.engine import Engine
from twilio_memory_emulator.engine.idempotency import fingerprint as _fingerprint
from twilio_memory_emulator.engine.operations import OpKind
from twilio_memory_emulator.engine.writes import Accepted, WriteRequest
from twilio_memory_emulator.errors import BadRequest, Conflict, NotFound, resource_not_found
from twilio_memory_emulator.memory_control.service import MemoryControl
from twilio_memory_emulator.protocol import PageRequest, iso, new_typeid, page_of
from twilio_memory_emulator.state_schema import AccountState, ConfigurationRec, OperationRec

__all__ = ["Conversations"]

_STORE_RE = re.compile(STORE_ID_PATTERN)


def _normalize_configuration(data: dict[str, Any]) -> dict[str, Any]:
    """What GET shows for fields that were not sent: the API's defaults, not absence (our choice,
    docs/wire-protocol.md)."""
    out = dict(data)
    out.setdefault("channelSettings", {})
    out["statusCallbacks"] = [{"method": "POST", **cb} for cb in out.get("statusCallbacks", [])]
    out.setdefault("intelligenceConfigurationIds", [])
    out.setdefault("memoryExtractionEnabled", False)
    return out


#: Checks a Conversations write and returns the configuration's id and new data (None: delete).
_Build = Callable[[AccountState, float], tuple[str, dict[str, Any] | None]]


class Conversations:
    """Conversations v2 configurations and operations."""

    def __init__(self, engine: Engine, memory_control: MemoryControl) -> None:
        self.engine = engine
        self.memory_control = memory_control
        engine.operations.register(
            {
                OpKind.CONFIGURATION_CREATE: self._apply_configuration_create,
                OpKind.CONFIGURATION_PUT: self._apply_configuration_write,
                OpKind.CONFIGURATION_PATCH: self._apply_configuration_write,
                OpKind.CONFIGURATION_DELETE: self._apply_configuration_delete,
            }
        )

    def _find_configuration(self, state: AccountState, config_id: str) -> ConfigurationRec:
        config = state.configurations.get(config_id)
        if config is None:
            raise resource_not_found(paths.fill(paths.CONFIGURATION, id=config_id))
        return config

    def _check_configuration(self, state: AccountState, data: dict[str, Any], exclude: str | None) -> None:
        """Store reference, unique displayName and one configuration per Conversations V1 service."""
        store_id = data.get("memoryStoreId")
        if store_id is not None:
            try:
                self.memory_control.find_store(state, store_id)
            except NotFound:
                raise BadRequest(
                    f"memoryStoreId: no memory store {store_id} exists in this account"
                ) from None
        for label in ("displayName", "conversationsV1Bridge.serviceId"):
            value = _config_value(data, label)
            if value is None:
                continue
            for config in state.configurations.values():
                if config.id != exclude and _config_value(config.data, label) == value:
                    raise Conflict(
                        f"{label} {value!r} is already used by configuration {config.id}",
                        conflicting_id=config.id,
                    )
            for op in self.engine.operations.pending(
                state, OpKind.CONFIGURATION_CREATE, OpKind.CONFIGURATION_PUT, OpKind.CONFIGURATION_PATCH
            ):
                if op.change["id"] != exclude and _config_value(op.change["data"], label) == value:
                    raise Conflict(
                        f"{label} {value!r} is being claimed by configuration {op.change['id']}",
                        conflicting_id=op.change["id"],
                    )

    def _write_configuration(
        self, req: WriteRequest, kind: OpKind, fingerprint: str, build: _Build
    ) -> Accepted:
        """Every Conversations write: once per Idempotency-Key, ``build`` checks the request and
        returns the configuration's id and new data (None to delete), which an operation applies."""
        with self.engine.transaction() as now:
            state = self.engine.account(req.account)

            def action() -> Accepted:
                config_id, data = build(state, now)
                return self.engine.submit(
                    req,
                    kind,
                    {"id": config_id, "data": data},
                    result_id=config_id,
                    product="conversations",
                    related={"configurationId": config_id},
                )

            return self.engine.idempotent(req, state, fingerprint, now, action)

    def create_configuration(self, req: WriteRequest, body: ConfigurationCreate) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            data = _normalize_configuration(to_wire(body))
            self._check_configuration(state, data, None)
            return new_typeid("conv_configuration", now), data

        fingerprint = _fingerprint("POST", "", req.raw)
        return self._write_configuration(req, OpKind.CONFIGURATION_CREATE, fingerprint, build)

    def list_configurations(
        self, account: str, page: PageRequest, *, memory_store_id: str | None
    ) -> dict[str, Any]:
        if memory_store_id is not None and not _STORE_RE.match(memory_store_id):
            raise BadRequest("memoryStoreId must be a memory store id (mem_store_ followed by 26 characters)")
        with self.engine.transaction():
            state = self.engine.view(account)
            items = [
                c
                for c in state.configurations.values()
                if memory_store_id is None or c.data.get("memoryStoreId") == memory_store_id
            ]
            result = page_of(
                items, PageRequest(page.page_size, page.offset, descending=False), "configurations"
            )
            return {
                "configurations": [self._configuration_view(c) for c in result.items],
                "meta": result.meta,
            }

    @staticmethod
    def _configuration_view(config: ConfigurationRec) -> dict[str, Any]:
        return {
            "id": config.id,
            **config.data,
            "traitExtractionStrategyIds": [],
            "observationExtractionStrategyIds": [],
            "createdAt": iso(config.created_at),
            "updatedAt": iso(config.updated_at),
            "version": config.version,
        }

    def get_configuration(self, account: str, config_id: str) -> dict[str, Any]:
        with self.engine.transaction():
            return self._configuration_view(self._find_configuration(self.engine.view(account), config_id))

    def replace_configuration(self, req: WriteRequest, config_id: str, body: ConfigurationPut) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            config = self._find_configuration(state, config_id)
            data = _normalize_configuration(to_wire(body))
            data.setdefault("displayName", config.data["displayName"])  # required on create, kept on PUT
            self._check_configuration(state, data, config.id)
            return config.id, data

        fingerprint = _fingerprint("PUT", config_id, req.raw)
        return self._write_configuration(req, OpKind.CONFIGURATION_PUT, fingerprint, build)

    def patch_configuration(self, req: WriteRequest, config_id: str, body: ConfigurationPatch) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            config = self._find_configuration(state, config_id)
            data = _patch_configuration(config.data, body)
            self._check_configuration(state, {k: v for k, v in data.items() if k in to_wire(body)}, config.id)
            return config.id, data

        fingerprint = _fingerprint("PATCH", config_id, req.raw)
        return self._write_configuration(req, OpKind.CONFIGURATION_PATCH, fingerprint, build)

    def delete_configuration(self, req: WriteRequest, config_id: str) -> Accepted:
        def build(state: AccountState, now: float) -> tuple[str, dict[str, Any] | None]:
            return self._find_configuration(state, config_id).id, None

        fingerprint = _fingerprint("DELETE", config_id, b"")  # a DELETE's body is not part of it
        return self._write_configuration(req, OpKind.CONFIGURATION_DELETE, fingerprint, build)

    def _apply_configuration_create(self, state: AccountState, op: OperationRec) -> None:
        config_id = op.change["id"]
        state.configurations[config_id] = ConfigurationRec(config_id, op.change["data"], op.due_at, op.due_at)

    def _apply_configuration_write(self, state: AccountState, op: OperationRec) -> None:
        config = self._find_configuration(state, op.change["id"])
        config.data = op.change["data"]
        config.updated_at = op.due_at
        config.version += 1

    def _apply_configuration_delete(self, state: AccountState, op: OperationRec) -> None:
        state.configurations.pop(op.change["id"], None)

    def get_conversations_operation(self, account: str, op_id: str) -> tuple[OperationRec, float]:
        """A copy of the operation and the time it was read at (the view is the routes' job)."""
        with self.engine.transaction() as now:
            return replace(
                self.engine.operations.find(self.engine.view(account), op_id, "conversations")
            ), now


def _config_value(data: Mapping[str, Any], label: str) -> Any:
    if label == "displayName":
        return data.get("displayName")
    return (data.get("conversationsV1Bridge") or {}).get("serviceId")


def _patch_configuration(current: Mapping[str, Any], body: ConfigurationPatch) -> dict[str, Any]:
    """Only what is sent changes; ``channelSettings`` merges per channel (``null`` removes one)."""
    data = dict(current)
    wire = to_wire(body)
    for key, value in wire.items():
        if key == "channelSettings":
            channels = dict(data.get("channelSettings", {}))
            for channel, setting in value.items():
                if setting is None:
                    channels.pop(channel, None)
                else:
                    channels[channel] = setting
            data["channelSettings"] = channels
        else:
            data[key] = value
    return _normalize_configuration(data)

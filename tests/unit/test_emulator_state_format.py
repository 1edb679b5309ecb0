"""A state file written before the emulator's regroup by product still loads, whole.

The fixture (``tests/fixtures/emulator_state_format1.json``) was saved by the emulator as it was
before the regroup: a store with a trait group, changed identity resolution settings and a data
mapping, a Conversations configuration created with an Idempotency-Key, a profile with an
observation and a summary, and a second store still being created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from twilio_memory_api.models import ConfigurationCreate
from twilio_memory_emulator import Backend
from twilio_memory_emulator.engine.snapshot import STATE_FORMAT
from twilio_memory_emulator.engine.writes import WriteRequest
from twilio_memory_emulator.memory_data.memory_kinds import OBSERVATIONS, SUMMARIES, MemoryFilter
from twilio_memory_emulator.protocol import PageRequest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "emulator_state_format1.json"
PAGE = PageRequest(100, 0, False)


@pytest.fixture
def saved() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())  # type: ignore[no-any-return]


def _loaded(saved: dict[str, Any], at: float) -> Backend:
    backend = Backend(clock=lambda: at)
    backend.restore(saved)
    return backend


def _moment(saved: dict[str, Any]) -> float:
    """When the file was written: after every completed operation, before the pending one is due."""
    [account] = saved["accounts"].values()
    return max(op["completed_at"] or op["created_at"] for op in account["operations"].values())


def test_the_format_is_the_one_the_file_was_written_in(saved: dict[str, Any]) -> None:
    assert saved["format"] == STATE_FORMAT == 1


def test_an_old_state_file_saves_back_identically(saved: dict[str, Any]) -> None:
    """Every record's field names and values survive a load: the snapshot is the file again."""
    assert _loaded(saved, _moment(saved)).snapshot() == saved


def test_every_object_of_an_old_state_file_is_served(saved: dict[str, Any]) -> None:
    [(account, raw)] = saved["accounts"].items()
    store_id = next(s["id"] for s in raw["stores"].values() if s["display_name"] == "acme")
    [mapping_id] = raw["stores"][store_id]["data_mappings"]
    [profile_id] = raw["stores"][store_id]["profiles"]
    [config_id] = raw["configurations"]
    backend = _loaded(saved, _moment(saved) + 1)

    store, _ = backend.get_store(account, store_id)
    assert (store["displayName"], store["status"]) == ("acme", "ACTIVE")
    groups = backend.list_trait_groups(account, store_id, PAGE, include_traits=True)["traitGroups"]
    assert {g["displayName"] for g in groups} == {"Contact", "prefs"}
    settings, _ = backend.get_identity_resolution(account, store_id)
    assert (settings["matchingRules"], settings["version"]) == (["email", "phone"], 2)
    assert backend.get_data_mapping(account, store_id, mapping_id)[0]["displayName"] == "crm"
    assert backend.get_configuration(account, config_id)["memoryStoreId"] == store_id

    profile, _ = backend.get_profile(account, store_id, profile_id, None)
    assert profile["traits"]["Contact"] == {"email": "ada@example.com", "firstName": "Ada"}
    for kind, content in (
        (OBSERVATIONS, "Prefers email over phone"),
        (SUMMARIES, "Asked about the premium tier"),
    ):
        items, _ = backend.list_memories(account, store_id, profile_id, PAGE, MemoryFilter(), kind=kind)
        assert [i["content"] for i in items[kind.key]] == [content]
    recalled, _ = backend.recall(account, store_id, profile_id, {"query": "email"})
    assert [o["content"] for o in recalled["observations"]] == ["Prefers email over phone"]


def test_the_pending_operation_and_the_idempotency_key_of_an_old_file_still_work(
    saved: dict[str, Any],
) -> None:
    [(account, raw)] = saved["accounts"].items()
    [pending] = raw["pending"]
    [key] = raw["idempotency"]
    [config_id] = raw["configurations"]
    backend = _loaded(saved, _moment(saved))
    assert backend.get_memory_operation(account, pending)[0].status == "PENDING"

    backend.advance_clock(raw["operations"][pending]["due_at"] - _moment(saved))
    assert backend.get_memory_operation(account, pending)[0].status == "COMPLETED"
    assert len(backend.list_stores(account, PAGE)["stores"]) == 2

    body = ConfigurationCreate.model_validate(
        {
            "displayName": "other",
            "description": "d",
            "conversationGroupingType": "GROUP_BY_PROFILE",
            "memoryStoreId": raw["configurations"][config_id]["data"]["memoryStoreId"],
        }
    )
    replayed = backend.create_configuration(WriteRequest(account, idempotency_key=key), body)
    assert replayed.operation_id == raw["idempotency"][key]["accepted"]["operation_id"]

"""--state-file: state survives restarts and crashes; the file is never half-written or secret."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from emu_helpers import (
    CONFIGS,
    STORES,
    create_configuration,
    create_profile,
    create_store,
    create_trait_group,
    profiles_path,
)
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator

ACCOUNT = "AC" + "c" * 32
TOKEN = "persisted-secret-token"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """The ``--state-file`` of the test (its folder holds nothing else)."""
    return tmp_path / "state.json"


@pytest.fixture
def persisted(start_emulator: Callable[..., EmulatorServer], state: Path) -> Callable[..., EmulatorServer]:
    """Start an emulator that keeps its state in ``state``."""
    return functools.partial(start_emulator, state_file=state)


def test_state_survives_a_restart(persisted: Callable[..., EmulatorServer]) -> None:
    first = persisted(provisioning_delay=0, operation_delay=0)
    with first.http() as http:
        store_id = create_store(http, "acme")
        create_trait_group(http, store_id, "prefs", traits={"tier": {"dataType": "STRING"}})
        http.patch(f"{STORES}/{store_id}", json={"description": "v2"})
        config_id = create_configuration(http, store_id)
        op_url = http.post(STORES, json={"displayName": "globex"}).json()["statusUrl"]
        etag = http.get(f"{STORES}/{store_id}").headers["ETag"]
    assert first.stop() == 0

    second = persisted(provisioning_delay=0, operation_delay=0)
    with second.http() as http:
        store = http.get(f"{STORES}/{store_id}")
        assert (store.json()["description"], store.json()["version"]) == ("v2", 2)
        assert store.headers["ETag"] == etag
        assert http.get(f"{STORES}/{store_id}/TraitGroups/prefs").json()["traitGroup"]["traits"] == {
            "tier": {"dataType": "STRING"}
        }
        assert http.get(f"{CONFIGS}/{config_id}").json()["memoryStoreId"] == store_id
        assert http.get(op_url.replace(first.base_url, second.base_url)).json()["status"] == "COMPLETED"
        assert len(http.get(STORES).json()["stores"]) == 2
        assert http.post(STORES, json={"displayName": "acme"}).status_code == 400  # the name is taken


def test_profiles_and_memories_survive_a_restart(persisted: Callable[..., EmulatorServer]) -> None:
    first = persisted(provisioning_delay=0, operation_delay=0)
    with first.http() as http:
        store_id = create_store(http, "acme")
        kept = create_profile(http, store_id, email="ann@example.com", firstName="Ann")
        gone = create_profile(http, store_id, phone="+14155550100")
        assert create_profile(http, store_id, email="ann@example.com", phone="+14155550100") == kept
        observation = {
            "content": "Allergic to peanuts",
            "source": "agent",
            "occurredAt": "2026-01-01T00:00:00Z",
        }
        http.post(f"{profiles_path(store_id)}/{kept}/Observations", json={"observations": [observation]})
    assert first.stop() == 0

    second = persisted(provisioning_delay=0, operation_delay=0)
    with second.http() as http:
        profile = http.get(f"{profiles_path(store_id)}/{kept}").json()
        assert profile["traits"]["Contact"]["firstName"] == "Ann"
        assert http.get(f"{profiles_path(store_id)}/{gone}").headers["Canonical-Profile-Id"] == kept
        recall = http.post(f"{profiles_path(store_id)}/{kept}/Recall", json={"query": "peanuts"}).json()
        assert [o["content"] for o in recall["observations"]] == ["Allergic to peanuts"]


def test_pending_operations_and_the_clock_survive(persisted: Callable[..., EmulatorServer]) -> None:
    first = persisted(provisioning_delay=0, operation_delay=1000)
    with first.http() as http:
        op_url = http.post(STORES, json={"displayName": "slow"}).json()["statusUrl"]
    first.control.advance_clock(10)
    first.stop()
    second = persisted(provisioning_delay=0, operation_delay=0)
    with second.http() as http:
        url = op_url.replace(first.base_url, second.base_url)
        assert http.get(url).json()["status"] in {"PENDING", "RUNNING"}
        assert second.control.advance_clock(0)["offsetSeconds"] == 10
        second.control.advance_clock(1000)
        assert http.get(url).json()["status"] == "COMPLETED"


def test_a_crash_leaves_a_complete_file(persisted: Callable[..., EmulatorServer], state: Path) -> None:
    emu = persisted(provisioning_delay=0, operation_delay=0)
    with emu.http() as http:
        ids = [create_store(http, f"tenant-{i}") for i in range(10)]
    emu.kill()
    snapshot = json.loads(state.read_text())  # complete, valid JSON
    assert snapshot["format"] == 1
    assert [p.name for p in state.parent.iterdir()] == ["state.json"]  # no temp file left behind
    again = persisted()
    with again.http() as http:
        assert sorted(http.get(STORES).json()["stores"]) == sorted(ids)


def test_state_file_holds_no_secret(persisted: Callable[..., EmulatorServer], state: Path) -> None:
    emu = persisted(account=[f"{ACCOUNT}:{TOKEN}"], provisioning_delay=0, operation_delay=0)
    with emu.http() as http:
        create_store(http)
    emu.stop()
    text = state.read_text()
    assert TOKEN not in text
    assert ACCOUNT in text  # data is keyed by account, which is not a secret


def test_corrupt_state_file_refuses_to_start(state: Path) -> None:
    state.write_text('{"format": 1, "accounts": ')
    result = subprocess.run(
        [sys.executable, "-m", "twilio_memory_emulator", "--port", "0", "--state-file", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr
    assert state.read_text() == '{"format": 1, "accounts": '  # left untouched for the user to inspect


def test_reset_is_persisted(persisted: Callable[..., EmulatorServer]) -> None:
    emu = persisted(provisioning_delay=0, operation_delay=0)
    with emu.http() as http:
        create_store(http)
    emu.control.reset()
    emu.stop()
    again = persisted()
    with httpx.Client(base_url=again.base_url, auth=again.auth) as http:
        assert http.get(STORES).json()["stores"] == []

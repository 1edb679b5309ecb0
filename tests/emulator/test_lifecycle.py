"""Store provisioning and operation lifecycles, driven by the virtual clock (no sleeping)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from emu_helpers import CONFIGS, STORES, assert_error, configuration_body, create_store
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with emulator.http() as client:
        yield client


def _status(http: httpx.Client, store_id: str) -> str:
    return http.get(f"{STORES}/{store_id}").json()["status"]  # type: ignore[no-any-return]


def test_store_provisioning_goes_queued_provisioning_active(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    emulator.control.settings(provisioning_delay=100)
    store_id = create_store(http)
    store = http.get(f"{STORES}/{store_id}").json()
    assert (store["status"], store["intelligenceServiceId"]) == ("QUEUED", None)
    emulator.control.advance_clock(50)
    assert _status(http, store_id) == "PROVISIONING"
    emulator.control.advance_clock(50)
    store = http.get(f"{STORES}/{store_id}").json()
    assert store["status"] == "ACTIVE"
    assert store["intelligenceServiceId"].startswith("intelligence_service_")


def test_operation_goes_pending_running_completed(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.settings(operation_delay=100)
    accepted = http.post(STORES, json={"displayName": "acme"})
    assert accepted.status_code == 202
    assert accepted.headers["Retry-After"] == "100"
    status_url = accepted.json()["statusUrl"]
    assert accepted.headers["Location"] == status_url
    assert status_url.endswith(accepted.headers["Operation-Id"])

    pending = http.get(status_url)
    assert pending.json()["status"] == "PENDING"
    assert "completedAt" not in pending.json() and "result" not in pending.json()
    assert pending.headers["Operation-Id"] == accepted.headers["Operation-Id"]
    assert http.get(STORES).json()["stores"] == []  # the change is applied when the operation completes
    assert_error(http.post(STORES, json={"displayName": "acme"}), 400, mentions="displayName")  # reserved

    emulator.control.advance_clock(50)
    assert http.get(status_url).json()["status"] == "RUNNING"
    emulator.control.advance_clock(50)
    done = http.get(status_url)
    op = done.json()
    assert op["status"] == "COMPLETED"
    assert op["completedAt"] >= op["createdAt"]
    assert op["resultUrl"].endswith(f"/v1/ControlPlane/Stores/{op['result']['id']}")
    assert done.headers["Retry-After"] == "0"
    assert http.get(STORES).json()["stores"] == [op["result"]["id"]]


def test_update_and_version_apply_when_the_operation_completes(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    store_id = create_store(http)
    emulator.control.settings(operation_delay=100)
    etag = http.get(f"{STORES}/{store_id}").headers["ETag"]
    assert (
        http.patch(f"{STORES}/{store_id}", json={"description": "v2"}, headers={"If-Match": etag}).status_code
        == 202
    )
    before = http.get(f"{STORES}/{store_id}")
    assert (before.json()["description"], before.json()["version"], before.headers["ETag"]) == (
        "Acme memory",
        1,
        etag,
    )
    emulator.control.advance_clock(100)
    after = http.get(f"{STORES}/{store_id}").json()
    assert (after["description"], after["version"]) == ("v2", 2)


def test_conversations_operations_use_three_statuses(http: httpx.Client, emulator: EmulatorServer) -> None:
    store_id = create_store(http)
    emulator.control.settings(operation_delay=100)
    body = configuration_body(store_id)
    accepted = http.post(CONFIGS, json=body)
    config_id = accepted.json()["related"]["configurationId"]
    status_url = accepted.json()["statusUrl"]
    assert "/v2/ControlPlane/Operations/" in status_url
    op = http.get(status_url).json()
    assert (op["status"], op["completedAt"], op["related"]) == (
        "PENDING",
        None,
        {"configurationId": config_id},
    )
    assert_error(http.get(f"{CONFIGS}/{config_id}"), 404)
    emulator.control.advance_clock(90)
    assert http.get(status_url).json()["status"] == "PENDING"
    emulator.control.advance_clock(10)
    op = http.get(status_url).json()
    assert op["status"] == "COMPLETED" and op["error"] is None
    assert http.get(f"{CONFIGS}/{config_id}").json()["version"] == 1


def test_provisioning_can_fail_or_hang(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.settings(provisioning_delay=10)
    emulator.control.add_fault(action="fail_provisioning", times=1)
    emulator.control.add_fault(action="hang_provisioning", times=1)
    failed = create_store(http, "fails")
    hung = create_store(http, "hangs")
    healthy = create_store(http, "works")
    emulator.control.advance_clock(3600)
    assert _status(http, failed) == "FAILED"
    assert http.get(f"{STORES}/{failed}").json()["intelligenceServiceId"] is None
    assert _status(http, hung) == "PROVISIONING"
    assert _status(http, healthy) == "ACTIVE"
    rules = emulator.control.faults()
    assert [(r["remaining"], r["hits"]) for r in rules] == [(0, 1), (0, 1)]


def test_failed_operation_changes_nothing(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.add_fault(action="fail_operation", route="POST /v1/ControlPlane/Stores", times=1)
    accepted = http.post(STORES, json={"displayName": "acme"})
    assert accepted.status_code == 202
    op = http.get(accepted.json()["statusUrl"]).json()
    assert op["status"] == "FAILED"
    assert op["error"]["code"] == 20500 and op["error"]["detail"]
    assert "result" not in op
    assert http.get(STORES).json()["stores"] == []
    create_store(http, "acme")  # the name was released


def test_unknown_operation_is_404(http: httpx.Client) -> None:
    assert_error(http.get("/v1/ControlPlane/Operations/mem_operation_01k1etk2y5f1y9fpe2epfdtvv2"), 404, 20404)
    assert_error(http.get("/v2/ControlPlane/Operations/proc_job_01h9d8r0vte3hz8tykdj329t7r"), 404, 20404)


def test_store_keeps_the_delay_it_was_created_with(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.settings(provisioning_delay=100)
    slow = create_store(http, "slow")
    emulator.control.settings(provisioning_delay=0)
    fast = create_store(http, "fast")
    assert (_status(http, slow), _status(http, fast)) == ("QUEUED", "ACTIVE")


def test_jitter_spreads_operation_delays(start_emulator: Any) -> None:
    """With --delay-jitter, equal writes finish at different moments, within delay * (1 +/- j)."""
    emu = start_emulator(provisioning_delay=0, operation_delay=1, delay_jitter=0.5)
    with emu.http() as http:
        for i in range(6):
            http.post("/v1/ControlPlane/Stores", json={"displayName": f"j{i}"}).raise_for_status()
    pending = emu.control.state()["accounts"]
    dues = {
        op["due_at"] - op["created_at"] for state in pending.values() for op in state["operations"].values()
    }
    assert len(dues) > 1 and all(0.5 <= due <= 1.5 for due in dues), dues


def test_clock_and_settings_control(emulator: EmulatorServer) -> None:
    control = emulator.control
    start = {"provisioningDelay": 0.0, "operationDelay": 0.0, "delayJitter": 0.0, "indexDelay": 0.0}
    assert control.settings() == start
    assert control.settings(provisioning_delay=3, operation_delay=1, delay_jitter=0.5, index_delay=2) == {
        "provisioningDelay": 3.0,
        "operationDelay": 1.0,
        "delayJitter": 0.5,
        "indexDelay": 2.0,
    }
    before = control.advance_clock(0)["offsetSeconds"]
    assert control.advance_clock(90)["offsetSeconds"] == before + 90
    with httpx.Client(base_url=emulator.base_url) as raw:
        assert_error(raw.post("/_emulator/clock", json={"advance": -1}), 400)
        assert_error(raw.post("/_emulator/clock", json={"advance": "soon"}), 400)
        assert_error(raw.post("/_emulator/settings", json={"operationDelay": -1}), 400)
        assert_error(raw.post("/_emulator/settings", json={"delayJitter": 2}), 400, mentions="delayJitter")
        assert_error(raw.post("/_emulator/settings", json={"indexDelay": -1}), 400, mentions="indexDelay")
        assert_error(raw.post("/_emulator/settings", json={"typo": 1}), 400, mentions="typo")
    control.reset()
    assert control.settings() == start
    assert control.advance_clock(0)["offsetSeconds"] == 0


def test_idempotency_keys_replay_conflict_and_expire(http: httpx.Client, emulator: EmulatorServer) -> None:
    store_id = create_store(http)
    body = configuration_body(store_id)
    key = {"Idempotency-Key": "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"}
    first = http.post(CONFIGS, json=body, headers=key)
    again = http.post(CONFIGS, json=body, headers=key)
    assert again.status_code == 202 and again.json() == first.json()
    assert again.headers["Operation-Id"] == first.headers["Operation-Id"]
    # Reused with another body: the spec says the original answer is returned (not a 422).
    other = http.post(CONFIGS, json={**body, "displayName": "other"}, headers=key)
    assert other.status_code == 202 and other.json() == first.json()
    config_id = first.json()["related"]["configurationId"]
    emulator.control.advance_clock(24 * 3600 + 1)
    fresh = http.post(CONFIGS, json={**body, "displayName": "other"}, headers=key)
    assert fresh.status_code == 202  # the key expired after 24 hours
    assert fresh.json()["related"]["configurationId"] != config_id


def test_a_conditional_write_cannot_overwrite_one_still_being_applied(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    store_id = create_store(http)
    etag = http.get(f"{STORES}/{store_id}").headers["ETag"]
    emulator.control.settings(operation_delay=100)
    first = http.patch(f"{STORES}/{store_id}", json={"description": "first"}, headers={"If-Match": etag})
    assert first.status_code == 202
    second = http.patch(f"{STORES}/{store_id}", json={"description": "second"}, headers={"If-Match": etag})
    assert_error(second, 412, mentions="still being applied")
    assert (
        http.patch(f"{STORES}/{store_id}", json={"description": "forced"}).status_code == 202
    )  # unconditional
    emulator.control.advance_clock(100)
    store = http.get(f"{STORES}/{store_id}")
    assert (store.json()["description"], store.json()["version"]) == ("forced", 3)
    fresh = http.patch(
        f"{STORES}/{store_id}", json={"description": "next"}, headers={"If-Match": store.headers["ETag"]}
    )
    assert fresh.status_code == 202

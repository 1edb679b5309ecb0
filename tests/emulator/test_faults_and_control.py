"""Fault rules, request stats and the guarded /_emulator/ control endpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from emu_helpers import STORES, assert_error, create_store, sdk_client
from twilio.base.exceptions import TwilioRestException
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator
CREATE = "POST /v1/ControlPlane/Stores"


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with emulator.http() as client:
        yield client


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500), (503, 20503)])
def test_injected_errors_for_the_next_n_matches(
    http: httpx.Client, emulator: EmulatorServer, status: int, code: int
) -> None:
    rule = emulator.control.add_fault(action="error", route=CREATE, status=status, times=2, retry_after=7)
    for _ in range(2):
        response = http.post(STORES, json={"displayName": "acme"})
        assert_error(response, status, code)
        assert response.headers["Retry-After"] == "7"
    assert http.post(STORES, json={"displayName": "acme"}).status_code == 202
    listed = {r["id"]: r for r in emulator.control.faults()}
    assert (listed[rule["id"]]["remaining"], listed[rule["id"]]["hits"]) == (0, 2)
    assert len(http.get(STORES).json()["stores"]) == 1  # faulted requests changed nothing


def test_rules_match_method_and_route_template(http: httpx.Client, emulator: EmulatorServer) -> None:
    store_id = create_store(http)
    emulator.control.add_fault(
        action="error", method="PATCH", route="/v1/ControlPlane/Stores/{storeId}", status=503
    )
    assert http.get(f"{STORES}/{store_id}").status_code == 200
    assert_error(http.patch(f"{STORES}/{store_id}", json={}), 503, 20503)
    assert http.get(f"{STORES}/{store_id}/TraitGroups").status_code == 200


def test_429_default_retry_after_and_sdk_view(emulator: EmulatorServer) -> None:
    emulator.control.add_fault(action="error", route="*", status=429)
    with emulator.http() as http:
        response = http.get(STORES)
    assert response.headers["Retry-After"] == "1"
    client = sdk_client(emulator)
    with pytest.raises(TwilioRestException) as throttled:
        client.memory.v1.stores("mem_store_01k1etk2y5f1y9fpe2epfdtvv2").fetch()
    assert (throttled.value.status, throttled.value.code) == (429, 20429)


def test_probability_zero_never_fires(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.add_fault(action="error", route="*", status=500, probability=0.0)
    assert all(http.get(STORES).status_code == 200 for _ in range(20))
    assert emulator.control.faults()[0]["hits"] == 0


def test_drop_connection_before_processing(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.add_fault(action="drop", route=CREATE, times=1)
    with pytest.raises(httpx.TransportError):
        http.post(STORES, json={"displayName": "acme"})
    assert http.get(STORES).json()["stores"] == []
    assert emulator.control.stats()["byRouteStatus"][CREATE] == {"dropped": 1}


def test_lost_response_after_the_change_was_made(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.add_fault(action="error", route=CREATE, status=500, phase="after", times=1)
    assert_error(http.post(STORES, json={"displayName": "acme"}), 500, 20500)
    assert len(http.get(STORES).json()["stores"]) == 1  # applied, answer lost: a retry now conflicts
    assert_error(http.post(STORES, json={"displayName": "acme"}), 400, mentions="displayName")
    emulator.control.add_fault(action="drop", route=CREATE, phase="after", times=1)
    with pytest.raises(httpx.TransportError):
        http.post(STORES, json={"displayName": "globex"})
    assert len(http.get(STORES).json()["stores"]) == 2


def test_latency_rule_delays_and_counts(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.control.add_fault(action="latency", route="GET /v1/ControlPlane/Stores", latency=0.05, times=1)
    assert http.get(STORES).status_code == 200
    assert emulator.control.faults()[0]["hits"] == 1


def test_rate_limit_is_per_account(start_emulator: Callable[..., EmulatorServer]) -> None:
    acme, globex = "AC" + "a" * 32, "AC" + "b" * 32
    emu = start_emulator(provisioning_delay=0, operation_delay=0, account=[f"{acme}:t1", f"{globex}:t2"])
    emu.control.add_fault(action="rate_limit", limit=3, window=3600)
    with (
        httpx.Client(base_url=emu.base_url, auth=(acme, "t1")) as a,
        httpx.Client(base_url=emu.base_url, auth=(globex, "t2")) as b,
    ):
        assert [a.get(STORES).status_code for _ in range(3)] == [200, 200, 200]
        throttled = a.get(STORES)
        assert_error(throttled, 429, 20429)
        assert int(throttled.headers["Retry-After"]) >= 1
        assert b.get(STORES).status_code == 200


def test_fault_rules_are_validated_and_removable(emulator: EmulatorServer) -> None:
    with httpx.Client(base_url=emulator.base_url) as raw:
        assert_error(raw.post("/_emulator/faults", json={"action": "explode"}), 400, mentions="action")
        assert_error(raw.post("/_emulator/faults", json={"action": "error"}), 400, mentions="status")
        assert_error(
            raw.post("/_emulator/faults", json={"action": "error", "status": 200}), 400, mentions="status"
        )
        assert_error(
            raw.post("/_emulator/faults", json={"action": "error", "status": 500, "route": "/v1/Nope"}),
            400,
            mentions="route",
        )
        assert_error(
            raw.post("/_emulator/faults", json={"action": "drop", "probability": 2}),
            400,
            mentions="probability",
        )
        assert_error(raw.post("/_emulator/faults", content=b"{"), 400)
        assert_error(raw.delete("/_emulator/faults/fault-999"), 404)
    first = emulator.control.add_fault(
        action="error", status=500, route="GET /v1/ControlPlane/Stores/{storeId}"
    )
    assert (first["method"], first["route"]) == ("GET", "/v1/ControlPlane/Stores/{storeId}")
    emulator.control.add_fault(action="latency", latency=1)
    emulator.control.remove_fault(first["id"])
    assert [r["action"] for r in emulator.control.faults()] == ["latency"]
    emulator.control.clear_faults()
    assert emulator.control.faults() == []


def test_stats_count_by_route_template_and_status(http: httpx.Client, emulator: EmulatorServer) -> None:
    store_id = create_store(http)
    http.get(f"{STORES}/{store_id}")
    http.patch(f"{STORES}/{store_id}", json={"description": "x"})
    http.get(f"{STORES}/missing-store")
    httpx.get(f"{emulator.base_url}{STORES}")  # no credentials
    stats = emulator.control.stats()
    assert stats["byRoute"] == {
        "GET /v1/ControlPlane/Operations/{operationId}": 1,
        "GET /v1/ControlPlane/Stores": 1,
        "GET /v1/ControlPlane/Stores/{storeId}": 2,
        "PATCH /v1/ControlPlane/Stores/{storeId}": 1,
        "POST /v1/ControlPlane/Stores": 1,
    }
    assert stats["byStatus"] == {"200": 2, "202": 2, "401": 1, "404": 1}
    assert stats["total"] == 6
    text = str(stats)
    for secret in (emulator.auth_token, emulator.api_secret, emulator.account_sid, store_id):
        assert secret not in text
    emulator.control.reset_stats()
    assert emulator.control.stats()["total"] == 0


def test_control_endpoints_are_not_counted_and_unknown_ones_404(emulator: EmulatorServer) -> None:
    emulator.control.faults()
    emulator.control.settings()
    assert emulator.control.stats()["total"] == 0
    assert emulator.control.health() == {"status": "ok"}
    assert_error(httpx.get(f"{emulator.base_url}/_emulator/nope"), 404)


def test_reset_empties_state_stats_and_faults(http: httpx.Client, emulator: EmulatorServer) -> None:
    create_store(http)
    emulator.control.add_fault(action="latency", latency=0.01)
    emulator.control.reset()
    assert emulator.control.faults() == []
    assert emulator.control.stats()["total"] == 0
    assert http.get(STORES).json()["stores"] == []
    assert emulator.control.state()["accounts"] == {}


def test_control_token_guards_control_endpoints(start_emulator: Callable[..., EmulatorServer]) -> None:
    emu = start_emulator(control_token="s3cret-control")
    assert_error(httpx.post(f"{emu.base_url}/_emulator/reset"), 403)
    assert_error(
        httpx.post(f"{emu.base_url}/_emulator/reset", headers={"X-Emulator-Control-Token": "nope"}), 403
    )
    bearer = httpx.post(f"{emu.base_url}/_emulator/reset", headers={"Authorization": "Bearer s3cret-control"})
    assert bearer.status_code == 200
    emu.control.reset()  # the fixture's client sends the token header
    assert "s3cret-control" not in "\n".join(emu.output)


def test_unhandled_errors_become_twilio_500s(http: httpx.Client, emulator: EmulatorServer) -> None:
    # A GET to a write-only route is a 405 with Twilio's body, not Starlette's plain text.
    assert_error(
        http.get("/v1/ControlPlane/Stores/mem_store_01k1etk2y5f1y9fpe2epfdtvv2/IdentityResolutionSettings/x"),
        404,
    )
    response = http.request("TRACE", STORES)
    assert_error(response, 405)


def test_control_is_closed_off_loopback_without_a_token(
    start_emulator: Callable[..., EmulatorServer],
) -> None:
    emu = start_emulator(host="0.0.0.0")  # noqa: S104 - the point of the test
    port = emu.base_url.rsplit(":", 1)[1]
    response = httpx.post(f"http://127.0.0.1:{port}/_emulator/reset")
    assert_error(response, 403, mentions="--control-token")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=emu.auth) as http:
        assert http.get(STORES).status_code == 200  # the API itself still answers


def test_unexpected_exceptions_become_logged_twilio_500s(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    from twilio_memory_emulator import Backend, create_app

    backend = Backend()

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    backend.list_stores = explode  # type: ignore[method-assign]
    auth = ("AC00000000000000000000000000000000", "emulator-auth-token")

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(backend))
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator", auth=auth) as client:
            return await client.get(STORES), await client.get(f"{STORES}/x")

    loop = asyncio.new_event_loop()  # not asyncio.run: it would unset the thread's loop for later tests
    try:
        broken, after = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert_error(broken, 500, 20500)
    assert "boom" not in broken.text  # details go to the log, not to the client
    assert after.status_code == 404  # and the app keeps serving
    assert "boom" in caplog.text

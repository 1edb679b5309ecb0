"""Fuzz every HTTP endpoint of the emulator, control endpoints included: never a 500.

tests/emulator/test_fuzz.py covers write bodies on the main routes. This adds what a hostile or
broken client can vary besides the body: every method on every route (bodies on GET and DELETE,
unknown methods), hostile path segments (unicode, encoded slashes, injection), garbage
``If-Match`` / ``Idempotency-Key`` / ``Content-Type`` / ``Authorization`` headers, and malformed
bodies on the ``/_emulator/`` control endpoints. The emulator's own counters confirm it: after
the run, ``/_emulator/stats`` holds no 500 at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_support import FIGURES, PROFILE
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.reliability

FUZZ = settings(
    max_examples=PROFILE.fuzz_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
V1, V2 = "/v1/ControlPlane", "/v2/ControlPlane"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]
INJECTION = [
    "'; DROP TABLE x;--",
    "../../_emulator/reset",
    "%2F..%2F",
    "${jndi:x}",
    "<s>",
    "\u0000",
    "🙂" * 50,
]

segment = st.one_of(
    st.sampled_from(INJECTION),
    st.text(min_size=1, max_size=80),
    st.text(min_size=300, max_size=700, alphabet="a"),
)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=50),
    ),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=4),
    max_leaves=15,
)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=300), st.just(b""), st.just(b"{")
)
header_values = st.one_of(
    st.sampled_from(INJECTION[:-2]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=120),
).filter(lambda v: v == v.strip())  # what a client can send at all: h11 refuses edge blanks


@pytest.fixture(scope="module")
def server(emulator_server: EmulatorServer) -> Iterator[tuple[EmulatorServer, dict[str, str]]]:
    """The shared emulator with one of everything to aim at (reset before and after)."""
    emulator_server.control.reset()
    with emulator_server.http() as http:
        store = http.post(f"{V1}/Stores", json={"displayName": "fuzz", "description": "fuzz"})
        store_id = http.get(store.json()["statusUrl"]).json()["result"]["id"]
        http.post(f"{V1}/Stores/{store_id}/TraitGroups", json={"displayName": "prefs"})
        conf = http.post(
            f"{V2}/Configurations",
            json={
                "displayName": "fuzz",
                "description": "fuzz",
                "conversationGroupingType": "GROUP_BY_PROFILE",
                "memoryStoreId": store_id,
            },
        )
        config_id = conf.json()["related"]["configurationId"]
        profile = http.post(
            f"/v1/Stores/{store_id}/Profiles", json={"traits": {"Contact": {"email": "f@x.io"}}}
        )
        profile_id = profile.json()["id"]
        observation = {"content": "fuzz", "source": "fuzz", "occurredAt": "2026-01-01T00:00:00Z"}
        http.post(
            f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations", json={"observations": [observation]}
        )
    yield emulator_server, {"storeId": store_id, "id": config_id, "profileId": profile_id}
    emulator_server.control.reset()


def _paths(ids: dict[str, str], name: str) -> list[str]:
    store = f"{V1}/Stores/{ids['storeId']}"
    bad = quote(name, safe="")
    profiles = f"/v1/Stores/{ids['storeId']}/Profiles"
    profile = f"{profiles}/{ids['profileId']}"
    return [
        f"{V1}/Stores",
        store,
        f"{V1}/Stores/{bad}",
        f"{store}/TraitGroups",
        f"{store}/TraitGroups/{bad}",
        f"{store}/IdentityResolutionSettings",
        f"{store}/DataMappings/{bad}",
        f"{V1}/Operations/{bad}",
        f"{V2}/Configurations",
        f"{V2}/Configurations/{bad}",
        f"{V2}/Operations/{bad}",
        f"{V1}/{bad}",
        # The data plane
        f"{profiles}",
        f"{profiles}/{bad}",
        f"{profiles}/Lookup",
        f"{profiles}/Bulk",
        f"{profile}/Traits",
        f"{profile}/Identifiers",
        f"{profile}/Identifiers/{bad}",
        f"{profile}/Recall",
        f"{profile}/Observations",
        f"{profile}/Observations/{bad}",
        f"{profile}/Observations/{bad}/Revisions",
        f"{profile}/ConversationSummaries",
        f"{profile}/ConversationSummaries/{bad}",
    ]


def _no_500(response: httpx.Response, what: str) -> None:
    FIGURES.add("emulator_fuzz_requests")
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400 and response.request.method != "HEAD":
        body = response.json()
        assert set(body) >= {"code", "message", "status"}, body


@FUZZ
@given(
    method=st.sampled_from(METHODS),
    name=segment,
    body=bodies,
    headers=st.dictionaries(
        st.sampled_from(
            ["If-Match", "Idempotency-Key", "Content-Type", "Accept", "X-Twilio-Client", "Content-Encoding"]
        ),
        header_values,
        max_size=3,
    ),
    query=st.dictionaries(
        st.sampled_from(
            [
                "pageSize",
                "pageToken",
                "orderBy",
                "includeTraits",
                "memoryStoreId",
                "traitGroups",
                "removeAll",
                "createdAfter",
                "createdBefore",
                "source",
                "conversationId",
            ]
        ),
        segment,
        max_size=2,
    ),
)
def test_every_route_and_method_with_hostile_paths_headers_and_bodies(
    server: tuple[EmulatorServer, dict[str, str]],
    *,
    method: str,
    name: str,
    body: bytes,
    headers: dict[str, str],
    query: dict[str, str],
) -> None:
    emulator, ids = server
    with emulator.http() as http:
        for path in _paths(ids, name):
            response = http.request(method, path, content=body, headers=headers, params=query)
            _no_500(response, f"{method} {path}")


@FUZZ
@given(authorization=header_values, method=st.sampled_from(METHODS[:5]))
def test_garbage_credentials_are_always_401(
    server: tuple[EmulatorServer, dict[str, str]], authorization: str, method: str
) -> None:
    emulator, ids = server
    with httpx.Client(base_url=emulator.base_url) as http:
        for prefix in ("Basic ", "Bearer ", ""):
            response = http.request(
                method,
                f"{V1}/Stores/{ids['storeId']}",
                headers={"Authorization": (prefix + authorization).strip() or "x"},
            )
            _no_500(response, "auth")
            assert response.status_code == 401, response.text


CONTROL = [
    ("POST", "faults"),
    ("POST", "settings"),
    ("POST", "clock"),
    ("GET", "stats"),
    ("DELETE", "faults/fault-999999"),
    ("GET", "state"),
]


@FUZZ
@given(body=bodies, index=st.integers(0, len(CONTROL) - 1))
def test_control_endpoints_reject_malformed_bodies_without_500(
    server: tuple[EmulatorServer, dict[str, str]], body: bytes, index: int
) -> None:
    emulator, _ids = server
    method, path = CONTROL[index]
    with httpx.Client(base_url=emulator.base_url) as http:
        response = http.request(method, f"/_emulator/{path}", content=body)
    _no_500(response, f"{method} /_emulator/{path}")
    # whatever was accepted must not break the next API call (e.g. an absurd clock or delay)
    emulator.control.clear_faults()
    emulator.control.settings(provisioning_delay=0, operation_delay=0)


@FUZZ
@given(
    spec=st.dictionaries(
        st.sampled_from(
            [
                "action",
                "method",
                "route",
                "status",
                "retryAfter",
                "probability",
                "times",
                "latency",
                "phase",
                "account",
                "limit",
                "window",
                "message",
            ]
        ),
        json_values,
        max_size=6,
    )
)
def test_fault_rules_of_any_shape_are_validated(
    server: tuple[EmulatorServer, dict[str, str]], spec: dict[str, Any]
) -> None:
    emulator, _ids = server
    with httpx.Client(base_url=emulator.base_url) as http:
        response = http.post("/_emulator/faults", json=spec)
    _no_500(response, "POST /_emulator/faults")
    emulator.control.clear_faults()


def test_the_emulator_counted_no_500(server: tuple[EmulatorServer, dict[str, str]]) -> None:
    """Runs last in this module: the emulator's own counters agree that nothing answered 500."""
    emulator, _ids = server
    stats = emulator.control.stats()
    assert "500" not in stats["byStatus"], stats["byStatus"]
    FIGURES.record("emulator fuzz", emulator_requests_counted=stats["total"], emulator_500s=0)

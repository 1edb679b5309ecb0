"""MemoryClient / ConversationsClient against httpx.MockTransport: auth, headers, parsing, paging,
retries (which, how often, how long), error mapping and secret hygiene."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest
from twilio_memory_api import models as m
from twilio_memory_api.client import (
    USER_AGENT,
    ConversationsClient,
    Credentials,
    MemoryClient,
    RetryPolicy,
    parse_retry_after,
)
from twilio_memory_api.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    TransportError,
    TwilioMemoryError,
    UnreachableError,
)

SECRET = "super-secret-api-value-123"
CREDS = Credentials("SK00000000000000000000000000000000", SECRET)
STORE_ID = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
STORE = {
    "id": STORE_ID,
    "displayName": "client-acme",
    "description": "Acme",
    "status": "ACTIVE",
    "intelligenceServiceId": "intelligence_service_01k1etk2y5f1y9fpe2epfdtvv2",
    "version": 3,
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a script and records every request."""

    def __init__(self, *responses: httpx.Response | Exception | Handler) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item


def make(cls: type, recorder: Recorder, sleeps: list[float] | None = None, **kw: object) -> object:
    return cls(
        CREDS,
        base_url="http://emulator.test:4010/",
        transport=httpx.MockTransport(recorder),
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
        **kw,
    )


def memory(recorder: Recorder, sleeps: list[float] | None = None, **kw: object) -> MemoryClient:
    client = make(MemoryClient, recorder, sleeps, **kw)
    assert isinstance(client, MemoryClient)
    return client


def conversations(recorder: Recorder, sleeps: list[float] | None = None) -> ConversationsClient:
    client = make(ConversationsClient, recorder, sleeps)
    assert isinstance(client, ConversationsClient)
    return client


def error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return httpx.Response(status, json=body, headers=headers)


def accepted(op: str = "mem_operation_1") -> httpx.Response:
    return httpx.Response(
        202,
        json={
            "message": "accepted",
            "statusUrl": f"http://emulator.test:4010/v1/ControlPlane/Operations/{op}",
        },
        headers={"Operation-Id": op, "Retry-After": "1"},
    )


# -- requests ---------------------------------------------------------------------------------------


def test_get_store_sends_basic_auth_user_agent_and_exposes_etag() -> None:
    rec = Recorder(httpx.Response(200, json=STORE, headers={"ETag": '"abc"'}))
    found = memory(rec).get_store(STORE_ID)
    request = rec.requests[0]
    assert str(request.url) == f"http://emulator.test:4010/v1/ControlPlane/Stores/{STORE_ID}"
    expected = base64.b64encode(f"{CREDS.username}:{SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("pulumi-twilio-memory/")
    assert found.etag == '"abc"'
    assert found.value.display_name == "client-acme" and found.value.version == 3


def test_create_store_posts_camel_case_and_reads_the_operation_headers() -> None:
    rec = Recorder(accepted("mem_operation_42"))
    result = memory(rec).create_store(m.StoreCreate(display_name="client-acme", description="Acme"))
    assert json.loads(rec.requests[0].content) == {"displayName": "client-acme", "description": "Acme"}
    assert rec.requests[0].headers["Content-Type"] == "application/json"
    assert result.operation_id == "mem_operation_42"
    assert result.retry_after == 1.0
    assert result.status_url and result.status_url.endswith("/Operations/mem_operation_42")


def test_operation_id_falls_back_to_the_status_url() -> None:
    rec = Recorder(httpx.Response(202, json={"statusUrl": "https://x/v1/ControlPlane/Operations/op_9"}))
    assert memory(rec).delete_store(STORE_ID).operation_id == "op_9"


def test_update_store_sends_if_match_only_when_given() -> None:
    rec = Recorder(accepted())
    client = memory(rec)
    client.update_store(STORE_ID, m.StoreUpdate(description="new"), if_match='"v3"')
    client.update_store(STORE_ID, m.StoreUpdate(description="new"))
    assert rec.requests[0].headers["If-Match"] == '"v3"'
    assert "If-Match" not in rec.requests[1].headers
    assert json.loads(rec.requests[0].content) == {"description": "new"}


def test_ids_are_quoted_into_a_single_path_segment() -> None:
    rec = Recorder(httpx.Response(200, json=STORE))
    memory(rec).get_store("a/../b")
    assert rec.requests[0].url.raw_path.endswith(b"/Stores/a%2F..%2Fb")


def test_store_listing_follows_next_tokens() -> None:
    pages = [
        httpx.Response(
            200, json={"stores": ["mem_store_a"], "meta": {"key": "stores", "pageSize": 1, "nextToken": "t1"}}
        ),
        httpx.Response(
            200, json={"stores": ["mem_store_b"], "meta": {"key": "stores", "pageSize": 1, "nextToken": ""}}
        ),
    ]
    rec = Recorder(*pages)
    assert memory(rec).list_store_ids(page_size=1) == ["mem_store_a", "mem_store_b"]
    assert rec.requests[0].url.params["pageSize"] == "1"
    assert rec.requests[1].url.params["pageToken"] == "t1"


def test_find_store_by_display_name_fetches_each_listed_store_and_skips_vanished_ones() -> None:
    other = {**STORE, "id": "mem_store_b", "displayName": "other"}

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Stores"):
            return httpx.Response(
                200,
                json={
                    "stores": ["mem_store_gone", "mem_store_b", STORE_ID],
                    "meta": {"key": "stores", "pageSize": 50},
                },
            )
        if request.url.path.endswith("mem_store_gone"):
            return error(404, 20404, "not found")
        return httpx.Response(200, json=other if request.url.path.endswith("mem_store_b") else STORE)

    client = memory(Recorder(route))
    found = client.find_store_by_display_name("client-acme")
    assert found is not None and found.value.id == STORE_ID
    assert client.find_store_by_display_name("nobody") is None


def test_find_store_returns_none_on_404_but_raises_on_other_errors() -> None:
    assert memory(Recorder(error(404, 20404, "no store"))).find_store(STORE_ID) is None
    with pytest.raises(AuthenticationError):
        memory(Recorder(error(401, 20003, "Authenticate"))).find_store(STORE_ID)
    with pytest.raises(ServerError):
        memory(Recorder(error(500, 20500, "boom"))).find_store(STORE_ID)


def test_trait_group_fetch_unwraps_and_merges_trait_pages() -> None:
    first = {
        "traitGroup": {"displayName": "prefs", "traits": {"a": {"dataType": "STRING"}}, "version": 2},
        "meta": {"key": "traitGroup", "pageSize": 1, "nextToken": "n"},
    }
    second = {
        "traitGroup": {"displayName": "prefs", "traits": {"b": {"dataType": "NUMBER"}}, "version": 2},
        "meta": {"key": "traitGroup", "pageSize": 1},
    }
    rec = Recorder(httpx.Response(200, json=first, headers={"ETag": "e1"}), httpx.Response(200, json=second))
    found = memory(rec).get_trait_group(STORE_ID, "prefs")
    assert found.etag == "e1"
    assert set(found.value.traits or {}) == {"a", "b"}
    assert rec.requests[0].url.params["includeTraits"] == "true"


def test_conversations_writes_carry_one_idempotency_key_reused_by_retries() -> None:
    sleeps: list[float] = []
    ok = httpx.Response(
        202,
        json={
            "statusUrl": "https://c/v2/ControlPlane/Operations/proc_job_1",
            "related": {"configurationId": "conv_configuration_1"},
        },
    )
    rec = Recorder(error(503, 20503, "busy"), httpx.ReadError("reset"), ok)
    body = m.ConfigurationCreate(
        display_name="acme",
        description="d",
        conversation_grouping_type="GROUP_BY_PROFILE",
        memory_store_id=STORE_ID,
    )
    result = conversations(rec, sleeps).create_configuration(body)
    keys = {r.headers["Idempotency-Key"] for r in rec.requests}
    assert len(rec.requests) == 3 and len(keys) == 1
    assert result.resource_id == "conv_configuration_1" and result.operation_id == "proc_job_1"


def test_patch_configuration_sends_null_to_remove_a_channel() -> None:
    rec = Recorder(httpx.Response(202, json={"statusUrl": "https://c/v2/ControlPlane/Operations/p"}))
    patch = m.ConfigurationPatch(channel_settings={m.Channel.SMS: None}, description="d")
    conversations(rec).patch_configuration("conv_configuration_1", patch)
    assert json.loads(rec.requests[0].content) == {"channelSettings": {"SMS": None}, "description": "d"}


# -- retries ---------------------------------------------------------------------------------------


def test_429_is_retried_honouring_retry_after_even_for_a_create() -> None:
    sleeps: list[float] = []
    rec = Recorder(
        error(429, 20429, "slow down", {"Retry-After": "2"}),
        error(429, 20429, "slow down", {"Retry-After": "3"}),
        accepted(),
    )
    memory(rec, sleeps).create_store(m.StoreCreate(display_name="x"))
    assert len(rec.requests) == 3
    assert sleeps == [2.0, 3.0]


def test_retry_after_is_capped() -> None:
    sleeps: list[float] = []
    rec = Recorder(error(429, 20429, "slow", {"Retry-After": "86400"}), httpx.Response(200, json=STORE))
    memory(rec, sleeps, retry=RetryPolicy(max_retry_after=30)).get_store(STORE_ID)
    assert sleeps == [30.0]


def test_backoff_without_retry_after_grows_with_jitter_within_bounds() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=5, initial_delay=1.0, multiplier=2.0, max_delay=4.0)
    rec = Recorder(error(503, 20503, "busy"))
    with pytest.raises(ServerError) as info:
        memory(rec, sleeps, retry=policy).get_store(STORE_ID)
    assert len(rec.requests) == 5
    bounds = [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (2.0, 4.0)]
    assert len(sleeps) == 4
    for slept, (low, high) in zip(sleeps, bounds, strict=True):
        assert low <= slept <= high
    assert "after 5 attempts" in str(info.value)


def test_503_and_dropped_connections_on_a_memory_create_are_not_retried() -> None:
    for failure in (error(503, 20503, "busy"), httpx.ReadError("connection reset")):
        rec = Recorder(failure, accepted())
        with pytest.raises((ServerError, TransportError)) as info:
            memory(rec).create_store(m.StoreCreate(display_name="x"))
        assert len(rec.requests) == 1
        if isinstance(info.value, TransportError):
            assert "may have been applied" in str(info.value)


def test_a_failed_connect_is_retried_for_any_request() -> None:
    rec = Recorder(httpx.ConnectError("refused"), accepted())
    memory(rec).create_store(m.StoreCreate(display_name="x"))
    assert len(rec.requests) == 2


def test_reads_and_conditional_writes_are_retried_on_503_and_connection_errors() -> None:
    rec = Recorder(httpx.ReadTimeout("slow"), error(503, 20503, "busy"), httpx.Response(200, json=STORE))
    assert memory(rec).get_store(STORE_ID).value.id == STORE_ID
    rec = Recorder(error(503, 20503, "busy"), accepted())
    memory(rec).update_store(STORE_ID, m.StoreUpdate(description="d"), if_match="e")
    assert len(rec.requests) == 2


def test_rate_limit_storm_gives_up_with_advice() -> None:
    rec = Recorder(error(429, 20429, "Too many requests", {"Retry-After": "0"}))
    with pytest.raises(RateLimitedError) as info:
        memory(rec, retry=RetryPolicy(max_attempts=3)).get_store(STORE_ID)
    assert len(rec.requests) == 3
    assert "after 3 attempts" in str(info.value) and "--parallel" in str(info.value)


def test_unreachable_host_names_the_base_url_setting() -> None:
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(UnreachableError) as info:
        memory(rec, retry=RetryPolicy(max_attempts=2)).get_store(STORE_ID)
    message = str(info.value)
    assert len(rec.requests) == 1  # refused: not retried
    assert "http://emulator.test:4010" in message and "TWILIO_MEMORY_BASE_URL" in message
    assert "read store" in message and "refused the connection" in message


def test_a_connect_failure_worth_retrying_is_retried_then_named() -> None:
    rec = Recorder(httpx.ConnectError("[Errno 104] Connection reset by peer"))
    with pytest.raises(TransportError) as info:
        memory(rec, retry=RetryPolicy(max_attempts=2)).get_store(STORE_ID)
    assert len(rec.requests) == 2
    assert "http://emulator.test:4010" in str(info.value) and "TWILIO_MEMORY_BASE_URL" in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), (" 1.5 ", 1.5), ("-2", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=lambda: 1445412480.0) == 10.0


# -- error mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, 400, BadRequestError),
        (401, 20003, AuthenticationError),
        (403, 403, PermissionDeniedError),
        (404, 20404, NotFoundError),
        (409, 20409, ConflictError),
        (412, 412, PreconditionFailedError),
        (500, 20500, ServerError),
        (418, 418, ApiError),
    ],
)
def test_statuses_map_to_error_classes_with_actionable_messages(status: int, code: int, cls: type) -> None:
    rec = Recorder(error(status, code, "the API says no"))
    with pytest.raises(cls) as info:
        memory(rec, retry=RetryPolicy(max_attempts=1)).update_store(
            STORE_ID, m.StoreUpdate(description="d"), if_match="e"
        )
    err = info.value
    assert isinstance(err, ApiError) and err.status == status and err.code == code
    message = str(err)
    assert message.startswith(f"Could not update store {STORE_ID}: the API says no (HTTP {status}")
    assert err.hint in message


def test_412_says_changed_outside_pulumi_and_to_refresh() -> None:
    rec = Recorder(error(412, 412, "ETag mismatch"))
    with pytest.raises(PreconditionFailedError) as info:
        memory(rec).update_store(STORE_ID, m.StoreUpdate(description="d"), if_match='"old"')
    assert (
        STORE_ID in str(info.value)
        and "outside Pulumi" in str(info.value)
        and "pulumi refresh" in str(info.value)
    )


def test_409_exposes_the_conflicting_resource_id() -> None:
    rec = Recorder(error(409, 20409, "taken", {"X-Conflicting-Resource-Id": "conv_configuration_x"}))
    with pytest.raises(ConflictError) as info:
        conversations(rec).delete_configuration("conv_configuration_y")
    assert info.value.conflicting_resource_id == "conv_configuration_x"


def test_rfc9457_and_non_json_error_bodies() -> None:
    problem = httpx.Response(
        400,
        json={
            "type": "https://x/errors/1",
            "title": "Bad",
            "status": 400,
            "code": 31000,
            "detail": "displayName is bad",
        },
    )
    with pytest.raises(BadRequestError) as info:
        memory(Recorder(problem)).create_store(m.StoreCreate(display_name="x"))
    assert "displayName is bad" in str(info.value) and info.value.code == 31000
    with pytest.raises(ServerError) as info2:
        memory(
            Recorder(httpx.Response(502, text="<html>Bad Gateway</html>")), retry=RetryPolicy(max_attempts=1)
        ).get_store(STORE_ID)
    assert info2.value.code == 502 and "Bad Gateway" in str(info2.value)


def test_unexpected_response_shape_is_a_clear_error() -> None:
    with pytest.raises(TwilioMemoryError) as info:
        memory(Recorder(httpx.Response(200, json={"id": STORE_ID}))).get_store(STORE_ID)
    assert "does not understand" in str(info.value)


# -- secret hygiene --------------------------------------------------------------------------------


def test_secrets_never_appear_in_errors_or_reprs() -> None:
    echo = error(401, 20003, f"bad password {SECRET} for {CREDS.username}")
    with pytest.raises(AuthenticationError) as info:
        memory(Recorder(echo)).get_store(STORE_ID)
    err = info.value
    for text in (str(err), repr(err), err.api_message, repr(err.headers)):
        assert SECRET not in text
    assert "[redacted]" in str(err)
    assert "TWILIO_API_KEY" in str(err)  # says how to fix the credentials
    drop = httpx.ConnectError(f"proxy said {SECRET}")
    with pytest.raises(TransportError) as info2:
        memory(Recorder(drop), retry=RetryPolicy(max_attempts=1)).get_store(STORE_ID)
    assert SECRET not in str(info2.value)
    client = memory(Recorder(httpx.Response(200, json=STORE)))
    assert SECRET not in repr(client) and SECRET not in repr(CREDS) and SECRET not in repr(vars(client))


# -- a base URL that cannot be reached: one clear error, no retry loop ---------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_nothing_listening_on_a_loopback_url_fails_at_once_asking_for_the_emulator() -> None:
    port = _free_port()
    slept: list[float] = []
    client = MemoryClient(CREDS, base_url=f"http://127.0.0.1:{port}", sleep=slept.append)
    with pytest.raises(UnreachableError) as info:
        client.get_store(STORE_ID)
    message = str(info.value)
    assert slept == []  # not retried
    assert info.value.reason == "refused"
    assert f"nothing is listening on 127.0.0.1:{port}" in message
    assert f"twilio-memory-emulator --port {port}" in message
    assert "twilio-memory:memoryBaseUrl" in message and SECRET not in message
    assert not isinstance(info.value, TransportError)  # never taken for a write that may have landed


def test_an_unknown_host_fails_at_once_naming_the_host_and_the_setting() -> None:
    slept: list[float] = []
    client = ConversationsClient(CREDS, base_url="https://no-such-host.invalid", sleep=slept.append)
    with pytest.raises(UnreachableError) as info:
        client.get_configuration("conv_configuration_01k1etk2y5f1y9fpe2epfdtvv2")
    assert slept == [] and info.value.reason == "dns"
    assert "'no-such-host.invalid' does not resolve" in str(info.value)
    assert "twilio-memory:conversationsBaseUrl" in str(info.value)


def test_https_against_a_plain_http_server_says_to_use_http() -> None:
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def answer_in_plain_http() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(1024)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer_in_plain_http, daemon=True)
    thread.start()
    slept: list[float] = []
    client = MemoryClient(CREDS, base_url=f"https://127.0.0.1:{port}", sleep=slept.append)
    try:
        with pytest.raises(UnreachableError) as info:
            client.get_store(STORE_ID)
    finally:
        server.close()
    assert slept == [] and info.value.reason == "tls"
    assert f"use http://127.0.0.1:{port}" in str(info.value)

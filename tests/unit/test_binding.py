"""A stack's resources stay in the account and endpoint they were created in: every lifecycle
method checks the binding recorded in state before any request, and records it on the way out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi_twilio_memory import config
from pulumi_twilio_memory.resources import _calls
from pulumi_twilio_memory.resources._base import BINDING, same_place
from pulumi_twilio_memory.resources._results import CreateResult, ReadResult
from pulumi_twilio_memory.resources.conversation_configuration import ConversationConfigurationProvider
from pulumi_twilio_memory.resources.store import StoreProvider
from twilio_memory_api.errors import StackBindingError

ACCOUNT = "AC" + "a" * 32
OTHER = "AC" + "b" * 32
STORE = "mem_store_01h00000000000000000000000"


@pytest.fixture(autouse=True)
def emulator_settings() -> Iterator[None]:
    config.configure(
        {
            "twilio-memory:accountSid": ACCOUNT,
            "twilio-memory:authToken": "token-value",
            "twilio-memory:memoryBaseUrl": "http://127.0.0.1:8787",
            "twilio-memory:conversationsBaseUrl": "http://127.0.0.1:8787",
        }
    )
    yield
    config.reset()


def _recorded(endpoint: str, account: str = ACCOUNT) -> dict[str, Any]:
    return {"display_name": "acme", BINDING: {"account": account, "endpoint": endpoint}}


@pytest.mark.parametrize(
    ("recorded", "current", "same"),
    [
        (("", "http://127.0.0.1:8787"), ("", "http://127.0.0.1:40123"), True),  # emulator, new port
        (("", "http://localhost:8787"), ("", "http://127.0.0.1:8787"), True),
        (("", "http://127.0.0.1:8787"), ("", "https://memory.twilio.com"), False),
        (("", "https://memory.twilio.com"), ("", "https://memory.dublin.ie1.twilio.com"), False),
        ((ACCOUNT, "https://memory.twilio.com"), (OTHER, "https://memory.twilio.com"), False),
        ((ACCOUNT, "https://memory.twilio.com"), ("", "https://memory.twilio.com"), True),  # key only
    ],
)
def test_same_place(recorded: tuple[str, str], current: tuple[str, str], same: bool) -> None:
    as_binding = [{"account": a, "endpoint": e} for a, e in (recorded, current)]
    assert same_place(*as_binding) is same


def test_diff_read_update_delete_stop_before_any_request_when_the_endpoint_moved() -> None:
    provider = StoreProvider()
    olds = _recorded("https://memory.twilio.com")
    for call in (
        lambda: provider.diff(STORE, olds, {"display_name": "acme"}),
        lambda: provider.read(STORE, olds),
        lambda: provider.update(STORE, olds, {"display_name": "acme"}),
        lambda: provider.delete(STORE, olds),
    ):
        with pytest.raises(StackBindingError) as info:
            call()  # no client is built: the check comes first (nothing listens on 8787 here)
        message = str(info.value)
        assert "lives in account " + ACCOUNT + " at https://memory.twilio.com" in message
        assert "now points at account " + ACCOUNT + " at http://127.0.0.1:8787" in message
        assert "pulumi stack init" in message and "token-value" not in message


def test_another_account_is_refused_and_names_both() -> None:
    with pytest.raises(StackBindingError, match=OTHER):
        StoreProvider().diff(STORE, _recorded("http://127.0.0.1:8787", OTHER), {"display_name": "acme"})


def test_state_without_a_binding_passes_and_the_conversations_api_has_its_own_url() -> None:
    provider = StoreProvider()
    assert provider.diff(STORE, {"display_name": "acme"}, {"display_name": "acme"}).changes is False
    config.configure(
        {
            "twilio-memory:accountSid": ACCOUNT,
            "twilio-memory:authToken": "token-value",
            "twilio-memory:conversationsBaseUrl": "https://conversations.twilio.com",
        }
    )
    assert ConversationConfigurationProvider().binding() == {
        "account": ACCOUNT,
        "endpoint": "https://conversations.twilio.com",
    }


def test_create_records_the_binding_in_the_outputs() -> None:
    class Probe(StoreProvider):
        @_calls.create
        def create(self, props: dict[str, Any]) -> CreateResult:
            return CreateResult(STORE, {"display_name": props["display_name"]})

    result = Probe().create({"display_name": "acme"})
    assert result.outs == {
        "display_name": "acme",
        BINDING: {"account": ACCOUNT, "endpoint": "http://127.0.0.1:8787"},
    }


def test_log_lines_written_during_a_call_name_its_resource(caplog: pytest.LogCaptureFixture) -> None:
    """A dynamic provider's log goes to the host's stderr, which the CLI shows under the stack:
    so a retry warning must say itself which resource it is about."""
    import logging

    client_log = logging.getLogger("pulumi_twilio_memory")

    class Probe(StoreProvider):
        @_calls.create
        def create(self, props: dict[str, Any]) -> CreateResult:
            client_log.warning("%s: POST %s failed (HTTP 429); retrying", "Twilio Memory", "/v1/x")
            return CreateResult(STORE, {})

        @_calls.step
        def delete(self, id_: str, props: dict[str, Any]) -> None:
            client_log.warning("gone")

    with caplog.at_level(logging.WARNING, logger="pulumi_twilio_memory"):
        Probe().create({"display_name": "acme"})
        Probe().delete(STORE, {})
        client_log.warning("outside any call")
    assert [r.getMessage() for r in caplog.records] == [
        "store 'acme': Twilio Memory: POST /v1/x failed (HTTP 429); retrying",
        f"store {STORE}: gone",
        "outside any call",
    ]


def test_a_refresh_keeps_the_recorded_binding_and_adds_none() -> None:
    """A read must not rewrite the binding (an emulator on a new port) nor add one to a resource
    recorded before bindings: either would show as drift in `preview --refresh`."""

    class Probe(StoreProvider):
        @_calls.read
        def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
            return ReadResult(id_, {"display_name": "acme"})

    recorded = {"account": ACCOUNT, "endpoint": "http://127.0.0.1:40123"}  # another port: same place
    assert Probe().read(STORE, {BINDING: recorded}).outs == {"display_name": "acme", BINDING: recorded}
    assert Probe().read(STORE, {"display_name": "acme"}).outs == {"display_name": "acme"}

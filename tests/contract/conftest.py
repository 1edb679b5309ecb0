"""Fixtures of the contract tier: the emulator judged by Twilio's OpenAPI spec (see spec_contract).

Every test here is marked ``contract``. ``emulator`` has realistic delays, so answers are also seen
in their pending states (operations PENDING/RUNNING, stores QUEUED/PROVISIONING). ``http`` is a
client of the zero-delay session server instead, for what is synchronous anyway (request
validation, the data plane): every write that answers with an operation returns once it has
ended, and every exchange is kept by ``recorder``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from spec_contract import Recorder
from twilio_memory_emulator.testing import EmulatorServer

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.contract)


@pytest.fixture
def emulator(realistic_emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    yield realistic_emulator


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def http(emulator_server: EmulatorServer, recorder: Recorder) -> Iterator[httpx.Client]:
    emulator_server.control.reset()
    with emulator_server.http(settle=True) as client:
        client.event_hooks["response"].append(recorder)
        yield client

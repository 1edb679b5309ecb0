"""Fixtures of the contract tier: the emulator judged by Twilio's OpenAPI spec (see spec_contract).

Every test here is marked ``contract``. The server has realistic delays, so answers are also seen
in their pending states (operations PENDING/RUNNING, stores QUEUED/PROVISIONING)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from twilio_memory_emulator.testing import EmulatorServer

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.contract)


@pytest.fixture
def emulator(realistic_emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    yield realistic_emulator

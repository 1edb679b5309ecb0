"""Shared fixtures: a real emulator server on loopback (see twilio_memory_emulator.testing).

* ``emulator`` - one server per test session (provisioning and operation delays 0), reset before
  each test (``POST /_emulator/reset``: empty state, stats and faults, start-up settings).
  Attributes: ``base_url``, ``account_sid``, ``auth_token``, ``api_key``, ``api_secret``,
  ``control`` (a ControlClient), ``http()`` (an authenticated httpx client).
* ``start_emulator(**flags)`` - a private server with its own CLI flags, e.g.
  ``start_emulator(state_file=path, provisioning_delay=5, account=["AC...:token"])``; stopped at
  the end of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from twilio_memory_emulator.testing import EmulatorServer


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    server = EmulatorServer(provisioning_delay=0, operation_delay=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    emulator_server.control.reset()
    return emulator_server


@pytest.fixture
def start_emulator() -> Iterator[Callable[..., EmulatorServer]]:
    started: list[EmulatorServer] = []

    def start(**flags: Any) -> EmulatorServer:
        server = EmulatorServer(**flags).start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()

"""Shared fixtures: a real emulator server on loopback (see twilio_memory_emulator.testing).

* ``emulator`` - one server per test session, reset before each test (``POST /_emulator/reset``:
  empty state, stats and faults, start-up settings). Delays 0 here, for the emulator tier's own
  contract tests (which move the virtual clock when they need time to pass); the integration,
  e2e and reliability tiers override it with ``REALISTIC_DELAYS`` (provisioning 1 s, operations
  0.3 s, both +/- 30 %): see ``realistic_emulator``.
* ``realistic_emulator`` - one server per session with ``REALISTIC_DELAYS``, reset before each test.
  Attributes: ``base_url``, ``account_sid``, ``auth_token``, ``api_key``, ``api_secret``,
  ``control`` (a ControlClient), ``http()`` (an authenticated httpx client).
* ``start_emulator(**flags)`` - a private server with its own CLI flags, e.g.
  ``start_emulator(state_file=path, provisioning_delay=5, account=["AC...:token"])``; stopped at
  the end of the test.

Parallel runs (``scripts/test`` runs pytest-xdist workers): every server above listens on a port
of its own (``--port 0``) and session fixtures are per worker, so each worker has its own servers;
the CLI tiers give every workspace its own ``PULUMI_HOME`` and backend under ``tmp_path``. A module
whose tests tell one story on one stack (each test continuing the previous one's state) carries
``pytest.mark.xdist_group``, so ``--dist loadgroup`` runs it whole, in order, on one worker. The
end-of-run report (e2e commands, reliability figures) is gathered from every worker by
``run_report``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import run_report
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer


def _serving(**flags: Any) -> Iterator[EmulatorServer]:
    server = EmulatorServer(**flags).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    yield from _serving(provisioning_delay=0, operation_delay=0)


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    emulator_server.control.reset()
    return emulator_server


@pytest.fixture(scope="session")
def realistic_emulator_server() -> Iterator[EmulatorServer]:
    yield from _serving(**REALISTIC_DELAYS)


@pytest.fixture
def realistic_emulator(realistic_emulator_server: EmulatorServer) -> EmulatorServer:
    realistic_emulator_server.control.reset()
    return realistic_emulator_server


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


# -- the end-of-run report, whole under pytest-xdist (see run_report) -----------------------------


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "e2e" in report.keywords:
        run_report.note_e2e_duration(report.nodeid, report.duration)


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        run_report.hand_over(workeroutput)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    run_report.receive(node.workeroutput)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    distributed = config.pluginmanager.hasplugin("dsession")
    run_report.write_summary(terminalreporter, distributed)

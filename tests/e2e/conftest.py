"""Fixtures of the e2e tier: the real ``pulumi`` CLI against an emulator server the tests start.

Every test under ``tests/e2e`` is marked ``e2e`` (deselect with ``-m "not e2e"``).

* ``pulumi_cli`` (session): the CLI matching the pinned ``pulumi`` package (:func:`find_cli`:
  ``$PULUMI_CLI_DIR`` from ``scripts/test``, else ``scripts/install-pulumi``).
* ``pulumi_workspace(project, env=..., names=None)``: copy a Pulumi project (a directory, e.g.
  ``examples/one-tenant``) into this test's ``tmp_path`` and return an isolated
  :class:`~e2e_harness.Workspace` for it (own ``PULUMI_HOME``, ``file://`` backend, passphrase).
  ``env`` is added to the CLI's environment, e.g. ``twilio_env(emulator.base_url, api_key=...,
  api_secret=...)``; the caller's ``TWILIO_*``/``PULUMI_*`` variables never leak in.
* ``e2e_emulator`` (module): an emulator server with realistic delays (``REALISTIC_DELAYS``:
  provisioning 1 s, operations 0.3 s, both +/- 30 %: the provider's waiters really wait, and lost
  answers meet resources still pending) and credentials made up for this run, so a test can grep
  state and output for them. Attributes as ``EmulatorServer`` plus ``api_key``/``api_secret``.
* ``emulator``: ``e2e_emulator`` reset first, so the test starts with an empty account (overrides
  the session-wide ``emulator`` of ``tests/conftest.py``, which has no delays).
* ``account``: an :class:`~e2e_api.Account` over ``emulator``, to see what the server holds.

At the end of the run the terminal summary shows the tier's duration, how many CLI commands ran,
and anything tests added to ``e2e_harness.REPORT`` (e.g. the size of ``__provider`` per resource),
gathered from every xdist worker by ``tests/run_report.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from e2e_api import Account, Deployed, resources_stack
from e2e_harness import PulumiCLI, Workspace, copy_project, find_cli
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def pulumi_cli() -> PulumiCLI:
    try:
        return find_cli()
    except RuntimeError as exc:
        pytest.fail(f"the e2e tier needs the pulumi CLI: {exc}")


@pytest.fixture
def pulumi_workspace(pulumi_cli: PulumiCLI, tmp_path: Path) -> Callable[..., Workspace]:
    def make(
        project: Path | str, env: Mapping[str, str] | None = None, names: Sequence[str] | None = None
    ) -> Workspace:
        root = tmp_path / f"pulumi-{len(list(tmp_path.glob('pulumi-*')))}"
        project_dir = copy_project(Path(project), root / "project", names)
        return pulumi_cli.workspace(root, project_dir, env)

    return make


@pytest.fixture(scope="module")
def e2e_emulator() -> Iterator[EmulatorServer]:
    account = "AC" + secrets.token_hex(16)
    token = "e2e-token-" + secrets.token_hex(12)
    key, secret = "SK" + secrets.token_hex(16), "e2e-secret-" + secrets.token_hex(12)
    server = EmulatorServer(
        **REALISTIC_DELAYS,
        account=[f"{account}:{token}"],
        api_key=[f"{key}:{secret}:{account}"],
    )
    server.api_key, server.api_secret = key, secret
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def resources_deployed(
    pulumi_cli: PulumiCLI, e2e_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployed]:
    """The module's stack of ``programs/resources`` (one of each resource), up on its emulator."""
    with resources_stack(pulumi_cli, e2e_emulator, tmp_path_factory.mktemp("resources"), "e2e") as stack:
        yield stack


@pytest.fixture
def emulator(e2e_emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    e2e_emulator.control.reset()  # every test starts with an empty account
    yield e2e_emulator


@pytest.fixture
def account(emulator: EmulatorServer) -> Iterator[Account]:
    with emulator.http() as http:
        yield Account(http)

"""Fixtures of the integration tier (every provider method against a real emulator server).

A test here calls provider methods one after another in one process, where each call stands for
a step of its own ``pulumi`` run (create in one, delete in a later one). What one deployment's
provider host remembers (:mod:`pulumi_twilio_memory.resources._deployment`: ids claimed by a
create or update, so a delete of the same id under another resource name leaves it alone) must
then not carry over between the steps, so it is forgotten before and after each provider call.
Every test runs against an emulator with realistic delays (``REALISTIC_DELAYS``: provisioning 1 s,
operations 0.3 s, +/- 30 %), so the provider's waiters really wait and pending states are met.

The claims themselves are tested in ``tests/unit/test_deployment.py`` and, as a user meets them,
under the real CLI in ``tests/e2e/test_lifecycle_matrix.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi_twilio_memory.resources import _deployment, trait_group
from twilio_memory_emulator.testing import EmulatorServer


@pytest.fixture
def emulator(realistic_emulator: EmulatorServer) -> EmulatorServer:
    return realistic_emulator


@pytest.fixture(autouse=True)
def each_call_is_its_own_deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_deployment, "is_claimed", lambda _kind, _id: False)
    yield
    _deployment.forget_all()


@pytest.fixture
def brief_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a test where no other resource of the deployment will act: the trait group's waits for
    another resource's move or delete to land (10 s each in a real run, where that resource may
    not have been diffed or deleted yet) end after one second, then fail as they would after ten."""
    monkeypatch.setattr(trait_group, "MOVE_NOTICE_SECONDS", 1.0)
    monkeypatch.setattr(trait_group, "REFERENCE_NOTICE_SECONDS", 1.0)

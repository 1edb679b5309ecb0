"""Fixtures of the reliability tier and its end-of-run summary.

Size: ``quick`` by default (CI), ``full`` with ``RELIABILITY_FULL=1`` (``scripts/reliability``); see
``rel_support.Profile``. The figures (faults injected and survived, inputs tried, duplicates and
orphans) are printed at the end of the run and written to ``summary.json`` / ``summary.md`` in
``$RELIABILITY_REPORT_DIR`` (default ``<tmp>/pulumi-twilio-memory-reliability/<profile>``), added
up over every xdist worker by ``tests/run_report.py``.

Timing: every emulator of this tier has realistic delays (``REALISTIC_DELAYS``: provisioning 1 s,
operations 0.3 s, +/- 30 %) unless a scenario needs slower ones (``slow_emulator``: provisioning
4 s; the lost-answer matrix: operations 0.5 s), so a lost answer meets a resource still pending.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The CLI machinery is the e2e tier's; reuse it rather than copy it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from e2e_harness import PulumiCLI, find_cli
from rel_support import Fleet
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer


@pytest.fixture(scope="session")
def pulumi_cli() -> PulumiCLI:
    return find_cli()


@pytest.fixture
def fleet_factory(pulumi_cli: PulumiCLI, tmp_path: Path) -> Callable[..., Fleet]:
    """``make(emulator, tenants, **options)``: a Fleet in its own directory under ``tmp_path``."""
    count = 0

    def make(emulator: EmulatorServer, tenants: list[str], **options: Any) -> Fleet:
        nonlocal count
        count += 1
        return Fleet(pulumi_cli, tmp_path / f"fleet{count}", emulator, tenants, **options)

    return make


@pytest.fixture
def emulator(realistic_emulator: EmulatorServer) -> EmulatorServer:
    return realistic_emulator


@pytest.fixture
def slow_emulator(start_emulator: Callable[..., EmulatorServer]) -> Iterator[EmulatorServer]:
    """A private emulator where stores take a while to provision (crash and timeout scenarios)."""
    yield start_emulator(**{**REALISTIC_DELAYS, "provisioning_delay": 4})

"""Someone pastes a bad value into a tenant list: `pulumi preview` and `pulumi up` refuse it with
a message naming the entry and field, before a single API request (the emulator counts none) and
before any resource exists; fixing the value converges."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rel_support import FIGURES, PROFILE, Fleet
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

GOOD = {"name": "acme"}
#: (what was pasted, the tenants list, text the error must contain)
BAD: list[tuple[str, Any, str]] = [
    ("injection in a name", [GOOD, {"name": "x'; DROP TABLE stores;--"}], "tenants[1].name"),
    ("path traversal in a display name", [{"name": "acme", "displayName": "../../etc"}], "tenants[0]"),
    ("a 100 kB description", [{"name": "acme", "description": "d" * 100_000}], "tenants[0].description"),
    ("unicode name", [{"name": "ácme-🙂"}], "tenants[0].name"),
    ("duplicate tenants", [GOOD, GOOD], "tenants[1]"),
    ("sixteen tenants", [{"name": f"t{i}"} for i in range(16)], "tenants"),
    ("unknown template", [{"name": "acme", "templates": ["Nope"]}], "tenants[0].templates"),
    (
        "bad trait type",
        [{"name": "acme", "traitGroups": {"G": {"traits": {"t": {"dataType": "TEXT"}}}}}],
        "dataType",
    ),
    ("a string, not a list", "acme,globex", "tenants"),
    ("broken JSON", '[{"name": "acme"', "tenants"),
]


#: CI's quick run takes every third case (the injection one included); the full run all of them.
CASES = BAD if PROFILE.name == "full" else BAD[::3]


@pytest.mark.parametrize(("what", "tenants", "mentions"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_tenant_list_fails_before_any_api_call(
    what: str, tenants: Any, mentions: str, emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    fleet = fleet_factory(emulator, ["acme"]).init()
    fleet.ws.config_set(
        "tenant-onboarding:tenants", tenants if isinstance(tenants, str) else json.dumps(tenants)
    )
    preview = fleet.ws.preview(expect=None)
    up = fleet.up(expect=None)
    for run in (preview, up):
        assert run.returncode != 0, run.describe()
        assert mentions in run.output, run.describe()
        assert "Traceback" not in run.output, run.describe()
    assert emulator.control.stats()["total"] == 0, "no API request for a bad tenant list"
    assert not [r for r in fleet.ws.resources() if r["type"].startswith("pulumi-python:dynamic")]
    FIGURES.record(f"bad tenant list: {what}", bad_tenant_lists_refused=1, api_requests_made=0)
    if what == "injection in a name":  # and once the value is fixed, it converges
        fleet.ws.config_set("tenant-onboarding:tenants", json.dumps([GOOD, {"name": "globex"}]))
        fleet.tenants = ["acme", "globex"]
        fleet.up()
        fleet.assert_converged()

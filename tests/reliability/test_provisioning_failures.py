"""Provisioning that ends FAILED, or never finishes, in the middle of a fleet's `pulumi up`.

What a user must see: a clear error naming the store, the other tenants unaffected, nothing left
behind silently, and a documented way to converge on the next run:

* FAILED: the provider deletes the failed store; the next `pulumi up` re-creates it.
* too slow (operationTimeout passed, the store becomes ACTIVE later): the error names the store id;
  ``adopt: true`` on that tenant takes it over on the next run.
* never finishes (stuck PROVISIONING): the error names the store id; delete it, and the next run
  re-creates it (docs/troubleshooting.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
import pytest
from rel_support import FIGURES, Fleet, audit, inventory, tenant_names, wait_for
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

STORE_ID = re.compile(r"mem_store_[0-7][0-9a-z]{25}")


def _named_store(output: str, names: list[str]) -> str:
    """The tenant whose store the error names (exactly one)."""
    named = [n for n in names if f"'{n}'" in output]
    assert len(named) == 1, (named, output[-3000:])
    return named[0]


def test_failed_provisioning_is_cleaned_up_and_recreated(
    emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    names = tenant_names(3, prefix="f")
    fleet = fleet_factory(emulator, names).init()
    emulator.control.add_fault(action="fail_provisioning", times=1)

    failed = fleet.up(expect=None)
    assert failed.returncode != 0
    tenant = _named_store("\n".join(line for line in failed.output.splitlines() if "FAILED" in line), names)
    assert "was deleted, so the next `pulumi up` can create it again" in failed.output
    after = audit(emulator, [fleet.ws])
    assert after.clean, after.describe()  # the failed store is gone, the others are tracked
    assert set(after.tracked_stores) == set(names) - {tenant}
    assert all(s["outcome"] != "FAILED" for s in inventory(emulator).stores.values())

    fleet.up()
    result = fleet.assert_converged()
    FIGURES.record(
        "provisioning FAILED",
        provisioning_failures_injected=1,
        provisioning_failures_recovered=1,
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
    )


def test_slow_provisioning_times_out_then_is_adopted(
    start_emulator: Callable[..., EmulatorServer], fleet_factory: Callable[..., Fleet]
) -> None:
    emulator = start_emulator(**{**REALISTIC_DELAYS, "provisioning_delay": 3600})
    fleet = fleet_factory(emulator, ["slow"], operation_timeout=6).init()

    timed_out = fleet.up(expect=None)
    assert timed_out.returncode != 0 and "Timed out" in timed_out.output and "'slow'" in timed_out.output
    store_ids = set(STORE_ID.findall(timed_out.output))
    assert len(store_ids) == 1, timed_out.output[-3000:]  # the error names the untracked store
    stuck = store_ids.pop()
    assert audit(emulator, [fleet.ws]).orphans == [stuck]  # and it is the only thing left behind

    emulator.control.advance_clock(3600 * 1.5)  # Twilio finishes later (the delay has +/- 30 % jitter)
    wait_for(lambda: inventory(emulator).stores[stuck]["outcome"] == "ACTIVE", 10, "store ACTIVE")
    retry = fleet.up(expect=None)  # without adopt: refused, naming the store and how to adopt
    assert retry.returncode != 0 and stuck in retry.output and "adopt" in retry.output
    fleet.ws.config_set("tenant-onboarding:tenants", json.dumps([{"name": "slow", "adopt": True}]))
    fleet.up()
    result = fleet.assert_converged()
    assert result.tracked_stores == {"slow": stuck}
    FIGURES.record(
        "provisioning slower than operationTimeout",
        provisioning_timeouts_injected=1,
        provisioning_timeouts_recovered=1,
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
    )


def test_provisioning_that_never_finishes_is_named_then_replaced(
    emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    names = tenant_names(2, prefix="h")
    fleet = fleet_factory(emulator, names, operation_timeout=5).init()
    emulator.control.add_fault(action="hang_provisioning", times=1)

    hung = fleet.up(expect=None)
    assert hung.returncode != 0 and "Timed out" in hung.output and "PROVISIONING" in hung.output
    stuck = set(STORE_ID.findall("\n".join(ln for ln in hung.output.splitlines() if "Timed out" in ln)))
    assert len(stuck) == 1
    stuck_id = stuck.pop()
    assert audit(emulator, [fleet.ws]).orphans == [stuck_id]
    tenant = inventory(emulator).stores[stuck_id]["display_name"]

    # Documented recovery: delete the stuck store, run `pulumi up` again.
    with httpx.Client(base_url=emulator.base_url, auth=(emulator.api_key, emulator.api_secret)) as http:
        assert http.delete(f"/v1/ControlPlane/Stores/{stuck_id}").status_code == 202
    wait_for(lambda: stuck_id not in inventory(emulator).stores, 10, "stuck store deleted")
    fleet.up()
    result = fleet.assert_converged()
    assert result.tracked_stores[tenant] != stuck_id
    FIGURES.record(
        "provisioning never finishes",
        provisioning_hangs_injected=1,
        provisioning_hangs_recovered=1,
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
    )

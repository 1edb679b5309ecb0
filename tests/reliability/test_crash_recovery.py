"""A CI runner killed mid-apply: SIGKILL the whole `pulumi up` process group while stores are
provisioning, then follow the recovery procedure of docs/troubleshooting.md ("A CI job was killed
during `pulumi up`") and prove it converges with no duplicate and no orphan.

With the file backend, a killed update leaves (1) the stack lock, (2) pending CREATE operations in
the checkpoint and (3) stores that Twilio made but the state does not track. The procedure:
``pulumi cancel`` (drops the lock), ``pulumi refresh --clear-pending-creates`` (drops the pending
creates; `pulumi import`/``--import-pending-creates`` cannot adopt dynamic resources), ``pulumi up``
(creates what never reached Twilio and names every store that did), ``adopt: true`` on exactly
those tenants, ``pulumi up``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rel_support import (
    FIGURES,
    PROFILE,
    Fleet,
    audit,
    kill_group,
    secrets_of,
    tenant_names,
    wait_for,
)
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

STORES_POST = "POST /v1/ControlPlane/Stores"
GROUPS_POST = "POST /v1/ControlPlane/Stores/{storeId}/TraitGroups"
CONFIGS_POST = "POST /v2/ControlPlane/Configurations"
TAKEN_STORE = re.compile(r"A store named '([^']+)' already exists \((mem_store_[0-9a-z]+)")
TAKEN_GROUP = re.compile(r"A trait group named '([^']+)' already exists in store (mem_store_[0-9a-z]+)")
TAKEN_CONF = re.compile(r"A conversation configuration named '([^']+)' already exists")


@dataclass(frozen=True)
class CrashPoint:
    name: str
    route: str  # killed once the emulator has seen ...
    count: int  # ... this many requests on this route (-1: one per tenant)
    slow_route: str = ""  # requests on this route take 5 s, so the kill lands while they are in flight


CRASH_POINTS = [
    CrashPoint("every store provisioning", STORES_POST, -1),
    CrashPoint("first store posted", STORES_POST, 1),
    CrashPoint("trait group creates in flight", CONFIGS_POST, -1, slow_route=GROUPS_POST),
]


def _seen(emulator: EmulatorServer, route: str) -> int:
    return int(emulator.control.stats()["byRoute"].get(route, 0))


@pytest.mark.parametrize("point", CRASH_POINTS[: PROFILE.crash_points], ids=lambda p: p.name)
def test_sigkill_mid_apply_then_documented_recovery_converges(
    point: CrashPoint, slow_emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    tenants = tenant_names(3, prefix="c")
    fleet = fleet_factory(slow_emulator, tenants).init()
    if point.slow_route:
        method, route = point.slow_route.split(" ", 1)
        slow_emulator.control.add_fault(action="latency", method=method, route=route, latency=5)
    process = fleet.start_up()
    wanted = len(tenants) if point.count < 0 else point.count
    wait_for(lambda: _seen(slow_emulator, point.route) >= wanted, 120, f"{wanted} x {point.route}")
    killed_output = kill_group(process)
    if point.slow_route:  # let the requests the dead client left in flight land
        wait_for(lambda: _seen(slow_emulator, point.slow_route) >= len(tenants), 30, "in-flight requests")

    before = audit(slow_emulator, [fleet.ws])
    assert before.pending_operations > 0, "the kill came too late: nothing was pending"

    # 1. The killed run still holds the stack lock.
    locked = fleet.up(expect=None)
    assert locked.returncode != 0 and "pulumi cancel" in locked.output
    fleet.ws.run("cancel", "--yes")
    # 2. Drop the interrupted creates from the checkpoint.
    fleet.ws.refresh("--clear-pending-creates")
    left = audit(slow_emulator, [fleet.ws])  # requests in flight at the kill have landed by now
    assert left.pending_operations == 0
    # 3. `pulumi up --continue-on-error` creates what never reached Twilio and names everything
    # that did (without the flag the engine stops at the first failure, and which creates had
    # started by then depends on timing: a pool's second host starts later than the default one).
    first = fleet.up("--continue-on-error", expect=None)
    taken = dict(TAKEN_STORE.findall(first.output))  # display name -> store id
    stores = set(taken.values())
    groups = {f"{store_id}/{group}" for group, store_id in TAKEN_GROUP.findall(first.output)}
    confs = set(TAKEN_CONF.findall(first.output))
    # Everything Twilio made before the kill is named, so nothing is silently left behind.
    assert stores | groups == {o for o in left.orphans if o.startswith("mem_store_")}
    # Configurations need no adoption: the create replays its Idempotency-Key, reclaiming its own.
    named = {t for t in tenants if t in confs or t in taken}
    tracked = {v: k for k, v in audit(slow_emulator, [fleet.ws]).tracked_stores.items()}
    named |= {tracked[g.split("/")[0]] for g in groups}
    if first.returncode != 0:
        assert named, first.describe()
        # 4. adopt exactly those tenants, then converge.
        entries = [{"name": t, **({"adopt": True} if t in named else {})} for t in tenants]
        fleet.ws.config_set("tenant-onboarding:tenants", json.dumps(entries))
        fleet.up()
    result = fleet.assert_converged()
    for secret in secrets_of(slow_emulator):
        assert all(secret not in text for text in (killed_output, *fleet.ws.captured_text()))
    FIGURES.record(
        f"crash: SIGKILL at '{point.name}'",
        crashes=1,
        crashes_recovered=1,
        pending_operations_left_by_kill=before.pending_operations,
        tenants_adopted_after_kill=len(named),
        orphans_left_by_kill=len(left.orphans),
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
    )

"""Races: two pipelines, two working copies, and a colleague in the Console, against the same stores.

What must hold: one side wins, the other gets our conflict message (or Pulumi's stack lock), and
nothing is overwritten silently; afterwards every store is tracked by exactly one stack.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import httpx
import pytest
from rel_support import FIGURES, PROFILE, Fleet, audit, inventory, tenant_names
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

TAKEN = "already exists"
NOT_MANAGED = "no resource of this stack created it"
CHANGED_ELSEWHERE = "changed outside Pulumi"


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=300)
    return process.returncode, output or ""


def _tenants(names: list[str], description: str) -> list[dict[str, str]]:
    return [{"name": n, "description": f"{n} {description}"} for n in names]


@pytest.mark.parametrize("round_", range(PROFILE.race_rounds))
def test_two_pipelines_race_for_the_same_store_names(
    round_: int, emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    """Two stacks (own backends, e.g. two CI pipelines) onboard the same tenants at once."""
    names = tenant_names(3, prefix=f"r{round_}x")
    a = fleet_factory(emulator, names, stack="pipeline-a").init()
    b = fleet_factory(emulator, names, stack="pipeline-b").init()
    a.ws.config_set("tenant-onboarding:tenants", json.dumps(_tenants(names, "from A")))
    b.ws.config_set("tenant-onboarding:tenants", json.dumps(_tenants(names, "from B")))
    # Widen the window between "is the name free?" and the POST, so the two really interleave.
    emulator.control.add_fault(action="latency", method="GET", route="/v1/ControlPlane/Stores", latency=0.3)
    procs = [a.start_up(), b.start_up()]
    (code_a, out_a), (code_b, out_b) = (_finish(p) for p in procs)
    emulator.control.clear_faults()

    result = audit(emulator, [a.ws, b.ws])
    assert result.clean, result.describe()  # every live store tracked by exactly one stack
    live = {s["display_name"]: sid for sid, s in inventory(emulator).stores.items()}
    assert set(live) == set(names)
    wins_a = {n for n in names if n in {r["outputs"]["display_name"] for r in _stores(a)}}
    wins_b = {n for n in names if n in {r["outputs"]["display_name"] for r in _stores(b)}}
    assert wins_a.isdisjoint(wins_b) and wins_a | wins_b == set(names), (wins_a, wins_b)
    for loser_output, code, lost in (
        (out_a, code_a, set(names) - wins_a),
        (out_b, code_b, set(names) - wins_b),
    ):
        for name in lost:  # the loser was told, by name
            assert (
                code != 0
                and f"A store named '{name}' {TAKEN}" in loser_output
                and NOT_MANAGED in loser_output
            )
    with emulator.http() as http:  # and its description did not land on the winner's store
        for name, store_id in live.items():
            winner = "A" if name in wins_a else "B"
            assert (
                http.get(f"/v1/ControlPlane/Stores/{store_id}").json()["description"]
                == f"{name} from {winner}"
            )
    # The loser's next run fails the same way: it never adopts on its own.
    loser = a if wins_b else b
    again = loser.up(expect=None)
    if set(names) - (wins_a if loser is a else wins_b):
        assert again.returncode != 0 and NOT_MANAGED in again.output
    FIGURES.record(
        f"race: two pipelines, round {round_}",
        race_conflicts_reported=len(set(names) - wins_a) + len(set(names) - wins_b),
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
        silent_overwrites=0,
    )


def _stores(fleet: Fleet) -> list[dict[str, object]]:
    return [r for r in fleet.ws.resources() if r["type"].endswith(":Store")]


def test_same_stack_from_two_working_copies(
    emulator: EmulatorServer, fleet_factory: Callable[..., Fleet], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two checkouts of one stack (shared backend) run `pulumi up` at once: the stack lock lets
    one through; the other is told, and its retry finds nothing left to do."""
    shared = tmp_path_factory.mktemp("shared-backend")
    names = tenant_names(3, prefix="w")
    first = fleet_factory(emulator, names, backend_root=shared).init()
    second = fleet_factory(emulator, names, backend_root=shared).init(select=True)
    procs = [first.start_up(), second.start_up()]
    results = [_finish(p) for p in procs]
    refused = [out for code, out in results if code != 0]
    # At most one gets through; the other is refused by the lock (or finds the stores taken).
    # Both can be refused: each saw the other's lock file appear at the same moment. Safe too.
    assert len(refused) >= 1, "two concurrent updates of one stack both ran"
    for output in refused:
        assert "currently locked" in output or NOT_MANAGED in output, output
    for fleet in (first, second):
        fleet.up()  # the loser's retry: converges, creating nothing twice
    result = first.assert_converged()
    second.ws.preview("--expect-no-changes")
    FIGURES.record(
        "race: one stack, two working copies",
        race_conflicts_reported=len(refused),
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
    )


def test_out_of_band_writer_and_a_second_stack_never_get_overwritten_silently(
    emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    """A colleague edits a store in the Console; another stack adopts and edits it too. Every
    stale write is refused with our message (If-Match / 412) and the live value stays theirs."""
    a = fleet_factory(emulator, ["oob"], stack="owner").init()
    a.ws.config_set("tenant-onboarding:tenants", json.dumps(_tenants(["oob"], "v1")))
    a.up()
    store_id = a.ws.outputs()["storeIds"]["oob"]
    http = emulator.http()  # the colleague, through the API
    url = f"/v1/ControlPlane/Stores/{store_id}"

    def description() -> str:
        return str(http.get(url).json()["description"])

    # 1. The Console edit lands between Pulumi's last read and its update.
    console = http.patch(url, json={"description": "edited in the Console"})
    assert console.status_code == 202
    http.get(console.json()["statusUrl"])
    a.ws.config_set("tenant-onboarding:tenants", json.dumps(_tenants(["oob"], "v2")))
    refused = a.up(expect=None)
    assert refused.returncode != 0 and CHANGED_ELSEWHERE in refused.output and store_id in refused.output
    assert description() == "edited in the Console"
    # Reviewed: refresh, then the program's value is applied on purpose.
    a.ws.refresh()
    a.up()
    assert description() == "oob v2"

    # 2. A second stack adopts the store (explicitly) and changes it; the owner's stale update is refused.
    b = fleet_factory(emulator, ["oob"], stack="adopter").init()
    b.ws.config_set(
        "tenant-onboarding:tenants", json.dumps([{"name": "oob", "description": "oob by B", "adopt": True}])
    )
    b.up()
    assert description() == "oob by B"
    a.ws.config_set("tenant-onboarding:tenants", json.dumps(_tenants(["oob"], "v3")))
    stale = a.up(expect=None)
    assert stale.returncode != 0 and CHANGED_ELSEWHERE in stale.output
    assert description() == "oob by B"
    # 3. Without adopt, a second stack is refused outright.
    c = fleet_factory(emulator, ["oob"], stack="intruder").init()
    intruder = c.up(expect=None)
    assert intruder.returncode != 0 and NOT_MANAGED in intruder.output and "adopt" in intruder.output
    assert description() == "oob by B"
    assert len(inventory(emulator).stores) == 1
    FIGURES.record(
        "race: out-of-band writer and adopting stack",
        race_conflicts_reported=3,
        silent_overwrites=0,
        duplicates=0,
    )
    http.close()


def test_a_colleague_deletes_a_store_mid_run(
    emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    """Deleted in the Console: refresh notices, the next up re-creates it; no ghost in state."""
    fleet = fleet_factory(emulator, ["gone", "kept"]).init()
    fleet.up()
    store_id = fleet.ws.outputs()["storeIds"]["gone"]
    with httpx.Client(base_url=emulator.base_url, auth=(emulator.api_key, emulator.api_secret)) as http:
        assert http.delete(f"/v1/ControlPlane/Stores/{store_id}").status_code == 202
    fleet.ws.preview("--refresh", "--expect-no-changes", expect=None)
    fleet.ws.refresh()
    fleet.up()
    result = fleet.assert_converged()
    assert result.tracked_stores["gone"] != store_id

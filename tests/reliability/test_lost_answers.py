"""The lost-answer matrix: every create and write route x every way an answer gets lost, under the
real CLI, at realistic delays (provisioning 1 s, operations 0.5 s, +/- 30 %).

A lost answer is the case crash safety exists for: the API applied the write (or did not), and
the provider cannot tell which. With non-zero delays the resource is still *pending* when the
provider looks again, and that is where the bugs were ("being created by operation ...", a 412
from the ETag our own first attempt moved on, a demand for ``adopt=True`` for a store this stack
created).

For each fault kind, one stack: ``pulumi up`` creates one of each resource with a fault on every
create route, then an input change of every resource goes through with a fault on every write
route (one lost answer per route in the quick profile, two in a row in the full one). Each must
succeed in one ``pulumi up``, with no duplicate, no orphan and no false "changed outside Pulumi",
and the next ``preview --refresh --expect-no-changes`` finds no drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from e2e_api import Account
from e2e_harness import PulumiCLI
from e2e_lifecycle import INITIAL, Lifecycle, converged, lifecycle_workspace
from rel_support import FIGURES, PROFILE
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

V1, V2 = "/v1/ControlPlane", "/v2/ControlPlane"
IRS = f"PUT {V1}/Stores/{{storeId}}/IdentityResolutionSettings"
#: Routes whose answer a create of each resource can lose (identity resolution is taken over by PUT).
CREATE_ROUTES = [
    f"POST {V1}/Stores",
    f"POST {V1}/Stores/{{storeId}}/TraitGroups",
    IRS,
    f"POST {V2}/Configurations",
]
#: Routes whose answer an in-place update of each resource can lose.
UPDATE_ROUTES = [
    f"PATCH {V1}/Stores/{{storeId}}",
    f"PATCH {V1}/Stores/{{storeId}}/TraitGroups/{{traitGroupName}}",
    IRS,
    f"PATCH {V2}/Configurations/{{id}}",
]


@dataclass(frozen=True)
class Fault:
    name: str
    spec: dict[str, Any]


FAULTS = [
    Fault("connection dropped after applying", {"action": "drop", "phase": "after"}),
    Fault("500 after applying", {"action": "error", "status": 500, "phase": "after"}),
    Fault("503 before applying", {"action": "error", "status": 503, "phase": "before"}),
]


def _inject(emulator: EmulatorServer, fault: Fault, routes: list[str]) -> None:
    for route in routes:
        method, template = route.split(" ", 1)
        emulator.control.add_fault(**fault.spec, method=method, route=template, times=PROFILE.lost_per_route)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_one_lost_answer_per_route_and_one_up_converges(
    fault: Fault,
    pulumi_cli: PulumiCLI,
    start_emulator: Callable[..., EmulatorServer],
    tmp_path: Path,
) -> None:
    emulator = start_emulator(**{**REALISTIC_DELAYS, "operation_delay": 0.5})
    ws = lifecycle_workspace(pulumi_cli, emulator, tmp_path)
    with emulator.http(settle=True) as http:
        stack = Lifecycle(ws, Account(http), dict(INITIAL))
        stack.apply()

        _inject(emulator, fault, CREATE_ROUTES)
        ws.up()
        created = converged(stack)
        groups = stack.api.trait_groups(created["store"])
        assert set(groups) == {"Contact", "Loyalty"}, groups  # the seeded one and ours: no duplicate

        _inject(emulator, fault, UPDATE_ROUTES)
        stack.apply(
            storeDescription="Changed under a lost answer",
            groupDescription="Loyalty, changed under a lost answer",
            matchingRules=["email", "phone"],
            conversationDescription="Changed under a lost answer",
        )
        ws.up()
        assert converged(stack) == created  # updated in place: the same resources

        rules = emulator.control.faults()
        assert len(rules) == len(CREATE_ROUTES) + len(UPDATE_ROUTES)
        assert all(rule["hits"] == PROFILE.lost_per_route for rule in rules), rules  # each route lost them
        FIGURES.record(
            f"lost answers: {fault.name}",
            routes=len(rules),
            lost_answers_survived=sum(rule["hits"] for rule in rules),
            duplicates=0,
            orphans=0,
        )
        ws.destroy()
        assert stack.api.stores() == {} and stack.api.configurations() == {}

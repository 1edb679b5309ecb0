"""Transient faults during `pulumi up` of several tenants: 429 with Retry-After, 500/503 and
dropped connections, some on every route (next-N rules), some on a fraction of requests.

What a user must see: the run succeeds, every tenant exists exactly once and is tracked, the
retries are visible in the output (without a credential), and a second run changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rel_support import (
    FIGURES,
    PROFILE,
    Fleet,
    diagnostics,
    fault_hits,
    retry_lines,
    secrets_of,
    tenant_names,
)
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

V1 = "/v1/ControlPlane"
V2 = "/v2/ControlPlane"
#: Reads the tenant program makes; every one of them fails its first requests.
READ_ROUTES = [
    f"{V1}/Stores",
    f"{V1}/Stores/{{storeId}}",
    f"{V1}/Stores/{{storeId}}/TraitGroups",
    f"{V1}/Stores/{{storeId}}/TraitGroups/{{traitGroupName}}",
    f"{V1}/Stores/{{storeId}}/IdentityResolutionSettings",
    f"{V1}/Operations/{{operationId}}",
    f"{V2}/Configurations/{{id}}",
    f"{V2}/Operations/{{id}}",
]


def first_requests_fail(emulator: EmulatorServer) -> None:
    """Deterministic: the first requests of every route the program uses fail, in every way that
    a retry (or, for a Memory create, a look-up by name) must absorb."""
    add = emulator.control.add_fault
    for route in READ_ROUTES:
        add(action="error", method="GET", route=route, status=429, retry_after=PROFILE.retry_after, times=1)
        add(action="error", method="GET", route=route, status=500, times=1)
        add(action="drop", method="GET", route=route, times=1)
    # A store create: throttled, then a 503 (not applied), then applied with the answer lost.
    stores = f"{V1}/Stores"
    add(action="error", method="POST", route=stores, status=429, retry_after=PROFILE.retry_after, times=1)
    add(action="error", method="POST", route=stores, status=503, times=1)
    add(action="drop", method="POST", route=stores, phase="after", times=1)
    # A trait group create: throttled, then applied with the answer lost.
    groups = f"{V1}/Stores/{{storeId}}/TraitGroups"
    add(action="error", method="POST", route=groups, status=429, retry_after=PROFILE.retry_after, times=1)
    add(action="drop", method="POST", route=groups, phase="after", times=1)
    # A configuration create carries an Idempotency-Key: 503, then applied with the answer lost.
    configs = f"{V2}/Configurations"
    add(action="error", method="POST", route=configs, status=503, times=1)
    add(action="drop", method="POST", route=configs, phase="after", times=1)


def a_fraction_fails(emulator: EmulatorServer, rate: float) -> None:
    """Probabilistic: ``rate`` of all reads fail (429, 500, 503 or dropped) and ``rate / 2`` of all
    creates are throttled."""
    add = emulator.control.add_fault
    add(action="error", method="GET", status=429, retry_after=PROFILE.retry_after, probability=rate / 2)
    add(action="error", method="GET", status=503, probability=rate / 6)
    add(action="error", method="GET", status=500, probability=rate / 6)
    add(action="drop", method="GET", probability=rate / 6)
    add(action="error", method="POST", status=429, retry_after=PROFILE.retry_after, probability=rate / 2)


def test_up_of_a_fleet_survives_throttling_5xx_and_dropped_connections(
    emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    fleet = fleet_factory(emulator, tenant_names(PROFILE.tenants)).init()
    first_requests_fail(emulator)
    a_fraction_fails(emulator, PROFILE.fault_rate)

    runs = fleet.converge(attempts=1 if PROFILE.name == "quick" else 2)

    hits = fault_hits(emulator)
    stats = emulator.control.stats()
    result = fleet.assert_converged()
    output = "\n".join(run.output for run in runs)
    retries = retry_lines(output)
    # Every injected 429 was retried (the client retries a 429 on any call) and said so, except
    # the last one of a request that ran out of attempts, which is that resource's error instead.
    throttled = sum(1 for line in retries if "(HTTP 429)" in line)
    gave_up = sum(1 for line in diagnostics(output) if line.startswith("error:") and "(HTTP 429" in line)
    assert throttled + gave_up == hits.get("429", 0), (throttled, gave_up, hits)
    assert len(retries) >= sum(hits.get(k, 0) for k in ("429", "500")), (len(retries), hits)
    for secret in secrets_of(emulator):
        assert secret not in output
    FIGURES.record(
        "transient faults: pulumi up of a fleet",
        tenants=len(fleet.tenants),
        requests=stats["total"],
        faults_injected=sum(hits.values()),
        faults_survived=sum(hits.values()) if runs[-1].returncode == 0 else 0,
        up_runs_needed=len(runs),
        retries_logged=len(retries),
        first_run_succeeded=runs[0].returncode == 0,
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
        **{f"faults_{kind}": n for kind, n in sorted(hits.items())},
    )


def test_faults_while_updating_and_destroying_a_fleet(
    emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    """The same storm during an update (new trait, PATCH with If-Match) and a destroy."""
    fleet = fleet_factory(emulator, tenant_names(min(PROFILE.tenants, 3), prefix="u")).init()
    fleet.up()
    templates: dict[str, Any] = {
        "Preferences": {"traits": {"tier": {"dataType": "STRING"}, "language": {"dataType": "STRING"}}}
    }
    fleet.ws.config_set("tenant-onboarding:traitGroupTemplates", json.dumps(templates))
    a_fraction_fails(emulator, PROFILE.fault_rate)
    emulator.control.add_fault(action="error", method="PATCH", status=503, times=2)
    emulator.control.add_fault(action="error", method="DELETE", status=503, times=2)
    emulator.control.add_fault(action="drop", method="DELETE", times=2)

    update = fleet.converge(attempts=1 if PROFILE.name == "quick" else 2)
    injected = sum(fault_hits(emulator).values())
    fleet.assert_converged()  # (clears the fault rules)
    a_fraction_fails(emulator, PROFILE.fault_rate)
    emulator.control.add_fault(action="error", method="DELETE", status=503, times=2)
    destroy = fleet.ws.destroy()
    injected += sum(fault_hits(emulator).values())
    emulator.control.clear_faults()
    assert not fleet.ws.resources() or all(r["type"].startswith("pulumi:") for r in fleet.ws.resources())
    left = emulator.control.state()["accounts"].get(emulator.account_sid, {})
    assert not left.get("stores") and not left.get("configurations"), left
    FIGURES.record(
        "transient faults: update and destroy",
        faults_injected=injected,
        faults_survived=injected,
        up_runs_needed=len(update),
        orphans=0,
        duplicates=0,
    )
    assert destroy.returncode == 0


CREATE_ROUTES = [f"{V1}/Stores", f"{V1}/Stores/{{storeId}}/TraitGroups", f"{V2}/Configurations"]


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_one_unanswered_create_does_not_fail_the_run(
    fault: str, emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    """A 503 or a dropped connection (not applied) on the create of a store, of a trait group and
    of a configuration is absorbed in the same run: looked up by name, then POSTed again."""
    fleet = fleet_factory(emulator, ["one"]).init()
    spec: dict[str, Any] = {"action": "error", "status": 503} if fault == "503" else {"action": "drop"}
    for route in CREATE_ROUTES:
        emulator.control.add_fault(method="POST", route=route, times=1, **spec)
    run = fleet.up(expect=None)
    hits = fault_hits(emulator)
    assert sum(hits.values()) == len(CREATE_ROUTES), hits
    assert run.returncode == 0, run.describe()
    result = fleet.assert_converged()
    FIGURES.record(
        f"unanswered creates: {fault} on each create route",
        faults_injected=len(CREATE_ROUTES),
        faults_survived=len(CREATE_ROUTES),
        duplicates=len(result.duplicates),
        orphans=len(result.orphans),
    )


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(f"{V1}/Stores/{{storeId}}", id="store"),
        pytest.param(f"{V1}/Stores/{{storeId}}/TraitGroups/{{traitGroupName}}", id="trait-group"),
    ],
)
def test_an_update_whose_answer_was_lost_does_not_conflict_with_itself(
    route: str, emulator: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    """A conditional PATCH (If-Match) is applied but its answer is lost; the retry must not be
    refused as "changed outside Pulumi" because of the change it made itself."""
    fleet = fleet_factory(emulator, ["upd"]).init()
    fleet.up()
    fleet.ws.config_set("tenant-onboarding:tenants", json.dumps([{"name": "upd", "description": "v2"}]))
    templates = {"Preferences": {"traits": {"tier": {"dataType": "STRING"}, "extra": {"dataType": "NUMBER"}}}}
    fleet.ws.config_set("tenant-onboarding:traitGroupTemplates", json.dumps(templates))
    emulator.control.add_fault(action="drop", method="PATCH", route=route, phase="after", times=1)
    run = fleet.up(expect=None)
    assert sum(fault_hits(emulator).values()) == 1
    assert run.returncode == 0, run.describe()
    fleet.assert_converged()
    FIGURES.record(f"lost answer to a conditional PATCH ({route})", faults_injected=1, faults_survived=1)

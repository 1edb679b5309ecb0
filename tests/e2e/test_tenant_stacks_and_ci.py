"""The tenant-onboarding program across both stacks, its preview-time refusals, and the per-tenant
CI command (``python -m pulumi_twilio_memory.onboard``), with the real CLI.

(``test_tenant_onboarding.py`` walks the dev stack through an operator's week; this file covers
what differs per environment, what preview refuses, and stack-per-tenant onboarding.)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from e2e_api import Account
from e2e_harness import REPO_ROOT, Workspace, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

ROOT_PROGRAM = ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "__main__.py"]
DEV = {"acme", "globex", "initech"}
PROD = {"acme", "globex", "initech", "umbrella"}


@pytest.fixture
def workspace(pulumi_workspace: Callable[..., Workspace], emulator: EmulatorServer) -> Workspace:
    env = twilio_env(emulator.base_url, api_key=emulator.api_key, api_secret=emulator.api_secret)
    return pulumi_workspace(REPO_ROOT, env=env, names=ROOT_PROGRAM)


def select(ws: Workspace, stack: str) -> None:
    ws.run("stack", "select", "--create", stack)
    ws.stack = stack


def by_display_name(account: Account) -> dict[str, dict[str, Any]]:
    return {store["displayName"]: store for store in account.stores().values()}


def test_dev_and_prod_share_an_account_with_their_own_names_channels_and_timeouts(
    workspace: Workspace, account: Account
) -> None:
    outputs: dict[str, dict[str, Any]] = {}
    for stack in ("dev", "prod"):
        select(workspace, stack)
        workspace.up()
        outputs[stack] = workspace.outputs()
        assert set(outputs[stack]["storeIds"]) == (DEV if stack == "dev" else PROD)

    stores = by_display_name(account)
    assert set(stores) == {f"dev-{t}" for t in DEV} | PROD
    assert outputs["dev"]["storeIds"]["acme"] == stores["dev-acme"]["id"]
    assert outputs["prod"]["storeIds"]["acme"] == stores["acme"]["id"]

    configs = {c["displayName"]: c for c in account.configurations().values()}
    assert set(configs["dev-globex"]["channelSettings"]) == {"CHAT"}
    assert configs["dev-globex"]["channelSettings"]["CHAT"]["statusTimeouts"] == {"inactive": 5, "closed": 30}
    assert set(configs["globex"]["channelSettings"]) == {"SMS", "WHATSAPP", "VOICE", "CHAT"}
    assert configs["globex"]["conversationGroupingType"] == "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE"
    assert configs["globex"]["memoryStoreId"] == stores["globex"]["id"]
    assert configs["globex"]["memoryExtractionEnabled"] is True
    assert set(configs["umbrella"]["channelSettings"]) == {"SMS", "VOICE"}  # the tenant's own channels
    assert "dev-initech" not in configs and outputs["dev"]["configurationIds"]["initech"] is None
    groups = account.trait_groups(stores["acme"]["id"])
    assert {"Preferences", "Orders", "Warranty"} <= set(groups)
    assert "seatCount" in account.trait_group(stores["acme"]["id"], "Preferences")["traits"]
    rules = account.identity_resolution(stores["initech"]["id"])
    assert rules is not None and rules["matchingRules"] == ["email", "phone"]

    for stack in ("dev", "prod"):
        select(workspace, stack)
        workspace.preview("--refresh", "--expect-no-changes")
        workspace.destroy()
    assert account.stores() == {} and account.configurations() == {}


def test_preview_makes_no_api_call_and_refuses_a_broken_tenant_list(
    workspace: Workspace, emulator: EmulatorServer
) -> None:
    select(workspace, "dev")
    emulator.control.reset_stats()
    planned = workspace.preview()
    assert "+ 17 to create" in planned.output
    assert emulator.control.stats()["total"] == 0  # TenantMemory does no I/O; preview is offline

    stack_file = workspace.project_dir / "Pulumi.dev.yaml"
    document = yaml.safe_load(stack_file.read_text())
    tenants = document["config"]["tenant-onboarding:tenants"]
    tenants += [{"name": "hooli"}, {"name": "pied-piper"}, {"name": "acme"}]  # 6 > maxStores 5, acme twice
    stack_file.write_text(yaml.safe_dump(document))

    failed = workspace.fails("preview")

    assert "Configuration of stack 'dev' has 2 problems:" in failed.output
    assert "6 tenants need 6 memory stores, but this stack may use at most 5" in failed.output
    assert "tenants[5]: name 'acme' is already used by tenants[0]" in failed.output
    assert "Traceback" not in failed.output  # one clear message, not a stack trace
    assert emulator.control.stats()["total"] == 0  # nothing reached the API


def onboard(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pulumi_twilio_memory.onboard`` as CI runs it, in the workspace's environment."""
    return ws.run_program(sys.executable, "-m", "pulumi_twilio_memory.onboard", *args)


def test_stack_per_tenant_onboarding_from_ci(workspace: Workspace, account: Account) -> None:
    tenant = ["--tenant", "globex", "--env", "prod"]
    up = onboard(workspace, *tenant, "--up")
    assert up.returncode == 0, up.stdout + up.stderr
    assert "tenant 'globex' (store 'globex')" in up.stdout
    assert "+ 7 created" in up.stdout  # pulumi's own output, streamed through
    store = by_display_name(account)["globex"]
    assert set(account.trait_groups(store["id"])) >= {"Preferences", "Orders"}

    check = onboard(workspace, *tenant, "--preview", "--refresh", "--expect-no-changes")
    assert check.returncode == 0, check.stdout + check.stderr

    (config_id,) = [c["id"] for c in account.configurations().values() if c["displayName"] == "globex"]
    account.patch_configuration(config_id, memoryExtractionEnabled=False)
    drift = onboard(workspace, *tenant, "--preview", "--refresh", "--expect-no-changes")
    assert drift.returncode == 3, drift.stdout + drift.stderr
    assert "changes found where none were expected: update 1" in drift.stderr

    fixed = onboard(workspace, *tenant, "--up", "--refresh")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert account.configuration(config_id)["memoryExtractionEnabled"] is True

    unknown = onboard(workspace, "--tenant", "nobody", "--env", "prod")
    assert unknown.returncode == 2 and "tenant 'nobody' is not defined" in unknown.stderr

    gone = onboard(workspace, *tenant, "--destroy", "--remove-stack")
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert account.stores() == {}
    assert "globex-prod" not in workspace.run("stack", "ls", "--all").stdout


def test_committed_stack_files_carry_no_encryption_salt() -> None:
    # The suite runs copies, so `pulumi stack init` never writes into the repository's files.
    for name in ("Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        assert "encryptionsalt" not in (REPO_ROOT / name).read_text()

"""Every program under ``examples/`` runs, with the real CLI, the way its README says to run it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_api import STORES, Account
from e2e_harness import REPO_ROOT, Workspace, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

EXAMPLES = REPO_ROOT / "examples"


@pytest.fixture
def example(
    pulumi_workspace: Callable[..., Workspace], emulator: EmulatorServer
) -> Callable[[str], Workspace]:
    """A workspace for ``examples/<name>`` with the emulator's API key in the environment."""

    def make(name: str) -> Workspace:
        env = twilio_env(emulator.base_url, api_key=emulator.api_key, api_secret=emulator.api_secret)
        ws = pulumi_workspace(EXAMPLES / name, env=env)
        ws.init_stack("dev")
        return ws

    return make


def test_every_example_has_a_program_a_project_and_a_readme_section() -> None:
    readme = (EXAMPLES / "README.md").read_text()
    examples = sorted(p.parent.name for p in EXAMPLES.glob("*/Pulumi.yaml"))
    assert examples == [
        "adopt-existing-store",
        "agent-offline",
        "ci-drift-check",
        "multi-account",
        "one-tenant",
        "single-store",
    ]
    for name in examples:
        assert (EXAMPLES / name / "__main__.py").is_file()
        assert f"## `{name}`" in readme


def test_single_store(example: Callable[[str], Workspace], account: Account) -> None:
    ws = example("single-store")
    ws.up()
    store_id = ws.outputs()["storeId"]
    assert account.store(store_id)["displayName"] == "example-support"
    assert ws.outputs()["status"] == "ACTIVE"
    ws.preview("--refresh", "--expect-no-changes")
    ws.destroy()
    assert account.store(store_id) is None


def test_one_tenant_in_one_line(example: Callable[[str], Workspace], account: Account) -> None:
    ws = example("one-tenant")
    ws.up()
    out = ws.outputs()
    assert account.store(out["storeId"])["displayName"] == "example-acme"
    config = account.configuration(out["configurationId"])
    assert config["memoryStoreId"] == out["storeId"]
    assert config["conversationGroupingType"] == "GROUP_BY_PARTICIPANT_ADDRESSES"
    rules = account.identity_resolution(out["storeId"])
    assert rules is not None and rules["matchingRules"] == ["email", "whatsapp", "phone"]
    ws.preview("--refresh", "--expect-no-changes")
    ws.destroy()
    assert account.stores() == {} and account.configurations() == {}


def create_store_outside_pulumi(account: Account, display_name: str) -> str:
    """What a colleague did in the Console before Pulumi: POST a store, wait for its operation."""
    account._write("POST", STORES, {"displayName": display_name, "description": "Console made"})
    (store_id,) = [s["id"] for s in account.stores().values() if s["displayName"] == display_name]
    return store_id


def test_adopt_existing_store(example: Callable[[str], Workspace], account: Account) -> None:
    existing = create_store_outside_pulumi(account, "legacy-support")
    ws = example("adopt-existing-store")
    ws.up()
    assert ws.outputs()["storeId"] == existing  # taken over, not a second store
    assert account.store(existing)["description"] == "Support memory, managed by Pulumi since adoption"
    assert len(account.stores()) == 1
    ws.preview("--refresh", "--expect-no-changes")

    refused = ws.destroy(expect=None)  # protected: an adopted store holds production data
    assert refused.returncode != 0 and "protected" in refused.output
    assert account.store(existing) is not None
    ws.config_set("protect", "false")
    ws.up()
    ws.destroy()
    assert account.store(existing) is None


ACCOUNT_A = "AC11111111111111111111111111111111"
ACCOUNT_B = "AC22222222222222222222222222222222"
TOKEN = "multi-account-e2e-token"


def test_multi_account_layout(
    pulumi_workspace: Callable[..., Workspace], start_emulator: Callable[..., EmulatorServer]
) -> None:
    emu = start_emulator(
        account=[f"{ACCOUNT_A}:{TOKEN}", f"{ACCOUNT_B}:{TOKEN}"], provisioning_delay=0, operation_delay=0
    )
    # The account SID comes from each stack's config; the token from the job's environment.
    ws = pulumi_workspace(EXAMPLES / "multi-account", env=twilio_env(emu.base_url, auth_token=TOKEN))
    counts = {}
    for stack, sid in (("account-a", ACCOUNT_A), ("account-b", ACCOUNT_B)):
        ws.run("stack", "select", "--create", stack)
        ws.up()
        with emu.http(auth=(sid, TOKEN)) as http:
            counts[stack] = len(Account(http).stores())
        assert set(ws.outputs()["storeIds"]) == set(_tenants(stack))
    assert counts == {"account-a": 15, "account-b": 3}

    # A 16th tenant in account A is refused at preview, before any API call.
    ws.run("stack", "select", "account-a")
    stack_file = ws.project_dir / "Pulumi.account-a.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["multi-account:tenants"].append({"name": "sixteenth"})
    stack_file.write_text(yaml.safe_dump(document))
    failed = ws.fails("preview")
    assert "16 tenants need 16 memory stores, but this stack may use at most 15" in failed.output

    stack_file.write_text(
        yaml.safe_dump(yaml.safe_load((EXAMPLES / "multi-account" / stack_file.name).read_text()))
    )
    for stack in ("account-a", "account-b"):
        ws.run("stack", "select", stack)
        ws.destroy()


def _tenants(stack: str) -> list[str]:
    document = yaml.safe_load((EXAMPLES / "multi-account" / f"Pulumi.{stack}.yaml").read_text())
    return [t["name"] for t in document["config"]["multi-account:tenants"]]


def test_ci_drift_check_recipe(example: Callable[[str], Workspace], account: Account) -> None:
    ws = example("ci-drift-check")
    ws.up()
    store_id = ws.outputs()["storeId"]

    def drift_check() -> subprocess.CompletedProcess[str]:
        return ws.run_program("./drift-check.sh", "dev")

    clean = drift_check()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "matches the live resources" in clean.stdout

    # Someone deletes a trait in the Console.
    account.patch_trait_group(store_id, "Preferences", traits={"marketingOptIn": {"dataType": ""}})
    drifted = drift_check()
    assert drifted.returncode != 0
    assert "does NOT match" in drifted.stderr and "marketingOptIn" in drifted.stdout

    ws.up("--refresh")
    assert "marketingOptIn" in account.trait_group(store_id, "Preferences")["traits"]
    assert drift_check().returncode == 0
    ws.destroy()


def test_ci_workflow_runs_the_documented_commands() -> None:
    workflow = yaml.safe_load((EXAMPLES / "ci-drift-check" / "github-actions.yml").read_text())
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("./drift-check.sh" in run for run in steps)
    assert any("pulumi_twilio_memory.onboard" in run and "--expect-no-changes" in run for run in steps)
    assert os.access(EXAMPLES / "ci-drift-check" / "drift-check.sh", os.X_OK)
    # no credential in the workflow: only references to the CI secret store
    text = (EXAMPLES / "ci-drift-check" / "github-actions.yml").read_text()
    assert "secrets.TWILIO_API_SECRET" in text and "AC0000" not in text


def test_agent_offline(example: Callable[[str], Workspace], account: Account) -> None:
    """The tenant by ``pulumi up``, then the agent's two calls per variant (httpx, the SDK), as its
    README runs them; what they wrote is read back with plain httpx from the data plane."""
    ws = example("agent-offline")
    ws.up()
    store_id = ws.outputs()["storeId"]
    assert account.store(store_id)["displayName"] == "example-agent"
    assert set(account.trait_group(store_id, "Caller")["traits"]) == {"preferredName", "calls"}
    assert account.identity_resolution(store_id)["matchingRules"] == ["phone", "email"]

    profiles = f"/v1/Stores/{store_id}/Profiles"

    def read(method: str, path: str, body: Any = None) -> Any:
        response = account.http.request(method, f"{profiles}{path}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    # The README's way for httpx (the store id from `pulumi stack output`), an explicit one for the SDK.
    runs = {"httpx": ("+1 415 555 0100", []), "sdk": ("+1 212 555 0199", ["--store-id", store_id])}
    for client, (phone, extra) in runs.items():
        done = ws.run_program(sys.executable, "agent.py", "--client", client, "--phone", phone, *extra)
        assert done.returncode == 0, f"{client}: {done.stdout}\n{done.stderr}"
        first, second = done.stdout.split("\ncall 2 ")
        assert "new caller, created profile" in first and "recalled: nothing" in first
        assert "known caller, lookup found profile" in second
        assert "recalled: Sam's order 1234 arrived damaged; Sam asked for a refund" in second
        assert "agent: Welcome back, Sam!" in second

        (profile_id,) = read("POST", "/Lookup", {"idType": "phone", "value": phone})["profiles"]
        assert first.split("created profile ")[1].split()[0] == profile_id  # one caller, one profile
        profile = read("GET", f"/{profile_id}")
        assert profile["traits"]["Caller"] == {"preferredName": "Sam", "calls": 2}
        observations = [o["content"] for o in read("GET", f"/{profile_id}/Observations")["observations"]]
        assert len(observations) == 3 and "Sam was told the refund for order 1234 is approved" in observations
        assert len(read("GET", f"/{profile_id}/ConversationSummaries")["summaries"]) == 2
    assert len(read("GET", "")["profiles"]) == 2
    ws.destroy()
    assert account.store(store_id) is None


def test_agent_offline_runs_over_httpx_without_the_twilio_sdk(tmp_path: Path) -> None:
    """The SDK is not a dependency of the package: ``python agent.py`` (httpx) must not need it, and
    ``--client sdk`` says how to get it. The SDK is hidden by a module that fails to import."""
    hidden = tmp_path / "no-twilio" / "twilio"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ModuleNotFoundError('no twilio here', name='twilio')\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hidden.parent), os.environ.get("PYTHONPATH", "")]),
    }

    def agent(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(EXAMPLES / "agent-offline" / "agent.py"), *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)

    helped = agent("--help")
    assert helped.returncode == 0, helped.stderr
    sdk = agent("--client", "sdk", "--store-id", "mem_store_x")
    assert sdk.returncode != 0 and "pip install twilio" in sdk.stderr, sdk.stderr
    assert "Traceback" not in sdk.stderr

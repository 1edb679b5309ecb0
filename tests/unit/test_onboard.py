"""The per-tenant CI command: where tenants come from, what it sets on the stack, exit statuses.

The Pulumi stack is replaced by a fake with the Automation API's surface; the real CLI runs in the
e2e tier. The inline program itself runs under the mock runtime.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _tenant_mocks import mocked, run
from pulumi import automation as auto
from pulumi_twilio_memory import onboard
from pulumi_twilio_memory.hosts import engine_parallel

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class FakeResult:
    change_summary: dict[str, int]

    @property
    def summary(self) -> Any:
        return type("Summary", (), {"resource_changes": self.change_summary})()


@dataclass
class FakeWorkspace:
    removed: list[str] = field(default_factory=list)

    def remove_stack(self, name: str) -> None:
        self.removed.append(name)


@dataclass
class FakeStack:
    name: str
    project: str
    env_vars: Mapping[str, str]
    changes: dict[str, int] = field(default_factory=lambda: {"same": 5})
    fail: bool = False
    config: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    workspace: FakeWorkspace = field(default_factory=FakeWorkspace)

    def set_all_config(self, config: Mapping[str, auto.ConfigValue]) -> None:
        assert all(not v.secret for v in config.values())
        self.config.update({k: v.value for k, v in config.items()})

    def _op(self, op: str, kwargs: dict[str, Any]) -> FakeResult:
        self.calls.append((op, {k: v for k, v in kwargs.items() if k not in ("on_output", "on_error")}))
        kwargs["on_output"](f"pulumi {op} output line")
        if self.fail:
            raise auto.CommandError(auto.CommandResult(stdout="", stderr="boom", code=255))
        return FakeResult(self.changes)

    def preview(self, **kwargs: Any) -> FakeResult:
        return self._op("preview", kwargs)

    def up(self, **kwargs: Any) -> FakeResult:
        return self._op("up", kwargs)

    def destroy(self, **kwargs: Any) -> FakeResult:
        return self._op("destroy", kwargs)


@dataclass
class Harness:
    stacks: list[FakeStack] = field(default_factory=list)
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=lambda: {"same": 5})
    fail: bool = False

    def __call__(self, *argv: str) -> int:
        def factory(name: str, project: str, env_vars: Mapping[str, str]) -> FakeStack:
            stack = FakeStack(name, project, env_vars, changes=self.changes, fail=self.fail)
            self.stacks.append(stack)
            return stack

        args = [*argv]
        if "--project-dir" not in args and "--tenants-file" not in args:
            args += ["--project-dir", str(ROOT)]
        return onboard.main(args, stack_factory=factory, out=self.out.append, err=self.err.append)

    @property
    def stack(self) -> FakeStack:
        (stack,) = self.stacks
        return stack


@pytest.fixture
def cli() -> Harness:
    return Harness()


def test_preview_is_the_default_and_streams_output(cli: Harness) -> None:
    assert cli("--tenant", "acme", "--env", "prod") == onboard.EXIT_OK
    assert cli.stack.name == "acme-prod" and cli.stack.project == onboard.TENANT_PROJECT
    assert [op for op, _ in cli.stack.calls] == ["preview"]
    assert "pulumi preview output line" in cli.out
    assert cli.out[-1] == "==> preview: no changes"


def test_the_stack_gets_the_resolved_tenant_and_the_environments_provider_settings(cli: Harness) -> None:
    cli(
        "--tenant", "acme", "--env", "dev", "--config", "twilio-memory:operationTimeout=60", "--config", "x=1"
    )
    config = cli.stack.config
    tenant = json.loads(config["twilio-memory-tenant:tenant"])
    assert tenant["name"] == "acme" and tenant["display_name"] == "dev-acme"
    assert set(tenant["trait_groups"]) == {"Preferences", "Orders", "Warranty"}
    assert config["twilio-memory-tenant:environment"] == "dev"
    assert config["twilio-memory:operationTimeout"] == "60"  # --config wins over Pulumi.dev.yaml's 120
    assert config["twilio-memory-tenant:x"] == "1"
    # the provider host must find this interpreter (and so this package) first on PATH
    assert cli.stack.env_vars["PATH"].split(":")[0] == str(Path(sys.executable).parent)


def test_drift_with_expect_no_changes_exits_3(cli: Harness) -> None:
    cli.changes = {"same": 4, "update": 1}
    status = cli("--tenant", "acme", "--env", "prod", "--preview", "--refresh", "--expect-no-changes")
    assert status == onboard.EXIT_CHANGES
    parallel = engine_parallel(1)  # the engine may run every worker of the tenant's host at once
    assert cli.stack.calls == [("preview", {"refresh": True, "diff": True, "parallel": parallel})]
    assert "update 1" in cli.err[-1]


def test_no_drift_with_expect_no_changes_exits_0(cli: Harness) -> None:
    status = cli("--tenant", "acme", "--env", "prod", "--refresh", "--expect-no-changes")
    assert status == onboard.EXIT_OK


def test_up_applies(cli: Harness) -> None:
    cli.changes = {"create": 6}
    assert cli("--tenant", "globex", "--env", "prod", "--up") == onboard.EXIT_OK
    assert [op for op, _ in cli.stack.calls] == ["up"]
    assert cli.out[-1] == "==> done: create 6"


def test_up_with_expect_no_changes_applies_nothing_when_there_are_changes(cli: Harness) -> None:
    cli.changes = {"create": 6}
    assert cli("--tenant", "globex", "--env", "prod", "--up", "--expect-no-changes") == onboard.EXIT_CHANGES
    assert [op for op, _ in cli.stack.calls] == ["preview"]


def test_destroy_and_remove_stack(cli: Harness) -> None:
    assert cli("--tenant", "acme", "--env", "prod", "--destroy", "--remove-stack") == onboard.EXIT_OK
    assert [op for op, _ in cli.stack.calls] == ["destroy"]
    assert cli.stack.workspace.removed == ["acme-prod"]


def test_a_failed_pulumi_run_exits_1_without_repeating_its_output(cli: Harness) -> None:
    cli.fail = True
    assert cli("--tenant", "acme", "--env", "prod", "--up") == onboard.EXIT_FAILED
    assert cli.err == ["error: pulumi up failed for stack acme-prod (see the output above)"]


def test_an_unknown_tenant_exits_2_and_lists_the_known_ones(cli: Harness) -> None:
    assert cli("--tenant", "nobody", "--env", "prod") == onboard.EXIT_USAGE
    assert cli.stacks == []
    assert "tenant 'nobody' is not defined for 'prod'" in cli.err[0]
    assert "acme, globex, initech, umbrella" in cli.err[0]


def test_an_unknown_environment_exits_2(cli: Harness) -> None:
    assert cli("--tenant", "acme", "--env", "staging") == onboard.EXIT_USAGE
    assert "Pulumi.staging.yaml does not exist" in cli.err[0]


def test_a_document_that_breaks_the_account_refuses_even_a_valid_tenant(cli: Harness, tmp_path: Path) -> None:
    doc = {"tenants": [{"name": f"t{i}"} for i in range(16)]}
    path = tmp_path / "tenants.json"
    path.write_text(json.dumps(doc))
    assert cli("--tenant", "t1", "--env", "prod", "--tenants-file", str(path)) == onboard.EXIT_USAGE
    assert "16 tenants need 16 memory stores" in cli.err[0]
    assert cli.stacks == []


def test_a_tenants_file_replaces_the_stack_file(cli: Harness, tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text("namePrefix: ci-\ntenants:\n  - name: solo\n    conversation: false\n")
    assert cli("--tenant", "solo", "--env", "ci", "--tenants-file", str(path)) == onboard.EXIT_OK
    tenant = json.loads(cli.stack.config["twilio-memory-tenant:tenant"])
    assert tenant["display_name"] == "ci-solo" and tenant["conversation"] is False
    assert "twilio-memory:operationTimeout" not in cli.stack.config


def test_secret_provider_settings_are_not_copied(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: tenant-onboarding\nruntime: python\n")
    (tmp_path / "Pulumi.ci.yaml").write_text(
        "config:\n"
        "  twilio-memory:authToken: {secure: v1:abc}\n"
        "  twilio-memory:memoryBaseUrl: http://127.0.0.1:9\n"
        "  tenants: [{name: solo}]\n"  # a key without namespace belongs to the project
    )
    source = onboard.load_tenant_source(tmp_path, "ci", None)
    assert source.provider_config == {"twilio-memory:memoryBaseUrl": "http://127.0.0.1:9"}
    assert source.skipped_secrets == ("twilio-memory:authToken",)
    assert source.document == {"tenants": [{"name": "solo"}]}


def test_usage_errors(cli: Harness) -> None:
    assert cli("--tenant", "acme", "--env", "prod", "--preview", "--remove-stack") == onboard.EXIT_USAGE
    assert cli("--tenant", "acme", "--env", "prod", "--destroy", "--expect-no-changes") == onboard.EXIT_USAGE
    assert cli("--tenant", "acme", "--env", "prod", "--config", "novalue") == onboard.EXIT_USAGE
    with pytest.raises(SystemExit) as info:
        cli("--tenant", "acme", "--env", "prod", "--up", "--destroy")
    assert info.value.code == 2


def test_module_runs_with_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_twilio_memory.onboard", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--expect-no-changes" in done.stdout and "Exit status" in done.stdout


def test_the_built_in_program_deploys_the_tenant_in_its_config() -> None:
    tenant = {
        "name": "acme",
        "display_name": "prod-acme",
        "description": None,
        "trait_groups": {"Preferences": {"traits": {"tier": {"data_type": "STRING"}}}},
        "identity_resolution": None,
        "conversation": False,
        "adopt": False,
    }
    config = {f"{onboard.TENANT_PROJECT}:tenant": json.dumps(tenant)}
    with mocked(project=onboard.TENANT_PROJECT, stack="acme-prod", config=config) as rec:
        run(onboard.tenant_program)
    assert rec.one("Store", "acme").inputs["display_name"] == "prod-acme"
    assert rec.one("TraitGroup", "acme/Preferences").inputs["store_id"] == rec.one("Store", "acme").id
    assert rec.of_kind("ConversationConfiguration") == []


def test_a_config_key_without_a_namespace_goes_to_the_project_given(cli: Harness) -> None:
    cli("--tenant", "acme", "--env", "dev", "--project", "my-tenants", "--config", "x=1")
    assert cli.stack.config["my-tenants:x"] == "1"
    assert not any(key.startswith(f"{onboard.TENANT_PROJECT}:") for key in cli.stack.config)

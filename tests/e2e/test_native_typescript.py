"""The native provider under the real CLI from TypeScript (``programs/native-ts``), through the Node.js
SDK generated from its schema.

What a TypeScript user does, step by step: ``pulumi package gen-sdk <plugin> --language nodejs`` (with
``--local``: the SDK compiles itself with ``tsc`` when npm installs it, instead of shipping TypeScript
sources only), stamp the SDK with the provider's version (what a provider's release build does to the
generated ``${VERSION}``), ``npm install`` it as the program's ``file:`` dependency next to
``@pulumi/pulumi`` at the CLI's version, then ``pulumi up``. The program is type-checked on every
run (ts-node), so it proves the generated classes accept what the provider needs; the account is
checked through plain HTTP after each step.

Needs Node.js with npm on PATH and the Node.js language host next to the CLI (``scripts/install-pulumi``
builds it); without them the tests fail saying so, they are not skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e_api import Account
from e2e_harness import PulumiCLI, Workspace, copy_project, pinned_version, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("native-ts")]

PROGRAM = Path(__file__).resolve().parent / "programs" / "native-ts"
#: The provider plugin (the package's console script), which gen-sdk asks for the schema.
PLUGIN = Path(sys.prefix) / "bin" / "pulumi-resource-twilio-memory"
NPM_TIMEOUT = 600.0


def _require_node_toolchain(cli: PulumiCLI) -> None:
    """node, npm and the Node.js language host are there, or the test fails saying what to install."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        needed = " and ".join(missing)
        pytest.fail(f"TypeScript programs need {needed}: install Node.js with npm (the system's packages)")
    host = "pulumi-language-nodejs"
    if not (cli.bin_dir / host).is_file() and shutil.which(host) is None:
        pytest.fail(f"no {host} in {cli.bin_dir} or on PATH: run scripts/install-pulumi (builds one there)")


def _npm(project: Path, *args: str) -> None:
    """``npm <args>`` in ``project`` (the user's npm cache: content-addressed, safe to share)."""
    argv = ["npm", *args, "--no-audit", "--no-fund", "--prefer-offline", "--no-update-notifier"]
    done = subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False)
    if done.returncode != 0:
        raise AssertionError(
            f"$ {' '.join(argv)} exited {done.returncode}\n--- stdout ---\n{done.stdout}\n"
            f"--- stderr ---\n{done.stderr}"
        )


@pytest.fixture(scope="module")
def typescript_install(pulumi_cli: PulumiCLI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The program's dependencies installed once for the module: the SDK generated from the plugin's
    schema, and ``@pulumi/pulumi`` at the CLI's version. Returns the ``node_modules`` directory."""
    _require_node_toolchain(pulumi_cli)
    root = tmp_path_factory.mktemp("native-ts")
    tools = pulumi_cli.workspace(root / "codegen", root)
    schema = json.loads(tools.run("package", "get-schema", str(PLUGIN)).stdout)
    tools.run(
        "package", "gen-sdk", str(PLUGIN), "--language", "nodejs", "--local", "--out", str(root / "sdk")
    )
    sdk = root / "sdk" / "nodejs"
    package = json.loads((sdk / "package.json").read_text())
    package["version"] = schema["version"]  # codegen leaves "${VERSION}" for the release build to fill
    (sdk / "package.json").write_text(json.dumps(package, indent=4) + "\n")
    project = copy_project(PROGRAM, root / "project")  # package.json says file:../sdk/nodejs
    # --install-links: npm copies the SDK in (a symlink would leave it outside node_modules, where its
    # postinstall finds neither tsc nor @pulumi/pulumi).
    _npm(project, "install", "--install-links", "--save-exact", f"@pulumi/pulumi@{pinned_version()}")
    return project / "node_modules"


@pytest.fixture
def typescript(
    pulumi_cli: PulumiCLI, typescript_install: Path, emulator: EmulatorServer, tmp_path: Path
) -> Callable[..., Workspace]:
    """A fresh stack of the program for tenant ``ts-<stack>``, its node_modules the module's."""

    def make(stack: str) -> Workspace:
        project = copy_project(PROGRAM, tmp_path / stack / "project")
        (project / "node_modules").symlink_to(typescript_install, target_is_directory=True)
        credentials = {"api_key": emulator.api_key, "api_secret": emulator.api_secret}
        ws = pulumi_cli.workspace(tmp_path / stack, project, twilio_env(emulator.base_url, **credentials))
        ws.init_stack(stack)
        ws.config_set("tenant", f"ts-{stack}")
        return ws

    return make


def _writes(emulator: EmulatorServer) -> dict[str, int]:
    return {r: n for r, n in emulator.control.stats()["byRoute"].items() if not r.startswith("GET ")}


def _chat_timeouts(configuration: dict[str, Any]) -> dict[str, Any]:
    return configuration["channelSettings"]["CHAT"]["statusTimeouts"]  # type: ignore[no-any-return]


def test_a_typescript_program_manages_a_tenant_through_the_generated_sdk(
    typescript: Callable[..., Workspace], emulator: EmulatorServer, account: Account
) -> None:
    ws = typescript("tenant")

    ws.up()
    out = ws.outputs()
    store_id = out["storeId"]
    store = account.store(store_id)
    assert store is not None and store["displayName"] == "ts-tenant", store
    assert store["description"] == "Support memory" and out["storeStatus"] == "ACTIVE"
    group = account.trait_group(store_id, "Loyalty")
    assert group is not None and set(group["traits"]) == {"tier", "points"}, group
    identity = account.identity_resolution(store_id)
    assert identity is not None and [c["idType"] for c in identity["identifierConfigs"]] == ["email", "phone"]
    (mapping,) = account.data_mappings(store_id).values()
    assert mapping["mappingFrom"]["columns"] == ["tier"], mapping
    assert mapping["mappingTo"]["mappings"][0]["traitGroup"] == "Loyalty", mapping
    configuration = account.configuration(out["configurationId"])
    assert configuration is not None and configuration["memoryStoreId"] == store_id, configuration
    assert configuration["displayName"] == "ts-tenant-conversations"
    assert _chat_timeouts(configuration) == {"inactive": 5, "closed": 30}, configuration
    ws.preview("--expect-no-changes")

    # One input changed through stack config: the configuration is updated in place.
    ws.config_set("inactiveMinutes", "15")
    diff = ws.preview("--diff").output
    assert "~ twilio-memory:index:ConversationConfiguration: (update)" in diff, diff
    assert "~ inactive: 5 => 15" in diff and "1 to update" in diff, diff
    emulator.control.reset_stats()
    ws.up()
    assert _writes(emulator) == {"PATCH /v2/ControlPlane/Configurations/{id}": 1}, _writes(emulator)
    assert ws.outputs()["configurationId"] == out["configurationId"]
    updated = account.configuration(out["configurationId"])
    assert updated is not None and _chat_timeouts(updated) == {"inactive": 15, "closed": 30}, updated
    ws.preview("--expect-no-changes")

    ws.destroy()
    assert account.stores() == {} and account.configurations() == {}


def test_a_mistake_in_the_program_is_caught_by_the_generated_types_before_the_api_is_called(
    typescript: Callable[..., Workspace], emulator: EmulatorServer
) -> None:
    ws = typescript("typo")
    program = ws.project_dir / "index.ts"
    source = program.read_text()
    assert source.count('    displayName: "Loyalty",\n') == 1
    program.write_text(source.replace('    displayName: "Loyalty",\n', ""))  # a required input left out
    emulator.control.reset_stats()
    failed = ws.fails("preview")
    assert "Unable to compile TypeScript" in failed.output, failed.output
    assert "Property 'displayName' is missing" in failed.output, failed.output
    assert "required in type 'TraitGroupArgs'" in failed.output, failed.output
    assert emulator.control.stats()["byRoute"] == {}, "a program that does not compile reached the API"

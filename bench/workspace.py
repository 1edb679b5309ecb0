"""The repository's tenant-onboarding program in a throw-away Pulumi project, run by the real CLI.

Reuses the e2e tier's harness (``tests/e2e/e2e_harness.py``): :func:`find_cli` (the pinned CLI
from ``scripts/install-pulumi``), :func:`copy_project` (the root ``Pulumi.yaml`` and ``__main__.py``
byte for byte, the virtualenv linked in) and its isolated, offline :class:`Workspace` (own
``PULUMI_HOME``, ``file://`` backend, passphrase secrets, no update checks or plugin downloads).

What the benchmark adds: stack config for N tenants, and commands started with ``Popen`` so that
:class:`~bench.procmon.PeakMemory` can watch the process tree and :mod:`bench.trace` can read
the provider host's timeline (``bench/hostprobe`` is put on the ``PYTHONPATH``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .procmon import PeakMemory
from .trace import HostTrace, read_trace

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from e2e_harness import PulumiCLI, Workspace, copy_project, find_cli, install_release  # noqa: E402

__all__ = [
    "CHAT_SETTINGS",
    "EMULATOR_ACCOUNT_SID",
    "EMULATOR_AUTH_TOKEN",
    "IDENTITY_RESOLUTION",
    "PREFERENCES",
    "PROJECT",
    "REPO",
    "BenchWorkspace",
    "CommandFailed",
    "CommandResult",
    "PulumiCLI",
    "Release",
    "find_cli",
    "fleet_config",
    "install_release",
    "native_program",
    "tenant_names",
]

PROBE_DIR = Path(__file__).resolve().parent / "hostprobe"
PROJECT = "tenant-onboarding"
NATIVE_PROJECT = "tenant-onboarding-native"
STACK = "bench"

#: The emulator's documented default account (docs/emulator.md): never real credentials.
EMULATOR_ACCOUNT_SID = "AC00000000000000000000000000000000"
EMULATOR_AUTH_TOKEN = "emulator-auth-token"

#: One trait group per tenant, like the dev stack's default template.
PREFERENCES: dict[str, Any] = {
    "description": "What the customer told us they like",
    "traits": {
        "tier": {"dataType": "STRING", "description": "Loyalty tier"},
        "language": {"dataType": "STRING", "validationRule": {"ruleType": "STRING", "pattern": "^[a-z]{2}$"}},
        "marketingOptIn": {"dataType": "BOOLEAN"},
    },
}

#: Every tenant's identity resolution (not the API's seed, so it is a real PUT), in both runs.
IDENTITY_RESOLUTION: dict[str, Any] = {
    "identifierConfigs": [
        {"idType": "email", "matchingAlgo": "exact", "normalization": "email", "limit": 5},
        {"idType": "phone", "matchingAlgo": "exact", "normalization": "phone", "limit": 3},
    ],
    "matchingRules": ["email", "phone"],
}

CHAT_SETTINGS: dict[str, Any] = {"CHAT": {"statusTimeouts": {"inactive": 5, "closed": 30}}}


def tenant_names(count: int) -> list[str]:
    return [f"t{index:02d}" for index in range(1, count + 1)]


def fleet_config(count: int, hosts: int | None = None, first: int = 1) -> dict[str, Any]:
    """Stack config for ``count`` tenants (named from ``t<first>``): per tenant a store, one trait
    group, identity resolution and a Conversations configuration (4 resources), shaped like
    ``Pulumi.dev.yaml``; ``hosts`` = ``providerHosts`` (None: the program's automatic size)."""
    return {
        **({f"{PROJECT}:providerHosts": str(hosts)} if hosts is not None else {}),
        f"{PROJECT}:namePrefix": "bench-",
        f"{PROJECT}:maxStores": str(max(count, 1)),
        f"{PROJECT}:traitGroupTemplates": {"Preferences": PREFERENCES},
        f"{PROJECT}:defaults": {
            "templates": ["Preferences"],
            "identityResolution": IDENTITY_RESOLUTION,
            "conversation": {
                "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
                "channelSettings": CHAT_SETTINGS,
            },
        },
        f"{PROJECT}:tenants": [{"name": name} for name in tenant_names(count + first - 1)[first - 1 :]],
    }


def native_program(count: int, first: int = 1) -> dict[str, Any]:
    """The Pulumi YAML program (``Pulumi.yaml``) that onboards the same tenants as
    :func:`fleet_config` through the native provider: per tenant the same 4 resources with the
    inputs ``TenantMemory`` gives them from that config (store ``bench-<name>`` described
    "Conversation memory for bench-<name>", the ``Preferences`` group, identity resolution, a
    configuration named and described like the store), under the same resource names."""
    resources: dict[str, Any] = {}
    for name in tenant_names(count + first - 1)[first - 1 :]:
        display = f"bench-{name}"
        description = f"Conversation memory for {display}"
        store = f"{name}-store"
        resources[store] = {
            "type": "twilio-memory:index:Store",
            "name": name,
            "properties": {"displayName": display, "description": description},
        }
        resources[f"{name}-identity"] = {
            "type": "twilio-memory:index:IdentityResolutionSettings",
            "name": name,
            "properties": {"storeId": f"${{{store}.id}}", **IDENTITY_RESOLUTION},
        }
        resources[f"{name}-preferences"] = {
            "type": "twilio-memory:index:TraitGroup",
            "name": f"{name}/Preferences",
            "properties": {"storeId": f"${{{store}.id}}", "displayName": "Preferences", **PREFERENCES},
        }
        resources[f"{name}-conversation"] = {
            "type": "twilio-memory:index:ConversationConfiguration",
            "name": name,
            "properties": {
                "memoryStoreId": f"${{{store}.id}}",
                "displayName": display,
                "description": description,
                "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
                "channelSettings": CHAT_SETTINGS,
            },
        }
    tenants = tenant_names(count + first - 1)[first - 1 :]
    return {
        "name": NATIVE_PROJECT,
        "runtime": "yaml",
        "description": "Tenant onboarding through the native twilio-memory provider (bench)",
        "resources": resources,
        "outputs": {
            "storeIds": {name: f"${{{name}-store.id}}" for name in tenants},
            "configurationIds": {name: f"${{{name}-conversation.id}}" for name in tenants},
        },
    }


@dataclass
class CommandResult:
    args: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_mib: dict[str, float]
    trace: HostTrace | None = None
    total_mib: dict[str, float] = field(default_factory=dict)
    hosts_seen: int = 0
    native_seen: int = 0


class CommandFailed(RuntimeError):
    def __init__(self, result: CommandResult) -> None:
        tail = (result.stdout[-3000:] + "\n" + result.stderr[-3000:]).strip()
        super().__init__(f"`pulumi {' '.join(result.args)}` exited {result.returncode}:\n{tail}")
        self.result = result


@dataclass(frozen=True)
class Release:
    """A release of the package: its source tree (for its root project) and a virtualenv with it."""

    label: str
    source: Path
    venv: Path

    @property
    def project_files(self) -> list[str]:
        program = "program" if (self.source / "program").is_dir() else "__main__.py"
        return ["Pulumi.yaml", program]


class BenchWorkspace:
    """The root project copied under ``root``, one stack, the provider pointed at the emulator.

    ``extra_env`` is added to the CLI's environment (e.g. ``BENCH_HOST_WORKERS``). With ``program``
    (a Pulumi YAML document, :func:`native_program`) the project is that program instead, served
    by the native provider (``pulumi-resource-twilio-memory``, found on the ``PATH`` the harness
    puts the virtualenv's ``bin`` on).
    """

    def __init__(
        self,
        cli: PulumiCLI,
        root: Path,
        emulator_url: str,
        extra_env: dict[str, str] | None = None,
        account: tuple[str, str] = (EMULATOR_ACCOUNT_SID, EMULATOR_AUTH_TOKEN),
        *,
        release: Release | None = None,
        program: dict[str, Any] | None = None,
    ) -> None:
        self.trace_path = root / "host-trace.jsonl"
        source, names, venv = (REPO, ["Pulumi.yaml", "__main__.py"], None)
        if release is not None:  # another release's root project, run in its own virtualenv
            source, names, venv = release.source, release.project_files, release.venv
        if program is not None:
            project_dir = root / "project"
            project_dir.mkdir(parents=True)
            # Pulumi YAML refuses YAML aliases, which PyYAML writes for the shared templates.
            plain = json.loads(json.dumps(program))
            (project_dir / "Pulumi.yaml").write_text(yaml.safe_dump(plain, sort_keys=False))
        else:
            project_dir = copy_project(source, root / "project", names=names, venv=venv)
        env = {
            "TWILIO_ACCOUNT_SID": account[0],
            "TWILIO_AUTH_TOKEN": account[1],
            "TWILIO_MEMORY_BASE_URL": emulator_url,
            "TWILIO_CONVERSATIONS_BASE_URL": emulator_url,
            "PYTHONPATH": os.pathsep.join(p for p in (str(PROBE_DIR), os.environ.get("PYTHONPATH")) if p),
            "BENCH_HOST_TRACE": str(self.trace_path),
            **({"PULUMI_PARALLEL": os.environ["PULUMI_PARALLEL"]} if "PULUMI_PARALLEL" in os.environ else {}),
            **(extra_env or {}),
        }
        self.harness: Workspace = cli.workspace(root, project_dir, env)

    @property
    def project_dir(self) -> Path:
        return self.harness.project_dir

    def create(self, config: dict[str, Any]) -> None:
        """Log in to the file backend, create the stack, write its config."""
        self.harness.init_stack(STACK)
        path = self.project_dir / f"Pulumi.{STACK}.yaml"
        document = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
        document["config"] = config
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def run(self, *args: str, timeout: float = 1800) -> CommandResult:
        """Run ``pulumi <args>`` timed from exec to exit, watching peak memory and the host trace."""
        argv = [*args, "--non-interactive", "--color", "never"]
        self.trace_path.unlink(missing_ok=True)
        wall_started = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(self.harness.cli.binary), *argv],
            cwd=self.project_dir,
            env=self.harness.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with PeakMemory(process.pid) as memory:
            stdout, stderr = process.communicate(timeout=timeout)
        seconds = time.perf_counter() - started
        peaks = {role: memory.mib(role) for role in memory.peak_kib}
        totals = {role: memory.total_mib(role) for role in memory.peak_kib}
        result = CommandResult(argv, seconds, process.returncode, stdout, stderr, peaks)
        result.total_mib = totals
        result.hosts_seen = memory.count("provider_host")
        result.native_seen = memory.count("native_provider")
        result.trace = read_trace(self.trace_path, wall_started)
        if result.returncode != 0:
            raise CommandFailed(result)
        return result

    def up(self, *extra: str) -> CommandResult:
        return self.run("up", "--yes", "--skip-preview", *extra)

    def preview(self, *extra: str) -> CommandResult:
        return self.run("preview", "--expect-no-changes", *extra)

    def export_state(self) -> dict[str, Any]:
        exported: dict[str, Any] = json.loads(self.harness.run("stack", "export").stdout)
        return exported

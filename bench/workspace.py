"""The tenant-onboarding program in a throw-away Pulumi project, driven through the real CLI.

The project is the repository's root program (``program/__main__.py`` is copied verbatim, the
project name stays ``tenant-onboarding`` so its stack config keys apply) with an absolute
``virtualenv`` (the dynamic-provider shim resolves a relative one against its own working
directory). Everything is offline and private to the workspace: ``PULUMI_HOME``, a ``file://``
backend, passphrase secrets, no update checks, no plugin downloads.

Each command is timed from ``exec`` to exit, with :class:`~bench.procmon.PeakMemory` watching the
processes it starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .procmon import PeakMemory

__all__ = [
    "PROJECT",
    "REPO",
    "CommandFailed",
    "CommandResult",
    "PulumiWorkspace",
    "fleet_config",
    "find_pulumi",
]

REPO = Path(__file__).resolve().parent.parent
PROJECT = "tenant-onboarding"
STACK = "bench"

#: The emulator's documented default account (docs/emulator.md): never real credentials.
EMULATOR_ACCOUNT_SID = "AC00000000000000000000000000000000"
EMULATOR_AUTH_TOKEN = "emulator-auth-token"

#: One trait group per tenant, like the dev stack's default template.
PREFERENCES = {
    "description": "What the customer told us they like",
    "traits": {
        "tier": {"dataType": "STRING", "description": "Loyalty tier"},
        "language": {"dataType": "STRING", "validationRule": {"ruleType": "STRING", "pattern": "^[a-z]{2}$"}},
        "marketingOptIn": {"dataType": "BOOLEAN"},
    },
}


def tenant_names(count: int) -> list[str]:
    return [f"t{index:02d}" for index in range(1, count + 1)]


def fleet_config(count: int) -> dict[str, Any]:
    """Stack config for ``count`` tenants: per tenant a store, one trait group, identity
    resolution and a Conversations configuration (4 resources), as in ``Pulumi.dev.yaml``."""
    return {
        f"{PROJECT}:namePrefix": "bench-",
        f"{PROJECT}:maxStores": str(max(count, 1)),
        f"{PROJECT}:traitGroupTemplates": {"Preferences": PREFERENCES},
        f"{PROJECT}:defaults": {
            "templates": ["Preferences"],
            "conversation": {
                "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
                "channelSettings": {"CHAT": {"statusTimeouts": {"inactive": 5, "closed": 30}}},
            },
        },
        f"{PROJECT}:tenants": [{"name": name} for name in tenant_names(count)],
    }


def find_pulumi() -> Path:
    """The pinned CLI's bin directory: ``scripts/install-pulumi`` prints it on its last line."""
    out = subprocess.run(
        [str(REPO / "scripts" / "install-pulumi")], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Path(out.splitlines()[-1])


@dataclass
class CommandResult:
    args: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_mib: dict[str, float] = field(default_factory=dict)


class CommandFailed(RuntimeError):
    def __init__(self, result: CommandResult) -> None:
        tail = (result.stdout[-3000:] + "\n" + result.stderr[-3000:]).strip()
        super().__init__(f"`pulumi {' '.join(result.args)}` exited {result.returncode}:\n{tail}")
        self.result = result


class PulumiWorkspace:
    """One project + one stack in ``root``; ``env`` points the provider at the emulator."""

    def __init__(
        self,
        root: Path,
        pulumi_bin: Path,
        emulator_url: str,
        *,
        venv: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.project_dir = root / "project"
        self.pulumi = pulumi_bin / "pulumi"
        self.venv = venv or Path(os.environ.get("PULUMI_TWILIO_MEMORY_VENV", REPO / ".venv"))
        self.env = {
            **os.environ,
            "PATH": f"{pulumi_bin}:{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "bench-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
            "TWILIO_ACCOUNT_SID": EMULATOR_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": EMULATOR_AUTH_TOKEN,
            "TWILIO_MEMORY_BASE_URL": emulator_url,
            "TWILIO_CONVERSATIONS_BASE_URL": emulator_url,
            **(extra_env or {}),
        }
        for key in ("TWILIO_API_KEY", "TWILIO_API_SECRET"):
            if key not in (extra_env or {}):
                self.env.pop(key, None)  # the emulator account's token, not a stray key, is used

    def create(self, config: dict[str, Any]) -> None:
        """Write the project, log in to the file backend, create the stack, set its config."""
        for sub in ("state", "pulumi-home", "project"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.project_dir / "Pulumi.yaml").write_text(
            yaml.safe_dump(
                {
                    "name": PROJECT,
                    "description": "tenant-onboarding, benchmark copy",
                    "runtime": {
                        "name": "python",
                        "options": {"toolchain": "pip", "virtualenv": str(self.venv)},
                    },
                }
            )
        )
        shutil.copy(REPO / "program" / "__main__.py", self.project_dir / "__main__.py")
        self.run("login", "--non-interactive", self.env["PULUMI_BACKEND_URL"])
        self.run("stack", "init", STACK, "--non-interactive")
        self.set_config(config)

    def set_config(self, config: dict[str, Any]) -> None:
        """Replace the stack's config (structured values as YAML, keeping the encryption salt)."""
        path = self.project_dir / f"Pulumi.{STACK}.yaml"
        document = yaml.safe_load(path.read_text()) if path.exists() else {}
        document = document or {}
        document["config"] = config
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def run(
        self, *args: str, check: bool = True, monitor: bool = False, timeout: float = 1800
    ) -> CommandResult:
        """Run ``pulumi <args>`` in the project; time it (and watch peak memory if ``monitor``)."""
        command = [str(self.pulumi), *args]
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=self.project_dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        peaks: dict[str, float] = {}
        if monitor:
            with PeakMemory(process.pid) as memory:
                stdout, stderr = process.communicate(timeout=timeout)
            peaks = {role: memory.mib(role) for role in memory.peak_kib}
        else:
            stdout, stderr = process.communicate(timeout=timeout)
        result = CommandResult(
            list(args), time.perf_counter() - started, process.returncode, stdout, stderr, peaks
        )
        if check and result.returncode != 0:
            raise CommandFailed(result)
        return result

    def up(self, *extra: str) -> CommandResult:
        return self.run("up", "--yes", "--non-interactive", "--skip-preview", *extra, monitor=True)

    def preview(self, *extra: str) -> CommandResult:
        return self.run("preview", "--non-interactive", "--expect-no-changes", *extra, monitor=True)

    def destroy(self) -> CommandResult:
        return self.run("destroy", "--yes", "--non-interactive", "--skip-preview")

    def export_state(self) -> dict[str, Any]:
        out = self.run("stack", "export").stdout
        state: dict[str, Any] = json.loads(out)
        return state

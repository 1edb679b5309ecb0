"""An upgrade as users make it: a stack created by the previous release of the package (the
commit before the host pool, installed from its own git tree into a virtualenv of its own), then
the same project switched to this version. ``pulumi up`` puts the tenants on a host pool and
replaces nothing, writes nothing to the account, and a refresh finds no drift; then the pool off
again, and ``destroy``. The live account is read with plain httpx and the emulator's counters.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from e2e_api import Account
from e2e_harness import REPO_ROOT, PulumiCLI, copy_project, find_cli, install_release, twilio_env
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer

pytestmark = pytest.mark.packaging

#: The last released state before the pool, the binding and the SDK range (stop 16 of main).
PREVIOUS_RELEASE = "358e68861644bb99e69842e0c31fa056b16593b6"
TENANTS = [f"upg-{i}" for i in range(1, 6)]  # 5 tenants: the automatic pool has 2 hosts


def _use(project: Path, venv: Path) -> None:
    """Point the project's ``.venv`` (``virtualenv: .venv`` in Pulumi.yaml) at ``venv``."""
    link = project / ".venv"
    link.unlink()
    link.symlink_to(venv, target_is_directory=True)


def _writes(emulator: EmulatorServer) -> list[str]:
    return [r for r in emulator.control.stats()["byRoute"] if not r.startswith("GET ")]


def test_a_stack_of_the_previous_release_moves_onto_the_pool_and_back(tmp_path: Path) -> None:
    cli: PulumiCLI = find_cli()
    previous = install_release(tmp_path / "previous-src", tmp_path / "previous-venv", commit=PREVIOUS_RELEASE)
    with EmulatorServer(**REALISTIC_DELAYS) as emulator, emulator.http() as http:
        api = Account(http)
        project = copy_project(REPO_ROOT, tmp_path / "project", ["Pulumi.yaml", "__main__.py"], venv=previous)
        env = twilio_env(emulator.base_url, account_sid=emulator.account_sid, auth_token=emulator.auth_token)
        ws = cli.workspace(tmp_path, project, env)
        ws.init_stack("upgrade")
        ws.config_set("tenant-onboarding:tenants", json.dumps([{"name": t} for t in TENANTS]))
        ws.config_set("tenant-onboarding:defaults", json.dumps({"templates": []}))
        ws.up()  # the previous release: every resource on the default provider
        before = api.everything()
        assert len(before["stores"]) == len(TENANTS)  # type: ignore[arg-type]
        resources = len(ws.resources())

        _use(project, Path(sys.prefix))  # this version
        preview = ws.preview("--diff")
        assert "replace" not in preview.output.lower(), preview.output
        emulator.control.reset_stats()
        ws.up()
        assert _writes(emulator) == []
        assert ws.last_update_changes() == {"create": 1, "same": resources - 1}  # + the pool's host
        assert api.everything() == before
        ws.preview("--refresh", "--expect-no-changes")

        ws.config_set("tenant-onboarding:providerHosts", "1")  # the pool off again
        emulator.control.reset_stats()
        ws.up()
        assert _writes(emulator) == [] and api.everything() == before
        assert {op: n for op, n in ws.last_update_changes().items() if op != "same"} == {"delete": 1}
        ws.preview("--refresh", "--expect-no-changes")
        ws.destroy()
        assert api.stores() == {}

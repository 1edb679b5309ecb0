"""Moving a stack from the dynamic face to the native face, as the docs' recipe says, touches
nothing live: the resources are imported by id into a native stack (a Pulumi YAML program here),
the old stack's entries are dropped without deleting, and neither stack then sees a change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_api import Account, resources_stack
from e2e_harness import PulumiCLI, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.e2e


def test_a_dynamic_stack_moves_to_the_native_face_without_touching_a_live_resource(
    pulumi_cli: PulumiCLI, emulator: EmulatorServer, account: Account, tmp_path: Path
) -> None:
    with resources_stack(pulumi_cli, emulator, tmp_path / "dynamic", "e2e") as old:
        before = account.everything()
        export = tmp_path / "export.json"
        export.write_text(old.ws.run("stack", "export").stdout)

        # 1. The import file, from the old stack's export.
        migrate = [sys.executable, "-m", "pulumi_twilio_memory.native.migrate", str(export)]
        document = subprocess.run(migrate, capture_output=True, text=True, check=True).stdout
        (tmp_path / "import.json").write_text(document)
        assert {r["type"] for r in json.loads(document)["resources"]} == {
            "twilio-memory:index:Store",
            "twilio-memory:index:TraitGroup",
            "twilio-memory:index:IdentityResolutionSettings",
            "twilio-memory:index:ConversationConfiguration",
        }

        # 2. A native stack imports them and takes the program pulumi import writes for them.
        project = tmp_path / "native" / "project"
        project.mkdir(parents=True)
        (project / "Pulumi.yaml").write_text("name: migrated\nruntime: yaml\n")
        credentials = {"api_key": emulator.api_key, "api_secret": emulator.api_secret}
        new = pulumi_cli.workspace(tmp_path / "native", project, twilio_env(emulator.base_url, **credentials))
        new.init_stack("native")
        emulator.control.reset_stats()
        new.run(
            "import",
            "--file",
            str(tmp_path / "import.json"),
            "--yes",
            "--protect=false",
            "--out",
            "generated.yaml",
        )
        with (project / "Pulumi.yaml").open("a") as program:
            program.write((project / "generated.yaml").read_text())
        new.preview("--refresh", "--expect-no-changes")

        # 3. The old stack's entries go without a delete.
        old.ws.run("stack", "rm", "e2e", "--force", "--yes")
        writes = {r: n for r, n in emulator.control.stats()["byRoute"].items() if not r.startswith("GET ")}
        assert writes == {}, writes
        assert account.everything() == before

    new.up()
    assert new.last_update_changes() == {"same": 5}
    assert account.everything() == before
    new.destroy()
    assert account.stores() == {} and account.configurations() == {}

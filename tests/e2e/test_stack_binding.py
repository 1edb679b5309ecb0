"""A stack stays bound to the account and endpoint its resources were created in (the real CLI).

Pointed at another endpoint or account, ``preview``, ``up`` and ``refresh`` stop before any
request with a message naming both, instead of creating everything anew there or dropping what
they cannot find; pointed back, nothing has changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_api import Account
from e2e_harness import REPO_ROOT, PulumiCLI, copy_project, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.e2e

OTHER_ACCOUNT = "AC" + "f" * 32


def test_a_stack_pointed_elsewhere_stops_and_pointed_back_is_unchanged(
    pulumi_cli: PulumiCLI, emulator: EmulatorServer, account: Account, tmp_path: Path
) -> None:
    project = copy_project(REPO_ROOT, tmp_path / "project", ["Pulumi.yaml", "__main__.py"])
    env = twilio_env(emulator.base_url, account_sid=emulator.account_sid, auth_token=emulator.auth_token)
    ws = pulumi_cli.workspace(tmp_path, project, env)
    ws.init_stack("bound")
    ws.config_set("tenant-onboarding:tenants", json.dumps([{"name": "bound-acme"}]))
    ws.up()
    before = account.stores()
    managed = len(ws.resources())

    for key, value, named in (
        ("twilio-memory:memoryBaseUrl", "https://memory.twilio.com", "https://memory.twilio.com"),
        ("twilio-memory:accountSid", OTHER_ACCOUNT, OTHER_ACCOUNT),
    ):
        ws.config_set(key, value)
        emulator.control.reset_stats()
        for command in (
            ("preview",),
            ("up", "--yes", "--skip-preview"),
            ("refresh", "--yes", "--skip-preview"),
        ):
            failed = ws.fails(*command)
            assert "lives in account " + emulator.account_sid in failed.output, failed.output
            assert named in failed.output and "pulumi stack init" in failed.output
            assert "Traceback" not in failed.output
        # Nothing written, and no request for what lives elsewhere (the configuration, still bound
        # to the Conversations URL when only the Memory URL moved, may be read by the refresh).
        routes = emulator.control.stats()["byRoute"]
        assert [r for r in routes if not r.startswith("GET ") or "/v1/" in r] == [], routes
        assert len(ws.resources()) == managed  # nothing was dropped from the state
        ws.run("config", "rm", key)
        emulator.control.reset_stats()
        ws.up()  # as the message says: the provider records the settings again
        writes = [r for r in emulator.control.stats()["byRoute"] if not r.startswith("GET ")]
        assert writes == [] and ws.last_update_changes() == {"same": managed - 1}
        assert account.stores() == before

    ws.preview("--refresh", "--expect-no-changes")
    assert account.stores() == before
    ws.destroy()
    assert account.stores() == {}

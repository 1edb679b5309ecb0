"""``tm.DataMapping`` through every lifecycle operation under the real CLI, against an emulator with
realistic delays (``programs/data_mapping``: one stack, scenarios in order). The live account is
read, and changed behind Pulumi's back, with plain httpx, never through the provider under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_api import STORES, Account
from e2e_harness import PulumiCLI, Workspace, copy_project, secret_leaks, twilio_env
from e2e_lifecycle import apply_config
from twilio_memory_emulator.testing import EmulatorServer

#: One story on one stack, each test continuing from the last: run whole, in order, on one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-data-mapping-lifecycle")]

PROGRAM = Path(__file__).resolve().parent / "programs" / "data_mapping"
NS = "e2e-data-mapping"
INITIAL: dict[str, Any] = {"columns": ["tier"], "expressions": {"tier": "$.tier"}, "description": "CRM feed"}


@dataclass
class Stack:
    ws: Workspace
    http: httpx.Client
    config: dict[str, Any] = field(default_factory=dict)

    def apply(self, **changes: Any) -> None:
        """Change the program (its stack config); ``None`` removes a key."""
        apply_config(self.ws, NS, self.config, changes)

    def store_id(self) -> str:
        return str(self.ws.outputs()["storeId"])

    def live(self, store_id: str | None = None) -> dict[str, dict[str, Any]]:
        """The store's data mappings by display name, through the API."""
        response = self.http.get(f"{STORES}/{store_id or self.store_id()}/DataMappings")
        response.raise_for_status()
        return {item["displayName"]: item for item in response.json()["dataMappings"]}

    def mapping(self) -> dict[str, Any]:
        """The one live mapping, asserting the state names exactly it."""
        live = self.live()
        assert list(live) == ["crm-import"], live
        mapping = live["crm-import"]
        assert self.ws.outputs()["mappingId"] == f"{self.store_id()}/{mapping['id']}"
        assert mapping["description"] == self.config["description"], mapping
        assert mapping["mappingFrom"] == {"type": "INGRESS", "columns": self.config["columns"]}, mapping
        targets = {m["traitName"]: m["expression"] for m in mapping["mappingTo"]["mappings"]}
        assert targets == self.config["expressions"], mapping
        return mapping

    def urn(self) -> str:
        (urn,) = [r["urn"] for r in self.ws.resources() if r["type"].endswith(":DataMapping")]
        return str(urn)


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: PulumiCLI, e2e_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    e2e_emulator.control.reset()
    root = tmp_path_factory.mktemp("data-mapping")
    project = copy_project(PROGRAM, root / "project")
    env = twilio_env(e2e_emulator.base_url, api_key=e2e_emulator.api_key, api_secret=e2e_emulator.api_secret)
    ws = pulumi_cli.workspace(root, project, env)
    ws.init_stack("e2e")
    with e2e_emulator.http(settle=True) as http:
        stack = Stack(ws, http, dict(INITIAL))
        stack.apply()
        yield stack


def test_up_creates_the_mapping_and_preview_shows_no_changes(stack: Stack) -> None:
    stack.ws.up()
    assert stack.ws.last_update_changes() == {"create": 4}
    assert stack.mapping()["isEnabled"] is True
    stack.ws.preview("--expect-no-changes")


def test_refresh_records_an_out_of_band_change_and_up_puts_it_back(stack: Stack) -> None:
    before = stack.mapping()
    Account(stack.http).patch_data_mapping(stack.store_id(), before["id"], isEnabled=False)  # a colleague
    drift = stack.ws.preview("--refresh", "--expect-no-changes", expect=None)
    assert drift.returncode != 0 and "is_enabled" in drift.stdout, drift.describe()
    stack.ws.refresh()
    stack.ws.up()
    assert stack.mapping()["isEnabled"] is True and stack.mapping()["id"] == before["id"]
    stack.ws.preview("--refresh", "--expect-no-changes")


def test_an_input_change_updates_in_place(stack: Stack) -> None:
    before = stack.mapping()
    stack.apply(description="CRM feed, v2", expressions={"tier": "$.tier", "points": "$.points"})
    preview = stack.ws.preview("--diff")
    assert "1 to update" in preview.stdout and "replace" not in preview.stdout, preview.describe()
    stack.ws.up()
    after = stack.mapping()
    assert after["id"] == before["id"] and after["version"] == before["version"] + 1
    stack.ws.preview("--expect-no-changes")


def test_bad_input_fails_preview_naming_the_field_before_any_call(
    stack: Stack, e2e_emulator: EmulatorServer
) -> None:
    stack.apply(columns=[])
    e2e_emulator.control.reset_stats()
    failed = stack.ws.fails("preview")
    assert "mapping_from.columns" in failed.output and "at least 1" in failed.output, failed.describe()
    assert e2e_emulator.control.stats()["total"] == 0
    stack.apply(columns=INITIAL["columns"])


def test_replace_and_a_source_change_make_a_new_mapping_of_the_same_name(stack: Stack) -> None:
    before = stack.mapping()
    result = stack.ws.up("--replace", stack.urn())
    assert "1 replaced" in result.stdout, result.describe()
    replaced = stack.mapping()
    assert replaced["id"] != before["id"]

    stack.apply(columns=["tier", "points"])
    preview = stack.ws.preview("--diff")
    assert "1 to replace" in preview.stdout and "mapping_from" in preview.stdout, preview.describe()
    stack.ws.up()
    assert stack.mapping()["id"] != replaced["id"]
    stack.ws.preview("--refresh", "--expect-no-changes")


def test_rename_with_an_alias_moves_nothing(stack: Stack) -> None:
    before = stack.mapping()
    stack.apply(name="mapping-renamed", alias="mapping")
    preview = stack.ws.preview()
    assert "to create" not in preview.stdout and "to delete" not in preview.stdout, preview.describe()
    stack.ws.up()
    assert stack.mapping()["id"] == before["id"]
    stack.apply(alias=None)
    stack.ws.preview("--expect-no-changes")


def test_import_takes_over_the_very_mapping(stack: Stack) -> None:
    before = stack.mapping()
    mapping_id = stack.ws.outputs()["mappingId"]
    stack.apply(options={"retain_on_delete": True})
    stack.ws.up()
    stack.apply(omit=True)
    stack.ws.up()
    assert "mappingId" not in stack.ws.outputs() and list(stack.live()) == ["crm-import"]  # retained

    stack.apply(omit=None, options={"import_": mapping_id})
    stack.ws.up()
    assert stack.mapping()["id"] == before["id"]
    stack.apply(options=None)
    stack.ws.preview("--expect-no-changes")


def test_a_lost_create_answer_makes_no_duplicate(stack: Stack, e2e_emulator: EmulatorServer) -> None:
    """The create was applied but its answer lost (at realistic delays, still pending when the
    provider looks again): one ``pulumi up`` converges on one mapping, and no drift follows."""
    stack.apply(omit=True)
    stack.ws.up()
    assert stack.live() == {}
    route = "POST /v1/ControlPlane/Stores/{storeId}/DataMappings"
    e2e_emulator.control.add_fault(action="drop", route=route, phase="after", times=1)
    stack.apply(omit=None)
    stack.ws.up()
    assert [f["hits"] for f in e2e_emulator.control.faults()] == [1]  # the answer was lost
    e2e_emulator.control.clear_faults()
    stack.mapping()  # exactly one, the one the state names
    stack.ws.preview("--refresh", "--expect-no-changes")


def test_a_lost_update_answer_does_not_conflict_with_itself(
    stack: Stack, e2e_emulator: EmulatorServer
) -> None:
    route = "PATCH /v1/ControlPlane/Stores/{storeId}/DataMappings/{dataMappingId}"
    e2e_emulator.control.add_fault(action="error", status=500, route=route, phase="after", times=1)
    stack.apply(description="CRM feed, answer lost")
    stack.ws.up()
    assert [f["hits"] for f in e2e_emulator.control.faults()] == [1]
    e2e_emulator.control.clear_faults()
    assert stack.mapping()["description"] == "CRM feed, answer lost"
    stack.ws.preview("--refresh", "--expect-no-changes")


def test_a_tenant_with_a_mapping_and_destroy_empties_the_account(
    stack: Stack, e2e_emulator: EmulatorServer
) -> None:
    stack.apply(tenant=True)
    stack.ws.up()
    tenant_mappings = stack.ws.outputs()["tenantMappings"]
    tenant_store = tenant_mappings["tenant-crm"].split("/", 1)[0]
    assert list(stack.live(tenant_store)) == ["tenant-crm"]
    stack.ws.preview("--refresh", "--expect-no-changes")

    stack.apply(tenant=None)  # the tenant leaves the program: mapping, then groups, then store
    removed = stack.ws.up()
    assert "still map into it" not in removed.output, removed.describe()
    assert stack.http.get(f"{STORES}/{tenant_store}").status_code == 404

    stack.apply(tenant=True)
    stack.ws.up()
    destroyed = stack.ws.destroy()
    assert "still map into it" not in destroyed.output, destroyed.describe()
    assert Account(stack.http).stores() == {}
    assert stack.ws.resources() == []
    assert secret_leaks(stack.ws, {"API secret": e2e_emulator.api_secret}) == []

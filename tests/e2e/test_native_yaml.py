"""The native provider under the real CLI, from a Pulumi YAML program (``programs/native``).

YAML is a language the dynamic face cannot serve at all: these tests prove the native face gives
the same guarantees through the engine's own lifecycle (preview, up, refresh, drift, replace,
aliases, import, destroy), the account checked through plain HTTP after each step.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e_api import Account
from e2e_harness import PulumiCLI, Workspace, copy_project, secret_leaks, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("native-yaml")]

PROGRAM = Path(__file__).resolve().parent / "programs" / "native"
TENANT_PROGRAM = PROGRAM.with_name("native-tenant")
STORE = "twilio-memory:index:Store"


@pytest.fixture
def native(pulumi_cli: PulumiCLI, emulator: EmulatorServer, tmp_path: Path) -> Callable[..., Workspace]:
    """A fresh stack of a YAML program (``PROGRAM`` unless ``program``; ``config``: its stack
    config, ``storeName`` by default ``native-<stack>``), credentials from the environment unless
    ``env`` says otherwise."""

    def make(
        stack: str, env: dict[str, str] | None = None, program: Path = PROGRAM, **config: str
    ) -> Workspace:
        root = tmp_path / stack
        project = copy_project(program, root / "project")
        credentials = {"api_key": emulator.api_key, "api_secret": emulator.api_secret}
        ws = pulumi_cli.workspace(root, project, env or twilio_env(emulator.base_url, **credentials))
        ws.init_stack(stack)
        for key, value in {"storeName": f"native-{stack}", **config}.items():
            ws.config_set(key, value)
        return ws

    return make


@pytest.fixture
def settings_restored(emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    """The emulator, its delays put back after the test changed them."""
    before = emulator.control.settings()
    yield emulator
    emulator.control.settings(
        provisioning_delay=before["provisioningDelay"], operation_delay=before["operationDelay"]
    )


def _urn(ws: Workspace, name: str) -> str:
    return next(r["urn"] for r in ws.resources() if r["urn"].endswith(f"::{name}"))


def _writes(emulator: EmulatorServer) -> dict[str, int]:
    return {r: n for r, n in emulator.control.stats()["byRoute"].items() if not r.startswith("GET ")}


def _no_drift(ws: Workspace) -> None:
    ws.preview("--refresh", "--expect-no-changes")


def test_a_yaml_program_manages_every_resource_through_its_lifecycle(
    native: Callable[..., Workspace], emulator: EmulatorServer, account: Account
) -> None:
    ws = native("matrix")

    emulator.control.reset_stats()
    preview = ws.preview()
    assert "+ 6 to create" in preview.output, preview.output
    assert _writes(emulator) == {}, "a preview wrote to the account"

    ws.up()
    out = ws.outputs()
    store_id = out["storeId"]
    live = account.store(store_id)
    assert live is not None and live["displayName"] == "native-matrix"
    assert live["description"] == "Support memory" and out["storeStatus"] == "ACTIVE"
    group = account.trait_group(store_id, "Loyalty")
    assert group is not None and set(group["traits"]) == {"tier", "points"}
    identity = account.identity_resolution(store_id)
    assert identity is not None and [c["idType"] for c in identity["identifierConfigs"]] == ["email", "phone"]
    configuration = account.configuration(out["configurationId"])
    assert configuration is not None and configuration["memoryStoreId"] == store_id
    _no_drift(ws)
    ws.refresh()
    _no_drift(ws)

    # An input changed: updated in place, the diff naming the property.
    ws.config_set("storeDescription", "Support memory, v2")
    diff = ws.preview("--diff").output
    assert '~ description: "Support memory" => "Support memory, v2"' in diff, diff
    emulator.control.reset_stats()
    ws.up()
    assert _writes(emulator) == {"PATCH /v1/ControlPlane/Stores/{storeId}": 1}, _writes(emulator)
    assert account.store(store_id)["description"] == "Support memory, v2"  # type: ignore[index]
    _no_drift(ws)

    # Changed outside Pulumi: refresh sees it, up puts the program's value back.
    account.patch_store(store_id, description="changed by hand")
    drift = ws.preview("--refresh", "--diff").output
    assert '~ description: "changed by hand" => "Support memory, v2"' in drift, drift
    ws.up("--refresh")
    assert account.store(store_id)["description"] == "Support memory, v2"  # type: ignore[index]
    _no_drift(ws)

    # A property that forces a replacement is named as such; the old mapping goes.
    old_mapping = out["mappingId"]
    ws.config_set("column", "loyalty_tier")
    diff = ws.preview("--diff").output
    assert "+-twilio-memory:index:DataMapping: (replace)" in diff and "mappingFrom" in diff, diff
    ws.up()
    assert ws.outputs()["mappingId"] != old_mapping
    mappings = account.data_mappings(store_id)
    assert [m["mappingFrom"]["columns"] for m in mappings.values()] == [["loyalty_tier"]], mappings
    _no_drift(ws)

    # --replace: a new configuration, and only one.
    old_configuration = ws.outputs()["configurationId"]
    ws.up("--replace", _urn(ws, "conversation"))
    new_configuration = ws.outputs()["configurationId"]
    assert new_configuration != old_configuration
    assert account.configuration(old_configuration) is None
    assert [c for c in account.configurations().values() if c["memoryStoreId"] == store_id] != []
    assert len(account.configurations()) == 1
    _no_drift(ws)

    # --replace of a resource whose name is unique, without deleteBeforeReplace: refused, saying
    # what to set, and nothing lost.
    before = account.everything()
    failed = ws.fails("up", "--yes", "--skip-preview", "--replace", _urn(ws, "mapping"))
    assert "set the deleteBeforeReplace resource option on 'mapping'" in failed.output, failed.output
    assert account.everything() == before
    _no_drift(ws)

    ws.destroy()
    assert account.stores() == {} and account.configurations() == {}


def test_rename_with_an_alias_keeps_every_resource(
    native: Callable[..., Workspace], account: Account
) -> None:
    ws = native("alias")
    ws.up()
    before = account.everything()
    program = ws.project_dir / "Pulumi.yaml"
    renamed = program.read_text().replace("${store.", "${memory.")
    alias = f"    options:\n      aliases:\n        - {_urn(ws, 'store')}\n"
    program.write_text(
        renamed.replace("  store:\n    type: " + STORE + "\n", f"  memory:\n    type: {STORE}\n{alias}")
    )
    ws.up()
    assert ws.last_update_changes() == {"same": 6}
    assert account.everything() == before
    _no_drift(ws)
    ws.destroy()


def test_rename_without_an_alias_is_refused_saying_to_alias_and_loses_nothing(
    native: Callable[..., Workspace], account: Account
) -> None:
    ws = native("unaliased")
    ws.up()
    before = account.everything()
    program = ws.project_dir / "Pulumi.yaml"
    original = program.read_text()
    program.write_text(original.replace("${store.", "${memory.").replace("\n  store:\n", "\n  memory:\n"))
    failed = ws.fails("up", "--yes", "--skip-preview")
    assert "list its old URN in aliases" in failed.output, failed.output
    assert account.everything() == before

    # Following the advice: the alias moves the store and its dependents without a change.
    program.write_text(
        program.read_text().replace(
            "\n  memory:\n    type: " + STORE + "\n",
            f"\n  memory:\n    type: {STORE}\n    options:\n      aliases:\n        - {_urn(ws, 'store')}\n",
        )
    )
    ws.up()
    assert account.everything() == before
    _no_drift(ws)
    ws.destroy()
    assert account.stores() == {}


def test_resource_options_protect_ignore_changes_and_retain_on_delete(
    native: Callable[..., Workspace], account: Account
) -> None:
    ws = native("options")
    ws.up()
    store_id, mapping_id = ws.outputs()["storeId"], ws.outputs()["mappingId"]
    program = ws.project_dir / "Pulumi.yaml"
    original = program.read_text()

    # protect: a change that would replace the trait group is refused before anything is touched.
    program.write_text(_with_options(original, "group", "twilio-memory:index:TraitGroup", "protect: true"))
    ws.up()
    before = account.everything()
    ws.config_set("groupName", "Renamed")
    failed = ws.fails("up", "--yes", "--skip-preview")
    assert "marked for protection" in failed.output, failed.output
    assert account.everything() == before
    ws.config_set("groupName", "Loyalty")

    # ignoreChanges: an edit of the ignored property changes nothing live, and is no drift.
    program.write_text(_with_options(original, "store", STORE, "ignoreChanges: [description]"))
    ws.config_set("storeDescription", "ignored")
    ws.up()
    assert account.store(store_id)["description"] == "Support memory"  # type: ignore[index]
    _no_drift(ws)
    ws.config_set("storeDescription", "Support memory")

    # retainOnDelete: the mapping leaves the program but stays live; the import option takes it back.
    mapping = "twilio-memory:index:DataMapping"
    program.write_text(_with_options(original, "mapping", mapping, "retainOnDelete: true"))
    ws.up()
    block = original[original.index("\n  mapping:\n") : original.index("\n  conversation:\n")]
    program.write_text(original.replace(block, "").replace("  mappingId: ${mapping.id}\n", ""))
    ws.up()
    assert mapping_id.split("/")[1] in account.data_mappings(store_id)
    assert not any(r["urn"].endswith("::mapping") for r in ws.resources())
    program.write_text(_with_options(original, "mapping", mapping, f"import: {mapping_id}"))
    ws.up()
    assert ws.outputs()["mappingId"] == mapping_id and len(account.data_mappings(store_id)) == 1
    program.write_text(original)
    _no_drift(ws)
    ws.destroy()
    assert account.stores() == {} and account.configurations() == {}


def _with_options(program: str, name: str, type_token: str, option: str) -> str:
    """``program`` with one resource option set on the resource ``name`` (which has none)."""
    head = f"\n  {name}:\n    type: {type_token}\n"
    assert head in program, f"{name} is not a {type_token} of the program"
    return program.replace(head, f"{head}    options:\n      {option}\n")


def test_pulumi_import_takes_over_each_resource_made_outside_the_stack(
    native: Callable[..., Workspace], emulator: EmulatorServer, account: Account
) -> None:
    made = native("made")  # makes the resources, then forgets them: they are out of band now
    made.up()
    ids = made.outputs()
    for name in ("mapping", "conversation", "identity", "group", "store"):
        made.run("state", "delete", _urn(made, name), "--yes")
    before = account.everything()

    ws = native("importer", storeName="native-made")
    emulator.control.reset_stats()
    for kind, name, key in (
        ("Store", "store", "storeId"),
        ("TraitGroup", "group", "groupId"),
        ("IdentityResolutionSettings", "identity", "identityId"),
        ("DataMapping", "mapping", "mappingId"),
        ("ConversationConfiguration", "conversation", "configurationId"),
    ):
        ws.run("import", f"twilio-memory:index:{kind}", name, ids[key], "--yes", "--protect=false")
    assert _writes(emulator) == {}, "an import wrote to the account"
    ws.preview("--expect-no-changes")  # the program matches what was imported
    ws.up()
    assert account.everything() == before
    _no_drift(ws)
    ws.destroy()
    assert account.stores() == {} and account.configurations() == {}


def test_bad_input_is_refused_in_preview_naming_the_field(
    native: Callable[..., Workspace], emulator: EmulatorServer
) -> None:
    emulator.control.reset_stats()
    for config, field, allowed in (
        ({"storeName": "not a name!"}, "displayName", "1-64"),
        ({"tierType": "TEXT"}, "traits.tier.dataType", "STRING"),
    ):
        ws = native(f"bad{len(field)}", **config)
        failed = ws.fails("preview")
        assert field in failed.output and allowed in failed.output, failed.output
        assert "Traceback" not in failed.output
    assert emulator.control.stats()["byRoute"] == {}, "bad input reached the API"


def test_missing_credentials_fail_the_preview_saying_what_to_set(
    native: Callable[..., Workspace], emulator: EmulatorServer
) -> None:
    ws = native("nocreds", env=twilio_env(emulator.base_url))
    failed = ws.fails("preview")
    assert "twilio-memory:apiKey" in failed.output and "TWILIO_API_KEY" in failed.output, failed.output


def test_secrets_stay_out_of_state_output_and_logs(
    native: Callable[..., Workspace], emulator: EmulatorServer
) -> None:
    ws = native("secrets", env=twilio_env(emulator.base_url))
    ws.config_set("twilio-memory:apiKey", emulator.api_key)
    ws.config_set("twilio-memory:apiSecret", emulator.api_secret, secret=True)
    ws.up()
    ws.refresh()
    ws.destroy()
    assert secret_leaks(ws, {"API secret": emulator.api_secret}) == []


def test_custom_timeouts_bound_a_create(
    native: Callable[..., Workspace], settings_restored: EmulatorServer, account: Account
) -> None:
    settings_restored.control.settings(provisioning_delay=60)
    ws = native("timeout")
    program = ws.project_dir / "Pulumi.yaml"
    original = program.read_text()
    program.write_text(
        original.replace(
            "      description: ${storeDescription}\n",
            "      description: ${storeDescription}\n"
            "    options:\n      customTimeouts:\n        create: 3s\n",
            1,
        )
    )
    failed = ws.fails("up", "--yes", "--skip-preview")
    assert "did not" in failed.output or "timed out" in failed.output.lower(), failed.output
    (store,) = account.stores().values()
    assert store["status"] != "ACTIVE"  # it gave up long before the 60 s of provisioning
    settings_restored.control.settings(provisioning_delay=1)
    settings_restored.control.advance_clock(60)  # its provisioning is over
    program.write_text(original)
    ws.up()
    assert len(account.stores()) == 1  # nothing made twice
    assert ws.outputs()["storeId"] == store["id"]
    _no_drift(ws)


def test_an_interrupted_up_records_what_it_made_and_the_next_up_finishes_it(
    native: Callable[..., Workspace], settings_restored: EmulatorServer, account: Account
) -> None:
    emulator = settings_restored
    emulator.control.settings(provisioning_delay=60)
    ws = native("interrupted")
    emulator.control.reset_stats()
    up = subprocess.Popen(
        [str(ws.cli.binary), "up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"],
        cwd=ws.project_dir,
        env=ws.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Until the provider waits on the store itself (its create operation done, its id known).
        while not emulator.control.stats()["byRoute"].get("GET /v1/ControlPlane/Stores/{storeId}"):
            assert up.poll() is None, up.communicate()[0]
            time.sleep(0.1)
        up.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = up.communicate(timeout=45)
    finally:
        if up.poll() is None:
            up.kill()
    assert up.returncode != 0, output
    (store,) = account.stores().values()
    assert store["status"] != "ACTIVE", output  # the waits ended long before provisioning did
    emulator.control.settings(provisioning_delay=1)
    emulator.control.advance_clock(60)  # its provisioning is over
    ws.up()
    assert [s["id"] for s in account.stores().values()] == [store["id"]]  # finished, not made twice
    assert ws.outputs()["storeId"] == store["id"]
    _no_drift(ws)


def test_lost_answers_make_nothing_twice(
    native: Callable[..., Workspace], emulator: EmulatorServer, account: Account
) -> None:
    """Every create applied but its answer lost (the connection dropped after Twilio acted), at
    realistic delays: one ``pulumi up`` converges on one of each, and no drift follows."""
    routes = (
        "POST /v1/ControlPlane/Stores",
        "POST /v1/ControlPlane/Stores/{storeId}/TraitGroups",
        "POST /v1/ControlPlane/Stores/{storeId}/DataMappings",
        "PUT /v1/ControlPlane/Stores/{storeId}/IdentityResolutionSettings",
        "POST /v2/ControlPlane/Configurations",
    )
    for route in routes:
        emulator.control.add_fault(action="drop", route=route, phase="after", times=1)
    ws = native("lost")
    ws.up()
    assert [f["hits"] for f in emulator.control.faults()] == [1] * len(routes)  # every answer was lost
    emulator.control.clear_faults()
    (store,) = account.stores().values()
    assert ws.outputs()["storeId"] == store["id"]
    assert set(account.trait_groups(store["id"])) == {"Contact", "Loyalty"}
    assert len(account.data_mappings(store["id"])) == 1 and len(account.configurations()) == 1
    _no_drift(ws)


def test_a_stack_pointed_at_another_endpoint_stops_before_any_request(
    native: Callable[..., Workspace], emulator: EmulatorServer, account: Account
) -> None:
    ws = native("bound")
    ws.up()
    before = account.everything()
    ws.config_set("twilio-memory:memoryBaseUrl", "https://memory.twilio.com")
    emulator.control.reset_stats()
    failed = ws.fails("preview")
    assert "lives in" in failed.output and "https://memory.twilio.com" in failed.output, failed.output
    assert _writes(emulator) == {}
    ws.run("config", "rm", "twilio-memory:memoryBaseUrl")
    _no_drift(ws)
    assert account.everything() == before


def test_tenant_memory_onboards_a_tenant_in_one_resource(
    native: Callable[..., Workspace], emulator: EmulatorServer, account: Account
) -> None:
    ws = native("tenant", program=TENANT_PROGRAM)
    ws.up()
    out = ws.outputs()
    store = account.store(out["storeId"])
    assert store is not None and store["displayName"] == "native-tenant"
    groups = account.trait_groups(store["id"])
    assert set(groups) == {"Contact", "Preferences"} and out["traitGroupIds"] == {
        "Preferences": f"{store['id']}/Preferences"
    }
    (mapping,) = account.data_mappings(store["id"]).values()
    assert out["dataMappingIds"] == {"crm-import": f"{store['id']}/{mapping['id']}"}
    configuration = account.configuration(out["configurationId"])
    assert configuration is not None and configuration["memoryStoreId"] == store["id"]
    assert configuration["channelSettings"]["CHAT"]["statusTimeouts"] == {"inactive": 5, "closed": 30}
    _no_drift(ws)

    ws.config_set("tierDescription", "Loyalty tier, v2")
    emulator.control.reset_stats()
    ws.up()
    assert _writes(emulator) == {"PATCH /v1/ControlPlane/Stores/{storeId}/TraitGroups/{traitGroupName}": 1}
    assert (
        account.trait_group(store["id"], "Preferences")["traits"]["tier"]["description"] == "Loyalty tier, v2"
    )  # type: ignore[index]
    _no_drift(ws)

    ws.config_set("storeName", "not a name!")
    emulator.control.reset_stats()
    failed = ws.fails("preview")
    assert "displayName: String should match pattern" in failed.output and "Traceback" not in failed.output
    assert _writes(emulator) == {}
    ws.config_set("storeName", "native-tenant")
    ws.destroy()
    assert account.stores() == {} and account.configurations() == {}


def test_the_schema_is_what_the_cli_and_codegen_read(pulumi_cli: PulumiCLI, tmp_path: Path) -> None:
    ws = pulumi_cli.workspace(tmp_path, tmp_path)
    plugin = str(Path(sys.prefix) / "bin" / "pulumi-resource-twilio-memory")  # the package's console script
    schema = json.loads(ws.run("package", "get-schema", plugin).stdout)
    names = ("Store", "TraitGroup", "IdentityResolutionSettings", "DataMapping", "ConversationConfiguration")
    assert set(schema["resources"]) == {f"twilio-memory:index:{n}" for n in (*names, "TenantMemory")}
    assert schema["resources"]["twilio-memory:index:TenantMemory"]["isComponent"] is True
    store = schema["resources"][STORE]
    assert store["requiredInputs"] == ["displayName"] and "status" in store["properties"]
    assert schema["config"]["variables"]["apiSecret"]["secret"] is True
    group = schema["resources"]["twilio-memory:index:TraitGroup"]["inputProperties"]
    assert group["storeId"]["replaceOnChanges"] is True
    ws.run("package", "gen-sdk", plugin, "--language", "python", "--out", str(tmp_path / "sdk"))
    assert (tmp_path / "sdk" / "python").is_dir()

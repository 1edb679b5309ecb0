"""The real tenant-onboarding program (root ``Pulumi.yaml``, stack ``dev``) under the real CLI.

One stack is deployed once for the module and the scenarios run in order against it, as an
operator's week would: deploy, converge, check drift, repair, lose a resource, destroy.
Credentials come only from stack config (``pulumi config set --secret twilio-memory:authToken``);
the CLI's environment has no ``TWILIO_*`` variable. ``test_resource_lifecycle.py`` covers the
environment-variable path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from e2e_api import Deployed, deployed_stack
from e2e_harness import REPO_ROOT, REPORT, PulumiCLI, Workspace, copy_project, provider_sizes, secret_leaks
from twilio_memory_emulator.testing import EmulatorServer

#: One story on one stack, each test continuing from the last: run whole, in order, on one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-tenant-onboarding")]

DYNAMIC = "pulumi-python:dynamic/twilio-memory:"
#: The one read each resource's refresh should cost.
READ_ROUTE = {
    "Store": "GET /v1/ControlPlane/Stores/{storeId}",
    "TraitGroup": "GET /v1/ControlPlane/Stores/{storeId}/TraitGroups/{traitGroupName}",
    "IdentityResolutionSettings": "GET /v1/ControlPlane/Stores/{storeId}/IdentityResolutionSettings",
    "ConversationConfiguration": "GET /v2/ControlPlane/Configurations/{id}",
}
#: What Pulumi.dev.yaml declares: stack + 3 TenantMemory + 3 stores + 3 identity-resolution
#: settings + 5 trait groups (acme 3, globex 1, initech 1) + 2 configurations (initech has none).
#: (3 tenants: no pool, every resource on the default provider; test_host_pool.py covers pools.)
RESOURCE_COUNT = 17
#: What is not a dynamic resource: the stack and the 3 TenantMemory components.
NOT_DYNAMIC = 4
#: How Pulumi's state marks a secret value: this signature key and value, plus "ciphertext".
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
TENANTS = ("acme", "globex", "initech")


@pytest.fixture(scope="module")
def deployed(
    pulumi_cli: PulumiCLI, e2e_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("tenant-onboarding")
    project = copy_project(REPO_ROOT, root / "project", ["Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"])
    ws = pulumi_cli.workspace(root, project)
    ws.init_stack("dev")
    ws.config_set("twilio-memory:accountSid", e2e_emulator.account_sid)
    ws.config_set("twilio-memory:authToken", e2e_emulator.auth_token, secret=True)
    ws.config_set("twilio-memory:memoryBaseUrl", e2e_emulator.base_url)
    ws.config_set("twilio-memory:conversationsBaseUrl", e2e_emulator.base_url)
    with deployed_stack(ws, e2e_emulator) as stack:
        yield stack


def _urns(ws: Workspace) -> set[str]:
    return {resource["urn"] for resource in ws.resources()}


def test_up_creates_what_the_program_declares(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    assert ws.last_update_changes() == {"create": RESOURCE_COUNT}
    outputs = deployed.outputs()

    stores = api.stores()
    assert set(stores) == {f"dev-{tenant}" for tenant in TENANTS}
    assert {tenant: stores[f"dev-{tenant}"]["id"] for tenant in TENANTS} == outputs["storeIds"]
    assert {store["status"] for store in stores.values()} == {"ACTIVE"}
    assert stores["dev-acme"]["description"] == "Acme Corp support memory (dev)"

    acme, globex, initech = (outputs["storeIds"][tenant] for tenant in TENANTS)
    acme_groups = api.trait_groups(acme)
    assert set(acme_groups) == {"Contact", "Preferences", "Orders", "Warranty"}  # Contact: Twilio's seed
    assert set(acme_groups["Preferences"]["traits"]) == {"tier", "language", "marketingOptIn", "seatCount"}
    assert acme_groups["Orders"]["traits"]["lifetimeValue"] == {
        "dataType": "NUMBER",
        "validationRule": {"ruleType": "NUMBER", "min": 0},
    }
    assert set(api.trait_groups(globex)["Preferences"]["traits"]) == {"tier", "language", "marketingOptIn"}
    assert set(api.trait_groups(initech)) == {"Contact", "Preferences"}

    settings = api.identity_resolution(initech)
    assert settings is not None
    assert settings["matchingRules"] == ["email", "phone"]
    assert {c["idType"]: c["limit"] for c in settings["identifierConfigs"]} == {"email": 5, "phone": 3}
    default = api.identity_resolution(acme)
    assert default is not None and default["matchingRules"] == ["email", "whatsapp", "phone"]

    configurations = api.configurations()
    by_store = {c["memoryStoreId"]: c for c in configurations.values()}
    assert set(by_store) == {acme, globex}  # initech: conversation: false
    assert outputs["configurationIds"] == {
        "acme": by_store[acme]["id"],
        "globex": by_store[globex]["id"],
        "initech": None,
    }
    for configuration in by_store.values():
        assert configuration["conversationGroupingType"] == "GROUP_BY_PARTICIPANT_ADDRESSES"
        assert configuration["channelSettings"]["CHAT"]["statusTimeouts"] == {"inactive": 5, "closed": 30}


def test_second_up_and_preview_report_no_changes(deployed: Deployed) -> None:
    ws = deployed.ws
    ws.up()
    assert ws.last_update_changes() == {"same": RESOURCE_COUNT}
    preview = ws.preview("--expect-no-changes")
    assert f"{RESOURCE_COUNT} unchanged" in preview.stdout


def test_noop_preview_writes_nothing_and_refresh_reads_each_resource_once(deployed: Deployed) -> None:
    ws, control = deployed.ws, deployed.emulator.control
    control.reset_stats()
    ws.preview("--expect-no-changes")
    assert deployed.writes() == {}
    assert control.stats()["total"] == 0  # not even a read: check and diff are offline

    kinds = Counter(r["type"].removeprefix(DYNAMIC) for r in ws.resources() if r["type"].startswith(DYNAMIC))
    assert sum(kinds.values()) == RESOURCE_COUNT - NOT_DYNAMIC
    control.reset_stats()
    ws.refresh()
    assert control.stats()["byRoute"] == {READ_ROUTE[kind]: count for kind, count in kinds.items()}
    assert ws.last_update_changes() == {"same": RESOURCE_COUNT}  # reading back is not drift


def test_drift_is_reported_and_put_back(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    outputs = deployed.outputs()
    acme, globex = outputs["storeIds"]["acme"], outputs["storeIds"]["globex"]
    configuration = outputs["configurationIds"]["acme"]
    before = (api.store(globex), api.trait_group(acme, "Orders"), api.configuration(configuration))

    # A colleague edits three things in the Console.
    api.patch_store(globex, description="Edited in the Console")
    api.patch_trait_group(acme, "Orders", traits={"couponCode": {"dataType": "STRING"}})
    api.patch_configuration(configuration, conversationGroupingType="GROUP_BY_PROFILE")

    check = ws.preview("--refresh", "--expect-no-changes", "--diff", expect=None)
    assert check.returncode != 0, check.describe()
    assert "no changes were expected" in check.output, check.describe()
    for drifted in ("Edited in the Console", "couponCode", "GROUP_BY_PROFILE"):
        assert drifted in check.output, check.describe()
    for name in ("description", "traits", "conversation_grouping_type"):
        assert f"~ {name}" in check.output or f"- {name}" in check.output, check.describe()

    ws.up("--refresh")
    after = (api.store(globex), api.trait_group(acme, "Orders"), api.configuration(configuration))
    for old, new in zip(before, after, strict=True):
        assert old is not None and new is not None
        assert new["version"] > old["version"]
        ignored = {"version", "updatedAt", "dataAsOf"}
        assert {k: v for k, v in new.items() if k not in ignored} == {
            k: v for k, v in old.items() if k not in ignored
        }
    ws.preview("--refresh", "--expect-no-changes")


def test_out_of_band_delete_is_dropped_by_refresh_and_recreated_by_up(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    outputs = deployed.outputs()
    initech, old_configuration = outputs["storeIds"]["initech"], outputs["configurationIds"]["globex"]
    api.delete_configuration(old_configuration)
    api.delete_trait_group(initech, "Preferences")
    gone = {"ConversationConfiguration::globex", "TraitGroup::initech/Preferences"}

    ws.refresh()
    assert ws.last_update_changes() == {"delete": 2, "same": RESOURCE_COUNT - 2}
    assert not {urn for urn in _urns(ws) if urn.endswith(tuple(gone))}

    ws.up()
    assert ws.last_update_changes() == {"create": 2, "same": RESOURCE_COUNT - 2}
    assert len([urn for urn in _urns(ws) if urn.endswith(tuple(gone))]) == 2
    new_configuration = deployed.outputs()["configurationIds"]["globex"]
    assert new_configuration != old_configuration
    recreated = api.configuration(new_configuration)
    assert recreated is not None and recreated["memoryStoreId"] == outputs["storeIds"]["globex"]
    assert api.trait_group(initech, "Preferences") is not None


def test_state_holds_no_credential(deployed: Deployed) -> None:
    ws, emulator = deployed.ws, deployed.emulator
    assert "secure:" in (ws.project_dir / "Pulumi.dev.yaml").read_text()  # set with --secret
    # The default provider holds the whole stack config; the token only as ciphertext.
    providers = [r for r in ws.resources() if r["type"] == "pulumi:providers:pulumi-python"]
    assert len(providers) == 1
    for provider in providers:
        token = provider["inputs"]["twilio-memory:authToken"]
        assert token[SECRET_SIG[0]] == SECRET_SIG[1] and set(token) == {SECRET_SIG[0], "ciphertext"}
    assert secret_leaks(ws, {"auth token": emulator.auth_token, "API secret": emulator.api_secret}) == []
    sizes = provider_sizes(ws.resources())
    assert len(sizes) == RESOURCE_COUNT - NOT_DYNAMIC
    for name, size in sorted(sizes.items()):
        assert size < 2048, f"{name}: __provider is {size} bytes; the provider must be a bare class reference"
    REPORT.append("__provider bytes per resource (tenant-onboarding dev): " + _summarize(sizes))


def test_destroy_leaves_the_account_empty(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    ws.destroy()
    assert ws.last_update_changes() == {"delete": RESOURCE_COUNT}
    assert api.stores() == {}
    assert api.configurations() == {}
    account = deployed.emulator.control.state()["accounts"][deployed.emulator.account_sid]
    assert account["stores"] == {} and account["configurations"] == {}
    assert ws.resources() == []
    assert secret_leaks(ws, {"auth token": deployed.emulator.auth_token}) == []


def _summarize(sizes: dict[str, int]) -> str:
    by_kind: dict[str, list[int]] = {}
    for name, size in sizes.items():
        by_kind.setdefault(name.split()[0], []).append(size)
    return ", ".join(
        f"{kind} {min(v)}-{max(v)}" if min(v) != max(v) else f"{kind} {v[0]}"
        for kind, v in sorted(by_kind.items())
    )

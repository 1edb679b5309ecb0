"""Each dynamic resource through input changes, bad input, a concurrent edit and destroy, under the
real CLI, with a purpose-built program (``programs/resources``: one of each resource, every input
from stack config, so a scenario changes an input with ``pulumi config set`` as a user would).

Credentials come from the environment (``TWILIO_API_KEY``/``TWILIO_API_SECRET``), the other path
besides stack config (``test_tenant_onboarding.py``). One stack, scenarios in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_api import Deployed
from e2e_harness import REPORT, provider_sizes, secret_leaks

#: One story on one stack, each test continuing from the last: run whole, in order, on one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-resource-lifecycle")]

NS = "e2e-resources"
#: stack + store + trait group + identity-resolution settings + configuration
RESOURCE_COUNT = 5
#: What every new store starts with, and what destroy must leave behind.
DEFAULT_MATCHING_RULES = ["email", "whatsapp", "phone"]


@pytest.fixture(scope="module")
def deployed(resources_deployed: Deployed) -> Deployed:
    return resources_deployed


@pytest.fixture
def restore_config(deployed: Deployed) -> Iterator[None]:
    """Put the stack config file back after a test that breaks it on purpose."""
    path = deployed.ws.project_dir / "Pulumi.e2e.yaml"
    saved = path.read_text()
    yield
    path.write_text(saved)


def test_up_creates_one_of_each(deployed: Deployed) -> None:
    assert deployed.ws.last_update_changes() == {"create": RESOURCE_COUNT}
    outputs, api = deployed.outputs(), deployed.api
    store_id = outputs["storeId"]
    assert outputs["traitGroupId"] == f"{store_id}/Loyalty"
    assert outputs["identityId"] == store_id
    assert set(api.stores()) == {"e2e-store"}
    settings = api.identity_resolution(store_id)
    assert settings is not None and settings["matchingRules"] == ["email", "phone"]
    configuration = api.configuration(outputs["configurationId"])
    assert configuration is not None and configuration["memoryStoreId"] == store_id


def test_input_changes_update_in_place(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    before = deployed.outputs()
    ws.config_set(f"{NS}:storeDescription", "Described again")
    ws.config_set(f"{NS}:traits.vip.data_type", "BOOLEAN", path=True)
    ws.config_set(f"{NS}:conversation.conversation_grouping_type", "GROUP_BY_PROFILE", path=True)

    preview = ws.preview("--diff")
    assert "3 to update" in preview.stdout, preview.describe()
    assert "replace" not in preview.stdout, preview.describe()
    ws.up()
    assert ws.last_update_changes() == {"update": 3, "same": RESOURCE_COUNT - 3}
    assert deployed.outputs() == before  # same store, group and configuration: updated, not replaced

    store = api.store(before["storeId"])
    assert store is not None and store["description"] == "Described again"
    group = api.trait_group(before["storeId"], "Loyalty")
    assert group is not None and set(group["traits"]) == {"tier", "points", "vip"}
    assert group["traits"]["vip"]["dataType"] == "BOOLEAN"
    configuration = api.configuration(before["configurationId"])
    assert configuration is not None and configuration["conversationGroupingType"] == "GROUP_BY_PROFILE"
    ws.preview("--expect-no-changes")


def test_trait_group_rename_replaces_it(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    store_id = deployed.outputs()["storeId"]
    ws.config_set(f"{NS}:groupName", "LoyaltyProgram")

    preview = ws.preview("--diff")
    assert "1 to replace" in preview.stdout, preview.describe()
    assert "display_name" in preview.stdout, preview.describe()
    ws.up()
    assert ws.last_update_changes() == {"replace": 1, "same": RESOURCE_COUNT - 1}
    assert deployed.outputs()["traitGroupId"] == f"{store_id}/LoyaltyProgram"
    assert api.trait_group(store_id, "Loyalty") is None
    renamed = api.trait_group(store_id, "LoyaltyProgram")
    assert renamed is not None and set(renamed["traits"]) == {"tier", "points", "vip"}


@pytest.mark.parametrize(
    ("key", "value", "field", "allowed"),
    [
        ("storeName", "not a valid name!", "display_name", "letters, digits or '-'"),
        ("identity.matching_rules[1]", "whatsapp", "matching_rules", "whatsapp"),
        (
            "conversation.conversation_grouping_type",
            "GROUP_BY_MOOD",
            "conversation_grouping_type",
            "GROUP_BY_PROFILE",
        ),
    ],
)
@pytest.mark.usefixtures("restore_config")
def test_invalid_input_fails_preview_naming_the_field_without_writes(
    deployed: Deployed, key: str, value: str, field: str, allowed: str
) -> None:
    ws, control = deployed.ws, deployed.emulator.control
    ws.config_set(f"{NS}:{key}", value, path="." in key or "[" in key)
    control.reset_stats()
    preview = ws.fails("preview")
    assert field in preview.output, preview.describe()
    assert allowed in preview.output, preview.describe()
    assert deployed.writes() == {}


@pytest.mark.usefixtures("restore_config")
def test_preview_accepts_what_the_spec_accepts_and_refuses_what_it_refuses(deployed: Deployed) -> None:
    """Twilio's OpenAPI spec decides: a 64-character store name and a trait named ``FirstName``
    (stored as ``firstName``) pass `pulumi preview`; a 513-character configuration description
    fails it, naming the field. No API call either way (preview checks offline)."""
    ws, control = deployed.ws, deployed.emulator.control
    ws.config_set(f"{NS}:storeName", "s" * 64)
    ws.config_set(f"{NS}:traits.FirstName.data_type", "STRING", path=True)
    control.reset_stats()
    accepted = ws.preview("--diff")
    assert "firstName" in accepted.stdout, accepted.describe()  # recorded as the API will store it
    ws.config_set(f"{NS}:conversation.description", "d" * 513, path=True)
    refused = ws.fails("preview")
    assert "description" in refused.output and "at most 512" in refused.output, refused.describe()
    assert control.stats()["total"] == 0


def test_concurrent_change_between_refresh_and_update_is_refused(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    outputs = deployed.outputs()
    store_id, configuration_id = outputs["storeId"], outputs["configurationId"]
    group = outputs["traitGroupId"].split("/", 1)[1]
    wanted, theirs = "What Pulumi wants", "A colleague's edit"

    # Dependents first (a failed store update would stop them from being attempted at all).
    ws.refresh()  # Pulumi records the current versions (trait group ETag, configuration version)
    ws.config_set(f"{NS}:groupDescription", wanted)
    ws.config_set(f"{NS}:conversation.description", wanted, path=True)
    api.patch_trait_group(store_id, group, description=theirs)  # lands after the refresh
    api.patch_configuration(configuration_id, description=theirs)
    refused = ws.up("--continue-on-error", expect=None)
    assert refused.returncode != 0, refused.describe()
    diagnostics = refused.stdout.split("Diagnostics:", 1)[-1]
    for resource in ("TraitGroup (group)", "ConversationConfiguration (conversation)"):
        message = diagnostics.split(resource, 1)[-1].split("\n\n", 1)[0]
        assert resource in diagnostics and "changed outside Pulumi" in message, refused.describe()
        assert "pulumi refresh" in message, refused.describe()
    assert "(HTTP 412, Twilio error 20412)" in diagnostics, refused.describe()  # the trait group's If-Match
    assert _description(api.trait_group(store_id, group)) == theirs
    assert _description(api.configuration(configuration_id)) == theirs

    # The store: its ETag was recorded by the refresh above.
    ws.config_set(f"{NS}:storeDescription", wanted)
    api.patch_store(store_id, description=theirs)
    refused = ws.up(expect=None)
    assert refused.returncode != 0, refused.describe()
    assert (
        "Could not update store" in refused.output and "(HTTP 412, Twilio error 20412)" in refused.output
    ), refused.describe()
    assert "changed outside Pulumi" in refused.output, refused.describe()
    assert _description(api.store(store_id)) == theirs

    ws.up("--refresh")  # read first, then write: the way out the message names
    assert _description(api.store(store_id)) == wanted
    assert _description(api.trait_group(store_id, group)) == wanted
    assert _description(api.configuration(configuration_id)) == wanted
    ws.preview("--refresh", "--expect-no-changes")


def test_state_holds_no_credential(deployed: Deployed) -> None:
    emulator = deployed.emulator
    leaks = secret_leaks(deployed.ws, {"API secret": emulator.api_secret, "auth token": emulator.auth_token})
    assert leaks == []
    sizes = provider_sizes(deployed.ws.resources())
    assert len(sizes) == RESOURCE_COUNT - 1
    assert max(sizes.values()) < 2048, sizes
    REPORT.append(
        "__provider bytes per resource (programs/resources): "
        + ", ".join(f"{name} {size}" for name, size in sorted(sizes.items()))
    )


def test_destroy_restores_identity_defaults_and_empties_the_account(deployed: Deployed) -> None:
    ws, api = deployed.ws, deployed.api
    store_id = deployed.outputs()["storeId"]
    (identity,) = [r["urn"] for r in ws.resources() if r["type"].endswith(":IdentityResolutionSettings")]

    ws.destroy("--target", identity)
    settings = api.identity_resolution(store_id)
    assert settings is not None and settings["matchingRules"] == DEFAULT_MATCHING_RULES
    assert [c["idType"] for c in settings["identifierConfigs"]] == DEFAULT_MATCHING_RULES

    ws.destroy()
    assert api.stores() == {}
    assert api.configurations() == {}
    assert ws.resources() == []
    assert secret_leaks(ws, {"API secret": deployed.emulator.api_secret}) == []


def _description(found: dict[str, Any] | None) -> str:
    assert found is not None, "the resource is gone"
    return str(found["description"])

"""TenantMemory under Pulumi's mock runtime: what it registers, how it is wired, what it rejects."""

from __future__ import annotations

from typing import Any

import httpx
import pulumi
import pytest
from _tenant_mocks import COMPONENT, Recorder, mocked, run
from pulumi_twilio_memory import TenantMemory
from pulumi_twilio_memory.components.tenant import TenantConfigurationError, tenant_problems
from twilio_memory_api.models import DEFAULT_IDENTITY_RESOLUTION

PREFERENCES = {
    "description": "What the customer likes",
    "traits": {"tier": {"data_type": "STRING", "description": "loyalty tier"}},
}


def outputs_of(tenant: TenantMemory, sink: dict[str, Any]) -> pulumi.Output[Any]:
    def keep(values: list[Any]) -> None:
        sink.update(store_id=values[0], configuration_id=values[1], trait_groups=values[2])

    return pulumi.Output.all(tenant.store_id, tenant.configuration_id, tenant.trait_groups).apply(keep)


def test_one_line_tenant_gets_store_identity_resolution_and_conversation() -> None:
    out: dict[str, Any] = {}
    with mocked() as rec:
        run(lambda: outputs_of(TenantMemory("acme"), out))

    component = rec.one("TenantMemory", "acme")
    assert component.type == COMPONENT
    store = rec.one("Store", "acme")
    assert store.inputs["display_name"] == "acme"
    assert store.inputs["description"] == "Conversation memory for acme"
    ids = rec.one("IdentityResolutionSettings", "acme")
    assert ids.inputs["store_id"] == store.id
    assert ids.inputs["matching_rules"] == ["email", "whatsapp", "phone"]
    expected_configs = DEFAULT_IDENTITY_RESOLUTION.model_dump(mode="json", exclude_none=True)[
        "identifier_configs"
    ]
    assert ids.inputs["identifier_configs"] == expected_configs
    conv = rec.one("ConversationConfiguration", "acme")
    assert conv.inputs["memory_store_id"] == store.id
    assert conv.inputs["display_name"] == "acme"
    assert conv.inputs["conversation_grouping_type"] == "GROUP_BY_PARTICIPANT_ADDRESSES"
    assert rec.of_kind("TraitGroup") == []  # Contact is seeded by Twilio, never created

    assert out == {"store_id": store.id, "configuration_id": conv.id, "trait_groups": {}}
    assert store.id is not None and store.id.startswith("mem_store_")


def test_every_child_is_parented_to_the_component() -> None:
    with mocked() as rec:
        run(lambda: TenantMemory("acme", trait_groups={"Preferences": PREFERENCES}).store_id)
    component = rec.one("TenantMemory", "acme")
    children = [r for r in rec.registrations if r.kind != "TenantMemory"]
    assert {r.kind for r in children} == {
        "Store",
        "TraitGroup",
        "IdentityResolutionSettings",
        "ConversationConfiguration",
    }
    assert all(r.parent == component.urn for r in children)
    # the parent shows in every child's URN type chain, as in `pulumi stack --show-urns`
    assert all(f"{COMPONENT}$" in r.urn for r in children)


def test_trait_groups_are_wired_to_the_store_and_named_after_tenant_and_group() -> None:
    out: dict[str, Any] = {}
    groups = {"Preferences": PREFERENCES, "Orders": {"traits": {"lastOrderId": {"data_type": "STRING"}}}}
    with mocked() as rec:
        run(lambda: outputs_of(TenantMemory("acme", trait_groups=groups), out))
    store = rec.one("Store", "acme")
    prefs = rec.one("TraitGroup", "acme/Preferences")
    orders = rec.one("TraitGroup", "acme/Orders")
    assert prefs.inputs["store_id"] == store.id and orders.inputs["store_id"] == store.id
    assert prefs.inputs["display_name"] == "Preferences"
    assert prefs.inputs["traits"] == PREFERENCES["traits"]
    assert prefs.inputs["description"] == "What the customer likes"
    assert out["trait_groups"] == {"Preferences": f"{store.id}/Preferences", "Orders": f"{store.id}/Orders"}


def test_two_tenants_in_one_stack_do_not_collide_on_child_names() -> None:
    with mocked() as rec:
        run(
            lambda: [
                TenantMemory(name, trait_groups={"Preferences": PREFERENCES}).store_id
                for name in ("acme", "globex")
            ]
        )
    assert sorted(r.name for r in rec.of_kind("TraitGroup")) == ["acme/Preferences", "globex/Preferences"]
    stores = {r.name: r.id for r in rec.of_kind("Store")}
    assert stores["acme"] != stores["globex"]
    for name in ("acme", "globex"):
        assert rec.one("TraitGroup", f"{name}/Preferences").inputs["store_id"] == stores[name]


def test_conversation_and_identity_resolution_can_be_left_out() -> None:
    out: dict[str, Any] = {}
    with mocked() as rec:
        run(lambda: outputs_of(TenantMemory("acme", identity_resolution=False, conversation=False), out))
    assert [r.kind for r in rec.registrations] == ["TenantMemory", "Store"]
    assert out["configuration_id"] is None
    assert out["store_id"] == rec.one("Store", "acme").id


def test_overrides_reach_the_resources() -> None:
    settings = {
        "identifier_configs": [{"id_type": "email", "normalization": "email"}],
        "matching_rules": ["email"],
    }
    conversation = {
        "display_name": "acme support",
        "conversation_grouping_type": "GROUP_BY_PROFILE",
        "channel_settings": {"SMS": {"status_timeouts": {"inactive": 30, "closed": 1440}}},
        "memory_extraction_enabled": True,
    }
    with mocked() as rec:
        run(
            lambda: (
                TenantMemory(
                    "acme",
                    display_name="client-acme",
                    description="Acme support memory",
                    identity_resolution=settings,
                    conversation=conversation,
                    adopt=True,
                ).store_id
            )
        )
    store = rec.one("Store", "acme")
    assert store.inputs["display_name"] == "client-acme"
    assert store.inputs["description"] == "Acme support memory"
    assert store.inputs["adopt"] is True
    ids = rec.one("IdentityResolutionSettings", "acme")
    assert ids.inputs["identifier_configs"] == settings["identifier_configs"]
    assert ids.inputs["matching_rules"] == ["email"]
    conv = rec.one("ConversationConfiguration", "acme")
    assert conv.inputs["display_name"] == "acme support"
    assert conv.inputs["description"] == "Acme support memory"  # defaults to the store's
    assert conv.inputs["conversation_grouping_type"] == "GROUP_BY_PROFILE"
    assert conv.inputs["channel_settings"] == conversation["channel_settings"]
    assert conv.inputs["memory_extraction_enabled"] is True


def test_promoted_traits_wait_for_identity_resolution() -> None:
    groups = {"Loyalty": {"traits": {"memberId": {"data_type": "STRING", "id_type_promotion": "memberId"}}}}
    settings = {
        "identifier_configs": [{"id_type": "email"}, {"id_type": "memberId"}],
        "matching_rules": ["email", "memberId"],
    }
    with mocked() as rec:
        run(lambda: TenantMemory("acme", trait_groups=groups, identity_resolution=settings).store_id)
    ids = rec.one("IdentityResolutionSettings", "acme")
    assert ids.urn in rec.one("TraitGroup", "acme/Loyalty").dependencies


def test_protect_on_the_component_reaches_every_child() -> None:
    with mocked() as rec:
        run(lambda: TenantMemory("acme", opts=pulumi.ResourceOptions(protect=True)).store_id)
    children = [r for r in rec.registrations if r.kind != "TenantMemory"]
    assert len(children) == 3 and all(r.protect for r in children)


def test_construction_and_preview_make_no_http_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("TenantMemory made an HTTP call at construction/preview")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse)
    with mocked(preview=True) as rec:
        run(lambda: TenantMemory("acme", trait_groups={"Preferences": PREFERENCES}).store_id)
    assert len(rec.registrations) == 5


def test_outputs_as_inputs_are_accepted_without_validation() -> None:
    with mocked() as rec:
        run(lambda: TenantMemory("acme", display_name=pulumi.Output.from_input("client-acme")).store_id)
    assert rec.one("Store", "acme").inputs["display_name"] == "client-acme"
    assert rec.one("Store", "acme").inputs["description"] == "Conversation memory for client-acme"


# -- validation ---------------------------------------------------------------------------------


def rejected(**kwargs: Any) -> TenantConfigurationError:
    name = kwargs.pop("name", "acme")
    with mocked() as rec, pytest.raises(TenantConfigurationError) as info:
        TenantMemory(name, **kwargs)
    assert [r.kind for r in rec.registrations if r.kind != "TenantMemory"] == []
    return info.value


def test_a_contact_trait_group_is_refused_with_the_reason_and_the_way_out() -> None:
    err = rejected(trait_groups={"Contact": PREFERENCES})
    assert "trait_groups['Contact']: Twilio creates a 'Contact' trait group in every store" in str(err)
    assert "the name is taken" in str(err) and "'adopt': True" in str(err)


def test_the_seeded_contact_group_is_managed_when_adopted() -> None:
    contact = {"adopt": True, "traits": {"email": {"data_type": "STRING", "id_type_promotion": "email"}}}
    with mocked() as rec:
        run(lambda: TenantMemory("acme", trait_groups={"Contact": contact, "Prefs": PREFERENCES}).store_id)
    assert rec.one("TraitGroup", "acme/Contact").inputs["adopt"] is True
    assert rec.one("TraitGroup", "acme/Prefs").inputs["adopt"] is False


def test_adopting_a_tenant_adopts_its_store_and_groups() -> None:
    with mocked() as rec:
        run(lambda: TenantMemory("acme", trait_groups={"Contact": PREFERENCES}, adopt=True).store_id)
    assert rec.one("Store", "acme").inputs["adopt"] is True
    assert rec.one("TraitGroup", "acme/Contact").inputs["adopt"] is True


def test_a_name_that_cannot_be_a_display_name_says_to_pass_one() -> None:
    err = rejected(name="acme_corp")
    assert "display_name" in str(err) and "pass display_name=" in str(err)


def test_every_problem_is_reported_at_once() -> None:
    err = rejected(
        display_name="a" * 65,
        trait_groups={"Prefs": {"traits": {"Tier": {"data_type": "TEXT"}}}},
        identity_resolution={"identifier_configs": [{"id_type": "email"}], "matching_rules": ["phone"]},
        conversation={"memory_store_id": "mem_store_x"},
    )
    text = str(err)
    assert text.startswith("TenantMemory 'acme' has ")
    assert len(err.problems) >= 4
    assert "display_name" in text
    assert "trait_groups['Prefs'].traits" in text
    assert "identity_resolution.matching_rules: 'phone' is not a configured id_type" in text
    assert "conversation.memory_store_id" in text


def test_error_is_a_run_error_so_preview_prints_no_traceback() -> None:
    err = rejected(trait_groups={"Contact": {}})
    assert isinstance(err, pulumi.RunError) and isinstance(err, ValueError)


def test_problems_are_plain_data_for_callers() -> None:
    assert tenant_problems("acme") == []
    assert tenant_problems("acme", identity_resolution=False, conversation=False) == []
    problems = tenant_problems("acme", conversation="yes")
    assert problems == ["conversation: must be a mapping, None (defaults) or False (leave it out)"]


def test_recorder_sees_nothing_from_earlier_tests() -> None:
    # guards the helpers: each mocked() starts with an empty recorder
    with mocked() as rec:
        assert isinstance(rec, Recorder) and rec.registrations == []


CRM = {
    "mapping_from": {"type": "INGRESS", "columns": ["tier"]},
    "mapping_to": [{"expression": "$.tier", "trait_group": "Preferences", "trait_name": "tier"}],
}


def test_a_data_mapping_depends_on_the_trait_groups_it_maps_into() -> None:
    out: dict[str, Any] = {}
    groups = {"Preferences": PREFERENCES, "Orders": {"traits": {"total": {"data_type": "NUMBER"}}}}
    with mocked() as rec:
        tenant_ref: list[TenantMemory] = []

        def program() -> Any:
            tenant = TenantMemory("acme", trait_groups=groups, data_mappings={"crm-import": CRM})
            tenant_ref.append(tenant)
            return tenant.data_mappings.apply(out.update)

        run(program)

    store = rec.one("Store", "acme")
    mapping = rec.one("DataMapping", "acme/crm-import")
    assert mapping.parent == rec.one("TenantMemory", "acme").urn
    assert mapping.inputs["store_id"] == store.id and mapping.inputs["display_name"] == "crm-import"
    # Created after, and so destroyed before, the group it maps into; not tied to the others.
    assert rec.one("TraitGroup", "acme/Preferences").urn in mapping.dependencies
    assert rec.one("TraitGroup", "acme/Orders").urn not in mapping.dependencies
    assert out == {"crm-import": mapping.id} and str(mapping.id).startswith(f"{store.id}/mem_datamapping_")
    assert set(tenant_ref[0].data_mapping_resources) == {"crm-import"}


@pytest.mark.parametrize(
    ("mapping", "needle"),
    [
        (
            {**CRM, "mapping_to": [{"expression": "$.x", "trait_group": "Nope", "trait_name": "x"}]},
            "maps into trait group 'Nope', which is not a trait group of this tenant",
        ),
        (
            {
                **CRM,
                "mapping_to": [{"expression": "$.x", "trait_group": "Preferences", "trait_name": "colour"}],
            },
            "maps into trait 'colour', which trait group 'Preferences' does not have (it has: tier)",
        ),
        ({**CRM, "mapping_from": {"type": "INGRESS"}}, "data_mappings['crm-import'].mapping_from"),
        ({"mapping_to": CRM["mapping_to"]}, "data_mappings['crm-import'].mapping_from: is required"),
    ],
)
def test_a_bad_data_mapping_stops_the_tenant_naming_it(mapping: dict[str, Any], needle: str) -> None:
    problems = tenant_problems(
        "acme", trait_groups={"Preferences": PREFERENCES}, data_mappings={"crm-import": mapping}
    )
    assert any(needle in p for p in problems), problems


def test_a_data_mapping_may_write_into_the_seeded_contact_group() -> None:
    contact = {**CRM, "mapping_to": [{"expression": "$.e", "trait_group": "Contact", "trait_name": "email"}]}
    assert tenant_problems("acme", data_mappings={"crm-import": contact}) == []

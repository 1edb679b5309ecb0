"""The official twilio SDK (9.13) drives the emulator end to end, exactly as against Twilio."""

from __future__ import annotations

import pytest
from emu_helpers import configuration_body, data_mapping_body, sdk_client
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.conversations.v2.configuration import ConfigurationList
from twilio.rest.memory.v1.identity_resolution_setting import IdentityResolutionSettingList
from twilio.rest.memory.v1.store import StoreList
from twilio.rest.memory.v1.trait_group import TraitGroupList
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator


def _create_store(client: Client, name: str) -> str:
    response = client.memory.v1.stores.create_with_http_info(
        StoreList.ServiceRequest({"displayName": name, "description": f"{name} memory"})
    )
    assert response.status_code == 202
    operation_id = response.headers["Operation-Id"]
    assert response.headers["Location"] == response.data.status_url
    assert response.headers["Retry-After"].isdigit()
    operation = client.memory.v1.operations(operation_id).fetch()
    assert operation.status == "COMPLETED"
    assert operation.result["type"] == "RESOURCE_ID"
    return operation.result["id"]  # type: ignore[no-any-return]


def test_store_lifecycle_with_etags(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    store_id = _create_store(client, "acme")

    fetched = client.memory.v1.stores(store_id).fetch_with_http_info()
    store = fetched.data
    assert (store.id, store.display_name, store.description) == (store_id, "acme", "acme memory")
    assert store.status == "ACTIVE"
    assert store.version == 1
    assert store.intelligence_service_id.startswith("intelligence_service_")
    assert store.data_as_of is not None
    etag = fetched.headers["ETag"]

    patched = client.memory.v1.stores(store_id).patch_with_http_info(
        StoreList.PatchStoreRequest({"description": "renamed"}), if_match=etag
    )
    assert patched.status_code == 202
    after = client.memory.v1.stores(store_id).fetch_with_http_info()
    assert (after.data.description, after.data.version) == ("renamed", 2)
    assert after.headers["ETag"] != etag

    with pytest.raises(TwilioRestException) as stale:
        client.memory.v1.stores(store_id).patch(
            StoreList.PatchStoreRequest({"description": "lost"}), if_match=etag
        )
    assert stale.value.status == 412
    assert client.memory.v1.stores(store_id).fetch().description == "renamed"

    assert client.memory.v1.stores(store_id).delete()
    with pytest.raises(TwilioRestException) as gone:
        client.memory.v1.stores(store_id).fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)


def test_store_list_pages_through_every_store(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    created = {_create_store(client, f"tenant-{i}") for i in range(7)}
    listed = client.memory.v1.stores.list(page_size=3)
    assert sorted(listed) == sorted(created)
    first = client.memory.v1.stores.page(page_size=3, order_by="ASC")
    assert len(list(first)) == 3
    assert client.memory.v1.stores.list(limit=2) == listed[:2]


def test_trait_groups(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    store_id = _create_store(client, "acme")
    groups = client.memory.v1.trait_groups(store_id)
    created = groups.create_with_http_info(
        TraitGroupList.TraitGroupRequest(
            {
                "displayName": "Preferences",
                "description": "what they like",
                "traits": {
                    "tier": {"dataType": "STRING", "validationRule": {"ruleType": "STRING", "maxLength": 10}},
                    "visits": {"dataType": "NUMBER"},
                },
            }
        )
    )
    assert created.status_code == 202
    assert client.memory.v1.operations(created.headers["Operation-Id"]).fetch().result["id"] == "Preferences"

    fetched = client.memory.v1.trait_groups(store_id, "Preferences").fetch_with_http_info()
    group = fetched.data.trait_group
    assert group["traits"]["tier"]["validationRule"] == {"ruleType": "STRING", "maxLength": 10}
    assert group["version"] == 1

    client.memory.v1.trait_groups(store_id, "Preferences").patch(
        TraitGroupList.PatchTraitGroupRequest(
            {"traits": {"visits": {"dataType": ""}, "color": {"dataType": "STRING"}}}
        ),
        if_match=fetched.headers["ETag"],
    )
    after = client.memory.v1.trait_groups(store_id, "Preferences").fetch().trait_group
    assert sorted(after["traits"]) == ["color", "tier"]
    assert after["description"] == "what they like"
    assert after["version"] == 2

    names = [g.display_name for g in groups.list(include_traits=True)]
    assert sorted(names) == ["Contact", "Preferences"]
    without = {g.display_name: g.traits for g in groups.list()}
    assert without["Preferences"] is None

    with pytest.raises(TwilioRestException) as stale:
        client.memory.v1.trait_groups(store_id, "Preferences").patch(
            TraitGroupList.PatchTraitGroupRequest({"description": "x"}), if_match=fetched.headers["ETag"]
        )
    assert stale.value.status == 412

    client.memory.v1.trait_groups(store_id, "Preferences").delete()
    with pytest.raises(TwilioRestException) as gone:
        client.memory.v1.trait_groups(store_id, "Preferences").fetch()
    assert gone.value.status == 404


def test_identity_resolution_settings(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    store_id = _create_store(client, "acme")
    settings = client.memory.v1.identity_resolution_settings(store_id)
    current = settings.fetch_with_http_info()
    assert current.data.matching_rules == ["email", "whatsapp", "phone"]
    assert current.data.version == 1

    body = IdentityResolutionSettingList.IdentityResolutionSettingsCore(
        {
            "identifierConfigs": [
                {
                    "idType": "email",
                    "matchingAlgo": "exact",
                    "limit": 5,
                    "limitPolicy": "fifo",
                    "enforceUnique": True,
                    "normalization": "email",
                },
                {"idType": "phone", "matchingAlgo": "fuzzy", "matchingThreshold": 80},
            ],
            "matchingRules": ["phone", "email"],
        }
    )
    response = settings.update_with_http_info(body, if_match=current.headers["ETag"])
    assert response.status_code == 202
    updated = settings.fetch()
    assert updated.version == 2
    assert updated.matching_rules == ["phone", "email"]
    assert updated.identifier_configs[0]["limit"] == 5
    assert updated.identifier_configs[1]["normalization"] == "trim"  # the API's default

    with pytest.raises(TwilioRestException) as stale:
        settings.update(body, if_match=current.headers["ETag"])
    assert stale.value.status == 412


def test_conversation_configurations(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    store_id = _create_store(client, "acme")
    other_store = _create_store(client, "globex")
    configs = client.conversations.v2.configurations
    request = ConfigurationList.CreateConfigurationRequest(
        {
            "displayName": "acme",
            "description": "Acme support",
            "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
            "memoryStoreId": store_id,
            "channelSettings": {"SMS": {"statusTimeouts": {"inactive": 30, "closed": 60}}},
            "statusCallbacks": [{"url": "https://example.com/cb"}],
        }
    )
    key = "5f0c7a2e-8b1d-4c3e-9f6a-1b2c3d4e5f60"
    created = configs.create_with_http_info(idempotency_key=key, create_configuration_request=request)
    assert created.status_code == 202
    config_id = created.data.related["configurationId"]
    assert config_id.startswith("conv_configuration_")
    operation = client.conversations.v2.operations(created.headers["Operation-Id"]).fetch()
    assert operation.status == "COMPLETED"
    assert operation.related == {"configurationId": config_id}

    replay = configs.create_with_http_info(idempotency_key=key, create_configuration_request=request)
    assert replay.data.related == created.data.related
    assert replay.headers["Operation-Id"] == created.headers["Operation-Id"]

    config = configs(config_id).fetch()
    assert config.memory_store_id == store_id
    assert config.status_callbacks == [{"url": "https://example.com/cb", "method": "POST"}]
    assert config.version == 1

    configs(config_id).patch(
        patch_configuration_request=ConfigurationList.PatchConfigurationRequest(
            {
                "channelSettings": {"VOICE": {"statusTimeouts": {"inactive": 5}}},
                "memoryExtractionEnabled": True,
            }
        )
    )
    patched = configs(config_id).fetch()
    assert sorted(patched.channel_settings) == ["SMS", "VOICE"]
    assert patched.memory_extraction_enabled is True
    assert patched.version == 2

    configs(config_id).update(
        update_configuration_request=ConfigurationList.UpdateConfigurationRequest(
            {
                "description": "replaced",
                "conversationGroupingType": "GROUP_BY_PROFILE",
                "memoryStoreId": other_store,
                "channelSettings": {"CHAT": {}},
            }
        )
    )
    replaced = configs(config_id).fetch()
    assert (replaced.display_name, replaced.description, replaced.memory_store_id) == (
        "acme",
        "replaced",
        other_store,
    )
    assert replaced.channel_settings == {"CHAT": {}}
    assert replaced.memory_extraction_enabled is False  # PUT resets omitted fields

    assert [c.id for c in configs.list(memory_store_id=other_store)] == [config_id]
    assert configs.list(memory_store_id=store_id) == []

    configs(config_id).delete()
    with pytest.raises(TwilioRestException) as gone:
        configs(config_id).fetch()
    assert gone.value.status == 404


def test_api_key_authenticates_for_its_account(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator, emulator.api_key, emulator.api_secret)
    client.account_sid = emulator.account_sid
    store_id = _create_store(client, "via-key")
    assert sdk_client(emulator).memory.v1.stores(store_id).fetch().display_name == "via-key"


def test_sdk_errors_carry_twilio_codes(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    with pytest.raises(TwilioRestException) as bad:
        client.memory.v1.stores.create(StoreList.ServiceRequest({"displayName": "no spaces allowed"}))
    assert (bad.value.status, bad.value.code) == (400, 400)
    assert "displayName" in bad.value.msg
    wrong = sdk_client(emulator, emulator.account_sid, "wrong-token")
    with pytest.raises(TwilioRestException) as denied:
        wrong.memory.v1.stores.create(StoreList.ServiceRequest({"displayName": "acme"}))
    assert (denied.value.status, denied.value.code) == (401, 20003)


def test_configuration_and_trait_group_lists_page_through_the_sdk(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    store_id = _create_store(client, "acme")
    for i in range(5):
        client.memory.v1.trait_groups(store_id).create(
            TraitGroupList.TraitGroupRequest({"displayName": f"g{i}"})
        )
        client.conversations.v2.configurations.create(
            create_configuration_request=ConfigurationList.CreateConfigurationRequest(
                configuration_body(store_id, f"conf-{i}")
            )
        )
    names = [c.display_name for c in client.conversations.v2.configurations.list(page_size=2)]
    assert names == [f"conf-{i}" for i in range(5)]
    groups = [
        g.display_name for g in client.memory.v1.trait_groups(store_id).list(page_size=2, order_by="ASC")
    ]
    assert groups == ["Contact"] + [f"g{i}" for i in range(5)]
    assert len(client.memory.v1.trait_groups(store_id).list(limit=3)) == 3


def test_data_mappings(emulator: EmulatorServer) -> None:
    from twilio.rest.memory.v1.data_mapping import DataMappingList

    client = sdk_client(emulator)
    store_id = _create_store(client, "acme")
    client.memory.v1.trait_groups(store_id).create(
        TraitGroupList.TraitGroupRequest({"displayName": "prefs", "traits": {"tier": {"dataType": "STRING"}}})
    )
    mappings = client.memory.v1.data_mappings(store_id)
    created = mappings.create_with_http_info(DataMappingList.CreateDataMappingInput(data_mapping_body()))
    mapping_id = client.memory.v1.operations(created.headers["Operation-Id"]).fetch().result["id"]
    fetched = client.memory.v1.data_mappings(store_id, mapping_id).fetch_with_http_info()
    assert (fetched.data.display_name, fetched.data.is_enabled, fetched.data.version) == ("crm", True, 1)
    assert [m.id for m in mappings.list()] == [mapping_id]
    client.memory.v1.data_mappings(store_id, mapping_id).delete()
    assert mappings.list() == []


def test_waiting_for_active_through_the_sdk(emulator: EmulatorServer) -> None:
    emulator.control.settings(provisioning_delay=60, operation_delay=10)
    client = sdk_client(emulator)
    accepted = client.memory.v1.stores.create_with_http_info(
        StoreList.ServiceRequest({"displayName": "slow"})
    )
    operation = client.memory.v1.operations(accepted.headers["Operation-Id"])
    assert operation.fetch().status == "PENDING"
    emulator.control.advance_clock(10)
    store = client.memory.v1.stores(operation.fetch().result["id"])
    assert store.fetch().status == "QUEUED"
    emulator.control.advance_clock(30)
    assert store.fetch().status == "PROVISIONING"
    emulator.control.advance_clock(30)
    assert store.fetch().status == "ACTIVE"

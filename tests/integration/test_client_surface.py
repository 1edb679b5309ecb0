"""The wire layer's whole surface against a real emulator on loopback:
every client method, followed to completion with the waiters, checked by reading back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _dependents import ingress_mapping
from twilio_memory_api import models as m
from twilio_memory_api.client import ConversationsClient, Credentials, MemoryClient
from twilio_memory_api.errors import NotFoundError, PreconditionFailedError
from twilio_memory_api.operations import Deadline, wait_operation, wait_store_deleted, wait_store_ready

pytestmark = pytest.mark.integration


@pytest.fixture
def clients(emulator: Any) -> Iterator[tuple[MemoryClient, ConversationsClient]]:
    creds = Credentials(emulator.api_key, emulator.api_secret)
    with (
        MemoryClient(creds, base_url=emulator.base_url) as mem,
        ConversationsClient(creds, base_url=emulator.base_url) as conv,
    ):
        yield mem, conv


def done(client: MemoryClient | ConversationsClient, accepted: Any) -> Any:
    return wait_operation(client, accepted, what="test change", deadline=Deadline(20))


def make_store(mem: MemoryClient, name: str) -> str:
    op = done(mem, mem.create_store(m.StoreCreate(display_name=name, description="d")))
    store_id = str(op.result.id)
    wait_store_ready(mem, store_id, deadline=Deadline(20))
    return store_id


def test_stores_paging_and_lookup(clients: tuple[MemoryClient, ConversationsClient]) -> None:
    mem, _ = clients
    ids = [make_store(mem, f"page-{i}") for i in range(3)]
    assert sorted(mem.list_store_ids(page_size=1)) == sorted(ids)  # three pages of one
    found = mem.find_store_by_display_name("page-1")
    assert found is not None and found.value.id == ids[1] and found.etag
    done(mem, mem.delete_store(ids[0]))
    wait_store_deleted(mem, ids[0], deadline=Deadline(20))
    assert mem.find_store(ids[0]) is None


def test_trait_groups_with_etags(clients: tuple[MemoryClient, ConversationsClient]) -> None:
    mem, _ = clients
    store_id = make_store(mem, "traits")
    body = m.TraitGroupCreate(
        display_name="prefs",
        description="Preferences",
        traits={"tier": m.TraitDefinition(data_type=m.DataType.STRING)},
    )
    op = done(mem, mem.create_trait_group(store_id, body))
    assert op.result.id == "prefs"
    group = mem.get_trait_group(store_id, "prefs")
    assert group.etag and set(group.value.traits or {}) == {"tier"}
    names = {g.display_name for g in mem.list_trait_groups(store_id)}
    assert {"prefs", "Contact"} <= names

    patch = m.TraitGroupUpdate(
        traits={"score": m.TraitPatch(data_type=m.DataType.NUMBER), "tier": m.TraitPatch(data_type="")}
    )
    done(mem, mem.update_trait_group(store_id, "prefs", patch, if_match=group.etag))
    after = mem.get_trait_group(store_id, "prefs")
    assert set(after.value.traits or {}) == {"score"} and after.value.version == group.value.version + 1
    with pytest.raises(PreconditionFailedError):
        mem.update_trait_group(store_id, "prefs", m.TraitGroupUpdate(description="x"), if_match=group.etag)

    done(mem, mem.delete_trait_group(store_id, "prefs"))
    assert mem.find_trait_group(store_id, "prefs") is None


def test_identity_resolution_and_data_mappings(clients: tuple[MemoryClient, ConversationsClient]) -> None:
    mem, _ = clients
    store_id = make_store(mem, "ids")
    settings = mem.get_identity_resolution_settings(store_id)
    assert settings.etag and settings.value.matching_rules == ["email", "whatsapp", "phone"]
    put = m.IdentityResolutionSettingsPut(
        identifier_configs=[m.IdentifierConfig(id_type="email", normalization=m.Normalization.EMAIL)],
        matching_rules=["email"],
    )
    done(mem, mem.put_identity_resolution_settings(store_id, put, if_match=settings.etag))
    assert mem.get_identity_resolution_settings(store_id).value.matching_rules == ["email"]

    body = m.DataMappingCreate.model_validate(ingress_mapping("crm-feed", "Contact", "email"))
    op = done(mem, mem.create_data_mapping(store_id, body))
    mapping_id = str(op.result.id)
    fetched = mem.get_data_mapping(store_id, mapping_id)
    assert fetched.value.display_name == "crm-feed" and fetched.etag
    assert fetched.value.mapping_from == {"type": "INGRESS", "columns": ["email"]}
    assert [d.id for d in mem.iter_data_mappings(store_id)] == [mapping_id]
    assert mem.list_data_mappings(store_id, type_="DATASET_WAREHOUSE") == []
    found = mem.find_data_mapping_by_display_name(store_id, "crm-feed")
    assert found is not None and found.value.id == mapping_id and found.etag == fetched.etag
    patch = m.DataMappingPatch(description="CRM")
    done(mem, mem.update_data_mapping(store_id, mapping_id, patch, if_match=fetched.etag))
    assert mem.get_data_mapping(store_id, mapping_id).value.description == "CRM"
    with pytest.raises(PreconditionFailedError):
        mem.update_data_mapping(store_id, mapping_id, patch, if_match=fetched.etag)
    done(mem, mem.delete_data_mapping(store_id, mapping_id))
    assert mem.find_data_mapping(store_id, mapping_id) is None
    with pytest.raises(NotFoundError):
        mem.get_data_mapping(store_id, mapping_id)


def test_conversation_configurations(clients: tuple[MemoryClient, ConversationsClient]) -> None:
    mem, conv = clients
    store_id = make_store(mem, "conv")
    create = m.ConfigurationCreate(
        display_name="acme",
        description="Acme",
        conversation_grouping_type=m.ConversationGroupingType.GROUP_BY_PROFILE,
        memory_store_id=store_id,
        channel_settings={
            m.Channel.SMS: m.ChannelSetting(status_timeouts=m.StatusTimeouts(inactive=5, closed=10))
        },
    )
    accepted = conv.create_configuration(create)
    assert accepted.resource_id and accepted.resource_id.startswith("conv_configuration_")
    done(conv, accepted)
    config_id = accepted.resource_id
    assert conv.get_configuration(config_id).value.memory_store_id == store_id
    assert [c.id for c in conv.list_configurations(memory_store_id=store_id)] == [config_id]
    found = conv.find_configuration_by_display_name("acme")
    assert found is not None and found.id == config_id

    done(
        conv,
        conv.patch_configuration(config_id, m.ConfigurationPatch(channel_settings={m.Channel.SMS: None})),
    )
    assert not (conv.get_configuration(config_id).value.channel_settings or {})
    put = m.ConfigurationPut(
        description="Replaced",
        conversation_grouping_type=m.ConversationGroupingType.GROUP_BY_PARTICIPANT_ADDRESSES,
        memory_store_id=store_id,
        channel_settings={},
    )
    done(conv, conv.replace_configuration(config_id, put))
    assert conv.get_configuration(config_id).value.description == "Replaced"
    done(conv, conv.delete_configuration(config_id))
    assert conv.find_configuration(config_id) is None

"""The official twilio SDK (9.13) drives the emulator's Memory data plane (``/v1/Stores/{storeId}/Profiles``),
as tests/emulator/test_sdk.py does for the control plane: every answer parsed by the SDK's own classes,
every error raised as the ``TwilioRestException`` a user would catch.

What the SDK does not do for you (found here, written down in docs/testing-agents.md): it does not
follow a merged profile's 301/308; it removes every ``None`` from a request body, so a PATCH cannot
send the ``null`` that removes a trait; it sends ``occurredAt`` as given (a ``datetime`` is not
JSON serializable: pass an RFC 3339 string); and it parses only second-precision timestamps, so
``created_at`` and friends stay strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from emu_helpers import STORES, create_store, create_trait_group, observation_items, sdk_client
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.memory.v1 import V1
from twilio.rest.memory.v1.bulk import BulkList
from twilio.rest.memory.v1.conversation_summary import ConversationSummaryList
from twilio.rest.memory.v1.identifier import IdentifierList
from twilio.rest.memory.v1.lookup import LookupList
from twilio.rest.memory.v1.observation import ObservationList
from twilio.rest.memory.v1.profile import ProfileList
from twilio.rest.memory.v1.recall import RecallList
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator

CONVERSATION = "conv_conversation_01kbf4m3xnfy9s3fs7e8xwvq7a"


@dataclass
class Tenant:
    """A store with a ``Preferences`` group (``tier`` STRING of at most 10, ``visits`` NUMBER), seen
    through the SDK; the seeded ``Contact`` group promotes ``email`` and ``phone`` to identifiers."""

    client: Client
    store_id: str

    @property
    def v1(self) -> V1:
        return self.client.memory.v1  # type: ignore[no-any-return]

    def new_profile(self, **contact: str) -> str:
        created = self.v1.profiles(self.store_id).create(
            ProfileList.ProfileData({"traits": {"Contact": contact}})
        )
        return created.id  # type: ignore[no-any-return]


@pytest.fixture
def tenant(emulator: EmulatorServer) -> Iterator[Tenant]:
    with emulator.http() as http:
        store_id = create_store(http)
        traits = {
            "tier": {"dataType": "STRING", "validationRule": {"ruleType": "STRING", "maxLength": 10}},
            "visits": {"dataType": "NUMBER"},
        }
        assert create_trait_group(http, store_id, "Preferences", traits=traits)["status"] == "COMPLETED"
        yield Tenant(sdk_client(emulator), store_id)
        assert http.get(f"{STORES}/{store_id}").status_code == 200  # nothing here touched the control plane


def test_profile_create_fetch_patch_list_delete(tenant: Tenant) -> None:
    profiles = tenant.v1.profiles(tenant.store_id)
    created = profiles.create_with_http_info(
        ProfileList.ProfileData(
            {
                "traits": {
                    "Contact": {"phone": "(415) 555-0100", "firstName": "Ada"},
                    "Preferences": {"tier": "gold"},
                }
            }
        )
    )
    assert created.status_code == 202
    profile_id = created.data.id
    assert profile_id.startswith("mem_profile_") and created.data.message

    fetched = tenant.v1.profiles(tenant.store_id, profile_id).fetch()
    assert fetched.id == profile_id
    assert fetched.created_at.endswith("Z")  # milliseconds: the SDK's strptime leaves it a string
    assert fetched.traits == {
        "Contact": {"firstName": "Ada", "phone": "(415) 555-0100"},
        "Preferences": {"tier": "gold"},
    }
    only = tenant.v1.profiles(tenant.store_id, profile_id).fetch(trait_groups="Preferences")
    assert only.traits == {"Preferences": {"tier": "gold"}}

    patched = tenant.v1.profiles(tenant.store_id, profile_id).patch_with_http_info(
        ProfileList.ProfilePatch(
            {"traits": {"Preferences": {"tier": "platinum", "visits": 3}, "Contact": {"firstName": None}}}
        )
    )
    assert patched.status_code == 202 and patched.data.message
    traits = {(t.trait_group, t.name): t.value for t in tenant.v1.traits(tenant.store_id, profile_id).list()}
    assert traits == {
        ("Contact", "firstName"): "Ada",  # the SDK drops every None before sending: no merge-patch null
        ("Contact", "phone"): "(415) 555-0100",
        ("Preferences", "tier"): "platinum",
        ("Preferences", "visits"): 3,
    }

    second = tenant.new_profile(email="grace@example.com")
    assert sorted(profiles.list(page_size=1)) == sorted([profile_id, second])  # pages by meta.nextToken

    assert tenant.v1.profiles(tenant.store_id, profile_id).delete()
    with pytest.raises(TwilioRestException) as gone:
        tenant.v1.profiles(tenant.store_id, profile_id).fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)
    assert profiles.list() == [second]


def test_lookup_normalizes_with_the_store_settings(tenant: Tenant) -> None:
    profile_id = tenant.new_profile(phone="+1 (415) 555-0100")
    found = tenant.v1.lookup(tenant.store_id).create(
        LookupList.Identifier({"idType": "phone", "value": "415.555.0100"})
    )
    assert (found.normalized_value, found.profiles) == ("+14155550100", [profile_id])
    nobody = tenant.v1.lookup(tenant.store_id).create(
        LookupList.Identifier({"idType": "email", "value": " Nobody@Example.COM"})
    )
    assert (nobody.normalized_value, nobody.profiles) == ("nobody@example.com", [])


def test_identifiers_add_fetch_update_delete(tenant: Tenant) -> None:
    profile_id = tenant.new_profile(phone="4155550100")
    identifiers = tenant.v1.identifiers(tenant.store_id, profile_id)
    added = identifiers.create_with_http_info(
        IdentifierList.Identifier({"idType": "email", "value": " Ada@Example.com "})
    )
    assert added.status_code == 202 and added.data.message

    listed = {i.id_type: i.values for i in identifiers.list()}
    assert listed == {"phone": ["+14155550100"], "email": ["ada@example.com"]}
    email = tenant.v1.identifiers(tenant.store_id, profile_id, "email")
    assert (email.fetch().id_type, email.fetch().values) == ("email", ["ada@example.com"])

    email.patch(
        IdentifierList.IdentifierUpdate(
            {"idType": "email", "oldValue": "ada@example.com", "newValue": "ADA@new.example"}
        )
    )
    assert email.fetch().values == ["ada@new.example"]
    with pytest.raises(TwilioRestException) as conflict:
        email.patch(
            IdentifierList.IdentifierUpdate(
                {"idType": "email", "oldValue": "ada@example.com", "newValue": "x@y.z"}
            )
        )
    assert (conflict.value.status, conflict.value.code) == (409, 20409)
    assert "oldValue" in conflict.value.msg

    assert email.delete(remove_all=True)
    with pytest.raises(TwilioRestException) as gone:
        email.fetch()
    assert gone.value.status == 404
    found = tenant.v1.lookup(tenant.store_id).create(
        LookupList.Identifier({"idType": "email", "value": "ada@new.example"})
    )
    assert found.profiles == []


def test_bulk_upsert_merges_into_the_matching_profile(tenant: Tenant) -> None:
    profile_id = tenant.new_profile(email="ada@example.com")
    answer = tenant.v1.bulk(tenant.store_id).update_with_http_info(
        BulkList.UpdateProfilesBulkRequest(
            {
                "profiles": [
                    {"traits": {"Contact": {"email": "ADA@example.com"}, "Preferences": {"tier": "gold"}}},
                    {"traits": {"Contact": {"email": "grace@example.com"}}},
                ]
            }
        )
    )
    assert answer.status_code == 202 and answer.data.message
    assert answer.data.operation_id is None  # the data plane's 202 has nothing to poll
    assert tenant.v1.profiles(tenant.store_id, profile_id).fetch().traits["Preferences"] == {"tier": "gold"}
    assert len(tenant.v1.profiles(tenant.store_id).list()) == 2


def _observe(tenant: Tenant, profile_id: str, *contents: str) -> None:
    items = observation_items(CONVERSATION, *contents)
    created = tenant.v1.observations(tenant.store_id, profile_id).create_with_http_info(
        ObservationList.CreateObservationsRequest({"observations": items})
    )
    assert created.status_code == 202 and created.data.message
    assert created.data.id is None  # the spec's 202 returns no ids: list to find them


def test_observations_create_list_fetch_update_revisions_delete(tenant: Tenant) -> None:
    profile_id = tenant.new_profile(phone="4155550100")
    _observe(tenant, profile_id, "Prefers a callback in the morning", "Has two dogs", "Owns a bakery")
    observations = tenant.v1.observations(tenant.store_id, profile_id)

    listed = observations.list(page_size=2)  # two pages, followed by the SDK
    assert sorted(o.content for o in listed) == [
        "Has two dogs",
        "Owns a bakery",
        "Prefers a callback in the morning",
    ]
    assert all(o.source == "agent" and o.conversation_ids == [CONVERSATION] for o in listed)
    assert [o.content for o in observations.list(source="nobody")] == []
    (morning,) = [o for o in listed if o.content.startswith("Prefers")]

    one = tenant.v1.observations(tenant.store_id, profile_id, morning.id)
    fetched = one.fetch()
    assert (fetched.id, fetched.content, fetched.occurred_at) == (
        morning.id,
        morning.content,
        "2026-01-01T00:00:00.000Z",
    )

    updated = one.patch_with_http_info(
        ObservationList.ObservationBase({"content": "Prefers a callback after 9am"})
    )
    assert updated.status_code == 202 and updated.data.message
    after = one.fetch()
    assert after.content == "Prefers a callback after 9am" and after.source == "agent"
    revisions = tenant.v1.revisions(tenant.store_id, profile_id, morning.id).list()
    assert [r.content for r in revisions] == [
        "Prefers a callback after 9am",
        "Prefers a callback in the morning",
    ]
    assert {r.id for r in revisions} == {morning.id}

    assert one.delete()
    with pytest.raises(TwilioRestException) as gone:
        one.fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)
    assert len(observations.list()) == 2


def test_conversation_summaries(tenant: Tenant) -> None:
    profile_id = tenant.new_profile(phone="4155550100")
    summaries = tenant.v1.conversation_summaries(tenant.store_id, profile_id)
    created = summaries.create_with_http_info(
        ConversationSummaryList.CreateSummariesRequest(
            {
                "summaries": [
                    {
                        "content": "Asked about a refund",
                        "conversationId": CONVERSATION,
                        "occurredAt": "2026-01-01T10:05:00Z",
                    }
                ]
            }
        )
    )
    assert created.status_code == 202 and created.data.message
    (summary,) = summaries.list(conversation_id=CONVERSATION)
    assert (summary.content, summary.conversation_id, summary.source) == (
        "Asked about a refund",
        CONVERSATION,
        None,
    )

    one = tenant.v1.conversation_summaries(tenant.store_id, profile_id, summary.id)
    one.patch(
        ConversationSummaryList.SummaryCorePatch({"content": "Refund approved", "source": "agent-test"})
    )
    assert (one.fetch().content, one.fetch().source) == ("Refund approved", "agent-test")
    assert one.delete()
    assert summaries.list() == []


def test_recall_ranks_by_the_query_and_lists_newest_first_without_one(tenant: Tenant) -> None:
    profile_id = tenant.new_profile(phone="4155550100")
    _observe(tenant, profile_id, "Wants a refund for order 1234", "Has two dogs")
    tenant.v1.conversation_summaries(tenant.store_id, profile_id).create(
        ConversationSummaryList.CreateSummariesRequest(
            {
                "summaries": [
                    {
                        "content": "Refund requested",
                        "conversationId": CONVERSATION,
                        "occurredAt": "2026-01-03T10:00:00Z",
                    }
                ]
            }
        )
    )
    recall = tenant.v1.recall(tenant.store_id, profile_id)

    ranked = recall.create(
        RecallList.MemoryRetrievalRequest({"query": "refund for my order", "relevanceThreshold": 0.5})
    )
    assert [o["content"] for o in ranked.observations] == ["Wants a refund for order 1234"]
    assert ranked.observations[0]["score"] == 1.0
    assert [s["content"] for s in ranked.summaries] == ["Refund requested"]
    assert ranked.communications == [] and 0 <= ranked.meta["queryTime"] <= 600_000

    newest = recall.create_with_http_info(RecallList.MemoryRetrievalRequest({"observationsLimit": 1}))
    assert newest.status_code == 200
    assert [o["content"] for o in newest.data.observations] == ["Has two dogs"]
    assert "score" not in newest.data.observations[0]


def test_sdk_errors_carry_status_code_and_the_field(tenant: Tenant) -> None:
    profile_id = tenant.new_profile(phone="4155550100")
    profile = tenant.v1.profiles(tenant.store_id, profile_id)
    cases = {
        "traits.Preferences.tier: must be a STRING": {"Preferences": {"tier": 5}},
        "traits.Preferences.tier: must be at most 10 characters": {"Preferences": {"tier": "diamond-plus"}},
        "trait group 'Preferences' defines no trait 'shoeSize'": {"Preferences": {"shoe_size": 44}},
        "the store has no trait group 'Nope'": {"Nope": {"x": 1}},
    }
    for mentions, traits in cases.items():
        with pytest.raises(TwilioRestException) as refused:
            profile.patch(ProfileList.ProfilePatch({"traits": traits}))
        error = refused.value
        assert (error.status, error.code, error.method) == (400, 400, "PATCH")
        assert mentions in error.msg, error.msg
    assert profile.fetch().traits == {"Contact": {"phone": "4155550100"}}  # nothing was written

    with pytest.raises(TwilioRestException) as anonymous:
        tenant.v1.profiles(tenant.store_id).create(
            ProfileList.ProfileData({"traits": {"Preferences": {"tier": "gold"}}})
        )
    assert anonymous.value.status == 400 and "idTypePromotion" in anonymous.value.msg


def test_a_merged_profile_is_not_followed_by_the_sdk(tenant: Tenant) -> None:
    """Two profiles that one identifier joins merge into the earlier; the SDK does not follow the
    301/308 the emulator answers for the later id (what an agent holding an old id meets)."""
    canonical = tenant.new_profile(phone="4155550100")
    merged = tenant.new_profile(email="ada@example.com")
    tenant.v1.identifiers(tenant.store_id, merged).create(
        IdentifierList.Identifier({"idType": "phone", "value": "+14155550100"})
    )

    moved = tenant.v1.profiles(tenant.store_id, merged).fetch_with_http_info()
    assert moved.status_code == 301 and moved.data.id is None  # an empty instance, no exception
    assert moved.headers["Canonical-Profile-Id"] == canonical
    with pytest.raises(TwilioRestException) as redirected:
        tenant.v1.recall(tenant.store_id, merged).create(RecallList.MemoryRetrievalRequest({}))
    assert redirected.value.status == 308

    found = tenant.v1.lookup(tenant.store_id).create(
        LookupList.Identifier({"idType": "email", "value": "ada@example.com"})
    )
    assert found.profiles == [canonical]  # lookup answers with the canonical id: use it
    assert {i.id_type for i in tenant.v1.identifiers(tenant.store_id, canonical).list()} == {"phone", "email"}

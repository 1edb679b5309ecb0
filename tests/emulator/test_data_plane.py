"""The Memory data plane's behaviour: the control-plane configuration at work (trait groups decide
what profiles may hold, identity resolution settings decide which profiles merge), merges and
their redirects, identifier limits, memories, Recall, isolation and the store's lifecycle.

Asserted with plain httpx against a real emulator on loopback; the shapes are the contract tier's
job (tests/contract), the official SDK's view is tests/emulator/test_sdk_data_plane.py.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from emu_helpers import (
    STORES,
    assert_error,
    create_profile,
    create_store,
    create_trait_group,
    observation_items,
    operation,
    profiles_path,
    put_identity_resolution,
)
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator

CONVERSATION = "conv_conversation_01h0000000000000000000000a"


def _email(**fields: Any) -> dict[str, Any]:
    return {"idType": "email", "normalization": "email", **fields}


def _phone(**fields: Any) -> dict[str, Any]:
    return {"idType": "phone", "normalization": "phone", **fields}


def _observe(http: httpx.Client, store_id: str, profile_id: str, *texts: str, at: str = "2026-01-01") -> None:
    items = observation_items(CONVERSATION, *texts, at=at)
    response = http.post(f"{profiles_path(store_id)}/{profile_id}/Observations", json={"observations": items})
    assert response.status_code == 202, response.text


def _recall(http: httpx.Client, store_id: str, profile_id: str, **ask: Any) -> dict[str, Any]:
    response = http.post(f"{profiles_path(store_id)}/{profile_id}/Recall", json=ask)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _identifiers(http: httpx.Client, store_id: str, profile_id: str) -> dict[str, list[str]]:
    response = http.get(f"{profiles_path(store_id)}/{profile_id}/Identifiers")
    assert response.status_code == 200, response.text
    return {s["idType"]: s["values"] for s in response.json()["identifiers"]}


@pytest.fixture
def http(emulator: EmulatorServer) -> httpx.Client:
    return emulator.http()


@pytest.fixture
def store(http: httpx.Client) -> str:
    return create_store(http, "acme")


# ------------------------------------------------------------------------------------------------
# Identity resolution
# ------------------------------------------------------------------------------------------------


def test_identifiers_are_normalized_as_the_settings_say_and_found_by_lookup(
    http: httpx.Client, store: str
) -> None:
    profile = create_profile(http, store, email=" Ann@Example.COM ", phone="(415) 555-0100")
    assert _identifiers(http, store, profile) == {"email": ["ann@example.com"], "phone": ["+14155550100"]}
    for value in ("415.555.0100", "+1 415 555 0100", "14155550100"):
        found = http.post(f"{profiles_path(store)}/Lookup", json={"idType": "phone", "value": value}).json()
        assert found == {"normalizedValue": "+14155550100", "profiles": [profile]}
    same = create_profile(http, store, email="ANN@example.com")
    assert same == profile  # one match updates that profile
    bad = http.post(f"{profiles_path(store)}/Lookup", json={"idType": "fax", "value": "1"})
    assert_error(bad, 400, mentions="'fax' is not an idType")
    for not_a_phone in ("call me", "555 0100", "1234567"):  # a local number lacks its area code
        refused = http.post(profiles_path(store), json={"traits": {"Contact": {"phone": not_a_phone}}})
        assert_error(refused, 400, mentions="traits.Contact.phone: is not a phone number")


def test_a_shared_unique_identifier_merges_profiles_into_the_earliest(http: httpx.Client, store: str) -> None:
    first = create_profile(http, store, email="ann@example.com", firstName="Ann")
    second = create_profile(http, store, phone="+14155550100", lastName="Lee")
    _observe(http, store, second, "Prefers email over calls")
    assert first != second
    merged = create_profile(http, store, email="ann@example.com", phone="+14155550100")
    assert merged == first  # the earliest profile is canonical
    canonical = http.get(f"{profiles_path(store)}/{first}").json()
    assert canonical["traits"]["Contact"] == {
        "email": "ann@example.com",
        "phone": "+14155550100",
        "firstName": "Ann",
        "lastName": "Lee",
    }
    assert [
        o["content"] for o in http.get(f"{profiles_path(store)}/{first}/Observations").json()["observations"]
    ] == ["Prefers email over calls"]
    assert http.get(f"{profiles_path(store)}").json()["profiles"] == [first]
    lookup = http.post(f"{profiles_path(store)}/Lookup", json={"idType": "phone", "value": "4155550100"})
    assert lookup.json()["profiles"] == [first]

    # The merged id answers GETs with 301 and writes with 308 to the canonical profile's resource.
    moved = http.get(f"{profiles_path(store)}/{second}/Observations")
    assert moved.status_code == 301
    assert moved.headers["Canonical-Profile-Id"] == first
    base = str(http.base_url).rstrip("/")
    assert moved.headers["Location"] == f"{base}{profiles_path(store)}/{first}/Observations"
    assert moved.json() == {"message": "This resource has moved.", "uri": moved.headers["Location"]}
    write = http.patch(f"{profiles_path(store)}/{second}", json={"traits": {"Contact": {"lastName": "Li"}}})
    assert write.status_code == 308 and write.headers["Canonical-Profile-Id"] == first
    followed = httpx.Client(base_url=str(http.base_url), auth=http.auth, follow_redirects=True)
    assert (
        followed.patch(
            f"{profiles_path(store)}/{second}", json={"traits": {"Contact": {"lastName": "Li"}}}
        ).status_code
        == 202
    )
    assert http.get(f"{profiles_path(store)}/{first}").json()["traits"]["Contact"]["lastName"] == "Li"
    # An operation with no documented redirect answers for the canonical profile, with the header.
    observation = canonical_observation = http.get(f"{profiles_path(store)}/{first}/Observations").json()
    observation_id = canonical_observation["observations"][0]["id"]
    direct = http.get(f"{profiles_path(store)}/{second}/Observations/{observation_id}")
    assert direct.status_code == 200 and direct.headers["Canonical-Profile-Id"] == first
    assert observation["observations"][0] == direct.json()


def test_identity_resolution_settings_decide_which_profiles_merge(http: httpx.Client, store: str) -> None:
    """The control plane at work: the same writes merge or not as the store's settings change."""
    put_identity_resolution(http, store, [_email(), _phone()], ["email"])
    a = create_profile(http, store, email="a@example.com", phone="+14155550100")
    b = create_profile(http, store, email="b@example.com", phone="+14155550100")
    assert a != b  # phone is not a matching rule: a shared phone merges nothing

    put_identity_resolution(http, store, [_email(), _phone()], ["email", "phone"])
    c = create_profile(http, store, phone="+14155550100")
    assert c == a  # now the shared phone matches both, and they merge into the earliest
    assert http.get(profiles_path(store)).json()["profiles"] == [a]
    assert sorted(_identifiers(http, store, a)["email"]) == ["a@example.com", "b@example.com"]

    # Without enforceUnique one shared value is not enough; two shared identifiers are.
    put_identity_resolution(
        http, store, [_email(enforceUnique=False), _phone(enforceUnique=False)], ["email", "phone"]
    )
    d = create_profile(http, store, email="d@example.com", phone="+14155550199")
    e = create_profile(http, store, email="e@example.com", phone="+14155550199")
    assert d != e
    f = create_profile(http, store, email="d@example.com", phone="+14155550199")
    assert f == d


def test_identifier_limit_keeps_values_by_policy(http: httpx.Client, store: str) -> None:
    put_identity_resolution(
        http, store, [_email(limit=2), _phone(limit=2, limitPolicy="lifo")], ["email", "phone"]
    )
    profile = create_profile(http, store, email="1@example.com", phone="+14155550101")
    path = f"{profiles_path(store)}/{profile}/Identifiers"
    for i in (2, 3):
        assert http.post(path, json={"idType": "email", "value": f"{i}@example.com"}).status_code == 202
        assert http.post(path, json={"idType": "phone", "value": f"+1415555010{i}"}).status_code == 202
    assert _identifiers(http, store, profile) == {
        "email": ["2@example.com", "3@example.com"],  # fifo: the oldest went
        "phone": ["+14155550101", "+14155550102"],  # lifo: the newest was not kept
    }
    assert http.delete(f"{path}/email").status_code == 202  # one value: the one fifo drops
    assert _identifiers(http, store, profile)["email"] == ["3@example.com"]
    assert http.delete(f"{path}/phone", params={"removeAll": "true"}).status_code == 202
    assert "phone" not in _identifiers(http, store, profile)
    assert_error(http.get(f"{path}/phone"), 404)


def test_an_identifier_is_replaced_only_when_the_profile_holds_the_old_value(
    http: httpx.Client, store: str
) -> None:
    profile = create_profile(http, store, email="old@example.com")
    path = f"{profiles_path(store)}/{profile}/Identifiers/email"
    wrong = http.patch(
        path, json={"idType": "email", "oldValue": "x@example.com", "newValue": "new@example.com"}
    )
    assert_error(wrong, 409, mentions="oldValue")
    ok = http.patch(
        path, json={"idType": "email", "oldValue": "OLD@example.com", "newValue": "New@Example.com"}
    )
    assert ok.status_code == 202, ok.text
    assert http.get(path).json() == {"idType": "email", "values": ["new@example.com"]}
    mismatch = http.patch(path, json={"idType": "phone", "oldValue": "a", "newValue": "b"})
    assert_error(mismatch, 400, mentions="idType")


# ------------------------------------------------------------------------------------------------
# Traits
# ------------------------------------------------------------------------------------------------


def test_trait_groups_decide_what_profiles_may_hold(http: httpx.Client, store: str) -> None:
    """The control plane at work: a trait can be written once its group defines it, under its rules."""
    profile = create_profile(http, store, email="ann@example.com")
    path = f"{profiles_path(store)}/{profile}"
    early = http.patch(path, json={"traits": {"prefs": {"tier": "gold"}}})
    assert_error(early, 400, mentions="traits.prefs: the store has no trait group 'prefs'")

    rule = {"ruleType": "STRING", "pattern": "^(gold|silver)$"}
    traits = {"tier": {"dataType": "STRING", "validationRule": rule}, "visits": {"dataType": "NUMBER"}}
    assert create_trait_group(http, store, "prefs", traits=traits)["status"] == "COMPLETED"
    assert http.patch(path, json={"traits": {"prefs": {"tier": "gold", "visits": 3}}}).status_code == 202
    assert http.get(path).json()["traits"]["prefs"] == {"tier": "gold", "visits": 3}
    assert_error(
        http.patch(path, json={"traits": {"prefs": {"tier": "bronze"}}}),
        400,
        mentions="traits.prefs.tier: must match",
    )
    assert_error(
        http.patch(path, json={"traits": {"prefs": {"visits": "3"}}}),
        400,
        mentions="traits.prefs.visits: must be a NUMBER",
    )
    assert_error(
        http.patch(path, json={"traits": {"prefs": {"color": "red"}}}),
        400,
        mentions="defines no trait 'color'",
    )

    # Removing the definition hides the trait and refuses new values.
    removal = http.patch(f"{STORES}/{store}/TraitGroups/prefs", json={"traits": {"tier": {"dataType": ""}}})
    assert operation(http, removal)["status"] == "COMPLETED"
    assert http.get(path).json()["traits"]["prefs"] == {"visits": 3}
    assert_error(
        http.patch(path, json={"traits": {"prefs": {"tier": "gold"}}}),
        400,
        mentions="defines no trait 'tier'",
    )


def test_trait_names_are_lower_camel_case_and_null_removes(http: httpx.Client, store: str) -> None:
    profile = create_profile(http, store, email="ann@example.com", first_name="Ann", LastName="Lee")
    path = f"{profiles_path(store)}/{profile}"
    assert http.get(path).json()["traits"]["Contact"] == {
        "email": "ann@example.com",
        "firstName": "Ann",
        "lastName": "Lee",
    }
    assert http.patch(path, json={"traits": {"Contact": {"lastName": None}}}).status_code == 202
    assert http.get(path).json()["traits"]["Contact"] == {"email": "ann@example.com", "firstName": "Ann"}
    only = http.get(path, params={"traitGroups": "prefs"}).json()
    assert only["traits"] == {}
    flat = http.get(f"{path}/Traits").json()["traits"]
    assert {(t["traitGroup"], t["name"], t["value"]) for t in flat} == {
        ("Contact", "email", "ann@example.com"),
        ("Contact", "firstName", "Ann"),
    }


def test_bulk_upsert_writes_all_or_nothing(http: httpx.Client, store: str) -> None:
    existing = create_profile(http, store, email="a@example.com", firstName="A")
    bad = http.put(
        f"{profiles_path(store)}/Bulk",
        json={
            "profiles": [
                {"traits": {"Contact": {"email": "b@example.com"}}},
                {"traits": {"Contact": {"nick": "x"}}},
            ]
        },
    )
    assert_error(bad, 400, mentions="profiles[1].traits.Contact.nick")
    assert http.get(profiles_path(store)).json()["profiles"] == [existing]
    good = http.put(
        f"{profiles_path(store)}/Bulk",
        json={
            "profiles": [
                {"traits": {"Contact": {"email": "a@example.com", "firstName": "Ann"}}},
                {"traits": {"Contact": {"email": "b@example.com"}}},
            ]
        },
    )
    assert good.status_code == 202, good.text
    assert len(http.get(profiles_path(store)).json()["profiles"]) == 2
    assert http.get(f"{profiles_path(store)}/{existing}").json()["traits"]["Contact"]["firstName"] == "Ann"


def test_a_deleted_profile_takes_its_identifiers_and_memories(http: httpx.Client, store: str) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    _observe(http, store, profile, "Likes jazz")
    assert http.delete(f"{profiles_path(store)}/{profile}").status_code == 202
    assert_error(http.get(f"{profiles_path(store)}/{profile}"), 404)
    lookup = http.post(f"{profiles_path(store)}/Lookup", json={"idType": "email", "value": "ann@example.com"})
    assert lookup.json()["profiles"] == []
    assert create_profile(http, store, email="ann@example.com") != profile


# ------------------------------------------------------------------------------------------------
# Memories and Recall
# ------------------------------------------------------------------------------------------------


def test_observations_filter_page_and_keep_revisions(
    http: httpx.Client, store: str, emulator: EmulatorServer
) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    path = f"{profiles_path(store)}/{profile}/Observations"
    _observe(http, store, profile, "one", "two")
    cut = emulator.control.advance_clock(60)  # later writes are created a minute later
    assert cut["offsetSeconds"] >= 60
    http.post(
        path,
        json={"observations": [{"content": "three", "source": "crm", "occurredAt": "2026-01-02T00:00:00Z"}]},
    )
    listed = http.get(path).json()["observations"]
    assert listed[0]["content"] == "three"  # newest first by default
    assert [o["content"] for o in http.get(path, params={"source": "crm"}).json()["observations"]] == [
        "three"
    ]
    assert {
        o["content"] for o in http.get(path, params={"conversationId": CONVERSATION}).json()["observations"]
    } == {
        "one",
        "two",
    }
    after = listed[0]["createdAt"]
    assert [o["content"] for o in http.get(path, params={"createdAfter": after}).json()["observations"]] == [
        "three"
    ]
    assert "three" not in {
        o["content"] for o in http.get(path, params={"createdBefore": after}).json()["observations"]
    }
    first_page = http.get(path, params={"pageSize": 2, "orderBy": "ASC"}).json()
    assert len(first_page["observations"]) == 2 and "nextToken" in first_page["meta"]
    rest = http.get(
        path, params={"pageSize": 2, "orderBy": "ASC", "pageToken": first_page["meta"]["nextToken"]}
    ).json()
    assert [o["content"] for o in rest["observations"]] == ["three"]

    target = listed[0]["id"]
    assert http.patch(f"{path}/{target}", json={"content": "three, corrected"}).status_code == 202
    revisions = http.get(f"{path}/{target}/Revisions").json()["revisions"]
    assert [r["content"] for r in revisions] == ["three, corrected", "three"]
    assert http.delete(f"{path}/{target}").status_code == 202
    assert_error(http.get(f"{path}/{target}"), 404)


def test_summaries_are_listed_filtered_updated_and_deleted(http: httpx.Client, store: str) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    path = f"{profiles_path(store)}/{profile}/ConversationSummaries"
    other = "conv_conversation_01h0000000000000000000000b"
    body = {
        "summaries": [
            {"content": "Booked Paris", "conversationId": CONVERSATION, "occurredAt": "2026-01-01T00:00:00Z"},
            {"content": "Asked for refund", "conversationId": other, "occurredAt": "2026-01-02T00:00:00Z"},
        ]
    }
    assert http.post(path, json=body).status_code == 202
    only = http.get(path, params={"conversationId": other}).json()["summaries"]
    assert [s["content"] for s in only] == ["Asked for refund"]
    summary_id = only[0]["id"]
    assert http.patch(f"{path}/{summary_id}", json={"content": "Refund granted"}).status_code == 202
    assert http.get(f"{path}/{summary_id}").json()["content"] == "Refund granted"
    assert http.delete(f"{path}/{summary_id}").status_code == 202
    assert [s["content"] for s in http.get(path).json()["summaries"]] == ["Booked Paris"]


def test_recall_ranks_by_relevance_and_filters(http: httpx.Client, store: str) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    _observe(
        http,
        store,
        profile,
        "Allergic to peanuts and tree nuts",
        "Prefers aisle seats on long flights",
        "Lives in Lisbon with two cats",
        at="2026-01-01",
    )
    _observe(http, store, profile, "Asked about vegan meals on flights", at="2026-02-01")

    ranked = _recall(http, store, profile, query="peanuts allergy")
    assert ranked["observations"][0]["content"] == "Allergic to peanuts and tree nuts"
    assert ranked["observations"][0]["score"] == 1.0
    assert all(0 <= o["score"] <= 1 for o in ranked["observations"])
    assert ranked["communications"] == [] and ranked["meta"]["queryTime"] >= 0

    strict = _recall(http, store, profile, query="flights", relevanceThreshold=0.5)
    assert {o["content"] for o in strict["observations"]} == {
        "Prefers aisle seats on long flights",
        "Asked about vegan meals on flights",
    }
    bounded = _recall(http, store, profile, query="flights", beginDate="2026-01-15T00:00:00Z")
    assert [(o["content"], o["score"]) for o in bounded["observations"]] == [
        ("Asked about vegan meals on flights", 1.0)  # the best match of the window scores 1
    ]
    before = _recall(
        http, store, profile, query="flights", endDate="2026-01-15T00:00:00Z", relevanceThreshold=0.1
    )
    assert [o["content"] for o in before["observations"]] == ["Prefers aisle seats on long flights"]

    recent = _recall(http, store, profile, observationsLimit=2)
    assert [o["content"] for o in recent["observations"]] == [
        "Asked about vegan meals on flights",
        "Lives in Lisbon with two cats",
    ]
    assert all("score" not in o for o in recent["observations"])  # newest first, unranked
    assert _recall(http, store, profile, query="cats", observationsLimit=0)["observations"] == []
    assert _recall(http, store, profile, query="zebra")["observations"] == []  # no shared word: not relevant


def test_recall_reflects_changes_to_memories(http: httpx.Client, store: str) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    _observe(http, store, profile, "Owns a red bicycle")
    assert _recall(http, store, profile, query="bicycle", relevanceThreshold=0.5)["observations"]
    observation = http.get(f"{profiles_path(store)}/{profile}/Observations").json()["observations"][0]
    path = f"{profiles_path(store)}/{profile}/Observations/{observation['id']}"
    assert http.patch(path, json={"content": "Owns a blue scooter"}).status_code == 202
    assert _recall(http, store, profile, query="bicycle", relevanceThreshold=0.5)["observations"] == []
    assert (
        _recall(http, store, profile, query="scooter")["observations"][0]["content"] == "Owns a blue scooter"
    )


# ------------------------------------------------------------------------------------------------
# Isolation, the store's lifecycle, faults and stats
# ------------------------------------------------------------------------------------------------


def test_profiles_are_isolated_per_store_and_account(start_emulator: Callable[..., EmulatorServer]) -> None:
    acme, globex = "AC" + "a" * 32, "AC" + "b" * 32
    server = start_emulator(
        provisioning_delay=0, operation_delay=0, account=[f"{acme}:acme-token", f"{globex}:globex-token"]
    )
    mine = httpx.Client(base_url=server.base_url, auth=(acme, "acme-token"))
    theirs = httpx.Client(base_url=server.base_url, auth=(globex, "globex-token"))
    store, other_store = create_store(mine, "acme"), create_store(mine, "acme-2")
    profile = create_profile(mine, store, email="ann@example.com")
    assert_error(mine.get(f"{profiles_path(other_store)}/{profile}"), 404)
    lookup = mine.post(
        f"{profiles_path(other_store)}/Lookup", json={"idType": "email", "value": "ann@example.com"}
    )
    assert lookup.json()["profiles"] == []
    assert create_profile(mine, other_store, email="ann@example.com") != profile
    # Another account sees neither the store nor the profile, by id or by lookup.
    assert_error(theirs.get(f"{profiles_path(store)}/{profile}"), 404)
    assert_error(
        theirs.post(f"{profiles_path(store)}/Lookup", json={"idType": "email", "value": "a@b.co"}), 404
    )


def test_deleting_a_store_deletes_its_profiles(http: httpx.Client, store: str) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    assert operation(http, http.delete(f"{STORES}/{store}"))["status"] == "COMPLETED"
    assert_error(http.get(f"{profiles_path(store)}/{profile}"), 404, mentions=f"/v1/Stores/{store}")
    assert_error(http.get(profiles_path(store)), 404)


def test_a_store_serves_profiles_only_once_active(emulator: EmulatorServer, http: httpx.Client) -> None:
    emulator.control.settings(provisioningDelay=30)
    store = create_store(http, "slow")
    early = http.post(profiles_path(store), json={"traits": {"Contact": {"email": "a@example.com"}}})
    assert_error(early, 400, mentions="not ACTIVE")
    emulator.control.advance_clock(30)
    assert create_profile(http, store, email="a@example.com").startswith("mem_profile_")


def test_a_failed_store_says_to_recreate_it(emulator: EmulatorServer, http: httpx.Client) -> None:
    emulator.control.add_fault(action="fail_provisioning", times=1)
    store = create_store(http, "broken")
    refused = http.get(profiles_path(store))
    assert_error(refused, 400, mentions="delete it and create it again")


def test_compressed_bodies_are_read_and_bombs_refused(http: httpx.Client, store: str) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    path = f"{profiles_path(store)}/{profile}/Observations"
    body = json.dumps({"observations": observation_items(CONVERSATION, "Sent gzip-compressed")}).encode()
    sent = http.post(path, content=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    assert sent.status_code == 202, sent.text
    assert http.get(path).json()["observations"][0]["content"] == "Sent gzip-compressed"
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))  # 8 MiB of blanks, a few kB compressed
    assert_error(http.post(path, content=bomb, headers={"Content-Encoding": "gzip"}), 413)


def test_faults_and_stats_apply_to_the_data_plane(
    emulator: EmulatorServer, http: httpx.Client, store: str
) -> None:
    profile = create_profile(http, store, email="ann@example.com")
    route = "POST /v1/Stores/{storeId}/Profiles/{profileId}/Recall"
    emulator.control.reset_stats()
    emulator.control.add_fault(action="error", route=route, status=503, times=1)
    assert_error(http.post(f"{profiles_path(store)}/{profile}/Recall", json={}), 503)
    assert http.post(f"{profiles_path(store)}/{profile}/Recall", json={}).status_code == 200
    stats = emulator.control.stats()
    assert stats["byRouteStatus"][route] == {"200": 1, "503": 1}


def test_a_retried_create_after_a_lost_answer_resolves_to_the_same_profile(
    emulator: EmulatorServer, http: httpx.Client, store: str
) -> None:
    """Identity resolution makes CreateProfile safe to retry: the answer lost after the write, the
    retry with the same identifiers finds the profile the first attempt made."""
    emulator.control.add_fault(
        action="drop", route="POST /v1/Stores/{storeId}/Profiles", phase="after", times=1
    )
    with pytest.raises(httpx.TransportError):
        http.post(profiles_path(store), json={"traits": {"Contact": {"email": "ann@example.com"}}})
    retried = create_profile(http, store, email="ann@example.com")
    assert http.get(profiles_path(store)).json()["profiles"] == [retried]


def test_with_an_index_delay_recall_finds_a_memory_only_once_indexed(
    emulator: EmulatorServer, http: httpx.Client, store: str
) -> None:
    """``--index-delay``: as on Twilio, a written observation is listed at once but reaches Recall
    only once indexed, and a changed one drops out of Recall until it is indexed again."""
    assert emulator.control.settings(indexDelay=30)["indexDelay"] == 30
    profile = create_profile(http, store, email="ann@example.com")
    _observe(http, store, profile, "Allergic to peanuts")
    listed = http.get(f"{profiles_path(store)}/{profile}/Observations").json()["observations"]
    assert [o["content"] for o in listed] == ["Allergic to peanuts"]
    assert _recall(http, store, profile, query="peanuts")["observations"] == []
    assert _recall(http, store, profile)["observations"] == []
    emulator.control.advance_clock(31)
    assert [o["content"] for o in _recall(http, store, profile, query="peanuts")["observations"]] == [
        "Allergic to peanuts"
    ]
    path = f"{profiles_path(store)}/{profile}/Observations/{listed[0]['id']}"
    assert http.patch(path, json={"content": "Allergic to peanuts and cashews"}).status_code == 202
    assert _recall(http, store, profile, query="cashews")["observations"] == []
    emulator.control.advance_clock(31)
    assert _recall(http, store, profile, query="cashews")["observations"][0]["content"].endswith("cashews")

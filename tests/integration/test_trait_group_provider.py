"""TraitGroupProvider's methods driven directly against a real emulator server on loopback.

What a user would notice: ids, outputs, what the server holds afterwards, the single PATCH an
update sends, drift on read, refused writes, and the messages of the errors they hit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _dependents import (
    GROUP_ROUTE,
    V1,
    calls,
    configured_store,
    get,
    ingress_mapping,
    props,
    route_calls,
    send,
    state,
    while_the_store_is_deleted,
)
from pulumi_twilio_memory.resources._base import UNKNOWN
from pulumi_twilio_memory.resources.store import StoreProvider
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider, TraitMoveError
from twilio_memory_api.errors import (
    AlreadyExistsError,
    PreconditionFailedError,
    TwilioMemoryError,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def store_id(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from configured_store(emulator, monkeypatch)


TIER = {"data_type": "STRING", "description": "loyalty tier"}
SCORE = {"data_type": "NUMBER", "validation_rule": {"rule_type": "NUMBER", "min": 0, "max": 100}}


def live_group(emulator: Any, store: str, name: str) -> dict[str, Any]:
    return dict(get(emulator, f"{V1}/Stores/{store}/TraitGroups/{name}")["traitGroup"])


def group_names(emulator: Any, store: str) -> set[str]:
    groups = get(emulator, f"{V1}/Stores/{store}/TraitGroups")["traitGroups"]
    return {g["displayName"] for g in groups}


def test_full_lifecycle_one_patch_per_update_and_removed_traits_are_removed(
    emulator: Any, store_id: str
) -> None:
    provider = TraitGroupProvider()
    inputs = props(store_id=store_id, display_name="Preferences", description="prefs", traits={"tier": TIER})
    checked = provider.check({}, inputs)
    assert checked.failures == []

    emulator.control.reset_stats()
    created = provider.create(props(**checked.inputs))
    outs = created.outs or {}
    assert created.id == f"{store_id}/Preferences"
    # One list before the POST (does the group exist? is a trait in another group?), no GET of
    # the group that does not exist yet, and one GET after the operation, for the ETag.
    assert route_calls(emulator, "GET", f"{V1}/Stores/{{storeId}}/TraitGroups") == 1
    assert route_calls(emulator, "GET", GROUP_ROUTE) == 1
    assert route_calls(emulator, "POST", f"{V1}/Stores/{{storeId}}/TraitGroups") == 1
    assert outs["version"] == 1 and outs["etag"]
    assert outs["traits"] == {"tier": {"data_type": "STRING", "description": "loyalty tier"}}
    assert live_group(emulator, store_id, "Preferences")["traits"] == {
        "tier": {"dataType": "STRING", "description": "loyalty tier"}
    }

    read = provider.read(created.id, state(inputs, outs))
    assert read.id == created.id and read.outs == outs
    assert read.inputs is None  # no drift: a refresh records (and shows) nothing
    assert provider.read(created.id, {}).inputs == {  # with nothing recorded: everything
        "store_id": store_id,
        "display_name": "Preferences",
        "description": "prefs",
        "traits": {"tier": {"data_type": "STRING", "description": "loyalty tier"}},
        "adopt": False,
    }
    assert provider.diff(created.id, state(inputs, outs), inputs).changes is False

    # Add one trait, change another's description and remove none: then remove one.
    changed = props(
        store_id=store_id,
        display_name="Preferences",
        description="prefs",
        traits={"tier": {**TIER, "description": "tier"}, "score": SCORE},
    )
    diff = provider.diff(created.id, state(inputs, outs), changed)
    assert diff.changes is True and diff.replaces == []
    emulator.control.reset_stats()
    updated = provider.update(created.id, state(inputs, outs), changed).outs or {}
    assert route_calls(emulator, "PATCH", GROUP_ROUTE) == 1
    assert updated["version"] == 2 and updated["etag"] != outs["etag"]
    assert set(live_group(emulator, store_id, "Preferences")["traits"]) == {"tier", "score"}

    removed = props(
        store_id=store_id, display_name="Preferences", description="prefs", traits={"score": SCORE}
    )
    emulator.control.reset_stats()
    final = provider.update(created.id, state(changed, updated), removed).outs or {}
    assert route_calls(emulator, "PATCH", GROUP_ROUTE) == 1
    live = live_group(emulator, store_id, "Preferences")
    assert list(live["traits"]) == ["score"]
    assert live["traits"]["score"]["validationRule"] == {"ruleType": "NUMBER", "min": 0, "max": 100}
    assert final["traits"] == {"score": SCORE} and final["version"] == 3
    assert provider.diff(created.id, state(removed, final), removed).changes is False

    provider.delete(created.id, state(removed, final))
    assert "Preferences" not in group_names(emulator, store_id)
    assert provider.read(created.id, final).id == ""
    provider.delete(created.id, final)  # already gone is success


def test_an_out_of_band_change_is_reported_by_read_and_diff(emulator: Any, store_id: str) -> None:
    provider = TraitGroupProvider()
    inputs = props(store_id=store_id, display_name="Preferences", traits={"tier": TIER})
    created = provider.create(inputs)
    path = f"{V1}/Stores/{store_id}/TraitGroups/Preferences"
    send(emulator, "PATCH", path, {"description": "edited", "traits": {"vip": {"dataType": "BOOLEAN"}}})

    read = provider.read(created.id, state(inputs, created.outs))
    assert read.inputs is not None and read.outs is not None
    assert read.inputs["traits"] == {"tier": TIER, "vip": {"data_type": "BOOLEAN"}}
    assert read.inputs["description"] == "edited" and read.outs["version"] == 2
    # The program still says only "tier": the next preview shows the drift.
    diff = provider.diff(created.id, {**read.inputs, **read.outs}, inputs)
    assert diff.changes is True and diff.replaces == []


def test_a_stale_etag_refuses_to_write(emulator: Any, store_id: str) -> None:
    provider = TraitGroupProvider()
    inputs = props(store_id=store_id, display_name="Preferences", traits={"tier": TIER})
    created = provider.create(inputs)
    path = f"{V1}/Stores/{store_id}/TraitGroups/Preferences"
    send(emulator, "PATCH", path, {"description": "someone else"})

    news = props(store_id=store_id, display_name="Preferences", traits={"tier": TIER, "score": SCORE})
    with pytest.raises(PreconditionFailedError, match="pulumi refresh"):
        provider.update(created.id, state(inputs, created.outs), news)
    live = live_group(emulator, store_id, "Preferences")
    assert set(live["traits"]) == {"tier"} and live["version"] == 2  # nothing of ours was written


def test_replacement_only_for_store_or_name_and_same_store_deletes_first(store_id: str) -> None:
    provider = TraitGroupProvider()
    olds = {**props(store_id=store_id, display_name="Prefs", traits={"tier": TIER}), "version": 1}
    same = props(store_id=store_id, display_name="Prefs", traits={"tier": TIER})

    renamed = provider.diff(f"{store_id}/Prefs", olds, {**same, "display_name": "Preferences"})
    assert renamed.replaces == ["display_name"] and renamed.delete_before_replace is True

    other_store = "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaa"
    moved = provider.diff(f"{store_id}/Prefs", olds, {**same, "store_id": other_store})
    assert moved.replaces == ["store_id"] and moved.delete_before_replace is False

    in_place = provider.diff(
        f"{store_id}/Prefs", olds, {**same, "description": "d", "traits": {"tier": TIER, "score": SCORE}}
    )
    assert in_place.changes is True and in_place.replaces == []
    # A store id still unknown in preview (the store is being replaced) may replace; nothing else.
    unknown = provider.diff(f"{store_id}/Prefs", olds, {**same, "store_id": UNKNOWN})
    assert unknown.replaces == ["store_id"]


def test_an_existing_group_is_only_taken_over_with_adopt(emulator: Any, store_id: str) -> None:
    provider = TraitGroupProvider()
    inputs = props(store_id=store_id, display_name="Contact", traits={"email": {"data_type": "STRING"}})
    with pytest.raises(AlreadyExistsError, match="adopt=True") as caught:
        provider.create(inputs)
    assert "seeds" in str(caught.value) or "creates a 'Contact' group" in str(caught.value)

    adopted = provider.create({**inputs, "adopt": True})
    assert adopted.id == f"{store_id}/Contact"
    assert live_group(emulator, store_id, "Contact")["traits"] == {"email": {"dataType": "STRING"}}
    assert (adopted.outs or {})["adopt"] is True

    # The seeded group cannot be deleted: destroy forgets it and leaves it in place.
    provider.delete(adopted.id, state(inputs, adopted.outs))
    assert "Contact" in group_names(emulator, store_id)


@pytest.mark.usefixtures("brief_notice")
def test_a_trait_already_in_another_group_fails_before_any_write(emulator: Any, store_id: str) -> None:
    provider = TraitGroupProvider()
    provider.create(props(store_id=store_id, display_name="Loyalty", traits={"tier": TIER}))
    emulator.control.reset_stats()

    moved = r"'tier' \(in trait group 'Loyalty'\).*does not remove it from the other"
    with pytest.raises(TraitMoveError, match=moved):
        provider.create(props(store_id=store_id, display_name="Preferences", traits={"tier": TIER}))
    assert route_calls(emulator, "POST", f"{V1}/Stores/{{storeId}}/TraitGroups") == 0
    assert "Preferences" not in group_names(emulator, store_id)

    other = provider.create(props(store_id=store_id, display_name="Preferences", traits={"vip": SCORE}))
    olds = state(props(store_id=store_id, display_name="Preferences", traits={"vip": SCORE}), other.outs)
    with pytest.raises(TraitMoveError, match="Loyalty"):
        provider.update(other.id, olds, {**olds, "traits": {"vip": SCORE, "tier": TIER}})
    assert route_calls(emulator, "PATCH", GROUP_ROUTE) == 0


@pytest.mark.usefixtures("brief_notice")
def test_delete_of_a_referenced_group_names_the_data_mapping(emulator: Any, store_id: str) -> None:
    provider = TraitGroupProvider()
    inputs = props(store_id=store_id, display_name="Preferences", traits={"tier": TIER})
    created = provider.create(inputs)
    mapping = ingress_mapping("crm-import", "Preferences", "tier")
    send(emulator, "POST", f"{V1}/Stores/{store_id}/DataMappings", mapping)

    named = r"data mapping\(s\) 'crm-import' \(mem_datamapping_\w+\) still map into it"
    with pytest.raises(TwilioMemoryError, match=named):
        provider.delete(created.id, state(inputs, created.outs))
    assert "Preferences" in group_names(emulator, store_id)


def test_read_when_the_group_or_its_store_is_gone(emulator: Any, store_id: str) -> None:
    provider = TraitGroupProvider()
    created = provider.create(props(store_id=store_id, display_name="Preferences"))
    send(emulator, "DELETE", f"{V1}/Stores/{store_id}/TraitGroups/Preferences")
    assert provider.read(created.id, created.outs or {}).id == ""

    again = provider.create(props(store_id=store_id, display_name="Preferences"))
    StoreProvider().delete(store_id, {})
    assert provider.read(again.id, again.outs or {}).id == ""
    provider.delete(again.id, again.outs or {})  # the store took it along: success


def test_check_makes_no_request_even_for_invalid_inputs(emulator: Any, store_id: str) -> None:
    before = calls(emulator)
    result = TraitGroupProvider().check(
        {}, props(store_id=store_id, display_name="bad name", traits={"Tier": {"data_type": "TEXT"}})
    )
    # 'Tier' is recorded as the API stores it ('tier'), so its bad data_type is reported there
    assert {f.property for f in result.failures} == {"display_name", "traits.tier.data_type"}
    assert calls(emulator) == before


def test_answers_lost_after_the_change_was_made_do_not_fail_the_run(emulator: Any, store_id: str) -> None:
    provider = TraitGroupProvider()
    groups = f"{V1}/Stores/{{storeId}}/TraitGroups"
    emulator.control.add_fault(action="error", route=f"POST {groups}", status=503, phase="after", times=1)
    inputs = props(store_id=store_id, display_name="Preferences", traits={"tier": TIER})
    created = provider.create(inputs)  # the POST made the group; its answer was lost
    assert created.id == f"{store_id}/Preferences" and (created.outs or {})["version"] == 1

    # An update whose 202 is lost: the retry meets the ETag the first attempt moved on.
    emulator.control.add_fault(
        action="error", route=f"PATCH {GROUP_ROUTE}", status=503, phase="after", times=1
    )
    news = props(store_id=store_id, display_name="Preferences", traits={"tier": TIER, "score": SCORE})
    updated = provider.update(created.id, state(inputs, created.outs), news).outs or {}
    assert set(updated["traits"]) == {"tier", "score"} and updated["version"] == 2


def test_a_failed_operation_is_an_error_naming_the_group(emulator: Any, store_id: str) -> None:
    emulator.control.add_fault(action="fail_operation", route=f"POST {V1}/Stores/{{storeId}}/TraitGroups")
    with pytest.raises(TwilioMemoryError, match=r"creation of trait group 'Preferences'.*FAILED"):
        TraitGroupProvider().create(props(store_id=store_id, display_name="Preferences"))


def test_a_delete_racing_its_stores_delete_succeeds(emulator: Any, store_id: str) -> None:
    """A destroy whose program does not say the group depends on the store (a literal store id,
    as `pulumi import` writes it) deletes both at once: the group's delete is accepted, then its
    operation fails because the store went first. The group is gone all the same: success."""
    provider = TraitGroupProvider()
    created = provider.create(props(store_id=store_id, display_name="Preferences", traits={"tier": TIER}))
    while_the_store_is_deleted(emulator, store_id, lambda: provider.delete(created.id, created.outs or {}))
    with emulator.http() as http:
        assert http.get(f"{V1}/Stores/{store_id}/TraitGroups/Preferences").status_code == 404

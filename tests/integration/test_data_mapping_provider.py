"""DataMappingProvider's methods driven directly against a real emulator server on loopback.

What a user would notice: ids, outputs, what the server holds afterwards, the single PATCH an
update sends, drift on read, refused writes, lost answers, and the messages of the errors they hit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _dependents import (
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
from pulumi_twilio_memory.resources._base import IMPORT_ID
from pulumi_twilio_memory.resources.data_mapping import DataMappingProvider
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider
from twilio_memory_api.errors import (
    AlreadyExistsError,
    BadRequestError,
    PreconditionFailedError,
    TwilioMemoryError,
)

pytestmark = pytest.mark.integration

MAPPINGS = f"{V1}/Stores/{{storeId}}/DataMappings"
MAPPING_ROUTE = f"{MAPPINGS}/{{dataMappingId}}"
TIER = {"expression": "$.tier", "trait_group": "Preferences", "trait_name": "tier"}
DATASET = "tdi_dataset_01h00000000000000000000000"


@pytest.fixture
def store_id(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from configured_store(emulator, monkeypatch)


@pytest.fixture
def group(store_id: str) -> str:
    """A trait group with the traits the mappings write into."""
    traits = {"tier": {"data_type": "STRING"}, "level": {"data_type": "NUMBER"}}
    return TraitGroupProvider().create(props(store_id=store_id, display_name="Preferences", traits=traits)).id


def inputs(store_id: str, **overrides: Any) -> dict[str, Any]:
    checked = DataMappingProvider().check(
        {},
        props(
            **{
                "store_id": store_id,
                "display_name": "crm-import",
                "mapping_from": {"type": "INGRESS", "columns": ["tier"]},
                "mapping_to": [TIER],
                **overrides,
            }
        ),
    )
    assert checked.failures == []
    return props(**checked.inputs)


def live(emulator: Any, store_id: str) -> dict[str, dict[str, Any]]:
    """Every mapping of the store by display name, read with plain HTTP."""
    items = get(emulator, f"{V1}/Stores/{store_id}/DataMappings")["dataMappings"]
    return {item["displayName"]: item for item in items}


@pytest.mark.usefixtures("group")
def test_full_lifecycle_one_patch_per_update(emulator: Any, store_id: str) -> None:
    provider = DataMappingProvider()
    news = inputs(store_id, description="from the CRM")
    emulator.control.reset_stats()
    created = provider.create(news)
    outs = created.outs or {}
    mapping_id = outs["data_mapping_id"]
    assert created.id == f"{store_id}/{mapping_id}" and mapping_id.startswith("mem_datamapping_")
    assert route_calls(emulator, "POST", MAPPINGS) == 1
    assert outs["version"] == 1 and outs["etag"] and outs["is_enabled"] is True
    assert outs["mapping_to"] == {"type": "TRAITS", "mappings": [TIER]}
    (mapping,) = live(emulator, store_id).values()
    assert mapping["id"] == mapping_id and mapping["description"] == "from the CRM"
    assert mapping["mappingFrom"] == {"type": "INGRESS", "columns": ["tier"]}
    assert mapping["mappingTo"]["mappings"] == [
        {"expression": "$.tier", "traitGroup": "Preferences", "traitName": "tier"}
    ]

    read = provider.read(created.id, state(news, outs))
    assert read.id == created.id and read.inputs is None  # no drift: a refresh shows nothing
    assert provider.diff(created.id, state(news, outs), news).changes is False

    changed = inputs(
        store_id,
        display_name="crm.v2",
        description="from the CRM",
        is_enabled=False,
        mapping_to=[TIER, {"expression": "$.level", "trait_group": "Preferences", "trait_name": "level"}],
    )
    diff = provider.diff(created.id, state(news, outs), changed)
    assert diff.changes is True and diff.replaces == []
    emulator.control.reset_stats()
    updated = provider.update(created.id, state(news, outs), changed).outs or {}
    assert route_calls(emulator, "PATCH", MAPPING_ROUTE) == 1
    assert updated["version"] == 2 and updated["etag"] != outs["etag"]
    assert updated["data_mapping_id"] == mapping_id  # renamed in place
    after = live(emulator, store_id)["crm.v2"]
    assert after["isEnabled"] is False and len(after["mappingTo"]["mappings"]) == 2
    assert provider.diff(created.id, state(changed, updated), changed).changes is False

    provider.delete(created.id, state(changed, updated))
    assert live(emulator, store_id) == {}
    assert provider.read(created.id, updated).id == ""
    provider.delete(created.id, updated)  # already gone is success


@pytest.mark.usefixtures("group")
def test_an_out_of_band_change_is_drift_and_a_stale_etag_refuses_to_write(
    emulator: Any, store_id: str
) -> None:
    provider = DataMappingProvider()
    news = inputs(store_id)
    created = provider.create(news)
    path = f"{V1}/Stores/{store_id}/DataMappings/{(created.outs or {})['data_mapping_id']}"
    send(emulator, "PATCH", path, {"isEnabled": False, "description": "edited"})

    with pytest.raises(PreconditionFailedError, match="pulumi refresh"):
        provider.update(created.id, state(news, created.outs), inputs(store_id, description="ours"))
    assert live(emulator, store_id)["crm-import"]["description"] == "edited"  # nothing of ours written

    read = provider.read(created.id, state(news, created.outs))
    assert read.inputs is not None and read.outs is not None
    assert read.inputs["is_enabled"] is False and read.outs["version"] == 2
    diff = provider.diff(created.id, {**read.inputs, **read.outs}, news)  # the program says enabled
    assert diff.changes is True and diff.replaces == []
    fixed = provider.update(created.id, {**read.inputs, **read.outs}, news).outs or {}
    assert fixed["is_enabled"] is True and live(emulator, store_id)["crm-import"]["isEnabled"] is True


@pytest.mark.usefixtures("group")
def test_a_taken_name_needs_adopt_and_import_takes_over_exactly_that_mapping(
    emulator: Any, store_id: str
) -> None:
    provider = DataMappingProvider()
    send(
        emulator,
        "POST",
        f"{V1}/Stores/{store_id}/DataMappings",
        ingress_mapping("crm-import", "Preferences", "tier"),
    )
    (existing,) = live(emulator, store_id).values()
    with pytest.raises(AlreadyExistsError, match=r"aliases=\[pulumi.Alias.*adopt=True") as caught:
        provider.create(inputs(store_id, description="ours"))
    assert f"import_='{store_id}/{existing['id']}'" in str(caught.value)

    other_source = inputs(store_id, adopt=True, mapping_from={"type": "INGRESS", "columns": ["tier", "x"]})
    with pytest.raises(TwilioMemoryError, match="cannot change where a mapping reads from"):
        provider.create(other_source)
    assert live(emulator, store_id)["crm-import"]["version"] == 1  # nothing was changed

    adopted = provider.create(inputs(store_id, adopt=True, description="ours"))
    assert adopted.id == f"{store_id}/{existing['id']}"
    assert live(emulator, store_id)["crm-import"]["description"] == "ours"

    imported = provider.create({**inputs(store_id, description="imported"), IMPORT_ID: adopted.id})
    assert imported.id == adopted.id and len(live(emulator, store_id)) == 1
    assert live(emulator, store_id)["crm-import"]["description"] == "imported"
    missing = f"{store_id}/mem_datamapping_01h00000000000000000000000"
    with pytest.raises(TwilioMemoryError, match="no data mapping with this id"):
        provider.create({**inputs(store_id), IMPORT_ID: missing})


@pytest.mark.usefixtures("group")
def test_a_create_whose_answer_was_lost_makes_no_duplicate(emulator: Any, store_id: str) -> None:
    provider = DataMappingProvider()
    emulator.control.add_fault(action="error", route=f"POST {MAPPINGS}", status=503, phase="after", times=1)
    created = provider.create(inputs(store_id))  # the POST made the mapping; its answer was lost
    assert list(live(emulator, store_id)) == ["crm-import"]
    assert created.id == f"{store_id}/{live(emulator, store_id)['crm-import']['id']}"

    # An update whose 202 is lost: the retry meets the ETag the first attempt moved on.
    emulator.control.add_fault(
        action="error", route=f"PATCH {MAPPING_ROUTE}", status=503, phase="after", times=1
    )
    news = inputs(store_id, description="after a lost answer")
    updated = provider.update(created.id, state(inputs(store_id), created.outs), news).outs or {}
    assert updated["description"] == "after a lost answer" and updated["version"] == 2


def test_dataset_targets_must_exist_and_check_makes_no_request(emulator: Any, store_id: str) -> None:
    provider = DataMappingProvider()
    before = calls(emulator)
    bad = provider.check({}, props(store_id=store_id, display_name="1bad", mapping_from={"type": "CSV"}))
    assert {f.property for f in bad.failures} == {"display_name", "mapping_from.type", "mapping_to"}
    assert calls(emulator) == before
    dataset = inputs(store_id, mapping_from={"type": "DATASET_WAREHOUSE", "dataset_id": DATASET})
    with pytest.raises(BadRequestError, match="no trait group 'Preferences'"):
        provider.create(dataset)
    assert live(emulator, store_id) == {}


def test_a_trait_group_delete_waits_for_a_mapping_deleted_alongside(
    emulator: Any, store_id: str, group: str
) -> None:
    """A destroy of a program whose mapping does not depend on its group deletes both at once."""
    mapping = DataMappingProvider().create(inputs(store_id))
    deleting = threading.Thread(target=DataMappingProvider().delete, args=(mapping.id, mapping.outs or {}))
    deleting.start()
    TraitGroupProvider().delete(group, {})  # 409 first (the mapping still exists), then done
    deleting.join()
    assert live(emulator, store_id) == {}
    groups = get(emulator, f"{V1}/Stores/{store_id}/TraitGroups")["traitGroups"]
    assert "Preferences" not in {g["displayName"] for g in groups}


@pytest.mark.usefixtures("brief_notice")
def test_a_trait_group_a_mapping_still_uses_says_how_to_order_the_deletes(
    emulator: Any, store_id: str, group: str
) -> None:
    DataMappingProvider().create(inputs(store_id))
    with pytest.raises(TwilioMemoryError, match=r"depends_on=\[<this TraitGroup>\]") as caught:
        TraitGroupProvider().delete(group, {})
    assert "'crm-import' (mem_datamapping_" in str(caught.value) and "Nothing was deleted" in str(
        caught.value
    )
    assert list(live(emulator, store_id)) == ["crm-import"]


def test_a_delete_racing_its_stores_delete_succeeds(emulator: Any, store_id: str) -> None:
    """As for trait groups: the store went first while the mapping's delete was under way."""
    provider = DataMappingProvider()
    created = provider.create(inputs(store_id))
    while_the_store_is_deleted(emulator, store_id, lambda: provider.delete(created.id, created.outs or {}))
    with emulator.http() as http:
        assert http.get(f"{V1}/Stores/{store_id}").status_code == 404

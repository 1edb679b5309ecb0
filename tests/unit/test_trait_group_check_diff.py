"""TraitGroupProvider.check and .diff, and the PATCH it builds: offline (any HTTP fails the test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _offline import OTHER_STORE_ID, STORE_ID, assert_one_failure, offline_provider, props
from pulumi_twilio_memory.resources._base import UNKNOWN
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider, trait_patch
from twilio_memory_api import models as m


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    yield from offline_provider(monkeypatch)


def group(**overrides: Any) -> dict[str, Any]:
    return props(**{"store_id": STORE_ID, "display_name": "Preferences", **overrides})


def failures(**overrides: Any) -> dict[str, str]:
    result = TraitGroupProvider().check({}, group(**overrides))
    return {f.property: f.reason for f in result.failures}


def one_trait(**definition: Any) -> dict[str, Any]:
    return {"traits": {"tier": {"data_type": "STRING", **definition}}}


def test_valid_inputs_pass_and_are_recorded_in_one_spelling() -> None:
    result = TraitGroupProvider().check(
        {},
        group(
            traits={
                "tier": {"dataType": "string", "validationRule": {"minLength": 1}},
                "score": {"data_type": "NUMBER", "validation_rule": {"rule_type": "number", "min": 0}},
            }
        ),
    )
    assert result.failures == []
    assert result.inputs["traits"] == {
        "tier": {"data_type": "STRING", "validation_rule": {"min_length": 1, "rule_type": "STRING"}},
        "score": {"data_type": "NUMBER", "validation_rule": {"rule_type": "NUMBER", "min": 0}},
    }


@pytest.mark.parametrize(
    ("overrides", "prop", "needle"),
    [
        ({"traits": {"__": {"data_type": "STRING"}}}, "traits", "no letter or digit"),
        (
            {"traits": {"first_name": {"data_type": "STRING"}, "firstName": {"data_type": "STRING"}}},
            "traits",
            "same trait ('firstName') once normalized",
        ),
        (one_trait(data_type="TEXT"), "traits.tier.data_type", "STRING, NUMBER, BOOLEAN, ARRAY"),
        (one_trait(data_type=""), "traits.tier.data_type", "STRING, NUMBER, BOOLEAN, ARRAY"),
        (one_trait(validation_rule={"rule_type": "NUMBER", "min": 1}), "traits.tier", "must equal data_type"),
        (
            {"traits": {"n": {"data_type": "NUMBER", "validation_rule": {"min": 5, "max": 1}}}},
            "traits.n.validation_rule",
            "min (5.0) must be less than or equal to max (1.0)",
        ),
        (
            one_trait(validation_rule={"min_length": 9, "max_length": 2}),
            "traits.tier.validation_rule",
            "max_length",
        ),
        (
            {"traits": {"a": {"data_type": "ARRAY", "validation_rule": {"min_items": 3, "max_items": 1}}}},
            "traits.a.validation_rule",
            "min_items (3) must be less than or equal to max_items (1)",
        ),
        (
            one_trait(validation_rule={"pattern": "(unclosed"}),
            "traits.tier.validation_rule.pattern",
            "not a valid",
        ),
        (one_trait(validation_rule={"pattern": "a" * 1001}), "traits.tier.validation_rule.pattern", "1000"),
        (
            one_trait(validation_rule={"max_length": 0}),
            "traits.tier.validation_rule.max_length",
            "greater than",
        ),
        (one_trait(validation_rule={"min": 1}), "traits.tier.validation_rule.min", "not accepted here"),
        (one_trait(id_type_promotion="x" * 31), "traits.tier.id_type_promotion", "at most 30"),
        (one_trait(description="d" * 1025), "traits.tier.description", "at most 1024"),
        (one_trait(colour="red"), "traits.tier.colour", "not accepted here"),
        ({"traits": {f"t{i}": {"data_type": "STRING"} for i in range(96)}}, "traits", "at most 95 traits"),
        ({"display_name": "bad name"}, "display_name", "letters, digits, '_', '-' or '.'"),
        ({"display_name": "g" * 65}, "display_name", "at most 64"),
        ({"description": "d" * 1025}, "description", "at most 1024"),
        ({"store_id": "acme"}, "store_id", "memory store id"),
        ({"adopt": "maybe"}, "adopt", "boolean"),
    ],
)
def test_each_documented_rule_gives_one_failure_on_its_property(
    overrides: dict[str, Any], prop: str, needle: str
) -> None:
    assert_one_failure(failures(**overrides), prop, needle)


def test_required_inputs_and_several_failures_at_once() -> None:
    result = TraitGroupProvider().check({}, props())
    assert {f.property for f in result.failures} == {"store_id", "display_name"}
    many = failures(
        display_name="no spaces", traits={"Bad": {"data_type": "STRING"}, "ok": {"data_type": "X"}}
    )
    assert set(many) == {"display_name", "traits.ok.data_type"}  # 'Bad' is fine: stored as 'bad'


def test_95_traits_are_allowed() -> None:
    assert failures(traits={f"t{i}": {"data_type": "BOOLEAN"} for i in range(95)}) == {}


def test_unknown_values_from_other_resources_are_not_failures() -> None:
    assert failures(store_id=UNKNOWN) == {}
    assert failures(traits=UNKNOWN) == {}
    assert failures(traits={"tier": {"data_type": UNKNOWN, "validation_rule": {"min_length": 1}}}) == {}
    assert failures(traits={"tier": {"data_type": "STRING", "description": UNKNOWN}}) == {}
    # a known mistake next to an unknown is still reported
    assert list(failures(store_id=UNKNOWN, display_name="bad name")) == ["display_name"]


def test_spelling_and_omitted_description_are_not_changes() -> None:
    provider = TraitGroupProvider()
    olds = {
        **group(
            description="prefs",
            traits={
                "tier": {"data_type": "STRING", "validation_rule": {"rule_type": "STRING", "min_length": 1}}
            },
        ),
        "version": 3,
        "etag": '"e"',
    }
    news = group(traits={"tier": {"dataType": "string", "validationRule": {"minLength": 1.0}}})
    assert provider.diff(f"{STORE_ID}/Preferences", olds, news).changes is False


def test_trait_changes_update_in_place_and_only_store_or_name_replace() -> None:
    provider = TraitGroupProvider()
    olds = group(traits={"tier": {"data_type": "STRING"}})
    gid = f"{STORE_ID}/Preferences"
    for news in (group(traits={}), group(traits={"tier": {"data_type": "NUMBER"}}), group(description="x")):
        diff = provider.diff(gid, olds, news)
        assert diff.changes is True and diff.replaces == []
    renamed = provider.diff(gid, olds, group(display_name="Prefs", traits={"tier": {"data_type": "STRING"}}))
    assert renamed.replaces == ["display_name"] and renamed.delete_before_replace is True
    moved = provider.diff(gid, olds, group(store_id=OTHER_STORE_ID, traits={"tier": {"data_type": "STRING"}}))
    assert moved.replaces == ["store_id"] and moved.delete_before_replace is False


def test_trait_patch_adds_and_changes_in_full_and_deletes_with_the_marker() -> None:
    current = {
        "keep": {"data_type": "STRING"},
        "change": {"data_type": "STRING", "description": "old"},
        "drop": {"data_type": "BOOLEAN"},
    }
    desired = {
        "keep": {"data_type": "STRING"},
        "change": {
            "data_type": "STRING",
            "description": "new",
            "validation_rule": {"rule_type": "STRING", "max_length": 9},
        },
        "add": {"data_type": "ARRAY"},
    }
    patch = trait_patch(current, desired)
    body = m.to_wire(m.TraitGroupUpdate(traits=patch))
    assert body == {
        "traits": {
            "change": {
                "dataType": "STRING",
                "description": "new",
                "validationRule": {"ruleType": "STRING", "maxLength": 9},
            },
            "add": {"dataType": "ARRAY"},
            "drop": {"dataType": ""},
        }
    }


@pytest.mark.parametrize(
    ("written", "stored"),
    [("FirstName", "firstName"), ("first_name", "firstName"), ("has space", "hasSpace"), ("tier", "tier")],
)
def test_trait_names_are_recorded_as_the_api_stores_them(written: str, stored: str) -> None:
    """The spec accepts any trait key and normalizes it to lowerCamelCase: check records that
    spelling (so the live name is not drift) instead of refusing the name."""
    result = TraitGroupProvider().check({}, group(traits={written: {"data_type": "STRING"}}))
    assert result.failures == []
    assert list(result.inputs["traits"]) == [stored]

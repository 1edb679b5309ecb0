"""IdentityResolutionSettingsProvider.check and .diff: offline (any HTTP fails the test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _offline import OTHER_STORE_ID, STORE_ID, assert_one_failure, offline_provider, props
from pulumi_twilio_memory.resources._base import UNKNOWN
from pulumi_twilio_memory.resources.identity_resolution import (
    IdentityResolutionSettingsProvider,
    canonical_identifier_config,
)

EMAIL = {"id_type": "email"}


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    yield from offline_provider(monkeypatch)


def settings(configs: Any = None, rules: Any = None, **overrides: Any) -> dict[str, Any]:
    values = {
        "store_id": STORE_ID,
        "identifier_configs": [EMAIL] if configs is None else configs,
        "matching_rules": ["email"] if rules is None else rules,
    }
    return props(**{**values, **overrides})


def failures(configs: Any = None, rules: Any = None, **overrides: Any) -> dict[str, str]:
    result = IdentityResolutionSettingsProvider().check({}, settings(configs, rules, **overrides))
    return {f.property: f.reason for f in result.failures}


def email(**fields: Any) -> list[dict[str, Any]]:
    return [{"id_type": "email", **fields}]


def test_docs_spelling_is_accepted_and_recorded_in_lower_case() -> None:
    result = IdentityResolutionSettingsProvider().check(
        {},
        settings(
            [
                {"idType": "email", "matchingAlgo": "EXACT", "limitPolicy": "FIFO", "normalization": "EMAIL"},
                {"id_type": "name", "matching_algo": "Fuzzy", "matching_threshold": 80},
            ],
            ["email", "name"],
        ),
    )
    assert result.failures == []
    assert result.inputs["identifier_configs"] == [
        {"id_type": "email", "matching_algo": "exact", "limit_policy": "fifo", "normalization": "email"},
        {"id_type": "name", "matching_algo": "fuzzy", "matching_threshold": 80},
    ]


@pytest.mark.parametrize(
    ("configs", "rules", "prop", "needle"),
    [
        ([], None, "identifier_configs", "give 1-15 identifier configs"),
        ([{"id_type": f"t{i}"} for i in range(16)], ["t1"], "identifier_configs", "not 16"),
        ([EMAIL, EMAIL], None, "identifier_configs", "id_type must be unique, repeated: email"),
        (None, ["phone"], "matching_rules", "'phone' is not a configured id_type (configured: email)"),
        (None, [], "matching_rules", "give 1-15 rules"),
        (
            [{"id_type": f"t{i}"} for i in range(15)],
            [f"t{i % 15}" for i in range(16)],
            "matching_rules",
            "not 16",
        ),
        (None, ["email", "email"], "matching_rules", "repeated rule(s): email"),
        (None, ["email AND phone"], "matching_rules", "compound rule"),
        (None, ["x" * 31], "matching_rules[0]", "at most 30"),
        (email(limit=0), None, "identifier_configs[0].limit", "use 1-100"),
        (email(limit=101), None, "identifier_configs[0].limit", "use 1-100"),
        (email(limit=2.5), None, "identifier_configs[0].limit", "integer"),
        (
            email(matching_algo="fuzzy", matching_threshold=49),
            None,
            "identifier_configs[0].matching_threshold",
            "50-99",
        ),
        (
            email(matching_algo="fuzzy", matching_threshold=100),
            None,
            "identifier_configs[0].matching_threshold",
            "50-99",
        ),
        (email(matching_algo="soundex"), None, "identifier_configs[0].matching_algo", "'exact' or 'fuzzy'"),
        (email(limit_policy="random"), None, "identifier_configs[0].limit_policy", "'fifo' or 'lifo'"),
        (email(normalization="upper"), None, "identifier_configs[0].normalization", "'trim' or 'none'"),
        (email(enforce_unique="perhaps"), None, "identifier_configs[0].enforce_unique", "boolean"),
        (email(colour="red"), None, "identifier_configs[0].colour", "not accepted here"),
        ([{"id_type": "e"}], ["e"], "identifier_configs[0].id_type", "2-30 characters"),
        ([{"id_type": "e" * 31}], ["email"], "identifier_configs[0].id_type", "2-30 characters"),
        ([{"limit": 5}], None, "identifier_configs[0].id_type", "required"),
    ],
)
def test_each_documented_rule_gives_one_failure_on_its_property(
    configs: Any, rules: Any, prop: str, needle: str
) -> None:
    assert_one_failure(failures(configs, rules), prop, needle)


def test_store_id_is_a_store_id_and_both_lists_are_required() -> None:
    assert list(failures(store_id="acme")) == ["store_id"]
    result = IdentityResolutionSettingsProvider().check({}, props(store_id=STORE_ID))
    assert {f.property for f in result.failures} == {"identifier_configs", "matching_rules"}


def test_unknown_values_are_skipped_but_known_cross_field_mistakes_are_not() -> None:
    assert failures(store_id=UNKNOWN) == {}
    assert failures([{"id_type": UNKNOWN}], ["email"]) == {}  # the rule may name the unknown type
    assert failures(UNKNOWN, UNKNOWN) == {}
    assert list(failures(None, ["phone"], store_id=UNKNOWN)) == ["matching_rules"]
    result = IdentityResolutionSettingsProvider().check({}, settings(store_id=UNKNOWN))
    assert result.inputs["store_id"] == UNKNOWN


def test_api_defaults_case_and_config_order_are_not_changes() -> None:
    provider = IdentityResolutionSettingsProvider()
    live = {
        **settings(
            [
                {
                    "id_type": "email",
                    "matching_algo": "exact",
                    "limit": 100,
                    "limit_policy": "fifo",
                    "enforce_unique": True,
                    "normalization": "trim",
                },
                {"id_type": "name", "matching_algo": "fuzzy", "matching_threshold": 75, "limit": 100},
            ],
            ["email", "name"],
        ),
        "version": 4,
        "etag": '"e4"',
    }
    program = settings(
        [{"id_type": "name", "matching_algo": "FUZZY"}, {"id_type": "email"}], ["email", "name"]
    )
    assert provider.diff(STORE_ID, live, program).changes is False


def test_real_changes_update_in_place_and_only_a_new_store_replaces() -> None:
    provider = IdentityResolutionSettingsProvider()
    olds = settings([EMAIL, {"id_type": "phone"}], ["email", "phone"])
    for news in (
        settings([EMAIL, {"id_type": "phone"}], ["phone", "email"]),  # rule priority matters
        settings([{"id_type": "email", "limit": 5}, {"id_type": "phone"}], ["email", "phone"]),
        settings([EMAIL], ["email"]),
    ):
        diff = IdentityResolutionSettingsProvider().diff(STORE_ID, olds, news)
        assert diff.changes is True and diff.replaces == []
    moved = provider.diff(STORE_ID, olds, {**olds, "store_id": OTHER_STORE_ID})
    assert moved.replaces == ["store_id"]


def test_canonical_identifier_config_fills_what_the_api_fills() -> None:
    assert canonical_identifier_config({"idType": "x", "matchingAlgo": "FUZZY"}, defaults=True) == {
        "id_type": "x",
        "matching_algo": "fuzzy",
        "matching_threshold": 75,
        "limit": 100,
        "limit_policy": "fifo",
        "enforce_unique": True,
        "normalization": "trim",
    }
    assert "matching_threshold" not in canonical_identifier_config({"id_type": "x"}, defaults=True)

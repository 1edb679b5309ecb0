"""The lifecycle matrix: every Pulumi lifecycle operation on each of the four resources, under the
real CLI, against an emulator with realistic delays.

After every operation the same three things are checked (:func:`converged`), through plain httpx
and never through the provider under test:

1. the live account matches the program (one store, its group, its identity-resolution rules as
   declared, not Twilio's defaults, one configuration pointing at the store);
2. the state names live ids only (every id in the stack outputs answers 200);
3. ``pulumi preview --refresh --expect-no-changes`` passes (no drift, nothing pending).

The program (``programs/lifecycle``) takes its logical names, aliases, resource options and adopt
flags from stack config, which the scenarios rewrite as a user edits their program. One stack,
scenarios in order; ``MATRIX`` counts the resource x operation cells for the tier's summary.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_api import Account
from e2e_harness import REPORT, PulumiCLI
from e2e_lifecycle import INITIAL, KEYS, Lifecycle, converged, lifecycle_workspace
from twilio_memory_emulator.testing import EmulatorServer

#: One story on one stack, each test continuing from the last: run whole, in order, on one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-lifecycle-matrix")]

#: resource x operation cells exercised (filled in by the tests, printed in the e2e summary).
MATRIX: dict[str, set[str]] = {key: set() for key in KEYS}


def cells(operation: str, *keys: str) -> None:
    for key in keys or KEYS:
        MATRIX[key].add(operation)


def on_the_edited_inputs(option: str) -> dict[str, dict[str, list[str]]]:
    """``option`` (a property-path list option) on the input each scenario edits per resource."""
    edited = {"store": "description", "group": "description", "identity": "matching_rules"}
    return {key: {option: [edited.get(key, "description")]} for key in KEYS}


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: PulumiCLI, e2e_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lifecycle]:
    e2e_emulator.control.reset()
    ws = lifecycle_workspace(pulumi_cli, e2e_emulator, tmp_path_factory.mktemp("lifecycle"))
    with e2e_emulator.http(settle=True) as http:
        lifecycle = Lifecycle(ws, Account(http), dict(INITIAL))
        lifecycle.apply()
        yield lifecycle
    REPORT.append(
        "lifecycle matrix: "
        + ", ".join(f"{key} x {len(ops)}" for key, ops in MATRIX.items())
        + f" = {sum(len(ops) for ops in MATRIX.values())} resource x operation cells"
    )


def test_up_creates_everything(stack: Lifecycle) -> None:
    stack.ws.up()
    assert stack.ws.last_update_changes() == {"create": 5}
    converged(stack)
    cells("up")


def test_refresh_without_drift_changes_nothing(stack: Lifecycle) -> None:
    before = stack.ids()
    stack.ws.refresh()
    assert stack.ws.last_update_changes() == {"same": 5}
    assert converged(stack) == before
    cells("refresh")


@pytest.mark.parametrize("key", ["conversation", "identity", "group"])
def test_replace_of_a_dependent_keeps_what_the_program_declares(stack: Lifecycle, key: str) -> None:
    """``pulumi up --replace``: issue items 1, 2 and 4 (configuration gone, rules reset, name taken)."""
    before = stack.ids()
    result = stack.ws.up("--replace", stack.urn(key))
    assert "1 replaced" in result.stdout, result.describe()
    after = converged(stack)
    if key == "conversation":  # a new configuration really was created, and it is live
        assert after["conversation"] != before["conversation"]
    assert after["store"] == before["store"]
    cells("--replace", key)


def test_replace_of_the_store_takes_its_dependents_along(stack: Lifecycle) -> None:
    before = stack.ids()
    result = stack.ws.up("--replace", stack.urn("store"))
    assert "replaced" in result.stdout, result.describe()
    after = converged(stack)
    assert after["store"] != before["store"]
    assert stack.api.store(before["store"]) is None  # the old one is gone, not orphaned
    cells("--replace", "store")


def test_replace_on_changes_replaces(stack: Lifecycle) -> None:
    """Issue item 6: the host never reports changed keys, so the provider applies the option."""
    before = stack.ids()
    stack.apply(
        options=on_the_edited_inputs("replace_on_changes"),
        storeDescription="Replaced on a description change",
        groupDescription="Loyalty, replaced",
        matchingRules=["email", "phone"],
        conversationDescription="Replaced on a description change",
    )
    preview = stack.ws.preview()
    assert "5 to replace" in preview.stdout or "4 to replace" in preview.stdout, preview.describe()
    stack.ws.up()
    after = converged(stack)
    assert after["store"] != before["store"] and after["conversation"] != before["conversation"]
    stack.apply(options=None)
    stack.ws.up()
    converged(stack)
    cells("replace_on_changes")


def test_rename_with_aliases_moves_nothing(stack: Lifecycle) -> None:
    before = stack.ids()
    stack.apply(names={key: f"{key}-renamed" for key in KEYS}, aliases={key: key for key in KEYS})
    preview = stack.ws.preview()
    assert "to create" not in preview.stdout and "to delete" not in preview.stdout, preview.describe()
    stack.ws.up()
    assert converged(stack) == before
    stack.apply(aliases=None)
    stack.ws.up()
    assert converged(stack) == before
    cells("rename with aliases")


def test_rename_without_alias_points_to_aliases_then_adopt_is_safe(stack: Lifecycle) -> None:
    """Issue item 3: the advice must put aliases first, and following adopt=True loses nothing."""
    before = stack.ids()
    stack.apply(names={key: f"{key}-moved" for key in KEYS})
    failed = stack.ws.fails("up", "--yes", "--skip-preview")
    assert "aliases=[pulumi.Alias(name=" in failed.output, failed.describe()
    assert converged(stack, no_drift=False) == before  # the failed run deleted nothing
    stack.apply(adopt={"store": True, "group": True, "conversation": True})
    result = stack.ws.up()
    assert "deleted" in result.stdout, result.describe()  # the old names left the state ...
    assert converged(stack) == before  # ... and nothing live went with them
    cells("rename without alias", *KEYS)


def test_protect_refuses_a_replacement(stack: Lifecycle) -> None:
    before = stack.ids()
    stack.apply(options={key: {"protect": True} for key in KEYS})
    stack.ws.up()
    for key in KEYS:
        failed = stack.ws.fails("up", "--yes", "--skip-preview", "--replace", stack.urn(key))
        assert "protect" in failed.output, failed.describe()
    assert converged(stack) == before
    stack.apply(options=None)
    stack.ws.up()
    cells("protect")


def test_ignore_changes_leaves_the_live_value(stack: Lifecycle) -> None:
    before_ids, before_config = stack.ids(), dict(stack.config)
    stack.apply(
        options=on_the_edited_inputs("ignore_changes"),
        storeDescription="ignored",
        groupDescription="ignored",
        matchingRules=["phone"],
        conversationDescription="ignored",
    )
    stack.ws.preview("--expect-no-changes")
    stack.ws.up()
    stack.config.update({k: before_config[k] for k in ("storeDescription", "groupDescription")})
    stack.config.update({k: before_config[k] for k in ("matchingRules", "conversationDescription")})
    stack.apply(options=None)
    assert converged(stack) == before_ids  # the live values are the ones before the ignored edit
    cells("ignore_changes")


def test_retain_on_delete_then_import_adopts_by_id(stack: Lifecycle) -> None:
    """Issue item 5: ``import_=ID`` adopts that exact resource instead of failing on '__provider'."""
    before = stack.ids()
    dependents = ("group", "identity", "conversation")
    stack.apply(options={key: {"retain_on_delete": True} for key in dependents})
    stack.ws.up()
    stack.apply(omit=list(dependents))
    stack.ws.up()
    assert set(stack.ids()) == {"store"}
    group = stack.api.trait_group(before["store"], "Loyalty")
    assert group is not None and stack.api.configuration(before["conversation"]) is not None
    settings = stack.api.identity_resolution(before["store"])
    assert settings is not None and settings["matchingRules"] == stack.config["matchingRules"]

    stack.apply(omit=None, options={key: {"import_": before[key]} for key in dependents})
    stack.ws.up()
    assert converged(stack) == before  # the very same resources, now managed again
    stack.apply(options=None)  # dropping import_ afterwards changes nothing
    stack.ws.preview("--expect-no-changes")
    stack.ws.up()
    assert converged(stack) == before
    cells("retain_on_delete", *dependents)
    cells("import_", *dependents)


def test_import_of_a_store_and_a_bad_import_id(stack: Lifecycle) -> None:
    before = stack.ids()
    stack.apply(options={"store": {"import_": "not-a-store-id"}})
    failed = stack.ws.run("preview", expect=None)
    assert failed.returncode != 0 and "import_" in failed.output, failed.describe()
    assert "'__provider'" not in failed.output
    stack.apply(options={"store": {"import_": before["store"]}})
    stack.ws.up()
    assert converged(stack) == before
    stack.apply(options=None)
    cells("import_", "store")


def test_a_trait_moves_between_groups_in_one_up(stack: Lifecycle) -> None:
    """Issue item 8: both groups update in parallel; the one gaining the trait waits for the other."""
    stack.apply(secondGroupTraits={"color": "STRING"})
    stack.ws.up()
    converged(stack)
    stack.apply(groupTraits={"tier": "STRING"}, secondGroupTraits={"color": "STRING", "points": "NUMBER"})
    stack.ws.up()  # one run, no "remove it first, then add it"
    converged(stack)
    stack.apply(groupTraits={"tier": "STRING", "points": "NUMBER"}, secondGroupTraits={"color": "STRING"})
    stack.ws.up()  # and back, the other way round
    converged(stack)
    stack.apply(secondGroupTraits=None)
    stack.ws.up()
    converged(stack)
    cells("trait move", "group")


def test_out_of_band_delete_then_up_recreates(stack: Lifecycle) -> None:
    ids = stack.ids()
    stack.api.delete_trait_group(ids["store"], "Loyalty")
    stack.api.delete_configuration(ids["conversation"])
    stack.ws.up("--refresh")
    after = converged(stack)
    assert after["conversation"] != ids["conversation"]
    cells("out-of-band delete", "group", "conversation")


def test_destroy_leaves_the_account_empty(stack: Lifecycle) -> None:
    stack.ws.destroy()
    assert stack.api.stores() == {} and stack.api.configurations() == {}
    cells("destroy")

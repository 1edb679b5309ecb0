"""Lifecycle-safety logic that needs no server: what one deployment remembers (claims, deleted
ids, retired Idempotency-Keys, planned trait removals), the resource options a dynamic resource
registers with, ``replace_on_changes`` in ``diff``, and waiting for one's own unanswered write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi_twilio_memory.resources import _deployment
from pulumi_twilio_memory.resources._base import (
    IMPORT_ID,
    REPLACE_ON_CHANGES,
    replaced_keys,
    resource_options,
)
from pulumi_twilio_memory.resources.conversation_configuration import ConversationConfigurationProvider
from pulumi_twilio_memory.resources.identity_resolution import IdentityResolutionSettingsProvider
from pulumi_twilio_memory.resources.store import StoreProvider
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider
from twilio_memory_api.client import Fetched
from twilio_memory_api.errors import PreconditionFailedError
from twilio_memory_api.operations import Deadline, settle_own_write

STORE = "mem_store_01h00000000000000000000000"


@pytest.fixture(autouse=True)
def fresh_deployment() -> Iterator[None]:
    _deployment.forget_all()
    yield
    _deployment.forget_all()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_claimed_id_is_not_deleted_but_others_are() -> None:
    provider = StoreProvider()
    assert not provider.held_by_another(STORE)
    provider.claim(STORE)
    assert provider.held_by_another(STORE)
    assert not TraitGroupProvider().held_by_another(STORE)  # claims are per kind


def test_an_id_deleted_in_this_deployment_is_not_imported_again() -> None:
    provider = StoreProvider()
    props = {IMPORT_ID: STORE}
    assert provider.import_id(props) == STORE
    _deployment.retire(provider.kind, STORE)
    assert provider.import_id(props) is None  # the delete half of a replacement: create anew
    provider.claim(STORE)
    assert provider.import_id(props) == STORE


def test_import_ids_are_checked_per_resource() -> None:
    store = {"display_name": "x"}
    assert StoreProvider().import_id_problem(store, STORE) is None
    assert "not a store id" in (StoreProvider().import_id_problem(store, "st-1") or "")
    group = {"store_id": STORE, "display_name": "Prefs"}
    assert TraitGroupProvider().import_id_problem(group, f"{STORE}/Prefs") is None
    assert f"{STORE}/Prefs" in (TraitGroupProvider().import_id_problem(group, f"{STORE}/Other") or "")
    assert IdentityResolutionSettingsProvider().import_id_problem({"store_id": STORE}, STORE) is None
    assert IdentityResolutionSettingsProvider().import_id_problem({"store_id": STORE}, "x") is not None
    conf = ConversationConfigurationProvider()
    assert conf.import_id_problem({}, "conv_configuration_01h00000000000000000000000") is None
    assert conf.import_id_problem({}, STORE) is not None


def test_resource_options_translate_what_a_dynamic_provider_cannot_serve() -> None:
    props: dict[str, Any] = {}
    opts = resource_options(
        pulumi.ResourceOptions(import_=STORE, replace_on_changes=["description"], protect=True),
        props,
        StoreProvider,
    )
    assert opts.import_ is None and props[IMPORT_ID] == STORE
    assert props[REPLACE_ON_CHANGES] == ["description"]
    assert opts.delete_before_replace is True and opts.protect is True


def test_an_explicit_delete_before_replace_wins() -> None:
    opts = resource_options(pulumi.ResourceOptions(delete_before_replace=False), {}, StoreProvider)
    assert opts.delete_before_replace is False
    assert resource_options(None, {}, IdentityResolutionSettingsProvider).delete_before_replace is None


@pytest.mark.parametrize(
    ("paths", "changed", "expected"),
    [
        (["description"], ["description", "display_name"], {"description"}),
        (["traits.tier"], ["traits"], {"traits"}),
        (['traits["tier"]'], ["traits"], {"traits"}),
        (["*"], ["description", "traits"], {"description", "traits"}),
        (["description"], ["traits"], set()),
        (None, ["traits"], set()),
    ],
)
def test_replace_on_changes_names_top_level_inputs(
    paths: Any, changed: list[str], expected: set[str]
) -> None:
    assert replaced_keys(paths, changed) == expected


def test_diff_applies_replace_on_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_API_KEY", "SK" + "0" * 32)
    monkeypatch.setenv("TWILIO_API_SECRET", "not-a-real-secret")
    olds = {"display_name": "acme", "description": "old", "adopt": False}
    news = {"display_name": "acme", "description": "new", "adopt": False}
    assert StoreProvider().diff(STORE, olds, news).replaces == []
    forced = StoreProvider().diff(STORE, olds, {**news, REPLACE_ON_CHANGES: ["description"]})
    assert forced.replaces == ["description"]


def test_a_removed_trait_is_noted_for_a_move() -> None:
    olds = {"store_id": STORE, "display_name": "Loyalty", "traits": {"tier": {}, "points": {}}}
    news = {"store_id": STORE, "display_name": "Loyalty", "traits": {"tier": {}}}
    TraitGroupProvider().diff(f"{STORE}/Loyalty", olds, news)
    assert _deployment.planned_trait_removal(STORE, "points") == "Loyalty"
    assert _deployment.planned_trait_removal(STORE, "tier") is None


@dataclass
class Live:
    version: int
    value: str


def _conflict(attempts: int) -> PreconditionFailedError:
    return PreconditionFailedError("412", status=412, attempts=attempts)


def _fetches(*values: Live) -> Callable[[], Fetched[Live]]:
    seen = iter(values)
    return lambda: Fetched(next(seen), etag="e")


def test_settle_waits_for_its_own_write_only_after_a_retry() -> None:
    clock = FakeClock()
    fetch = _fetches(Live(1, "old"), Live(1, "old"), Live(2, "new"))
    found = settle_own_write(
        fetch, lambda v: v.value == "new", recorded=1, conflict=_conflict(2), deadline=Deadline(30, clock)
    )
    assert found.value.value == "new" and clock.now > 0
    with pytest.raises(PreconditionFailedError):  # a plain 412 (sent once): one look, no wait
        settle_own_write(
            _fetches(Live(1, "old")), lambda v: v.value == "new", recorded=1, conflict=_conflict(1),
            deadline=Deadline(30, clock),
        )  # fmt: skip


def test_settle_stops_when_someone_else_moved_it() -> None:
    clock = FakeClock()
    with pytest.raises(PreconditionFailedError):
        settle_own_write(
            _fetches(Live(5, "theirs")), lambda v: v.value == "new", recorded=4, conflict=_conflict(2),
            deadline=Deadline(30, clock),
        )  # fmt: skip
    assert clock.now == 0


def test_hosts_of_one_engine_share_what_they_did(tmp_path: Any) -> None:
    """Two provider hosts of one deployment (a HostPool) see each other's claims and plans."""
    first, second = _deployment._Ledger(tmp_path / "engine"), _deployment._Ledger(tmp_path / "engine")
    first.put("claimed", "store\0mem_store_a")
    first.put("traits", "store\0tier", "Preferences")
    assert second.get("claimed", "store\0mem_store_a") == ""
    assert second.get("traits", "store\0tier") == "Preferences"
    second.drop("claimed", "store\0mem_store_a")
    assert first.get("claimed", "store\0mem_store_a") is None
    assert _deployment._Ledger(tmp_path / "other").get("traits", "store\0tier") is None


def test_directories_of_finished_engines_are_swept(tmp_path: Any) -> None:
    import os

    stat = _deployment._proc_stat(os.getpid())
    assert stat is not None
    alive = tmp_path / f"{os.getpid()}-{stat[2]}"
    reused_pid = tmp_path / f"{os.getpid()}-1"  # same pid, another start time: a different process
    gone = tmp_path / "999999999-1"
    for directory in (alive, reused_pid, gone):
        directory.mkdir()
    _deployment._sweep(tmp_path, keep="unrelated")
    assert [p.name for p in tmp_path.iterdir()] == [alive.name]


def test_outside_a_provider_host_the_memory_is_this_process() -> None:
    assert _deployment._engine_key() is None
    assert _deployment.ledger_directory() is None

"""Random sequences of store and trait-group writes against a model: the rules always hold."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import STORES
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator
NAMES = st.sampled_from([f"tenant-{i}" for i in range(20)])
GROUPS = st.sampled_from(["prefs", "support", "Contact"])


class StoreModel(RuleBasedStateMachine):
    """The model: store id -> (name, version, trait group names). The emulator must agree."""

    server: EmulatorServer

    def __init__(self) -> None:
        super().__init__()
        self.server.control.reset()
        self.http = self.server.http()
        self.stores: dict[str, dict[str, Any]] = {}

    def teardown(self) -> None:
        self.http.close()

    def _names(self) -> set[str]:
        return {s["name"] for s in self.stores.values()}

    @rule(name=NAMES)
    def create(self, name: str) -> None:
        response = self.http.post(STORES, json={"displayName": name})
        if name in self._names() or len(self.stores) >= 15:
            assert response.status_code == 400
        else:
            assert response.status_code == 202, response.text
            store_id = self.http.get(response.json()["statusUrl"]).json()["result"]["id"]
            self.stores[store_id] = {"name": name, "version": 1, "groups": {"Contact"}}

    @precondition(lambda self: self.stores)
    @rule(data=st.data(), name=NAMES, stale=st.booleans())
    def rename(self, data: st.DataObject, name: str, stale: bool) -> None:
        store_id = data.draw(st.sampled_from(sorted(self.stores)))
        store = self.stores[store_id]
        etag = self.http.get(f"{STORES}/{store_id}").headers["ETag"]
        if stale:
            self.http.patch(f"{STORES}/{store_id}", json={})  # someone else wrote in between
            store["version"] += 1
        response = self.http.patch(
            f"{STORES}/{store_id}", json={"displayName": name}, headers={"If-Match": etag}
        )
        if stale:
            assert response.status_code == 412
        elif name != store["name"] and name in self._names():
            assert response.status_code == 400
        else:
            assert response.status_code == 202
            store["name"] = name
            store["version"] += 1

    @precondition(lambda self: self.stores)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        store_id = data.draw(st.sampled_from(sorted(self.stores)))
        assert self.http.delete(f"{STORES}/{store_id}").status_code == 202
        del self.stores[store_id]
        assert self.http.get(f"{STORES}/{store_id}").status_code == 404

    @precondition(lambda self: self.stores)
    @rule(data=st.data(), group=GROUPS, remove=st.booleans())
    def trait_group(self, data: st.DataObject, group: str, remove: bool) -> None:
        store_id = data.draw(st.sampled_from(sorted(self.stores)))
        groups = self.stores[store_id]["groups"]
        url = f"{STORES}/{store_id}/TraitGroups"
        if remove:
            response = self.http.delete(f"{url}/{group}")
            expected = 404 if group not in groups else 409 if group == "Contact" else 202
            assert response.status_code == expected
            if expected == 202:
                groups.discard(group)
        else:
            response = self.http.post(url, json={"displayName": group})
            assert response.status_code == (400 if group in groups else 202)
            groups.add(group)

    @invariant()
    def emulator_agrees_with_the_model(self) -> None:
        listed = self.http.get(STORES, params={"pageSize": 100}).json()["stores"]
        assert sorted(listed) == sorted(self.stores)
        for store_id, expected in self.stores.items():
            live = self.http.get(f"{STORES}/{store_id}").json()
            assert (live["displayName"], live["version"]) == (expected["name"], expected["version"])
            groups = self.http.get(f"{STORES}/{store_id}/TraitGroups").json()["traitGroups"]
            assert {g["displayName"] for g in groups} == expected["groups"]


def test_store_rules_hold_for_any_sequence(emulator: EmulatorServer) -> None:
    StoreModel.server = emulator
    machine = StoreModel.TestCase
    machine.settings = settings(
        max_examples=15, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
    )
    machine().runTest()

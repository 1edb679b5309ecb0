"""The configuration this provider manages, seen at work on the emulator's data plane: a trait group
changed with ``pulumi up`` changes what profiles may hold, and identity resolution settings changed
with ``pulumi up`` change which profiles merge.

The stack is the purpose-built ``programs/resources`` (a ``Loyalty`` group with ``tier`` and
``points >= 0``; identity resolution on email and phone), changed with ``pulumi config set`` as a
user would. Profiles are written and read with plain httpx, never through the provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from e2e_api import Deployed

#: One story on one stack, each test continuing from the last: run whole, in order, on one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-configuration-at-work")]

NS = "e2e-resources"


@pytest.fixture(scope="module")
def deployed(resources_deployed: Deployed) -> Deployed:
    return resources_deployed


@pytest.fixture
def profiles(deployed: Deployed) -> Iterator[tuple[httpx.Client, str]]:
    """An httpx client of the stack's account and the data-plane path of its store's profiles."""
    with deployed.emulator.http() as http:
        yield http, f"/v1/Stores/{deployed.outputs()['storeId']}/Profiles"


def _create(http: httpx.Client, path: str, **traits: Any) -> str:
    response = http.post(path, json={"traits": traits})
    assert response.status_code == 202, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def _refused(response: httpx.Response, mentions: str) -> None:
    assert response.status_code == 400, response.text
    assert mentions in response.json()["message"], response.text


def test_a_trait_group_change_changes_what_profiles_may_hold(
    deployed: Deployed, profiles: tuple[httpx.Client, str]
) -> None:
    http, path = profiles
    profile = _create(http, path, Contact={"email": "ann@example.com"}, Loyalty={"tier": "gold"})
    _refused(http.patch(f"{path}/{profile}", json={"traits": {"Loyalty": {"badge": "early"}}}), "'badge'")
    _refused(http.patch(f"{path}/{profile}", json={"traits": {"Loyalty": {"points": -5}}}), "at least 0")

    deployed.ws.config_set(f"{NS}:traits.badge.data_type", "STRING", path=True)
    deployed.ws.up()
    assert (
        http.patch(f"{path}/{profile}", json={"traits": {"Loyalty": {"badge": "early"}}}).status_code == 202
    )
    assert http.get(f"{path}/{profile}").json()["traits"]["Loyalty"] == {"tier": "gold", "badge": "early"}
    deployed.ws.preview("--expect-no-changes")


def test_an_identity_resolution_change_changes_which_profiles_merge(
    deployed: Deployed, profiles: tuple[httpx.Client, str]
) -> None:
    http, path = profiles
    first = _create(http, path, Contact={"email": "a@example.com", "phone": "+14155550100"})
    # phone is a unique identifier and a matching rule: a second email with the same phone is the same person
    assert _create(http, path, Contact={"email": "b@example.com", "phone": "(415) 555-0100"}) == first

    deployed.ws.config_set(f"{NS}:identity.identifier_configs[1].enforce_unique", "false", path=True)
    deployed.ws.up()
    settings = deployed.api.identity_resolution(deployed.outputs()["storeId"])
    assert settings is not None and settings["identifierConfigs"][1]["enforceUnique"] is False
    # Now one shared phone is not enough to be the same person.
    other = _create(http, path, Contact={"email": "c@example.com", "phone": "+14155550100"})
    assert other != first
    lookup = http.post(f"{path}/Lookup", json={"idType": "phone", "value": "4155550100"}).json()
    assert sorted(lookup["profiles"]) == sorted([first, other])
    deployed.ws.preview("--expect-no-changes")

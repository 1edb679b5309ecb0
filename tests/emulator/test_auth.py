"""HTTP Basic auth with account tokens and API keys; every account sees only its own data."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from emu_helpers import CONFIGS, STORES, assert_error, configuration_body, create_configuration, create_store
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator

ACME = "AC" + "a" * 32
GLOBEX = "AC" + "b" * 32
ACME_KEY = "SK" + "1" * 32


@pytest.fixture
def two_accounts(start_emulator: Callable[..., EmulatorServer]) -> EmulatorServer:
    return start_emulator(
        provisioning_delay=0,
        operation_delay=0,
        account=[f"{ACME}:acme-token", f"{GLOBEX}:globex-token"],
        api_key=[f"{ACME_KEY}:acme-secret:{ACME}"],
    )


@pytest.mark.parametrize(
    "auth",
    [
        None,
        ("AC00000000000000000000000000000000", "wrong"),
        ("AC00000000000000000000000000000001", "emulator-auth-token"),
        ("SK00000000000000000000000000000000", "emulator-auth-token"),
        ("", ""),
    ],
)
def test_bad_or_missing_credentials_are_401(emulator: EmulatorServer, auth: tuple[str, str] | None) -> None:
    with httpx.Client(base_url=emulator.base_url, auth=auth) as client:
        response = client.post(STORES, json={"displayName": "acme"})
    assert_error(response, 401, 20003)
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert "emulator-auth-token" not in response.text


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic !!!notbase64", "Basic " + "bm9jb2xvbg==", "Digest x"]
)
def test_malformed_authorization_is_401(emulator: EmulatorServer, header: str) -> None:
    response = httpx.get(f"{emulator.base_url}{STORES}", headers={"Authorization": header})
    assert_error(response, 401, 20003)


def test_auth_comes_before_routing(emulator: EmulatorServer) -> None:
    response = httpx.get(f"{emulator.base_url}/v1/ControlPlane/NoSuchThing")
    assert_error(response, 401, 20003)


def test_default_api_key_works(emulator: EmulatorServer) -> None:
    with emulator.http(auth=(emulator.api_key, emulator.api_secret)) as client:
        store_id = create_store(client)
    with emulator.http() as client:
        assert client.get(f"{STORES}/{store_id}").status_code == 200


def test_accounts_are_isolated(two_accounts: EmulatorServer) -> None:
    base = two_accounts.base_url
    with (
        httpx.Client(base_url=base, auth=(ACME, "acme-token")) as acme,
        httpx.Client(base_url=base, auth=(GLOBEX, "globex-token")) as globex,
    ):
        store_id = create_store(acme, "shared-name")
        config_id = create_configuration(acme, store_id)
        op_url = acme.post(STORES, json={"displayName": "second"}).json()["statusUrl"]

        assert_error(globex.get(f"{STORES}/{store_id}"), 404, 20404)
        assert_error(globex.patch(f"{STORES}/{store_id}", json={"description": "x"}), 404, 20404)
        assert_error(globex.delete(f"{STORES}/{store_id}"), 404, 20404)
        assert_error(globex.get(f"{STORES}/{store_id}/TraitGroups"), 404, 20404)
        assert_error(globex.get(f"{STORES}/{store_id}/IdentityResolutionSettings"), 404, 20404)
        assert_error(globex.get(f"{CONFIGS}/{config_id}"), 404, 20404)
        assert_error(globex.get(op_url), 404, 20404)
        assert globex.get(STORES).json()["stores"] == []
        assert globex.get(CONFIGS).json()["configurations"] == []
        # Names are unique per account, not globally; store ids from elsewhere are unknown here.
        other = create_store(globex, "shared-name")
        assert_error(
            globex.post(CONFIGS, json=configuration_body(store_id, "x", "x")),
            400,
            mentions="memoryStoreId",
        )
        assert acme.get(STORES).json()["stores"] != [other]


def test_api_key_acts_for_its_account_only(two_accounts: EmulatorServer) -> None:
    base = two_accounts.base_url
    with httpx.Client(base_url=base, auth=(ACME_KEY, "acme-secret")) as key:
        store_id = create_store(key, "by-key")
    with httpx.Client(base_url=base, auth=(ACME, "acme-token")) as acme:
        assert acme.get(f"{STORES}/{store_id}").json()["displayName"] == "by-key"
    with httpx.Client(base_url=base, auth=(GLOBEX, "globex-token")) as globex:
        assert_error(globex.get(f"{STORES}/{store_id}"), 404)
    with httpx.Client(
        base_url=base, auth=("AC00000000000000000000000000000000", "emulator-auth-token")
    ) as default:
        assert_error(default.get(STORES), 401, 20003)  # the default account is off when --account is given

"""No credential anywhere, and no account sees another's data.

Two accounts on one emulator (started with ``--access-log --log-level debug`` so it logs all it
can). Account A runs the fleet with its API key secret in stack config (``--secret``), account B
with its auth token in the environment; then every failure path a user can meet is provoked:
wrong secret (401) and 500s on a create until its retries run out. The secrets
must not appear in the raw state files, ``pulumi stack export`` (with ``--show-secrets``), the
stack config files, anything the CLI printed or logged, error messages, the emulator's stats,
state snapshot or logs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from rel_support import FIGURES, Fleet, audit, inventory, wait_for
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

ACCOUNT_A, TOKEN_A = "AC" + "a1" * 16, "token-of-account-a-0123456789"
ACCOUNT_B, TOKEN_B = "AC" + "b2" * 16, "token-of-account-b-9876543210"
KEY_A, KEY_SECRET_A = "SK" + "a1" * 16, "api-key-secret-of-account-a-42"
KEY_B, KEY_SECRET_B = "SK" + "b2" * 16, "api-key-secret-of-account-b-43"
WRONG = "wrong-secret-that-was-typed-by-hand"
SECRETS = [TOKEN_A, TOKEN_B, KEY_SECRET_A, KEY_SECRET_B, WRONG]
V1, V2 = "/v1/ControlPlane", "/v2/ControlPlane"


@pytest.fixture
def two_accounts(start_emulator: Callable[..., EmulatorServer]) -> Iterator[EmulatorServer]:
    yield start_emulator(
        **REALISTIC_DELAYS,
        account=[f"{ACCOUNT_A}:{TOKEN_A}", f"{ACCOUNT_B}:{TOKEN_B}"],
        api_key=[f"{KEY_A}:{KEY_SECRET_A}:{ACCOUNT_A}", f"{KEY_B}:{KEY_SECRET_B}:{ACCOUNT_B}"],
        access_log=True,
        log_level="debug",
    )


def _leaks(texts: dict[str, str]) -> list[str]:
    return [
        f"{secret[:6]}… in {where}" for where, text in texts.items() for secret in SECRETS if secret in text
    ]


def _files(*roots: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and ".venv" not in path.parts and "__pycache__" not in path.parts:
                found[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return found


def test_no_credential_in_state_logs_errors_or_emulator(
    two_accounts: EmulatorServer, fleet_factory: Callable[..., Fleet]
) -> None:
    emu = two_accounts
    # The same tenant names in both accounts: names are unique per account, not globally.
    a = fleet_factory(
        emu, ["acme", "globex"], credentials=(KEY_A, KEY_SECRET_A), secret_in_config=True
    ).init()
    b = fleet_factory(emu, ["acme", "globex"], credentials=(ACCOUNT_B, TOKEN_B)).init()
    a.up()
    b.up()
    assert a.ws.outputs()["storeIds"] != b.ws.outputs()["storeIds"]
    for fleet, account in ((a, ACCOUNT_A), (b, ACCOUNT_B)):
        result = audit(emu, [fleet.ws], account)
        assert result.clean, result.describe()
        assert set(result.tracked_stores) == {"acme", "globex"}
    a.ws.preview("--expect-no-changes")

    # Failure paths, each with the message the user sees.
    wrong = fleet_factory(emu, ["initech"], credentials=(KEY_A, WRONG)).init()
    denied = wrong.up(expect=None)
    assert denied.returncode != 0 and "401" in denied.output and "Check the credentials" in denied.output
    emu.control.add_fault(action="error", method="POST", status=500, times=20)
    b.ws.config_set(
        "tenant-onboarding:tenants", json.dumps([{"name": n} for n in ("acme", "globex", "hooli")])
    )
    failed = b.up(expect=None)
    emu.control.clear_faults()
    assert failed.returncode != 0 and "hooli" in failed.output

    texts: dict[str, str] = {}
    for name, fleet in (("a", a), ("b", b), ("wrong", wrong)):
        texts |= _files(fleet.ws.backend_dir, fleet.ws.home, fleet.project)
        texts[f"{name} export"] = str(fleet.ws.export())
        texts |= {f"{name} output {i}": t for i, t in enumerate(fleet.ws.captured_text())}
        # Decrypted, the only secret is Pulumi's own copy of the stack config (encrypted at rest)
        # in its default provider resource; none in any resource of ours.
        for resource in fleet.ws.export("--show-secrets")["deployment"]["resources"]:
            if resource["type"] != "pulumi:providers:pulumi-python":
                texts[f"{name} {resource['urn']} (--show-secrets)"] = str(resource)
    texts["denied"], texts["failed"] = denied.output, failed.output
    texts["emulator stats"] = str(emu.control.stats())
    texts["emulator state"] = str(emu.control.state())
    texts["emulator faults"] = str(emu.control.faults())
    texts["emulator log"] = emu.stderr_text() + "\n".join(emu.output)
    assert "GET /v1/ControlPlane/Stores" in texts["emulator log"], "the access log is on"
    assert not _leaks(texts), _leaks(texts)
    FIGURES.record(
        "secrets: state, export, config, CLI output and logs, errors, emulator",
        secret_places_checked=len(texts),
        secret_leaks=0,
        bytes_scanned_for_secrets=sum(len(t) for t in texts.values()),
    )


def test_no_account_reads_or_changes_another_accounts_data(two_accounts: EmulatorServer) -> None:
    """Every route, with every kind of credential of account B, on account A's real ids."""
    emu = two_accounts
    with emu.http(settle=True, auth=(KEY_A, KEY_SECRET_A)) as a:
        created = a.post(f"{V1}/Stores", json={"displayName": "secret-store", "description": "A only"})
        op_id = created.json()["statusUrl"].rsplit("/", 1)[-1]
        store = a.get(created.json()["statusUrl"]).json()["result"]["id"]
        wait_for(lambda: a.get(f"{V1}/Stores/{store}").json()["status"] == "ACTIVE", 30, "store ACTIVE")
        a.post(f"{V1}/Stores/{store}/TraitGroups", json={"displayName": "prefs"}).raise_for_status()
        conf = a.post(
            f"{V2}/Configurations",
            json={"displayName": "secret-conf", "description": "A only",
                  "conversationGroupingType": "GROUP_BY_PROFILE", "memoryStoreId": store},
        )  # fmt: skip
        conf_id, conf_op = (
            conf.json()["related"]["configurationId"],
            conf.json()["statusUrl"].rsplit("/", 1)[-1],
        )
    before = emu.control.state()["accounts"][ACCOUNT_A]
    probes = [
        ("GET", f"{V1}/Stores/{store}"),
        ("PATCH", f"{V1}/Stores/{store}"),
        ("DELETE", f"{V1}/Stores/{store}"),
        ("GET", f"{V1}/Stores/{store}/TraitGroups"),
        ("GET", f"{V1}/Stores/{store}/TraitGroups/prefs"),
        ("PATCH", f"{V1}/Stores/{store}/TraitGroups/prefs"),
        ("DELETE", f"{V1}/Stores/{store}/TraitGroups/prefs"),
        ("POST", f"{V1}/Stores/{store}/TraitGroups"),
        ("GET", f"{V1}/Stores/{store}/IdentityResolutionSettings"),
        ("PUT", f"{V1}/Stores/{store}/IdentityResolutionSettings"),
        ("GET", f"{V1}/Stores/{store}/DataMappings"),
        ("GET", f"{V1}/Operations/{op_id}"),
        ("GET", f"{V2}/Configurations/{conf_id}"),
        ("PUT", f"{V2}/Configurations/{conf_id}"),
        ("PATCH", f"{V2}/Configurations/{conf_id}"),
        ("DELETE", f"{V2}/Configurations/{conf_id}"),
        ("GET", f"{V2}/Operations/{conf_op}"),
    ]
    bodies = {
        "PATCH": {"description": "stolen"},
        "PUT": {"identifierConfigs": [{"idType": "email"}], "matchingRules": ["email"]},
        "POST": {"displayName": "stolen"},
    }
    tried = 0
    for auth in ((KEY_B, KEY_SECRET_B), (ACCOUNT_B, TOKEN_B)):
        with httpx.Client(base_url=emu.base_url, auth=auth) as b:
            for method, path in probes:
                response = b.request(method, path, json=bodies.get(method))
                tried += 1
                assert response.status_code in (400, 404), (method, path, response.status_code, response.text)
                assert "secret-store" not in response.text and "A only" not in response.text
            assert b.get(f"{V1}/Stores").json()["stores"] == []
            assert b.get(f"{V2}/Configurations").json()["configurations"] == []
            stolen = b.post(
                f"{V2}/Configurations",
                json={"displayName": "x", "description": "x",
                      "conversationGroupingType": "GROUP_BY_PROFILE", "memoryStoreId": store},
            )  # fmt: skip
            assert stolen.status_code == 400, stolen.text  # A's store id means nothing to B
    # A key of account A with B's SID as user, or A's secret with B's key: 401, never a cross-read.
    for auth in ((ACCOUNT_B, KEY_SECRET_A), (KEY_B, TOKEN_A), (KEY_A, TOKEN_A), (ACCOUNT_A, KEY_SECRET_A)):
        response = httpx.get(f"{emu.base_url}{V1}/Stores/{store}", auth=auth)
        tried += 1
        assert response.status_code == 401, (auth[0], response.status_code)
    assert emu.control.state()["accounts"][ACCOUNT_A] == before, "account A changed"
    assert inventory(emu, ACCOUNT_B).stores == {}
    FIGURES.record("secrets: cross-account isolation", cross_account_requests_refused=tried)

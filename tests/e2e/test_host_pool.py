"""The provider host pool under the real CLI: the tenant-onboarding program (root ``Pulumi.yaml``)
spreading tenants over explicit ``pulumi-python`` provider hosts.

What a user would notice: which host serves each tenant (one tenant, one host), that settings and
secrets reach every host from stack config or from the environment (and no plaintext secret lands
in state), that turning the pool on or off changes nothing live, that a tenant moving to another
host in a rename keeps its store, and that ``destroy`` of a pooled stack empties the account. The
live account is read with plain httpx (``e2e_api.Account``) and the emulator's request counters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from e2e_api import Account
from e2e_harness import REPO_ROOT, PulumiCLI, Workspace, copy_project, secret_leaks, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.e2e

PROJECT = "tenant-onboarding"
PROVIDER_TYPE = "pulumi:providers:pulumi-python"
HOST_PREFIX = "twilio-memory-host-"
DEFAULT_HOST = "default"
TENANTS = ["acme", "globex", "initech", "umbrella"]
TEMPLATES = {"Preferences": {"traits": {"tier": {"dataType": "STRING"}}}}
#: How Pulumi's state marks a secret value: this signature key and value, plus "ciphertext".
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def _workspace(pulumi_cli: PulumiCLI, tmp_path: Any, env: Mapping[str, str] | None = None) -> Workspace:
    project = copy_project(REPO_ROOT, tmp_path / "project", ["Pulumi.yaml", "__main__.py"])
    ws = pulumi_cli.workspace(tmp_path, project, dict(env or {}))
    ws.init_stack("pool")
    ws.config_set(f"{PROJECT}:namePrefix", "pool-")
    ws.config_set(f"{PROJECT}:traitGroupTemplates", json.dumps(TEMPLATES))
    ws.config_set(f"{PROJECT}:defaults", json.dumps({"templates": ["Preferences"]}))
    return ws


def _configure_emulator(ws: Workspace, emulator: EmulatorServer) -> None:
    """Credentials and URLs only in stack config (the auth token as a secret)."""
    ws.config_set("twilio-memory:accountSid", emulator.account_sid)
    ws.config_set("twilio-memory:authToken", emulator.auth_token, secret=True)
    ws.config_set("twilio-memory:memoryBaseUrl", emulator.base_url)
    ws.config_set("twilio-memory:conversationsBaseUrl", emulator.base_url)


def _tenants(ws: Workspace, tenants: list[dict[str, Any]], hosts: int | None) -> None:
    ws.config_set(f"{PROJECT}:tenants", json.dumps(tenants))
    if hosts is None:
        ws.run("config", "rm", f"{PROJECT}:providerHosts")
    else:
        ws.config_set(f"{PROJECT}:providerHosts", str(hosts))


def _host_name(provider_ref: str) -> str:
    """``urn:...::pulumi:providers:pulumi-python::<name>::<id>`` -> ``<name>``."""
    return provider_ref.rsplit("::", 2)[-2]


def _hosts_by_tenant(ws: Workspace) -> dict[str, set[str]]:
    """Tenant -> the hosts its dynamic resources are on (one tenant, one host: a single name)."""
    by_tenant: dict[str, set[str]] = {}
    for resource in ws.resources():
        if not resource["type"].startswith("pulumi-python:dynamic/"):
            continue
        tenant = resource["urn"].rsplit("::", 1)[-1].split("/", 1)[0]
        by_tenant.setdefault(tenant, set()).add(_host_name(resource["provider"]))
    return by_tenant


def _explicit_hosts(ws: Workspace) -> dict[str, dict[str, Any]]:
    """Explicit provider hosts in state: name -> recorded inputs."""
    return {
        resource["urn"].rsplit("::", 1)[-1]: resource.get("inputs") or {}
        for resource in ws.resources()
        if resource["type"] == PROVIDER_TYPE and not resource["urn"].endswith("::default")
    }


def _writes(emulator: EmulatorServer) -> dict[str, int]:
    by_route: dict[str, int] = emulator.control.stats()["byRoute"]
    return {route: n for route, n in by_route.items() if not route.startswith("GET ")}


def test_pool_spreads_tenants_and_every_host_gets_the_stack_settings(
    pulumi_cli: PulumiCLI, emulator: EmulatorServer, account: Account, tmp_path: Any
) -> None:
    ws = _workspace(pulumi_cli, tmp_path)
    _configure_emulator(ws, emulator)
    _tenants(ws, [{"name": t} for t in TENANTS], hosts=2)
    ws.up()

    # Sorted tenants round-robin over 2 hosts; host 0 is the default provider.
    host1 = f"{HOST_PREFIX}1"
    assert _hosts_by_tenant(ws) == {
        "acme": {DEFAULT_HOST},
        "globex": {host1},
        "initech": {DEFAULT_HOST},
        "umbrella": {host1},
    }
    stores = account.stores()
    statuses = {name: store["status"] for name, store in stores.items()}
    assert statuses == {f"pool-{t}": "ACTIVE" for t in TENANTS}
    assert ws.outputs()["storeIds"] == {t: stores[f"pool-{t}"]["id"] for t in TENANTS}

    # The explicit host was configured from its own inputs: the stack's settings, secret as secret.
    inputs = _explicit_hosts(ws)[host1]
    assert inputs["twilio-memory:accountSid"] == emulator.account_sid
    assert inputs["twilio-memory:memoryBaseUrl"] == emulator.base_url
    token = inputs["twilio-memory:authToken"]
    assert token.get(SECRET_SIG[0]) == SECRET_SIG[1] and "ciphertext" in token
    assert secret_leaks(ws, {"auth token": emulator.auth_token}) == []
    ws.preview("--refresh", "--expect-no-changes")

    # A bigger pool: every tenant on its own host, nothing replaced, nothing written.
    emulator.control.reset_stats()
    _tenants(ws, [{"name": t} for t in TENANTS], hosts=4)
    ws.up()
    assert _writes(emulator) == {}
    assert ws.last_update_changes() == {"create": 2, "same": len(ws.resources()) - 2 - 1}
    assert _hosts_by_tenant(ws) == {
        "acme": {DEFAULT_HOST},
        "globex": {f"{HOST_PREFIX}1"},
        "initech": {f"{HOST_PREFIX}2"},
        "umbrella": {f"{HOST_PREFIX}3"},
    }
    assert account.stores() == stores
    ws.preview("--refresh", "--expect-no-changes")

    ws.destroy()
    assert account.stores() == {}
    assert account.configurations() == {}
    assert [r for r in ws.resources() if r["type"] != "pulumi:pulumi:Stack"] == []
    assert secret_leaks(ws, {"auth token": emulator.auth_token}) == []


def test_settings_from_the_environment_reach_every_host(
    pulumi_cli: PulumiCLI, emulator: EmulatorServer, account: Account, tmp_path: Any
) -> None:
    env = twilio_env(emulator.base_url, api_key=emulator.api_key, api_secret=emulator.api_secret)
    ws = _workspace(pulumi_cli, tmp_path, env)
    _tenants(ws, [{"name": t} for t in TENANTS[:2]], hosts=2)
    ws.up()
    assert _hosts_by_tenant(ws) == {"acme": {DEFAULT_HOST}, "globex": {f"{HOST_PREFIX}1"}}
    assert _explicit_hosts(ws) == {f"{HOST_PREFIX}1": {}}  # nothing set in the stack: nothing passed
    assert set(account.stores()) == {"pool-acme", "pool-globex"}
    assert secret_leaks(ws, {"API secret": emulator.api_secret}) == []
    ws.destroy()
    assert account.stores() == {}


def test_turning_the_pool_on_and_off_changes_nothing_live(
    pulumi_cli: PulumiCLI, emulator: EmulatorServer, account: Account, tmp_path: Any
) -> None:
    ws = _workspace(pulumi_cli, tmp_path)
    _configure_emulator(ws, emulator)
    tenants = [{"name": t} for t in TENANTS]
    _tenants(ws, tenants, hosts=None)  # 4 tenants: the automatic size is 1, as before pools
    ws.up()
    assert {host for hosts in _hosts_by_tenant(ws).values() for host in hosts} == {DEFAULT_HOST}
    before = account.everything()
    managed = len(ws.resources()) - 1  # all but the stack itself

    for hosts, changes in ((2, {"create": 1}), (1, {"delete": 1})):  # pool on (2 hosts), then off
        emulator.control.reset_stats()
        _tenants(ws, tenants, hosts=hosts)
        preview = ws.preview("--diff")
        assert "replace" not in preview.output.lower(), preview.output
        ws.up()
        assert _writes(emulator) == {}
        assert account.everything() == before
        recorded = ws.last_update_changes()
        assert {op: n for op, n in recorded.items() if op != "same"} == changes
        ws.preview("--refresh", "--expect-no-changes")
        assert len(ws.resources()) - 1 == managed + (1 if hosts == 2 else 0)
    ws.destroy()
    assert account.stores() == {}


def test_a_tenant_renamed_onto_another_host_keeps_its_store(
    pulumi_cli: PulumiCLI, emulator: EmulatorServer, account: Account, tmp_path: Any
) -> None:
    """Rename without an alias, then ``adopt``: the new name (default host) takes the live store
    over, then the old name's delete runs in the other host, which must know the store is claimed."""
    ws = _workspace(pulumi_cli, tmp_path)
    _configure_emulator(ws, emulator)
    _tenants(ws, [{"name": "acme"}, {"name": "globex"}], hosts=2)
    ws.up()
    assert _hosts_by_tenant(ws)["globex"] == {f"{HOST_PREFIX}1"}
    store = account.stores()["pool-globex"]

    renamed = [{"name": "acme"}, {"name": "aaa", "displayName": "pool-globex", "adopt": True}]
    _tenants(ws, renamed, hosts=2)
    ws.up()
    assert _hosts_by_tenant(ws)["aaa"] == {DEFAULT_HOST}  # sorted first: host 0
    live = account.stores()
    assert set(live) == {"pool-acme", "pool-globex"}
    assert live["pool-globex"]["id"] == store["id"]
    assert set(account.trait_groups(store["id"])) == {"Contact", "Preferences"}
    assert {c["memoryStoreId"] for c in account.configurations().values()} == {
        live["pool-acme"]["id"],
        store["id"],
    }
    assert ws.outputs()["storeIds"]["aaa"] == store["id"]
    ws.preview("--refresh", "--expect-no-changes")
    ws.destroy()
    assert account.stores() == {}

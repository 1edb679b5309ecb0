"""The account as seen through the API: what e2e tests verify, and changes made behind Pulumi's back.

:class:`Account` reads with raw HTTP (not the provider's client: the tier checks the provider,
so it must not check it with itself) and makes the out-of-band changes a colleague would make in
the Console: patch or delete a store, trait group or configuration. Every write waits for its
asynchronous operation to finish, so the next CLI command sees the change.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from e2e_harness import PulumiCLI, Workspace, copy_project, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

__all__ = [
    "CONFIGS",
    "RESOURCES_PROGRAM",
    "STORES",
    "Account",
    "Deployed",
    "deployed_stack",
    "resources_stack",
]

#: One of each resource, every input from stack config (programs/resources/Pulumi.e2e.yaml).
RESOURCES_PROGRAM = Path(__file__).resolve().parent / "programs" / "resources"

STORES = "/v1/ControlPlane/Stores"
CONFIGS = "/v2/ControlPlane/Configurations"
_TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


class Account:
    """One emulator account, through its public API."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    # -- reads ---------------------------------------------------------------------------------

    def _get(self, path: str, **params: Any) -> dict[str, Any] | None:
        response = self.http.get(path, params=params)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def _pages(self, path: str, key: str, **query: Any) -> list[Any]:
        items: list[Any] = []
        params = dict(query)
        while True:
            page = self._get(path, **params) or {}
            items += page.get(key, [])
            token = page.get("meta", {}).get("nextToken")
            if not token:
                return items
            params = {**query, "pageToken": token}

    def store(self, store_id: str) -> dict[str, Any] | None:
        return self._get(f"{STORES}/{store_id}")

    def stores(self) -> dict[str, dict[str, Any]]:
        """Every store by display name (the list may carry ids or whole objects)."""
        found: dict[str, dict[str, Any]] = {}
        for item in self._pages(STORES, "stores"):
            store = self.store(item if isinstance(item, str) else item["id"])
            if store is not None:
                found[store["displayName"]] = store
        return found

    def trait_group(self, store_id: str, name: str) -> dict[str, Any] | None:
        body = self._get(f"{STORES}/{store_id}/TraitGroups/{name}")
        return None if body is None else body["traitGroup"]  # type: ignore[no-any-return]

    def trait_groups(self, store_id: str) -> dict[str, dict[str, Any]]:
        items = self._pages(f"{STORES}/{store_id}/TraitGroups", "traitGroups", includeTraits="true")
        return {group["displayName"]: group for group in items}

    def data_mappings(self, store_id: str) -> dict[str, dict[str, Any]]:
        """Every data mapping of the store by id."""
        return {item["id"]: item for item in self._pages(f"{STORES}/{store_id}/DataMappings", "dataMappings")}

    def identity_resolution(self, store_id: str) -> dict[str, Any] | None:
        return self._get(f"{STORES}/{store_id}/IdentityResolutionSettings")

    def configuration(self, configuration_id: str) -> dict[str, Any] | None:
        return self._get(f"{CONFIGS}/{configuration_id}")

    def configurations(self) -> dict[str, dict[str, Any]]:
        """Every Conversations configuration by id."""
        return {item["id"]: item for item in self._pages(CONFIGS, "configurations")}

    def everything(self) -> dict[str, Any]:
        """Every store with its trait groups and identity resolution, and every configuration,
        versions included: equal before and after means nothing live changed."""
        stores = self.stores()
        return {
            "stores": stores,
            "groups": {name: self.trait_groups(s["id"]) for name, s in stores.items()},
            "identity": {name: self.identity_resolution(s["id"]) for name, s in stores.items()},
            "mappings": {name: self.data_mappings(s["id"]) for name, s in stores.items()},
            "configurations": self.configurations(),
        }

    # -- out-of-band writes --------------------------------------------------------------------

    def _write(self, method: str, path: str, body: Any = None, *, if_match: bool = False) -> None:
        headers = {}
        if if_match:
            current = self.http.get(path)
            current.raise_for_status()
            headers["If-Match"] = current.headers["ETag"]
        response = self.http.request(method, path, json=body, headers=headers)
        response.raise_for_status()
        status_url = (response.json() if response.content else {}).get("statusUrl")
        if status_url:
            self._wait(status_url)

    def _wait(self, status_url: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            operation = self.http.get(status_url)
            operation.raise_for_status()
            status = operation.json()["status"]
            if status in _TERMINAL:
                assert status == "COMPLETED", operation.json()
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"operation {status_url} still {status} after {timeout:g}s")
            time.sleep(0.05)

    def patch_store(self, store_id: str, **body: Any) -> None:
        self._write("PATCH", f"{STORES}/{store_id}", body, if_match=True)

    def patch_trait_group(self, store_id: str, name: str, **body: Any) -> None:
        self._write("PATCH", f"{STORES}/{store_id}/TraitGroups/{name}", body, if_match=True)

    def delete_trait_group(self, store_id: str, name: str) -> None:
        self._write("DELETE", f"{STORES}/{store_id}/TraitGroups/{name}")

    def patch_data_mapping(self, store_id: str, mapping_id: str, **body: Any) -> None:
        self._write("PATCH", f"{STORES}/{store_id}/DataMappings/{mapping_id}", body, if_match=True)

    def patch_configuration(self, configuration_id: str, **body: Any) -> None:
        self._write("PATCH", f"{CONFIGS}/{configuration_id}", body)

    def delete_configuration(self, configuration_id: str) -> None:
        self._write("DELETE", f"{CONFIGS}/{configuration_id}")


@dataclass
class Deployed:
    """A stack under test: its workspace, the account it manages and the emulator serving it."""

    ws: Workspace
    api: Account
    emulator: EmulatorServer

    def outputs(self) -> dict[str, Any]:
        return self.ws.outputs()

    def writes(self) -> dict[str, int]:
        """Requests other than GET since the emulator's stats were last reset, by route."""
        by_route: dict[str, int] = self.emulator.control.stats()["byRoute"]
        return {route: n for route, n in by_route.items() if not route.startswith("GET ")}


@contextmanager
def deployed_stack(ws: Workspace, emulator: EmulatorServer) -> Iterator[Deployed]:
    """``pulumi up`` the workspace's selected stack, then hand it over with an API client."""
    ws.up()
    with emulator.http() as http:
        yield Deployed(ws, Account(http), emulator)


@contextmanager
def resources_stack(
    pulumi_cli: PulumiCLI, emulator: EmulatorServer, root: Path, stack: str
) -> Iterator[Deployed]:
    """A copy of :data:`RESOURCES_PROGRAM` up in ``root``, credentials from the environment."""
    project = copy_project(RESOURCES_PROGRAM, root / "project")
    env = twilio_env(emulator.base_url, api_key=emulator.api_key, api_secret=emulator.api_secret)
    ws = pulumi_cli.workspace(root, project, env)
    ws.init_stack(stack)
    with deployed_stack(ws, emulator) as deployed:
        yield deployed

"""The baseline: what a user writes without Pulumi, with the official ``twilio`` SDK (9.13).

Onboards the same tenants as the benchmark's Pulumi stack (per tenant: a store, the
``Preferences`` trait group, identity resolution, a Conversations configuration wired to the
store), one call after another, and waits for every asynchronous write by polling with a fixed
``time.sleep`` between polls: fetch, and if not done, sleep ``--poll-interval`` and fetch again.
No state, no drift detection, no retries: the simplest script that works.

    python -m bench.baseline_twilio_sdk --url http://127.0.0.1:PORT --tenants 4 --poll-interval 1

Prints one JSON line: ``{"tenants": N, "seconds": ..., "requests": ...}`` (time inside the script,
after imports; the benchmark also times the whole process, as a user would feel it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.rest.conversations.v2.configuration import ConfigurationList
from twilio.rest.memory.v1.identity_resolution_setting import IdentityResolutionSettingList
from twilio.rest.memory.v1.store import StoreList
from twilio.rest.memory.v1.trait_group import TraitGroupList

from .workspace import (
    CHAT_SETTINGS,
    EMULATOR_ACCOUNT_SID,
    EMULATOR_AUTH_TOKEN,
    IDENTITY_RESOLUTION,
    PREFERENCES,
    tenant_names,
)

__all__ = ["CountingHttpClient", "main", "onboard_tenant"]


class CountingHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, counting requests (the emulator's stats count them too)."""

    requests = 0

    def request(self, *args: Any, **kwargs: Any) -> Any:
        CountingHttpClient.requests += 1
        return super().request(*args, **kwargs)


def wait_until(fetch: Callable[[], Any], done: Callable[[Any], bool], interval: float) -> Any:
    """Fetch; while not done, sleep a fixed interval and fetch again."""
    value = fetch()
    while not done(value):
        time.sleep(interval)
        value = fetch()
    return value


def _operation_done(operation: Any) -> bool:
    if operation.status in ("FAILED", "CANCELLED"):
        raise RuntimeError(f"operation {operation.operation_id} ended {operation.status}: {operation.error}")
    return bool(operation.status == "COMPLETED")


def onboard_tenant(client: Client, name: str, interval: float) -> str:
    """Create one tenant's four resources in order; returns the store id."""
    display_name = f"bench-{name}"
    description = f"Conversation memory for {display_name}"
    memory = client.memory.v1
    created = memory.stores.create_with_http_info(
        StoreList.ServiceRequest({"displayName": display_name, "description": description})
    )
    operation = wait_until(
        memory.operations(created.headers["Operation-Id"]).fetch, _operation_done, interval
    )
    store_id: str = operation.result["id"]
    wait_until(memory.stores(store_id).fetch, lambda store: store.status == "ACTIVE", interval)

    group = memory.trait_groups(store_id).create_with_http_info(
        TraitGroupList.TraitGroupRequest({"displayName": "Preferences", **PREFERENCES})
    )
    wait_until(memory.operations(group.headers["Operation-Id"]).fetch, _operation_done, interval)

    settings = memory.identity_resolution_settings(store_id).update_with_http_info(
        IdentityResolutionSettingList.IdentityResolutionSettingsCore(IDENTITY_RESOLUTION)
    )
    wait_until(memory.operations(settings.headers["Operation-Id"]).fetch, _operation_done, interval)

    configuration = client.conversations.v2.configurations.create_with_http_info(
        create_configuration_request=ConfigurationList.CreateConfigurationRequest(
            {
                "displayName": display_name,
                "description": description,
                "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
                "memoryStoreId": store_id,
                "channelSettings": CHAT_SETTINGS,
            }
        )
    )
    conversations_operation = client.conversations.v2.operations(configuration.headers["Operation-Id"])
    wait_until(conversations_operation.fetch, _operation_done, interval)
    return store_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="emulator base URL")
    parser.add_argument("--tenants", type=int, required=True)
    parser.add_argument("--poll-interval", type=float, default=1.0, help="fixed sleep between polls (s)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    client = Client(EMULATOR_ACCOUNT_SID, EMULATOR_AUTH_TOKEN, http_client=CountingHttpClient())
    client.memory.base_url = args.url
    client.conversations.base_url = args.url
    for name in tenant_names(args.tenants):
        onboard_tenant(client, name, args.poll_interval)
    result = {
        "tenants": args.tenants,
        "seconds": time.perf_counter() - started,
        "requests": CountingHttpClient.requests,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

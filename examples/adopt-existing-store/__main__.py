"""Adopt a store created in the Console (or by a script) and manage it from now on.

``pulumi import`` does not work for dynamic resources; ``adopt=True`` is the import path by name:
create finds the store by its display name, takes it over and updates it to match (here: the
description). ``opts=pulumi.ResourceOptions(import_="mem_store_…")`` does the same by id.
Config: ``displayName`` (default ``legacy-support``), ``protect`` (default true).
"""

import pulumi
import pulumi_twilio_memory as tm

config = pulumi.Config()
store = tm.Store(
    "legacy",
    display_name=config.get("displayName") or "legacy-support",
    description="Support memory, managed by Pulumi since adoption",
    adopt=True,
    # An adopted store usually holds production data: make `pulumi destroy` refuse to delete it.
    opts=pulumi.ResourceOptions(protect=config.get_bool("protect") is not False),
)

pulumi.export("storeId", store.id)

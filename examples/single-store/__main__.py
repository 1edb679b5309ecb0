"""One memory store, nothing else. Config: ``displayName`` (default ``example-support``)."""

import pulumi
import pulumi_twilio_memory as tm

config = pulumi.Config()
store = tm.Store(
    "support",
    display_name=config.get("displayName") or "example-support",
    description="Support conversations memory",
)

pulumi.export("storeId", store.id)
pulumi.export("status", store.status)

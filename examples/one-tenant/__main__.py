"""One tenant with every default: store, identity resolution, Conversations configuration.

Config: ``name`` (default ``example-acme``), used as the store's display name.
"""

import pulumi
import pulumi_twilio_memory as tm

tenant = tm.TenantMemory(pulumi.Config().get("name") or "example-acme")

pulumi.export("storeId", tenant.store_id)
pulumi.export("configurationId", tenant.configuration_id)

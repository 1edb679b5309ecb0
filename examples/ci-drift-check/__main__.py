"""A tenant with a trait group and custom identity resolution: enough to drift in interesting ways.

Config: ``name`` (default ``example-drift``).
"""

import pulumi
import pulumi_twilio_memory as tm

tenant = tm.TenantMemory(
    pulumi.Config().get("name") or "example-drift",
    description="Checked for drift on every CI run",
    trait_groups={
        "Preferences": {
            "description": "What the customer told us they like",
            "traits": {"tier": {"data_type": "STRING"}, "marketingOptIn": {"data_type": "BOOLEAN"}},
        }
    },
    identity_resolution={
        "identifier_configs": [
            {"id_type": "email", "matching_algo": "exact", "normalization": "email", "limit": 5},
            {"id_type": "phone", "matching_algo": "exact", "normalization": "phone", "limit": 3},
        ],
        "matching_rules": ["email", "phone"],
    },
    conversation={"channel_settings": {"CHAT": {"status_timeouts": {"inactive": 10, "closed": 60}}}},
)

pulumi.export("storeId", tenant.store_id)
pulumi.export("traitGroups", tenant.trait_groups)

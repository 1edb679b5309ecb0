"""The tenant an agent remembers its callers in: a store, a ``Caller`` trait group for what the agent
learns about a caller, and identity resolution that recognises a caller by phone (E.164, so any
way of writing the number finds the same profile) or email. No Conversations configuration: the
agent (``agent.py``) writes its memories itself.

Config: ``name`` (default ``example-agent``), the store's display name.
"""

import pulumi
import pulumi_twilio_memory as tm

tenant = tm.TenantMemory(
    pulumi.Config().get("name") or "example-agent",
    description="What the support agent remembers about its callers",
    trait_groups={
        "Caller": {
            "description": "What the agent learned about the caller",
            "traits": {
                "preferredName": {
                    "data_type": "STRING",
                    "description": "How the caller likes to be addressed",
                },
                "calls": {"data_type": "NUMBER", "description": "Calls answered so far"},
            },
        }
    },
    identity_resolution={
        "identifier_configs": [
            {"id_type": "phone", "matching_algo": "exact", "normalization": "phone", "limit": 3},
            {"id_type": "email", "matching_algo": "exact", "normalization": "email", "limit": 3},
        ],
        "matching_rules": ["phone", "email"],
    },
    conversation=False,
)

pulumi.export("storeId", tenant.store_id)

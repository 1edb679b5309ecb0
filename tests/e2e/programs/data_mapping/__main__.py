"""A store, a trait group ``Loyalty`` and a data mapping into it, shaped by stack config.

* ``name`` / ``alias``: the mapping's logical name, and the old name it was known by;
* ``options``: keyword arguments of the mapping's ``pulumi.ResourceOptions`` (``import_``, ...);
* ``omit``: leave the mapping out; ``columns``, ``expressions`` (trait -> expression),
  ``description``: its inputs;
* ``tenant``: also onboard a TenantMemory whose data mapping maps into its own trait group.
"""

from typing import Any

import pulumi
import pulumi_twilio_memory as tm

config = pulumi.Config()

store = tm.Store("store", display_name="e2e-mapping-store", description="Store of the data mapping")
group = tm.TraitGroup(
    "group",
    store_id=store.id,
    display_name="Loyalty",
    traits={"tier": {"data_type": "STRING"}, "points": {"data_type": "NUMBER"}},
)
pulumi.export("storeId", store.id)

if not config.get_bool("omit"):
    extra: dict[str, Any] = dict(config.get_object("options") or {})
    alias = config.get("alias")
    if alias:
        extra["aliases"] = [pulumi.Alias(name=alias)]
    expressions: dict[str, str] = config.require_object("expressions")
    mapping = tm.DataMapping(
        config.get("name") or "mapping",
        store_id=store.id,
        display_name="crm-import",
        description=config.get("description"),
        mapping_from={"type": "INGRESS", "columns": config.require_object("columns")},
        mapping_to=[
            {"expression": expression, "trait_group": group.display_name, "trait_name": trait}
            for trait, expression in expressions.items()
        ],
        opts=pulumi.ResourceOptions(**extra),
    )
    pulumi.export("mappingId", mapping.id)

if config.get_bool("tenant"):
    tenant = tm.TenantMemory(
        "e2e-mapping-tenant",
        trait_groups={"Preferences": {"traits": {"tier": {"data_type": "STRING"}}}},
        data_mappings={
            "tenant-crm": {
                "mapping_from": {"type": "INGRESS", "columns": ["tier"]},
                "mapping_to": [{"expression": "$.tier", "trait_group": "Preferences", "trait_name": "tier"}],
            }
        },
        conversation=False,
    )
    pulumi.export("tenantMappings", tenant.data_mappings)

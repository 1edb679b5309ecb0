"""One of each resource, wired by store id; every input comes from stack config (Pulumi.e2e.yaml)."""

import pulumi
import pulumi_twilio_memory as tm

config = pulumi.Config()

store = tm.Store(
    "store", display_name=config.require("storeName"), description=config.get("storeDescription")
)
group = tm.TraitGroup(
    "group",
    store_id=store.id,
    display_name=config.require("groupName"),
    description=config.get("groupDescription"),
    traits=config.require_object("traits"),
)
identity = tm.IdentityResolutionSettings("identity", store_id=store.id, **config.require_object("identity"))
conversation = tm.ConversationConfiguration(
    "conversation", memory_store_id=store.id, **config.require_object("conversation")
)

pulumi.export("storeId", store.id)
pulumi.export("traitGroupId", group.id)
pulumi.export("identityId", identity.id)
pulumi.export("configurationId", conversation.id)

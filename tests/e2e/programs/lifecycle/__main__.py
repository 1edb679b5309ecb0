"""One of each resource, shaped by stack config (the keys are in ``Pulumi.e2e.yaml``).

* ``names``: resource key -> logical name (a rename is a new name here);
* ``aliases``: resource key -> the old logical name it was known by;
* ``options``: resource key -> keyword arguments of ``pulumi.ResourceOptions`` (``protect``,
  ``retain_on_delete``, ``ignore_changes``, ``replace_on_changes``, ``import_``, ...);
* ``adopt``: resource key -> the resource's ``adopt`` input;
* ``omit``: resource keys left out of the program (the store is always there);
* ``groupTraits`` / ``secondGroupTraits``: trait name -> data type of the group ``Loyalty`` and of
  an optional second group ``Preferences``.
"""

from typing import Any

import pulumi
import pulumi_twilio_memory as tm

config = pulumi.Config()
names: dict[str, str] = config.get_object("names") or {}
aliases: dict[str, str] = config.get_object("aliases") or {}
options: dict[str, dict[str, Any]] = config.get_object("options") or {}
adopt: dict[str, bool] = config.get_object("adopt") or {}
omit: list[str] = config.get_object("omit") or []


def opts(key: str) -> pulumi.ResourceOptions:
    extra: dict[str, Any] = dict(options.get(key) or {})
    if key in aliases:
        extra["aliases"] = [pulumi.Alias(name=aliases[key])]
    return pulumi.ResourceOptions(**extra)


store = tm.Store(
    names.get("store", "store"),
    display_name=config.require("storeName"),
    description=config.require("storeDescription"),
    adopt=adopt.get("store"),
    opts=opts("store"),
)
pulumi.export("storeId", store.id)


def trait_group(name: str, display_name: str, traits: dict[str, str], **more: Any) -> tm.TraitGroup:
    typed = {trait: {"data_type": kind} for trait, kind in traits.items()}
    return tm.TraitGroup(name, store_id=store.id, display_name=display_name, traits=typed, **more)


if "group" not in omit:
    group = trait_group(
        names.get("group", "group"),
        "Loyalty",
        config.require_object("groupTraits"),
        description=config.require("groupDescription"),
        adopt=adopt.get("group"),
        opts=opts("group"),
    )
    pulumi.export("traitGroupId", group.id)

second: dict[str, str] | None = config.get_object("secondGroupTraits")
if second is not None:  # a second group of the same store (a trait moves between the two)
    trait_group("second-group", "Preferences", second)

if "identity" not in omit:
    identity = tm.IdentityResolutionSettings(
        names.get("identity", "identity"),
        store_id=store.id,
        identifier_configs=[{"id_type": "email", "normalization": "email"}, {"id_type": "phone"}],
        matching_rules=config.require_object("matchingRules"),
        opts=opts("identity"),
    )
    pulumi.export("identityId", identity.id)

if "conversation" not in omit:
    conversation = tm.ConversationConfiguration(
        names.get("conversation", "conversation"),
        display_name="e2e-lifecycle",
        description=config.require("conversationDescription"),
        conversation_grouping_type="GROUP_BY_PARTICIPANT_ADDRESSES",
        memory_store_id=store.id,
        adopt=adopt.get("conversation"),
        opts=opts("conversation"),
    )
    pulumi.export("configurationId", conversation.id)

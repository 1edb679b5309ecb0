"""``TraitGroup`` as a Pulumi dynamic resource (Python programs): its arguments and
its resource class, over the core in :mod:`pulumi_twilio_memory.resources.trait_group`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from ..resources._dynamic import resource_options, resource_props
from ..resources.trait_group import TraitGroupProvider
from ._host import hosted

__all__ = ["TraitDefinitionArgs", "TraitGroup", "TraitGroupArgs", "ValidationRuleArgs"]


@dataclass(frozen=True, kw_only=True)
class ValidationRuleArgs:
    """A trait's validation rule; only the fields of its ``rule_type`` apply.

    ``rule_type`` defaults to the trait's ``data_type`` (the API requires them to be equal).
    """

    rule_type: pulumi.Input[str] | None = None
    #: STRING: a regular expression (at most 1000 characters), and length bounds.
    pattern: pulumi.Input[str] | None = None
    #: STRING: the shortest value allowed.
    min_length: pulumi.Input[int] | None = None
    #: STRING: the longest value allowed.
    max_length: pulumi.Input[int] | None = None
    #: NUMBER: the lowest value allowed (inclusive).
    min: pulumi.Input[float] | None = None
    #: NUMBER: the highest value allowed (inclusive).
    max: pulumi.Input[float] | None = None
    #: ARRAY: the fewest items allowed.
    min_items: pulumi.Input[int] | None = None
    #: ARRAY: the most items allowed.
    max_items: pulumi.Input[int] | None = None


@dataclass(frozen=True, kw_only=True)
class TraitDefinitionArgs:
    """One trait of a group; its name is the key in ``traits``."""

    #: STRING, NUMBER, BOOLEAN or ARRAY.
    data_type: pulumi.Input[str]
    #: At most 1024 characters.
    description: pulumi.Input[str] | None = None
    #: What a value must satisfy; only the fields of its rule type apply.
    validation_rule: pulumi.Input[ValidationRuleArgs | Mapping[str, Any]] | None = None
    #: The identity-resolution ``id_type`` this trait's value is promoted to (at most 30 characters).
    id_type_promotion: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class TraitGroupArgs:
    """Inputs of a :class:`TraitGroup`."""

    #: The store (``mem_store_…``), usually ``store.id``. Changing it replaces the group.
    store_id: pulumi.Input[str]
    #: Unique in the store: 1-64 letters, digits, ``_``, ``-`` or ``.``. Changing it replaces the group.
    display_name: pulumi.Input[str]
    #: At most 1024 characters. Omitted: whatever the group has is left alone.
    description: pulumi.Input[str] | None = None
    #: trait name -> definition (dict or :class:`TraitDefinitionArgs`); at most 95.
    traits: pulumi.Input[Mapping[str, TraitDefinitionArgs | Mapping[str, Any]]] | None = None
    #: Take over an existing group of this name (e.g. the seeded ``Contact``) instead of failing.
    adopt: pulumi.Input[bool] | None = None


class TraitGroup(Resource, module="twilio-memory", name="TraitGroup"):
    """A trait group of a memory store. ``id`` is ``<storeId>/<displayName>``.

    ``tm.TraitGroup("prefs", store_id=store.id, display_name="Preferences",
    traits={"tier": {"data_type": "STRING", "description": "loyalty tier"}})``.
    """

    store_id: pulumi.Output[str]
    display_name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    #: trait name -> ``{data_type, description, validation_rule, id_type_promotion}``, as live.
    traits: pulumi.Output[dict[str, Any]]
    adopt: pulumi.Output[bool]
    #: +1 per successful update.
    version: pulumi.Output[int]
    #: The ETag recorded at the last create/read/update; sent as If-Match on updates.
    etag: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: TraitGroupArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        store_id: pulumi.Input[str] | None = None,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        traits: pulumi.Input[Mapping[str, TraitDefinitionArgs | Mapping[str, Any]]] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        if args is None and (store_id is None or display_name is None):
            raise TypeError(
                f"TraitGroup {resource_name!r} needs store_id= and display_name= "
                "(or args=TraitGroupArgs(...))"
            )
        props = resource_props(
            args,
            {
                "store_id": store_id,
                "display_name": display_name,
                "description": description,
                "traits": traits,
                "adopt": adopt,
            },
            TraitGroupProvider.output_fields,
            defaults={"adopt": False},
        )
        # Names are unique in a store: a replacement (also `pulumi up --replace`) must delete first.
        opts = resource_options(opts, props, TraitGroupProvider)
        super().__init__(hosted(TraitGroupProvider()), resource_name, props, opts)

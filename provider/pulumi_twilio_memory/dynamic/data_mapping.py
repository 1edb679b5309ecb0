"""``DataMapping`` as a Pulumi dynamic resource (Python programs): its arguments and
its resource class, over the core in :mod:`pulumi_twilio_memory.resources.data_mapping`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from ..resources._dynamic import resource_options, resource_props
from ..resources.data_mapping import DataMappingProvider
from ._host import hosted

__all__ = ["DataMapping", "DataMappingArgs", "MappingFromArgs", "MappingToArgs", "TraitMappingArgs"]


@dataclass(frozen=True, kw_only=True)
class MappingFromArgs:
    """Where the mapping reads from; cannot change once created (a change replaces the mapping)."""

    #: INGRESS, DATASET_CLOUDAPP or DATASET_WAREHOUSE.
    type: pulumi.Input[str]
    #: INGRESS only: the 1-100 ingested columns read (each 1-256 characters).
    columns: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    #: DATASET_CLOUDAPP / DATASET_WAREHOUSE only: the dataset (``tdi_dataset_…``).
    dataset_id: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class TraitMappingArgs:
    """One mapping: the value of ``expression`` is written into ``trait_name`` of ``trait_group``."""

    #: 1-256 characters, e.g. ``$.tier``.
    expression: pulumi.Input[str]
    #: The trait group's display name, usually ``group.display_name`` (so the mapping depends on it).
    trait_group: pulumi.Input[str]
    #: A trait of that group, as the API stores it (lowerCamelCase; at most 128 characters).
    trait_name: pulumi.Input[str]


@dataclass(frozen=True, kw_only=True)
class MappingToArgs:
    """What the mapping writes: traits (TRAITS, the only type), 1-100 mappings."""

    #: 1-100 items, each an expression written into one trait of one group.
    mappings: pulumi.Input[Sequence[TraitMappingArgs | Mapping[str, Any]]]
    #: TRAITS (the default and only value).
    type: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class DataMappingArgs:
    """Inputs of a :class:`DataMapping`."""

    #: The store (``mem_store_…``), usually ``store.id``. Changing it replaces the mapping.
    store_id: pulumi.Input[str]
    #: Unique in the store: 1-64 letters, digits, ``-`` or ``.``, starting with a letter.
    display_name: pulumi.Input[str]
    #: Where it reads from (dict or :class:`MappingFromArgs`). Changing it replaces the mapping.
    mapping_from: pulumi.Input[MappingFromArgs | Mapping[str, Any]]
    #: What it writes: the list of mappings, or ``{"type": "TRAITS", "mappings": [...]}``.
    mapping_to: pulumi.Input[
        MappingToArgs | Mapping[str, Any] | Sequence[TraitMappingArgs | Mapping[str, Any]]
    ]
    #: 1-512 characters. Omitted: whatever the mapping has is left alone.
    description: pulumi.Input[str] | None = None
    #: Default true.
    is_enabled: pulumi.Input[bool] | None = None
    #: Take over an existing mapping of this display name in the store instead of failing.
    adopt: pulumi.Input[bool] | None = None


class DataMapping(Resource, module="twilio-memory", name="DataMapping"):
    """A data mapping of a memory store. ``id`` is ``<storeId>/<dataMappingId>``.

    ``tm.DataMapping("crm", store_id=store.id, display_name="crm-import",
    mapping_from={"type": "INGRESS", "columns": ["tier"]},
    mapping_to=[{"expression": "$.tier", "trait_group": prefs.display_name, "trait_name": "tier"}])``.
    """

    store_id: pulumi.Output[str]
    display_name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    is_enabled: pulumi.Output[bool]
    #: ``{type, columns}`` or ``{type, dataset_id}``, as live.
    mapping_from: pulumi.Output[dict[str, Any]]
    #: ``{type: TRAITS, mappings: [{expression, trait_group, trait_name}]}``, as live.
    mapping_to: pulumi.Output[dict[str, Any]]
    adopt: pulumi.Output[bool]
    #: The API's id (``mem_datamapping_…``).
    data_mapping_id: pulumi.Output[str]
    #: +1 per successful update.
    version: pulumi.Output[int]
    #: The ETag recorded at the last create/read/update; sent as If-Match on updates.
    etag: pulumi.Output[str]
    #: When the mapping was created (ISO 8601).
    created_at: pulumi.Output[str]
    #: When it last changed (ISO 8601).
    updated_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: DataMappingArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        store_id: pulumi.Input[str] | None = None,
        display_name: pulumi.Input[str] | None = None,
        mapping_from: pulumi.Input[MappingFromArgs | Mapping[str, Any]] | None = None,
        mapping_to: pulumi.Input[
            MappingToArgs | Mapping[str, Any] | Sequence[TraitMappingArgs | Mapping[str, Any]]
        ]
        | None = None,
        description: pulumi.Input[str] | None = None,
        is_enabled: pulumi.Input[bool] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        if args is None and (
            store_id is None or display_name is None or mapping_from is None or mapping_to is None
        ):
            raise TypeError(
                f"DataMapping {resource_name!r} needs store_id=, display_name=, mapping_from= and "
                "mapping_to= (or args=DataMappingArgs(...))"
            )
        props = resource_props(
            args,
            {
                "store_id": store_id,
                "display_name": display_name,
                "mapping_from": mapping_from,
                "mapping_to": mapping_to,
                "description": description,
                "is_enabled": is_enabled,
                "adopt": adopt,
            },
            DataMappingProvider.output_fields,
            defaults={"adopt": False, "is_enabled": True},
        )
        # Names are unique in a store: a replacement (also `pulumi up --replace`) must delete first.
        opts = resource_options(opts, props, DataMappingProvider)
        super().__init__(hosted(DataMappingProvider()), resource_name, props, opts)

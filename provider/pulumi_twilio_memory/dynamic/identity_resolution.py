"""``IdentityResolutionSettings`` as a Pulumi dynamic resource (Python programs): its arguments and
its resource class, over the core in :mod:`pulumi_twilio_memory.resources.identity_resolution`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from ..resources._dynamic import resource_options, resource_props
from ..resources.identity_resolution import IdentityResolutionSettingsProvider
from ._host import hosted

__all__ = ["IdentifierConfigArgs", "IdentityResolutionSettings", "IdentityResolutionSettingsArgs"]


@dataclass(frozen=True, kw_only=True)
class IdentifierConfigArgs:
    """One identifier type. Only ``id_type`` is required; the rest default as the API does."""

    #: 2-30 characters, e.g. ``email`` or ``phone``; unique within the settings.
    id_type: pulumi.Input[str]
    #: ``exact`` (default) or ``fuzzy``.
    matching_algo: pulumi.Input[str] | None = None
    #: 50-99 (percent), used by fuzzy matching; default 75 for fuzzy.
    matching_threshold: pulumi.Input[int] | None = None
    #: Values kept per profile, 1-100; default 100.
    limit: pulumi.Input[int] | None = None
    #: ``fifo`` (default: evict the oldest value) or ``lifo``.
    limit_policy: pulumi.Input[str] | None = None
    #: Default true: one profile per value, and a shared value merges profiles.
    enforce_unique: pulumi.Input[bool] | None = None
    #: ``phone`` (E.164), ``email``, ``trim`` (default) or ``none``.
    normalization: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class IdentityResolutionSettingsArgs:
    """Inputs of :class:`IdentityResolutionSettings`."""

    #: The store (``mem_store_…``), usually ``store.id``. Changing it replaces the resource.
    store_id: pulumi.Input[str]
    #: 1-15 identifier types (dicts or :class:`IdentifierConfigArgs`).
    identifier_configs: pulumi.Input[Sequence[IdentifierConfigArgs | Mapping[str, Any]]]
    #: 1-15 configured ``id_type`` names, highest priority first.
    matching_rules: pulumi.Input[Sequence[pulumi.Input[str]]]


class IdentityResolutionSettings(Resource, module="twilio-memory", name="IdentityResolutionSettings"):
    """A store's identity resolution settings (a singleton). ``id`` is the store id.

    Creating it takes the store's settings over; **destroying it restores the API's defaults**
    (``email``, ``whatsapp``, ``phone``; exact matching; rules in that order), as a new store has.

    ``tm.IdentityResolutionSettings("ids", store_id=store.id, identifier_configs=[{"id_type":
    "email", "matching_algo": "exact", "normalization": "email"}], matching_rules=["email"])``.
    """

    store_id: pulumi.Output[str]
    #: As live, with the values the API filled in.
    identifier_configs: pulumi.Output[list[dict[str, Any]]]
    matching_rules: pulumi.Output[list[str]]
    #: +1 per successful update.
    version: pulumi.Output[int]
    #: The ETag recorded at the last create/read/update; sent as If-Match on updates.
    etag: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: IdentityResolutionSettingsArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        store_id: pulumi.Input[str] | None = None,
        identifier_configs: pulumi.Input[Sequence[IdentifierConfigArgs | Mapping[str, Any]]] | None = None,
        matching_rules: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
    ) -> None:
        if args is None and (store_id is None or identifier_configs is None or matching_rules is None):
            raise TypeError(
                f"IdentityResolutionSettings {resource_name!r} needs store_id=, identifier_configs= and "
                "matching_rules= (or args=IdentityResolutionSettingsArgs(...))"
            )
        props = resource_props(
            args,
            {
                "store_id": store_id,
                "identifier_configs": identifier_configs,
                "matching_rules": matching_rules,
            },
            IdentityResolutionSettingsProvider.output_fields,
        )
        # A singleton: a replacement creates (takes over) first, and the old one's delete then
        # leaves the settings alone (see delete); deleting first would reset them in between.
        opts = resource_options(opts, props, IdentityResolutionSettingsProvider)
        super().__init__(hosted(IdentityResolutionSettingsProvider()), resource_name, props, opts)

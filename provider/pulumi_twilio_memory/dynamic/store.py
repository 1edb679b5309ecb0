"""``Store`` as a Pulumi dynamic resource (Python programs): its arguments and
its resource class, over the core in :mod:`pulumi_twilio_memory.resources.store`."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi.dynamic import Resource

from ..resources._dynamic import resource_options, resource_props
from ..resources.store import StoreProvider
from ._host import hosted

__all__ = ["Store", "StoreArgs"]


@dataclass(frozen=True, kw_only=True)
class StoreArgs:
    """Inputs of a :class:`Store`."""

    #: Unique in the account: 1-64 letters, digits or ``-`` (e.g. ``client-acme``).
    display_name: pulumi.Input[str]
    #: 1-128 characters. Omitted: whatever the store has is left alone.
    description: pulumi.Input[str] | None = None
    #: Take over an existing store with this display name instead of failing (the import path:
    #: ``pulumi import`` does not work for dynamic resources).
    adopt: pulumi.Input[bool] | None = None


class Store(Resource, module="twilio-memory", name="Store"):
    """A Conversation Memory store. ``id`` is the store id (``mem_store_…``).

    ``tm.Store("acme", display_name="client-acme", description="Acme support memory")`` or
    ``tm.Store("acme", tm.StoreArgs(display_name="client-acme"))``.
    """

    display_name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    adopt: pulumi.Output[bool]
    #: QUEUED, PROVISIONING, ACTIVE or FAILED (ACTIVE once create returns).
    status: pulumi.Output[str]
    #: +1 per successful update.
    version: pulumi.Output[int]
    #: The auto-provisioned Conversational Intelligence service.
    intelligence_service_id: pulumi.Output[str | None]
    #: High-water mark of ingested data (ISO 8601), when the API reports it.
    data_as_of: pulumi.Output[str | None]
    #: The ETag recorded at the last create/read/update; sent as If-Match on updates.
    etag: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: StoreArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        if args is None and display_name is None:
            raise TypeError(f"Store {resource_name!r} needs display_name= (or args=StoreArgs(...))")
        props = resource_props(
            args,
            {"display_name": display_name, "description": description, "adopt": adopt},
            StoreProvider.output_fields,
            defaults={"adopt": False},
        )
        # Display names are unique: a replacement (also `pulumi up --replace`) must delete first.
        opts = resource_options(opts, props, StoreProvider)
        super().__init__(hosted(StoreProvider()), resource_name, props, opts)

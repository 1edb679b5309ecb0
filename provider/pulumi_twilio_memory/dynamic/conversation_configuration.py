"""``ConversationConfiguration`` as a Pulumi dynamic resource (Python programs): its arguments and
its resource class, over the core in :mod:`pulumi_twilio_memory.resources.conversation_configuration`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from ..resources._dynamic import resource_options, resource_props
from ..resources.conversation_configuration import IDEMPOTENCY_SEED, ConversationConfigurationProvider
from ._host import hosted

__all__ = [
    "CaptureRuleArgs",
    "ChannelSettingArgs",
    "ConversationConfiguration",
    "ConversationConfigurationArgs",
    "ConversationsV1BridgeArgs",
    "StatusCallbackArgs",
    "StatusTimeoutsArgs",
]


@dataclass(frozen=True, kw_only=True)
class StatusTimeoutsArgs:
    """Minutes (>= 1) after which a conversation becomes inactive, then closed."""

    #: Minutes without activity (>= 1) before the conversation becomes INACTIVE.
    inactive: pulumi.Input[int] | None = None
    #: Minutes (>= 1) after which an inactive conversation is CLOSED.
    closed: pulumi.Input[int] | None = None


@dataclass(frozen=True, kw_only=True)
class CaptureRuleArgs:
    """Which addresses a channel captures; ``*`` is a wildcard. ``from_`` is sent as ``from``."""

    #: The sender address to capture (``*``: any).
    from_: pulumi.Input[str]
    #: The recipient address to capture (``*``: any).
    to: pulumi.Input[str]
    #: e.g. VOICE ``{"callType": "PSTN"}``, CHAT ``{"chatService": "IS…"}``.
    metadata: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None


@dataclass(frozen=True, kw_only=True)
class ChannelSettingArgs:
    """One channel's settings (the key in ``channel_settings`` is the channel)."""

    #: When the channel's conversations become inactive, then closed.
    status_timeouts: pulumi.Input[StatusTimeoutsArgs | Mapping[str, Any]] | None = None
    #: Which addresses the channel captures.
    capture_rules: pulumi.Input[Sequence[CaptureRuleArgs | Mapping[str, Any]]] | None = None


@dataclass(frozen=True, kw_only=True)
class StatusCallbackArgs:
    """A webhook for conversation status changes."""

    #: The http(s) URL called on each status change.
    url: pulumi.Input[str]
    #: POST (default) or GET.
    method: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class ConversationsV1BridgeArgs:
    """Bridge a Conversations V1 service (``IS`` + 32 hex digits); one configuration per service."""

    #: The Conversations V1 service SID (IS...).
    service_id: pulumi.Input[str]


@dataclass(frozen=True, kw_only=True)
class ConversationConfigurationArgs:
    """Inputs of a :class:`ConversationConfiguration`."""

    #: Unique in the account: 1-32 letters, digits, spaces, ``-`` or ``_``.
    display_name: pulumi.Input[str]
    #: At most 512 characters.
    description: pulumi.Input[str]
    #: GROUP_BY_PROFILE, GROUP_BY_PARTICIPANT_ADDRESSES or GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE.
    conversation_grouping_type: pulumi.Input[str]
    #: The memory store (``mem_store_…``), usually ``store.id``.
    memory_store_id: pulumi.Input[str]
    #: channel (VOICE, SMS, RCS, WHATSAPP, CHAT) -> settings.
    channel_settings: pulumi.Input[Mapping[str, ChannelSettingArgs | Mapping[str, Any]]] | None = None
    #: At most 2.
    status_callbacks: pulumi.Input[Sequence[StatusCallbackArgs | Mapping[str, Any]]] | None = None
    #: At most 5 Conversational Intelligence configuration ids.
    intelligence_configuration_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    #: Default false.
    memory_extraction_enabled: pulumi.Input[bool] | None = None
    #: Bridge a Conversations V1 service into this configuration (one configuration per service).
    conversations_v1_bridge: pulumi.Input[ConversationsV1BridgeArgs | Mapping[str, Any]] | None = None
    #: Take over an existing configuration with this display name instead of failing.
    adopt: pulumi.Input[bool] | None = None


class ConversationConfiguration(Resource, module="twilio-memory", name="ConversationConfiguration"):
    """A Conversations v2 configuration. ``id`` is the configuration id (``conv_configuration_…``).

    ``tm.ConversationConfiguration("acme-conv", display_name="acme", description="Acme",
    conversation_grouping_type="GROUP_BY_PARTICIPANT_ADDRESSES", memory_store_id=store.id,
    channel_settings={"SMS": {"status_timeouts": {"inactive": 30, "closed": 1440}}})``.
    Creation is idempotent across crashed runs (see the module documentation).
    """

    display_name: pulumi.Output[str]
    description: pulumi.Output[str]
    conversation_grouping_type: pulumi.Output[str]
    memory_store_id: pulumi.Output[str]
    channel_settings: pulumi.Output[dict[str, Any] | None]
    status_callbacks: pulumi.Output[list[dict[str, Any]] | None]
    intelligence_configuration_ids: pulumi.Output[list[str] | None]
    memory_extraction_enabled: pulumi.Output[bool]
    conversations_v1_bridge: pulumi.Output[dict[str, Any] | None]
    adopt: pulumi.Output[bool]
    #: +1 per successful update; compared before every write (the API has no ETag).
    version: pulumi.Output[int]
    #: When the configuration was created (ISO 8601).
    created_at: pulumi.Output[str]
    #: When it last changed (ISO 8601).
    updated_at: pulumi.Output[str]
    #: The trait extraction strategies Twilio attached (read-only).
    trait_extraction_strategy_ids: pulumi.Output[list[str]]
    #: The observation extraction strategies Twilio attached (read-only).
    observation_extraction_strategy_ids: pulumi.Output[list[str]]
    #: The redaction configuration Twilio attached, if any (read-only).
    redaction_configuration_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: ConversationConfigurationArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        conversation_grouping_type: pulumi.Input[str] | None = None,
        memory_store_id: pulumi.Input[str] | None = None,
        channel_settings: pulumi.Input[Mapping[str, ChannelSettingArgs | Mapping[str, Any]]] | None = None,
        status_callbacks: pulumi.Input[Sequence[StatusCallbackArgs | Mapping[str, Any]]] | None = None,
        intelligence_configuration_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        memory_extraction_enabled: pulumi.Input[bool] | None = None,
        conversations_v1_bridge: pulumi.Input[ConversationsV1BridgeArgs | Mapping[str, Any]] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        if args is None and display_name is None:
            raise TypeError(
                f"ConversationConfiguration {resource_name!r} needs display_name=, description=, "
                "conversation_grouping_type= and memory_store_id= "
                "(or args=ConversationConfigurationArgs(...))"
            )
        props = resource_props(
            args,
            {
                "display_name": display_name,
                "description": description,
                "conversation_grouping_type": conversation_grouping_type,
                "memory_store_id": memory_store_id,
                "channel_settings": channel_settings,
                "status_callbacks": status_callbacks,
                "intelligence_configuration_ids": intelligence_configuration_ids,
                "memory_extraction_enabled": memory_extraction_enabled,
                "conversations_v1_bridge": conversations_v1_bridge,
                "adopt": adopt,
            },
            ConversationConfigurationProvider.output_fields,
            defaults={"adopt": False, "memory_extraction_enabled": False},
        )
        seed = pulumi.create_urn(
            resource_name,
            f"pulumi-python:{type(self)._resource_type_name}",
            parent=opts.parent if opts is not None else None,
        )
        # Only the URN's value is wanted, not a dependency on the parent: depending on a component
        # parent means depending on its children, this resource included (a cycle, e.g. in
        # TenantMemory).
        props[IDEMPOTENCY_SEED] = pulumi.Output(set(), seed.future(), seed.is_known(), seed.is_secret())
        # Display names are unique: a replacement (also `pulumi up --replace`) must delete first.
        opts = resource_options(opts, props, ConversationConfigurationProvider)
        super().__init__(hosted(ConversationConfigurationProvider()), resource_name, props, opts)

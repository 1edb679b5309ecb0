"""Pulumi dynamic resources for Twilio Conversation Memory's control plane.

``import pulumi_twilio_memory as tm``; see README.md. Provider settings come from the
``twilio-memory:*`` stack config or ``TWILIO_*`` environment variables (:mod:`.config`).

The whole error hierarchy of :mod:`.api.errors` is public (``tm.PreconditionFailedError`` …).
"""

from twilio_memory_api import errors as _errors
from twilio_memory_api.errors import *  # noqa: F403 - the error hierarchy is public API, listed in errors.__all__

from ._version import __version__
from .components.tenant import TenantConfigurationError, TenantMemory
from .dynamic.conversation_configuration import (
    CaptureRuleArgs,
    ChannelSettingArgs,
    ConversationConfiguration,
    ConversationConfigurationArgs,
    ConversationsV1BridgeArgs,
    StatusCallbackArgs,
    StatusTimeoutsArgs,
)
from .dynamic.data_mapping import (
    DataMapping,
    DataMappingArgs,
    MappingFromArgs,
    MappingToArgs,
    TraitMappingArgs,
)
from .dynamic.identity_resolution import (
    IdentifierConfigArgs,
    IdentityResolutionSettings,
    IdentityResolutionSettingsArgs,
)
from .dynamic.store import Store, StoreArgs
from .dynamic.trait_group import (
    TraitDefinitionArgs,
    TraitGroup,
    TraitGroupArgs,
    ValidationRuleArgs,
)
from .hosts import HostPool
from .resources.conversation_configuration import ConfigurationChangedError
from .resources.trait_group import TraitMoveError

__all__ = [
    "CaptureRuleArgs",
    "ChannelSettingArgs",
    "ConfigurationChangedError",
    "ConversationConfiguration",
    "ConversationConfigurationArgs",
    "ConversationsV1BridgeArgs",
    "DataMapping",
    "DataMappingArgs",
    "HostPool",
    "IdentifierConfigArgs",
    "IdentityResolutionSettings",
    "IdentityResolutionSettingsArgs",
    "MappingFromArgs",
    "MappingToArgs",
    "StatusCallbackArgs",
    "StatusTimeoutsArgs",
    "Store",
    "StoreArgs",
    "TenantConfigurationError",
    "TenantMemory",
    "TraitDefinitionArgs",
    "TraitGroup",
    "TraitGroupArgs",
    "TraitMappingArgs",
    "TraitMoveError",
    "ValidationRuleArgs",
    "__version__",
]
__all__ += _errors.__all__

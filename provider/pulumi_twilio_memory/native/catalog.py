"""The resources the native provider serves: each one's type token, its core and where its inputs
and outputs are documented."""

from __future__ import annotations

from dataclasses import dataclass

from ..dynamic.conversation_configuration import ConversationConfiguration, ConversationConfigurationArgs
from ..dynamic.data_mapping import DataMapping, DataMappingArgs
from ..dynamic.identity_resolution import IdentityResolutionSettings, IdentityResolutionSettingsArgs
from ..dynamic.store import Store, StoreArgs
from ..dynamic.trait_group import TraitGroup, TraitGroupArgs
from ..resources._base import BaseProvider
from ..resources.conversation_configuration import ConversationConfigurationProvider
from ..resources.data_mapping import DataMappingProvider
from ..resources.identity_resolution import IdentityResolutionSettingsProvider
from ..resources.store import StoreProvider
from ..resources.trait_group import TraitGroupProvider

__all__ = ["CATALOG", "PACKAGE", "Kind", "kind_of", "token"]

#: The package name: type tokens are ``twilio-memory:index:<Name>``; the plugin executable is
#: ``pulumi-resource-twilio-memory``.
PACKAGE = "twilio-memory"


def token(name: str) -> str:
    return f"{PACKAGE}:index:{name}"


@dataclass(frozen=True)
class Kind:
    """One resource type: ``core`` does its work, ``args`` and ``resource`` (the dynamic face's
    classes, where each input and output is documented once) carry the ``#:`` documentation the
    schema reads."""

    name: str
    core: type[BaseProvider]
    args: type
    resource: type
    #: What the resource's id looks like (``pulumi import`` takes it).
    id_format: str

    @property
    def token(self) -> str:
        return token(self.name)


CATALOG: tuple[Kind, ...] = (
    Kind("Store", StoreProvider, StoreArgs, Store, "mem_store_..."),
    Kind("TraitGroup", TraitGroupProvider, TraitGroupArgs, TraitGroup, "<storeId>/<displayName>"),
    Kind(
        "IdentityResolutionSettings",
        IdentityResolutionSettingsProvider,
        IdentityResolutionSettingsArgs,
        IdentityResolutionSettings,
        "<storeId>",
    ),
    Kind("DataMapping", DataMappingProvider, DataMappingArgs, DataMapping, "<storeId>/<dataMappingId>"),
    Kind(
        "ConversationConfiguration",
        ConversationConfigurationProvider,
        ConversationConfigurationArgs,
        ConversationConfiguration,
        "conv_configuration_...",
    ),
)

_BY_TOKEN = {kind.token: kind for kind in CATALOG}


def kind_of(type_token: str) -> Kind:
    """The resource type of ``type_token`` (a URN's type part: a child's is prefixed with its
    parents' types, ``TenantMemory$Store``); a token this provider does not serve is a bug in the
    engine or the SDK, reported as such."""
    try:
        return _BY_TOKEN[type_token.rsplit("$", 1)[-1]]
    except KeyError:
        served = ", ".join(sorted(_BY_TOKEN))
        raise ValueError(f"twilio-memory serves no type {type_token!r}; it serves {served}") from None

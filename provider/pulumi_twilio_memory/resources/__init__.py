"""Dynamic resources, one module per resource (same shape each: Args, Provider, Resource).

Classes are pickled into Pulumi state by their import path: never rename or move them.
"""

from .conversation_configuration import ConversationConfiguration, ConversationConfigurationProvider
from .data_mapping import DataMapping, DataMappingProvider
from .identity_resolution import IdentityResolutionSettings, IdentityResolutionSettingsProvider
from .store import Store, StoreArgs, StoreProvider
from .trait_group import TraitGroup, TraitGroupProvider

__all__ = [
    "ConversationConfiguration",
    "ConversationConfigurationProvider",
    "DataMapping",
    "DataMappingProvider",
    "IdentityResolutionSettings",
    "IdentityResolutionSettingsProvider",
    "Store",
    "StoreArgs",
    "StoreProvider",
    "TraitGroup",
    "TraitGroupProvider",
]

"""The resource core, one module per resource (each: its inputs model, its provider with check,
diff, create, read, update and delete, and the helpers only it needs); shared steps in the ``_``
modules. The dynamic face (:mod:`..dynamic`) and the native face (:mod:`..native`) serve it.

Provider classes are pickled into Pulumi state by their import path: never rename or move them.
The dynamic resource classes are re-exported here, as before.
"""

from ._dynamic import face_classes
from .conversation_configuration import ConversationConfigurationProvider
from .data_mapping import DataMappingProvider
from .identity_resolution import IdentityResolutionSettingsProvider
from .store import StoreProvider
from .trait_group import TraitGroupProvider

__all__ = [
    "ConversationConfigurationProvider",
    "DataMappingProvider",
    "IdentityResolutionSettingsProvider",
    "StoreProvider",
    "TraitGroupProvider",
]

#: The dynamic face's classes importable from here, as before: name -> its module in ``..dynamic``.
_FACE = {
    "ConversationConfiguration": "conversation_configuration",
    "DataMapping": "data_mapping",
    "IdentityResolutionSettings": "identity_resolution",
    "Store": "store",
    "StoreArgs": "store",
    "TraitGroup": "trait_group",
}


__getattr__ = face_classes(__name__, _FACE)

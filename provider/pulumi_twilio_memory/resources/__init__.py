"""The resource core, one module per resource (each: its inputs model, its provider with check,
diff, create, read, update and delete, and the helpers only it needs); shared steps in the ``_``
modules. The dynamic face (:mod:`..dynamic`) and the native face (:mod:`..native`) serve it.

Provider classes are pickled into Pulumi state by their import path: never rename or move them.
The dynamic resource classes are re-exported here, as before.
"""

from typing import Any

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


def __getattr__(name: str) -> Any:
    """Loaded on first use: the faces import this package, so it cannot import them first."""
    if name in _FACE:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(f"..dynamic.{_FACE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

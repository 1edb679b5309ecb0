"""Dynamic resources, one module per resource (same shape each: Args, Provider, Resource).

Classes are pickled into Pulumi state by their import path: never rename or move them.
"""

from .store import Store, StoreArgs, StoreProvider

__all__ = ["Store", "StoreArgs", "StoreProvider"]

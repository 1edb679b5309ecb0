"""What the dynamic-provider host is handed: the core's provider object, as it is.

The host (``python -m pulumi.dynamic``) unpickles the object from the state and calls its methods
by name (``check``, ``diff``, ``create``, ``read``, ``update``, ``delete``, ``configure``) and reads
the results' attributes by name; it never checks the class. So the core's providers need not
derive from ``pulumi.dynamic.ResourceProvider`` (the core does not import ``pulumi.dynamic``); only
``pulumi.dynamic.Resource.__init__``'s annotation asks for one.
"""

from __future__ import annotations

from typing import cast

from pulumi.dynamic import ResourceProvider

__all__ = ["hosted"]


def hosted(provider: object) -> ResourceProvider:
    """``provider`` as the dynamic host takes it (see the module docstring)."""
    return cast(ResourceProvider, provider)

"""Where each API lives under its host: the one home of these prefixes for the clients and the
emulator that serves them. Standard library only."""

from __future__ import annotations

__all__ = ["CONVERSATIONS_CONTROL_PLANE", "MEMORY_CONTROL_PLANE", "MEMORY_DATA_PLANE"]

#: Conversation Memory's control plane: stores, trait groups, identity resolution, data mappings.
MEMORY_CONTROL_PLANE = "/v1/ControlPlane"
#: Conversations v2's control plane: configurations.
CONVERSATIONS_CONTROL_PLANE = "/v2/ControlPlane"
#: Conversation Memory's data plane: profiles, identifiers, memories (one store's data).
MEMORY_DATA_PLANE = "/v1/Stores"

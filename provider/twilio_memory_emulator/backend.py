"""The emulator's one object: the engine and the products' services composed, and their public
methods under one name each, which is what the routes, the admin endpoints and tests call.

Composition, not inheritance: each service receives the engine and the services it needs by
reference, and reacts to another's events through the listeners it registers on
(:attr:`MemoryControl.store_deleted`, :attr:`Profiles.profile_deleted`,
:attr:`Engine.reset_listeners`). The HTTP layer parses a request, calls one method here and renders
what it returns; it holds no rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from twilio_memory_emulator.conversations.service import Conversations
from twilio_memory_emulator.engine.engine import Engine
from twilio_memory_emulator.engine.faults import FaultRegistry
from twilio_memory_emulator.engine.settings import Settings
from twilio_memory_emulator.memory_control.service import MemoryControl
from twilio_memory_emulator.memory_data.memories import Memories
from twilio_memory_emulator.memory_data.profiles import Profiles

__all__ = ["Backend", "Settings"]


class Backend:
    """Both control planes and Memory's data plane over one engine; thread-safe,
    persistence-agnostic."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        faults: FaultRegistry | None = None,
        persist: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine = Engine(settings, faults=faults, persist=persist, clock=clock)
        self.memory_control = control = MemoryControl(engine)
        self.conversations = conversations = Conversations(engine, control)
        self.profiles = profiles = Profiles(engine, control)
        self.memories = memories = Memories(engine, control, profiles)

        # The engine: clock, settings and state, for the admin endpoints and serve.
        self.now = engine.now
        self.reset = engine.reset
        self.advance_clock = engine.advance_clock
        self.clock_state = engine.clock_state
        self.update_settings = engine.update_settings
        self.snapshot = engine.snapshot
        self.restore = engine.restore
        # Memory's control plane.
        self.create_store = control.create_store
        self.list_stores = control.list_stores
        self.get_store = control.get_store
        self.update_store = control.update_store
        self.delete_store = control.delete_store
        self.create_trait_group = control.create_trait_group
        self.list_trait_groups = control.list_trait_groups
        self.get_trait_group = control.get_trait_group
        self.update_trait_group = control.update_trait_group
        self.delete_trait_group = control.delete_trait_group
        self.get_identity_resolution = control.get_identity_resolution
        self.put_identity_resolution = control.put_identity_resolution
        self.create_data_mapping = control.create_data_mapping
        self.list_data_mappings = control.list_data_mappings
        self.get_data_mapping = control.get_data_mapping
        self.update_data_mapping = control.update_data_mapping
        self.delete_data_mapping = control.delete_data_mapping
        self.get_memory_operation = control.get_memory_operation
        # Conversations' control plane.
        self.create_configuration = conversations.create_configuration
        self.list_configurations = conversations.list_configurations
        self.get_configuration = conversations.get_configuration
        self.replace_configuration = conversations.replace_configuration
        self.patch_configuration = conversations.patch_configuration
        self.delete_configuration = conversations.delete_configuration
        self.get_conversations_operation = conversations.get_conversations_operation
        # Memory's data plane.
        self.create_profile = profiles.create_profile
        self.upsert_profiles = profiles.upsert_profiles
        self.list_profiles = profiles.list_profiles
        self.get_profile = profiles.get_profile
        self.patch_profile = profiles.patch_profile
        self.delete_profile = profiles.delete_profile
        self.list_profile_traits = profiles.list_profile_traits
        self.lookup_profiles = profiles.lookup_profiles
        self.list_identifiers = profiles.list_identifiers
        self.get_identifier = profiles.get_identifier
        self.add_identifier = profiles.add_identifier
        self.update_identifier = profiles.update_identifier
        self.delete_identifier = profiles.delete_identifier
        self.create_memories = memories.create_memories
        self.list_memories = memories.list_memories
        self.get_memory = memories.get_memory
        self.patch_memory = memories.patch_memory
        self.delete_memory = memories.delete_memory
        self.list_revisions = memories.list_revisions
        self.recall = memories.recall

    @property
    def settings(self) -> Settings:
        return self.engine.settings

    @property
    def faults(self) -> FaultRegistry | None:
        return self.engine.faults

    @faults.setter
    def faults(self, faults: FaultRegistry | None) -> None:
        self.engine.faults = faults

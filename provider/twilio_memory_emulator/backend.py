"""The whole emulated control plane: the Memory and Conversations backends over their shared core
(moto's shape). The HTTP layer parses a request, calls one method here and renders what it
returns; it holds no rules.

* :mod:`.core`: accounts, clock, lock, asynchronous operations (:class:`~.core.OpKind`),
  idempotency, settings and the state snapshot;
* :mod:`.memory`: stores, trait groups, identity resolution settings, data mappings;
* :mod:`.conversations`: configurations;
* :mod:`.profiles` and :mod:`.memories`: Memory's data plane (profiles, identity resolution,
  observations, summaries, Recall) over the stores of :mod:`.memory`.
"""

from __future__ import annotations

from twilio_memory_emulator.conversations import ConversationsBackend
from twilio_memory_emulator.core import STATE_FORMAT, OpKind
from twilio_memory_emulator.memories import MemoriesBackend
from twilio_memory_emulator.memory import CONTACT_TRAIT_GROUP
from twilio_memory_emulator.records import Accepted, Settings, WriteRequest, store_status

__all__ = [
    "CONTACT_TRAIT_GROUP",
    "STATE_FORMAT",
    "Accepted",
    "Backend",
    "OpKind",
    "Settings",
    "WriteRequest",
    "store_status",
]


class Backend(MemoriesBackend, ConversationsBackend):
    """The whole emulator: both control planes and Memory's data plane; thread-safe,
    persistence-agnostic."""

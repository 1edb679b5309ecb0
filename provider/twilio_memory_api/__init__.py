"""The wire contract of Twilio Conversation Memory's control plane: httpx + pydantic, never pulumi.

One package for both sides: the provider (``pulumi_twilio_memory``) talks to Twilio with it, and
the emulator (``twilio_memory_emulator``) speaks the same field names, enums, limits, defaults and
error shapes, so the two cannot disagree on what they share.

* :mod:`.models`: request/response models (pydantic, camelCase on the wire), enums, limits, and
  what the API fills in and seeds (one copy, used by the provider's normalization and the
  emulator's seeding);
* :mod:`.errors`: the whole error tree, drawn at the top of the module;
* :mod:`.client`: the httpx clients (auth, retries, ``If-Match``, error mapping);
* :mod:`.operations`: waiters for asynchronous writes, with a deadline.

Importing this package, or :mod:`.models` / :mod:`.errors`, loads no httpx: the names below
that need it are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Accepted",
    "Backoff",
    "ConversationsClient",
    "Credentials",
    "Deadline",
    "Fetched",
    "MemoryClient",
    "RetryPolicy",
    "wait_operation",
    "wait_store_deleted",
    "wait_store_ready",
]

_HOMES = {
    **dict.fromkeys(("Accepted", "ConversationsClient", "Credentials", "Fetched"), "client"),
    **dict.fromkeys(("MemoryClient", "RetryPolicy"), "client"),
    **dict.fromkeys(("Backoff", "Deadline", "wait_operation"), "operations"),
    **dict.fromkeys(("wait_store_deleted", "wait_store_ready"), "operations"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)

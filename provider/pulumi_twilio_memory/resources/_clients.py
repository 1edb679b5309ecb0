"""The API clients and deadlines of one provider call: one client per configuration, shared by
every thread of the process (the dynamic host's four, the native provider's many), and the deadline
each call waits by (``twilio-memory:operationTimeout``, or what the face serving the call set)."""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from typing import Any

from twilio_memory_api.client import ConversationsClient, Credentials, MemoryClient
from twilio_memory_api.operations import SYSTEM_CLOCK, Clock, Deadline

from .. import config

__all__ = [
    "CUSTOM_TIMEOUTS",
    "call_limits",
    "clear_client_cache",
    "conversations_client",
    "memory_client",
    "new_deadline",
]

_clients_lock = threading.Lock()
_clients: dict[tuple[str, str, Credentials], MemoryClient | ConversationsClient] = {}


def _client(kind: str, cls: type[MemoryClient] | type[ConversationsClient]) -> Any:
    cfg = config.current()
    credentials = cfg.credentials()
    base_url = cfg.memory_base_url if cls is MemoryClient else cfg.conversations_base_url
    key = (kind, base_url, credentials)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = cls(credentials, base_url=base_url)
            _clients[key] = client
        return client


def memory_client() -> MemoryClient:
    """The Memory client for the current configuration (raises ConfigurationError without creds)."""
    client: MemoryClient = _client("memory", MemoryClient)
    return client


def conversations_client() -> ConversationsClient:
    """The Conversations client for the current configuration."""
    client: ConversationsClient = _client("conversations", ConversationsClient)
    return client


def clear_client_cache() -> None:
    """Close and forget every cached client (tests; configuration changes)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


#: Limits a face sets for the provider call it is serving (see :func:`call_limits`).
_limits: contextvars.ContextVar[tuple[float | None, Clock | None]] = contextvars.ContextVar(
    "call_limits", default=(None, None)
)

#: Who set a deadline that came from :func:`call_limits`, as timeout messages name it.
CUSTOM_TIMEOUTS = "the resource's customTimeouts"


@contextlib.contextmanager
def call_limits(timeout: float | None, clock: Clock | None = None) -> Iterator[None]:
    """Inside the block, :func:`new_deadline` gives ``timeout`` seconds (when set; the native
    face's ``customTimeouts``) on ``clock`` (when set; one whose ``sleep`` ends at a Cancel)."""
    token = _limits.set((timeout, clock))
    try:
        yield
    finally:
        _limits.reset(token)


def new_deadline() -> Deadline:
    """A deadline of ``twilio-memory:operationTimeout`` seconds from now, unless the face serving
    this call set other limits (:func:`call_limits`)."""
    timeout, clock = _limits.get()
    if timeout:
        return Deadline(timeout, clock or SYSTEM_CLOCK, set_by=CUSTOM_TIMEOUTS)
    return Deadline(config.current().operation_timeout, clock or SYSTEM_CLOCK)

"""Where the wire layer used to live: a thin re-export of :mod:`twilio_memory_api`, so imports
written against ``pulumi_twilio_memory.api`` keep working (the wire package never imports pulumi;
importing it from here does, because ``pulumi_twilio_memory`` is the Pulumi package)."""

from twilio_memory_api.client import (
    Accepted,
    ConversationsClient,
    Credentials,
    Fetched,
    MemoryClient,
    RetryPolicy,
)
from twilio_memory_api.operations import (
    Backoff,
    Deadline,
    wait_operation,
    wait_store_deleted,
    wait_store_ready,
)

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

"""Wire layer: pydantic models, the httpx clients, errors and waiters. Imports no pulumi."""

from .client import Accepted, ConversationsClient, Credentials, Fetched, MemoryClient, RetryPolicy
from .operations import Backoff, Deadline, wait_operation, wait_store_deleted, wait_store_ready

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

"""Pulumi dynamic resources for Twilio Conversation Memory's control plane.

``import pulumi_twilio_memory as tm``; see README.md. Provider settings come from the
``twilio-memory:*`` stack config or ``TWILIO_*`` environment variables (:mod:`.config`).
"""

from ._version import __version__
from .api.errors import (
    AlreadyExistsError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    OperationError,
    OperationFailedError,
    OperationTimeoutError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    TransportError,
    TwilioMemoryError,
)
from .resources.store import Store, StoreArgs

# Other resources and TenantMemory are added below as their modules land (plain imports, no try).

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "NotFoundError",
    "OperationError",
    "OperationFailedError",
    "OperationTimeoutError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitedError",
    "ServerError",
    "Store",
    "StoreArgs",
    "TransportError",
    "TwilioMemoryError",
    "__version__",
]

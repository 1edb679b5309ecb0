"""Errors raised by the wire layer and the providers.

Every message says what happened, to which resource, and what to do next. No message, ``repr`` or
attribute ever holds a credential: the client redacts its secrets from anything the server echoes.

::

    TwilioMemoryError                     base of everything this package raises
    ├── ConfigurationError                missing or invalid credentials / settings (no HTTP made)
    ├── TransportError                    no usable HTTP response (reset, timeout), after retries
    ├── UnreachableError                  the base URL cannot be reached: refused, unknown host, TLS
    ├── ApiError                          the API answered with an error status
    │   ├── BadRequestError               400: the request broke a documented rule
    │   ├── AuthenticationError           401: wrong or missing credentials
    │   ├── PermissionDeniedError         403: the credentials may not do this
    │   ├── NotFoundError                 404: no such resource (providers turn this into "gone")
    │   ├── ConflictError                 409: a unique name or reference is already taken
    │   ├── PreconditionFailedError       412: If-Match failed, the resource changed elsewhere
    │   ├── RateLimitedError              429: still throttled after every retry
    │   └── ServerError                   5xx: Twilio failed; retry later
    ├── AlreadyExistsError                create found a resource that this stack does not manage
    ├── StackBindingError                 the state's resources live in another account / endpoint
    └── OperationError                    an asynchronous change did not finish well
        ├── OperationFailedError          the operation or the resource reached FAILED
        └── OperationTimeoutError         the deadline passed before it finished

``ApiError.for_status`` picks the subclass for an HTTP status.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

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
    "StackBindingError",
    "TransportError",
    "TwilioMemoryError",
    "UnreachableError",
    "redact",
]

REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each non-empty secret in ``text``.

    Secrets shorter than 4 characters are left alone: replacing them would mangle ordinary words
    and such values are not credentials anyway.
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


class TwilioMemoryError(Exception):
    """Base class: ``str(err)`` is the full, user-facing message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(TwilioMemoryError):
    """Credentials or settings are missing or invalid; raised before any HTTP request."""


class TransportError(TwilioMemoryError):
    """The request got no usable response (after any retries that were safe to make)."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class UnreachableError(TwilioMemoryError):
    """The base URL cannot be reached at all (connection refused, unknown host, TLS mismatch):
    nothing was sent, retrying would not help, and the message says what to check. Not a
    :class:`TransportError`, so no caller treats it as a request that may have been applied."""

    def __init__(self, message: str, *, url: str, reason: str) -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason  # "refused", "dns" or "tls"


class ApiError(TwilioMemoryError):
    """The API answered with an error status.

    ``status`` is the HTTP status, ``code`` the Twilio error code (the HTTP status when the body had
    none), ``api_message`` the server's own text (already redacted), ``more_info`` its docs link,
    ``attempts`` how many times the client sent the request (more than one: an earlier attempt got
    no clear answer and may have been applied).
    """

    hint: str = ""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | None = None,
        api_message: str = "",
        more_info: str | None = None,
        method: str = "",
        url: str = "",
        headers: dict[str, str] | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.status = status
        self.code = code if code is not None else status
        self.api_message = api_message
        self.more_info = more_info
        self.method = method
        self.url = url
        self.headers = headers or {}

    @property
    def conflicting_resource_id(self) -> str | None:
        """The id in ``X-Conflicting-Resource-Id``, when the API sent one."""
        return self.headers.get("x-conflicting-resource-id")

    @property
    def name_taken(self) -> bool:
        """The write was refused because a unique display name is taken: a 409, or the 400 that
        operations documenting no 409 answer (it names ``displayName`` or the holder)."""
        if self.status == 409:
            return True
        return self.status == 400 and (
            "displayName" in self.api_message or self.conflicting_resource_id is not None
        )

    def reworded(self, message: str) -> Self:
        """The same error (class, status, code, API text, request) with ``message`` as its text."""
        return type(self)(
            message,
            status=self.status,
            code=self.code,
            api_message=self.api_message,
            more_info=self.more_info,
            method=self.method,
            url=self.url,
            headers=self.headers,
            attempts=self.attempts,
        )

    @staticmethod
    def for_status(status: int) -> type[ApiError]:
        """The most specific subclass for an HTTP status."""
        if status >= 500:
            return ServerError
        return _BY_STATUS.get(status, ApiError)


class BadRequestError(ApiError):
    hint = "Fix what the API named above, then run `pulumi up` again."


class AuthenticationError(ApiError):
    hint = (
        "Check the credentials: twilio-memory:apiKey + twilio-memory:apiSecret (or TWILIO_API_KEY + "
        "TWILIO_API_SECRET), or twilio-memory:accountSid + twilio-memory:authToken (or "
        "TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN), and that they belong to the right account."
    )


class PermissionDeniedError(ApiError):
    hint = (
        "The credentials are valid but may not perform this call: use an API key with access to "
        "Conversation Memory / Conversations, or check the account's product access."
    )


class NotFoundError(ApiError):
    hint = "It was deleted outside Pulumi or never existed; run `pulumi refresh` to update the state."


class ConflictError(ApiError):
    hint = "Choose another name, or adopt the existing resource if it should be managed here."


class PreconditionFailedError(ApiError):
    hint = (
        "It was changed outside Pulumi since Pulumi last read it. Run `pulumi refresh` to record "
        "the current version, then run `pulumi up` again."
    )


class RateLimitedError(ApiError):
    hint = (
        "Twilio is throttling this account. Retry later, or lower the parallelism (`pulumi up --parallel 2`)."
    )


class ServerError(ApiError):
    hint = "Twilio had a server-side problem; retry later. If it persists, check status.twilio.com."


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: RateLimitedError,
}


class AlreadyExistsError(TwilioMemoryError):
    """Create found a resource with the requested unique name that this stack does not manage.
    ``finding`` is what was found, without the advice the message goes on with (a face that
    advises in its own words starts from it)."""

    def __init__(self, message: str, *, existing_id: str, finding: str = "") -> None:
        super().__init__(message)
        self.existing_id = existing_id
        self.finding = finding or message


class StackBindingError(TwilioMemoryError):
    """A resource recorded in state lives in another account or at another endpoint than the one
    the provider is configured for now; nothing was sent."""


class OperationError(TwilioMemoryError):
    """An asynchronous change did not finish well. ``resource_id`` is set whenever it is known,
    so the user can find (and adopt or delete) what was left behind."""

    def __init__(self, message: str, *, resource_id: str | None = None, last_seen: str = "") -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.last_seen = last_seen


class OperationFailedError(OperationError):
    """The operation, or the resource it was driving, reached FAILED; ``reason`` is the API's."""

    def __init__(
        self, message: str, *, resource_id: str | None = None, last_seen: str = "", reason: str = ""
    ) -> None:
        super().__init__(message, resource_id=resource_id, last_seen=last_seen)
        self.reason = reason


class OperationTimeoutError(OperationError):
    """The deadline passed while waiting; the message says for what, and what was last seen."""

    def __init__(
        self, message: str, *, resource_id: str | None = None, last_seen: str = "", waited: float = 0.0
    ) -> None:
        super().__init__(message, resource_id=resource_id, last_seen=last_seen)
        self.waited = waited

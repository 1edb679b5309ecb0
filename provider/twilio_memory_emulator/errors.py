"""Typed errors raised by the emulator's services and gateway, and mapped to HTTP by the gateway.

Every error carries the HTTP status and the Twilio error ``code`` that the real API puts in its
legacy error body ``{code, message, more_info, status}``::

    ApiError                     status  code
    ├── BadRequest                  400   400    a field, query parameter or header is invalid
    │   └── NameTaken               400   400    a unique display name is taken (where no 409 is documented)
    ├── Unauthorized                401   20003  missing or wrong credentials
    ├── Forbidden                   403   403    control endpoint without the control token
    ├── NotFound                    404   20404  unknown resource (or another account's)
    ├── MethodNotAllowed            405   405
    ├── Conflict                    409   20409  uniqueness, state or reference conflict
    ├── PreconditionFailed          412   20412  If-Match does not match the current ETag
    ├── PayloadTooLarge             413   413    body over the size limit
    ├── Moved                   301/308   -      a merged profile: the canonical profile's URL
    └── InjectedError               any   any    produced by a fault rule (429, 500, 503, ...)

Messages never contain credentials; they name the field or resource at fault and say what is
allowed, because the official SDK shows them to the user verbatim.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MORE_INFO_URL",
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "InjectedError",
    "MethodNotAllowed",
    "Moved",
    "NameTaken",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "Unauthorized",
    "error_body",
    "resource_not_found",
    "twilio_code_for_status",
]

MORE_INFO_URL = "https://www.twilio.com/docs/api/errors/{code}"
_MAX_MESSAGE = 1024  # the spec: message is at most 1024 characters

#: Twilio's codes for statuses a fault rule may inject (the spec's example codes).
_CODES_BY_STATUS = {
    400: 400,
    401: 20003,
    403: 403,
    404: 20404,
    409: 20409,
    412: 20412,
    429: 20429,
    500: 20500,
    503: 20503,
}


def twilio_code_for_status(status: int) -> int:
    """The error ``code`` Twilio uses for an HTTP status, or the status itself."""
    return _CODES_BY_STATUS.get(status, status)


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's legacy error body; the SDK turns it into ``TwilioRestException``."""
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return {"code": code, "message": message, "more_info": MORE_INFO_URL.format(code=code), "status": status}


class ApiError(Exception):
    """Base class: an HTTP error response with Twilio's body and optional extra headers.

    A subclass names its status in the class line (``class NotFound(ApiError, status=404)``);
    its Twilio ``code`` follows from the status, as in the table above.
    """

    status = 500
    code = 20500

    def __init_subclass__(cls, *, status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
            cls.code = twilio_code_for_status(status)

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.code, self.message)


class BadRequest(ApiError, status=400):
    """A field, query parameter or header is invalid."""


class NameTaken(BadRequest):
    """A unique display name is taken: 400, the status CreateStore, PatchStore and CreateTraitGroup
    document (they document no 409), with the holder in ``X-Conflicting-Resource-Id``."""

    def __init__(self, message: str, *, conflicting_id: str | None = None) -> None:
        super().__init__(message)
        if conflicting_id:
            self.headers["X-Conflicting-Resource-Id"] = conflicting_id


class Unauthorized(ApiError, status=401):
    """Missing or wrong credentials; carries the ``WWW-Authenticate`` challenge."""

    def __init__(
        self, message: str = "Authenticate: the Account SID/API key and secret are missing or wrong"
    ) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})


class Forbidden(ApiError, status=403):
    """A control endpoint was called without the control token."""


class NotFound(ApiError, status=404):
    """Unknown resource (or another account's)."""


def resource_not_found(path: str) -> NotFound:
    """The 404 of an unknown resource (or another account's), naming its path as Twilio does."""
    return NotFound(f"The requested resource {path} was not found")


class MethodNotAllowed(ApiError, status=405):
    """The path exists but not with this method."""


class Conflict(ApiError, status=409):
    """Uniqueness, state or reference conflict; names the conflicting resource when there is one."""

    def __init__(self, message: str, *, conflicting_id: str | None = None) -> None:
        super().__init__(
            message, headers={"X-Conflicting-Resource-Id": conflicting_id} if conflicting_id else None
        )
        self.conflicting_id = conflicting_id


class PreconditionFailed(ApiError, status=412):
    """If-Match does not match the current ETag."""


class PayloadTooLarge(ApiError, status=413):
    """The request body is over the size limit."""


class Moved(ApiError):
    """A request for a profile merged into another (data plane): 301 for a GET, 308 for a write,
    with the spec's body ``{message, uri}`` and the ``Location`` and ``Canonical-Profile-Id``
    headers, so a client that follows it reaches the same resource of the canonical profile."""

    def __init__(self, status: int, uri: str, canonical_id: str) -> None:
        super().__init__(
            "This resource has moved.", headers={"Location": uri, "Canonical-Profile-Id": canonical_id}
        )
        self.status = status
        self.code = status
        self.uri = uri

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "uri": self.uri}


class InjectedError(ApiError):
    """An error a fault rule asked for; status and code are per instance."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers=headers)
        self.status = status
        self.code = twilio_code_for_status(status)

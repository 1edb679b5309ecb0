"""Provider configuration: credentials, base URLs and the operation deadline.

Values come from the stack configuration of the ``twilio-memory`` namespace, which the Pulumi
dynamic-provider host hands to ``ResourceProvider.configure()`` (an explicit provider of a
:class:`~pulumi_twilio_memory.HostPool` gets the same keys as its own inputs), and fall back to environment
variables, so the providers also work with nothing but ``TWILIO_*`` variables set:

============================  ===============================  =================================
stack config                  environment                      meaning
============================  ===============================  =================================
``twilio-memory:apiKey``      ``TWILIO_API_KEY``               API key SID ``SK…`` (recommended)
``twilio-memory:apiSecret``   ``TWILIO_API_SECRET``            its secret (set with ``--secret``)
``twilio-memory:accountSid``  ``TWILIO_ACCOUNT_SID``           account SID ``AC…``
``twilio-memory:authToken``   ``TWILIO_AUTH_TOKEN``            auth token (set with ``--secret``)
``…:memoryBaseUrl``           ``TWILIO_MEMORY_BASE_URL``       default ``https://memory.twilio.com``
``…:conversationsBaseUrl``    ``TWILIO_CONVERSATIONS_BASE_URL``  default conversations.twilio.com
``…:operationTimeout``        ``TWILIO_MEMORY_OPERATION_TIMEOUT``  seconds, default 900
============================  ===============================  =================================

Regions and edges: point the base URLs at the regional hosts, as the official SDK does, e.g.
``https://memory.dublin.ie1.twilio.com`` (``memory.{edge}.{region}.twilio.com``). The emulator
serves both products on one port, so both URLs get the same ``http://127.0.0.1:<port>``.

Why module state and not ``self``: Pulumi pickles the provider object into every resource's state,
so provider classes carry no attributes. ``configure()`` stores what it read in a process-global,
lock-protected slot here; the provider host runs four worker threads that read it concurrently.
Stack config wins over the environment, as for every Pulumi provider.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from twilio_memory_api.client import Credentials
from twilio_memory_api.errors import ConfigurationError

__all__ = [
    "DEFAULT_CONVERSATIONS_BASE_URL",
    "DEFAULT_MEMORY_BASE_URL",
    "DEFAULT_OPERATION_TIMEOUT",
    "DESCRIPTIONS",
    "ENVIRONMENT_VARIABLES",
    "NAMESPACE",
    "SECRET_KEYS",
    "SETTINGS",
    "STACK_KEYS",
    "ProviderConfig",
    "configure",
    "current",
    "reset",
    "validate",
]

NAMESPACE = "twilio-memory"
DEFAULT_MEMORY_BASE_URL = "https://memory.twilio.com"
DEFAULT_CONVERSATIONS_BASE_URL = "https://conversations.twilio.com"
DEFAULT_OPERATION_TIMEOUT = 900.0

# attribute name -> (stack config key, environment variable)
_SETTINGS: dict[str, tuple[str, str]] = {
    "account_sid": ("accountSid", "TWILIO_ACCOUNT_SID"),
    "api_key": ("apiKey", "TWILIO_API_KEY"),
    "api_secret": ("apiSecret", "TWILIO_API_SECRET"),
    "auth_token": ("authToken", "TWILIO_AUTH_TOKEN"),
    "memory_base_url": ("memoryBaseUrl", "TWILIO_MEMORY_BASE_URL"),
    "conversations_base_url": ("conversationsBaseUrl", "TWILIO_CONVERSATIONS_BASE_URL"),
    "operation_timeout": ("operationTimeout", "TWILIO_MEMORY_OPERATION_TIMEOUT"),
}

#: Every setting as (stack config key without the namespace, environment variable).
SETTINGS = tuple(_SETTINGS.values())
#: What each setting means (the native provider's schema describes its configuration with these).
DESCRIPTIONS: dict[str, str] = {
    "accountSid": "Account SID (AC...), with authToken.",
    "apiKey": "API key SID (SK...), with apiSecret (recommended).",
    "apiSecret": "The API key's secret.",
    "authToken": "The account's auth token.",
    "memoryBaseUrl": f"Base URL of Conversation Memory (default {DEFAULT_MEMORY_BASE_URL}).",
    "conversationsBaseUrl": f"Base URL of Conversations (default {DEFAULT_CONVERSATIONS_BASE_URL}).",
    "operationTimeout": "Seconds one create, update or delete may wait "
    f"(default {DEFAULT_OPERATION_TIMEOUT:g}).",
}
#: Every environment variable the provider reads.
ENVIRONMENT_VARIABLES = tuple(env for _key, env in _SETTINGS.values())

#: Every stack configuration key the provider reads, in full (``twilio-memory:apiKey``).
STACK_KEYS = tuple(f"{NAMESPACE}:{key}" for key, _env in _SETTINGS.values())

#: The keys whose values are secrets wherever they are recorded (state, provider inputs).
SECRET_KEYS = frozenset({f"{NAMESPACE}:apiSecret", f"{NAMESPACE}:authToken"})

MISSING_CREDENTIALS = (
    "No Twilio credentials are configured for twilio-memory. Either set them in the stack "
    "configuration:\n"
    "    pulumi config set twilio-memory:apiKey SK...\n"
    "    pulumi config set --secret twilio-memory:apiSecret <secret>\n"
    "  (or twilio-memory:accountSid AC... with --secret twilio-memory:authToken <token>),\n"
    "or in the environment of `pulumi`: TWILIO_API_KEY and TWILIO_API_SECRET (recommended), or "
    "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."
)


class _ConfigSource(Protocol):
    """What ``pulumi.dynamic.Config`` offers; kept structural so this module needs no pulumi."""

    def get(self, key: str) -> Any: ...


@dataclass(frozen=True)
class ProviderConfig:
    """Resolved settings. ``repr`` never shows a secret."""

    account_sid: str | None = None
    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)
    auth_token: str | None = field(default=None, repr=False)
    memory_base_url: str = DEFAULT_MEMORY_BASE_URL
    conversations_base_url: str = DEFAULT_CONVERSATIONS_BASE_URL
    operation_timeout: float = DEFAULT_OPERATION_TIMEOUT

    def credentials_problem(self) -> str | None:
        """Why no credentials can be built, or None when they can (used by check() in preview)."""
        if self.api_key and not self.api_secret:
            return (
                "twilio-memory:apiKey (or TWILIO_API_KEY) is set but its secret is missing: set "
                "`pulumi config set --secret twilio-memory:apiSecret <secret>` or TWILIO_API_SECRET."
            )
        if self.api_key and self.api_secret:
            return None
        if self.api_secret:
            return (
                "twilio-memory:apiSecret (or TWILIO_API_SECRET) is set but the API key SID is "
                "missing: set `pulumi config set twilio-memory:apiKey SK...` or TWILIO_API_KEY."
            )
        if self.account_sid and self.auth_token:
            return None
        if self.account_sid:
            return (
                "twilio-memory:accountSid (or TWILIO_ACCOUNT_SID) is set but no secret is: set "
                "`pulumi config set --secret twilio-memory:authToken <token>` or TWILIO_AUTH_TOKEN, "
                "or use an API key (twilio-memory:apiKey + twilio-memory:apiSecret)."
            )
        if self.auth_token:
            return (
                "twilio-memory:authToken (or TWILIO_AUTH_TOKEN) is set but the account SID is "
                "missing: set `pulumi config set twilio-memory:accountSid AC...` or TWILIO_ACCOUNT_SID."
            )
        return MISSING_CREDENTIALS

    def credentials(self) -> Credentials:
        """API key + secret when set (recommended), else account SID + auth token."""
        problem = self.credentials_problem()
        if problem is not None:
            raise ConfigurationError(problem)
        if self.api_key and self.api_secret:
            return Credentials(self.api_key, self.api_secret)
        assert self.account_sid and self.auth_token  # guaranteed by credentials_problem()
        return Credentials(self.account_sid, self.auth_token)


_lock = threading.Lock()
_stack_values: dict[str, str] = {}


def configure(source: _ConfigSource | Mapping[str, Any]) -> None:
    """Record the ``twilio-memory:*`` stack config (called from ``ResourceProvider.configure``).

    Accepts a ``pulumi.dynamic.Config`` or a plain mapping of full keys (``twilio-memory:apiKey``).
    Validates eagerly so a bad value fails on the first resource instead of deep inside a call.
    """
    values = _read(source)
    _resolve(values, {})  # raises ConfigurationError on malformed values
    with _lock:
        _stack_values.clear()
        _stack_values.update(values)


def validate(source: _ConfigSource | Mapping[str, Any]) -> None:
    """Raise ConfigurationError naming the first malformed value of ``source`` (full keys), without
    recording anything (the native provider's ``check_config``)."""
    _resolve(_read(source), {})


def _read(source: _ConfigSource | Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for attr, (key, _env) in _SETTINGS.items():
        raw = source.get(f"{NAMESPACE}:{key}")
        if raw is not None and str(raw).strip() != "":
            values[attr] = str(raw).strip()
    return values


def reset() -> None:
    """Forget the recorded stack config (tests; a new provider host process starts empty anyway)."""
    with _lock:
        _stack_values.clear()


def current(environ: Mapping[str, str] | None = None) -> ProviderConfig:
    """The settings in force now: stack config first, then the environment, then defaults."""
    with _lock:
        stack = dict(_stack_values)
    return _resolve(stack, os.environ if environ is None else environ)


def _resolve(stack: Mapping[str, str], environ: Mapping[str, str]) -> ProviderConfig:
    values: dict[str, str] = {}
    for attr, (_key, env) in _SETTINGS.items():
        value = stack.get(attr) or environ.get(env, "").strip()
        if value:
            values[attr] = value
    return ProviderConfig(
        account_sid=values.get("account_sid"),
        api_key=values.get("api_key"),
        api_secret=values.get("api_secret"),
        auth_token=values.get("auth_token"),
        memory_base_url=_base_url(values, "memory_base_url", DEFAULT_MEMORY_BASE_URL),
        conversations_base_url=_base_url(values, "conversations_base_url", DEFAULT_CONVERSATIONS_BASE_URL),
        operation_timeout=_timeout(values),
    )


def _describe(attr: str) -> str:
    key, env = _SETTINGS[attr]
    return f"{NAMESPACE}:{key} (or {env})"


def _base_url(values: Mapping[str, str], attr: str, default: str) -> str:
    url = values.get(attr, default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"{_describe(attr)} must be an http(s) URL such as {default} or http://127.0.0.1:8787 "
            f"for the emulator; got {url!r}."
        )
    if parts.path or parts.query or parts.fragment:
        bare = f"{parts.scheme}://{parts.netloc}"
        raise ConfigurationError(
            f"{_describe(attr)} must be the scheme and host only, such as {bare}: the provider adds "
            f"the API paths (/v1/..., /v2/...) itself; got {url!r}."
        )
    return url


def _timeout(values: Mapping[str, str]) -> float:
    raw = values.get("operation_timeout")
    if raw is None:
        return DEFAULT_OPERATION_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigurationError(
            f"{_describe('operation_timeout')} must be a positive number of seconds "
            f"(default {DEFAULT_OPERATION_TIMEOUT:g}); got {raw!r}."
        )
    return seconds

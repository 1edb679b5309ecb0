"""Where a stack's resources live (the binding), recorded by every create and update and checked
before any request: a resource recorded in one account or at one endpoint is never looked for,
created or deleted elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from twilio_memory_api.addresses import is_loopback_host
from twilio_memory_api.client import ConversationsClient, MemoryClient
from twilio_memory_api.errors import StackBindingError

from .. import config

__all__ = ["BINDING", "binding", "require_binding", "same_place"]

#: Hidden output: where the resource lives, ``{"account": "AC…" or "", "endpoint": base URL}``
#: (no secret), recorded by every create and update and kept by reads; see :func:`require_binding`.
BINDING = "__binding"


def binding(api: str) -> dict[str, str]:
    """Where a provider of ``api`` (``"memory"`` or ``"conversations"``) writes now: the account
    SID (when configured) and the base URL."""
    settings = config.current()
    endpoint = settings.memory_base_url if api == "memory" else settings.conversations_base_url
    return {"account": settings.account_sid or "", "endpoint": endpoint}


def require_binding(kind: str, api: str, id_: str, recorded_props: Mapping[str, Any]) -> None:
    """Stop, before any request, when the state says this resource lives elsewhere than where
    the provider points now: another account or endpoint would create everything anew there,
    or a refresh would drop what it cannot find. Resources recorded before bindings existed
    carry none and pass (their next update records it)."""
    recorded = recorded_props.get(BINDING)
    if not isinstance(recorded, Mapping):
        return
    current = binding(api)
    if same_place(recorded, current):
        return
    setting = (MemoryClient if api == "memory" else ConversationsClient).base_url_setting
    raise StackBindingError(
        f"This stack's {kind} {id_} lives in {_describe(recorded)}, but the provider now "
        f"points at {_describe(current)}. A stack's resources stay in the account and "
        f"endpoint they were created in: nothing was sent. Point {setting} and the credentials "
        f"back (then run `pulumi up` once: a refresh uses the settings the last update "
        f"recorded), or keep this stack and use a new one for the other endpoint (`pulumi stack "
        f"init <name>`)."
    )


def same_place(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """True when a recorded binding and the current one name the same account and endpoint.

    Endpoints compare by scheme and host, and port unless both are loopback: the emulator is
    often restarted on a fresh port with the same state file, and two emulators on one machine
    cannot be told apart by their URL anyway. Accounts compare only when both are known (an API
    key alone does not say which account it belongs to).
    """
    old, new = urlsplit(str(recorded.get("endpoint", ""))), urlsplit(str(current.get("endpoint", "")))
    both_local = is_loopback_host(old.hostname) and is_loopback_host(new.hostname)
    if not both_local and (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
        return False
    account_old, account_new = recorded.get("account") or "", current.get("account") or ""
    return not (account_old and account_new and account_old != account_new)


def _describe(binding: Mapping[str, Any]) -> str:
    account = binding.get("account") or ""
    return f"account {account} at {binding.get('endpoint')}" if account else str(binding.get("endpoint"))

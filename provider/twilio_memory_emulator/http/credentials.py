"""Who may call the API: HTTP Basic credentials (Account SID + auth token, or API key + secret)."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field

from twilio_memory_emulator.defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
)
from twilio_memory_emulator.errors import Unauthorized

__all__ = ["Credentials"]


@dataclass
class Credentials:
    """Accounts (SID -> auth token) and API keys (key SID -> (secret, owning account SID))."""

    accounts: dict[str, str] = field(default_factory=dict)
    api_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Credentials:
        return cls(
            accounts={DEFAULT_ACCOUNT_SID: DEFAULT_AUTH_TOKEN},
            api_keys={DEFAULT_API_KEY_SID: (DEFAULT_API_KEY_SECRET, DEFAULT_ACCOUNT_SID)},
        )

    def __repr__(self) -> str:  # never show secrets
        return f"Credentials(accounts={sorted(self.accounts)}, api_keys={sorted(self.api_keys)})"

    def authenticate(self, authorization: str | None) -> str:
        """The Account SID a Basic ``Authorization`` header belongs to; 401 otherwise."""
        if not authorization or not authorization[:6].lower() == "basic ":
            raise Unauthorized()
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized() from None
        user, sep, password = decoded.partition(":")
        if not sep:
            raise Unauthorized()
        if user in self.accounts:
            expected, account = self.accounts[user], user
        elif user in self.api_keys:
            expected, account = self.api_keys[user]
        else:
            raise Unauthorized()
        if not hmac.compare_digest(expected.encode(), password.encode()):
            raise Unauthorized()
        return account

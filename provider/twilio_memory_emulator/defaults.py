"""The documented default credentials (also in docs/emulator.md) and limits; no imports, so the CLI
can parse its arguments and print help without loading the server."""

from __future__ import annotations

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_API_KEY_SECRET",
    "DEFAULT_API_KEY_SID",
    "DEFAULT_AUTH_TOKEN",
    "MAX_BODY_BYTES",
]

#: Accepted when no ``--account`` is given: published, emulator-only values, never real credentials.
DEFAULT_ACCOUNT_SID = "AC00000000000000000000000000000000"
DEFAULT_AUTH_TOKEN = "emulator-auth-token"  # noqa: S105 - a published, emulator-only credential
DEFAULT_API_KEY_SID = "SK00000000000000000000000000000000"
DEFAULT_API_KEY_SECRET = "emulator-api-secret"  # noqa: S105 - a published, emulator-only credential
#: Larger request bodies are answered 413. The spec documents no limit; a valid 95-trait group with
#: maximal descriptions and patterns is about 200 kB, so the limit is well above what is valid.
MAX_BODY_BYTES = 1024 * 1024

"""Command line: ``twilio-memory-emulator`` / ``python -m twilio_memory_emulator``.

This module only parses arguments (so ``--help`` and argument errors answer at once); the server
is built and run by :mod:`twilio_memory_emulator.serve`. Other tools parse the start-up line
``twilio-memory-emulator listening on http://HOST:PORT`` (stdout, flushed; with ``--port 0`` it
shows the port actually bound), so keep it stable.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from twilio_memory_emulator.defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
)

__all__ = ["ENVIRONMENT", "build_parser", "main"]

#: Settings a service container passes in its environment instead of on the command line (where
#: ``ps`` shows them): variable -> the flag it stands for when that flag is not given. Lists are
#: comma-separated.
ENVIRONMENT = {
    "TWILIO_MEMORY_EMULATOR_ACCOUNTS": "--account",
    "TWILIO_MEMORY_EMULATOR_API_KEYS": "--api-key",
    "TWILIO_MEMORY_EMULATOR_CONTROL_TOKEN": "--control-token",
    "TWILIO_MEMORY_EMULATOR_STATE_FILE": "--state-file",
}

_ACCOUNT_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
_KEY_RE = re.compile(r"^SK[0-9a-fA-F]{32}$")


def _number(text: str, low: float, high: float, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of {what}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g} {what}")
    return value


def _delay(text: str) -> float:
    return _number(text, 0, 86400, "seconds")


def _fraction(text: str) -> float:
    return _number(text, 0, 1, "(a fraction)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-memory-emulator",
        description="Local emulator of Twilio Conversation Memory (/v1/ControlPlane) and Conversations v2 "
        "(/v2/ControlPlane) control planes and of Memory's data plane (/v1/Stores/{storeId}/Profiles), "
        "on one port.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _add_access_arguments(parser)
    _add_delay_arguments(parser)
    _add_process_arguments(parser)
    return parser


def _add_access_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the emulator listens and who may call its API."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8787, help="port to bind; 0 picks a free one (default 8787)"
    )
    parser.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="SID:TOKEN",
        help="accept this Account SID and auth token (repeatable); without it the default account is used",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEYSID:SECRET:ACCOUNTSID",
        help="accept this API key and secret for an account (repeatable)",
    )


def _add_delay_arguments(parser: argparse.ArgumentParser) -> None:
    """How long the emulated asynchronous work takes."""
    parser.add_argument(
        "--provisioning-delay",
        type=_delay,
        default=2.0,
        metavar="SECONDS",
        help="time a new store takes from QUEUED to ACTIVE (default 2)",
    )
    parser.add_argument(
        "--operation-delay",
        type=_delay,
        default=0.5,
        metavar="SECONDS",
        help="time an asynchronous write takes to complete (default 0.5)",
    )
    parser.add_argument(
        "--delay-jitter",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="spread every delay uniformly by +/- this fraction, e.g. 0.3 (default 0: exact delays)",
    )
    parser.add_argument(
        "--index-delay",
        type=_delay,
        default=0.0,
        metavar="SECONDS",
        help="time a written observation or summary takes to reach Recall, as on Twilio where indexing "
        "is asynchronous (default 0: at once)",
    )


def _add_process_arguments(parser: argparse.ArgumentParser) -> None:
    """Persistence, the admin endpoints' token, shutdown and logging."""
    parser.add_argument(
        "--state-file", metavar="PATH", help="persist state in this JSON file across restarts"
    )
    parser.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="require this token (X-Emulator-Control-Token header) on /_emulator/ endpoints",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=_delay,
        default=10.0,
        metavar="SECONDS",
        help="on SIGTERM/SIGINT, wait at most this long for requests in flight (default 10); "
        "a second signal stops at once",
    )
    parser.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (no credentials are logged)"
    )


def _version() -> str:
    from twilio_memory_api._version import __version__  # noqa: PLC0415

    return __version__


def _from_environment(args: argparse.Namespace) -> None:
    """Fill flags not given on the command line from ``ENVIRONMENT``."""
    if not args.account and os.environ.get("TWILIO_MEMORY_EMULATOR_ACCOUNTS"):
        args.account = [
            v.strip() for v in os.environ["TWILIO_MEMORY_EMULATOR_ACCOUNTS"].split(",") if v.strip()
        ]
    if not args.api_key and os.environ.get("TWILIO_MEMORY_EMULATOR_API_KEYS"):
        args.api_key = [
            v.strip() for v in os.environ["TWILIO_MEMORY_EMULATOR_API_KEYS"].split(",") if v.strip()
        ]
    if args.control_token is None and os.environ.get("TWILIO_MEMORY_EMULATOR_CONTROL_TOKEN"):
        args.control_token = os.environ["TWILIO_MEMORY_EMULATOR_CONTROL_TOKEN"]
    if args.state_file is None and os.environ.get("TWILIO_MEMORY_EMULATOR_STATE_FILE"):
        args.state_file = os.environ["TWILIO_MEMORY_EMULATOR_STATE_FILE"]


def _credentials(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Parse --account/--api-key into (account SID -> token, key SID -> (secret, account SID))."""
    accounts: dict[str, str] = {} if args.account else {DEFAULT_ACCOUNT_SID: DEFAULT_AUTH_TOKEN}
    api_keys: dict[str, tuple[str, str]] = (
        {} if args.account else {DEFAULT_API_KEY_SID: (DEFAULT_API_KEY_SECRET, DEFAULT_ACCOUNT_SID)}
    )
    for item in args.account:
        sid, sep, token = item.partition(":")
        if not sep or not _ACCOUNT_RE.match(sid) or not token:
            parser.error("--account must be SID:TOKEN with SID = AC followed by 32 hex digits")
        accounts[sid] = token
    for item in args.api_key:
        parts = item.split(":")
        key, secret, account = parts[0], ":".join(parts[1:-1]), parts[-1]
        if len(parts) < 3 or not _KEY_RE.match(key) or not secret:
            parser.error("--api-key must be KEYSID:SECRET:ACCOUNTSID, KEYSID = SK followed by 32 hex digits")
        if account not in accounts:
            parser.error(f"--api-key {key}: account {account} is not one of the accepted accounts")
        api_keys[key] = (secret, account)
    return accounts, api_keys


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _from_environment(args)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")
    accounts, api_keys = _credentials(parser, args)
    # Loaded only now, so that argument errors and --help answer without loading the server.
    try:
        from twilio_memory_emulator.serve import run  # noqa: PLC0415
    except ModuleNotFoundError as exc:
        print(
            f"twilio-memory-emulator: the emulator needs the package's [emulator] extra ({exc.name} is "
            "not installed): pip install 'pulumi-twilio-memory[emulator]' (or the wheel with "
            "'[emulator]' after its path)",
            file=sys.stderr,
        )
        return 2

    return run(args, accounts, api_keys)


if __name__ == "__main__":
    sys.exit(main())

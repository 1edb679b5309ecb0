"""Command line: ``twilio-memory-emulator`` / ``python -m twilio_memory_emulator``.

Other tools parse the start-up line ``twilio-memory-emulator listening on http://HOST:PORT``
(stdout, flushed; with ``--port 0`` it shows the port actually bound), so keep it stable.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import re
import socket
import sys
from collections.abc import Sequence
from types import FrameType

import uvicorn

from twilio_memory_emulator.app import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
    Credentials,
    api_route_templates,
    create_app,
)
from twilio_memory_emulator.backend import Backend, Settings
from twilio_memory_emulator.faults import FaultRegistry
from twilio_memory_emulator.state import StateFile, StateFileError

__all__ = ["build_parser", "main"]

_ACCOUNT_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
_KEY_RE = re.compile(r"^SK[0-9a-fA-F]{32}$")


def _delay(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError("must be from 0 to 86400 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-memory-emulator",
        description="Local emulator of Twilio Conversation Memory (/v1/ControlPlane) and Conversations v2 "
        "(/v2/ControlPlane) control planes, on one port.",
    )
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
        "--state-file", metavar="PATH", help="persist state in this JSON file across restarts"
    )
    parser.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="require this token (X-Emulator-Control-Token header) on /_emulator/ endpoints",
    )
    parser.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (no credentials are logged)"
    )
    return parser


def _credentials(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[Credentials, bool]:
    """Parse --account/--api-key; the second value says whether the default account is in use."""
    creds = Credentials.default() if not args.account else Credentials()
    for item in args.account:
        sid, sep, token = item.partition(":")
        if not sep or not _ACCOUNT_RE.match(sid) or not token:
            parser.error("--account must be SID:TOKEN with SID = AC followed by 32 hex digits")
        creds.accounts[sid] = token
    for item in args.api_key:
        parts = item.split(":")
        if len(parts) != 3 or not _KEY_RE.match(parts[0]) or not parts[1]:
            parser.error(
                "--api-key must be KEYSID:SECRET:ACCOUNTSID with KEYSID = SK followed by 32 hex digits"
            )
        key, secret, account = parts
        if account not in creds.accounts:
            parser.error(f"--api-key {key}: account {account} is not one of the accepted accounts")
        creds.api_keys[key] = (secret, account)
    return creds, not args.account


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after a graceful shutdown; an emulator should exit 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto lets asyncio set TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _announce(
    host: str, port: int, default_account: bool, creds: Credentials, state_file: str | None
) -> None:
    shown = f"[{host}]" if ":" in host else host
    lines = [f"twilio-memory-emulator listening on http://{shown}:{port}"]
    if default_account:
        lines.append(
            f"default credentials: Account SID {DEFAULT_ACCOUNT_SID} / auth token {DEFAULT_AUTH_TOKEN}; "
            f"API key {DEFAULT_API_KEY_SID} / secret {DEFAULT_API_KEY_SECRET}"
        )
    else:
        lines.append(f"accounts: {', '.join(sorted(creds.accounts))}")
    if state_file:
        lines.append(f"state file: {state_file}")
    print("\n".join(lines), flush=True)


async def _serve(server: uvicorn.Server, sock: socket.socket, announce: tuple[object, ...]) -> None:
    async def announce_when_started() -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.01)
        _announce(*announce)  # type: ignore[arg-type]

    task = asyncio.create_task(announce_when_started())
    try:
        await server.serve(sockets=[sock])
    finally:
        task.cancel()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")
    creds, default_account = _credentials(parser, args)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    faults = FaultRegistry(api_route_templates())
    state_file = StateFile(args.state_file) if args.state_file else None
    backend = Backend(
        Settings(provisioning_delay=args.provisioning_delay, operation_delay=args.operation_delay),
        faults=faults,
        persist=state_file.save if state_file else None,
    )
    if state_file is not None:
        try:
            snapshot = state_file.load()
            if snapshot is not None:
                backend.restore(snapshot)
        except (StateFileError, ValueError) as exc:
            print(f"twilio-memory-emulator: {exc}", file=sys.stderr, flush=True)
            return 2
    app = create_app(backend, creds, control_token=args.control_token, loopback=_is_loopback(args.host))
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"twilio-memory-emulator: cannot bind {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=args.access_log,
        lifespan="off",
        server_header=False,
    )
    server = _Server(config)
    asyncio.run(_serve(server, sock, (args.host, port, default_account, creds, args.state_file)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the emulator from parsed command-line arguments and serve it with uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import sys
from types import FrameType

import uvicorn
from twilio_memory_api.addresses import is_loopback_host

from twilio_memory_emulator.app import Credentials, api_route_templates, create_app
from twilio_memory_emulator.backend import Backend, Settings
from twilio_memory_emulator.defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
)
from twilio_memory_emulator.engine.faults import FaultRegistry
from twilio_memory_emulator.state_file import StateFile, StateFileError

__all__ = ["run"]


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after a graceful shutdown; an emulator should exit 0.
    A second signal of either kind (uvicorn: only SIGINT) stops at once, without waiting for
    requests in flight."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto lets asyncio set TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _announce(host: str, port: int, accounts: dict[str, str], state_file: str | None) -> None:
    """The start-up lines; credentials only when they are the published default ones."""
    shown = f"[{host}]" if ":" in host else host
    lines = [f"twilio-memory-emulator listening on http://{shown}:{port}"]
    if accounts == {DEFAULT_ACCOUNT_SID: DEFAULT_AUTH_TOKEN}:
        lines.append(
            f"default credentials: Account SID {DEFAULT_ACCOUNT_SID} / auth token {DEFAULT_AUTH_TOKEN}; "
            f"API key {DEFAULT_API_KEY_SID} / secret {DEFAULT_API_KEY_SECRET}"
        )
    else:
        lines.append(f"accounts: {', '.join(sorted(accounts))}")
    if state_file:
        lines.append(f"state file: {state_file}")
    print("\n".join(lines), flush=True)


async def _serve(
    server: uvicorn.Server, sock: socket.socket, announce: tuple[str, int, dict[str, str], str | None]
) -> None:
    async def announce_when_started() -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.01)
        _announce(*announce)

    task = asyncio.create_task(announce_when_started())
    try:
        await server.serve(sockets=[sock])
    finally:
        task.cancel()


def run(args: argparse.Namespace, accounts: dict[str, str], api_keys: dict[str, tuple[str, str]]) -> int:
    """Serve until SIGTERM/SIGINT (exit 0); 2 if the state file is unreadable or the port is taken."""
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        backend = _backend(args)
    except (StateFileError, ValueError) as exc:
        print(f"twilio-memory-emulator: {exc}", file=sys.stderr, flush=True)
        return 2
    loopback = is_loopback_host(args.host)
    app = create_app(
        backend,
        Credentials(accounts=accounts, api_keys=api_keys),
        control_token=args.control_token,
        loopback=loopback,
    )
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"twilio-memory-emulator: cannot bind {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    if not loopback and DEFAULT_ACCOUNT_SID in accounts:
        _warn_exposed(args.host)
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=args.access_log,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=args.shutdown_timeout,
    )
    announce = (args.host, sock.getsockname()[1], accounts, args.state_file)
    asyncio.run(_serve(_Server(config), sock, announce))
    return 0


def _backend(args: argparse.Namespace) -> Backend:
    """The backend the flags ask for, with the state file's snapshot loaded and saved to (when
    ``--state-file`` is given); StateFileError or ValueError when the file cannot serve."""
    state_file = StateFile(args.state_file) if args.state_file else None
    backend = Backend(
        Settings(
            provisioning_delay=args.provisioning_delay,
            operation_delay=args.operation_delay,
            delay_jitter=args.delay_jitter,
            index_delay=args.index_delay,
        ),
        faults=FaultRegistry(api_route_templates()),
        persist=state_file.save if state_file else None,
    )
    if state_file is not None:
        state_file.check_writable()
        snapshot = state_file.load()
        if snapshot is not None:
            backend.restore(snapshot)
    return backend


def _warn_exposed(host: str) -> None:
    print(
        f"twilio-memory-emulator: warning: bound to {host}, off loopback, and accepting the "
        "published default credentials: anyone who can reach this port can use it. Pass --account "
        "(or TWILIO_MEMORY_EMULATOR_ACCOUNTS) with credentials of your own.",
        file=sys.stderr,
        flush=True,
    )

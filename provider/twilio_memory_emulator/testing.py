"""Run the emulator as a real subprocess server from tests (yours and ours).

    with EmulatorServer(provisioning_delay=0, operation_delay=0) as emu:
        client = twilio.rest.Client(emu.account_sid, emu.auth_token)
        client.memory.base_url = client.conversations.base_url = emu.base_url
        emu.control.add_fault(action="error", route="POST /v1/ControlPlane/Stores", status=503, times=1)

The server is started with ``--port 0`` on loopback and the real port is read from its start-up
line, so parallel test runs never collide. :class:`ControlClient` wraps the ``/_emulator/``
endpoints (reset, stats, faults, clock, settings, state). :data:`REALISTIC_DELAYS` are the delays
integration tests should run with.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import httpx

from twilio_memory_emulator.defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
)

__all__ = ["REALISTIC_DELAYS", "ControlClient", "EmulatorServer", "EmulatorStartError"]

#: Delays for tests of code that talks to the emulator (``EmulatorServer(**REALISTIC_DELAYS)``):
#: stores take a second to provision and every write a moment to apply, each spread by 30 %, so
#: pending states and out-of-order completions really happen. Zero delays hide the bugs that live
#: there (a lost answer meeting a resource still being created); keep them for pure logic tests.
REALISTIC_DELAYS: dict[str, float] = {"provisioning_delay": 1.0, "operation_delay": 0.3, "delay_jitter": 0.3}

_LISTENING = re.compile(r"^twilio-memory-emulator listening on (http://\S+)$")


class EmulatorStartError(RuntimeError):
    """The emulator process exited or did not print its start-up line in time."""


class ControlClient:
    """Client of the ``/_emulator/`` control endpoints; every method raises on an HTTP error."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        headers = {"X-Emulator-Control-Token": token} if token else {}
        # The emulator speaks plain HTTP on loopback: skip building a TLS context (20 ms per client).
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=30.0, verify=False)  # noqa: S501

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        response = self._http.request(method, f"/_emulator/{path}", json=json)
        response.raise_for_status()
        return response.json()

    def health(self) -> dict[str, Any]:
        return self._call("GET", "health")  # type: ignore[no-any-return]

    def reset(self) -> None:
        """Empty state, stats and fault rules; restore start-up settings and the clock."""
        self._call("POST", "reset")

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "stats")  # type: ignore[no-any-return]

    def reset_stats(self) -> None:
        self._call("DELETE", "stats")

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        """Add one rule, e.g. ``add_fault(action="error", route="POST /v1/...", status=429, times=2)``.

        snake_case keywords are sent camelCase (``retry_after`` -> ``retryAfter``).
        """
        body = {_camel(k): v for k, v in spec.items()}
        return self._call("POST", "faults", body)["faults"][0]  # type: ignore[no-any-return]

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")["faults"]  # type: ignore[no-any-return]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def remove_fault(self, fault_id: str) -> None:
        self._call("DELETE", f"faults/{fault_id}")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self._call("POST", "clock", {"advance": seconds})  # type: ignore[no-any-return]

    def settings(self, **changes: float) -> dict[str, Any]:
        """Read settings, or change ``provisioning_delay`` / ``operation_delay`` (seconds) and
        ``delay_jitter`` (a fraction)."""
        if not changes:
            return self._call("GET", "settings")  # type: ignore[no-any-return]
        return self._call("POST", "settings", {_camel(k): v for k, v in changes.items()})  # type: ignore[no-any-return]

    def state(self) -> dict[str, Any]:
        return self._call("GET", "state")  # type: ignore[no-any-return]


_TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


def _settle(client: httpx.Client, response: httpx.Response, timeout: float = 60.0) -> None:
    """Wait until the operation a write answered with has ended (see ``EmulatorServer.http``)."""
    if response.request.method == "GET" or response.status_code != 202:
        return
    response.read()
    status_url = (response.json() if response.content else {}).get("statusUrl")
    if not status_url:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with client.stream("GET", status_url) as polled:  # a stream: no hook recursion on GET anyway
            polled.read()
            if polled.status_code != 200 or polled.json().get("status") in _TERMINAL:
                return
        time.sleep(0.05)
    raise TimeoutError(f"operation {status_url} did not end within {timeout:g}s")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _flag_args(flags: dict[str, Any]) -> list[str]:
    """``provisioning_delay=0`` -> ``--provisioning-delay 0``; lists repeat; True is a bare flag."""
    args: list[str] = []
    for name, value in flags.items():
        option = "--" + name.replace("_", "-")
        values: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is True:
                args.append(option)
            elif item is not None and item is not False:
                args += [option, str(item)]
    return args


class EmulatorServer:
    """One emulator subprocess on a free loopback port; a context manager."""

    def __init__(self, *, startup_timeout: float = 30.0, **flags: Any) -> None:
        flags.setdefault("host", "127.0.0.1")
        flags.setdefault("port", 0)
        self.flags = flags
        self.startup_timeout = startup_timeout
        self.base_url = ""
        self.account_sid = DEFAULT_ACCOUNT_SID
        self.auth_token = DEFAULT_AUTH_TOKEN
        self.api_key = DEFAULT_API_KEY_SID
        self.api_secret = DEFAULT_API_KEY_SECRET
        accounts = flags.get("account")
        if accounts:
            first = accounts[0] if isinstance(accounts, list | tuple) else accounts
            self.account_sid, _, self.auth_token = str(first).partition(":")
        self.output: list[str] = []
        self._process: subprocess.Popen[str] | None = None
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the server
        self._control: ControlClient | None = None

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "twilio_memory_emulator", *_flag_args(self.flags)]

    @property
    def control(self) -> ControlClient:
        if self._control is None:
            self._control = ControlClient(self.base_url, self.flags.get("control_token"))
        return self._control

    @property
    def auth(self) -> tuple[str, str]:
        return (self.account_sid, self.auth_token)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def http(self, *, settle: bool = False, **kwargs: Any) -> httpx.Client:
        """An httpx client on the emulator, authenticated as the first account by default.

        ``settle=True``: every write that answers with an operation (``statusUrl``) returns only
        once that operation has ended, as for someone who waits in the Console for a change to be
        applied (out-of-band changes in tests whose next step must see them).
        """
        kwargs.setdefault("auth", self.auth)
        kwargs.setdefault("timeout", 30.0)
        kwargs.setdefault("verify", False)  # plain HTTP on loopback: no TLS context to build
        client = httpx.Client(base_url=self.base_url, **kwargs)
        if settle:
            client.event_hooks["response"] = [lambda response: _settle(client, response)]
        return client

    def start(self) -> EmulatorServer:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=self._stderr, text=True, env=env
        )
        found = threading.Event()

        def pump() -> None:
            assert self._process is not None and self._process.stdout is not None
            for line in self._process.stdout:
                self.output.append(line.rstrip("\n"))
                match = _LISTENING.match(line.strip())
                if match and not found.is_set():
                    self.base_url = match.group(1)
                    found.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while not found.wait(0.05):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise EmulatorStartError(f"emulator did not start: {self.stderr_text()[-2000:]}")
        return self

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()

    def stop(self, timeout: float = 10.0) -> int | None:
        """Terminate (SIGTERM, then SIGKILL after ``timeout``); return the exit code."""
        if self._control is not None:
            self._control.close()
            self._control = None
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        return process.returncode

    def kill(self) -> None:
        """SIGKILL: simulate a crash (no graceful shutdown)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

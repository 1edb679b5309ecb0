"""The emulator as a service (a CI service container, a shared dev box): a health check that needs
no token off loopback, settings from the environment instead of ``ps``-visible flags, a warning
when the published default credentials are reachable off loopback, ``--version``, a state file
checked at start, a bounded graceful shutdown (a second signal stops at once), and a clear message
when the ``[emulator]`` extra is missing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest
from emu_helpers import run_emulator_cli
from twilio_memory_api._version import __version__
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator

ACCOUNT, TOKEN = "AC" + "1" * 32, "service-token-1234"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - what a service container binds


def _local(server: EmulatorServer) -> str:
    return server.base_url.replace(ALL_INTERFACES, "127.0.0.1")


def test_version_prints_the_package_version() -> None:
    done = run_emulator_cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"twilio-memory-emulator {__version__}"


def test_off_loopback_health_answers_without_a_token_and_the_rest_stays_closed() -> None:
    with EmulatorServer(host=ALL_INTERFACES) as server:
        url = _local(server)
        assert httpx.get(f"{url}/_emulator/health").json() == {"status": "ok"}
        assert httpx.get(f"{url}/_emulator/stats").status_code == 403
        assert httpx.post(f"{url}/_emulator/reset").status_code == 403
        stderr = server.stderr_text()
    assert "off loopback, and accepting the published default credentials" in stderr


def test_accounts_and_control_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_MEMORY_EMULATOR_ACCOUNTS", f"{ACCOUNT}:{TOKEN}")
    monkeypatch.setenv("TWILIO_MEMORY_EMULATOR_CONTROL_TOKEN", "control-secret-5678")
    with EmulatorServer(host=ALL_INTERFACES) as server:
        url = _local(server)
        stores = f"{url}/v1/ControlPlane/Stores"
        assert httpx.get(stores, auth=(ACCOUNT, TOKEN)).status_code == 200
        assert httpx.get(stores, auth=(server.account_sid, server.auth_token)).status_code == 401
        headers = {"X-Emulator-Control-Token": "control-secret-5678"}
        assert httpx.get(f"{url}/_emulator/stats", headers=headers).status_code == 200
        stderr, output = server.stderr_text(), "\n".join(server.output)
    assert "published default credentials" not in stderr  # own credentials: no warning
    assert TOKEN not in output + stderr and "control-secret-5678" not in output + stderr


def test_an_unwritable_state_file_is_refused_at_start(tmp_path: object) -> None:
    done = run_emulator_cli("--port", "0", "--state-file", "/proc/nope/state.json")
    assert done.returncode == 2
    assert "cannot write state file /proc/nope/state.json" in done.stderr
    assert "--state-file" in done.stderr


def test_shutdown_waits_a_bounded_time_and_a_second_signal_stops_at_once() -> None:
    server = EmulatorServer(shutdown_timeout=30).start()
    try:
        server.control.add_fault(action="latency", latency=60)  # a request that will not finish
        with server.http() as http:
            pending = subprocess.Popen(  # a client holding a request open, outside this process
                [
                    sys.executable,
                    "-c",
                    f"import httpx; httpx.get({server.base_url!r} + '/v1/ControlPlane/Stores', "
                    f"auth=({server.account_sid!r}, {server.auth_token!r}), timeout=90)",
                ],
            )
            time.sleep(1.0)  # let the request reach the server (setup, not an assertion)
            process = server._process
            assert process is not None
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            with pytest.raises(subprocess.TimeoutExpired):
                process.wait(timeout=1.0)  # graceful: still waiting for the request in flight
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            assert time.monotonic() - started < 10
            pending.kill()
            del http
    finally:
        server.stop()


def test_without_the_emulator_extra_the_message_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['uvicorn'] = None\n"
        "from twilio_memory_emulator.__main__ import main\n"
        "sys.exit(main(['--port', '0']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "pip install 'pulumi-twilio-memory[emulator]'" in done.stderr
    assert "Traceback" not in done.stderr

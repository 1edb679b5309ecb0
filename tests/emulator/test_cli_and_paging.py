"""The command line (flags, start-up line, errors) and token pagination as the SDK uses it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from emu_helpers import CONFIGS, STORES, assert_error, create_configuration, create_store, run_emulator_cli
from twilio_memory_emulator.testing import EmulatorServer

pytestmark = pytest.mark.emulator


def test_help_lists_every_flag() -> None:
    result = run_emulator_cli("--help")
    assert result.returncode == 0
    for flag in (
        "--host",
        "--port",
        "--account",
        "--api-key",
        "--provisioning-delay",
        "--operation-delay",
        "--state-file",
        "--control-token",
    ):
        assert flag in result.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "twilio-memory-emulator"
    assert script.exists() or shutil.which("twilio-memory-emulator")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "twilio-memory-emulator" in result.stdout


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--account", "not-a-sid:token"], "--account"),
        (["--account", "AC" + "0" * 32], "--account"),
        (["--api-key", "SK" + "0" * 32 + ":secret"], "--api-key"),
        (["--api-key", "SK" + "0" * 32 + ":secret:AC" + "9" * 32], "not one of the accepted accounts"),
        (["--provisioning-delay", "-1"], "--provisioning-delay"),
        (["--operation-delay", "soon"], "--operation-delay"),
        (["--port", "70000"], "--port"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], mentions: str) -> None:
    result = run_emulator_cli(*args)
    assert result.returncode == 2
    assert mentions in result.stderr
    assert "token" not in result.stdout


def test_busy_port_exits_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_emulator_cli("--port", str(busy.getsockname()[1]))
    assert result.returncode == 2
    assert "cannot bind" in result.stderr


def test_startup_line_and_default_credentials(emulator: EmulatorServer) -> None:
    assert emulator.output[0] == f"twilio-memory-emulator listening on {emulator.base_url}"
    assert emulator.base_url.startswith("http://127.0.0.1:")
    assert not emulator.base_url.endswith(":0")
    banner = "\n".join(emulator.output)
    assert "AC00000000000000000000000000000000" in banner and "emulator-auth-token" in banner


def test_custom_secrets_are_never_printed(start_emulator: Callable[..., EmulatorServer]) -> None:
    sid, key = "AC" + "d" * 32, "SK" + "e" * 32
    emu = start_emulator(
        account=[f"{sid}:very-secret-token"],
        api_key=[f"{key}:very-secret-key:{sid}"],
        control_token="very-secret-control",
    )
    with emu.http() as http:
        assert http.get(STORES).status_code == 200
        assert_error(http.get("/nope"), 404)
    emu.stop()
    everything = "\n".join(emu.output) + emu.stderr_text()
    assert sid in everything
    for secret in ("very-secret-token", "very-secret-key", "very-secret-control", "emulator-auth-token"):
        assert secret not in everything


# ------------------------------------------------------------------------------------------------
# Pagination
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with emulator.http() as client:
        yield client


def _walk(http: httpx.Client, url: str, key: str, **params: str | int) -> list[list[object]]:
    pages: list[list[object]] = []
    token: str | None = None
    while True:
        query = dict(params, **({"pageToken": token} if token else {}))
        body = http.get(url, params=query).json()
        assert body["meta"]["key"] == key
        assert body["meta"]["pageSize"] == len(body[key]) <= int(params.get("pageSize", 50))  # items returned
        assert ("previousToken" in body["meta"]) == bool(pages)
        pages.append(body[key])
        token = body["meta"].get("nextToken")
        if not token:
            return pages


def test_store_pages_in_both_orders(http: httpx.Client) -> None:
    created = [create_store(http, f"tenant-{i}") for i in range(5)]
    desc = _walk(http, STORES, "stores", pageSize=2)
    assert [len(p) for p in desc] == [2, 2, 1]
    assert [s for p in desc for s in p] == created[::-1]  # default: newest first
    asc = _walk(http, STORES, "stores", pageSize=2, orderBy="ASC")
    assert [s for p in asc for s in p] == created
    exact = _walk(http, STORES, "stores", pageSize=5)
    assert len(exact) == 1  # no nextToken when the page is the last one


def test_previous_token_goes_back(http: httpx.Client) -> None:
    for i in range(5):
        create_store(http, f"tenant-{i}")
    first = http.get(STORES, params={"pageSize": 2}).json()
    second = http.get(STORES, params={"pageSize": 2, "pageToken": first["meta"]["nextToken"]}).json()
    back = http.get(STORES, params={"pageSize": 2, "pageToken": second["meta"]["previousToken"]}).json()
    assert back["stores"] == first["stores"]


def test_trait_group_and_configuration_pages(http: httpx.Client) -> None:
    store_id = create_store(http)
    for i in range(4):
        http.post(f"{STORES}/{store_id}/TraitGroups", json={"displayName": f"g{i}"})
    groups = _walk(http, f"{STORES}/{store_id}/TraitGroups", "traitGroups", pageSize=2, orderBy="ASC")
    assert [g["displayName"] for p in groups for g in p] == ["Contact", "g0", "g1", "g2", "g3"]  # type: ignore[index]
    ids = [create_configuration(http, store_id, f"conf-{i}") for i in range(3)]
    configs = _walk(http, CONFIGS, "configurations", pageSize=2)
    assert [c["id"] for p in configs for c in p] == ids  # type: ignore[index]


def test_trait_group_fetch_meta(http: httpx.Client) -> None:
    store_id = create_store(http)
    body = http.get(f"{STORES}/{store_id}/TraitGroups/Contact", params={"includeTraits": "false"}).json()
    assert body["meta"] == {"key": "traitGroup", "pageSize": 50}
    assert "traits" not in body["traitGroup"]
    assert_error(http.get(f"{STORES}/{store_id}/TraitGroups/Contact", params={"pageSize": "0"}), 400)

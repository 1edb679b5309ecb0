"""The layers hold at import time, not only in the source: provider -> wire package <- emulator.

Each check runs a fresh interpreter, because this test process has long imported everything."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys\n{statement}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def _pulumi(modules: list[str]) -> list[str]:
    return [m for m in modules if m == "pulumi" or m.startswith(("pulumi.", "pulumi_"))]


@pytest.mark.parametrize("module", ["twilio_memory_emulator.serve", "twilio_memory_emulator.app"])
def test_the_emulator_loads_no_pulumi(module: str) -> None:
    assert _pulumi(_loaded_after(f"import {module}")) == []


@pytest.mark.parametrize(
    "module", ["twilio_memory_api", "twilio_memory_api.models", "twilio_memory_api.errors"]
)
def test_the_models_load_no_httpx_and_no_pulumi(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert "httpx" not in loaded and _pulumi(loaded) == []


def test_the_wire_clients_load_no_pulumi() -> None:
    loaded = _loaded_after("import twilio_memory_api.client, twilio_memory_api.operations")
    assert "httpx" in loaded and _pulumi(loaded) == []


def test_the_old_import_paths_name_the_same_objects() -> None:
    import pulumi_twilio_memory.api as old_api
    import twilio_memory_api
    from pulumi_twilio_memory.api import client, errors, models, operations
    from twilio_memory_api import client as wire_client
    from twilio_memory_api import errors as wire_errors
    from twilio_memory_api import models as wire_models
    from twilio_memory_api import operations as wire_operations

    assert models.StoreCreate is wire_models.StoreCreate
    assert errors.PreconditionFailedError is wire_errors.PreconditionFailedError
    assert client.MemoryClient is wire_client.MemoryClient is twilio_memory_api.MemoryClient
    assert operations.wait_operation is wire_operations.wait_operation
    assert old_api.Deadline is twilio_memory_api.Deadline
    assert set(models.__all__) == set(wire_models.__all__)


#: What only the emulator or the tests need; a provider host that loaded them would pay their memory.
_NOT_IN_A_HOST = ("twilio_memory_emulator", "numpy", "starlette", "uvicorn", "phonenumbers", "rank_bm25",
                  "openapi_schema_validator", "jsonschema", "twilio", "hypothesis")  # fmt: skip


def test_a_provider_host_loads_none_of_the_emulator_or_its_dependencies() -> None:
    """What the dynamic-provider host imports to serve our resources (pulumi.dynamic, then the
    package the pickled providers name), in an environment where all of these are installed."""
    loaded = _loaded_after(
        "import pulumi.dynamic, pulumi_twilio_memory, pulumi_twilio_memory.resources.store, "
        "pulumi_twilio_memory.resources.trait_group, pulumi_twilio_memory.resources.data_mapping, "
        "pulumi_twilio_memory.resources.identity_resolution, "
        "pulumi_twilio_memory.resources.conversation_configuration"
    )
    tops = {module.split(".")[0] for module in loaded}
    assert sorted(tops.intersection(_NOT_IN_A_HOST)) == []


def test_the_resource_core_and_the_native_face_never_import_pulumi_dynamic() -> None:
    """One core, two faces: the dynamic face (``pulumi_twilio_memory.dynamic``) is the only code
    that imports ``pulumi.dynamic``. Read from the source, since ``import pulumi`` itself may load
    the module."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "provider" / "pulumi_twilio_memory"
    offenders = []
    for folder in ("resources", "native", "components"):
        for path in sorted((package / folder).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                offenders += [f"{folder}/{path.name}: {n}" for n in names if n.startswith("pulumi.dynamic")]
    assert offenders == []

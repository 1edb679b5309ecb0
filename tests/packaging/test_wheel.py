"""The package as a user gets it, outside this checkout: build the wheel and the sdist, check what
they hold, then a Pulumi project of a user's own (``toolchain: pip``, a ``requirements.txt``
naming the wheel) runs ``pulumi install``, ``up``, ``preview --expect-no-changes`` and
``destroy`` against an emulator started from the installed wheel, with the lowest supported
Pulumi SDK and the newest one available. Nothing of the checkout or its virtualenv is on the path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import PulumiCLI, find_cli
from twilio_memory_emulator.testing import REALISTIC_DELAYS, EmulatorServer

#: One wheel built once (the module's ``dist``) for every test here: one worker runs them all.
pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging-wheel")]

REPO = Path(__file__).resolve().parents[2]


def _sdk_range() -> list[str]:
    """The lowest SDK the package declares (``pulumi>=X`` in pyproject.toml) and the newest the
    package index serves below 4."""
    lowest = re.search(r'"pulumi>=([0-9.]+)', (REPO / "pyproject.toml").read_text())
    assert lowest, "pyproject.toml declares no pulumi>= bound"
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "pulumi"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    versions = re.search(r"Available versions: (.*)", listed)
    assert versions, listed
    newest = next(v for v in (x.strip() for x in versions.group(1).split(",")) if v.startswith("3."))
    floor = lowest.group(1)
    return [floor if floor.count(".") == 2 else f"{floor}.0", newest]


SDKS = _sdk_range()
PASSPHRASE = "packaging-tier"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_the_wheel_and_sdist_hold_what_a_user_needs(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = wheel.read(meta_name).decode()
        entry_points = wheel.read(meta_name.replace("METADATA", "entry_points.txt")).decode()
        plugin = json.loads(wheel.read("pulumi_twilio_memory/pulumi-plugin.json"))
    assert plugin == {"resource": False}  # `pulumi install` must not look for a resource plugin
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    for package in ("pulumi_twilio_memory", "twilio_memory_api", "twilio_memory_emulator"):
        assert f"{package}/py.typed" in names
    assert "twilio_memory_emulator/spec/twilio_memory_v1.json" in names
    assert "License-Expression: Apache-2.0" in metadata
    assert "Requires-Dist: pulumi<4,>=3.235" in metadata
    assert "Classifier: Typing :: Typed" in metadata and "Keywords:" in metadata
    # The description an index shows stands alone: no links into a checkout, no checkout steps.
    description = metadata.split("\n\n", 1)[1]
    assert "# pulumi-twilio-memory" in description
    assert "](docs/" not in description and "](examples/" not in description
    assert "scripts/" not in description
    assert "twilio-memory-emulator = twilio_memory_emulator.__main__:main" in entry_points
    assert "twilio-memory-onboard = pulumi_twilio_memory.onboard:main" in entry_points
    with tarfile.open(dist["sdist"]) as sdist:
        members = {m.name.split("/", 1)[-1] for m in sdist.getmembers()}
    assert {"LICENSE", "pyproject.toml", "README.md"} <= members


class _WheelEmulator(EmulatorServer):
    """The emulator started from the user's virtualenv (its console script), not from this repo."""

    def __init__(self, venv: Path, **flags: object) -> None:
        super().__init__(**flags)
        self.venv = venv

    @property
    def command(self) -> list[str]:
        return [str(self.venv / "bin" / "twilio-memory-emulator"), *super().command[3:]]


PROGRAM = '''\
    """A user's own program: two tenants on a pool of two provider hosts."""
    import pulumi
    import pulumi_twilio_memory as tm

    pool = tm.HostPool(size=2)
    tenants = {
        name: tm.TenantMemory(name, opts=pulumi.ResourceOptions(provider=host))
        for name, host in pool.spread(["pkg-acme", "pkg-globex"]).items()
    }
    pulumi.export("storeIds", {name: tenant.store_id for name, tenant in tenants.items()})
'''


def _env(cli: PulumiCLI, home: Path, extra: dict[str, str]) -> dict[str, str]:
    """A user's shell: the CLI and the system, nothing of this checkout or its virtualenv."""
    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_INDEX_URL")}
    keep.update(
        PATH=os.pathsep.join([str(cli.bin_dir), "/usr/local/bin", "/usr/bin", "/bin"]),
        PULUMI_HOME=str(home / "pulumi-home"),
        PULUMI_BACKEND_URL=f"file://{home / 'backend'}",
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        **extra,
    )
    return keep


@pytest.fixture(scope="module")
def cli() -> PulumiCLI:
    return find_cli()


@pytest.fixture(params=SDKS, ids=[f"sdk-{v}" for v in SDKS])
def user_project(request: pytest.FixtureRequest, dist: dict[str, Path], tmp_path: Path) -> Iterator[Path]:
    project = tmp_path / "my-tenants"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: my-tenants\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n"
    )
    (project / "requirements.txt").write_text(
        f"pulumi-twilio-memory[emulator] @ {dist['wheel'].as_uri()}\npulumi=={request.param}\n"
    )
    (project / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    (tmp_path / "backend").mkdir()
    yield project
    shutil.rmtree(project / "venv", ignore_errors=True)


def _pulumi(cli: PulumiCLI, project: Path, env: dict[str, str], *args: str, timeout: float = 900) -> str:
    done = subprocess.run(
        [str(cli.binary), *args, "--non-interactive", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"$ pulumi {' '.join(args)} exited {done.returncode}:\n{output[-4000:]}"
    return output


def test_a_project_of_its_own_installs_and_runs_the_wheel(cli: PulumiCLI, user_project: Path) -> None:
    home = user_project.parent
    env = _env(cli, home, {})
    installed = _pulumi(cli, user_project, env, "install")
    assert "error" not in installed.lower(), installed
    about = _pulumi(cli, user_project, env, "about")
    assert (
        "error downloading" not in about
        and "twilio-memory" not in about.split("Plugins")[-1].split("Host")[0]
    )
    venv = user_project / "venv"
    sdk = (user_project / "requirements.txt").read_text().split("pulumi==")[1].strip()
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import pulumi, pulumi_twilio_memory as tm; print(tm.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(venv) in version  # the wheel in the project's own virtualenv, not this checkout
    pip_show = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "show", "pulumi"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Version: {sdk}" in pip_show

    with _WheelEmulator(venv, **REALISTIC_DELAYS) as emulator:
        env = _env(
            cli,
            home,
            {
                "TWILIO_ACCOUNT_SID": emulator.account_sid,
                "TWILIO_AUTH_TOKEN": emulator.auth_token,
                "TWILIO_MEMORY_BASE_URL": emulator.base_url,
                "TWILIO_CONVERSATIONS_BASE_URL": emulator.base_url,
            },
        )
        _pulumi(cli, user_project, env, "stack", "init", "dev")
        _pulumi(cli, user_project, env, "up", "--yes")
        with emulator.http() as http:
            stores = http.get("/v1/ControlPlane/Stores").json()["stores"]
        assert len(stores) == 2
        _pulumi(cli, user_project, env, "preview", "--expect-no-changes")
        _pulumi(cli, user_project, env, "destroy", "--yes")
        with emulator.http() as http:
            assert http.get("/v1/ControlPlane/Stores").json()["stores"] == []


YAML_PROGRAM = """\
name: yaml-tenant
runtime: yaml
resources:
  store:
    type: twilio-memory:index:Store
    properties:
      displayName: yaml-acme
      description: Acme, from YAML
  loyalty:
    type: twilio-memory:index:TraitGroup
    properties:
      storeId: ${store.id}
      displayName: Loyalty
      traits:
        tier:
          dataType: STRING
outputs:
  storeId: ${store.id}
"""

IMPORTED = """\
  handmade:
    type: twilio-memory:index:Store
    properties:
      displayName: handmade
      description: made by hand
"""


@pytest.mark.parametrize("sdk", SDKS, ids=[f"sdk-{v}" for v in SDKS])
def test_a_yaml_program_finds_the_native_provider_the_package_installed(
    cli: PulumiCLI, dist: dict[str, Path], tmp_path: Path, sdk: str
) -> None:
    """Only the package installed in an environment on PATH: a Pulumi YAML program outside the
    checkout runs up, preview, import of a store made out of band, and destroy."""
    venv = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            f"{dist['wheel']}[emulator]",
            f"pulumi=={sdk}",
        ],
        check=True,
        timeout=600,
    )
    assert (venv / "bin" / "pulumi-resource-twilio-memory").is_file()
    project = tmp_path / "yaml-tenant"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(YAML_PROGRAM)
    (tmp_path / "backend").mkdir()
    with _WheelEmulator(venv, **REALISTIC_DELAYS) as emulator:
        env = _env(
            cli,
            tmp_path,
            {
                "TWILIO_API_KEY": emulator.api_key,
                "TWILIO_API_SECRET": emulator.api_secret,
                "TWILIO_MEMORY_BASE_URL": emulator.base_url,
                "TWILIO_CONVERSATIONS_BASE_URL": emulator.base_url,
            },
        )
        env["PATH"] = os.pathsep.join([str(venv / "bin"), env["PATH"]])  # the environment, activated
        _pulumi(cli, project, env, "stack", "init", "dev")
        _pulumi(cli, project, env, "up", "--yes")
        _pulumi(cli, project, env, "preview", "--expect-no-changes")
        with emulator.http(settle=True) as http:
            made = http.post(
                "/v1/ControlPlane/Stores", json={"displayName": "handmade", "description": "made by hand"}
            )
            assert made.status_code == 202, made.text
        with emulator.http() as http:
            ids = {
                http.get(f"/v1/ControlPlane/Stores/{s}").json()["displayName"]: s
                for s in http.get("/v1/ControlPlane/Stores").json()["stores"]
            }
        _pulumi(
            cli,
            project,
            env,
            "import",
            "twilio-memory:index:Store",
            "handmade",
            ids["handmade"],
            "--yes",
            "--protect=false",
        )
        (project / "Pulumi.yaml").write_text(YAML_PROGRAM.replace("outputs:\n", IMPORTED + "outputs:\n"))
        _pulumi(cli, project, env, "preview", "--expect-no-changes")
        _pulumi(cli, project, env, "destroy", "--yes")
        with emulator.http() as http:
            assert http.get("/v1/ControlPlane/Stores").json()["stores"] == []

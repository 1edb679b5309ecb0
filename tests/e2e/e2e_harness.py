"""Run the real ``pulumi`` CLI in an isolated, offline environment (the e2e tier's machinery).

Why subprocesses and not the Automation API: the tier exists to prove what a user typing
``pulumi up`` sees, including exit codes and the text printed on failure.

* :func:`find_cli` locates the CLI built or cached by ``scripts/install-pulumi`` (``PULUMI_CLI_DIR``
  when ``scripts/test`` already exported it).
* :func:`copy_project` copies a Pulumi project into a temporary directory so that running it never
  touches the repository (``pulumi stack init`` writes ``encryptionsalt`` into ``Pulumi.<stack>.yaml``,
  ``pulumi config set`` rewrites it).
* :class:`Workspace` is one isolated Pulumi: its own ``PULUMI_HOME``, a ``file://`` backend and a
  passphrase secrets provider, no update check and no plugin downloads. Every command runs with
  ``--non-interactive --color never``; stdout and stderr are captured and kept in
  :attr:`Workspace.transcript`, so a test can grep everything the CLI ever printed for secrets.
  ``E2E_TRANSCRIPT=/some/file`` appends every command with its output there (debugging).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "COMMANDS",
    "REPORT",
    "REPO_ROOT",
    "CliError",
    "CliResult",
    "PulumiCLI",
    "Workspace",
    "copy_project",
    "find_cli",
    "install_release",
    "provider_sizes",
    "secret_leaks",
    "twilio_env",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Environment variables of the caller that must not leak into an isolated CLI run.
_SCRUBBED_PREFIXES = ("PULUMI_", "TWILIO_")
DEFAULT_TIMEOUT = 300.0
#: Passphrase of the secrets provider of every test stack (the file backend needs one).
PASSPHRASE = "e2e-passphrase"


#: Every command any workspace ran in this process (the tier's summary reports count and time).
COMMANDS: list[CliResult] = []
#: Lines for the tier's terminal summary (measurements worth reading in a CI log).
REPORT: list[str] = []


class CliError(AssertionError):
    """A CLI command did not exit as expected; the message holds the command and its output."""


@dataclass
class CliResult:
    """One finished CLI command."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        """stdout and stderr together (assertions about what the user saw use this)."""
        return f"{self.stdout}\n{self.stderr}"

    def describe(self) -> str:
        return (
            f"$ pulumi {' '.join(self.args)}\n[exit {self.returncode} after {self.seconds:.1f}s]\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


@dataclass(frozen=True)
class PulumiCLI:
    """The ``pulumi`` binary and its companions (language host, dynamic-provider shim)."""

    bin_dir: Path
    version: str

    @property
    def binary(self) -> Path:
        return self.bin_dir / "pulumi"

    def workspace(
        self,
        root: Path,
        project_dir: Path,
        env: Mapping[str, str] | None = None,
        passphrase: str = PASSPHRASE,
    ) -> Workspace:
        """An isolated Pulumi under ``root`` that runs commands in ``project_dir``."""
        return Workspace(self, root, project_dir, dict(env or {}), passphrase)


def pinned_version() -> str:
    """The version of the ``pulumi`` Python package, which the CLI must match."""
    return metadata.version("pulumi")


def _cli_version(binary: Path) -> str:
    done = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip().removeprefix("v")


def find_cli() -> PulumiCLI:
    """``$PULUMI_CLI_DIR`` (exported by scripts/test), else whatever ``scripts/install-pulumi`` prints
    (a cache hit is instant; on a machine without a cache it builds the CLI, a few minutes)."""
    wanted = pinned_version()
    exported = os.environ.get("PULUMI_CLI_DIR")
    if exported:
        bin_dir = Path(exported)
    else:
        done = subprocess.run(
            [str(REPO_ROOT / "scripts" / "install-pulumi")],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise RuntimeError(
                f"scripts/install-pulumi failed (exit {done.returncode}); its output:\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )
        bin_dir = Path(lines[-1])
    binary = bin_dir / "pulumi"
    if not binary.is_file():
        raise RuntimeError(f"no pulumi binary in {bin_dir} (PULUMI_CLI_DIR or scripts/install-pulumi)")
    version = _cli_version(binary)
    if version != wanted:
        raise RuntimeError(
            f"{binary} is v{version}, but the pulumi package is {wanted}: rerun scripts/install-pulumi"
        )
    return PulumiCLI(bin_dir, version)


def install_release(source: Path, venv: Path, *pins: str, commit: str | None = None) -> Path:
    """Install the package as a user does (not editable, its dependencies only, plus ``pins``)
    into the new virtualenv ``venv``, from ``source``: this checkout, or, with ``commit``, that
    commit's tree, written to ``source`` first by ``git archive`` (an earlier release). Returns
    ``venv``. Shared by the packaging tier's upgrade test and the bench's host comparison."""
    if commit is not None:
        archive = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
        source.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(source), *pins], check=True, timeout=900)
    return venv


def copy_project(
    source: Path,
    dest: Path,
    names: Sequence[str] | None = None,
    venv: Path | None = None,
) -> Path:
    """Copy a Pulumi project (``names``: only these entries of ``source``) to ``dest``.

    * ``encryptionsalt`` lines are dropped from ``Pulumi.<stack>.yaml``: they belong to whoever ran
      ``pulumi stack init`` with another passphrase.
    * The runtime's ``virtualenv`` must resolve to the test's virtualenv (``venv``, default the
      running interpreter's). A relative path inside the project gets a symlink there, so the
      project's ``Pulumi.yaml`` is used byte for byte (symlinks in the copy are kept); a path
      outside it (``../../.venv`` in ``examples/``) is rewritten to the absolute path.
    """
    venv = (venv or Path(sys.prefix)).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    entries = [source / name for name in names] if names is not None else sorted(source.iterdir())
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for entry in entries:
        if entry.name in (".venv", "__pycache__") and names is None:
            continue
        target = dest / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)
    for stack_file in dest.glob("Pulumi.*.yaml"):
        text = stack_file.read_text()
        stack_file.write_text(re.sub(r"(?m)^encryptionsalt:.*\n?", "", text))
    _point_virtualenv(dest / "Pulumi.yaml", venv)
    return dest


def _point_virtualenv(project_file: Path, venv: Path) -> None:
    text = project_file.read_text()
    match = re.search(r"(?m)^(\s*virtualenv:\s*)(\S+)\s*$", text)
    if match is None:
        return
    declared = match.group(2).strip("'\"")
    inside = not Path(declared).is_absolute() and ".." not in Path(declared).parts
    if inside:
        link = project_file.parent / declared
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(venv, target_is_directory=True)
        return
    project_file.write_text(text[: match.start(2)] + str(venv) + text[match.end(2) :])


@dataclass
class Workspace:
    """One isolated Pulumi (home, file backend, passphrase) running commands in a project dir."""

    cli: PulumiCLI
    root: Path
    project_dir: Path
    extra_env: dict[str, str]
    passphrase: str
    transcript: list[CliResult] = field(default_factory=list)
    stack: str = ""

    def __post_init__(self) -> None:
        self.home = self.root / "pulumi-home"
        self.backend_dir = self.root / "backend"
        self.home.mkdir(parents=True, exist_ok=True)
        self.backend_dir.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
        base.update(
            PATH=os.pathsep.join(
                [str(self.cli.bin_dir), str(Path(sys.prefix) / "bin"), base.get("PATH", "")]
            ),
            PULUMI_HOME=str(self.home),
            PULUMI_BACKEND_URL=f"file://{self.backend_dir}",
            PULUMI_CONFIG_PASSPHRASE=self.passphrase,
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            PYTHONUNBUFFERED="1",
        )
        base.update(self.extra_env)
        return base

    def run(
        self,
        *args: str,
        expect: int | None = 0,
        timeout: float = DEFAULT_TIMEOUT,
        stdin: str | None = None,
    ) -> CliResult:
        """Run ``pulumi <args>``; ``expect`` = the exit code required (0), or None for any."""
        argv = [*args, "--non-interactive", "--color", "never"]
        start = time.monotonic()
        try:
            done = self.run_program(str(self.cli.binary), *argv, timeout=timeout, stdin=stdin)
        except subprocess.TimeoutExpired as exc:
            raise CliError(
                f"$ pulumi {' '.join(argv)} did not finish in {timeout:g}s:\n{exc.output!r}"
            ) from exc
        result = CliResult(argv, done.returncode, done.stdout, done.stderr, time.monotonic() - start)
        self.transcript.append(result)
        COMMANDS.append(result)
        if os.environ.get("E2E_TRANSCRIPT"):  # debugging aid: every command and its output, in order
            with open(os.environ["E2E_TRANSCRIPT"], "a") as log:
                log.write(f"{result.describe()}\n\n")
        if expect is not None and result.returncode != expect:
            raise CliError(f"expected exit {expect}\n{result.describe()}")
        if expect == 0 and result.returncode != 0:
            raise CliError(result.describe())
        return result

    def run_program(
        self, *argv: str, timeout: float = 300, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a program (the CLI, a script of the project, ``python -m ...``) as a user would, in
        the project directory with this workspace's environment; any exit code is returned."""
        return subprocess.run(
            list(argv),
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=stdin,
            check=False,
        )

    def fails(self, *args: str, timeout: float = DEFAULT_TIMEOUT) -> CliResult:
        """Run a command that must exit non-zero."""
        result = self.run(*args, expect=None, timeout=timeout)
        if result.returncode == 0:
            raise CliError(f"expected a non-zero exit\n{result.describe()}")
        return result

    # -- common commands ------------------------------------------------------------------------

    def init_stack(self, stack: str) -> None:
        self.run("login", f"file://{self.backend_dir}")
        self.run("stack", "init", stack)
        self.stack = stack

    def config_set(self, key: str, value: str, *, secret: bool = False, path: bool = False) -> None:
        flags = [*(["--secret"] if secret else []), *(["--path"] if path else [])]
        # The value goes on stdin so it never appears in a command line (or in CliResult.args).
        self.run("config", "set", key, *flags, stdin=value)

    def up(self, *flags: str, expect: int | None = 0) -> CliResult:
        return self.run("up", "--yes", "--skip-preview", *flags, expect=expect)

    def preview(self, *flags: str, expect: int | None = 0) -> CliResult:
        return self.run("preview", *flags, expect=expect)

    def refresh(self, *flags: str, expect: int | None = 0) -> CliResult:
        return self.run("refresh", "--yes", "--skip-preview", *flags, expect=expect)

    def destroy(self, *flags: str, expect: int | None = 0) -> CliResult:
        return self.run("destroy", "--yes", "--skip-preview", *flags, expect=expect)

    def outputs(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "output", "--json").stdout)  # type: ignore[no-any-return]

    def export(self, *flags: str) -> dict[str, Any]:
        return json.loads(self.run("stack", "export", *flags).stdout)  # type: ignore[no-any-return]

    def resources(self) -> list[dict[str, Any]]:
        """The resources in the stack's state (``pulumi stack export``)."""
        return list(self.export()["deployment"].get("resources") or [])

    def last_update_changes(self) -> dict[str, int]:
        """``resourceChanges`` of the newest entry in ``pulumi stack history`` (e.g. ``{"same": 12}``)."""
        history = json.loads(self.run("stack", "history", "--json").stdout)
        return dict(history[0].get("resourceChanges") or {})

    def state_files(self) -> list[Path]:
        """Every file of the file backend (stack checkpoints, their backups and history)."""
        return sorted(p for p in self.backend_dir.rglob("*") if p.is_file())

    def captured_text(self) -> Iterable[str]:
        """Everything this workspace's CLI printed, plus the CLI's own log files."""
        for result in self.transcript:
            yield result.output
        for log in sorted((self.home / "logs").glob("*")) if (self.home / "logs").is_dir() else []:
            if log.is_file():
                yield log.read_text(errors="replace")


def twilio_env(base_url: str, **credentials: str) -> dict[str, str]:
    """``TWILIO_*`` variables pointing the provider at an emulator, e.g.
    ``twilio_env(url, api_key="SK...", api_secret="...")`` or ``account_sid=`` + ``auth_token=``."""
    env = {"TWILIO_MEMORY_BASE_URL": base_url, "TWILIO_CONVERSATIONS_BASE_URL": base_url}
    env.update({f"TWILIO_{name.upper()}": value for name, value in credentials.items()})
    return env


def secret_leaks(workspace: Workspace, secrets: Mapping[str, str]) -> list[str]:
    """Where any of ``secrets`` (label -> value) appears: the raw state files of the backend (with
    backups and history), ``pulumi stack export``, the project's stack config files, and everything
    the CLI printed or logged. Empty when nothing leaked.

    (``stack export --show-secrets`` is not a place: it decrypts on purpose. Stack config set with
    ``--secret`` is kept encrypted in the state, as an input of the dynamic-provider resource.)
    """
    places: dict[str, str] = {}
    for path in workspace.state_files():
        places[f"state file {path.relative_to(workspace.backend_dir)}"] = path.read_text(errors="replace")
    places["pulumi stack export"] = workspace.run("stack", "export").stdout
    for path in sorted(workspace.project_dir.glob("Pulumi*.yaml")):
        places[f"project file {path.name}"] = path.read_text()
    places["CLI output and logs"] = "\n".join(workspace.captured_text())
    return [
        f"the {label} appears in {where}"
        for label, value in secrets.items()
        for where, text in places.items()
        if value in text
    ]


def provider_sizes(resources: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Bytes of the pickled dynamic provider (``__provider``) by resource URN name."""
    sizes: dict[str, int] = {}
    for resource in resources:
        pickled = (resource.get("outputs") or {}).get("__provider")
        if pickled is not None:
            sizes[f"{resource['type'].rsplit(':', 1)[-1]} {resource['urn'].rsplit('::', 1)[-1]}"] = len(
                str(pickled).encode()
            )
    return sizes

"""Machinery of the reliability tier: run size, the figures it reports, the fleet under test.

* :data:`PROFILE` is the run size: ``quick`` (CI's default, a few minutes on 2 cores) or ``full``
  (``RELIABILITY_FULL=1``, what ``scripts/reliability`` runs): more tenants, higher fault rates,
  more hypothesis examples, more crash points.
* :data:`FIGURES` collects what the lead quotes: faults injected and survived (the emulator's own
  fault-hit counters), inputs tried, duplicates and orphans found. ``conftest.py`` prints them at
  the end of the session and writes them as JSON and markdown.
* :class:`Fleet` is the repository's tenant-onboarding program (root ``Pulumi.yaml``) copied into a
  temporary directory, with N tenants in its stack configuration, run by the real CLI against an
  emulator. :func:`inventory` and :func:`audit` compare what the stacks track with what the account
  holds, which is how every test proves "no store orphaned or duplicated".

CLI plumbing (isolated ``PULUMI_HOME``, file backend, passphrase, transcripts) is the e2e tier's
``e2e_harness``; it is reused here, not copied.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from e2e_harness import REPO_ROOT, CliResult, PulumiCLI, Workspace, copy_project
from twilio_memory_emulator.testing import EmulatorServer

__all__ = [
    "FIGURES",
    "PROFILE",
    "STORE_TYPE",
    "Audit",
    "Figures",
    "Fleet",
    "Profile",
    "audit",
    "diagnostics",
    "fault_hits",
    "inventory",
    "kill_group",
    "retry_lines",
    "secrets_of",
    "tenant_names",
    "wait_for",
]

STORE_TYPE = "pulumi-python:dynamic/twilio-memory:Store"
TRAIT_GROUP_TYPE = "pulumi-python:dynamic/twilio-memory:TraitGroup"
CONFIGURATION_TYPE = "pulumi-python:dynamic/twilio-memory:ConversationConfiguration"
#: The group Twilio seeds into every store; never created (nor orphaned) by a stack.
SEEDED_GROUP = "Contact"


# -- run size --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """How big a run is. Every number here is a knob of the suite, none is an assertion."""

    name: str
    tenants: int  # tenants in the fleet under transient faults (<= 15 stores per account)
    fault_rate: float  # probability of each probabilistic fault rule
    retry_after: int  # Retry-After seconds on injected 429s
    examples: int  # hypothesis examples per property of the resources' check()
    fuzz_examples: int  # hypothesis examples per emulator fuzz property
    crash_points: int  # moments at which `pulumi up` is SIGKILLed
    race_rounds: int  # concurrent `pulumi up` pairs
    lost_per_route: int  # answers lost in a row on each route of the lost-answer matrix


QUICK = Profile("quick", tenants=4, fault_rate=0.1, retry_after=1, examples=150, fuzz_examples=60,
                crash_points=1, race_rounds=1, lost_per_route=1)  # fmt: skip
FULL = Profile("full", tenants=12, fault_rate=0.25, retry_after=1, examples=2000, fuzz_examples=600,
               crash_points=3, race_rounds=3, lost_per_route=2)  # fmt: skip
PROFILE = FULL if os.environ.get("RELIABILITY_FULL", "").lower() in ("1", "true", "yes") else QUICK


# -- figures ---------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counters summed over the session plus one row per test (what it measured)."""

    totals: Counter[str] = field(default_factory=Counter)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, key: str, amount: int = 1) -> None:
        with self._lock:
            self.totals[key] += amount

    #: Per-test sizes and run counts: shown per test, meaningless as a sum.
    NOT_SUMMED: ClassVar[frozenset[str]] = frozenset({"tenants", "up_runs_needed", "requests"})

    def record(self, test: str, **values: Any) -> None:
        """Note what one test measured; integer counts are also added to the totals."""
        with self._lock:
            self.rows.setdefault(test, {}).update(values)
            for key, value in values.items():
                if isinstance(value, int) and not isinstance(value, bool) and key not in self.NOT_SUMMED:
                    self.totals[key] += value

    def as_dict(self) -> dict[str, Any]:
        return {"profile": PROFILE.__dict__, "totals": dict(sorted(self.totals.items())), "tests": self.rows}

    def markdown(self) -> str:
        lines = [f"# Reliability figures ({PROFILE.name} profile)", "", "| figure | total |", "|---|---|"]
        lines += [f"| {key} | {value} |" for key, value in sorted(self.totals.items())]
        lines += ["", "| test | measured |", "|---|---|"]
        for test, values in sorted(self.rows.items()):
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            lines.append(f"| {test} | {shown} |")
        return "\n".join(lines) + "\n"

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        json_path, md_path = directory / "summary.json", directory / "summary.md"
        json_path.write_text(json.dumps(self.as_dict(), indent=2, sort_keys=True, default=str) + "\n")
        md_path.write_text(self.markdown())
        return json_path, md_path


FIGURES = Figures()


def report_dir() -> Path:
    """Where the summary goes: ``$RELIABILITY_REPORT_DIR``, else a fixed place under the temp dir."""
    configured = os.environ.get("RELIABILITY_REPORT_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / "pulumi-twilio-memory-reliability" / PROFILE.name


# -- emulator figures ------------------------------------------------------------------------------


def fault_hits(emulator: EmulatorServer) -> dict[str, int]:
    """How often each kind of registered fault fired (from the emulator's own rule counters)."""
    hits: Counter[str] = Counter()
    for rule in emulator.control.faults():
        action = rule["action"]
        kind = f"{rule.get('status')}" if action == "error" else action
        if action in ("error", "drop") and rule.get("phase") == "after":
            kind += "-after"
        hits[kind] += int(rule["hits"])
    return dict(hits)


def secrets_of(emulator: EmulatorServer) -> list[str]:
    """The credentials that must never show up anywhere."""
    return [emulator.api_secret, emulator.auth_token]


# -- what the account holds vs what the stacks track -----------------------------------------------


@dataclass
class Inventory:
    """Live resources of one emulator account (ground truth: the control endpoint's snapshot)."""

    stores: dict[str, dict[str, Any]]  # id -> {display_name, status}
    trait_groups: list[str]  # "storeId/name", the seeded Contact group excluded
    configurations: dict[str, dict[str, Any]]  # id -> {display_name, memory_store_id}


def inventory(emulator: EmulatorServer, account: str | None = None) -> Inventory:
    state = emulator.control.state()
    data = state["accounts"].get(account or emulator.account_sid, {})
    stores: dict[str, dict[str, Any]] = {}
    groups: list[str] = []
    for store_id, store in (data.get("stores") or {}).items():
        stores[store_id] = {"display_name": store["display_name"], "outcome": store.get("outcome")}
        groups += [f"{store_id}/{name}" for name in store.get("trait_groups") or {} if name != SEEDED_GROUP]
    configurations = {
        cid: {"display_name": c["data"].get("displayName"), "memory_store_id": c["data"].get("memoryStoreId")}
        for cid, c in (data.get("configurations") or {}).items()
    }
    return Inventory(stores, sorted(groups), configurations)


@dataclass
class Audit:
    """Orphans (live, tracked by no stack), ghosts (tracked, not live) and duplicates."""

    orphans: list[str]
    ghosts: list[str]
    duplicates: list[str]
    tracked_stores: dict[str, str]  # display name -> id
    pending_operations: int

    @property
    def clean(self) -> bool:
        return not (self.orphans or self.ghosts or self.duplicates or self.pending_operations)

    def describe(self) -> str:
        return (
            f"orphans={self.orphans} ghosts={self.ghosts} duplicates={self.duplicates} "
            f"pending_operations={self.pending_operations}"
        )


def audit(emulator: EmulatorServer, workspaces: Iterable[Workspace], account: str | None = None) -> Audit:
    """Compare every resource the stacks track with what the account holds."""
    live = inventory(emulator, account)
    tracked: Counter[str] = Counter()
    tracked_stores: dict[str, str] = {}
    pending = 0
    for ws in workspaces:
        deployment = ws.export()["deployment"]
        pending += len(deployment.get("pending_operations") or [])
        for resource in deployment.get("resources") or []:
            kind, rid = resource.get("type"), resource.get("id")
            if kind in (STORE_TYPE, TRAIT_GROUP_TYPE, CONFIGURATION_TYPE) and rid:
                tracked[rid] += 1
                if kind == STORE_TYPE:
                    tracked_stores[resource["outputs"]["display_name"]] = rid
    live_ids = [*live.stores, *live.trait_groups, *live.configurations]
    names = Counter(s["display_name"] for s in live.stores.values())
    names.update(f"conf:{c['display_name']}" for c in live.configurations.values())
    duplicates = sorted(rid for rid, n in tracked.items() if n > 1) + sorted(
        n for n, c in names.items() if c > 1
    )
    return Audit(
        orphans=sorted(rid for rid in live_ids if rid not in tracked),
        ghosts=sorted(rid for rid in tracked if rid not in live_ids),
        duplicates=duplicates,
        tracked_stores=tracked_stores,
        pending_operations=pending,
    )


def diagnostics(output: str) -> list[str]:
    """The lines of the ``Diagnostics:`` section of a CLI run (each message once; the progress
    lines above it repeat them)."""
    lines: list[str] = []
    inside = False
    for line in output.splitlines():
        if line.startswith("Diagnostics:"):
            inside = True
            continue
        if inside and line and not line.startswith(" "):
            inside = False
        if inside and line.strip():
            lines.append(line.strip())
    return lines


def retry_lines(output: str) -> list[str]:
    """The provider's retry warnings (``... failed (HTTP 429); retrying in 1.00s (attempt 2 of 6)``)."""
    return [line for line in diagnostics(output) if "; retrying in " in line]


# -- the fleet under test --------------------------------------------------------------------------


def tenant_names(count: int, prefix: str = "t") -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(count)]


FLEET_TEMPLATES = {
    "Preferences": {
        "description": "What the customer told us they like",
        "traits": {"tier": {"dataType": "STRING"}, "optIn": {"dataType": "BOOLEAN"}},
    }
}


class Fleet:
    """The root tenant-onboarding program with ``tenants`` in one stack, against ``emulator``.

    ``project`` lets two fleets share one copy of the program; ``backend_root`` lets two working
    copies share one backend (same stack, two checkouts).
    """

    def __init__(
        self,
        cli: PulumiCLI,
        root: Path,
        emulator: EmulatorServer,
        tenants: Iterable[str],
        *,
        stack: str = "rel",
        name_prefix: str = "",
        operation_timeout: float | None = 60,
        backend_root: Path | None = None,
        credentials: tuple[str, str] | None = None,
        secret_in_config: bool = False,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        """``credentials``: (API key ``SK…`` or account ``AC…``, its secret or auth token), by
        default the emulator's API key. They go to ``TWILIO_*`` variables, or with
        ``secret_in_config`` to stack config (the secret with ``--secret``)."""
        self.emulator = emulator
        self.root = root
        self.project = copy_project(REPO_ROOT, root / "project", names=["Pulumi.yaml", "__main__.py"])
        user, secret = credentials or (emulator.api_key, emulator.api_secret)
        keys = ("apiKey", "apiSecret") if user.startswith("SK") else ("accountSid", "authToken")
        variables = (
            ("TWILIO_API_KEY", "TWILIO_API_SECRET")
            if user.startswith("SK")
            else ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
        )
        self.credential_config = (
            {f"twilio-memory:{keys[0]}": user, f"twilio-memory:{keys[1]}": secret} if secret_in_config else {}
        )
        env = {
            **({} if secret_in_config else {variables[0]: user, variables[1]: secret}),
            "TWILIO_MEMORY_BASE_URL": emulator.base_url,
            "TWILIO_CONVERSATIONS_BASE_URL": emulator.base_url,
            **(extra_env or {}),
        }
        self.ws = cli.workspace(backend_root or root / "pulumi", self.project, env)
        self.stack = stack
        self.tenants = list(tenants)
        self.name_prefix = name_prefix
        self.operation_timeout = operation_timeout

    # -- setup ---------------------------------------------------------------------------------

    def init(self, *, select: bool = False) -> Fleet:
        """``stack init`` (or ``stack select`` of an existing stack) and write the configuration."""
        if select:
            self.ws.run("login", f"file://{self.ws.backend_dir}")
            self.ws.run("stack", "select", self.stack)
            self.ws.stack = self.stack
        else:
            self.ws.init_stack(self.stack)
        self.configure()
        return self

    def configure(self, tenants: list[dict[str, Any]] | None = None) -> None:
        """The program's configuration in one ``config set-all`` (secrets apart, on stdin)."""
        entries = tenants if tenants is not None else [{"name": n} for n in self.tenants]
        values = {
            "tenant-onboarding:tenants": json.dumps(entries),
            "tenant-onboarding:namePrefix": self.name_prefix,
            "tenant-onboarding:traitGroupTemplates": json.dumps(FLEET_TEMPLATES),
            "tenant-onboarding:defaults": json.dumps({"templates": ["Preferences"]}),
        }
        if self.operation_timeout is not None:
            values["twilio-memory:operationTimeout"] = str(self.operation_timeout)
        secrets = {k: v for k, v in self.credential_config.items() if k.endswith(("Secret", "Token"))}
        values |= {k: v for k, v in self.credential_config.items() if k not in secrets}
        self.ws.run("config", "set-all", *(f"--plaintext={k}={v}" for k, v in values.items()))
        for key, value in secrets.items():
            self.ws.config_set(key, value, secret=True)

    def display_names(self) -> set[str]:
        return {f"{self.name_prefix}{name}" for name in self.tenants}

    # -- commands ------------------------------------------------------------------------------

    def up(self, *flags: str, expect: int | None = 0) -> CliResult:
        return self.ws.up(*flags, expect=expect)

    def converge(self, attempts: int = 3) -> list[CliResult]:
        """Run ``pulumi up`` until it succeeds (at most ``attempts`` times); return every run."""
        runs: list[CliResult] = []
        for _ in range(attempts):
            runs.append(self.up(expect=None))
            if runs[-1].returncode == 0:
                return runs
        raise AssertionError(f"no convergence in {attempts} runs:\n{runs[-1].describe()}")

    def assert_converged(self, *others: Fleet) -> Audit:
        """No orphan, ghost, duplicate or pending operation; every tenant tracked; no changes left."""
        self.emulator.control.clear_faults()
        result = audit(self.emulator, [self.ws, *(o.ws for o in others)])
        assert result.clean, result.describe()
        wanted = set().union(self.display_names(), *(o.display_names() for o in others))
        assert set(result.tracked_stores) == wanted, (sorted(result.tracked_stores), sorted(wanted))
        self.ws.preview("--expect-no-changes")
        return result

    # -- crashing ------------------------------------------------------------------------------

    def start_up(self) -> subprocess.Popen[str]:
        """Start ``pulumi up`` in its own process group (so it can be killed like a CI runner)."""
        argv = [
            str(self.ws.cli.binary),
            "up",
            "--yes",
            "--skip-preview",
            "--non-interactive",
            "--color",
            "never",
        ]
        return subprocess.Popen(
            argv,
            cwd=self.project,
            env=self.ws.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc), children first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_group(process: subprocess.Popen[str]) -> str:
    """SIGKILL `pulumi` and everything it started, like a CI runner being torn down; return its
    output. The language host and provider plugins run in process groups of their own, so the
    tree is frozen (SIGSTOP) first, then every process in it is killed by id."""
    pids = [process.pid]
    for _ in range(2):  # freeze, then look again for anything started meanwhile
        pids = [process.pid, *_descendants(process.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    output, _ = process.communicate(timeout=60)
    return output or ""


def wait_for(condition: Any, timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``condition()`` until true; fail naming ``what`` (a precondition, never an assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)

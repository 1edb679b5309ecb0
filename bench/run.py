"""One command for every benchmark: ``.venv/bin/python -m bench.run [--quick]`` (or ``bench/run``).

Against one emulator server (``--provisioning-delay``, ``--operation-delay``), for each N:

1. ``pulumi up`` of the tenant-onboarding program onboarding N tenants (fresh stack, emptied
   emulator; ``--repeat`` times, median), next to the physical floor (:mod:`bench.floor`) and the
   plain ``twilio`` SDK script (:mod:`bench.baseline_twilio_sdk`);
2. on the largest stack: no-op ``pulumi preview`` and ``pulumi preview --refresh``, wall time and
   API requests by method (the emulator's ``/_emulator/stats``);
3. state bytes per resource and ``__provider`` bytes (:mod:`bench.state`);
4. peak RSS of the provider host, the program and the engine (:mod:`bench.procmon`);
5. where the time goes (:mod:`bench.trace`), and, unless ``--quick``, the experiment that lifts
   the provider host's 4-thread limit (and the engine's ``--parallel``);
6. the data plane (:mod:`bench.dataplane`, on emulators of its own): Recall latency, write
   throughput and the emulator's memory with 10,000 observations in a store (1,000 ``--quick``);
7. unless ``--quick``, the provider host's memory beside an earlier release's, one tenant each
   (:mod:`bench.host_memory`);
8. the native face: the same N tenants as a Pulumi YAML program served by the native provider
   (``pulumi-resource-twilio-memory``), one process per stack, next to the same floor.

``--part control-plane``, ``--part native``, ``--part data-plane`` or ``--part host-memory`` runs
one of them and merges it into the existing ``<name>.json`` (the other parts' numbers stay as they
were).

Writes ``bench/results/<name>.md``, ``.json`` and ``.svg`` (``<name>`` = ``full`` or ``quick``
unless ``--name``). Never asserts a time: exits non-zero only when a run itself fails.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pulumi_twilio_memory.hosts import engine_parallel, hosts_for
from pulumi_twilio_memory.native.provider import MAX_CALLS
from twilio_memory_emulator.testing import EmulatorServer

from .dataplane import FULL, QUICK, run_dataplane
from .floor import engine_default_parallel, floor_for, host_workers
from .host_memory import measure_releases
from .machine import describe_machine
from .report import write_report
from .state import measure_state
from .workspace import (
    EMULATOR_ACCOUNT_SID,
    EMULATOR_AUTH_TOKEN,
    REPO,
    BenchWorkspace,
    CommandFailed,
    PulumiCLI,
    find_cli,
    fleet_config,
    native_program,
)

__all__ = ["main"]

RESULTS = REPO / "bench" / "results"
#: Stores per account (Twilio's limit): beyond it, tenants go to further accounts, one stack each,
#: run side by side like ``examples/multi-account``.
ACCOUNT_STORES = 15
MAX_ACCOUNTS = 3
ACCOUNTS = [(EMULATOR_ACCOUNT_SID, EMULATOR_AUTH_TOKEN)] + [
    (f"AC{index:032x}", f"bench-token-{index}") for index in range(1, MAX_ACCOUNTS)
]


def _load() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return -1.0


def _by_method(stats: dict[str, Any]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for route, count in stats.get("byRoute", {}).items():
        counts[route.split(" ", 1)[0]] += count
    return dict(sorted(counts.items()))


def _requests(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        "total": stats.get("total", 0),
        "by_method": _by_method(stats),
        "by_route": stats.get("byRoute", {}),
    }


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(
        self, args: argparse.Namespace, emulator: EmulatorServer, root: Path, cli: PulumiCLI
    ) -> None:
        self.args = args
        self.emulator = emulator
        self.root = root
        self.cli = cli
        self.runs = 0

    def workspace(
        self, tenants: int, extra_env: dict[str, str] | None = None, hosts: int | None = 1
    ) -> BenchWorkspace:
        """A fresh stack of ``tenants`` tenants on an emptied emulator (``hosts``: providerHosts)."""
        return self.workspaces(tenants, extra_env, hosts)[0]

    def workspaces(
        self,
        tenants: int,
        extra_env: dict[str, str] | None = None,
        hosts: int | None = 1,
        *,
        native: bool = False,
    ) -> list[BenchWorkspace]:
        """Fresh stacks for ``tenants`` tenants, one per account of at most 15, on an emptied
        emulator; ``hosts`` is each stack's ``providerHosts`` (None: the program's own default).
        ``native``: the Pulumi YAML program of the native face instead of the root program."""
        self.runs += 1
        self.emulator.control.reset()
        accounts = math.ceil(tenants / ACCOUNT_STORES)
        per_account = math.ceil(tenants / accounts)
        created = []
        for index in range(accounts):
            count = min(per_account, tenants - index * per_account)
            first = index * per_account + 1
            root = self.root / f"run-{self.runs:02d}-n{tenants}-a{index}"
            program = native_program(count, first=first) if native else None
            workspace = BenchWorkspace(
                self.cli, root, self.emulator.base_url, extra_env, ACCOUNTS[index], program=program
            )
            workspace.create({} if native else fleet_config(count, hosts, first=first))
            created.append(workspace)
        self.emulator.control.reset_stats()
        return created

    def up(self, workspace: BenchWorkspace | list[BenchWorkspace], *extra: str) -> dict[str, Any]:
        """``pulumi up`` of every stack at once (one per account); wall time of the slowest."""
        stacks = workspace if isinstance(workspace, list) else [workspace]
        load = _load()
        with ThreadPoolExecutor(max_workers=len(stacks)) as pool:
            results = list(pool.map(lambda ws: ws.up(*extra), stacks))
        trace = results[0].trace
        return {
            "seconds": max(result.seconds for result in results),
            "stacks": len(stacks),
            "load_before": load,
            "requests": _requests(self.emulator.control.stats()),
            "peak_mib": {
                role: max(result.peak_mib[role] for result in results) for role in results[0].peak_mib
            },
            "hosts_total_mib": sum(result.total_mib.get("provider_host", 0.0) for result in results),
            "host_processes": sum(result.hosts_seen for result in results),
            "native_total_mib": sum(result.total_mib.get("native_provider", 0.0) for result in results),
            "native_processes": sum(result.native_seen for result in results),
            "serving_processes": sum(len(r.trace.serving_pids) if r.trace else 0 for r in results),
            "trace": trace.as_dict() if trace else None,
        }

    def preview(self, workspace: BenchWorkspace, *extra: str) -> dict[str, Any]:
        """``--repeat`` runs of one no-op preview; the median run, with every run's time."""
        runs = []
        for _attempt in range(self.args.repeat):
            self.emulator.control.reset_stats()
            result = workspace.preview(*extra)
            runs.append(
                {
                    "command": " ".join(["pulumi", "preview", *extra]),
                    "seconds": result.seconds,
                    "requests": _requests(self.emulator.control.stats()),
                    "peak_mib": result.peak_mib,
                }
            )
        return {**_median_run(runs), "all_seconds": [run["seconds"] for run in runs]}

    def experiment(self, experiment: Experiment, tenants: int) -> dict[str, Any]:
        env = {"BENCH_PATCH": ",".join(experiment.patches)} if experiment.patches else {}
        workspace = self.workspace(tenants, extra_env=env, hosts=experiment.hosts)
        if experiment.latency:
            self.emulator.control.add_fault(action="latency", latency=experiment.latency)
        extra = ("--parallel", str(experiment.parallel)) if experiment.parallel else ()
        run = self.up(workspace, *extra)
        workers = experiment.host_workers or host_workers()
        parallel = experiment.parallel or engine_default_parallel()
        floor = floor_for(
            tenants,
            self.args.provisioning_delay,
            self.args.operation_delay,
            workers=workers,
            parallel=parallel,
        )
        run.update(label=experiment.label, tenants=tenants, floor=floor.__dict__, slots=floor.slots)
        run["experiment"] = experiment.__dict__
        return run

    def baseline(self, tenants: int) -> dict[str, Any]:
        self.emulator.control.reset()
        command = [
            sys.executable,
            "-m",
            "bench.baseline_twilio_sdk",
            "--url",
            self.emulator.base_url,
            "--tenants",
            str(tenants),
            "--poll-interval",
            str(self.args.poll_interval),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=3600, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"baseline script failed ({done.returncode}):\n{done.stderr[-3000:]}")
        inner = json.loads(done.stdout.strip().splitlines()[-1])
        return {
            "seconds": seconds,
            "inner_seconds": inner["seconds"],
            "requests": _requests(self.emulator.control.stats()),
        }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def run_data_plane(args: argparse.Namespace, machine: dict[str, Any]) -> dict[str, Any]:
    """The data-plane part, with its own date, command, machine and load (it may be merged into
    an earlier control-plane run's results)."""
    size = QUICK if args.quick else FULL
    if args.observations:
        size = replace(size, observations=args.observations)
    started = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "machine": machine,
        "load_start": _load(),
    }
    return {**started, **run_dataplane(size, _log), "load_end": _load()}


def _cli_binary() -> Path:
    """The pinned CLI (for the machine table's versions); the data plane alone runs without it."""
    try:
        return Path(find_cli().binary)
    except RuntimeError:
        return Path("pulumi")


#: The key each part's results live under (the control plane's are the top level).
_PART_KEYS = {"native": "native", "data-plane": "dataplane", "host-memory": "host_memory"}


def merged(previous: dict[str, Any], fresh: dict[str, Any], part: str) -> dict[str, Any]:
    """``fresh`` (one part's run) merged into ``previous`` (the same results file before it): a
    data-plane or host-memory run replaces only its key; a control-plane run keeps the others'."""
    if part in _PART_KEYS:
        return {**previous, _PART_KEYS[part]: fresh[_PART_KEYS[part]]}
    if part == "control-plane":
        return {**fresh, **{key: previous[key] for key in _PART_KEYS.values() if key in previous}}
    return fresh


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """The parts ``--part`` asks for (every part by default; the host memory not with --quick)."""
    if args.part in _PART_KEYS:
        machine = describe_machine(_cli_binary()).as_dict()
        results = {"name": args.name, "date": None, "machine": machine}
    else:
        results = run_control_plane(args)
    if args.part in ("all", "native"):
        results["native"] = run_native(args)
    if args.part in ("all", "data-plane"):
        results["dataplane"] = run_data_plane(args, results["machine"])
    if args.part == "host-memory" or (args.part == "all" and not args.quick):
        results["host_memory"] = run_host_memory(args)
    return results


def _emulator(args: argparse.Namespace) -> EmulatorServer:
    """The benchmark's emulator: the run's delays, every account of :data:`ACCOUNTS`."""
    return EmulatorServer(
        provisioning_delay=args.provisioning_delay,
        operation_delay=args.operation_delay,
        account=[f"{sid}:{token}" for sid, token in ACCOUNTS],
    )


def run_host_memory(args: argparse.Namespace) -> dict[str, Any]:
    """The provider host beside an earlier release's (``bench/host_memory.py``), N = 1."""
    started = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load_start": _load()}
    with (
        tempfile.TemporaryDirectory(prefix="bench-host-") as tmp,
        EmulatorServer(
            provisioning_delay=args.provisioning_delay, operation_delay=args.operation_delay
        ) as emu,
    ):
        bench = Bench(args, emu, Path(tmp), find_cli())
        measured = measure_releases(bench, Path(tmp), _log)
    return {**started, **measured, "load_end": _load()}


def native_parallel(args: argparse.Namespace, per_account: int) -> int:
    """The native run's ``--parallel``: ``--native-parallel``, else every resource of a stack at
    once (4 per tenant), never below the engine's default."""
    return args.native_parallel or max(engine_default_parallel(), 4 * per_account)


def run_native(args: argparse.Namespace) -> dict[str, Any]:
    """The native face: for each N, the Pulumi YAML program of the same tenants (one stack per
    account of at most 15, started together), ``pulumi up --parallel`` timed from exec to exit,
    against the same floor; ``--repeat`` runs, the median kept. Its own emulator, same delays."""
    cli = find_cli()
    native: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "settings": {
            "provisioning_delay": args.provisioning_delay,
            "operation_delay": args.operation_delay,
            "repeat": args.repeat,
            "provider_calls": MAX_CALLS,
            "native_parallel": args.native_parallel,
            "tenants": args.tenants,
        },
        "load_start": _load(),
        "onboarding": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-native-") as tmp, _emulator(args) as emu:
        bench = Bench(args, emu, Path(tmp), cli)
        for tenants in args.tenants:
            per_account = math.ceil(tenants / math.ceil(tenants / ACCOUNT_STORES))
            parallel = native_parallel(args, per_account)
            runs = []
            workspaces: list[BenchWorkspace] = []
            for attempt in range(args.repeat):
                which = f"run {attempt + 1}/{args.repeat}"
                _log(f"native pulumi up, {tenants} tenants, --parallel {parallel} ({which})")
                workspaces = bench.workspaces(tenants, native=True)
                runs.append(bench.up(workspaces, "--parallel", str(parallel)))
                _log(f"  {runs[-1]['seconds']:.2f} s, {runs[-1]['requests']['total']} API requests")
            floor = floor_for(
                per_account,
                args.provisioning_delay,
                args.operation_delay,
                workers=MAX_CALLS,
                parallel=parallel,
            )
            native["onboarding"].append(
                {
                    "tenants": tenants,
                    "accounts": len(workspaces),
                    "parallel": parallel,
                    "resources": 4 * tenants,
                    "up_seconds": [run["seconds"] for run in runs],
                    "up": _median_run(runs),
                    "floor": floor.__dict__,
                }
            )
    native["load_end"] = _load()
    return native


def run_control_plane(args: argparse.Namespace) -> dict[str, Any]:
    cli = find_cli()
    machine = describe_machine(cli.binary)
    workers, parallel = host_workers(), engine_default_parallel()
    results: dict[str, Any] = {
        "name": args.name,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "machine": machine.as_dict(),
        "settings": {
            "provisioning_delay": args.provisioning_delay,
            "operation_delay": args.operation_delay,
            "poll_interval": args.poll_interval,
            "repeat": args.repeat,
            "host_workers": workers,
            "engine_parallel": parallel,
            "tenants": args.tenants,
        },
        "load_start": _load(),
        "onboarding": [],
        "previews": [],
        "experiments": [],
    }
    largest_one_account = max(n for n in args.tenants if n <= ACCOUNT_STORES)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, _emulator(args) as emu:
        bench = Bench(args, emu, Path(tmp), cli)
        for tenants in args.tenants:
            per_account = math.ceil(tenants / math.ceil(tenants / ACCOUNT_STORES))
            hosts = hosts_for(per_account)
            runs, pooled = [], []
            workspaces: list[BenchWorkspace] = []
            for attempt in range(args.repeat):
                _log(f"pulumi up, {tenants} tenants, no pool (run {attempt + 1}/{args.repeat})")
                workspaces = bench.workspaces(tenants, hosts=1)
                runs.append(bench.up(workspaces))
                _log(f"  {runs[-1]['seconds']:.2f} s, {runs[-1]['requests']['total']} API requests")
                _log(f"pulumi up, {tenants} tenants, {hosts} hosts (run {attempt + 1}/{args.repeat})")
                workspaces = bench.workspaces(tenants, hosts=None)
                pooled.append(bench.up(workspaces, "--parallel", str(engine_parallel(hosts))))
                _log(f"  {pooled[-1]['seconds']:.2f} s, {pooled[-1]['requests']['total']} API requests")
            entry: dict[str, Any] = {
                "tenants": tenants,
                "accounts": len(workspaces),
                "hosts": hosts,
                "parallel": engine_parallel(hosts),
                "resources": 4 * tenants,
                "up_seconds": [run["seconds"] for run in runs],
                "up": _median_run(runs),
                "pooled_seconds": [run["seconds"] for run in pooled],
                "pooled": _median_run(pooled),
                "floor": floor_for(
                    per_account,
                    args.provisioning_delay,
                    args.operation_delay,
                    workers=workers,
                    parallel=parallel,
                ).__dict__,
            }
            if tenants == largest_one_account:
                _log(f"no-op previews and state, {tenants} tenants")
                first = workspaces[0]
                results["previews"] = [bench.preview(first), bench.preview(first, "--refresh")]
                results["state"] = measure_state(workspaces[0].export_state()).as_dict()
            if not args.no_baseline and tenants <= ACCOUNT_STORES:
                _log(f"twilio SDK script, {tenants} tenants")
                entry["baseline"] = bench.baseline(tenants)
                _log(f"  {entry['baseline']['seconds']:.2f} s")
            results["onboarding"].append(entry)
        for experiment in _experiments(args):
            _log(f"experiment: {experiment.label}")
            results["experiments"].append(bench.experiment(experiment, largest_one_account))
            _log(f"  {results['experiments'][-1]['seconds']:.2f} s")
    results["load_end"] = _load()
    return results


@dataclass(frozen=True)
class Experiment:
    """A variant of the largest ``pulumi up``: what a limit or a proposed change is worth."""

    label: str
    patches: tuple[str, ...] = ()  # BENCH_PATCH (bench/hostprobe)
    host_workers: int | None = None  # the host's worker threads under the patches (for the floor)
    parallel: int | None = None  # pulumi up --parallel
    latency: float = 0.0  # emulator latency fault on every API request (s)
    hosts: int | None = 1  # providerHosts (None: the program's automatic pool)


#: Worker threads of the host under the ``widen-host-pool`` patch (bench/hostprobe).
WIDENED = 64


def _experiments(args: argparse.Namespace) -> list[Experiment]:
    if args.quick and not args.experiments:
        return []
    ms = f"{args.latency * 1000:g} ms per API request"
    largest = max(n for n in args.tenants if n <= ACCOUNT_STORES)
    hosts = hosts_for(largest)
    pool_parallel = engine_parallel(hosts)
    return [
        Experiment(
            f"no pool, one host widened to {WIDENED} threads (private patch), --parallel {WIDENED}",
            ("widen-host-pool",),
            WIDENED,
            WIDENED,
        ),
        Experiment(f"no pool, {ms}", latency=args.latency),
        Experiment(
            f"pool of {hosts}, --parallel {pool_parallel}, {ms}",
            host_workers=4 * hosts,
            parallel=pool_parallel,
            latency=args.latency,
            hosts=None,
        ),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CI size: N=1,4, delays 1 s / 0.2 s, no experiments, 1,000 observations",
    )
    parser.add_argument("--tenants", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 1,4,8,15")
    parser.add_argument("--provisioning-delay", type=float, help="emulator store provisioning (s)")
    parser.add_argument("--operation-delay", type=float, help="emulator async write (s)")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="the SDK script's fixed sleep (s)")
    parser.add_argument("--repeat", type=int, help="pulumi up runs per N (median reported)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the twilio SDK script")
    parser.add_argument("--experiments", action="store_true", help="also run the experiments with --quick")
    parser.add_argument(
        "--latency", type=float, default=0.1, help="per-request latency of the latency experiments (s)"
    )
    parser.add_argument(
        "--part",
        choices=("all", "control-plane", "native", "data-plane", "host-memory"),
        default="all",
        help="run one part only and merge it into the existing <name>.json",
    )
    parser.add_argument(
        "--native-parallel",
        type=int,
        help="native face: pulumi up --parallel (default: 4 per tenant of a stack, at least 4 x CPUs)",
    )
    parser.add_argument(
        "--observations", type=int, help="data plane: observations per store (default 10,000; 1,000 quick)"
    )
    parser.add_argument("--name", help="results file name (default: quick or full)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    parser.add_argument("--print", action="store_true", help="also print the Markdown report (CI logs)")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only re-render the report of an earlier run's JSON"
    )
    args = parser.parse_args(argv)
    quick = {"tenants": [1, 4], "provisioning_delay": 1.0, "operation_delay": 0.2, "repeat": 1}
    full = {"tenants": [1, 4, 8, 15, 45], "provisioning_delay": 3.0, "operation_delay": 0.5, "repeat": 3}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.name = args.name or ("quick" if args.quick else "full")
    if max(args.tenants) > ACCOUNT_STORES * MAX_ACCOUNTS or min(args.tenants) < 1:
        parser.error(f"--tenants: 1..{ACCOUNT_STORES * MAX_ACCOUNTS} ({MAX_ACCOUNTS} accounts of 15 stores)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text())
        for path in write_report(results, args.render.parent, args.render.stem):
            print(path)
        return 0
    try:
        results = run_all(args)
    except (CommandFailed, RuntimeError, subprocess.SubprocessError) as exc:
        print(f"bench: a run failed: {exc}", file=sys.stderr)
        return 1
    existing = args.out / f"{args.name}.json"
    if args.part != "all" and existing.is_file():
        results = merged(json.loads(existing.read_text()), results, args.part)
    paths = write_report(results, args.out, args.name)
    if args.print:
        print(paths[0].read_text())
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

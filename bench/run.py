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
   the provider host's 4-thread limit (and the engine's ``--parallel``).

Writes ``bench/results/<name>.md``, ``.json`` and ``.svg`` (``<name>`` = ``full`` or ``quick``
unless ``--name``). Never asserts a time: exits non-zero only when a run itself fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from twilio_memory_emulator.testing import EmulatorServer

from .floor import engine_default_parallel, floor_for, host_workers
from .machine import describe_machine
from .report import write_report
from .state import measure_state
from .workspace import REPO, BenchWorkspace, CommandFailed, PulumiCLI, find_cli, fleet_config

__all__ = ["main"]

RESULTS = REPO / "bench" / "results"


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

    def workspace(self, tenants: int, extra_env: dict[str, str] | None = None) -> BenchWorkspace:
        """A fresh stack of ``tenants`` tenants on an emptied emulator."""
        self.runs += 1
        self.emulator.control.reset()
        root = self.root / f"run-{self.runs:02d}-n{tenants}"
        workspace = BenchWorkspace(self.cli, root, self.emulator.base_url, extra_env)
        workspace.create(fleet_config(tenants))
        self.emulator.control.reset_stats()
        return workspace

    def up(self, workspace: BenchWorkspace, *extra: str) -> dict[str, Any]:
        load = _load()
        result = workspace.up(*extra)
        trace = result.trace
        return {
            "seconds": result.seconds,
            "load_before": load,
            "requests": _requests(self.emulator.control.stats()),
            "peak_mib": result.peak_mib,
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
        workspace = self.workspace(tenants, extra_env=env)
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


def run_all(args: argparse.Namespace) -> dict[str, Any]:
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
    largest = max(args.tenants)
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        EmulatorServer(
            provisioning_delay=args.provisioning_delay, operation_delay=args.operation_delay
        ) as emu,
    ):
        bench = Bench(args, emu, Path(tmp), cli)
        for tenants in args.tenants:
            runs = []
            workspace = None
            for attempt in range(args.repeat):
                _log(f"pulumi up, {tenants} tenants (run {attempt + 1}/{args.repeat})")
                workspace = bench.workspace(tenants)
                runs.append(bench.up(workspace))
                _log(f"  {runs[-1]['seconds']:.2f} s, {runs[-1]['requests']['total']} API requests")
            assert workspace is not None
            entry: dict[str, Any] = {
                "tenants": tenants,
                "resources": 4 * tenants,
                "up_seconds": [run["seconds"] for run in runs],
                "up": _median_run(runs),
                "floor": floor_for(
                    tenants, args.provisioning_delay, args.operation_delay, workers=workers, parallel=parallel
                ).__dict__,
            }
            if tenants == largest:
                _log(f"no-op previews and state, {tenants} tenants")
                results["previews"] = [bench.preview(workspace), bench.preview(workspace, "--refresh")]
                results["state"] = measure_state(workspace.export_state()).as_dict()
            if not args.no_baseline:
                _log(f"twilio SDK script, {tenants} tenants")
                entry["baseline"] = bench.baseline(tenants)
                _log(f"  {entry['baseline']['seconds']:.2f} s")
            results["onboarding"].append(entry)
        for experiment in _experiments(args):
            _log(f"experiment: {experiment.label}")
            results["experiments"].append(bench.experiment(experiment, largest))
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


#: Worker threads of the host under the ``widen-host-pool`` patch (bench/hostprobe).
WIDENED = 64


def _experiments(args: argparse.Namespace) -> list[Experiment]:
    if args.quick and not args.experiments:
        return []
    ms = f"{args.latency * 1000:g} ms per API request"
    widen, post_first = "widen-host-pool", "store-post-first"
    return [
        Experiment(f"host pool widened to {WIDENED}, default --parallel", (widen,), WIDENED),
        Experiment(f"host pool widened to {WIDENED}, --parallel {WIDENED}", (widen,), WIDENED, WIDENED),
        Experiment(f"as shipped, {ms}", latency=args.latency),
        Experiment(f"store create POSTs first, {ms}", (post_first,), latency=args.latency),
        Experiment(
            f"both changes, --parallel {WIDENED}, {ms}", (widen, post_first), WIDENED, WIDENED, args.latency
        ),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="CI size: N=1,4, delays 1 s / 0.2 s, no experiments"
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
    parser.add_argument("--name", help="results file name (default: quick or full)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    parser.add_argument("--print", action="store_true", help="also print the Markdown report (CI logs)")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only re-render the report of an earlier run's JSON"
    )
    args = parser.parse_args(argv)
    quick = {"tenants": [1, 4], "provisioning_delay": 1.0, "operation_delay": 0.2, "repeat": 1}
    full = {"tenants": [1, 4, 8, 15], "provisioning_delay": 3.0, "operation_delay": 0.5, "repeat": 3}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.name = args.name or ("quick" if args.quick else "full")
    if max(args.tenants) > 15 or min(args.tenants) < 1:
        parser.error("--tenants: 1..15 (the account limit of 15 stores)")
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
    paths = write_report(results, args.out, args.name)
    if args.print:
        print(paths[0].read_text())
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

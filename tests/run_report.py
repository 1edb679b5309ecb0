"""The suite's end-of-run report, whole when the tests run on several pytest-xdist workers.

Tiers note what they measured in lists of their own: every ``pulumi`` command the CLI harness ran
(``e2e_harness.COMMANDS``), lines worth reading in a CI log (``e2e_harness.REPORT``) and the
reliability tier's figures (``rel_support.FIGURES``). Under xdist each worker is a process of its
own and only the controller prints, so a worker hands its notes over when its session ends
(``config.workeroutput``) and the controller adds them up; in a single process the same code reads
the lists directly. The root ``conftest.py`` wires these functions to pytest's hooks.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_TESTS = Path(__file__).resolve().parent
#: The key of a worker's notes in ``workeroutput`` (a JSON string: execnet carries plain data only).
WORKER_KEY = "pulumi_twilio_memory_run_report"


@dataclass
class Notes:
    """What the tests measured, added up over every process that ran them."""

    commands: int = 0
    command_seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    figure_totals: Counter[str] = field(default_factory=Counter)
    figure_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    e2e_seconds: dict[str, float] = field(default_factory=dict)

    def add(self, other: dict[str, Any]) -> None:
        self.commands += other["commands"]
        self.command_seconds += other["command_seconds"]
        self.lines += other["lines"]
        self.figure_totals.update(other["figure_totals"])
        self.figure_rows.update(other["figure_rows"])


NOTES = Notes()


def local_notes() -> dict[str, Any]:
    """This process's notes, from whichever tier modules it imported (none when it ran no such tier)."""
    harness, reliability = sys.modules.get("e2e_harness"), sys.modules.get("rel_support")
    commands = list(getattr(harness, "COMMANDS", []))
    figures = getattr(reliability, "FIGURES", None)
    return {
        "commands": len(commands),
        "command_seconds": sum(result.seconds for result in commands),
        "lines": list(getattr(harness, "REPORT", [])),
        "figure_totals": dict(figures.totals) if figures else {},
        "figure_rows": dict(figures.rows) if figures else {},
    }


def hand_over(workeroutput: dict[str, Any]) -> None:
    """On a worker, at the end of its session: give the controller this process's notes."""
    workeroutput[WORKER_KEY] = json.dumps(local_notes(), default=str)


def receive(workeroutput: dict[str, Any]) -> None:
    """On the controller, when a worker has finished: add its notes."""
    if WORKER_KEY in workeroutput:
        NOTES.add(json.loads(workeroutput[WORKER_KEY]))


def note_e2e_duration(nodeid: str, seconds: float) -> None:
    NOTES.e2e_seconds[nodeid] = NOTES.e2e_seconds.get(nodeid, 0.0) + seconds


def write_summary(terminalreporter: Any, distributed: bool) -> None:
    """The e2e tier's and the reliability tier's sections, as one process would have printed them."""
    if not distributed:
        NOTES.add(local_notes())
    _e2e_section(terminalreporter)
    _reliability_section(terminalreporter)


def _e2e_section(terminalreporter: Any) -> None:
    durations = NOTES.e2e_seconds
    if not durations:
        return
    write = terminalreporter.write_line
    terminalreporter.section("e2e tier (real pulumi CLI)")
    write(
        f"{len(durations)} tests in {sum(durations.values()):.1f}s (summed over workers); "
        f"{NOTES.commands} pulumi commands (any tier using the harness) took {NOTES.command_seconds:.1f}s"
    )
    per_file: Counter[str] = Counter()
    for nodeid, seconds in durations.items():
        per_file[nodeid.split("::")[0]] += seconds
    for path, seconds in sorted(per_file.items()):
        write(f"  {path}: {seconds:.1f}s")
    for line in NOTES.lines:
        write(line)


def _reliability_section(terminalreporter: Any) -> None:
    if not NOTES.figure_totals and not NOTES.figure_rows:
        return
    for tier in ("e2e", "reliability"):  # rel_support imports the e2e tier's harness
        if str(_TESTS / tier) not in sys.path:
            sys.path.insert(0, str(_TESTS / tier))
    from rel_support import PROFILE, Figures, report_dir

    figures = Figures()
    figures.totals.update(NOTES.figure_totals)
    figures.rows.update(NOTES.figure_rows)
    json_path, md_path = figures.write(report_dir())
    terminalreporter.section(f"reliability figures ({PROFILE.name} profile)")
    for key, value in sorted(figures.totals.items()):
        terminalreporter.write_line(f"  {key:<40} {value}")
    terminalreporter.write_line(f"  summary: {json_path} and {md_path}")

"""What the numbers were measured on: printed in the header of every results table.

Wall times only mean something next to the machine that produced them (cores, CPU, memory) and
the versions of the moving parts (Python, the Pulumi CLI and SDK, the language host).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

__all__ = ["Machine", "describe_machine"]


@dataclass(frozen=True)
class Machine:
    nproc: int
    cpu_model: str
    memory_gib: float
    os: str
    python: str
    pulumi_cli: str
    pulumi_sdk: str
    twilio_sdk: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return round(int(match.group(1)) / 1024 / 1024, 1) if match else 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _pulumi_cli_version(pulumi: Path) -> str:
    try:
        out = subprocess.run([str(pulumi), "version"], capture_output=True, text=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def describe_machine(pulumi: Path) -> Machine:
    return Machine(
        nproc=os.cpu_count() or 1,
        cpu_model=_cpu_model(),
        memory_gib=_memory_gib(),
        os=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        pulumi_cli=_pulumi_cli_version(pulumi),
        pulumi_sdk=_version("pulumi"),
        twilio_sdk=_version("twilio"),
    )

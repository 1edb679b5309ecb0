"""Peak resident memory of the processes of one ``pulumi`` command, read from ``/proc``.

A background thread walks the process tree under the ``pulumi`` CLI every ``interval`` seconds
and keeps, per role, the largest ``VmHWM`` (the kernel's own high-water mark of resident memory)
seen. Because ``VmHWM`` is a peak, the sampler only has to see each process once before it exits,
not at the moment of its peak. Roles:

* ``provider_host``: ``python -m pulumi.dynamic``, the dynamic-provider host that runs every
  ``create``/``read``/``update``/``delete`` of our resources;
* ``native_provider``: the native provider plugin, ``pulumi-resource-twilio-memory`` (a console
  script: ``python .../bin/pulumi-resource-twilio-memory <engine>``) or
  ``python -m pulumi_twilio_memory.native...``, which serves every resource of a stack;
* ``program``: the Python process running the Pulumi program (``pulumi-language-python-exec``),
  or for a Pulumi YAML program the YAML language host that evaluates it (``pulumi-language-yaml``);
* ``engine``: the ``pulumi`` CLI itself.

Linux only; elsewhere the peaks stay 0 and the report says "n/a".
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

__all__ = ["ROLES", "PeakMemory"]

ROLES = ("engine", "program", "provider_host", "native_provider")


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _descendants(root: int) -> list[int]:
    children = _children_map()
    found, todo = [root], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _role(pid: int, root: int) -> str | None:
    if pid == root:
        return "engine"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if "pulumi.dynamic" in cmdline:
        return "provider_host"
    if "pulumi-resource-twilio-memory" in cmdline or "pulumi_twilio_memory.native" in cmdline:
        return "native_provider"
    if "pulumi-language-python-exec" in cmdline or "pulumi-language-yaml" in cmdline:
        return "program"
    return None


def _hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class PeakMemory:
    """``with PeakMemory(pid) as peaks: ...``; then ``peaks.mib(role)`` (0.0 when never seen),
    ``peaks.total_mib(role)`` and ``peaks.count(role)``."""

    def __init__(self, root_pid: int, interval: float = 0.05) -> None:
        self.root_pid = root_pid
        self.interval = interval
        self.peak_kib: dict[str, int] = dict.fromkeys(ROLES, 0)
        self._per_pid: dict[int, tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)
        self.available = Path("/proc/self/status").exists()

    def _sample(self) -> None:
        for pid in _descendants(self.root_pid):
            role = _role(pid, self.root_pid)
            if role is not None:
                hwm = _hwm_kib(pid)
                self.peak_kib[role] = max(self.peak_kib[role], hwm)
                self._per_pid[pid] = (role, max(hwm, self._per_pid.get(pid, (role, 0))[1]))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def mib(self, role: str) -> float:
        return self.peak_kib[role] / 1024

    def total_mib(self, role: str) -> float:
        """The peaks of every process of ``role`` added up (a host pool: all its hosts)."""
        return sum(kib for r, kib in self._per_pid.values() if r == role) / 1024

    def count(self, role: str) -> int:
        """How many processes of ``role`` were seen."""
        return sum(1 for r, _kib in self._per_pid.values() if r == role)

    def __enter__(self) -> PeakMemory:
        if self.available:
            self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

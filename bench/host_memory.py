"""The provider host's memory beside an earlier release's, measured side by side in one run.

Each release is installed from its own source tree into a fresh virtualenv of its own (the
package and its dependencies only, as a user's project has them, at the same Pulumi SDK; the
earlier one is cached by commit under ``~/.cache/pulumi-twilio-memory``), runs the root program of
its own tree for one
tenant against the same emulator, and the provider host's peak resident memory (``VmHWM``) is
read from ``/proc``. A fresh interpreter's ``import pulumi_twilio_memory`` is measured in each
virtualenv too: its RSS and the top-level packages it loads. A third row runs this checkout in
the development virtualenv (editable, with the ``[dev]`` extras), where the other sections of the
bench run: there ``httpx`` also loads its command-line extras (``click``, ``pygments``), which
``uvicorn`` and ``pytest`` bring in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .workspace import REPO, BenchWorkspace, Release, fleet_config, install_release

__all__ = ["EARLIER_RELEASE", "measure_releases"]

#: The release whose committed bench measured the host at 71 MiB (the host pool's results).
EARLIER_RELEASE = "1f786d7"

_FOOTPRINT = """
import json, resource, sys
import pulumi_twilio_memory
print(json.dumps({
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "modules": len(sys.modules),
    "packages": sorted({name.split(".")[0] for name in sys.modules if not name.startswith("_")}),
}))
"""


def _cache() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return root / "pulumi-twilio-memory"


def _commit(rev: str, *flags: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", *flags, rev], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def earlier_release(commit: str, log: Callable[[str], None]) -> Release:
    """The release at ``commit``, its tree from git, installed once into a cached virtualenv."""
    full = _commit(commit)
    root = _cache() / f"release-{full[:12]}"
    source, venv = root / "src", root / "venv"
    if not (venv / "bin" / "python").exists():
        log(f"installing release {full[:12]} into {venv}")
        shutil.rmtree(root, ignore_errors=True)
        install_release(source, venv, commit=full)
    return Release(f"release {full[:7]}", source, venv)


def this_checkout(work: Path, tree: str, log: Callable[[str], None]) -> Release:
    """This checkout, installed (not editable) into a fresh virtualenv like a user's, with the
    same Pulumi SDK as the earlier release pinned (the package accepts a range; pip would take
    the newest), so the rows differ by this package only."""
    sdk = (REPO / "scripts" / "pulumi-version").read_text().strip()
    venv = work / "venv-this"
    log(f"installing this checkout ({tree}) with pulumi=={sdk} into {venv}")
    return Release(f"this checkout ({tree})", REPO, install_release(REPO, venv, f"pulumi=={sdk}"))


def development(tree: str) -> Release:
    """This checkout in the virtualenv running the bench (``.venv``: editable, with ``[dev]``)."""
    return Release(f"this checkout ({tree}), development virtualenv", REPO, Path(sys.prefix))


def _footprint(venv: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", _FOOTPRINT],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def measure_releases(bench: Any, work: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """One tenant's ``pulumi up`` per release on an emptied emulator, side by side."""
    tree = _commit("HEAD", "--short")
    releases = [earlier_release(EARLIER_RELEASE, log), this_checkout(work, tree, log), development(tree)]
    rows = []
    for index, release in enumerate(releases):
        bench.emulator.control.reset()
        workspace = BenchWorkspace(
            bench.cli, work / f"host-memory-{index}", bench.emulator.base_url, release=release
        )
        workspace.create(fleet_config(1))
        bench.emulator.control.reset_stats()
        result = workspace.up()
        footprint = _footprint(release.venv)
        rows.append(
            {
                "release": release.label,
                "seconds": result.seconds,
                "host_peak_mib": result.peak_mib.get("provider_host", 0.0),
                "program_peak_mib": result.peak_mib.get("program", 0.0),
                "import_rss_mib": footprint["rss_mib"],
                "import_modules": footprint["modules"],
                "import_packages": footprint["packages"],
            }
        )
        log(f"  {release.label}: host {rows[-1]['host_peak_mib']:.1f} MiB")
    return {"tenants": 1, "releases": rows}

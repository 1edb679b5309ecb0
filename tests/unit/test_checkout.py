"""A fresh clone is whole: copying it (``shutil.copytree``, as a harness or a CI cache step does)
works before any virtualenv exists, because no committed symbolic link points at something the
clone does not hold (the root program once carried ``program/.venv -> ../.venv``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _tracked() -> list[tuple[str, str]]:
    """(mode, path) of every file git tracks here."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-s"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [(line.split()[0], line.split("\t", 1)[1]) for line in listed.splitlines()]


def test_no_committed_link_points_outside_what_a_clone_holds() -> None:
    entries = _tracked()
    tracked = {path for _, path in entries}
    dangling = []
    for mode, path in entries:
        if mode != "120000":  # git's mode for a symbolic link
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(REPO / path)))
        if not any(t == target or t.startswith(target + "/") for t in tracked):
            dangling.append(f"{path} -> {os.readlink(REPO / path)}")
    assert dangling == [], f"links to what a fresh clone lacks: {dangling}"


def test_a_copy_of_the_tracked_tree_succeeds(tmp_path: Path) -> None:
    source = tmp_path / "clone"
    for _, path in _tracked():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, source / path, follow_symlinks=False)
    shutil.copytree(source, tmp_path / "copy", symlinks=False)  # follows links: a dangling one fails
    assert (tmp_path / "copy" / "Pulumi.yaml").is_file() and (tmp_path / "copy" / "__main__.py").is_file()

"""The suite's parallel runner keeps a story together.

``scripts/test`` runs pytest-xdist with ``--dist loadgroup``; a module marked ``xdist_group`` (one
stack, each test continuing the last) must run whole, in order, on one worker. pytest 9.2 with
pytest-xdist 3.8 silently stops grouping (every story then fails at random), so this runs a small
story on three workers, the way ``scripts/test`` does, and checks where each test ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

STORY = """
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("story")


@pytest.mark.parametrize("step", range(6))
def test_step(step):
    with Path(os.environ["STORY_LOG"]).open("a") as log:
        log.write(f"{step} {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""


def test_a_story_runs_whole_and_in_order_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_story.py").write_text(textwrap.dedent(STORY))
    log = tmp_path / "story.log"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "3", "--dist", "loadgroup",
         "-c", "/dev/null", "--rootdir", str(tmp_path), str(tmp_path / "test_story.py")],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
        env={**os.environ, "STORY_LOG": str(log)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    steps = [line.split() for line in log.read_text().splitlines()]
    assert [int(step) for step, _ in steps] == list(range(6)), steps
    assert len({worker for _, worker in steps}) == 1, (
        f"the story ran on several workers {steps}: this pytest and pytest-xdist do not group "
        "(--dist loadgroup); keep the pair pyproject.toml's [dev] pins"
    )

"""What the user docs tell people to run works with what the docs had them install.

Checks of prose, kept by the suite: each names the first-hour stumble it guards against.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USER_DOCS = sorted([*(REPO / "docs").glob("*.md"), *(REPO / "examples").rglob("README.md")])


def _code_lines(path: Path) -> list[str]:
    """The lines inside fenced code blocks of a markdown file."""
    lines, inside = [], False
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def test_the_quickstart_emulator_keeps_its_state_beside_pulumis() -> None:
    """The quickstart keeps Pulumi's state on disk; an emulator without ``--state-file`` loses its
    accounts at a restart, and the stack then names stores that no longer exist."""
    started = [
        line
        for line in _code_lines(REPO / "docs" / "quickstart.md")
        if re.match(r"\S*twilio-memory-emulator\b", line)
    ]
    assert started, "the quickstart starts the emulator"
    assert all("--state-file" in line for line in started), started


def test_no_user_doc_runs_a_tool_the_package_does_not_install() -> None:
    """``python -m build`` needs ``build``, which only the contributors' ``[dev]`` extra installs."""
    offending = [str(p.relative_to(REPO)) for p in USER_DOCS if "python -m build" in p.read_text()]
    assert offending == []


RESOURCES = ["Store", "TraitGroup", "IdentityResolutionSettings", "DataMapping", "ConversationConfiguration"]


def test_every_resource_is_where_the_docs_list_resources() -> None:
    """DataMapping, the fifth resource, was missing from the lists the other four are in."""
    description = (REPO / "docs" / "package-description.md").read_text()
    drift = (REPO / "docs" / "drift-and-conflicts.md").read_text()
    adopting = drift[drift.index("## Adopting instead of importing") :]
    for resource in RESOURCES:
        assert f"`{resource}`" in description, f"package description: {resource}"
    for resource in ("Store", "TraitGroup", "DataMapping", "ConversationConfiguration"):  # those with adopt
        assert f"`{resource}`" in adopting, f"adopt list: {resource}"
    etags = drift[drift.index("## ETag conflicts") :].split("\n\n")[1]
    assert "data mapping" in etags and "trait group" in etags
    troubleshooting = (REPO / "docs" / "troubleshooting.md").read_text()
    assert "<storeId>/mem_datamapping_" in troubleshooting


def test_troubleshooting_explains_every_error_a_user_meets() -> None:
    """Each error class the provider raises at a user has an entry saying what to do."""
    headings = "\n".join(
        line
        for line in (REPO / "docs" / "troubleshooting.md").read_text().splitlines()
        if line.startswith("#")
    )
    text = (REPO / "docs" / "troubleshooting.md").read_text()
    for error in (
        "UnreachableError",
        "TransportError",
        "ServerError",
        "NotFoundError",
        "ConfigurationChangedError",
        "OperationFailedError",
    ):
        assert f"`{error}`" in text, error
    assert "is unreachable" in headings and "no response from" in headings
    assert "traitGroup: no trait group" in headings


def test_user_docs_speak_to_users_not_of_our_development() -> None:
    """Test and bench paths, CLI build timings and this machine's limits belong in CONTRIBUTING.md."""
    places = [*USER_DOCS, REPO / "docs" / "package-description.md"]
    for path in places:
        text = path.read_text()
        for said in ("tests/", "bench/", "cannot be downloaded here", "Known deviation", "This text is the"):
            assert said not in text, f"{path.relative_to(REPO)} says {said!r}"
    readme = (REPO / "README.md").read_text()
    assert "cannot be downloaded here" not in readme and "Known deviation" not in readme
    assert "221 s compiling" not in readme

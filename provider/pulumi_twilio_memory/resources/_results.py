"""What the resource core answers to each lifecycle call: the same attributes the Pulumi
dynamic-provider host reads from ``pulumi.dynamic``'s result objects (it reads them by name), so
the dynamic face hands them over as they are and the native face translates them, and the core
never imports ``pulumi.dynamic``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CheckFailure", "CheckResult", "CreateResult", "DiffResult", "ReadResult", "UpdateResult"]


@dataclass
class CheckFailure:
    """One bad input: its property path (``""``: the resource or the provider as a whole) and why."""

    property: str
    reason: str


@dataclass
class CheckResult:
    """The checked inputs (in the spelling recorded in the state) and every failure."""

    inputs: dict[str, Any]
    failures: list[CheckFailure]


@dataclass
class DiffResult:
    """Whether anything changes, which properties force a replacement, and its order."""

    changes: bool | None = None
    #: The inputs that change (the native face's detailed diff; the dynamic host reads none).
    diffs: list[str] | None = None
    replaces: list[str] | None = None
    stables: list[str] | None = None
    delete_before_replace: bool | None = None


@dataclass
class CreateResult:
    """The id of what was made and its outputs."""

    id: str
    outs: dict[str, Any] | None = None


@dataclass
class ReadResult:
    """What is live: ``id`` empty when it is gone; ``inputs`` None when they did not drift."""

    id: str
    outs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] | None = None


@dataclass
class UpdateResult:
    """The outputs after the update."""

    outs: dict[str, Any] | None = None

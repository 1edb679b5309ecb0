"""``--state-file``: crash-safe persistence of the engine's snapshot.

Writes go to a temporary file in the same directory, are flushed and fsynced, then atomically
renamed over the target (and the directory is fsynced), so a crash at any moment leaves either the
old complete file or the new complete file, never a half-written one. The file holds resource
state only: no credentials, no stats, no fault rules.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["StateFile", "StateFileError"]


class StateFileError(Exception):
    """The state file exists but cannot be read as an emulator snapshot."""


class StateFile:
    """Load and atomically save one JSON snapshot."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, Any] | None:
        """The saved snapshot, or None when there is no file yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateFileError(f"cannot read state file {self.path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise StateFileError(f"state file {self.path} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise StateFileError(f"state file {self.path} does not hold an emulator snapshot")
        return data

    def check_writable(self) -> None:
        """Fail at start, not on the first write, when the file cannot be saved where it is."""
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".probe", dir=directory)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StateFileError(
                f"cannot write state file {self.path}: {exc.strerror or exc}; choose a writable "
                "--state-file path (or TWILIO_MEMORY_EMULATOR_STATE_FILE)"
            ) from None

    def save(self, snapshot: dict[str, Any]) -> None:
        """Replace the file with ``snapshot``: temp file + fsync + os.replace + directory fsync."""
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(snapshot, separators=(",", ":"), sort_keys=True).encode("utf-8")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        with contextlib.suppress(OSError):  # not every platform can fsync a directory
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

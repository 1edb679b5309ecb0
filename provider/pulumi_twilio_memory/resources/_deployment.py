"""What the current deployment has done, so one step cannot undo another.

Two ordinary operations make one deployment touch the same live resource twice:

* **Rename without an alias, then ``adopt=True`` or ``import_``**: the new URN takes the live
  resource over, then (deletes run last) the old URN's delete would remove the very same resource.
* **Create-before-delete replacement of something with a fixed id** (a store's identity-resolution
  settings; a resource the user forced ``delete_before_replace=False`` on): the replacement's create
  lands on the same id, then the old one's delete resets or removes it.

A trait moved from one group to another in one program change is the third case: both groups
update in parallel, and the group gaining the trait must wait for the other to drop it, which it
can only know from the other group's diff in this same deployment.

So every resource id a create or an update returned is *claimed*, and a delete of a claimed id
leaves the live resource alone (only the old state entry goes). Deleted ids and the Idempotency-Keys
of deleted resources are remembered too: a replacement must neither adopt by ``import_`` what was
just deleted nor replay its predecessor's create.

**Where it is kept.** One deployment can run several provider host processes: the default one and
one per explicit ``pulumi-python`` provider (a :class:`~pulumi_twilio_memory.HostPool`), and a
resource moved between hosts (a renamed tenant lands on another host) is created in one and its
old name deleted in another. So inside a provider host the memory is a directory shared by every
host of the same engine process (the ``pulumi`` CLI that started them, found through ``/proc``,
keyed by its pid and start time so a reused pid never inherits it), under the system temp dir;
directories of engines that have exited are swept away by the next deployment. Outside a host
(tests driving providers directly) and where ``/proc`` is missing, it is this process's memory.
Across deployments the state is the only record, and the docs say so.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "claim",
    "forget_all",
    "is_claimed",
    "is_retired_key",
    "ledger_directory",
    "plan_trait_removals",
    "planned_trait_removal",
    "retire",
    "retire_key",
    "was_deleted",
]

_CLAIMED, _DELETED, _KEYS, _TRAITS = "claimed", "deleted", "keys", "traits"
_ENGINE_NAME = "pulumi"
_ANCESTORS_SEARCHED = 6


class _Ledger:
    """Named sets of strings (and one mapping), in memory or in a shared directory."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._memory: dict[str, dict[str, str]] = {}

    def _path(self, table: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / table / hashlib.sha256(key.encode()).hexdigest()

    def put(self, table: str, key: str, value: str = "") -> None:
        if self.directory is None:
            with self._lock:
                self._memory.setdefault(table, {})[key] = value
            return
        path = self._path(table, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(value, encoding="utf-8")
        partial.replace(path)  # atomic: a reader sees the whole value or none

    def get(self, table: str, key: str) -> str | None:
        if self.directory is None:
            with self._lock:
                return self._memory.get(table, {}).get(key)
        try:
            return self._path(table, key).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def drop(self, table: str, key: str) -> None:
        if self.directory is None:
            with self._lock:
                self._memory.get(table, {}).pop(key, None)
            return
        with contextlib.suppress(FileNotFoundError):
            self._path(table, key).unlink()

    def clear(self) -> None:
        with self._lock:
            self._memory.clear()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def _proc_stat(pid: int) -> tuple[str, int, str] | None:
    """(command name, parent pid, start time) of ``pid`` from ``/proc``, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    name = raw[raw.find("(") + 1 : raw.rfind(")")]
    fields = raw[raw.rfind(")") + 2 :].split()
    return name, int(fields[1]), fields[19]  # state ppid ... starttime (field 22 of stat)


def _engine_key() -> str | None:
    """``<pid>-<start time>`` of the ``pulumi`` process above this provider host, or None."""
    if not sys.argv or not sys.argv[0].endswith(os.path.join("pulumi", "dynamic", "__main__.py")):
        return None  # not a dynamic-provider host
    pid = os.getppid()
    for _ in range(_ANCESTORS_SEARCHED):
        stat = _proc_stat(pid)
        if stat is None:
            return None
        name, parent, started = stat
        if name == _ENGINE_NAME:
            return f"{pid}-{started}"
        pid = parent
    return None


def _root() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"pulumi-twilio-memory-{uid}" / "deployments"


def _sweep(root: Path, keep: str) -> None:
    """Remove the directories of engines that are no longer running."""
    for entry in root.glob("*-*"):
        if entry.name == keep:
            continue
        pid, _, started = entry.name.partition("-")
        stat = _proc_stat(int(pid)) if pid.isdigit() else None
        if stat is None or stat[2] != started:
            shutil.rmtree(entry, ignore_errors=True)


def _open_ledger() -> _Ledger:
    key = _engine_key()
    if key is None:
        return _Ledger(None)
    root = _root()
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        _sweep(root, key)
        directory = root / key
        directory.mkdir(exist_ok=True, mode=0o700)
    except OSError:
        return _Ledger(None)  # an unwritable temp dir: fall back to this host's own memory
    return _Ledger(directory)


_ledger = _open_ledger()


def ledger_directory() -> Path | None:
    """The directory shared by this deployment's provider hosts, or None (this process only)."""
    return _ledger.directory


def _resource_key(kind: str, id_: str) -> str:
    return f"{kind}\0{id_}"


def claim(kind: str, id_: str) -> None:
    """A create or update of this deployment now manages ``id_`` (of ``kind``, e.g. ``"store"``)."""
    _ledger.put(_CLAIMED, _resource_key(kind, id_))
    _ledger.drop(_DELETED, _resource_key(kind, id_))


def is_claimed(kind: str, id_: str) -> bool:
    """True when a create or update of this deployment manages ``id_``: deleting it would delete
    what another resource of the program holds."""
    return _ledger.get(_CLAIMED, _resource_key(kind, id_)) is not None


def retire(kind: str, id_: str) -> None:
    """``id_`` was deleted by this deployment (a delete-before-replace, say)."""
    _ledger.put(_DELETED, _resource_key(kind, id_))


def was_deleted(kind: str, id_: str) -> bool:
    return _ledger.get(_DELETED, _resource_key(kind, id_)) is not None


def retire_key(key: str) -> None:
    """The Idempotency-Key that created a resource this deployment deleted: never send it again."""
    _ledger.put(_KEYS, key)


def is_retired_key(key: str) -> bool:
    return _ledger.get(_KEYS, key) is not None


def plan_trait_removals(store_id: str, group: str, traits: Iterable[str]) -> None:
    """This deployment's diff of ``group`` removes ``traits`` from it: a group of the same store
    that adds one of them waits for that removal instead of refusing the move."""
    for trait in traits:
        _ledger.put(_TRAITS, _resource_key(store_id, trait), group)


def planned_trait_removal(store_id: str, trait: str) -> str | None:
    """The group of ``store_id`` this deployment removes ``trait`` from, if any."""
    return _ledger.get(_TRAITS, _resource_key(store_id, trait))


def forget_all() -> None:
    """Start afresh (tests that drive several 'deployments' in one process)."""
    _ledger.clear()

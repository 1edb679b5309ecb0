"""What this provider host has done during the current deployment, so one step cannot undo another.

Pulumi runs one dynamic-provider host process per provider for a whole ``pulumi up`` / ``destroy``,
and every create, update and delete of the resources on that provider happens in it. Two ordinary
operations make one deployment touch the same live resource twice:

* **Rename without an alias, then ``adopt=True`` or ``import_``**: the new URN takes the live
  resource over, then (deletes run last) the old URN's delete would remove the very same resource.
* **Create-before-delete replacement of something with a fixed id** (a store's identity-resolution
  settings; a resource the user forced ``delete_before_replace=False`` on): the replacement's create
  lands on the same id, then the old one's delete resets or removes it.

A trait moved from one group to another in one program change is the third case: both groups
update in parallel, and the group gaining the trait must wait for the other to drop it, which it
can only know from the other group's diff in this same process.

So every resource id a create or an update returned is *claimed* here, and a delete of a claimed id
leaves the live resource alone (only the old state entry goes). Deleted ids and the Idempotency-Keys
of deleted resources are remembered too: a replacement must neither adopt by ``import_`` what was
just deleted nor replay its predecessor's create. The memory is per process, hence per deployment
(and per explicit provider): across deployments the state is the only record, and the docs say so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

__all__ = [
    "claim",
    "forget_all",
    "is_claimed",
    "is_retired_key",
    "plan_trait_removals",
    "planned_trait_removal",
    "retire",
    "retire_key",
    "was_deleted",
]

_lock = threading.Lock()
_claimed: set[tuple[str, str]] = set()
_deleted: set[tuple[str, str]] = set()
_retired_keys: set[str] = set()
_trait_removals: dict[tuple[str, str], str] = {}


def claim(kind: str, id_: str) -> None:
    """A create or update of this deployment now manages ``id_`` (of ``kind``, e.g. ``"store"``)."""
    with _lock:
        _claimed.add((kind, id_))
        _deleted.discard((kind, id_))


def is_claimed(kind: str, id_: str) -> bool:
    """True when a create or update of this deployment manages ``id_``: deleting it would delete
    what another resource of the program holds."""
    with _lock:
        return (kind, id_) in _claimed


def retire(kind: str, id_: str) -> None:
    """``id_`` was deleted by this deployment (a delete-before-replace, say)."""
    with _lock:
        _deleted.add((kind, id_))


def was_deleted(kind: str, id_: str) -> bool:
    with _lock:
        return (kind, id_) in _deleted


def retire_key(key: str) -> None:
    """The Idempotency-Key that created a resource this deployment deleted: never send it again."""
    with _lock:
        _retired_keys.add(key)


def is_retired_key(key: str) -> bool:
    with _lock:
        return key in _retired_keys


def plan_trait_removals(store_id: str, group: str, traits: Iterable[str]) -> None:
    """This deployment's diff of ``group`` removes ``traits`` from it: a group of the same store
    that adds one of them waits for that removal instead of refusing the move."""
    with _lock:
        for trait in traits:
            _trait_removals[(store_id, trait)] = group


def planned_trait_removal(store_id: str, trait: str) -> str | None:
    """The group of ``store_id`` this deployment removes ``trait`` from, if any."""
    with _lock:
        return _trait_removals.get((store_id, trait))


def forget_all() -> None:
    """Start afresh (tests that drive several 'deployments' in one process)."""
    with _lock:
        _claimed.clear()
        _deleted.clear()
        _retired_keys.clear()
        _trait_removals.clear()

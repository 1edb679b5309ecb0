"""Ids of resources that live inside a store (trait groups, data mappings): ``<storeId>/<part>``.

The engine hands a provider only the id for read, update, delete and import, so the store must be
in it; one format, built and taken apart here. Neither part contains '/': store ids never do, and
neither do trait group names or data mapping ids.
"""

from __future__ import annotations

from twilio_memory_api.errors import TwilioMemoryError

__all__ = ["child_id", "split_child_id"]


def child_id(store_id: str, part: str) -> str:
    """The id of the resource ``part`` (a name or an API id) in the store ``store_id``."""
    return f"{store_id}/{part}"


def split_child_id(id_: str, *, kind: str, part: str, example: str) -> tuple[str, str]:
    """``<storeId>/<part>`` -> (store id, part); else an error naming the ``kind`` of id expected,
    the shape (``part`` as the id spells it, e.g. ``displayName``) and an ``example`` part."""
    store_id, sep, tail = id_.partition("/")
    if not sep or not store_id or not tail or "/" in tail:
        raise TwilioMemoryError(
            f"{id_!r} is not a {kind} id: expected '<storeId>/<{part}>', e.g. 'mem_store_01h…/{example}'."
        )
    return store_id, tail

"""The Memory data plane's memories of a profile: observations (with their revisions), conversation
summaries, and Recall over both, on top of the profiles (:mod:`.profiles`). Its Recall index
(:class:`~.ranking.Ranker`) is kept beside the state, so it registers on the store and profile
deletions and on the engine's reset to forget what they remove.

* **Recall** with a ``query`` ranks by relevance (:mod:`.ranking`, BM25) and every item carries
  its ``score``; ``relevanceThreshold`` keeps the items scoring at least that. Without a query
  the items come newest first (by ``occurredAt``) with no score, which is also what the spec
  allows the service to fall back to when a query would be inferred from a conversation's
  communications: the emulator holds no communications, so ``communications`` is always empty.
* ``beginDate`` (inclusive) and ``endDate`` (exclusive) bound ``occurredAt``; the list filters
  ``createdAfter`` (inclusive) and ``createdBefore`` (exclusive) bound ``createdAt``.
* A PATCH of an observation keeps its previous state as a revision: ``/Revisions`` lists the
  current state first, then the earlier ones, newest first.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from twilio_memory_emulator.engine.engine import Engine
from twilio_memory_emulator.errors import resource_not_found
from twilio_memory_emulator.memory_control.service import MemoryControl
from twilio_memory_emulator.memory_data.memory_kinds import (
    OBSERVATIONS,
    SUMMARIES,
    MemoryFilter,
    MemoryKind,
    instant,
    observation_view,
)
from twilio_memory_emulator.memory_data.profiles import MOVED_WRITE, Profiles, Reply, profile_path
from twilio_memory_emulator.memory_data.ranking import Ranker
from twilio_memory_emulator.protocol import PageRequest, new_typeid, page_of
from twilio_memory_emulator.state_schema import ObservationRec, ProfileRec, StoreRec, SummaryRec

__all__ = ["Memories"]

M = TypeVar("M", ObservationRec, SummaryRec)
_RECALL_DEFAULTS = {"observationsLimit": 20, "summariesLimit": 5, "relevanceThreshold": 0.0}
#: The spec's item caps of one page (the arrays' maxItems), below the 1000 pageSize allows.
_PAGE_CAP = 50


def _capped(page: PageRequest) -> PageRequest:
    return PageRequest(min(page.page_size, _PAGE_CAP), page.offset, page.descending)


class Memories:
    """Observations, conversation summaries and Recall (data plane)."""

    def __init__(self, engine: Engine, memory_control: MemoryControl, profiles: Profiles) -> None:
        self.engine = engine
        self.profiles = profiles
        self._ranker = Ranker()  # indexes keyed (store id, profile id, kind): ids are never reused
        engine.reset_listeners.append(self._ranker.forget)
        memory_control.store_deleted.append(self._ranker.forget)
        profiles.profile_deleted.append(self._ranker.forget)

    def _indexed_at(self, now: float) -> float:
        return now + self.engine.jittered(self.engine.settings.index_delay)

    @staticmethod
    def _item(kind: MemoryKind, store: StoreRec, profile: ProfileRec, item_id: str) -> Any:
        item = kind.items(profile).get(item_id)
        if item is None:
            raise resource_not_found(profile_path(store.id, profile.id, f"/{kind.collection}/{item_id}"))
        return item

    # -------------------------------------------------------------------------------------------
    # Observations and conversation summaries
    # -------------------------------------------------------------------------------------------

    def create_memories(
        self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any], *, kind: MemoryKind
    ) -> Reply:
        with self.engine.transaction() as now:
            _, profile = self.profiles.writing(account, store_id, profile_id, f"/{kind.collection}")
            created = [
                kind.build(item, new_typeid(kind.prefix, now), now, f"{kind.key}[{i}]")
                for i, item in enumerate(body[kind.key])
            ]
            for item in created:
                item.indexed_at = self._indexed_at(now)
            kind.items(profile).update((item.id, item) for item in created)
            profile.memory_version += 1
            return {"message": f"{len(created)} {kind.key} accepted"}, {}

    def list_memories(
        self,
        account: str,
        store_id: str,
        profile_id: str,
        page: PageRequest,
        keep: MemoryFilter,
        *,
        kind: MemoryKind,
    ) -> Reply:
        with self.engine.transaction():
            _, profile, headers = self.profiles.reading(account, store_id, profile_id, f"/{kind.collection}")
            ordered = sorted(kind.items(profile).values(), key=lambda i: i.created_at)
            kept = [
                kind.view(i) for i in ordered if keep.keeps(i.created_at, i.source, kind.conversations(i))
            ]
            found = page_of(kept, _capped(page), kind.key)
            return {kind.key: found.items, "meta": found.meta}, headers

    def get_memory(
        self, account: str, store_id: str, profile_id: str, item_id: str, *, kind: MemoryKind
    ) -> Reply:
        with self.engine.transaction():
            store, profile, headers = self.profiles.reading(account, store_id, profile_id, moved=None)
            return kind.view(self._item(kind, store, profile, item_id)), headers

    def patch_memory(
        self,
        account: str,
        store_id: str,
        profile_id: str,
        item_id: str,
        body: Mapping[str, Any],
        *,
        kind: MemoryKind,
    ) -> Reply:
        with self.engine.transaction() as now:
            store, profile = self.profiles.writing(
                account, store_id, profile_id, f"/{kind.collection}/{item_id}"
            )
            item = self._item(kind, store, profile, item_id)
            kind.patch(item, body, now)
            item.indexed_at = self._indexed_at(now)  # Recall finds it again once re-indexed
            profile.memory_version += 1
            return {"message": "Update accepted"}, {}

    def delete_memory(
        self, account: str, store_id: str, profile_id: str, item_id: str, *, kind: MemoryKind
    ) -> Reply:
        with self.engine.transaction():
            store, profile = self.profiles.writing(
                account, store_id, profile_id, f"/{kind.collection}/{item_id}"
            )
            del kind.items(profile)[self._item(kind, store, profile, item_id).id]
            profile.memory_version += 1
            return {"message": "Deletion accepted"}, {}

    def list_revisions(
        self, account: str, store_id: str, profile_id: str, observation_id: str, page: PageRequest
    ) -> Reply:
        with self.engine.transaction():
            store, profile, headers = self.profiles.reading(account, store_id, profile_id, moved=None)
            item = self._item(OBSERVATIONS, store, profile, observation_id)
            history = [*item.revisions, observation_view(item)]  # oldest first, as page_of expects
            found = page_of(history, _capped(PageRequest(page.page_size, page.offset, True)), "revisions")
            return {"revisions": found.items, "meta": found.meta}, headers

    # -------------------------------------------------------------------------------------------
    # Recall
    # -------------------------------------------------------------------------------------------

    def _recalled(
        self,
        key: tuple[Any, ...],
        version: Hashable,
        items: Sequence[M],
        view: Callable[[M], dict[str, Any]],
        *,
        query: str | None,
        limit: int,
        threshold: float,
        window: tuple[float | None, float | None],
    ) -> list[dict[str, Any]]:
        begin, end = window

        def inside(i: int) -> bool:
            at = items[i].occurred_at
            return (begin is None or at >= begin) and (end is None or at < end)

        if limit == 0:
            return []
        if not query:
            recent = heapq.nlargest(
                limit,
                (i for i in range(len(items)) if inside(i)),
                key=lambda i: (items[i].occurred_at, items[i].created_at),
            )
            return [view(items[i]) for i in recent]
        ranked = self._ranker.rank(
            key,
            version,
            [i.content for i in items],
            query,
            keep=inside,
            threshold=threshold,
            limit=limit,
            tiebreak=lambda i: items[i].occurred_at,
        )
        return [{**view(items[i]), "score": score} for i, score in ranked]

    def recall(self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any]) -> Reply:
        started = time.perf_counter()
        with self.engine.transaction() as now:
            store, profile, _ = self.profiles.reading(
                account, store_id, profile_id, "/Recall", moved=MOVED_WRITE
            )
            ask = {**_RECALL_DEFAULTS, **body}
            begin = instant(ask["beginDate"], "beginDate") if ask.get("beginDate") else None
            end = instant(ask["endDate"], "endDate") if ask.get("endDate") else None
            query = (ask.get("query") or "").strip() or None
            threshold = float(ask["relevanceThreshold"])
            indexed = [
                (kind, [i for i in kind.items(profile).values() if i.indexed_at <= now])
                for kind in (OBSERVATIONS, SUMMARIES)
            ]
            found = {
                kind.key: self._recalled(
                    (store.id, profile.id, kind.key),
                    (profile.memory_version, len(items)),  # more become indexed as time passes
                    items,
                    kind.view,
                    query=query,
                    limit=int(ask[kind.recall_limit]),
                    threshold=threshold,
                    window=(begin, end),
                )
                for kind, items in indexed
            }
        took = int((time.perf_counter() - started) * 1000)
        return {
            **found,
            "communications": [],
            "meta": {"queryTime": took},
        }, {}

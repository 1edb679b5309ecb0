"""The Memory data plane's memories of a profile: observations (with their revisions), conversation
summaries, and Recall over both, on top of the profiles (:mod:`.profiles`).

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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from twilio_memory_emulator.errors import BadRequest, NotFound
from twilio_memory_emulator.profiles import DATA_PLANE, MOVED_WRITE, ProfilesBackend, Reply
from twilio_memory_emulator.protocol import PageRequest, iso, new_typeid, page_of
from twilio_memory_emulator.ranking import Ranker
from twilio_memory_emulator.records import (
    AccountState,
    ObservationRec,
    OperationRec,
    ProfileRec,
    StoreRec,
    SummaryRec,
)

__all__ = ["OBSERVATIONS", "SUMMARIES", "MemoriesBackend", "MemoryFilter", "MemoryKind", "instant"]

M = TypeVar("M", ObservationRec, SummaryRec)
_RECALL_DEFAULTS = {"observationsLimit": 20, "summariesLimit": 5, "relevanceThreshold": 0.0}
#: The spec's item caps of one page (the arrays' maxItems), below the 1000 pageSize allows.
_PAGE_CAP = 50


def instant(text: str, where: str) -> float:
    """An RFC 3339 date-time as epoch seconds (a time without an offset is UTC), or a 400."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{where}: must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _capped(page: PageRequest) -> PageRequest:
    return PageRequest(min(page.page_size, _PAGE_CAP), page.offset, page.descending)


class MemoryFilter:
    """The list filters of observations and summaries (all optional)."""

    def __init__(
        self,
        source: str | None = None,
        created_after: str | None = None,
        created_before: str | None = None,
        conversation_id: str | None = None,
    ) -> None:
        self.source = source
        self.after = instant(created_after, "createdAfter") if created_after else None
        self.before = instant(created_before, "createdBefore") if created_before else None
        self.conversation_id = conversation_id

    def keeps(self, created_at: float, source: str | None, conversations: Sequence[str]) -> bool:
        return (
            (self.source is None or source == self.source)
            and (self.after is None or created_at >= self.after)
            and (self.before is None or created_at < self.before)
            and (self.conversation_id is None or self.conversation_id in conversations)
        )


def _observation_view(o: ObservationRec) -> dict[str, Any]:
    return {
        "id": o.id,
        "content": o.content,
        "source": o.source,
        "occurredAt": iso(o.occurred_at),
        "conversationIds": list(o.conversation_ids),
        "createdAt": iso(o.created_at),
        "updatedAt": iso(o.updated_at),
    }


def _summary_view(s: SummaryRec) -> dict[str, Any]:
    view = {
        "id": s.id,
        "content": s.content,
        "occurredAt": iso(s.occurred_at),
        "conversationId": s.conversation_id,
        "createdAt": iso(s.created_at),
        "updatedAt": iso(s.updated_at),
    }
    return view if s.source is None else {**view, "source": s.source}


#: Wire field -> (record attribute, how the value is read); ``where`` names the field in errors.
Fields = dict[str, tuple[str, Callable[[Any, str], Any]]]
_COMMON_FIELDS: Fields = {
    "content": ("content", lambda v, _: v),
    "source": ("source", lambda v, _: v),
    "occurredAt": ("occurred_at", instant),
}


@dataclass(frozen=True)
class MemoryKind:
    """What observations and summaries differ in; every operation on them is written once."""

    collection: str  # the path segment: "Observations"
    id_param: str  # the item's path parameter: "observationId"
    key: str  # the list's and the create body's key: "observations"
    prefix: str  # the TypeID prefix of new items
    record: type[ObservationRec] | type[SummaryRec]
    view: Callable[[Any], dict[str, Any]]
    fields: Fields
    defaults: dict[str, Any]  # attributes of optional fields a create may leave out
    revisions: bool  # a PATCH keeps the previous state as a revision
    recall_limit: str  # the Recall field that caps how many come back

    def items(self, profile: ProfileRec) -> dict[str, Any]:
        return profile.observations if self.record is ObservationRec else profile.summaries

    def conversations(self, item: Any) -> list[str]:
        return list(item.conversation_ids) if self.record is ObservationRec else [item.conversation_id]

    def build(self, body: Mapping[str, Any], item_id: str, now: float, where: str) -> Any:
        values = {
            attr: read(body[wire], f"{where}.{wire}")
            for wire, (attr, read) in self.fields.items()
            if wire in body
        }
        return self.record(id=item_id, created_at=now, updated_at=now, **{**self.defaults, **values})

    def patch(self, item: Any, body: Mapping[str, Any], now: float) -> None:
        if self.revisions:
            item.revisions.append(self.view(item))
        for wire, (attr, read) in self.fields.items():
            if wire in body:
                setattr(item, attr, read(body[wire], wire))
        item.updated_at = now


OBSERVATIONS = MemoryKind(
    collection="Observations",
    id_param="observationId",
    key="observations",
    prefix="mem_observation",
    record=ObservationRec,
    view=_observation_view,
    fields={**_COMMON_FIELDS, "conversationIds": ("conversation_ids", lambda v, _: list(v))},
    defaults={"conversation_ids": []},
    revisions=True,
    recall_limit="observationsLimit",
)
SUMMARIES = MemoryKind(
    collection="ConversationSummaries",
    id_param="summaryId",
    key="summaries",
    prefix="mem_summary",
    record=SummaryRec,
    view=_summary_view,
    fields={**_COMMON_FIELDS, "conversationId": ("conversation_id", lambda v, _: v)},
    defaults={"source": None},
    revisions=False,
    recall_limit="summariesLimit",
)


class MemoriesBackend(ProfilesBackend):
    """Observations, conversation summaries and Recall (data plane)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ranker = Ranker()  # indexes keyed (store id, profile id, kind): ids are never reused

    def reset(self) -> None:
        super().reset()
        self._ranker.forget()

    def _apply_store_delete(self, state: AccountState, op: OperationRec) -> None:
        super()._apply_store_delete(state, op)
        self._ranker.forget(op.change["id"])

    def delete_profile(self, account: str, store_id: str, profile_id: str) -> Reply:
        answer = super().delete_profile(account, store_id, profile_id)
        self._ranker.forget(self._find_store(self._view(account), store_id).id, profile_id)
        return answer

    def _indexed_at(self, now: float) -> float:
        return now + self._jittered(self.settings.index_delay)

    @staticmethod
    def _item(kind: MemoryKind, store: StoreRec, profile: ProfileRec, item_id: str) -> Any:
        item = kind.items(profile).get(item_id)
        if item is None:
            path = f"{DATA_PLANE}/{store.id}/Profiles/{profile.id}/{kind.collection}/{item_id}"
            raise NotFound(f"The requested resource {path} was not found")
        return item

    # -------------------------------------------------------------------------------------------
    # Observations and conversation summaries
    # -------------------------------------------------------------------------------------------

    def create_memories(
        self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any], *, kind: MemoryKind
    ) -> Reply:
        with self._tx() as now:
            _, profile = self._writing(account, store_id, profile_id, f"/{kind.collection}")
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
        with self._tx():
            _, profile, headers = self._reading(account, store_id, profile_id, f"/{kind.collection}")
            ordered = sorted(kind.items(profile).values(), key=lambda i: i.created_at)
            kept = [
                kind.view(i) for i in ordered if keep.keeps(i.created_at, i.source, kind.conversations(i))
            ]
            found = page_of(kept, _capped(page), kind.key)
            return {kind.key: found.items, "meta": found.meta}, headers

    def get_memory(
        self, account: str, store_id: str, profile_id: str, item_id: str, *, kind: MemoryKind
    ) -> Reply:
        with self._tx():
            store, profile, headers = self._reading(account, store_id, profile_id, moved=None)
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
        with self._tx() as now:
            store, profile = self._writing(account, store_id, profile_id, f"/{kind.collection}/{item_id}")
            item = self._item(kind, store, profile, item_id)
            kind.patch(item, body, now)
            item.indexed_at = self._indexed_at(now)  # Recall finds it again once re-indexed
            profile.memory_version += 1
            return {"message": "Update accepted"}, {}

    def delete_memory(
        self, account: str, store_id: str, profile_id: str, item_id: str, *, kind: MemoryKind
    ) -> Reply:
        with self._tx():
            store, profile = self._writing(account, store_id, profile_id, f"/{kind.collection}/{item_id}")
            del kind.items(profile)[self._item(kind, store, profile, item_id).id]
            profile.memory_version += 1
            return {"message": "Deletion accepted"}, {}

    def list_revisions(
        self, account: str, store_id: str, profile_id: str, observation_id: str, page: PageRequest
    ) -> Reply:
        with self._tx():
            store, profile, headers = self._reading(account, store_id, profile_id, moved=None)
            item = self._item(OBSERVATIONS, store, profile, observation_id)
            history = [*item.revisions, _observation_view(item)]  # oldest first, as page_of expects
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
        with self._tx() as now:
            store, profile, _ = self._reading(account, store_id, profile_id, "/Recall", moved=MOVED_WRITE)
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

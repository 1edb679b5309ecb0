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

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from twilio_memory_emulator.errors import BadRequest, NotFound
from twilio_memory_emulator.profiles import DATA_PLANE, ProfilesBackend, Reply
from twilio_memory_emulator.protocol import PageRequest, iso, new_typeid, page_of
from twilio_memory_emulator.ranking import Ranker
from twilio_memory_emulator.records import ObservationRec, ProfileRec, StoreRec, SummaryRec

__all__ = ["MemoriesBackend", "MemoryFilter", "instant"]

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


class MemoriesBackend(ProfilesBackend):
    """Observations, conversation summaries and Recall (data plane)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ranker = Ranker()

    @staticmethod
    def _item(items: Mapping[str, M], item_id: str, store: StoreRec, profile: ProfileRec, kind: str) -> M:
        item = items.get(item_id)
        if item is None:
            path = f"{DATA_PLANE}/{store.id}/Profiles/{profile.id}/{kind}/{item_id}"
            raise NotFound(f"The requested resource {path} was not found")
        return item

    def _listed(
        self,
        items: Sequence[M],
        view: Callable[[M], dict[str, Any]],
        page: PageRequest,
        key: str,
        keep: MemoryFilter,
    ) -> dict[str, Any]:
        ordered = sorted(items, key=lambda i: i.created_at)
        conversations = (
            (lambda i: i.conversation_ids) if key == "observations" else (lambda i: [i.conversation_id])
        )
        kept = [view(i) for i in ordered if keep.keeps(i.created_at, i.source, conversations(i))]
        found = page_of(kept, _capped(page), key)
        return {key: found.items, "meta": found.meta}

    # -------------------------------------------------------------------------------------------
    # Observations
    # -------------------------------------------------------------------------------------------

    def create_observations(
        self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any]
    ) -> Reply:
        with self._tx() as now:
            _, profile = self._writing(account, store_id, profile_id, "/Observations")
            created = [
                ObservationRec(
                    id=new_typeid("mem_observation", now),
                    content=item["content"],
                    source=item["source"],
                    occurred_at=instant(item["occurredAt"], f"observations[{i}].occurredAt"),
                    conversation_ids=list(item.get("conversationIds") or []),
                    created_at=now,
                    updated_at=now,
                )
                for i, item in enumerate(body["observations"])
            ]
            profile.observations.update((o.id, o) for o in created)
            profile.memory_version += 1
            return {"message": f"{len(created)} observation(s) accepted"}, {}

    def list_observations(
        self, account: str, store_id: str, profile_id: str, page: PageRequest, keep: MemoryFilter
    ) -> Reply:
        with self._tx():
            _, profile, headers = self._reading(account, store_id, profile_id, "/Observations")
            items = list(profile.observations.values())
            return self._listed(items, _observation_view, page, "observations", keep), headers

    def get_observation(self, account: str, store_id: str, profile_id: str, observation_id: str) -> Reply:
        with self._tx():
            store, profile, headers = self._reading(account, store_id, profile_id, moved=None)
            item = self._item(profile.observations, observation_id, store, profile, "Observations")
            return _observation_view(item), headers

    def patch_observation(
        self, account: str, store_id: str, profile_id: str, observation_id: str, body: Mapping[str, Any]
    ) -> Reply:
        with self._tx() as now:
            suffix = f"/Observations/{observation_id}"
            store, profile = self._writing(account, store_id, profile_id, suffix)
            item = self._item(profile.observations, observation_id, store, profile, "Observations")
            item.revisions.append(_observation_view(item))
            if "content" in body:
                item.content = body["content"]
            if "source" in body:
                item.source = body["source"]
            if "occurredAt" in body:
                item.occurred_at = instant(body["occurredAt"], "occurredAt")
            if "conversationIds" in body:
                item.conversation_ids = list(body["conversationIds"])
            item.updated_at = now
            profile.memory_version += 1
            return {"message": "Observation update accepted"}, {}

    def delete_observation(self, account: str, store_id: str, profile_id: str, observation_id: str) -> Reply:
        with self._tx():
            store, profile = self._writing(account, store_id, profile_id, f"/Observations/{observation_id}")
            self._item(profile.observations, observation_id, store, profile, "Observations")
            del profile.observations[observation_id]
            profile.memory_version += 1
            return {"message": "Observation deletion accepted"}, {}

    def list_revisions(
        self, account: str, store_id: str, profile_id: str, observation_id: str, page: PageRequest
    ) -> Reply:
        with self._tx():
            store, profile, headers = self._reading(account, store_id, profile_id, moved=None)
            item = self._item(profile.observations, observation_id, store, profile, "Observations")
            history = [*item.revisions, _observation_view(item)]  # oldest first, as page_of expects
            found = page_of(history, _capped(PageRequest(page.page_size, page.offset, True)), "revisions")
            return {"revisions": found.items, "meta": found.meta}, headers

    # -------------------------------------------------------------------------------------------
    # Conversation summaries
    # -------------------------------------------------------------------------------------------

    def create_summaries(
        self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any]
    ) -> Reply:
        with self._tx() as now:
            _, profile = self._writing(account, store_id, profile_id, "/ConversationSummaries")
            created = [
                SummaryRec(
                    id=new_typeid("mem_summary", now),
                    content=item["content"],
                    source=item.get("source"),
                    occurred_at=instant(item["occurredAt"], f"summaries[{i}].occurredAt"),
                    conversation_id=item["conversationId"],
                    created_at=now,
                    updated_at=now,
                )
                for i, item in enumerate(body["summaries"])
            ]
            profile.summaries.update((s.id, s) for s in created)
            profile.memory_version += 1
            return {"message": f"{len(created)} summary(ies) accepted"}, {}

    def list_summaries(
        self, account: str, store_id: str, profile_id: str, page: PageRequest, keep: MemoryFilter
    ) -> Reply:
        with self._tx():
            _, profile, headers = self._reading(account, store_id, profile_id, "/ConversationSummaries")
            items = list(profile.summaries.values())
            return self._listed(items, _summary_view, page, "summaries", keep), headers

    def get_summary(self, account: str, store_id: str, profile_id: str, summary_id: str) -> Reply:
        with self._tx():
            store, profile, headers = self._reading(account, store_id, profile_id, moved=None)
            item = self._item(profile.summaries, summary_id, store, profile, "ConversationSummaries")
            return _summary_view(item), headers

    def patch_summary(
        self, account: str, store_id: str, profile_id: str, summary_id: str, body: Mapping[str, Any]
    ) -> Reply:
        with self._tx() as now:
            suffix = f"/ConversationSummaries/{summary_id}"
            store, profile = self._writing(account, store_id, profile_id, suffix)
            item = self._item(profile.summaries, summary_id, store, profile, "ConversationSummaries")
            if "content" in body:
                item.content = body["content"]
            if "source" in body:
                item.source = body["source"]
            if "occurredAt" in body:
                item.occurred_at = instant(body["occurredAt"], "occurredAt")
            if "conversationId" in body:
                item.conversation_id = body["conversationId"]
            item.updated_at = now
            profile.memory_version += 1
            return {"message": "Summary update accepted"}, {}

    def delete_summary(self, account: str, store_id: str, profile_id: str, summary_id: str) -> Reply:
        with self._tx():
            suffix = f"/ConversationSummaries/{summary_id}"
            store, profile = self._writing(account, store_id, profile_id, suffix)
            self._item(profile.summaries, summary_id, store, profile, "ConversationSummaries")
            del profile.summaries[summary_id]
            profile.memory_version += 1
            return {"message": "Summary deletion accepted"}, {}

    # -------------------------------------------------------------------------------------------
    # Recall
    # -------------------------------------------------------------------------------------------

    def _recalled(
        self,
        key: tuple[Any, ...],
        items: Sequence[M],
        view: Callable[[M], dict[str, Any]],
        *,
        query: str | None,
        limit: int,
        threshold: float,
        window: tuple[float | None, float | None],
    ) -> list[dict[str, Any]]:
        if limit == 0:
            return []
        begin, end = window
        if not query:
            chosen = [
                i
                for i in items
                if (begin is None or i.occurred_at >= begin) and (end is None or i.occurred_at < end)
            ]
            chosen.sort(key=lambda i: (i.occurred_at, i.created_at), reverse=True)
            return [view(i) for i in chosen[:limit]]
        scores = self._ranker.scores(key, [i.content for i in items], query)
        ranked = [
            (score, i)
            for score, i in zip(scores, items, strict=True)
            if score >= threshold
            and (begin is None or i.occurred_at >= begin)
            and (end is None or i.occurred_at < end)
        ]
        ranked.sort(key=lambda pair: (pair[0], pair[1].occurred_at), reverse=True)
        return [{**view(i), "score": score} for score, i in ranked[:limit]]

    def recall(self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any]) -> Reply:
        started = time.perf_counter()
        with self._tx():
            store, profile = self._writing(account, store_id, profile_id, "/Recall")
            self._dirty = False  # a Recall changes nothing
            ask = {**_RECALL_DEFAULTS, **body}
            begin = instant(ask["beginDate"], "beginDate") if ask.get("beginDate") else None
            end = instant(ask["endDate"], "endDate") if ask.get("endDate") else None
            query = (ask.get("query") or "").strip() or None
            threshold = float(ask["relevanceThreshold"])
            base = (account, store.id, profile.id, profile.memory_version)
            observations = self._recalled(
                (*base, "observations"),
                list(profile.observations.values()),
                _observation_view,
                query=query,
                limit=int(ask["observationsLimit"]),
                threshold=threshold,
                window=(begin, end),
            )
            summaries = self._recalled(
                (*base, "summaries"),
                list(profile.summaries.values()),
                _summary_view,
                query=query,
                limit=int(ask["summariesLimit"]),
                threshold=threshold,
                window=(begin, end),
            )
        took = int((time.perf_counter() - started) * 1000)
        return {
            "observations": observations,
            "summaries": summaries,
            "communications": [],
            "meta": {"queryTime": took},
        }, {}

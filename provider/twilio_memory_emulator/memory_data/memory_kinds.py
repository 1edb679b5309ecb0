"""What observations and conversation summaries (a profile's memories) are on the wire and how
they differ (:class:`MemoryKind`), so that every operation on them is written once; and the list
filters they share (:class:`MemoryFilter`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from twilio_memory_emulator.errors import BadRequest
from twilio_memory_emulator.protocol import iso
from twilio_memory_emulator.state_schema import ObservationRec, ProfileRec, SummaryRec

__all__ = ["OBSERVATIONS", "SUMMARIES", "MemoryFilter", "MemoryKind", "instant", "observation_view"]


def instant(text: str, where: str) -> float:
    """An RFC 3339 date-time as epoch seconds (a time without an offset is UTC), or a 400."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{where}: must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


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


def observation_view(o: ObservationRec) -> dict[str, Any]:
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
    view=observation_view,
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

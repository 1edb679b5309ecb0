"""The agent's memory over the official twilio SDK (9.13 covers every data-plane call the agent makes).

Three things to know (docs/testing-agents.md says more): the SDK drops every
``None`` from a request body, so a PATCH cannot send the ``null`` that removes a trait (use httpx
for that); ``occurredAt`` must be an RFC 3339 string, not a ``datetime``; and it does not follow
the 301/308 of a merged profile's old id, so use the ids lookup returns (always canonical).
"""

from __future__ import annotations

from typing import Any

from twilio.rest import Client
from twilio.rest.memory.v1.conversation_summary import ConversationSummaryList
from twilio.rest.memory.v1.lookup import LookupList
from twilio.rest.memory.v1.observation import ObservationList
from twilio.rest.memory.v1.profile import ProfileList
from twilio.rest.memory.v1.recall import RecallList

__all__ = ["SdkMemory"]


class SdkMemory:
    def __init__(self, base_url: str, auth: tuple[str, str], store_id: str) -> None:
        client = Client(*auth)
        client.memory.base_url = base_url  # the emulator; https://memory.twilio.com by default
        self.v1 = client.memory.v1
        self.store_id = store_id

    def lookup(self, id_type: str, value: str) -> list[str]:
        found = self.v1.lookup(self.store_id).create(
            LookupList.Identifier({"idType": id_type, "value": value})
        )
        return list(found.profiles)

    def create(self, traits: dict[str, Any]) -> str:
        return str(self.v1.profiles(self.store_id).create(ProfileList.ProfileData({"traits": traits})).id)

    def traits(self, profile_id: str, group: str) -> dict[str, Any]:
        profile = self.v1.profiles(self.store_id, profile_id).fetch(trait_groups=group)
        return dict((profile.traits or {}).get(group, {}))

    def update_traits(self, profile_id: str, traits: dict[str, Any]) -> None:
        self.v1.profiles(self.store_id, profile_id).patch(ProfileList.ProfilePatch({"traits": traits}))

    def recall(self, profile_id: str, query: str) -> dict[str, Any]:
        ask = {"query": query, "observationsLimit": 5, "summariesLimit": 2, "relevanceThreshold": 0.1}
        found = self.v1.recall(self.store_id, profile_id).create(RecallList.MemoryRetrievalRequest(ask))
        return {"observations": found.observations, "summaries": found.summaries}

    def remember(
        self, profile_id: str, observations: list[dict[str, Any]], summaries: list[dict[str, Any]]
    ) -> None:
        self.v1.observations(self.store_id, profile_id).create(
            ObservationList.CreateObservationsRequest({"observations": observations})
        )
        self.v1.conversation_summaries(self.store_id, profile_id).create(
            ConversationSummaryList.CreateSummariesRequest({"summaries": summaries})
        )

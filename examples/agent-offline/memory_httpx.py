"""The agent's memory over plain httpx: the data plane's JSON as the API documents it."""

from __future__ import annotations

from typing import Any

import httpx


class HttpxMemory:
    def __init__(self, base_url: str, auth: tuple[str, str], store_id: str) -> None:
        self.http = httpx.Client(base_url=base_url, auth=auth, timeout=30)
        self.profiles = f"/v1/Stores/{store_id}/Profiles"

    def _send(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        response = self.http.request(method, path, json=body, params=params)
        if response.is_error:  # Twilio's error body: {code, message, more_info, status}
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.json()['message']}")
        return response.json()

    def lookup(self, id_type: str, value: str) -> list[str]:
        found = self._send("POST", f"{self.profiles}/Lookup", {"idType": id_type, "value": value})
        return list(found["profiles"])

    def create(self, traits: dict[str, Any]) -> str:
        return str(self._send("POST", self.profiles, {"traits": traits})["id"])

    def traits(self, profile_id: str, group: str) -> dict[str, Any]:
        profile = self._send("GET", f"{self.profiles}/{profile_id}", traitGroups=group)
        return dict(profile["traits"].get(group, {}))

    def update_traits(self, profile_id: str, traits: dict[str, Any]) -> None:
        self._send("PATCH", f"{self.profiles}/{profile_id}", {"traits": traits})

    def recall(self, profile_id: str, query: str) -> dict[str, Any]:
        ask = {"query": query, "observationsLimit": 5, "summariesLimit": 2, "relevanceThreshold": 0.1}
        return dict(self._send("POST", f"{self.profiles}/{profile_id}/Recall", ask))

    def remember(
        self, profile_id: str, observations: list[dict[str, Any]], summaries: list[dict[str, Any]]
    ) -> None:
        self._send("POST", f"{self.profiles}/{profile_id}/Observations", {"observations": observations})
        self._send("POST", f"{self.profiles}/{profile_id}/ConversationSummaries", {"summaries": summaries})

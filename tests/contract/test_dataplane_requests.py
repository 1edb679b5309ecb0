"""The data plane's request bodies judged by the spec: every constraint of every body, violated
once, is refused with 400 naming the field; every edge value it allows is accepted with the
operation's documented success status, and so are the hand-written bodies below that the spec
allows (empty patches, a Recall without parameters, optional fields left out). The cases are
generated from the data-plane extract's request schemas (see request_cases).

Each case runs on a fresh store whose default ``Contact`` trait group and identity resolution
settings hold the business rules' side: a profile with the email ``ada@example.com``, one
observation and one conversation summary.
"""

from __future__ import annotations

import httpx
import pytest
from drive import active_store
from request_cases import Case, Op, assert_judged, generate, put

PROFILES = "/v1/Stores/{storeId}/Profiles"
PROFILE = f"{PROFILES}/{{profileId}}"
IDENTIFIER = f"{PROFILE}/Identifiers/{{idType}}"
OBSERVATIONS = f"{PROFILE}/Observations"
SUMMARIES = f"{PROFILE}/ConversationSummaries"
CONVERSATION = "conv_conversation_01h00000000000000000000000"
WHEN = "2026-01-31T09:30:00Z"
EMAIL = "ada@example.com"
OBSERVATION = {
    "content": "Prefers tea",
    "source": "crm",
    "occurredAt": WHEN,
    "conversationIds": [CONVERSATION],
}
SUMMARY = {"content": "Asked for tea", "conversationId": CONVERSATION, "occurredAt": WHEN, "source": "crm"}

OPS = {
    op.method + " " + op.template: op
    for op in [
        Op("POST", PROFILES, {"traits": {"Contact": {"email": "new@example.com", "firstName": "Ada"}}}),
        Op("PUT", f"{PROFILES}/Bulk", {"profiles": [{"traits": {"Contact": {"email": "bulk@example.com"}}}]}),
        Op("POST", f"{PROFILES}/Lookup", {"idType": "email", "value": EMAIL}),
        Op("PATCH", PROFILE, {"traits": {"Contact": {"firstName": "Ada"}}}),
        Op("POST", f"{PROFILE}/Identifiers", {"idType": "email", "value": "ada.two@example.com"}),
        Op("PATCH", IDENTIFIER, {"idType": "email", "oldValue": EMAIL, "newValue": "ada.three@example.com"}),
        Op(
            "POST",
            f"{PROFILE}/Recall",
            {
                "query": "tea",
                "conversationId": CONVERSATION,
                "beginDate": "2026-01-01T00:00:00Z",
                "endDate": "2026-02-01T00:00:00Z",
                "communicationsLimit": 0,
                "observationsLimit": 5,
                "summariesLimit": 5,
                "relevanceThreshold": 0.5,
            },
        ),
        Op("POST", OBSERVATIONS, {"observations": [OBSERVATION]}),
        Op("PATCH", f"{OBSERVATIONS}/{{observationId}}", OBSERVATION),
        Op("POST", SUMMARIES, {"summaries": [SUMMARY]}),
        Op("PATCH", f"{SUMMARIES}/{{summaryId}}", SUMMARY),
    ]
}

#: (operation, path) pairs whose edge value a business rule refuses for another reason.
EDGE_EXCEPTIONS = {
    # a 30-character idType is not one of the store's identity resolution settings
    (f"{PROFILES}/Lookup", "idType"),
    (f"{PROFILE}/Identifiers", "idType"),
    # ... and the body's idType must be the path's
    (IDENTIFIER, "idType"),
    # a 255-character oldValue is not a value the profile holds: 409, the operation documents it
    (IDENTIFIER, "oldValue"),
}

#: Whole bodies the spec allows that the generated edges do not reach.
BODIES = [
    (OPS[f"POST {PROFILES}"], {"traits": {"Contact": {"phone": "(415) 555-0100"}}}),  # a US national format
    (OPS[f"POST {PROFILES}"], {"traits": {"Contact": {"email": "x@example.com", "first_name": "Ada"}}}),
    (OPS[f"PUT {PROFILES}/Bulk"], {}),  # profiles is not required
    (OPS[f"PATCH {PROFILE}"], {}),
    (OPS[f"PATCH {PROFILE}"], {"traits": {}}),
    (OPS[f"PATCH {PROFILE}"], {"traits": {"Contact": {"firstName": None}}}),  # null removes a trait
    (OPS[f"POST {PROFILE}/Recall"], {}),  # nothing is required
    (OPS[f"POST {PROFILE}/Recall"], {"query": ""}),  # minLength 0
    (
        OPS[f"POST {OBSERVATIONS}"],
        {"observations": [{k: v for k, v in OBSERVATION.items() if k != "conversationIds"}]},
    ),
    (OPS[f"PATCH {OBSERVATIONS}/{{observationId}}"], {}),
    (OPS[f"POST {SUMMARIES}"], {"summaries": [{k: v for k, v in SUMMARY.items() if k != "source"}]}),
    (OPS[f"PATCH {SUMMARIES}/{{summaryId}}"], {}),
]

CASES = generate(OPS.values(), EDGE_EXCEPTIONS, BODIES)


def _target(http: httpx.Client, op: Op) -> str:
    """The URL of ``op`` on a fresh store holding a profile with one observation and one summary."""
    profiles = PROFILES.replace("{storeId}", active_store(http, "data-plane"))
    profile = f"{profiles}/{http.post(profiles, json={'traits': {'Contact': {'email': EMAIL}}}).json()['id']}"
    ids = {"{idType}": "email"}
    for collection, key, body in (
        ("Observations", "observations", OBSERVATION),
        ("ConversationSummaries", "summaries", SUMMARY),
    ):
        http.post(f"{profile}/{collection}", json={key: [body]}).raise_for_status()
        (item,) = http.get(f"{profile}/{collection}").json()[key]
        ids["{observationId}" if key == "observations" else "{summaryId}"] = item["id"]
    url = op.template.replace(PROFILE, profile).replace(PROFILES, profiles)
    for name, value in ids.items():
        url = url.replace(name, value)
    return url


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_data_plane_follows_the_spec(http: httpx.Client, case: Case) -> None:
    url = _target(http, case.op)
    response = http.request(case.op.method, url, json=put(case.op.base, case.path, case.value))
    assert_judged(response, case)

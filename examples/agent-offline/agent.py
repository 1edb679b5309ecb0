"""A support agent's memory loop, run against the emulator (or Twilio) with no model and no phone line.

Each call: look the caller up by phone, create a profile for a new caller, Recall what the store
remembers about what they say, answer, then write what was learned (observations), a
conversation summary and the caller's traits. Two scripted calls from the same number, written
differently: the second is recognised by lookup and recalls what the first wrote.

    python agent.py                  # plain httpx (memory_httpx.py)
    python agent.py --client sdk     # the official twilio SDK (memory_sdk.py)

The store comes from ``pulumi stack output storeId`` (or ``--store-id``); credentials and the
endpoint from the same variables as the provider: ``TWILIO_API_KEY``/``TWILIO_API_SECRET`` or
``TWILIO_ACCOUNT_SID``/``TWILIO_AUTH_TOKEN``, and ``TWILIO_MEMORY_BASE_URL`` (the emulator's URL;
unset for Twilio). A real agent hands the recalled memories to its model and asks the model what
it learned; here both are scripted, so the run is the same every time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import string
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from memory_httpx import HttpxMemory

SOURCE = "support-agent"  # observations' source: letters, digits, space, _ . -


class Memory(Protocol):
    """What the agent needs from Conversation Memory (memory_httpx.py and memory_sdk.py)."""

    def lookup(self, id_type: str, value: str) -> list[str]: ...
    def create(self, traits: dict[str, Any]) -> str: ...
    def traits(self, profile_id: str, group: str) -> dict[str, Any]: ...
    def update_traits(self, profile_id: str, traits: dict[str, Any]) -> None: ...
    def recall(self, profile_id: str, query: str) -> dict[str, Any]: ...
    def remember(
        self, profile_id: str, observations: list[dict[str, Any]], summaries: list[dict[str, Any]]
    ) -> None: ...


@dataclass(frozen=True)
class Call:
    """A scripted call: what the caller says, what the agent's model would extract from it."""

    said: str
    learned: list[str]
    summary: str
    name: str | None = None


CALLS = [
    Call(
        said="Hi, this is Sam. My order 1234 arrived damaged and I would like a refund.",
        learned=[
            "Sam's order 1234 arrived damaged; Sam asked for a refund",
            "Sam prefers updates by email rather than a call back",
        ],
        summary="Sam reported order 1234 arrived damaged; the agent opened a refund request.",
        name="Sam",
    ),
    Call(
        said="Hello again, is there any news on the refund for my order?",
        learned=["Sam was told the refund for order 1234 is approved"],
        summary="Sam asked about the refund; the agent confirmed it is approved.",
    ),
]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def conversation_id() -> str:
    """A made-up Conversations id of the right shape (a real call has one from Conversations)."""
    tail = "".join(secrets.choice(string.digits + string.ascii_lowercase) for _ in range(25))
    return f"conv_conversation_0{tail}"


def answer(name: str | None, recalled: dict[str, Any]) -> str:
    """What the model would say with the recalled memories in its prompt."""
    memories = [o["content"] for o in recalled["observations"]] + [
        s["content"] for s in recalled["summaries"]
    ]
    if not memories:
        return "Hello! How can I help you today?"
    return f"Welcome back{', ' + name if name else ''}! I remember: {memories[0]}."


def handle_call(memory: Memory, number: int, phone: str, call: Call) -> None:
    found = memory.lookup("phone", phone)
    if found:
        profile_id = found[0]
        print(f"call {number} from {phone}: known caller, lookup found profile {profile_id}")
    else:
        profile_id = memory.create({"Contact": {"phone": phone}, "Caller": {"calls": 0}})
        print(f"call {number} from {phone}: new caller, created profile {profile_id}")
    caller = memory.traits(profile_id, "Caller")
    print(f"  caller: {call.said}")

    recalled = memory.recall(profile_id, call.said)
    for item in recalled["observations"] + recalled["summaries"]:
        print(f"  recalled: {item['content']} (score {item.get('score')})")
    if not recalled["observations"] and not recalled["summaries"]:
        print("  recalled: nothing")
    print(f"  agent: {answer(caller.get('preferredName'), recalled)}")

    conversation, at = conversation_id(), now()
    memory.remember(
        profile_id,
        [
            {"content": text, "source": SOURCE, "occurredAt": at, "conversationIds": [conversation]}
            for text in call.learned
        ],
        [{"content": call.summary, "source": SOURCE, "occurredAt": at, "conversationId": conversation}],
    )
    learned = {
        "calls": int(caller.get("calls", 0)) + 1,
        **({"preferredName": call.name} if call.name else {}),
    }
    memory.update_traits(profile_id, {"Caller": learned})
    print(f"  remembered: {len(call.learned)} observation(s), 1 summary, traits {learned}")


def credentials() -> tuple[str, str]:
    if os.environ.get("TWILIO_API_KEY"):
        return os.environ["TWILIO_API_KEY"], os.environ["TWILIO_API_SECRET"]
    return os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"]


def stack_store_id() -> str:
    done = subprocess.run(
        ["pulumi", "stack", "output", "storeId"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def memory_client(name: str) -> Any:
    """The Memory class of ``--client``; the SDK is imported only when asked for, so the httpx
    variant runs with the package alone (the twilio SDK is an extra: ``pip install twilio``)."""
    if name != "sdk":
        return HttpxMemory
    try:
        from memory_sdk import SdkMemory  # noqa: PLC0415 - the SDK only when asked for
    except ModuleNotFoundError as exc:
        if exc.name != "twilio" and not (exc.name or "").startswith("twilio."):
            raise
        raise SystemExit(
            "--client sdk needs the official twilio SDK: run `pip install twilio` in this environment "
            "(or use the default --client httpx, which needs nothing more)"
        ) from None
    return SdkMemory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=["httpx", "sdk"], default="httpx")
    parser.add_argument("--store-id", help="default: pulumi stack output storeId")
    parser.add_argument("--phone", default="+1 415 555 0100", help="the caller's number")
    args = parser.parse_args()

    base_url = os.environ.get("TWILIO_MEMORY_BASE_URL", "https://memory.twilio.com")
    store_id = args.store_id or stack_store_id()
    memory: Memory = memory_client(args.client)(base_url, credentials(), store_id)
    # The second call dials the same number as bare digits: identity resolution normalizes both.
    dialed = [args.phone, "".join(ch for ch in args.phone if ch.isdigit())]
    for number, (phone, call) in enumerate(zip(dialed, CALLS, strict=True), start=1):
        handle_call(memory, number, phone, call)


if __name__ == "__main__":
    main()

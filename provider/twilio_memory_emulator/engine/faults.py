"""Fault injection: rules that make the emulator misbehave on purpose, for tests and benchmarks.

A rule matches requests by method and route template (the same ``{storeId}``-style templates the
stats use) and, optionally, by account. When it fires (always, with a probability, or for the next
N matches) it does one thing:

===================  ==========================================================================
``error``            answer with ``status`` (429 adds ``Retry-After``) and Twilio's error body
``latency``          wait ``latency`` seconds, then carry on (adds up with other rules)
``drop``             close the connection without an answer
``fail_operation``   accept the write, but its operation ends FAILED and changes nothing
``fail_provisioning`` the next store created ends FAILED instead of ACTIVE
``hang_provisioning`` the next store created stays PROVISIONING for ever
``rate_limit``       per-account limit of ``limit`` requests per ``window`` seconds, then 429
===================  ==========================================================================

``error`` and ``drop`` take ``phase``: ``before`` (default: the request is not processed) or
``after`` (the change is made, then the answer is lost), which is how a client's retry and
adoption logic gets tested. There is no throttling unless a rule asks for it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from twilio_memory_api.models import format_validation_error

from twilio_memory_emulator.errors import InjectedError

__all__ = ["FaultDecision", "FaultRegistry", "FaultRule", "FaultSpec"]

Action = Literal[
    "error", "latency", "drop", "fail_operation", "fail_provisioning", "hang_provisioning", "rate_limit"
]
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_METHODS = {"*", "GET", *_WRITE_METHODS}


class FaultSpec(BaseModel):
    """The JSON body of ``POST /_emulator/faults`` (camelCase; unknown keys rejected)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    action: Action
    method: str = "*"
    route: str = "*"
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    retry_after: Annotated[int, Field(ge=0, le=86400)] | None = None
    probability: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    times: Annotated[int, Field(ge=1)] | None = None
    latency: Annotated[float, Field(ge=0.0, le=300.0)] = 0.0
    phase: Literal["before", "after"] = "before"
    account: str | None = None
    limit: Annotated[int, Field(ge=1)] | None = None
    window: Annotated[float, Field(gt=0.0, le=3600.0)] | None = None
    message: Annotated[str, Field(max_length=512)] | None = None

    @model_validator(mode="after")
    def _coherent(self) -> FaultSpec:
        if " " in self.route.strip():
            method, _, route = self.route.strip().partition(" ")
            self.method, self.route = method, route.strip()
        self.method = self.method.upper()
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {', '.join(sorted(_METHODS))}")
        if self.action == "error" and self.status is None:
            raise ValueError("status is required for action 'error' (e.g. 429, 500 or 503)")
        if self.action == "latency" and self.latency <= 0:
            raise ValueError("latency (seconds, > 0) is required for action 'latency'")
        if self.action == "rate_limit" and (self.limit is None or self.window is None):
            raise ValueError("limit and window are required for action 'rate_limit'")
        return self


@dataclass
class FaultRule:
    """A registered rule plus its counters (``remaining`` is None when unlimited)."""

    id: str
    spec: FaultSpec
    remaining: int | None
    hits: int = 0
    _windows: dict[str, deque[float]] = field(default_factory=dict, repr=False)

    def view(self) -> dict[str, Any]:
        body = self.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {"id": self.id, **body, "remaining": self.remaining, "hits": self.hits}

    def matches(self, method: str, route: str, account: str | None) -> bool:
        spec = self.spec
        return (
            self.remaining != 0
            and spec.method in {"*", method}
            and spec.route in {"*", route}
            and (spec.account is None or spec.account == account)
        )


@dataclass
class FaultDecision:
    """What the HTTP layer must do for one request."""

    latency: float = 0.0
    error: InjectedError | None = None
    drop: bool = False
    phase: str = "before"
    fail_operation: bool = False


class FaultRegistry:
    """Thread-safe, ordered set of fault rules."""

    def __init__(self, known_routes: Iterable[str] = (), *, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next = 1
        self._known_routes = set(known_routes)
        self._rng = rng or random.Random()  # fault dice, not cryptography

    def parse(self, raw: Mapping[str, Any]) -> FaultSpec:
        """Validate a rule; raise ValueError with a message naming the bad field."""
        try:
            spec = FaultSpec.model_validate(raw)
        except ValidationError as exc:
            raise ValueError("; ".join(f"{p}: {m}" for p, m in format_validation_error(exc))) from None
        if spec.route != "*" and self._known_routes and spec.route not in self._known_routes:
            known = ", ".join(sorted(self._known_routes))
            raise ValueError(f"route: unknown route template {spec.route!r}; use '*' or one of: {known}")
        return spec

    def add(self, raw: Mapping[str, Any]) -> FaultRule:
        spec = self.parse(raw)
        with self._lock:
            rule = FaultRule(id=f"fault-{self._next}", spec=spec, remaining=spec.times)
            self._next += 1
            self._rules.append(rule)
            return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def views(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.view() for rule in self._rules]

    def _fire(self, rule: FaultRule) -> bool:
        if rule.spec.probability < 1.0 and self._rng.random() >= rule.spec.probability:
            return False
        rule.hits += 1
        if rule.remaining is not None:
            rule.remaining -= 1
        return True

    def _rate_limited(self, rule: FaultRule, account: str | None) -> int | None:
        """Seconds to wait if this request exceeds the rule's window, else None (and count it)."""
        window = rule.spec.window or 1.0
        limit = rule.spec.limit or 1
        now = time.monotonic()
        stamps = rule._windows.setdefault(account or "", deque())
        while stamps and now - stamps[0] >= window:
            stamps.popleft()
        if len(stamps) < limit:
            stamps.append(now)
            return None
        return max(1, int(-(-(window - (now - stamps[0])) // 1)))

    def evaluate(self, method: str, route: str, account: str | None) -> FaultDecision:
        """Decide the faults for one API request (provisioning rules are not consulted here)."""
        decision = FaultDecision()
        with self._lock:
            for rule in self._rules:
                spec = rule.spec
                if spec.action in {"fail_provisioning", "hang_provisioning"}:
                    continue
                if not rule.matches(method, route, account):
                    continue
                if spec.action == "latency":
                    if self._fire(rule):
                        decision.latency += spec.latency
                elif spec.action == "fail_operation":
                    if method in _WRITE_METHODS and not decision.fail_operation and self._fire(rule):
                        decision.fail_operation = True
                elif decision.error is None and not decision.drop:
                    self._decide_failure(rule, decision, account)
        return decision

    def _decide_failure(self, rule: FaultRule, decision: FaultDecision, account: str | None) -> None:
        spec = rule.spec
        if spec.action == "rate_limit":
            wait = self._rate_limited(rule, account)
            if wait is not None and self._fire(rule):
                decision.error = InjectedError(
                    429,
                    spec.message or "Too Many Requests: rate limit exceeded (emulator fault rule)",
                    headers={"Retry-After": str(wait)},
                )
            return
        if not self._fire(rule):
            return
        decision.phase = spec.phase
        if spec.action == "drop":
            decision.drop = True
            return
        status = spec.status or 500
        headers = {}
        if status == 429 or spec.retry_after is not None:
            headers["Retry-After"] = str(spec.retry_after if spec.retry_after is not None else 1)
        default = {429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "Internal Server Error")
        decision.error = InjectedError(
            status, spec.message or f"{default} (emulator fault rule)", headers=headers
        )

    def take_provisioning_outcome(self) -> str | None:
        """For a store being created: FAILED or HANG if a provisioning rule fires, else None."""
        with self._lock:
            for rule in self._rules:
                action = rule.spec.action
                if (
                    action in {"fail_provisioning", "hang_provisioning"}
                    and rule.remaining != 0
                    and self._fire(rule)
                ):
                    return "FAILED" if action == "fail_provisioning" else "HANG"
        return None

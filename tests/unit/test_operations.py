"""Waiters with a fake clock: backoff shape, Retry-After, deadlines, failure and timeout messages."""

from __future__ import annotations

import math
from typing import Any

import pytest
from twilio_memory_api import models as m
from twilio_memory_api.client import Accepted, Fetched
from twilio_memory_api.errors import (
    NotFoundError,
    OperationError,
    OperationFailedError,
    OperationTimeoutError,
    ServerError,
)
from twilio_memory_api.operations import (
    PROVISIONING_BACKOFF,
    Backoff,
    Deadline,
    first_poll_wait,
    poll,
    wait_operation,
    wait_store_deleted,
    wait_store_ready,
)

STORE_ID = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"


class FakeClock:
    """``sleep`` advances ``monotonic``; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class FakeMemory:
    """Answers get_operation/get_store/find_store from scripted sequences (last one repeats)."""

    def __init__(
        self,
        operations: list[dict[str, Any]] | None = None,
        stores: list[Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.operations = operations or []
        self.stores = stores or []
        self.retry_after = retry_after
        self.calls = 0

    @staticmethod
    def _next(seq: list[Any]) -> Any:
        return seq.pop(0) if len(seq) > 1 else seq[0]

    def get_operation(self, operation_id: str) -> Fetched[m.MemoryOperation]:
        self.calls += 1
        data = {"operationId": operation_id, **self._next(self.operations)}
        return Fetched(m.MemoryOperation.model_validate(data), retry_after=self.retry_after)

    def get_store(self, store_id: str) -> Fetched[m.Store]:
        self.calls += 1
        item = self._next(self.stores)
        if isinstance(item, Exception):
            raise item
        if item is None:
            raise NotFoundError("gone", status=404)
        store = {"id": store_id, "displayName": "client-acme", "status": item, "version": 1}
        return Fetched(m.Store.model_validate(store), etag=f"etag-{self.calls}")

    def find_store(self, store_id: str) -> Fetched[m.Store] | None:
        try:
            return self.get_store(store_id)
        except NotFoundError:
            return None


def accepted(op: str = "mem_operation_1", retry_after: float | None = None) -> Accepted:
    return Accepted(operation_id=op, retry_after=retry_after)


class TimedMemory:
    """An operation due ``op_due`` s after the 202 and a store ACTIVE ``active_at`` s after the
    waiter starts, on the fake clock; ``Retry-After`` as the emulator sends it (seconds until due,
    rounded up, at least 1 while pending)."""

    def __init__(self, clock: FakeClock, *, op_due: float = 0.0, active_at: float = 0.0) -> None:
        self.clock = clock
        self.start = clock.now
        self.op_due, self.active_at = op_due, active_at
        self.polls: list[float] = []

    def retry_after(self) -> int:
        left = self.start + self.op_due - self.clock.now
        return 0 if left <= 0 else max(1, math.ceil(left))

    def get_operation(self, operation_id: str) -> Fetched[m.MemoryOperation]:
        self.polls.append(round(self.clock.now - self.start, 6))
        done = self.clock.now >= self.start + self.op_due
        data = {"operationId": operation_id, "status": "COMPLETED" if done else "PENDING"}
        return Fetched(m.MemoryOperation.model_validate(data), retry_after=self.retry_after())

    def get_store(self, store_id: str) -> Fetched[m.Store]:
        self.polls.append(round(self.clock.now - self.start, 6))
        status = "ACTIVE" if self.clock.now >= self.start + self.active_at else "PROVISIONING"
        store = {"id": store_id, "displayName": "client-acme", "status": status, "version": 1}
        return Fetched(m.Store.model_validate(store), etag="etag")


def test_backoff_doubles_from_fast_to_a_ceiling() -> None:
    delays = Backoff().delays()
    assert [next(delays) for _ in range(8)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]


def test_wait_operation_polls_until_completed() -> None:
    clock = FakeClock()
    client = FakeMemory(
        operations=[
            {"status": "PENDING"},
            {"status": "RUNNING"},
            {"status": "SOMETHING_NEW"},
            {"status": "COMPLETED", "result": {"type": "RESOURCE_ID", "id": STORE_ID}},
        ]
    )
    op = wait_operation(client, accepted(), what="creation of store 'x'", deadline=Deadline(60, clock))  # type: ignore[arg-type]
    assert op is not None and op.result is not None and op.result.id == STORE_ID
    assert clock.sleeps == [0.2, 0.4, 0.8]  # an unknown status counts as pending


def test_retry_after_shortens_but_never_lengthens_the_wait() -> None:
    clock = FakeClock()
    client = FakeMemory(operations=[{"status": "PENDING"}] * 6 + [{"status": "COMPLETED"}], retry_after=1.0)
    wait_operation(client, accepted(), what="x", deadline=Deadline(600, clock))  # type: ignore[arg-type]
    assert clock.sleeps == [0.2, 0.4, 0.8, 1.0, 1.0, 1.0]


def test_no_operation_id_means_nothing_to_wait_for() -> None:
    assert (
        wait_operation(FakeMemory(), Accepted(operation_id=""), what="x", deadline=Deadline(1, FakeClock()))
        is None
    )  # type: ignore[arg-type]


def test_failed_operation_raises_with_the_api_reason_and_resource_id() -> None:
    error = {"type": "https://x", "title": "Provisioning failed", "code": 50000, "detail": "quota exceeded"}
    client = FakeMemory(operations=[{"status": "RUNNING"}, {"status": "FAILED", "error": error}])
    with pytest.raises(OperationFailedError) as info:
        wait_operation(
            client,
            accepted("mem_operation_7"),
            what="update of store S",
            deadline=Deadline(60, FakeClock()),  # type: ignore[arg-type]
            resource_id=STORE_ID,
        )
    message = str(info.value)
    assert "Provisioning failed: quota exceeded (code 50000)" in message
    assert "mem_operation_7" in message and STORE_ID in message and "update of store S" in message
    assert info.value.resource_id == STORE_ID and "quota exceeded" in info.value.reason


def test_cancelled_operation_is_a_failure() -> None:
    client = FakeMemory(operations=[{"status": "CANCELLED"}])
    with pytest.raises(OperationFailedError, match="CANCELLED"):
        wait_operation(client, accepted(), what="x", deadline=Deadline(60, FakeClock()))  # type: ignore[arg-type]


def test_deadline_expiry_names_what_was_awaited_what_was_seen_and_the_id() -> None:
    clock = FakeClock()
    client = FakeMemory(stores=["QUEUED", "PROVISIONING"])
    with pytest.raises(OperationTimeoutError) as info:
        wait_store_ready(
            client, STORE_ID, deadline=Deadline(10, clock), hint="Run pulumi up with adopt=True."
        )  # type: ignore[arg-type]
    err = info.value
    message = str(err)
    assert f"waiting for store {STORE_ID} to become ACTIVE" in message
    assert "Last seen: store" in message and "status PROVISIONING" in message
    assert "limit 10s" in message and "twilio-memory:operationTimeout" in message
    assert message.endswith("Run pulumi up with adopt=True.")
    assert err.resource_id == STORE_ID and "PROVISIONING" in err.last_seen
    # Never slept past the deadline; the final poll happened exactly at it.
    assert sum(clock.sleeps) == pytest.approx(10.0)
    assert clock.sleeps == [0.2, 0.4, 0.8, 1.6, 3.2, pytest.approx(3.8)]


def test_store_ready_returns_the_active_store_with_its_etag() -> None:
    client = FakeMemory(stores=["QUEUED", "PROVISIONING", "ACTIVE"])
    found = wait_store_ready(client, STORE_ID, deadline=Deadline(60, FakeClock()))  # type: ignore[arg-type]
    assert found.value.status == "ACTIVE" and found.etag == "etag-3"


def test_store_failed_raises_with_the_store_id() -> None:
    client = FakeMemory(stores=["PROVISIONING", "FAILED"])
    with pytest.raises(OperationFailedError) as info:
        wait_store_ready(client, STORE_ID, deadline=Deadline(60, FakeClock()))  # type: ignore[arg-type]
    assert info.value.resource_id == STORE_ID and "FAILED" in str(info.value)


def test_wait_store_deleted_until_404() -> None:
    clock = FakeClock()
    client = FakeMemory(stores=["ACTIVE", "ACTIVE", None])
    wait_store_deleted(client, STORE_ID, deadline=Deadline(60, clock))  # type: ignore[arg-type]
    assert client.calls == 3 and clock.sleeps == [0.2, 0.4]


def test_a_store_vanishing_while_provisioning_is_not_wrapped() -> None:
    client = FakeMemory(stores=["QUEUED", None])
    with pytest.raises(NotFoundError):
        wait_store_ready(client, STORE_ID, deadline=Deadline(60, FakeClock()))  # type: ignore[arg-type]


def test_api_errors_while_waiting_keep_the_resource_id() -> None:
    client = FakeMemory(stores=["QUEUED", ServerError("Could not read store: boom (HTTP 500).", status=500)])
    with pytest.raises(OperationError) as info:
        wait_store_ready(client, STORE_ID, deadline=Deadline(60, FakeClock()))  # type: ignore[arg-type]
    assert info.value.resource_id == STORE_ID
    assert "boom" in str(info.value) and STORE_ID in str(info.value) and "pulumi refresh" in str(info.value)
    assert isinstance(info.value.__cause__, ServerError)


def test_poll_with_zero_deadline_polls_once() -> None:
    clock = FakeClock()
    calls: list[int] = []

    def fetch() -> tuple[int, float | None]:
        calls.append(1)
        return len(calls), None

    with pytest.raises(OperationTimeoutError):
        poll(fetch, ready=lambda _v: False, describe=str, what="nothing", deadline=Deadline(0, clock))
    assert calls == [1] and clock.sleeps == []


# -- the first poll of an operation, and a new store's provisioning cadence --------------------


def test_a_half_second_operation_that_said_retry_after_1_is_polled_once_at_half_a_second() -> None:
    clock = FakeClock()
    client = TimedMemory(clock, op_due=0.5)
    op = wait_operation(client, accepted(retry_after=1), what="x", deadline=Deadline(60, clock))  # type: ignore[arg-type]
    assert op is not None and op.status == "COMPLETED"
    # Not at once (it would only see PENDING), and not after the whole second the header says.
    assert client.polls == [0.5] and clock.sleeps == [0.5]


def test_after_the_first_poll_the_backoff_takes_over() -> None:
    clock = FakeClock()
    client = TimedMemory(clock, op_due=1.0)
    wait_operation(client, accepted(retry_after=1), what="x", deadline=Deadline(60, clock))  # type: ignore[arg-type]
    assert client.polls == [0.5, 0.7, 1.1]  # the poll answers' Retry-After 1 shortens nothing


def test_no_or_a_zero_retry_after_polls_at_once() -> None:
    for retry_after in (None, 0.0, 0.5):
        clock = FakeClock()
        client = TimedMemory(clock, op_due=0.0)
        wait_operation(client, accepted(retry_after=retry_after), what="x", deadline=Deadline(60, clock))  # type: ignore[arg-type]
        assert client.polls == [0.0] and clock.sleeps == []


def test_the_first_poll_waits_half_the_retry_after_up_to_the_backoff_ceiling() -> None:
    assert first_poll_wait(None) == 0.0 and first_poll_wait(0) == 0.0
    assert first_poll_wait(1) == 0.5 and first_poll_wait(3) == 1.5
    assert first_poll_wait(120) == 5.0
    assert first_poll_wait(4, Backoff(maximum=1.0)) == 1.0


def test_the_first_wait_never_passes_the_deadline() -> None:
    clock = FakeClock()
    client = TimedMemory(clock, op_due=30.0)
    with pytest.raises(OperationTimeoutError):
        wait_operation(client, accepted(retry_after=30), what="x", deadline=Deadline(2, clock))  # type: ignore[arg-type]
    assert sum(clock.sleeps) == pytest.approx(2.0)
    assert client.polls[-1] == pytest.approx(2.0)  # the last poll at the deadline


def test_provisioning_cadence_is_a_second_at_first_then_half_the_time_waited() -> None:
    delays = PROVISIONING_BACKOFF.delays()
    assert [next(delays) for _ in range(8)] == [1.0, 1.0, 1.0, 1.5, 2.25, 3.375, 5.0, 5.0]


def test_a_new_store_is_first_looked_at_after_a_second() -> None:
    clock = FakeClock()
    client = TimedMemory(clock, active_at=3.0)
    found = wait_store_ready(client, STORE_ID, deadline=Deadline(60, clock), created=True)  # type: ignore[arg-type]
    assert found.value.status == "ACTIVE"
    assert client.polls == [1.0, 2.0, 3.0]  # no look at once: a new store is QUEUED


def test_a_new_store_is_noticed_soon_after_it_is_active_in_few_polls() -> None:
    # (The doubling backoff from 0.2 s, first look at once, polls 6, 7 and 17 times: at 6.2, 11.2, 61.2.)
    for active_at, polls, noticed in ((3.2, 4, 4.5), (10.0, 6, 10.125), (60.0, 16, 60.125)):
        clock = FakeClock()
        client = TimedMemory(clock, active_at=active_at)
        wait_store_ready(client, STORE_ID, deadline=Deadline(600, clock), created=True)  # type: ignore[arg-type]
        assert len(client.polls) == polls and client.polls[-1] == pytest.approx(noticed)
        assert client.polls[-1] - active_at <= min(5.0, max(1.0, active_at / 2))


def test_an_existing_store_is_looked_at_at_once() -> None:
    clock = FakeClock()
    client = TimedMemory(clock, active_at=0.0)
    wait_store_ready(client, STORE_ID, deadline=Deadline(60, clock))  # type: ignore[arg-type]
    assert client.polls == [0.0] and clock.sleeps == []

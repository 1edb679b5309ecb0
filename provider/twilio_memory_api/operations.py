"""Waiters: follow asynchronous writes to the end, with backoff and a deadline.

Almost every control-plane write answers 202 with an operation to poll;
a store then moves QUEUED → PROVISIONING → ACTIVE | FAILED on its own. ``customTimeouts`` never
reaches a dynamic provider, so the deadline is ours (``twilio-memory:operationTimeout``).

* :class:`Deadline` is shared by every wait inside one provider call (operation, then status),
  so a create cannot take twice the configured time.
* Polls back off from fast to slower (0.2 s doubling to 5 s). A ``Retry-After`` on a poll response
  only ever shortens the next wait (it is the server's hint of when news is due), and no sleep is
  longer than what is left of the deadline; one last poll happens at the deadline.
* The one wait a ``Retry-After`` lengthens, deliberately: the first poll of an operation. A 202 whose
  ``Retry-After`` is 1 s or more says the operation is not done yet, so polling at once would only
  see it PENDING; the first poll comes after half of it instead (at most the backoff's ceiling).
  Not all of it: the header is whole seconds rounded up, so an operation due in 0.5 s says 1, and
  waiting the full second would slow every write. No ``Retry-After`` (or one under 1 s): poll at
  once.
* A store just created is QUEUED when its create operation completes, and provisioning takes
  seconds to minutes: its first look comes after a second, then once a second up to 3 s, then every
  half of the time waited so far (at most every 5 s). Few polls, and ACTIVE is noticed within about
  a second early on, later within a third of the whole wait (:data:`PROVISIONING_BACKOFF`).
* Failures and timeouts raise :class:`~.errors.OperationFailedError` /
  :class:`~.errors.OperationTimeoutError` saying what was awaited, what was last seen and the
  resource id, so nothing is left behind silently.
* The clock (``monotonic`` + ``sleep``) is injectable, so tests use a fake clock and never sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from . import models as m
from .client import Accepted, ConversationsClient, Fetched, MemoryClient
from .errors import (
    ApiError,
    NotFoundError,
    OperationError,
    OperationFailedError,
    OperationTimeoutError,
    TwilioMemoryError,
)

__all__ = [
    "DEFAULT_BACKOFF",
    "PROVISIONING_BACKOFF",
    "SYSTEM_CLOCK",
    "Backoff",
    "Clock",
    "Deadline",
    "WaitInterrupted",
    "first_poll_wait",
    "poll",
    "settle_own_write",
    "wait_gone",
    "wait_operation",
    "wait_store_deleted",
    "wait_store_ready",
]

T = TypeVar("T")

TERMINAL_FAILURES = frozenset({m.OperationStatus.FAILED.value, m.OperationStatus.CANCELLED.value})


class Clock(Protocol):
    """Time source of the waiters; tests pass a fake whose ``sleep`` just advances ``monotonic``."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class _SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK: Clock = _SystemClock()


@dataclass(frozen=True)
class Backoff:
    """Poll intervals: ``initial``, then multiplied by ``multiplier`` up to ``maximum``.

    ``proportion`` > 0: no interval is shorter than that fraction of the time waited so far (by
    the intervals, plus ``waited`` given to :meth:`delays`), so a poll overshoots the moment it
    waits for by at most about that fraction of the wait.
    """

    initial: float = 0.2
    multiplier: float = 2.0
    maximum: float = 5.0
    proportion: float = 0.0

    def delays(self, waited: float = 0.0) -> Iterator[float]:
        """The intervals; ``waited``: time already waited before the first of them."""
        delay = self.initial
        while True:
            delay = min(self.maximum, max(delay, waited * self.proportion))
            yield delay
            waited += delay
            delay *= self.multiplier


DEFAULT_BACKOFF = Backoff()
#: For a store's provisioning (seconds to minutes): 1 s, 1 s, 1 s, then half the time waited so
#: far (1.5, 2.25, 3.4 s), at most 5 s. ``wait_store_ready(created=True)`` waits its first interval
#: before the first look.
PROVISIONING_BACKOFF = Backoff(initial=1.0, multiplier=1.0, maximum=5.0, proportion=0.5)
#: The first poll of an operation comes after this fraction of the 202's ``Retry-After``.
FIRST_POLL_FRACTION = 0.5


def first_poll_wait(retry_after: float | None, backoff: Backoff = DEFAULT_BACKOFF) -> float:
    """How long to wait before the first poll of an operation a 202 said ``Retry-After`` about.

    At least 1 s: the operation is not done yet, and polling at once would only see it PENDING;
    wait half of it (whole seconds rounded up: a 0.5 s operation says 1), at most ``backoff``'s
    ceiling. None or under 1 s (0: already done): poll at once.
    """
    if retry_after is None or retry_after < 1:
        return 0.0
    return min(retry_after * FIRST_POLL_FRACTION, backoff.maximum)


class WaitInterrupted(BaseException):
    """What a :class:`Clock`'s ``sleep`` may raise to end a wait at once (the native provider's
    Cancel). A ``BaseException`` so no ``except Exception`` mistakes it for an API error. ``poll``
    sets ``resource_id`` to the resource it was waiting on, when it knows it: the face can then
    record the resource as made but unfinished instead of losing track of it."""

    def __init__(self, message: str, *, resource_id: str | None = None) -> None:
        super().__init__(message)
        self.resource_id = resource_id


#: Who sets an ordinary deadline, as timeout messages name it.
OPERATION_TIMEOUT_SETTING = "twilio-memory:operationTimeout or TWILIO_MEMORY_OPERATION_TIMEOUT"


class Deadline:
    """A point in time (on ``clock``) after which waiting stops; ``set_by`` names the setting that
    chose ``timeout`` (timeout messages say what to raise)."""

    def __init__(
        self, timeout: float, clock: Clock = SYSTEM_CLOCK, *, set_by: str = OPERATION_TIMEOUT_SETTING
    ) -> None:
        self.timeout = timeout
        self.clock = clock
        self.set_by = set_by
        self.started = clock.monotonic()

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.started

    def remaining(self) -> float:
        return self.timeout - self.elapsed()

    def within(self, seconds: float) -> Deadline:
        """A shorter deadline on the same clock: ``seconds`` from now, but never past this one."""
        return Deadline(min(seconds, max(self.remaining(), 0)), self.clock, set_by=self.set_by)

    def pause(self, delays: Iterator[float]) -> None:
        """Sleep the next of ``delays`` (a backoff), but never past the deadline."""
        self.clock.sleep(min(next(delays), max(self.remaining(), 0)))


def poll(
    fetch: Callable[[], tuple[T, float | None]],
    *,
    ready: Callable[[T], bool],
    describe: Callable[[T], str],
    what: str,
    deadline: Deadline,
    failed: Callable[[T], str | None] = lambda _value: None,
    resource_id: str | None = None,
    hint: str = "",
    backoff: Backoff = DEFAULT_BACKOFF,
    first_wait: float = 0.0,
) -> T:
    """Call ``fetch`` until ``ready``; raise when ``failed`` gives a reason or the deadline passes.

    ``fetch`` returns the observed value and the response's ``Retry-After`` (or None). ``what``
    completes "waiting for …" (e.g. ``"store mem_store_… to become ACTIVE"``); ``describe`` renders
    the last observation; ``hint`` is appended to timeout messages (what to do about it).
    ``first_wait``: sleep this long before the first ``fetch`` (never past the deadline); the
    backoff's intervals follow it.
    """
    if first_wait > 0:
        _sleep(deadline, min(first_wait, max(deadline.remaining(), 0)), resource_id)
    delays = backoff.delays(first_wait)
    while True:
        value, retry_after = _observe(fetch, what, resource_id)
        reason = failed(value)
        if reason is not None:
            raise _failure(what, reason, describe(value), resource_id)
        if ready(value):
            return value
        remaining = deadline.remaining()
        if remaining <= 0:
            raise _timeout(deadline, what, describe(value), resource_id, hint)
        delay = next(delays)
        if retry_after is not None:
            delay = min(delay, max(retry_after, backoff.initial))
        _sleep(deadline, min(delay, remaining), resource_id)


def _observe(
    fetch: Callable[[], tuple[T, float | None]], what: str, resource_id: str | None
) -> tuple[T, float | None]:
    """One look; an API error other than the operation's own says the change may still complete."""
    try:
        return fetch()
    except (OperationError, NotFoundError):
        raise
    except TwilioMemoryError as exc:
        where = f" (resource id {resource_id})" if resource_id else ""
        raise OperationError(
            f"{exc} This happened while waiting for {what}{where}; the change may still complete: "
            f"run `pulumi refresh` to see where it stands.",
            resource_id=resource_id,
        ) from exc


def _failure(what: str, reason: str, last_seen: str, resource_id: str | None) -> OperationFailedError:
    where = f" Resource id: {resource_id}." if resource_id else ""
    return OperationFailedError(
        f"Failed while waiting for {what}: {reason}. Last seen: {last_seen}.{where}",
        resource_id=resource_id,
        last_seen=last_seen,
        reason=reason,
    )


def _timeout(
    deadline: Deadline, what: str, last_seen: str, resource_id: str | None, hint: str
) -> OperationTimeoutError:
    """The deadline passed: how long, which setting chose the limit, what was seen, what to do."""
    where = f" Resource id: {resource_id}." if resource_id else ""
    waited = deadline.elapsed()
    return OperationTimeoutError(
        f"Timed out after {waited:.1f}s (limit {deadline.timeout:g}s, set by "
        f"{deadline.set_by}) waiting for {what}. Last seen: {last_seen}.{where} {hint}".rstrip(),
        resource_id=resource_id,
        last_seen=last_seen,
        waited=waited,
    )


def _sleep(deadline: Deadline, seconds: float, resource_id: str | None) -> None:
    """Sleep on the deadline's clock; an interruption learns which resource was being waited on."""
    try:
        deadline.clock.sleep(seconds)
    except WaitInterrupted as exc:
        if exc.resource_id is None:
            exc.resource_id = resource_id
        raise


class _Versioned(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=_Versioned)


def settle_own_write(
    fetch: Callable[[], Fetched[V]],
    applied: Callable[[V], bool],
    *,
    recorded: int | None,
    conflict: ApiError,
    deadline: Deadline,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> Fetched[V]:
    """After a conditional write met a 412 (``conflict``): the live resource if it shows our write
    (``applied``), else ``conflict`` is raised.

    When the client sent the write more than once (``conflict.attempts > 1``: an earlier attempt
    got no clear answer), the 412 is most likely our own first attempt, accepted and still being
    applied, having moved the ETag on: wait for it to show, unless a change that is not ours shows
    first (the ``version`` moved past ``recorded`` without our values) or the deadline passes. A
    write sent once: one look, no wait (a plain conflict).
    """
    delays = backoff.delays()
    while True:
        found = fetch()
        if applied(found.value):
            return found
        overtaken = recorded is not None and found.value.version > int(recorded)
        if conflict.attempts <= 1 or overtaken or deadline.remaining() <= 0:
            raise conflict
        deadline.pause(delays)


def _operation_reason(operation: m.MemoryOperation | m.ConversationsOperation) -> str | None:
    if operation.status not in TERMINAL_FAILURES:
        return None
    error = operation.error
    if error is None:
        return f"operation {operation.operation_id} ended {operation.status} without an error description"
    parts = [p for p in (error.title, error.detail) if p]
    code = f" (code {error.code})" if error.code is not None else ""
    text = ": ".join(parts) if parts else "no description"
    return f"operation {operation.operation_id} ended {operation.status}: {text}{code}"


def wait_operation(
    client: MemoryClient | ConversationsClient,
    accepted: Accepted,
    *,
    what: str,
    deadline: Deadline,
    resource_id: str | None = None,
    hint: str = "",
    backoff: Backoff = DEFAULT_BACKOFF,
) -> m.MemoryOperation | m.ConversationsOperation | None:
    """Poll the operation of a 202 until COMPLETED (returned); FAILED/CANCELLED raise with the API's
    reason. Unrecognised statuses count as still pending. Returns None when the write was
    synchronous (no operation to follow). ``what`` names the change, e.g. ``"update of store X"``.
    The first poll waits :func:`first_poll_wait` of the 202's ``Retry-After``.
    """
    if not accepted.operation_id:
        return None
    operation_id = accepted.operation_id

    def fetch() -> tuple[m.MemoryOperation | m.ConversationsOperation, float | None]:
        polled: Fetched[m.MemoryOperation] | Fetched[m.ConversationsOperation] = client.get_operation(
            operation_id
        )
        return polled.value, polled.retry_after

    return poll(
        fetch,
        ready=lambda op: op.status == m.OperationStatus.COMPLETED.value,
        failed=_operation_reason,
        describe=lambda op: f"operation {op.operation_id} {op.status}",
        what=f"{what} (operation {operation_id}) to complete",
        deadline=deadline,
        resource_id=resource_id,
        hint=hint,
        backoff=backoff,
        first_wait=first_poll_wait(accepted.retry_after, backoff),
    )


def _describe_store(found: Fetched[m.Store] | None) -> str:
    if found is None:
        return "store not found"
    store = found.value
    return f"store {store.id} ({store.display_name!r}) status {store.status}, version {store.version}"


def wait_store_ready(
    client: MemoryClient,
    store_id: str,
    *,
    deadline: Deadline,
    hint: str = "",
    backoff: Backoff | None = None,
    created: bool = False,
) -> Fetched[m.Store]:
    """Poll a store until ACTIVE (returned with its ETag); FAILED raises. A store that disappears
    while being provisioned raises NotFoundError.

    ``created``: the store was just created (its create operation completes while it is QUEUED),
    so the first look waits the first interval and polls follow :data:`PROVISIONING_BACKOFF`
    (unless ``backoff`` is given); otherwise the first look is at once (an existing store is
    usually ACTIVE already) and polls follow :data:`DEFAULT_BACKOFF`.
    """
    if backoff is None:
        backoff = PROVISIONING_BACKOFF if created else DEFAULT_BACKOFF

    def fetch() -> tuple[Fetched[m.Store], float | None]:
        found = client.get_store(store_id)
        return found, found.retry_after

    def failed(found: Fetched[m.Store]) -> str | None:
        if found.value.status == m.StoreStatus.FAILED.value:
            return f"store {store_id} reached status FAILED (provisioning of its dependencies failed)"
        return None

    return poll(
        fetch,
        ready=lambda found: found.value.status == m.StoreStatus.ACTIVE.value,
        failed=failed,
        describe=_describe_store,
        what=f"store {store_id} to become ACTIVE",
        deadline=deadline,
        resource_id=store_id,
        hint=hint,
        backoff=backoff,
        first_wait=backoff.initial if created else 0.0,
    )


def wait_gone(
    find: Callable[[], T | None],
    *,
    what: str,
    describe: Callable[[T | None], str],
    deadline: Deadline,
    resource_id: str | None = None,
    hint: str = "",
    backoff: Backoff = DEFAULT_BACKOFF,
) -> None:
    """Poll ``find`` (None = gone, i.e. a 404) until the resource is gone."""
    poll(
        lambda: (find(), None),
        ready=lambda found: found is None,
        describe=describe,
        what=what,
        deadline=deadline,
        resource_id=resource_id,
        hint=hint,
        backoff=backoff,
    )


def wait_store_deleted(
    client: MemoryClient,
    store_id: str,
    *,
    deadline: Deadline,
    hint: str = "",
    backoff: Backoff = DEFAULT_BACKOFF,
) -> None:
    """Poll until GET of the store answers 404."""
    wait_gone(
        lambda: client.find_store(store_id),
        what=f"store {store_id} to be deleted",
        describe=_describe_store,
        deadline=deadline,
        resource_id=store_id,
        hint=hint,
        backoff=backoff,
    )

"""Lifecycle steps that several resources take the same way (one place for each):

* :func:`post_once`: a create's POST that is never blindly repeated after an unclear answer, the
  resource looked up by its display name instead (stores, trait groups, data mappings).
* :func:`write_conditionally`: one ``If-Match`` write, its operation waited for, the resource read
  back; a 412 that is our own earlier attempt is settled (stores, trait groups, data mappings,
  identity resolution settings).
* :func:`deleted`: a delete's operation waited for, where one that failed because the resource's
  store went first is success all the same (trait groups, data mappings).
* :func:`name_taken`: the refusal of a create whose display name an existing resource holds,
  naming ``aliases`` first, then ``adopt=True`` and ``import_`` (every resource with a name).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from twilio_memory_api.client import Accepted, ConversationsClient, Fetched, MemoryClient
from twilio_memory_api.errors import (
    AlreadyExistsError,
    BadRequestError,
    ConflictError,
    OperationFailedError,
    OperationTimeoutError,
    PreconditionFailedError,
    ServerError,
    TransportError,
)
from twilio_memory_api.operations import DEFAULT_BACKOFF, Deadline, settle_own_write, wait_operation

__all__ = ["CREATE_ATTEMPTS", "Existing", "deleted", "name_taken", "post_once", "write_conditionally"]

log = logging.getLogger("pulumi_twilio_memory")

#: POSTs of one create at most: when an answer leaves it unknown whether the resource was made, or
#: (Conversations configurations) a replayed answer names one deleted since.
CREATE_ATTEMPTS = 3

#: What adopting does to a resource, as most name-taken messages say it.
UPDATED_TO_MATCH = (
    "it is updated to match, and within the same `pulumi up` no delete of an old resource name removes it"
)

V = TypeVar("V")


class _Versioned(Protocol):
    @property
    def version(self) -> int: ...


#: A resource whose writes are settled by its version (see :func:`write_conditionally`).
W = TypeVar("W", bound=_Versioned)


@dataclass(frozen=True)
class Existing(Generic[V]):
    """What :func:`post_once` found holding the display name instead of a POST's answer."""

    found: Fetched[V]
    #: True when an earlier POST of this create, left unanswered, made it.
    ours: bool


def post_once(
    post: Callable[[], Accepted],
    find: Callable[[], Fetched[V] | None],
    *,
    kind: str,
    name: str,
    deadline: Deadline,
    using: Callable[[Fetched[V]], str] | None = None,
    attempts: int = CREATE_ATTEMPTS,
    explain: Callable[[ConflictError | BadRequestError], Exception] | None = None,
    await_holder: Callable[[], Fetched[V] | None] | None = None,
) -> Accepted | Existing[V]:
    """POST a create of the ``kind`` named ``name``; crash-safe: the POST's answer, or the resource
    ``find`` (by display name) says holds the name.

    A POST that got no clear answer (5xx, dropped connection) is never blindly repeated: when
    ``find`` shows the resource it is ours (logged, naming it by ``using``, else "it"); only when
    it does not exist is it POSTed again (``attempts`` POSTs at most, else the last error is
    raised; past ``deadline`` an :class:`OperationTimeoutError` says how to recover). A refusal
    after an unanswered POST is looked up: the resource found is ours, and a taken name held by
    nothing visible yet is our own create still being applied, waited for. Otherwise a taken name
    is the resource ``find`` shows, else the one ``await_holder`` waits to show (someone's create
    still pending); any other refusal, and a taken name nothing shows, is raised as the API gave
    it, or as ``explain`` rewords it.
    """
    delays = DEFAULT_BACKOFF.delays()
    unanswered = 0  # POSTs of this call without a clear answer: each may have been applied
    while True:
        try:
            return post()
        except (TransportError, ServerError):
            unanswered += 1
            # Unknown whether the resource was made: use it if it exists, else POST again.
            found = find()
            if found is not None:
                shown = using(found) if using is not None else "it"
                log.info("%s %r exists after an unanswered create: using %s", kind, name, shown)
                return Existing(found, ours=True)
            if unanswered >= attempts:
                raise
            _pause_for_own_create(kind, deadline, delays)
            continue
        except (ConflictError, BadRequestError) as exc:
            found = find() if exc.name_taken or unanswered else None
            if unanswered and found is not None:
                return Existing(found, ours=True)  # made by our own earlier, unanswered POST
            if unanswered and exc.name_taken:
                # The name is held by a create still being applied: ours. Wait for it to show.
                _pause_for_own_create(kind, deadline, delays)
                continue
            if found is None and exc.name_taken and await_holder is not None:
                found = await_holder()
            if found is None:
                if explain is None:
                    raise
                raise explain(exc) from None
            return Existing(found, ours=False)


def _pause_for_own_create(kind: str, deadline: Deadline, delays: Iterator[float]) -> None:
    """Back off before the next look for (or POST of) an unanswered create; when time is up, say
    how to recover instead."""
    if deadline.remaining() <= 0:
        raise OperationTimeoutError(
            f"Timed out after {deadline.elapsed():.1f}s waiting for an unanswered {kind} create to show. "
            f"Run `pulumi refresh`, then `pulumi up` again (it finds the {kind} by its display name).",
            waited=deadline.elapsed(),
        )
    deadline.pause(delays)


def write_conditionally(
    client: MemoryClient | ConversationsClient,
    write: Callable[[], Accepted],
    fetch: Callable[[], Fetched[W]],
    applied: Callable[[W], bool],
    *,
    what: str,
    resource_id: str,
    recorded: int | None,
    deadline: Deadline,
) -> Fetched[W]:
    """``write`` (conditional on the recorded ETag), wait for its operation (``what`` names the
    change), then ``fetch`` the resource for its new ETag. A 412 is settled by
    :func:`~twilio_memory_api.operations.settle_own_write`: the live resource when it shows our
    write (``applied``; ``recorded`` is the version last recorded), else the 412 is raised."""
    try:
        accepted = write()
    except PreconditionFailedError as exc:
        # A retry after a lost answer meets the ETag our own first attempt moved on.
        return settle_own_write(fetch, applied, recorded=recorded, conflict=exc, deadline=deadline)
    wait_operation(client, accepted, what=what, deadline=deadline, resource_id=resource_id)
    return fetch()


def name_taken(
    kind: str,
    name: str,
    existing_id: str,
    *,
    where: str,
    resource: str,
    noun: str,
    takeover: str = UPDATED_TO_MATCH,
    note: str = "",
    set_on: str | None = None,
) -> AlreadyExistsError:
    """The refusal of a create: a ``kind`` named ``name`` already exists (``where``: in which
    store, its id) and this stack did not create it. Says what to do: an alias when the
    ``resource`` (its class name) was renamed in the program, else adopt the ``noun`` (adopt=True or
    import_ = ``existing_id``, set ``set_on`` the resource, by default " on this <resource>"; what
    that does: ``takeover``), or another display name. ``note`` follows the first sentence."""
    on = f" on this {resource}" if set_on is None else set_on
    finding = (
        f"A {kind} named {name!r} already exists {where} and no resource of this stack created it.{note}"
    )
    return AlreadyExistsError(
        f"{finding} "
        f"If you renamed this {resource} in your program (its resource name or parent changed), add "
        "`opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name='<old name>')])` so Pulumi moves it "
        f"instead of creating it again. Otherwise, to manage the existing {noun} with Pulumi, set "
        f"adopt=True (or import_='{existing_id}'){on}: {takeover}. Or choose another display_name.",
        existing_id=existing_id,
        finding=finding,
    )


def deleted(
    client: MemoryClient,
    accepted: Accepted,
    *,
    what: str,
    resource_id: str,
    deadline: Deadline,
    exists: Callable[[], bool],
) -> None:
    """Wait for the operation of a delete ``client`` accepted. When the operation fails but the
    resource no longer ``exists`` (its store was deleted while this delete was under way: a destroy
    of a program that does not say the resource depends on its store), the desired end state was
    reached all the same; any other failure is raised."""
    try:
        wait_operation(client, accepted, what=what, deadline=deadline, resource_id=resource_id)
    except OperationFailedError:
        if exists():
            raise
        log.info("%s: its operation failed, but it is gone (its store went first)", what)

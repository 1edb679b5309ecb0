"""``Store``: a Conversation Memory store, usually one per client/tenant.

The core (every resource file has this shape): ``StoreInputs`` (what ``check`` validates) and
``StoreProvider`` (its lifecycle); ``StoreArgs`` and ``Store`` are its dynamic face
(:mod:`pulumi_twilio_memory.dynamic.store`).

* **check**: ``display_name`` 1-64 letters, digits or ``-``; ``description`` 1-128 characters;
  ``adopt`` a bool. Offline; unknowns skipped.
* **diff**: ``display_name`` and ``description`` update in place. Omitting ``description`` leaves
  the live one alone (the API cannot clear it). ``adopt`` only matters at create.
* **create**: POST, wait for the operation (its first poll after half the 202's ``Retry-After``),
  then for ACTIVE (the store is QUEUED when the operation completes: the first look comes a
  second later, see ``PROVISIONING_BACKOFF``). The display name is unique per account, so a
  taken name is a conflict, resolved by looking the name up. Taken and not
  ``adopt``: fail, naming ``aliases`` (a renamed resource) first, then ``adopt=True`` and
  ``import_``. Taken and ``adopt=True``: take the store over and update it to match.
  ``import_=ID``: take over exactly that store. A POST that got no clear answer (connection
  dropped, 5xx) is never blindly repeated: the store is looked up by name first, and a refusal of
  the next POST for the taken name means our own first POST is still being applied: wait for it.
  A store that ends FAILED is deleted again (so the next ``pulumi up`` can retry) and the error
  carries the API's reason.
* **replace**: delete first (``delete_before_replace`` defaults to true: a display name cannot
  exist twice, and ``pulumi up --replace`` never asks the provider).
* **read**: live values projected onto the inputs; 404 = gone; any other error is an error.
* **update**: PATCH with ``If-Match`` = the ETag recorded at the last create/read/update; a 412
  means someone changed the store outside Pulumi (``pulumi refresh``, then retry), unless the store
  shows (or, after a lost answer, comes to show) the new values: a retry meeting the ETag its own
  first attempt moved on.
* **delete**: DELETE, then wait until GET answers 404; already gone is success. A store that a
  create or update of this deployment holds under another resource name (renamed and adopted) is
  left alone: only the old state entry goes (see ``_deployment``).
"""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any

from twilio_memory_api import models as m
from twilio_memory_api.client import Accepted, Fetched, MemoryClient
from twilio_memory_api.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    OperationFailedError,
    TwilioMemoryError,
)
from twilio_memory_api.operations import (
    DEFAULT_BACKOFF,
    Deadline,
    wait_operation,
    wait_store_deleted,
    wait_store_ready,
)

from . import _calls, _deployment
from ._base import BaseProvider, memory_client, new_deadline
from ._dynamic import face_classes
from ._lifecycle import Existing, name_taken, post_once, write_conditionally
from ._results import CreateResult, ReadResult, UpdateResult

__all__ = ["StoreInputs", "StoreProvider"]

log = logging.getLogger("pulumi_twilio_memory")


class StoreInputs(m.StoreCreate):
    """What ``check`` validates: the create body plus provider-only inputs."""

    adopt: bool = False


class StoreProvider(BaseProvider):
    """CRUD for stores. No attributes: it is pickled into the state of every Store."""

    kind = "store"
    inputs_model = StoreInputs
    #: A replacement deletes first (also `pulumi up --replace`, which never asks the provider).
    delete_before_replace = True
    output_fields = ("status", "version", "intelligence_service_id", "data_as_of", "etag")
    create_only_fields = frozenset({"adopt"})
    unmanaged_when_absent = frozenset({"description"})
    field_hints = {
        "display_name": "use 1-64 letters, digits or '-', unique in the account (e.g. 'client-acme')",
        "description": "use 1-128 characters",
        "adopt": "use true or false",
    }

    # -- create --------------------------------------------------------------------------------

    @_calls.create
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs: StoreInputs = self.parse(props)
        client = memory_client()
        deadline = new_deadline()
        import_id = self.import_id(props)
        if import_id is not None:  # import_=ID: adopt exactly that store
            imported = client.find_store(import_id)
            if imported is None:
                raise self.not_importable(import_id)
            found = self._adopt(client, imported, inputs, deadline)
            return CreateResult(self.claim(found.value.id), _outs(found, inputs.adopt))
        # POST first: display names are unique, so a taken name comes back as a conflict, which
        # _post resolves by name (adopt, or refuse explaining aliases and adopt=True). Looking the
        # name up before every create would fetch every store of the account: O(N) calls per store.
        made = self._post(client, inputs, deadline)
        if isinstance(made, str):  # ours: wait for it, and delete it again if it FAILED
            found = self._wait_ready(client, made, inputs.display_name, deadline, cleanup=True)
        else:  # the name was taken and adopt=True
            found = self._adopt(client, made, inputs, deadline)
        return CreateResult(self.claim(found.value.id), _outs(found, inputs.adopt))

    def import_id_problem(self, inputs: dict[str, Any], import_id: str) -> str | None:
        if re.match(m.STORE_ID_PATTERN, import_id):
            return None
        return f"{import_id!r} is not a store id: import_ takes the id of an existing store (mem_store_...)"

    def _post(self, client: MemoryClient, inputs: StoreInputs, deadline: Deadline) -> str | Fetched[m.Store]:
        """POST the store and follow its operation; crash-safe (see module doc).

        Returns the id of the store this call made, or (only when ``adopt``) the store that
        already has the name.
        """
        name = inputs.display_name
        body = m.StoreCreate(display_name=name, description=inputs.description)
        posted = post_once(
            partial(client.create_store, body),
            partial(client.find_store_by_display_name, name),
            kind=self.kind,
            name=name,
            deadline=deadline,
            using=lambda found: found.value.id,
            explain=_explained,  # a real rule (e.g. the 15-store limit)
            await_holder=partial(_await_holder, client, name, deadline),  # someone's create, pending
        )
        if not isinstance(posted, Existing):
            return self._created_id(client, posted, name, deadline)
        if posted.ours:
            return posted.found.value.id
        if not inputs.adopt:
            store = posted.found.value
            raise name_taken(
                self.kind,
                store.display_name,
                store.id,
                where=f"({store.id}, status {store.status})",
                resource="Store",
                noun="store",
                takeover="it is taken over and updated to match, and within the same `pulumi up` "
                "no delete of an old resource name removes it",
            ) from None
        return posted.found

    def _created_id(self, client: MemoryClient, accepted: Accepted, name: str, deadline: Deadline) -> str:
        try:
            operation = wait_operation(
                client,
                accepted,
                what=f"creation of store {name!r}",
                deadline=deadline,
                hint=f"Find the store by its display name {name!r}; once it is ACTIVE, run `pulumi up` "
                "with adopt=True on this Store to take it over.",
            )
        except OperationFailedError as exc:
            leftover = client.find_store_by_display_name(name)
            raise _with_cleanup(client, exc, leftover.value.id if leftover else None, deadline) from None
        result = getattr(operation, "result", None)
        if result is not None and result.id:
            return str(result.id)
        result_url = getattr(operation, "result_url", None)
        if result_url:
            return str(result_url).rstrip("/").rsplit("/", 1)[-1]
        found = client.find_store_by_display_name(name)
        if found is None:
            raise TwilioMemoryError(
                f"Creating store {name!r} reported success but no store with that display name exists. "
                "Run `pulumi up` again; if it persists, check the store in the Twilio Console."
            )
        return found.value.id

    def _wait_ready(
        self, client: MemoryClient, store_id: str, name: str, deadline: Deadline, *, cleanup: bool
    ) -> Fetched[m.Store]:
        """Wait for ACTIVE. ``cleanup``: the store is ours, so delete it if it ends FAILED (a store
        being adopted is never deleted); being ours, it was just created (QUEUED when its create
        operation completed), so the first look waits a step of the provisioning cadence."""
        try:
            return wait_store_ready(
                client,
                store_id,
                deadline=deadline,
                created=cleanup,
                hint=f"The store exists but is not recorded in the Pulumi state. Once it is ACTIVE, run "
                f"`pulumi up` with adopt=True on this Store (display name {name!r}) to take it over, or "
                "raise twilio-memory:operationTimeout.",
            )
        except OperationFailedError as exc:
            if not cleanup:
                raise
            raise _with_cleanup(client, exc, store_id, deadline) from None

    def _adopt(
        self, client: MemoryClient, existing: Fetched[m.Store], inputs: StoreInputs, deadline: Deadline
    ) -> Fetched[m.Store]:
        """Take over an existing store and make it match the inputs."""
        store = existing.value
        if store.status == m.StoreStatus.FAILED.value:
            raise OperationFailedError(
                f"Cannot adopt store {store.id} ({store.display_name!r}): its status is FAILED. Delete it "
                "in the Twilio Console (or with the API) and run `pulumi up` again to create a new one.",
                resource_id=store.id,
                last_seen=f"status {store.status}",
                reason="store is FAILED",
            )
        found = self._wait_ready(client, store.id, store.display_name, deadline, cleanup=False)
        update = m.StoreUpdate(
            display_name=inputs.display_name if found.value.display_name != inputs.display_name else None,
            description=inputs.description if found.value.description != inputs.description else None,
        )
        if update.display_name is not None or update.description is not None:
            found = self._patch(client, store.id, update, found.etag, deadline)
        log.info("adopted store %s (%r)", store.id, store.display_name)
        return found

    # -- read / update / delete ----------------------------------------------------------------

    @_calls.read
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_found(id_, props, memory_client().find_store(id_), _outs)

    @_calls.update
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs: StoreInputs = self.parse(news)
        client = memory_client()
        deadline = new_deadline()
        changed = set(self.changed_properties(olds, news))
        update = m.StoreUpdate(
            display_name=inputs.display_name if "display_name" in changed else None,
            description=inputs.description if "description" in changed else None,
        )
        if update.display_name is None and update.description is None:
            found = wait_store_ready(client, id_, deadline=deadline)
        else:
            found = self._patch(client, id_, update, olds.get("etag"), deadline, version=olds.get("version"))
        self.claim(id_)
        return UpdateResult(_outs(found, inputs.adopt))

    def _patch(
        self,
        client: MemoryClient,
        store_id: str,
        update: m.StoreUpdate,
        etag: str | None,
        deadline: Deadline,
        *,
        version: int | None = None,
    ) -> Fetched[m.Store]:
        """PATCH (conditional on ``etag``), wait for the operation, then for the store to be ACTIVE."""

        def write() -> Accepted:
            try:
                return client.update_store(store_id, update, if_match=etag)
            except NotFoundError as exc:
                raise exc.reworded(
                    f"Store {store_id} no longer exists: it was deleted outside Pulumi. Run `pulumi refresh` "
                    "to drop it from the state, then `pulumi up` to create it again."
                ) from None

        return write_conditionally(
            client,
            write,
            partial(wait_store_ready, client, store_id, deadline=deadline),
            partial(_applied, update=update),
            what=f"update of store {store_id}",
            resource_id=store_id,
            recorded=version,
            deadline=deadline,
        )

    @_calls.step
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if self.held_by_another(id_):
            return
        client = memory_client()
        deadline = new_deadline()
        try:
            accepted = client.delete_store(id_)
        except NotFoundError:
            return  # already gone: the desired end state
        wait_operation(client, accepted, what=f"deletion of store {id_}", deadline=deadline, resource_id=id_)
        wait_store_deleted(client, id_, deadline=deadline)
        _deployment.retire(self.kind, id_)


def _outs(found: Fetched[m.Store], adopt: bool) -> dict[str, Any]:
    store = found.value
    return {
        "display_name": store.display_name,
        "description": store.description,
        "adopt": adopt,
        "status": store.status,
        "version": store.version,
        "intelligence_service_id": store.intelligence_service_id,
        "data_as_of": store.data_as_of,
        "etag": found.etag,
    }


def _applied(store: m.Store, update: m.StoreUpdate) -> bool:
    """The live store already has every value ``update`` sets."""
    return (update.display_name is None or store.display_name == update.display_name) and (
        update.description is None or store.description == update.description
    )


def _explained(exc: ConflictError | BadRequestError) -> TwilioMemoryError:
    """The API's refusal of a store create, with what to do when it is the per-account limit."""
    if "limit" not in exc.api_message.lower():
        return exc
    return exc.reworded(
        f"{exc} An account holds at most {m.MAX_STORES_PER_ACCOUNT} memory stores: put further tenants "
        "in another Twilio account (a stack per account, see the multi-account example), or ask Twilio "
        "for a higher limit. TenantMemory programs (the fleet) check this count in `pulumi preview`."
    )


#: How long a create refused for a taken name waits for the store holding it to show (a store
#: being created is invisible until its operation completes).
PENDING_NAME_SECONDS = 10.0


def _await_holder(client: MemoryClient, name: str, deadline: Deadline) -> Fetched[m.Store] | None:
    """The store that holds ``name`` once it shows, or None if none shows within a short while."""
    delays = DEFAULT_BACKOFF.delays()
    window = deadline.within(PENDING_NAME_SECONDS)
    while window.remaining() > 0:
        window.pause(delays)
        found = client.find_store_by_display_name(name)
        if found is not None:
            return found
    return None


def _with_cleanup(
    client: MemoryClient, exc: OperationFailedError, store_id: str | None, deadline: Deadline
) -> OperationFailedError:
    """Delete a store that failed to provision, so a retry can reuse its name; say what happened."""
    if store_id is None:
        return exc
    try:
        found = client.find_store(store_id)
        if found is not None:
            accepted = client.delete_store(store_id)
            wait_operation(
                client,
                accepted,
                what=f"deletion of failed store {store_id}",
                deadline=deadline,
                resource_id=store_id,
            )
            wait_store_deleted(client, store_id, deadline=deadline)
        note = f" The failed store {store_id} was deleted, so the next `pulumi up` can create it again."
    except TwilioMemoryError as cleanup_error:
        note = (
            f" The failed store {store_id} could not be deleted ({cleanup_error}); delete it in the "
            "Twilio Console before running `pulumi up` again."
        )
    return OperationFailedError(
        f"{exc}{note}", resource_id=store_id, last_seen=exc.last_seen, reason=exc.reason
    )


#: The dynamic face's classes of this resource, importable from here as before they moved.
__getattr__ = face_classes(__name__, dict.fromkeys(("Store", "StoreArgs"), "store"))

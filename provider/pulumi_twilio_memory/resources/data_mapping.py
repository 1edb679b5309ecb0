"""``DataMapping``: where a memory store's traits are filled from (ingested columns or a dataset).

The core (every resource file has this shape): ``DataMappingInputs`` (what ``check`` validates) and
``DataMappingProvider`` (its lifecycle); ``DataMappingArgs`` and ``DataMapping`` are its dynamic
face (:mod:`pulumi_twilio_memory.dynamic.data_mapping`).

* **check**: ``display_name`` 1-64 letters, digits, ``-`` or ``.``, starting with a letter;
  ``description`` 1-512 characters; ``mapping_from`` one of three shapes: ``type`` INGRESS with
  1-100 ``columns`` (each 1-256 characters), or DATASET_CLOUDAPP / DATASET_WAREHOUSE with a
  ``dataset_id`` (``tdi_dataset_…``), never the other shape's field; ``mapping_to`` 1-100 mappings
  of an ``expression`` (1-256 characters) into a ``trait_name`` of a ``trait_group``. Offline;
  unknowns (preview) skipped. ``mapping_to`` may be the list of mappings alone (its ``type`` is
  TRAITS, the only one), keys may be snake_case or the API's camelCase, types in any case, and a
  ``trait_name`` is recorded as the API stores trait names (lowerCamelCase: ``FirstName`` ->
  ``firstName``): the state records one canonical spelling, so none of that is a diff.
* **diff**: ``store_id`` and ``mapping_from`` replace (the API cannot change where a mapping
  reads from). A replacement in the same store deletes the old mapping first
  (``delete_before_replace`` defaults to true: the display name is unique in a store). Everything
  else updates in place, ``display_name`` included. Omitting ``description`` leaves the live one
  alone; omitting ``is_enabled`` means true (the API's default); ``adopt`` only matters at create.
* **create**: POST, wait for the operation, read the mapping its result names. A display name
  already taken in the store fails with a message naming ``aliases`` (a renamed resource) first,
  then ``adopt=True``; with ``adopt=True`` the mapping is taken over and patched to match (unless
  it reads from another source: that cannot change); ``import_`` takes over exactly the mapping
  its id (``<storeId>/<dataMappingId>``) names. A POST that got no clear answer (5xx, dropped
  connection) is never blindly repeated: the mapping is looked up by display name, and only when
  it does not exist is it POSTed again (3 tries); a conflict on that retry is our own first POST
  still being applied, waited for. For the DATASET types Twilio checks that the target traits
  exist: make the mapping depend on its trait groups (``trait_group=group.display_name``).
* **read**: live values projected onto the inputs; 404 (mapping or store gone) = gone.
* **update**: one PATCH with ``If-Match`` = the ETag recorded at the last create/read/update,
  carrying only what changed (``mapping_to`` whole: the API replaces it). A 412 means the mapping
  changed outside Pulumi (``pulumi refresh``, then retry), unless the live mapping already shows
  our change (a retry after a lost answer).
* **delete**: DELETE and wait; already gone is success; a mapping this deployment holds under
  another resource name is left alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import partial
from typing import Any

from twilio_memory_api import models as m
from twilio_memory_api.client import Accepted, Fetched, MemoryClient
from twilio_memory_api.errors import NotFoundError, TwilioMemoryError
from twilio_memory_api.operations import Deadline, wait_operation

from . import _calls, _deployment
from ._base import BaseProvider, memory_client, new_deadline
from ._dynamic import face_classes
from ._ids import child_id, split_child_id
from ._lifecycle import Existing, deleted, name_taken, post_once, write_conditionally
from ._results import CreateResult, DiffResult, ReadResult, UpdateResult
from ._values import known_str, snake_keys

__all__ = [
    "DataMappingInputs",
    "DataMappingProvider",
]

log = logging.getLogger("pulumi_twilio_memory")


class DataMappingInputs(m.DataMappingCreate):
    """What ``check`` validates: the create body plus the store and provider-only inputs."""

    store_id: m.StoreId
    adopt: bool = False


# -- canonical spelling -------------------------------------------------------------------------


def canonical_source(source: Any) -> Any:
    """One spelling of ``mapping_from``: snake_case keys, upper-case ``type``, ``None`` dropped.
    Tolerant: anything malformed is left for check."""
    if not isinstance(source, Mapping):
        return source
    out = snake_keys(source)
    if known_str(out.get("type")):
        out["type"] = out["type"].upper()
    return out


def _canonical_item(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return item
    out = snake_keys(item)
    if known_str(out.get("trait_name")):
        out["trait_name"] = m.normalize_trait_name(out["trait_name"]) or out["trait_name"]
    return out


def canonical_targets(targets: Any) -> Any:
    """One spelling of ``mapping_to``: ``{"type": "TRAITS", "mappings": [...]}`` (a bare list of
    mappings is wrapped), snake_case keys, trait names as the API stores them."""
    if isinstance(targets, list | tuple):
        targets = {"mappings": targets}
    if not isinstance(targets, Mapping):
        return targets
    out = snake_keys(targets)
    out["type"] = out["type"].upper() if known_str(out.get("type")) else out.get("type", "TRAITS")
    if isinstance(out.get("mappings"), list | tuple):
        out["mappings"] = [_canonical_item(item) for item in out["mappings"]]
    return out


def canonical_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(inputs)
    if "mapping_from" in out:
        out["mapping_from"] = canonical_source(out["mapping_from"])
    if "mapping_to" in out:
        out["mapping_to"] = canonical_targets(out["mapping_to"])
    return out


# -- the provider -------------------------------------------------------------------------------


def _split_id(id_: str) -> tuple[str, str]:
    """``storeId/dataMappingId`` -> parts."""
    return split_child_id(id_, kind="data mapping", part="dataMappingId", example="mem_datamapping_01h…")


class DataMappingProvider(BaseProvider):
    """CRUD for data mappings. No attributes: it is pickled into the state of every DataMapping."""

    kind = "data mapping"
    inputs_model = DataMappingInputs
    #: A replacement deletes first (also `pulumi up --replace`, which never asks the provider).
    delete_before_replace = True
    output_fields = ("data_mapping_id", "version", "etag", "created_at", "updated_at")
    replace_fields = frozenset({"store_id", "mapping_from"})
    create_only_fields = frozenset({"adopt"})
    unmanaged_when_absent = frozenset({"description"})
    field_hints = {
        "store_id": "use a memory store id such as mem_store_01h..., usually `store.id`",
        "display_name": "use 1-64 letters, digits, '-' or '.', starting with a letter, unique in the store",
        "description": f"use 1-{m.DATA_MAPPING_DESCRIPTION_MAX} characters",
        "mapping_from": "use {type: INGRESS, columns: [...]} or {type: DATASET_CLOUDAPP or "
        "DATASET_WAREHOUSE, dataset_id: 'tdi_dataset_...'}",
        "mapping_to": f"map into 1-{m.MAX_TRAIT_MAPPINGS} traits: a list of "
        "{expression, trait_group, trait_name}",
        "*.columns": f"an INGRESS mapping reads 1-{m.MAX_MAPPING_COLUMNS} columns of 1-"
        f"{m.MAPPING_COLUMN_MAX} characters",
        "*.dataset_id": "use a dataset id such as tdi_dataset_01h...",
        "*.mappings": f"map into 1-{m.MAX_TRAIT_MAPPINGS} traits",
        "*.expression": f"use 1-{m.MAPPING_EXPRESSION_MAX} characters, e.g. '$.tier'",
        "*.trait_group": "use the display_name of a trait group of the store, usually `group.display_name`",
        "*.trait_name": "use a trait of that group as the API stores it: lowerCamelCase, at most "
        f"{m.MAPPING_TRAIT_NAME_MAX} characters",
        "is_enabled": "use true or false",
        "adopt": "use true or false",
    }

    # -- check / diff ----------------------------------------------------------------------------

    def prepare(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Check records (and parse validates) the canonical spelling of source and targets."""
        return canonical_inputs(props)

    def normalize(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = canonical_inputs(inputs)
        out.setdefault("is_enabled", True)
        return {k: v for k, v in out.items() if v is not None}

    @_calls.step
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A replacement within one store deletes first: the display name is unique in a store."""
        result = super().diff(_id, olds, news)
        if result.replaces:
            result.delete_before_replace = "store_id" not in result.replaces
        return result

    def import_id_problem(self, inputs: dict[str, Any], import_id: str) -> str | None:
        store_id, _, mapping_id = import_id.partition("/")
        if store_id == inputs.get("store_id") and re.match(m.DATA_MAPPING_ID_PATTERN, mapping_id):
            return None
        return (
            f"{import_id!r} does not name a data mapping of this store: import_ takes "
            f"'<storeId>/<dataMappingId>', here '{inputs.get('store_id')}/mem_datamapping_...'"
        )

    # -- create ----------------------------------------------------------------------------------

    @_calls.create
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs: DataMappingInputs = self.parse(props)
        store_id = inputs.store_id
        client = memory_client()
        deadline = new_deadline()
        import_id = self.import_id(props)
        if import_id is not None:  # import_=ID: adopt exactly that mapping
            _, mapping_id = _split_id(import_id)
            existing = client.find_data_mapping(store_id, mapping_id)
            if existing is None:
                raise self.not_importable(import_id)
        else:
            # POST first: a taken display name comes back as a conflict, which _post resolves by
            # name (adopt, or refuse explaining aliases and adopt=True).
            made = self._post(client, inputs, deadline)
            if isinstance(made, str):  # ours
                found = client.get_data_mapping(store_id, made)
                return CreateResult(
                    self.claim(child_id(store_id, made)), _outs(store_id, found, inputs.adopt)
                )
            existing = made
        found = self._adopt(client, existing, inputs, deadline, imported=import_id is not None)
        mapping_id = self.claim(child_id(store_id, found.value.id))
        return CreateResult(mapping_id, _outs(store_id, found, inputs.adopt))

    def _post(
        self, client: MemoryClient, inputs: DataMappingInputs, deadline: Deadline
    ) -> str | Fetched[m.DataMapping]:
        """POST the mapping and follow its operation; crash-safe (see module doc).

        Returns the id of the mapping this call made, or the mapping that already has the name.
        """
        store_id, name = inputs.store_id, inputs.display_name
        body = m.DataMappingCreate.model_validate(
            inputs.model_dump(include=set(m.DataMappingCreate.model_fields))
        )
        # A refusal other than the taken name (the store is not ACTIVE, a target trait is missing)
        # is raised as the API gave it: its message says which.
        posted = post_once(
            partial(client.create_data_mapping, store_id, body),
            partial(client.find_data_mapping_by_display_name, store_id, name),
            kind=self.kind,
            name=name,
            deadline=deadline,
            using=lambda found: found.value.id,
        )
        if isinstance(posted, Existing):
            return posted.found.value.id if posted.ours else posted.found  # ours: an unanswered POST's
        return self._created_id(client, posted, inputs, deadline)

    def _created_id(
        self, client: MemoryClient, accepted: Accepted, inputs: DataMappingInputs, deadline: Deadline
    ) -> str:
        store_id, name = inputs.store_id, inputs.display_name
        operation = wait_operation(
            client,
            accepted,
            what=f"creation of data mapping {name!r} in store {store_id}",
            deadline=deadline,
            hint=f"Once it exists, run `pulumi up` with adopt=True on this DataMapping ({name!r}).",
        )
        result = getattr(operation, "result", None)
        if result is not None and result.id:
            return str(result.id)
        found = client.find_data_mapping_by_display_name(store_id, name)
        if found is None:
            raise TwilioMemoryError(
                f"Creating data mapping {name!r} in store {store_id} reported success but no mapping "
                "with that display name exists. Run `pulumi up` again."
            )
        return found.value.id

    def _adopt(
        self,
        client: MemoryClient,
        existing: Fetched[m.DataMapping],
        inputs: DataMappingInputs,
        deadline: Deadline,
        *,
        imported: bool = False,
    ) -> Fetched[m.DataMapping]:
        """Take over an existing mapping (only with ``adopt=True`` or ``import_``) and make it match
        the inputs; where it reads from cannot change, so a different source is refused."""
        store_id, name, live = inputs.store_id, inputs.display_name, existing.value
        full_id = child_id(store_id, live.id)
        if not inputs.adopt and not imported:
            raise name_taken(
                self.kind,
                name,
                full_id,
                where=f"in store {store_id} ({live.id})",
                resource="DataMapping",
                noun="mapping",
            )
        wanted = canonical_source(m.to_wire(inputs).get("mappingFrom"))
        if canonical_source(live.mapping_from) != wanted:
            raise TwilioMemoryError(
                f"Cannot take over data mapping {name!r} ({full_id}): it reads from "
                f"{_describe_source(live.mapping_from)}, the program says {_describe_source(wanted)}, and "
                "the API cannot change where a mapping reads from. Nothing was changed. Set mapping_from to "
                "what the mapping has (then change it in a later `pulumi up`: Pulumi replaces the mapping), "
                "or give this DataMapping another display_name."
            )
        log.info("adopting data mapping %r (%s) of store %s", name, live.id, store_id)
        found = self._converge(
            client,
            store_id,
            live.id,
            current=_outs(store_id, existing, False),
            inputs=inputs,
            etag=existing.etag,
            deadline=deadline,
        )
        return found or existing

    # -- read / update / delete ----------------------------------------------------------------

    @_calls.read
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        store_id, mapping_id = _split_id(id_)
        found = memory_client().find_data_mapping(store_id, mapping_id)  # None when it or its store is gone
        return self.read_found(id_, props, found, partial(_outs, store_id))

    @_calls.update
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs: DataMappingInputs = self.parse(news)
        store_id, mapping_id = _split_id(id_)
        client = memory_client()
        try:
            found = self._converge(
                client,
                store_id,
                mapping_id,
                current=olds,
                inputs=inputs,
                etag=olds.get("etag"),
                deadline=new_deadline(),
                version=olds.get("version"),
            )
        except NotFoundError as exc:
            raise exc.reworded(
                f"Data mapping {id_} no longer exists: it was deleted outside Pulumi. Run `pulumi refresh` "
                "to drop it from the state, then `pulumi up` to create it again."
            ) from None
        if found is None:
            found = client.get_data_mapping(store_id, mapping_id)
        self.claim(id_)
        return UpdateResult(_outs(store_id, found, inputs.adopt))

    def _converge(
        self,
        client: MemoryClient,
        store_id: str,
        mapping_id: str,
        *,
        current: Mapping[str, Any],
        inputs: DataMappingInputs,
        etag: str | None,
        deadline: Deadline,
        version: int | None = None,
    ) -> Fetched[m.DataMapping] | None:
        """Turn ``current`` (recorded or live outputs) into ``inputs``: one conditional PATCH of
        what differs, then the re-read mapping; None when nothing differs."""
        body = _patch(current, inputs)
        if body is None:
            return None
        return write_conditionally(
            client,
            partial(client.update_data_mapping, store_id, mapping_id, body, if_match=etag),
            partial(client.get_data_mapping, store_id, mapping_id),
            partial(_applied, body=body),
            what=f"update of data mapping {inputs.display_name!r} ({mapping_id}) of store {store_id}",
            resource_id=child_id(store_id, mapping_id),
            recorded=version,
            deadline=deadline,
        )

    @_calls.step
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if self.held_by_another(id_):
            return
        store_id, mapping_id = _split_id(id_)
        client = memory_client()
        try:
            accepted = client.delete_data_mapping(store_id, mapping_id)
        except NotFoundError:
            return  # already gone (or its store is): the desired end state
        deleted(
            client,
            accepted,
            what=f"deletion of data mapping {mapping_id} of store {store_id}",
            resource_id=id_,
            deadline=new_deadline(),
            exists=lambda: client.find_data_mapping(store_id, mapping_id) is not None,
        )
        _deployment.retire(self.kind, id_)


def _describe_source(source: Any) -> str:
    source = canonical_source(source) or {}
    if source.get("type") == m.DataMappingType.INGRESS.value:
        return f"INGRESS columns {source.get('columns')}"
    return f"{source.get('type')} dataset {source.get('dataset_id')}"


def _patch(current: Mapping[str, Any], inputs: DataMappingInputs) -> m.DataMappingPatch | None:
    """The PATCH body turning ``current`` (outputs: snake_case) into ``inputs``: only what differs
    (``description`` only when the program gives one), None when nothing does."""
    wanted = m.to_wire(inputs)
    fields: dict[str, Any] = {}
    if current.get("display_name") != inputs.display_name:
        fields["display_name"] = inputs.display_name
    if inputs.description is not None and current.get("description") != inputs.description:
        fields["description"] = inputs.description
    enabled = True if inputs.is_enabled is None else inputs.is_enabled
    if current.get("is_enabled", True) != enabled:
        fields["is_enabled"] = enabled
    if canonical_targets(current.get("mapping_to")) != canonical_targets(wanted["mappingTo"]):
        fields["mapping_to"] = wanted["mappingTo"]
    return m.DataMappingPatch.model_validate(fields) if fields else None


def _applied(mapping: m.DataMapping, body: m.DataMappingPatch) -> bool:
    """True when the live mapping already shows every change of a PATCH."""
    live = {
        "display_name": mapping.display_name,
        "description": mapping.description,
        "is_enabled": mapping.is_enabled,
        "mapping_to": canonical_targets(mapping.mapping_to),
    }
    wanted = body.model_dump(mode="json", exclude_none=True)
    if "mapping_to" in wanted:
        wanted["mapping_to"] = canonical_targets(wanted["mapping_to"])
    return all(live.get(key) == value for key, value in wanted.items())


def _outs(store_id: str, found: Fetched[m.DataMapping], adopt: bool) -> dict[str, Any]:
    mapping = found.value
    return {
        "store_id": store_id,
        "display_name": mapping.display_name,
        "description": mapping.description,
        "is_enabled": mapping.is_enabled,
        "mapping_from": canonical_source(mapping.mapping_from),
        "mapping_to": canonical_targets(mapping.mapping_to),
        "adopt": adopt,
        "data_mapping_id": mapping.id,
        "version": mapping.version,
        "etag": found.etag,
        "created_at": mapping.created_at,
        "updated_at": mapping.updated_at,
    }


#: The dynamic face's classes of this resource, importable from here as before they moved.
__getattr__ = face_classes(
    __name__,
    dict.fromkeys(
        ("DataMapping", "MappingFromArgs", "TraitMappingArgs", "MappingToArgs", "DataMappingArgs"),
        "data_mapping",
    ),
)

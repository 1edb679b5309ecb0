"""``TraitGroup``: a named set of trait definitions in a memory store.

The core (every resource file has this shape): ``TraitGroupInputs`` (what ``check`` validates) and
``TraitGroupProvider`` (its lifecycle); ``TraitGroupArgs`` and ``TraitGroup`` are its dynamic face
(:mod:`pulumi_twilio_memory.dynamic.trait_group`).

* **check**: ``display_name`` 1-64 letters, digits, ``_``, ``-`` or ``.``; ``description`` at most
  1024 characters; at most 95 traits; trait names are any text with a letter or digit, recorded
  as the API stores them (lowerCamelCase: ``FirstName`` -> ``firstName``), two names that become
  one refused; ``data_type`` one of STRING, NUMBER, BOOLEAN, ARRAY;
  a validation rule of the trait's own type with ``min <= max`` and a pattern that compiles.
  Offline; unknowns (preview) skipped. Trait definitions may be written in snake_case or the API's
  camelCase, ``data_type`` in any case, and ``validation_rule.rule_type`` may be left out (it is the
  trait's ``data_type``): the state records one canonical spelling, so none of that is a diff.
* **diff**: ``store_id`` and ``display_name`` replace (the API has no rename). A replacement
  deletes the old group first (``delete_before_replace`` defaults to true: a name is unique in a
  store and its traits cannot be in two groups at once). Traits the change removes are noted, so a
  group of the same store gaining one of them in this deployment waits for the removal.
  Omitting ``description`` leaves the live one alone; ``adopt`` only matters at create.
* **create**: one list of the store's groups (with traits) before the POST says both whether the
  group exists and whether a trait it wants is in another group (a group without traits is just
  POSTed: a taken name is refused, and then looked up). A group with this name already in the
  store (for instance the ``Contact`` group Twilio seeds into every store) fails with a message
  explaining ``adopt=True``; with ``adopt=True`` it is taken over and made to match, traits the
  program does not list included; ``import_`` takes over exactly the group its id names. A trait
  that lives in another group of the store is waited for when this deployment removes it there (a
  move), else fails before any write. A POST that got no clear answer (5xx, dropped connection) is
  never blindly repeated: the group is looked up by name, and only when it does not exist is it
  POSTed again (3 tries); a conflict on that retry is our own first POST still being applied,
  waited for.
* **read**: live values projected onto the inputs; 404 (group or store gone) = gone.
* **update**: one PATCH with ``If-Match`` = the ETag recorded at the last create/read/update: added
  and changed traits as full definitions, removed traits as ``{"dataType": ""}``. A 412 means the
  group changed outside Pulumi (``pulumi refresh``, then retry).
* **delete**: DELETE and wait; already gone is success; a group this deployment holds under another
  resource name is left alone. A 409 because data mappings still map into the group waits a
  moment for them to go (a destroy deleting them in parallel), then fails naming them and saying
  how to make each mapping depend on the group. The store's seeded ``Contact`` group cannot be
  deleted: destroying an adopted ``Contact`` only removes it from the state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from twilio_memory_api import models as m
from twilio_memory_api.client import Fetched, MemoryClient
from twilio_memory_api.errors import ConflictError, NotFoundError, TwilioMemoryError
from twilio_memory_api.operations import DEFAULT_BACKOFF, Deadline, wait_operation

from . import _calls, _deployment
from ._base import BaseProvider, is_unknown, memory_client, new_deadline
from ._dynamic import face_classes
from ._ids import child_id, split_child_id
from ._lifecycle import Existing, deleted, name_taken, post_once, write_conditionally
from ._results import CreateResult, DiffResult, ReadResult, UpdateResult
from ._values import known_str, snake_keys

__all__ = [
    "SEEDED_GROUP",
    "TraitGroupInputs",
    "TraitGroupProvider",
    "TraitMoveError",
]

log = logging.getLogger("pulumi_twilio_memory")

#: Twilio seeds this group into every new store; the API refuses to delete it.
SEEDED_GROUP = m.SEEDED_TRAIT_GROUP


class TraitGroupInputs(m.TraitGroupCreate):
    """What ``check`` validates: the create body plus the store and provider-only inputs."""

    store_id: m.StoreId
    adopt: bool = False


class TraitMoveError(TwilioMemoryError):
    """The program gives a group a trait that another group of the same store already has."""


# -- canonical spelling -------------------------------------------------------------------------


def _upper(value: Any) -> Any:
    return value.upper() if known_str(value) else value


def canonical_trait(trait: Any) -> Any:
    """One spelling of a trait definition: snake_case keys, upper-case types, ``rule_type``
    filled from ``data_type``, ``None`` dropped. Tolerant: anything malformed is left for check."""
    if not isinstance(trait, Mapping):
        return trait
    out = snake_keys(trait)
    if "data_type" in out:
        out["data_type"] = _upper(out["data_type"])
    rule = out.get("validation_rule")
    if isinstance(rule, Mapping):
        rule = snake_keys(rule)
        if rule.get("rule_type") is None and isinstance(out.get("data_type"), str):
            rule["rule_type"] = out["data_type"]
        rule["rule_type"] = _upper(rule.get("rule_type"))
        out["validation_rule"] = rule
    return out


def canonical_traits(traits: Any) -> Any:
    """Trait definitions in one spelling, keyed by the names the API stores (``FirstName`` is
    recorded as ``firstName``), unless two names would become one: check then reports them."""
    if not isinstance(traits, Mapping):
        return traits
    names = [m.normalize_trait_name(k) if known_str(k) else k for k in traits]
    if "" in names or len(set(names)) != len(names):
        names = list(traits)
    return {name: canonical_trait(trait) for name, trait in zip(names, traits.values(), strict=True)}


def _traits_from_api(traits: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """The API's camelCase trait map in the inputs' spelling (trait names untouched)."""
    return {str(name): canonical_trait(trait) for name, trait in (traits or {}).items()}


# -- the provider -------------------------------------------------------------------------------


def _split_id(id_: str) -> tuple[str, str]:
    """``storeId/displayName`` -> parts."""
    return split_child_id(id_, kind="trait group", part="displayName", example="Preferences")


class TraitGroupProvider(BaseProvider):
    """CRUD for trait groups. No attributes: it is pickled into the state of every TraitGroup."""

    kind = "trait group"
    inputs_model = TraitGroupInputs
    #: A replacement deletes first (also `pulumi up --replace`, which never asks the provider).
    delete_before_replace = True
    output_fields = ("version", "etag")
    replace_fields = frozenset({"store_id", "display_name"})
    create_only_fields = frozenset({"adopt"})
    unmanaged_when_absent = frozenset({"description"})
    field_hints = {
        "store_id": "use a memory store id such as mem_store_01h..., usually `store.id`",
        "display_name": "use 1-64 letters, digits, '_', '-' or '.', unique in the store",
        "description": "use at most 1024 characters",
        "traits": f"a trait group holds at most {m.MAX_TRAITS_PER_GROUP} traits",
        "*.data_type": "use one of STRING, NUMBER, BOOLEAN, ARRAY",
        "*.id_type_promotion": "use an identity-resolution id_type of at most 30 characters",
        "*.description": "use at most 1024 characters",
    }

    # -- check / diff ----------------------------------------------------------------------------

    def prepare(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Check records (and parse validates) the canonical spelling of the traits."""
        out = dict(props)
        if "traits" in out:
            out["traits"] = canonical_traits(out["traits"])
        return out

    def normalize(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        if "traits" in out:
            out["traits"] = canonical_traits(out["traits"]) or None
        return {k: v for k, v in out.items() if v is not None}

    @_calls.step
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replacement within one store deletes first: a trait cannot be in two groups at once.
        Traits this change removes are noted for this deployment (a move to another group)."""
        result = super().diff(_id, olds, news)
        if result.replaces:
            result.delete_before_replace = "store_id" not in result.replaces
        old_traits, new_traits = olds.get("traits"), news.get("traits")
        store_id = olds.get("store_id")
        if isinstance(old_traits, Mapping) and isinstance(store_id, str) and not is_unknown(new_traits):
            keep = new_traits if isinstance(new_traits, Mapping) else {}
            removed = [t for t in old_traits if t not in keep]
            _deployment.plan_trait_removals(store_id, str(olds.get("display_name")), removed)
        return result

    def import_id_problem(self, inputs: dict[str, Any], import_id: str) -> str | None:
        store_id, name = inputs.get("store_id"), inputs.get("display_name")
        expected = child_id(str(store_id), str(name))
        if import_id == expected:
            return None
        return (
            f"{import_id!r} does not name this trait group: import_ takes '<storeId>/<displayName>', "
            f"here {expected!r}"
        )

    # -- create ----------------------------------------------------------------------------------

    @_calls.create
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs: TraitGroupInputs = self.parse(props)
        store_id, name = inputs.store_id, inputs.display_name
        client = memory_client()
        deadline = new_deadline()
        desired = _desired_traits(inputs)
        imported = self.import_id(props) is not None
        existing: Fetched[m.TraitGroup] | None = None
        groups: list[m.TraitGroup] | None = None
        if imported:
            existing = client.find_trait_group(store_id, name)
            if existing is None:
                raise self.not_importable(child_id(store_id, name))
        elif desired:
            # One list serves both looks before the POST: whether the group exists already, and
            # whether another group holds a trait it wants. Without traits, the POST's own answer
            # says whether the name is taken.
            groups = client.list_trait_groups(store_id, include_traits=True)
            if any(group.display_name == name for group in groups):
                existing = client.find_trait_group(store_id, name)  # with its ETag
        if existing is None:
            existing = self._post(client, inputs, desired, deadline, groups)
        if existing is not None:
            found = self._adopt(client, existing, inputs, desired, deadline, imported=imported)
        else:
            found = client.get_trait_group(store_id, name)
        group_id = self.claim(child_id(store_id, name))
        return CreateResult(group_id, _outs(store_id, found, inputs.adopt))

    def _post(
        self,
        client: MemoryClient,
        inputs: TraitGroupInputs,
        desired: dict[str, Any],
        deadline: Deadline,
        groups: list[m.TraitGroup] | None = None,
    ) -> Fetched[m.TraitGroup] | None:
        """POST the group and wait for it (None), or return the group a 409 says exists already.
        ``groups``: the store's groups (with traits) just listed, for the trait-move check."""
        store_id, name = inputs.store_id, inputs.display_name
        check_no_trait_moves(client, store_id, name, desired, deadline, groups=groups)
        body = m.TraitGroupCreate(display_name=name, description=inputs.description, traits=inputs.traits)
        posted = post_once(
            partial(client.create_trait_group, store_id, body),
            partial(client.find_trait_group, store_id, name),
            kind=self.kind,
            name=name,
            deadline=deadline,
        )
        if isinstance(posted, Existing):
            return None if posted.ours else posted.found  # ours: made by an unanswered POST
        wait_operation(
            client,
            posted,
            what=f"creation of trait group {name!r} in store {store_id}",
            deadline=deadline,
            resource_id=child_id(store_id, name),
            hint=f"Once it exists, run `pulumi up` with adopt=True on this TraitGroup ({name!r}).",
        )
        return None

    def _adopt(
        self,
        client: MemoryClient,
        existing: Fetched[m.TraitGroup],
        inputs: TraitGroupInputs,
        desired: dict[str, Any],
        deadline: Deadline,
        *,
        imported: bool = False,
    ) -> Fetched[m.TraitGroup]:
        """Take over an existing group (only with ``adopt=True`` or ``import_``) and make it match
        the inputs."""
        store_id, name = inputs.store_id, inputs.display_name
        if not inputs.adopt and not imported:
            seeded = (
                f" Twilio creates a {SEEDED_GROUP!r} group in every store; to manage it, adopt it."
                if name == SEEDED_GROUP
                else ""
            )
            raise name_taken(
                self.kind,
                name,
                child_id(store_id, name),
                where=f"in store {store_id}",
                resource="TraitGroup",
                noun="group",
                takeover="it is made to match the program, traits it does not list included "
                "(they are removed)",
                note=seeded,
            )
        description = inputs.description
        if description is not None and description == existing.value.description:
            description = None
        log.info("adopting trait group %r of store %s", name, store_id)
        found = self._converge(
            client,
            store_id,
            name,
            current=_traits_from_api(existing.value.traits),
            desired=desired,
            description=description,
            etag=existing.etag,
            deadline=deadline,
        )
        return found or existing

    # -- read / update / delete ----------------------------------------------------------------

    @_calls.read
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        store_id, name = _split_id(id_)
        found = memory_client().find_trait_group(store_id, name)  # None when it or its store is gone
        return self.read_found(id_, props, found, partial(_outs, store_id))

    @_calls.update
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs: TraitGroupInputs = self.parse(news)
        store_id, name = _split_id(id_)
        client = memory_client()
        changed = set(self.changed_properties(olds, news))
        found = self._converge(
            client,
            store_id,
            name,
            current=_traits_from_api(olds.get("traits")),
            desired=_desired_traits(inputs),
            description=inputs.description if "description" in changed else None,
            etag=olds.get("etag"),
            deadline=new_deadline(),
            version=olds.get("version"),
        )
        if found is None:
            found = client.get_trait_group(store_id, name)
        self.claim(id_)
        return UpdateResult(_outs(store_id, found, inputs.adopt))

    def _converge(
        self,
        client: MemoryClient,
        store_id: str,
        name: str,
        *,
        current: Mapping[str, Any],
        desired: Mapping[str, Any],
        description: str | None,
        etag: str | None,
        deadline: Deadline,
        version: int | None = None,
    ) -> Fetched[m.TraitGroup] | None:
        """Turn the traits ``current`` into ``desired`` (and set ``description`` unless None): the
        trait-move check, one conditional PATCH, the re-read group; None when nothing changes."""
        traits = trait_patch(current, desired)
        if description is None and not traits:
            return None
        check_no_trait_moves(client, store_id, name, [t for t in desired if t not in current], deadline)
        body = m.TraitGroupUpdate(description=description, traits=traits or None)
        return write_conditionally(
            client,
            partial(client.update_trait_group, store_id, name, body, if_match=etag),
            partial(client.get_trait_group, store_id, name),
            partial(_applied, description=description, traits=traits),
            what=f"update of trait group {name!r} of store {store_id}",
            resource_id=child_id(store_id, name),
            recorded=version,
            deadline=deadline,
        )

    @_calls.step
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if self.held_by_another(id_):
            return
        store_id, name = _split_id(id_)
        client = memory_client()
        deadline = new_deadline()
        try:
            accepted = client.delete_trait_group(store_id, name)
        except NotFoundError:
            return  # already gone (or its store is): the desired end state
        except ConflictError as exc:
            if name == SEEDED_GROUP and not _referencing_mappings(client, store_id, name):
                log.info("trait group %r of store %s is seeded by Twilio: left in place", name, store_id)
                return
            if not _await_unreferenced(client, store_id, name, deadline):
                raise _still_referenced(client, store_id, name, exc) from None
            try:
                accepted = client.delete_trait_group(store_id, name)
            except ConflictError as again:  # a mapping came back (or another) meanwhile
                raise _still_referenced(client, store_id, name, again) from None
        deleted(
            client,
            accepted,
            what=f"deletion of trait group {name!r} of store {store_id}",
            resource_id=id_,
            deadline=deadline,
            exists=lambda: client.find_trait_group(store_id, name) is not None,
        )
        _deployment.retire(self.kind, id_)


def _desired_traits(inputs: TraitGroupInputs) -> dict[str, Any]:
    return {
        name: trait.model_dump(mode="json", exclude_none=True)
        for name, trait in (inputs.traits or {}).items()
    }


def _applied(group: m.TraitGroup, description: str | None, traits: Mapping[str, m.TraitPatch]) -> bool:
    """True when the live group already shows every change of a PATCH."""
    live = _traits_from_api(group.traits)
    for name, trait in traits.items():
        if trait.is_delete:
            if name in live:
                return False
        elif canonical_trait(live.get(name)) != canonical_trait(
            trait.model_dump(mode="json", exclude_none=True)
        ):
            return False
    return description is None or group.description == description


def trait_patch(current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, m.TraitPatch]:
    """The PATCH ``traits`` map turning ``current`` into ``desired``: added and changed traits as
    full definitions, removed ones as ``dataType: ""`` (the API's delete marker)."""
    patch: dict[str, m.TraitPatch] = {}
    for name, trait in desired.items():
        if canonical_trait(current.get(name)) != canonical_trait(trait):
            patch[name] = m.TraitPatch.model_validate(trait)
    for name in current:
        if name not in desired:
            patch[name] = m.TraitPatch(data_type="")
    return patch


#: How long a group gaining a trait that another group holds waits to learn (from that group's diff
#: in this deployment) whether the other group gives it up. Diffs of one program run within moments.
MOVE_NOTICE_SECONDS = 10.0


def check_no_trait_moves(
    client: MemoryClient,
    store_id: str,
    group: str,
    added: Iterable[str],
    deadline: Deadline,
    *,
    groups: list[m.TraitGroup] | None = None,
) -> None:
    """Before adding traits, make sure no other group of the store holds them.

    A trait belongs to one group and Twilio does not move it. When this deployment also removes
    the trait from its current group (a move in one program change: both groups update in
    parallel), wait until that removal has landed. Otherwise fail before writing, saying how.
    ``groups``: the store's groups with their traits, just listed by the caller (the first look
    uses them instead of listing again).
    """
    wanted = set(added)
    if not wanted:
        return
    delays = DEFAULT_BACKOFF.delays()
    notice = deadline.within(MOVE_NOTICE_SECONDS)
    while True:
        owners: dict[str, str] = {}
        listed = groups if groups is not None else client.list_trait_groups(store_id, include_traits=True)
        groups = None  # a later look (after a wait) lists again
        for other in listed:
            if other.display_name != group:
                owners.update(dict.fromkeys(other.traits or {}, other.display_name))
        clashes = sorted(t for t in wanted if t in owners)
        if not clashes:
            return
        moving = [t for t in clashes if _deployment.planned_trait_removal(store_id, t) == owners[t]]
        if (len(moving) < len(clashes) and notice.remaining() <= 0) or deadline.remaining() <= 0:
            unplanned = [t for t in clashes if t not in moving] or clashes
            where = ", ".join(f"{t!r} (in trait group {owners[t]!r})" for t in unplanned)
            raise TraitMoveError(
                f"Cannot add trait(s) {where} to trait group {group!r} of store {store_id}: a trait "
                "belongs to one group, and this `pulumi up` does not remove it from the other. To move "
                "it, remove it from the other group's traits in the same change (both apply in one "
                "`pulumi up`); if that group is being deleted instead, deletes run last, so remove the "
                "trait from it first (or delete it in a separate `pulumi up`). Or give this trait "
                "another name."
            )
        if moving:
            log.info("trait group %r waits for %s to leave their old group", group, moving)
        deadline.pause(delays)


def _referencing_mappings(client: MemoryClient, store_id: str, group: str) -> list[str]:
    """Data mappings of the store that map into ``group``: ``"name (id)"`` strings."""
    names: list[str] = []
    for mapping in client.iter_data_mappings(store_id):
        targets = mapping.mapping_to.get("mappings") or []
        if any(isinstance(t, Mapping) and t.get("traitGroup") == group for t in targets):
            names.append(f"{mapping.display_name!r} ({mapping.id})")
    return names


#: How long a group whose delete is refused for the data mappings that use it waits for them to go
#: (a destroy deletes mappings in parallel when the program did not make them depend on the group).
REFERENCE_NOTICE_SECONDS = 10.0


def _await_unreferenced(client: MemoryClient, store_id: str, group: str, deadline: Deadline) -> bool:
    """True once no data mapping of the store maps into ``group`` (within a short while)."""
    delays = DEFAULT_BACKOFF.delays()
    notice = deadline.within(REFERENCE_NOTICE_SECONDS)
    while notice.remaining() > 0:
        notice.pause(delays)
        if not _referencing_mappings(client, store_id, group):
            return True
    return False


def _still_referenced(
    client: MemoryClient, store_id: str, name: str, exc: ConflictError
) -> TwilioMemoryError:
    try:
        users = _referencing_mappings(client, store_id, name)
    except TwilioMemoryError:
        users = []
    if not users:
        return TwilioMemoryError(
            f"Cannot delete trait group {name!r} of store {store_id}: the API refused: "
            f"{exc.api_message or exc}. Nothing was deleted."
        )
    return TwilioMemoryError(
        f"Cannot delete trait group {name!r} of store {store_id}: data mapping(s) {', '.join(users)} "
        "still map into it, and Twilio refuses to delete a trait group a mapping uses. Nothing was "
        "deleted. If the mapping is a DataMapping of this program, make it depend on this group so "
        "Pulumi deletes (or changes) the mapping first: pass `trait_group=<this TraitGroup>.display_name` "
        "in its mapping_to (or `opts=pulumi.ResourceOptions(depends_on=[<this TraitGroup>])`); TenantMemory "
        "does this for its data_mappings. Then run `pulumi destroy` (or `pulumi up`) again. If the "
        "mapping is managed elsewhere and still needed, point its mappings at another trait group "
        "first; only delete a mapping you know nothing needs."
    )


def _outs(store_id: str, found: Fetched[m.TraitGroup], adopt: bool) -> dict[str, Any]:
    group = found.value
    return {
        "store_id": store_id,
        "display_name": group.display_name,
        "description": group.description,
        "traits": _traits_from_api(group.traits),
        "adopt": adopt,
        "version": group.version,
        "etag": found.etag,
    }


#: The dynamic face's classes of this resource, importable from here as before they moved.
__getattr__ = face_classes(
    __name__,
    dict.fromkeys(
        ("TraitGroup", "ValidationRuleArgs", "TraitDefinitionArgs", "TraitGroupArgs"), "trait_group"
    ),
)

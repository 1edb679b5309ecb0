"""The Memory data plane's profiles: create (with identity resolution), list, fetch, patch, delete,
bulk upsert, lookup, traits and identifiers, over the control plane's stores
(:mod:`twilio_memory_emulator.memory_control`).

* **The control plane at work.** Every write is judged by the store's *current* trait groups
  (:mod:`.trait_values`) and identity resolution settings (:mod:`.identity`), so changing either
  with the provider changes what profiles may hold and which profiles merge.
* **Merges.** Profiles that one identifier set matches become one: the earliest is canonical and
  takes the others' traits (newest value wins), identifiers (within each idType's limit) and
  memories. A merged id answers a GET with 301 and a write with 308 to the canonical profile's
  resource (``Location``, ``Canonical-Profile-Id``); the operations that document a 200 with
  ``Canonical-Profile-Id`` but no redirect answer for the canonical profile with that header.
* **Synchronous.** The spec answers data-plane writes with a bare 202 and nothing to poll; here
  the write is applied before the 202, so a read right after sees it.
* Deleting a store deletes its profiles (they live in the store's record). Deleting a profile
  calls :attr:`Profiles.profile_deleted`, where the memories' index registers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from twilio_memory_emulator.engine import paths
from twilio_memory_emulator.engine.engine import Engine
from twilio_memory_emulator.errors import BadRequest, Conflict, Moved, NotFound, resource_not_found
from twilio_memory_emulator.memory_control.seeds import fill_identifier_defaults
from twilio_memory_emulator.memory_control.service import MemoryControl, store_status
from twilio_memory_emulator.memory_data.identity import (
    IdentifierError,
    attach_value,
    match_profiles,
    normalize,
    removal_index,
)
from twilio_memory_emulator.memory_data.trait_values import check_traits
from twilio_memory_emulator.protocol import PageRequest, iso, new_typeid, page_of
from twilio_memory_emulator.state_schema import AccountState, ProfileRec, StoreRec

__all__ = ["MOVED_WRITE", "Profiles", "Reply", "profile_path"]

#: A data-plane answer: the JSON body and the headers that go with it.
Reply = tuple[dict[str, Any], dict[str, str]]
_MOVED_GET = 301
MOVED_WRITE = 308


def _message(text: str) -> Reply:
    return {"message": text}, {}


def profile_path(store_id: str, profile_id: str, suffix: str = "") -> str:
    """A profile's resource (``suffix``: a sub-resource such as ``/Traits``)."""
    return paths.fill(paths.PROFILE, storeId=store_id, profileId=profile_id) + suffix


def _no_identifier(store: StoreRec, profile: ProfileRec, id_type: str) -> NotFound:
    return resource_not_found(profile_path(store.id, profile.id, f"/Identifiers/{id_type}"))


class Profiles:
    """Profiles, their traits and identifiers, and identity resolution (data plane)."""

    def __init__(self, engine: Engine, memory_control: MemoryControl) -> None:
        self.engine = engine
        self.memory_control = memory_control
        #: Called with (store id, profile id) when a profile is deleted (under the engine's lock).
        self.profile_deleted: list[Callable[[str, str], None]] = []

    # -------------------------------------------------------------------------------------------
    # Finding the store and the profile
    # -------------------------------------------------------------------------------------------

    def _data_store(self, state: AccountState, store_id: str) -> StoreRec:
        """The store of a data-plane path: 404 if unknown, 400 until it is ACTIVE."""
        try:
            store = self.memory_control.find_store(state, store_id)
        except NotFound:
            raise resource_not_found(f"{paths.MEMORY_DATA}/{store_id}") from None
        status = store_status(store, self.engine.now())
        if status == "FAILED":
            raise BadRequest(
                f"Store {store.id} is FAILED: its provisioning failed and it will never serve profiles; "
                "delete it and create it again (it holds no profiles yet)"
            )
        if status != "ACTIVE":
            raise BadRequest(
                f"Store {store.id} is {status}, not ACTIVE: wait until its status is ACTIVE before "
                "reading or writing its profiles"
            )
        return store

    def _profile(
        self, store: StoreRec, profile_id: str, suffix: str = "", *, moved: int | None
    ) -> tuple[ProfileRec, dict[str, str]]:
        """The profile and the headers of the answer; a merged id redirects when ``moved`` says so."""
        profile = store.profiles.get(profile_id)
        if profile is not None:
            return profile, {}
        canonical = store.merged.get(profile_id)
        if canonical is None or canonical not in store.profiles:
            raise resource_not_found(profile_path(store.id, profile_id, suffix))
        if moved is not None:
            raise Moved(moved, profile_path(store.id, canonical, suffix), canonical)
        return store.profiles[canonical], {"Canonical-Profile-Id": canonical}

    def reading(
        self,
        account: str,
        store_id: str,
        profile_id: str,
        suffix: str = "",
        *,
        moved: int | None = _MOVED_GET,
    ) -> tuple[StoreRec, ProfileRec, dict[str, str]]:
        """For a read: the store, the profile (a merged id answers as ``moved`` says) and the
        answer's headers. The memories' service reads profiles through it too."""
        store = self._data_store(self.engine.view(account), store_id)
        return store, *self._profile(store, profile_id, suffix, moved=moved)

    def writing(
        self, account: str, store_id: str, profile_id: str, suffix: str = ""
    ) -> tuple[StoreRec, ProfileRec]:
        """For a write: the store and the profile (a merged id answers 308); marks the state changed."""
        store = self._data_store(self.engine.account(account), store_id)
        profile, _ = self._profile(store, profile_id, suffix, moved=MOVED_WRITE)
        self.engine.changed()
        return store, profile

    # -------------------------------------------------------------------------------------------
    # Identity resolution
    # -------------------------------------------------------------------------------------------

    @staticmethod
    def _configs(store: StoreRec) -> dict[str, dict[str, Any]]:
        """The store's identifier configs by idType, every default filled in (as stored)."""
        return {c["idType"]: c for c in store.identity_resolution.identifier_configs}

    def _config(self, store: StoreRec, id_type: str) -> dict[str, Any]:
        """One idType's settings; one no longer configured (values a profile still holds) gets the
        API's defaults."""
        return self._configs(store).get(id_type) or fill_identifier_defaults({"idType": id_type})

    def _normalized(self, store: StoreRec, id_type: str, value: str, where: str) -> str:
        config = self._configs(store).get(id_type)
        if config is None:
            known = ", ".join(self._configs(store)) or "none"
            raise BadRequest(
                f"{where}: {id_type!r} is not an idType of the store's identity resolution settings "
                f"(configured: {known})"
            )
        try:
            return normalize(value, config["normalization"])
        except IdentifierError as exc:
            raise BadRequest(f"{where}: {exc}") from None

    def _promoted(self, store: StoreRec, traits: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
        """The identifiers that traits with ``idTypePromotion`` feed, normalized."""
        configs = self._configs(store)
        ids: dict[str, list[str]] = {}
        for group, values in traits.items():
            definitions = store.trait_groups[group].traits
            for name, value in values.items():
                id_type = definitions[name].get("idTypePromotion")
                if not id_type or id_type not in configs or value is None:
                    continue
                for item in value if isinstance(value, list) else [value]:
                    normal = self._normalized(store, id_type, str(item), f"traits.{group}.{name}")
                    ids.setdefault(id_type, []).append(normal)
        return ids

    def _require_identity(self, store: StoreRec, ids: Mapping[str, list[str]], where: str) -> None:
        if ids:
            return
        promoting = [
            f"{group.name}.{name} -> {d['idTypePromotion']}"
            for group in store.trait_groups.values()
            for name, d in group.traits.items()
            if d.get("idTypePromotion")
        ]
        raise BadRequest(
            f"{where}: at least one trait whose definition has idTypePromotion is required to resolve the "
            f"profile's identity (in this store: {', '.join(promoting) or 'none; add one to a trait group'})"
        )

    def _attach(
        self, store: StoreRec, profile: ProfileRec, ids: Mapping[str, Iterable[str]], now: float
    ) -> None:
        configs = self._configs(store)
        for id_type, values in ids.items():
            config = configs[id_type]
            held = profile.identifiers.setdefault(id_type, [])
            for value in values:
                attach_value(held, value, now, int(config["limit"]), config["limitPolicy"])
            if not held:
                profile.identifiers.pop(id_type)

    def _merge(self, store: StoreRec, profiles: list[ProfileRec]) -> ProfileRec:
        """Merge ``profiles`` into the earliest; the others' ids redirect to it from now on."""
        canonical, *others = sorted(profiles, key=lambda p: (p.created_at, p.id))
        for other in others:
            for group, values in other.traits.items():
                mine = canonical.traits.setdefault(group, {})
                for name, rec in values.items():
                    if name not in mine or rec["at"] > mine[name]["at"]:
                        mine[name] = rec
            for id_type, theirs in other.identifiers.items():
                config = self._config(store, id_type)
                ours = canonical.identifiers.get(id_type, [])
                held = {value for value, _ in ours}
                combined = sorted([*ours, *(v for v in theirs if v[0] not in held)], key=lambda v: v[1])
                limit = int(config["limit"])
                kept = combined[-limit:] if config["limitPolicy"] == "fifo" else combined[:limit]
                canonical.identifiers[id_type] = kept
            canonical.observations.update(other.observations)
            canonical.summaries.update(other.summaries)
            canonical.memory_version += 1
            del store.profiles[other.id]
            for merged_id, target in store.merged.items():
                if target == other.id:
                    store.merged[merged_id] = canonical.id
            store.merged[other.id] = canonical.id
        return canonical

    def _resolve(
        self,
        store: StoreRec,
        ids: Mapping[str, list[str]],
        now: float,
        into: ProfileRec | None = None,
    ) -> ProfileRec:
        """The profile ``ids`` resolve to (new, matched, or the merge of several) with ``ids`` attached."""
        ir = store.identity_resolution
        candidates = ((p.id, p.identifiers) for p in store.profiles.values())
        targets = [
            store.profiles[i]
            for i in match_profiles(ids, candidates, ir.matching_rules, self._configs(store))
        ]
        if into is not None and into not in targets:
            targets.append(into)
        if not targets:
            profile = ProfileRec(id=new_typeid("mem_profile", now), created_at=now)
            store.profiles[profile.id] = profile
        else:
            profile = self._merge(store, targets)
        self._attach(store, profile, ids, now)
        return profile

    @staticmethod
    def _write_traits(profile: ProfileRec, traits: Mapping[str, Mapping[str, Any]], now: float) -> None:
        for group, values in traits.items():
            mine = profile.traits.setdefault(group, {})
            for name, value in values.items():
                if value is None:
                    mine.pop(name, None)
                else:
                    mine[name] = {"value": value, "at": now}
            if not mine:
                profile.traits.pop(group)

    def _checked(self, store: StoreRec, traits: Any, *, nulls: bool = False) -> dict[str, dict[str, Any]]:
        groups = {name: group.traits for name, group in store.trait_groups.items()}
        return check_traits(traits or {}, groups, nulls=nulls)

    # -------------------------------------------------------------------------------------------
    # Profiles
    # -------------------------------------------------------------------------------------------

    def create_profile(self, account: str, store_id: str, body: Mapping[str, Any]) -> Reply:
        with self.engine.transaction() as now:
            store = self._data_store(self.engine.account(account), store_id)
            traits = self._checked(store, body.get("traits"))
            ids = self._promoted(store, traits)
            self._require_identity(store, ids, "traits")
            profile = self._resolve(store, ids, now)
            self._write_traits(profile, traits, now)
            self.engine.changed()
            return {"id": profile.id, "message": "Profile accepted"}, {}

    def upsert_profiles(self, account: str, store_id: str, body: Mapping[str, Any]) -> Reply:
        """Bulk: every profile is checked before any is written, so a bad one changes nothing."""
        with self.engine.transaction() as now:
            store = self._data_store(self.engine.account(account), store_id)
            items = body.get("profiles") or []  # not required by the spec ([] is refused there)
            checked = []
            for i, item in enumerate(items):
                try:
                    traits = self._checked(store, item.get("traits"))
                    ids = self._promoted(store, traits)
                    self._require_identity(store, ids, "traits")
                except BadRequest as exc:
                    raise BadRequest(f"profiles[{i}].{exc.message}") from None
                checked.append((traits, ids))
            for traits, ids in checked:
                self._write_traits(self._resolve(store, ids, now), traits, now)
            self.engine.changed()
            return _message(f"{len(checked)} profile(s) accepted")

    def list_profiles(self, account: str, store_id: str, page: PageRequest) -> Reply:
        with self.engine.transaction():
            store = self._data_store(self.engine.view(account), store_id)
            ordered = sorted(store.profiles.values(), key=lambda p: (p.created_at, p.id))
            found = page_of([p.id for p in ordered], page, "profiles")
            return {"profiles": found.items, "meta": found.meta}, {}

    @staticmethod
    def _visible_traits(
        store: StoreRec, profile: ProfileRec, only: set[str] | None
    ) -> Iterable[tuple[str, str, dict[str, Any]]]:
        """(group, name, record) of the traits the store still defines (a removed definition hides them)."""
        for group, values in sorted(profile.traits.items()):
            definitions = store.trait_groups.get(group)
            if definitions is None or (only is not None and group not in only):
                continue
            for name, rec in sorted(values.items()):
                if name in definitions.traits:
                    yield group, name, rec

    def get_profile(
        self, account: str, store_id: str, profile_id: str, trait_groups: set[str] | None
    ) -> Reply:
        with self.engine.transaction():
            store, profile, headers = self.reading(account, store_id, profile_id)
            traits: dict[str, dict[str, Any]] = {}
            for group, name, rec in self._visible_traits(store, profile, trait_groups):
                traits.setdefault(group, {})[name] = rec["value"]
            return {"id": profile.id, "createdAt": iso(profile.created_at), "traits": traits}, headers

    def patch_profile(self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any]) -> Reply:
        with self.engine.transaction() as now:
            store, profile = self.writing(account, store_id, profile_id)
            traits = self._checked(store, body.get("traits"), nulls=True)
            ids = self._promoted(store, traits)
            profile = self._resolve(store, ids, now, into=profile) if ids else profile
            self._write_traits(profile, traits, now)
            return _message("Profile update accepted")

    def delete_profile(self, account: str, store_id: str, profile_id: str) -> Reply:
        with self.engine.transaction():
            store, profile = self.writing(account, store_id, profile_id)
            del store.profiles[profile.id]
            for merged_id in [m for m, target in store.merged.items() if target == profile.id]:
                del store.merged[merged_id]
            for listener in self.profile_deleted:
                listener(store.id, profile.id)
            return _message("Profile deletion accepted: its traits, identifiers and memories are removed")

    def list_profile_traits(
        self, account: str, store_id: str, profile_id: str, page: PageRequest, trait_groups: set[str] | None
    ) -> Reply:
        with self.engine.transaction():
            store, profile, headers = self.reading(account, store_id, profile_id, "/Traits")
            flat = [
                {"name": name, "value": rec["value"], "traitGroup": group, "timestamp": iso(rec["at"])}
                for group, name, rec in self._visible_traits(store, profile, trait_groups)
            ]
            flat.sort(key=lambda t: t["timestamp"])
            found = page_of(flat, page, "traits")
            return {"traits": found.items, "meta": found.meta}, headers

    # -------------------------------------------------------------------------------------------
    # Lookup and identifiers
    # -------------------------------------------------------------------------------------------

    def lookup_profiles(self, account: str, store_id: str, body: Mapping[str, Any]) -> Reply:
        with self.engine.transaction():
            store = self._data_store(self.engine.view(account), store_id)
            id_type = body["idType"]
            normal = self._normalized(store, id_type, body["value"], "value")
            found = sorted(
                (
                    p
                    for p in store.profiles.values()
                    if any(v == normal for v, _ in p.identifiers.get(id_type, ()))
                ),
                key=lambda p: (p.created_at, p.id),
            )
            return {"normalizedValue": normal, "profiles": [p.id for p in found]}, {}

    def list_identifiers(self, account: str, store_id: str, profile_id: str) -> Reply:
        with self.engine.transaction():
            _, profile, _ = self.reading(account, store_id, profile_id, "/Identifiers")
            sets = [
                {"idType": t, "values": [v for v, _ in values]} for t, values in profile.identifiers.items()
            ]
            return {"identifiers": sets}, {}

    def get_identifier(self, account: str, store_id: str, profile_id: str, id_type: str) -> Reply:
        with self.engine.transaction():
            store, profile, _ = self.reading(account, store_id, profile_id, f"/Identifiers/{id_type}")
            values = profile.identifiers.get(id_type)
            if not values:
                raise _no_identifier(store, profile, id_type)
            return {"idType": id_type, "values": [v for v, _ in values]}, {}

    def add_identifier(self, account: str, store_id: str, profile_id: str, body: Mapping[str, Any]) -> Reply:
        with self.engine.transaction() as now:
            store, profile = self.writing(account, store_id, profile_id, "/Identifiers")
            id_type = body["idType"]
            normal = self._normalized(store, id_type, body["value"], "value")
            self._resolve(store, {id_type: [normal]}, now, into=profile)
            return _message("Identifier accepted")

    def update_identifier(
        self, account: str, store_id: str, profile_id: str, id_type: str, body: Mapping[str, Any]
    ) -> Reply:
        with self.engine.transaction() as now:
            store, profile = self.writing(account, store_id, profile_id, f"/Identifiers/{id_type}")
            if body["idType"] != id_type:
                raise BadRequest(
                    f"idType: the body says {body['idType']!r} but the path says {id_type!r}; send the same"
                )
            old = self._normalized(store, id_type, body["oldValue"], "oldValue")
            new = self._normalized(store, id_type, body["newValue"], "newValue")
            held = profile.identifiers.get(id_type, [])
            index = next((i for i, (v, _) in enumerate(held) if v == old), None)
            if index is None:
                shown = ", ".join(repr(v) for v, _ in held) or "none"
                raise Conflict(
                    f"oldValue: the profile holds no {id_type} value {old!r} (it holds: {shown}); "
                    "read its identifiers and send one of them"
                )
            del held[index]
            self._resolve(store, {id_type: [new]}, now, into=profile)
            return _message("Identifier update accepted")

    def delete_identifier(
        self, account: str, store_id: str, profile_id: str, id_type: str, remove_all: bool
    ) -> Reply:
        with self.engine.transaction():
            store, profile = self.writing(account, store_id, profile_id, f"/Identifiers/{id_type}")
            held = profile.identifiers.get(id_type)
            if not held:
                raise _no_identifier(store, profile, id_type)
            if remove_all:
                held.clear()
            else:
                policy = self._config(store, id_type)["limitPolicy"]
                del held[removal_index(held, policy)]
            if not held:
                del profile.identifiers[id_type]
            return _message("Identifier deletion accepted")

"""``IdentityResolutionSettings``: how a store matches and merges profiles.

The core (every resource file has this shape): ``IdentityResolutionSettingsInputs`` (what ``check``
validates) and ``IdentityResolutionSettingsProvider`` (its lifecycle);
``IdentityResolutionSettingsArgs`` and ``IdentityResolutionSettings`` are its dynamic face
(:mod:`pulumi_twilio_memory.dynamic.identity_resolution`).

The settings are a **singleton per store**: every store is born with the API's defaults (``email``,
``whatsapp`` and ``phone``, exact matching, rules in that order), there is no POST and no DELETE.

* **check**: 1-15 ``identifier_configs`` with unique ``id_type`` (2-30 characters); ``matching_algo``
  exact|fuzzy, ``matching_threshold`` 50-99 (what fuzzy matching uses), ``limit`` 1-100, ``limit_policy``
  fifo|lifo, ``normalization`` phone|email|trim|none; 1-15 ``matching_rules``, each naming a
  configured ``id_type`` once (compound ``AND`` rules are not supported). The upper-case spellings
  of the product docs (``EXACT``, ``FIFO``, ``EMAIL``) are accepted and recorded in lower case.
  Offline; unknowns skipped (an unknown ``store_id`` does not hide the other rules).
* **diff**: ``store_id`` replaces. Values the API fills in are filled in before comparing
  (``limit`` 100, ``limit_policy`` fifo, ``enforce_unique`` true, ``normalization`` trim,
  ``matching_threshold`` 75 for fuzzy), so leaving them out is never drift; the order of
  ``identifier_configs`` does not matter, the order of ``matching_rules`` (a priority) does.
* **create**: takes the settings over: PUTs the inputs (unconditionally: nothing is recorded yet
  to protect) and reads them back for the ETag. Inputs equal to the API's defaults, which a new
  store already has, are read first and not written when they already match. The resource id is
  the store id.
* **read**: live values projected onto the inputs; 404 (the store is gone) = gone.
* **update**: PUT with ``If-Match`` = the ETag recorded at the last create/read/update; a 412 means
  the settings changed outside Pulumi (``pulumi refresh``, then retry).
* **delete**: **restores the API's defaults** (PUT with ``If-Match`` of a fresh read), so a destroyed
  stack leaves the store's identity resolution exactly as a new store's. A store that is already
  gone is success. Not when a create or update of this deployment holds the same store's settings
  (a ``--replace``, which creates first, or a rename): the program's rules stay.
* **import_**: the id is the store id (nothing else to adopt: create always takes over).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from twilio_memory_api import models as m
from twilio_memory_api.client import Fetched, MemoryClient
from twilio_memory_api.errors import NotFoundError

from . import _calls
from ._base import (
    UNKNOWN,
    BaseProvider,
    is_unknown,
    memory_client,
    new_deadline,
)
from ._dynamic import face_classes
from ._lifecycle import write_conditionally
from ._results import CheckResult, CreateResult, ReadResult, UpdateResult
from ._values import known_str, snake_keys

__all__ = [
    "IdentityResolutionSettingsInputs",
    "IdentityResolutionSettingsProvider",
    "canonical_identifier_config",
]

#: Enum-valued identifier config fields: the API wants lower case, the product docs write upper.
_LOWER_CASE_FIELDS = ("matching_algo", "limit_policy", "normalization")
#: Stands in for a store id that is unknown during preview, so the other rules are still checked.
_PLACEHOLDER_STORE_ID = "mem_store_00000000000000000000000000"


class IdentityResolutionSettingsInputs(m.IdentityResolutionSettingsPut):
    """What ``check`` validates: the PUT body plus the store."""

    store_id: m.StoreId


def canonical_identifier_config(config: Any, *, defaults: bool = False) -> Any:
    """One spelling of an identifier config: snake_case keys, lower-case enum values, ``None``
    dropped; with ``defaults=True`` also the values the API fills in. Tolerant of bad input."""
    if not isinstance(config, Mapping):
        return config
    out = snake_keys(config)
    for key in _LOWER_CASE_FIELDS:
        value = out.get(key)
        if known_str(value):
            out[key] = value.lower()
    if defaults:
        for key, default in m.IDENTIFIER_CONFIG_DEFAULTS.items():
            if default is not None:
                out.setdefault(key, default)
        if out.get("matching_algo") == m.MatchingAlgo.FUZZY.value:
            out.setdefault("matching_threshold", m.FUZZY_THRESHOLD_DEFAULT)
    return out


def _canonical_configs(configs: Any, *, defaults: bool = False) -> Any:
    if not isinstance(configs, list | tuple):
        return configs
    return [canonical_identifier_config(c, defaults=defaults) for c in configs]


class IdentityResolutionSettingsProvider(BaseProvider):
    """CRUD for a store's identity resolution settings; pickled into state, so no attributes."""

    kind = "identity resolution settings"
    inputs_model = IdentityResolutionSettingsInputs
    output_fields = ("version", "etag")
    replace_fields = frozenset({"store_id"})
    unordered_fields = frozenset({"identifier_configs"})
    field_hints = {
        "store_id": "use a memory store id such as mem_store_01h..., usually `store.id`",
        "identifier_configs": f"give 1-{m.MAX_IDENTIFIER_CONFIGS} identifier configs with unique id_types",
        "matching_rules": f"give 1-{m.MAX_MATCHING_RULES} rules, each a configured id_type, highest first",
        "*.id_type": "use 2-30 characters, unique within identifier_configs (e.g. 'email')",
        "*.limit": "use 1-100 values kept per profile (default 100)",
        "*.matching_threshold": "use 50-99 (percent; fuzzy matching uses it, default 75)",
    }

    # -- check / diff ----------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate offline (``prepare`` records enum values in the API's lower case)."""
        if not is_unknown(news.get("store_id")):
            return super().check(olds, news)
        # Check the cross-field rules too while the store id is still unknown.
        result = super().check(olds, {**news, "store_id": _PLACEHOLDER_STORE_ID})
        result.inputs["store_id"] = UNKNOWN
        return result

    def prepare(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Identifier configs in one spelling: snake_case keys, enum values in lower case."""
        out = dict(props)
        if "identifier_configs" in out:
            out["identifier_configs"] = _canonical_configs(out["identifier_configs"])
        return out

    def normalize(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        if "identifier_configs" in out:
            out["identifier_configs"] = _canonical_configs(out["identifier_configs"], defaults=True)
        return out

    # -- create / read / update / delete ---------------------------------------------------------

    @_calls.create
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs: IdentityResolutionSettingsInputs = self.parse(props)
        client = memory_client()
        body = _body(inputs)
        if _same_bodies(body, m.DEFAULT_IDENTITY_RESOLUTION):
            # A new store has these already: look first, and leave them alone if so.
            current = client.get_identity_resolution_settings(inputs.store_id)
            found = self._put(client, inputs.store_id, body, current=current, etag=current.etag)
        else:
            # Create takes the settings over and nothing is recorded to protect: PUT at once,
            # unconditionally (no read for an ETag first; the read after the PUT records one).
            found = self._put(client, inputs.store_id, body, current=None, etag=None)
        return CreateResult(self.claim(inputs.store_id), _outs(inputs.store_id, found))

    def import_id_problem(self, inputs: dict[str, Any], import_id: str) -> str | None:
        if import_id == inputs.get("store_id"):
            return None
        return (
            f"import_ of identity resolution settings takes their store's id, here {inputs.get('store_id')!r}"
        )

    @_calls.read
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            found = memory_client().get_identity_resolution_settings(id_)
        except NotFoundError:
            return self.gone()
        return self.read_result(id_, _outs(id_, found), props)

    @_calls.update
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs: IdentityResolutionSettingsInputs = self.parse(news)
        client = memory_client()
        found = self._put(
            client, id_, _body(inputs), current=None, etag=olds.get("etag"), version=olds.get("version")
        )
        self.claim(id_)
        return UpdateResult(_outs(id_, found))

    @_calls.step
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Put the API's defaults back (there is no DELETE): the store is left as a new one. Not when
        this deployment's create or update manages the same store's settings under another name (a
        replacement on the same store, a rename): that would reset what the program declares."""
        if self.held_by_another(id_):
            return
        client = memory_client()
        try:
            current = client.get_identity_resolution_settings(id_)
        except NotFoundError:
            return  # the store is gone, and its settings with it
        self._put(client, id_, m.DEFAULT_IDENTITY_RESOLUTION, current=current, etag=current.etag)

    def _put(
        self,
        client: MemoryClient,
        store_id: str,
        body: m.IdentityResolutionSettingsPut,
        *,
        current: Fetched[m.IdentityResolutionSettings] | None,
        etag: str | None,
        version: int | None = None,
    ) -> Fetched[m.IdentityResolutionSettings]:
        """PUT ``body`` with ``If-Match: etag`` and re-read; skipped when ``current`` already matches."""
        if current is not None and _same_settings(current.value, body):
            return current
        return write_conditionally(
            client,
            partial(client.put_identity_resolution_settings, store_id, body, if_match=etag),
            partial(client.get_identity_resolution_settings, store_id),
            partial(_same_settings, body=body),
            what=f"update of the identity resolution settings of store {store_id}",
            resource_id=store_id,
            recorded=version if version is not None else (current.value.version if current else None),
            deadline=new_deadline(),
        )


def _comparable(configs: Sequence[Mapping[str, Any]]) -> list[Any]:
    return sorted(_canonical_configs(list(configs), defaults=True), key=lambda c: str(c.get("id_type")))


def _same_settings(live: m.IdentityResolutionSettings, body: m.IdentityResolutionSettingsPut) -> bool:
    """True when PUTting ``body`` would change nothing (so create does not bump the version)."""
    wanted = body.model_dump(mode="json", exclude_none=True)
    return (
        _comparable(live.identifier_configs) == _comparable(wanted["identifier_configs"])
        and list(live.matching_rules) == wanted["matching_rules"]
    )


def _same_bodies(one: m.IdentityResolutionSettingsPut, other: m.IdentityResolutionSettingsPut) -> bool:
    """True when the two PUT bodies set the same settings (the API's defaults filled in)."""
    a, b = (body.model_dump(mode="json", exclude_none=True) for body in (one, other))
    return (
        _comparable(a["identifier_configs"]) == _comparable(b["identifier_configs"])
        and a["matching_rules"] == b["matching_rules"]
    )


def _body(inputs: IdentityResolutionSettingsInputs) -> m.IdentityResolutionSettingsPut:
    return m.IdentityResolutionSettingsPut(
        identifier_configs=inputs.identifier_configs, matching_rules=inputs.matching_rules
    )


def _outs(store_id: str, found: Fetched[m.IdentityResolutionSettings]) -> dict[str, Any]:
    settings = found.value
    return {
        "store_id": store_id,
        "identifier_configs": _canonical_configs(list(settings.identifier_configs)),
        "matching_rules": list(settings.matching_rules),
        "version": settings.version,
        "etag": found.etag,
    }


#: The dynamic face's classes of this resource, importable from here as before they moved.
__getattr__ = face_classes(
    __name__,
    dict.fromkeys(
        ("IdentityResolutionSettings", "IdentifierConfigArgs", "IdentityResolutionSettingsArgs"),
        "identity_resolution",
    ),
)

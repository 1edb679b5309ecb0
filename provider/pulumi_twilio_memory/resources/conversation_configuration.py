"""``ConversationConfiguration``: a Conversations v2 configuration feeding a memory store.

The core (every resource file has this shape): ``ConversationConfigurationInputs`` (what ``check``
validates) and ``ConversationConfigurationProvider`` (its lifecycle);
``ConversationConfigurationArgs`` and ``ConversationConfiguration`` are its dynamic face
(:mod:`pulumi_twilio_memory.dynamic.conversation_configuration`).

* **check**: ``display_name`` 1-32 letters, digits, spaces, ``-`` or ``_``; ``description`` (at
  most 512 characters) and ``conversation_grouping_type`` (GROUP_BY_PROFILE, GROUP_BY_PARTICIPANT_ADDRESSES,
  GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE) required; ``memory_store_id`` a store id;
  ``channel_settings`` keyed by VOICE, SMS, RCS, WHATSAPP or CHAT, timeouts >= 1 minute, capture
  rules with ``from`` and ``to``; at most 2 ``status_callbacks`` (http(s) URL; POST or GET); at
  most 5 ``intelligence_configuration_ids``; ``conversations_v1_bridge.service_id`` ``IS`` + 32
  hex digits. Offline; unknowns skipped. Enum values may be written in any case.
* **diff**: everything updates in place (the API can PATCH every field); nothing replaces. What
  the API fills in (``memory_extraction_enabled`` false, callback ``method`` POST, empty lists and
  maps) compares equal to leaving it out; the order of ``intelligence_configuration_ids`` does not
  matter.
* **create**: POST with an ``Idempotency-Key`` (see below), wait for the operation, read back. The
  display name is unique per account: when it is taken, create fails naming ``aliases`` (a renamed
  resource), then ``adopt=True``; with ``adopt=True`` the configuration is taken over and patched
  to match; with ``import_=ID`` exactly that configuration is. A replacement deletes first
  (``delete_before_replace`` defaults to true: the display name cannot exist twice).
* **read**: live values projected onto the inputs; 404 = gone.
* **update**: the API has no ETag, so update first reads the live ``version`` and **refuses** if it
  moved since Pulumi last recorded it (someone changed the configuration outside Pulumi: ``pulumi
  refresh``, then retry). Then one PATCH with only what changed: ``channel_settings`` merges per
  channel, so a removed channel is sent as ``null`` (the official SDK cannot express that; httpx
  can). Removing ``conversations_v1_bridge`` needs a PUT of the whole configuration (PATCH cannot
  clear it). The version check and the write are two requests: a change landing between them is
  not detected (the API offers nothing better).
* **delete**: DELETE and wait; already gone is success; one this deployment holds under another
  resource name is left alone. The deleted one's Idempotency-Key is retired for this deployment.

**Crash-safe create (why ``__idempotency_seed`` and ``__idempotency_key``).** A dynamic provider's
``create()`` sees only the checked inputs: not the URN, not the stack (the provider host hardcodes
its own stack name). So the resource captures its future URN at construction, in the hidden input
``__idempotency_seed`` (``pulumi.urn.create_urn`` of its name, type and parent: project and stack
included). ``check()`` derives ``__idempotency_key`` = uuid5(seed, request body, and the key recorded
in the old state when there is one). Consequences:

* ``pulumi up`` crashes after Twilio accepted the POST but before the state was written; the
  resource is not in the state, so the next ``pulumi up`` derives the same key, Twilio replays the
  original answer and the same configuration is recorded: no duplicate.
* A replacement: the engine checks a replacement without old inputs (``--replace`` and every
  other replace), so check derives the very key that created the old configuration. The old one
  is deleted first, and its delete retires that key in this deployment: create then sends the
  next key in the chain, so it never replays its predecessor. After a crash between the two, the
  next run's replay names the deleted configuration and create moves down the same chain.
* Destroy, then ``up`` again within Twilio's 24-hour key lifetime: the replayed answer names the
  deleted configuration; create sees the 404 and POSTs again with a key derived from the first.
* Properties starting with ``__`` are internal to Pulumi: not shown in diffs and never diffed here.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from twilio_memory_api import models as m
from twilio_memory_api.client import ConversationsClient, Fetched
from twilio_memory_api.errors import (
    ApiError,
    ConflictError,
    NotFoundError,
    OperationFailedError,
    TwilioMemoryError,
)
from twilio_memory_api.operations import Deadline, wait_operation

from . import _calls, _deployment
from ._base import (
    BaseProvider,
    contains_unknown,
    conversations_client,
    new_deadline,
)
from ._dynamic import face_classes
from ._lifecycle import CREATE_ATTEMPTS, name_taken
from ._results import CheckResult, CreateResult, ReadResult, UpdateResult
from ._values import known_str, snake_keys

__all__ = [
    "IDEMPOTENCY_KEY",
    "IDEMPOTENCY_SEED",
    "ConfigurationChangedError",
    "ConversationConfigurationInputs",
    "ConversationConfigurationProvider",
    "idempotency_key",
]

log = logging.getLogger("pulumi_twilio_memory")

#: Hidden input: the resource's URN, captured at construction (create() cannot see it).
IDEMPOTENCY_SEED = "__idempotency_seed"
#: Hidden input: the Idempotency-Key create sends, derived by check().
IDEMPOTENCY_KEY = "__idempotency_key"
_NAMESPACE = uuid.UUID("5b0d8f3e-1c55-4c6e-9a4f-7d1c3e2b9a10")  # this package's uuid5 namespace


class ConversationConfigurationInputs(m.ConfigurationCreate):
    """What ``check`` validates: the create body plus provider-only inputs."""

    adopt: bool = False


class ConfigurationChangedError(TwilioMemoryError):
    """The live ``version`` is not the one Pulumi recorded: someone else changed the configuration."""


# -- canonical spelling -------------------------------------------------------------------------


def _canonical_rule(rule: Any) -> Any:
    if not isinstance(rule, Mapping):
        return rule
    out = {("from" if k == "from_" else str(k)): v for k, v in rule.items() if v is not None}
    if isinstance(out.get("metadata"), Mapping):
        out["metadata"] = dict(sorted(out["metadata"].items())) or None
    return {k: v for k, v in out.items() if v is not None}


def canonical_channel(setting: Any) -> Any:
    """One spelling of a channel setting (either case style in, snake_case out; ``from_`` and
    ``from`` both become ``from``; capture-rule metadata keys verbatim)."""
    if not isinstance(setting, Mapping):
        return setting
    out = snake_keys(setting)
    if isinstance(out.get("status_timeouts"), Mapping):
        out["status_timeouts"] = snake_keys(out["status_timeouts"])
    if isinstance(out.get("capture_rules"), list | tuple):
        out["capture_rules"] = [_canonical_rule(r) for r in out["capture_rules"]]
    return out


def canonical_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs in one spelling: upper-case enum values and channel names, snake_case keys,
    channels in name order. Tolerant: malformed values are left for check to report."""
    out = dict(inputs)
    if known_str(out.get("conversation_grouping_type")):
        out["conversation_grouping_type"] = out["conversation_grouping_type"].upper()
    channels = out.get("channel_settings")
    if isinstance(channels, Mapping):
        fixed = {(k.upper() if known_str(k) else k): canonical_channel(v) for k, v in channels.items()}
        out["channel_settings"] = dict(sorted(fixed.items(), key=lambda kv: str(kv[0])))
    callbacks = out.get("status_callbacks")
    if isinstance(callbacks, list | tuple):
        out["status_callbacks"] = [_canonical_callback(c) for c in callbacks]
    bridge = out.get("conversations_v1_bridge")
    if isinstance(bridge, Mapping):
        out["conversations_v1_bridge"] = snake_keys(bridge)
    return out


def _canonical_callback(callback: Any) -> Any:
    if not isinstance(callback, Mapping):
        return callback
    out = snake_keys(callback)
    if known_str(out.get("method")):
        out["method"] = out["method"].upper()
    return out


def _with_defaults(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """What the API assumes for what is not sent, so leaving it out is never a diff."""
    out = canonical_inputs(inputs)
    out.setdefault("memory_extraction_enabled", False)
    callbacks = out.get("status_callbacks")
    if isinstance(callbacks, list):
        out["status_callbacks"] = [
            {"method": m.CallbackMethod.POST.value, **c} if isinstance(c, Mapping) else c for c in callbacks
        ]
    channels = out.get("channel_settings")
    if isinstance(channels, Mapping):
        out["channel_settings"] = {k: _drop_empty(v) for k, v in channels.items()}
    return {k: v for k, v in out.items() if v not in (None, [], {})}


def _drop_empty(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_empty(v) for k, v in value.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


# -- idempotency ----------------------------------------------------------------------------------


def _create_fields(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k in m.ConfigurationCreate.model_fields}


def idempotency_key(seed: str | None, inputs: Mapping[str, Any], prior: str | None, replacing: bool) -> str:
    """The Idempotency-Key for creating these inputs (see the module doc for why)."""
    body = json.dumps(_create_fields(inputs), sort_keys=True, separators=(",", ":"), default=str)
    basis = f"{seed or 'display_name:' + str(inputs.get('display_name'))}\n{body}"
    if replacing:
        basis += f"\nreplacing:{prior or ''}"
    return str(uuid.uuid5(_NAMESPACE, basis))


def _next_key(key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"after:{key}"))


# -- the provider -------------------------------------------------------------------------------


class ConversationConfigurationProvider(BaseProvider):
    """CRUD for Conversations configurations; pickled into state, so no attributes."""

    kind = "conversation configuration"
    api = "conversations"
    inputs_model = ConversationConfigurationInputs
    #: A replacement deletes first (also `pulumi up --replace`, which never asks the provider).
    delete_before_replace = True
    output_fields = (
        "version",
        "created_at",
        "updated_at",
        "trait_extraction_strategy_ids",
        "observation_extraction_strategy_ids",
        "redaction_configuration_id",
    )
    unordered_fields = frozenset({"intelligence_configuration_ids"})
    create_only_fields = frozenset({"adopt"})
    field_hints = {
        "display_name": "use 1-32 letters, digits, spaces, '-' or '_', unique in the account",
        "description": f"use at most {m.CONFIGURATION_DESCRIPTION_MAX} characters",
        "*.method": "use POST or GET",
        "memory_store_id": "use a memory store id such as mem_store_01h..., usually `store.id`",
        "conversation_grouping_type": "any case is accepted",
        "status_callbacks": f"give at most {m.MAX_STATUS_CALLBACKS} status callbacks",
        "intelligence_configuration_ids": f"give at most {m.MAX_INTELLIGENCE_CONFIGURATION_IDS} ids",
        "*.inactive": "minutes, at least 1",
        "*.closed": "minutes, at least 1",
        "*.url": "use an http(s) URL",
        "*.service_id": "use a Conversations V1 service SID: 'IS' + 32 lower-case hex digits",
    }

    # -- check / diff ----------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate offline; record one spelling (``prepare``); derive the create's Idempotency-Key."""
        result = super().check(olds, news)
        seed = news.get(IDEMPOTENCY_SEED)
        if not result.failures and not contains_unknown(result.inputs):
            prior = olds.get(IDEMPOTENCY_KEY)
            replacing = bool(self.user_inputs(olds))
            result.inputs[IDEMPOTENCY_KEY] = idempotency_key(
                seed if isinstance(seed, str) else None,
                result.inputs,
                prior if isinstance(prior, str) else None,
                replacing,
            )
        return result

    def prepare(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return canonical_inputs(props)

    def explain(self, prop: str, reason: str) -> str:
        """Name the bad channel: the model's message for a bad map key does not say what it was."""
        parts = prop.split(".")
        if parts[0] == "channel_settings" and len(parts) == 2 and reason.startswith("Input should be"):
            channels = "VOICE, SMS, RCS, WHATSAPP, CHAT (any case)"
            return f"{reason}: {parts[1]!r} is not a channel; channels are {channels}"
        return reason

    def normalize(self, inputs: dict[str, Any]) -> dict[str, Any]:
        return _with_defaults(inputs)

    # -- create ----------------------------------------------------------------------------------

    @_calls.create
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs: ConversationConfigurationInputs = self.parse(props)
        wanted = canonical_inputs(self.user_inputs(props))
        client = conversations_client()
        deadline = new_deadline()
        found = None
        import_id = self.import_id(props)
        if import_id is not None:  # import_=ID: adopt exactly that configuration
            found = client.find_configuration(import_id)
            if found is None:
                raise self.not_importable(import_id)
        elif inputs.adopt:
            existing = client.find_configuration_by_display_name(inputs.display_name)
            if existing is not None:
                found = client.get_configuration(existing.id)
        if found is None:
            key = props.get(IDEMPOTENCY_KEY)
            if not isinstance(key, str):
                key = idempotency_key(props.get(IDEMPOTENCY_SEED), self.user_inputs(props), None, False)
            while _deployment.is_retired_key(key):  # a replacement: never replay the predecessor
                key = _next_key(key)
            found = self._post(client, inputs, wanted, key, deadline)
        found = self._reconcile(client, found, wanted, deadline)
        return CreateResult(self.claim(found.value.id), _outs(found.value, inputs.adopt))

    def import_id_problem(self, inputs: dict[str, Any], import_id: str) -> str | None:
        if re.match(m.CONFIGURATION_ID_PATTERN, import_id):
            return None
        return f"{import_id!r} is not a configuration id: import_ takes conv_configuration_..."

    def _post(
        self,
        client: ConversationsClient,
        inputs: ConversationConfigurationInputs,
        wanted: Mapping[str, Any],
        key: str,
        deadline: Deadline,
    ) -> Fetched[m.Configuration]:
        # Channels and metadata in name order: a retried request must be byte-identical.
        body = m.ConfigurationCreate.model_validate(_create_fields(wanted))
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                accepted = client.create_configuration(body, idempotency_key=key)
            except ConflictError as exc:
                return self._taken(client, inputs, exc)
            except ApiError as exc:
                if exc.status != 422:
                    raise
                key = _next_key(key)  # the key was used for another request: derive a fresh one
                continue
            config_id = accepted.resource_id
            try:
                wait_operation(
                    client,
                    accepted,
                    what=f"creation of conversation configuration {inputs.display_name!r}",
                    deadline=deadline,
                    resource_id=config_id,
                    hint="Once it exists, run `pulumi up` with adopt=True on this ConversationConfiguration.",
                )
            except OperationFailedError:
                # The key may be replaying a failure of an earlier run: a fresh key, once.
                if attempt > 1:
                    raise
                key = _next_key(key)
                continue
            found = client.find_configuration(config_id) if config_id else None
            if found is not None:
                return found
            # A replayed answer naming a configuration deleted since (destroy + up within a day).
            log.info("idempotent replay named a deleted configuration %s: creating anew", config_id)
            key = _next_key(key)
        raise TwilioMemoryError(
            f"Could not create conversation configuration {inputs.display_name!r}: Twilio kept answering "
            f"with configurations that no longer exist ({CREATE_ATTEMPTS} attempts). Run `pulumi up` again."
        )

    def _taken(
        self, client: ConversationsClient, inputs: ConversationConfigurationInputs, exc: ConflictError
    ) -> Fetched[m.Configuration]:
        """A 409: the display name (adopt it if asked) or the V1 service is used elsewhere."""
        other_id = exc.conflicting_resource_id
        other = client.find_configuration(other_id) if other_id else None
        if other is None:
            raise exc
        if other.value.display_name == inputs.display_name:
            if inputs.adopt:
                return other
            raise name_taken(
                self.kind,
                inputs.display_name,
                other.value.id,
                where=f"({other.value.id})",
                resource="ConversationConfiguration",
                noun="configuration",
                set_on="",
            ) from None
        bridge = inputs.conversations_v1_bridge
        raise TwilioMemoryError(
            f"Could not create conversation configuration {inputs.display_name!r}: the Conversations V1 "
            f"service {bridge.service_id if bridge else ''} is already bridged by configuration "
            f"{other.value.id} ({other.value.display_name!r}); a service can feed one configuration. "
            "Remove the bridge there first, or bridge another service."
        ) from None

    def _reconcile(
        self,
        client: ConversationsClient,
        found: Fetched[m.Configuration],
        wanted: Mapping[str, Any],
        deadline: Deadline,
    ) -> Fetched[m.Configuration]:
        """Make an adopted (or replayed) configuration match the inputs."""
        live = _outs(found.value, adopt=False)
        if not self.changed_properties(live, wanted):
            return found
        return self._write(client, found.value, live, wanted, deadline)

    # -- read / update / delete ----------------------------------------------------------------

    @_calls.read
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        found = conversations_client().find_configuration(id_)
        return self.read_found(id_, props, found, lambda live, adopt: _outs(live.value, adopt))

    @_calls.update
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs: ConversationConfigurationInputs = self.parse(news)
        client = conversations_client()
        found = client.find_configuration(id_)
        if found is None:
            raise NotFoundError(
                f"Conversation configuration {id_} no longer exists: it was deleted outside Pulumi. Run "
                "`pulumi refresh` to drop it from the state, then `pulumi up` to create it again.",
                status=404,
            )
        recorded = olds.get("version")
        if recorded is not None and int(recorded) != found.value.version:
            raise ConfigurationChangedError(
                f"Conversation configuration {id_} ({found.value.display_name!r}) was changed outside "
                f"Pulumi: its version is {found.value.version}, Pulumi last recorded {int(recorded)}. "
                "Nothing was written. Run `pulumi refresh` to record the live configuration (and review "
                "the drift), then run `pulumi up` again."
            )
        wanted = self.user_inputs(news)
        if self.changed_properties(olds, wanted):
            found = self._write(client, found.value, olds, wanted, new_deadline())
        self.claim(id_)
        return UpdateResult(_outs(found.value, inputs.adopt))

    def _write(
        self,
        client: ConversationsClient,
        live: m.Configuration,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        deadline: Deadline,
    ) -> Fetched[m.Configuration]:
        """PATCH what changed from ``olds`` to ``news`` (PUT when the V1 bridge is removed)."""
        changed = self.changed_properties(olds, news)
        wanted = canonical_inputs(news)
        if "conversations_v1_bridge" in changed and wanted.get("conversations_v1_bridge") is None:
            put = m.ConfigurationPut.model_validate({"channel_settings": {}, **_create_fields(wanted)})
            payload: dict[str, Any] = m.to_wire(put)
            key = _write_key(live, "PUT", payload)
            accepted = client.replace_configuration(live.id, put, idempotency_key=key)
        else:
            patch = m.ConfigurationPatch.model_validate(_patch_fields(changed, olds, wanted))
            payload = patch.model_dump(mode="json", by_alias=True, exclude_unset=True)
            key = _write_key(live, "PATCH", payload)
            accepted = client.patch_configuration(live.id, patch, idempotency_key=key)
        wait_operation(
            client,
            accepted,
            what=f"update of conversation configuration {live.id}",
            deadline=deadline,
            resource_id=live.id,
        )
        return client.get_configuration(live.id)

    @_calls.step
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if self.held_by_another(id_):
            return
        client = conversations_client()
        try:
            accepted = client.delete_configuration(id_)
        except NotFoundError:
            return  # already gone: the desired end state
        wait_operation(
            client,
            accepted,
            what=f"deletion of conversation configuration {id_}",
            deadline=new_deadline(),
            resource_id=id_,
        )
        _deployment.retire(self.kind, id_)
        key = props.get(IDEMPOTENCY_KEY)
        if isinstance(key, str):  # a replacement's create must not replay this one's
            _deployment.retire_key(key)


def _patch_fields(
    changed: Sequence[str], olds: Mapping[str, Any], wanted: Mapping[str, Any]
) -> dict[str, Any]:
    """The PATCH body's fields (snake_case): only what changed; removed values as the API's reset
    (empty list, false), removed channels as ``None`` (sent as ``null``)."""
    resets: dict[str, Any] = {
        "status_callbacks": [],
        "intelligence_configuration_ids": [],
        "memory_extraction_enabled": False,
    }
    fields: dict[str, Any] = {}
    for name in changed:
        if name == "adopt":
            continue
        if name == "channel_settings":
            fields[name] = _channel_patch(olds.get(name) or {}, wanted.get(name) or {})
        elif wanted.get(name) is None:
            fields[name] = resets.get(name)
        else:
            fields[name] = wanted[name]
    return fields


def _channel_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Per-channel merge patch: changed or added channels in full, removed ones as ``None``."""
    old_c = {str(k).upper(): _drop_empty(canonical_channel(v)) for k, v in old.items()}
    new_c = {str(k).upper(): canonical_channel(v) for k, v in new.items()}
    patch: dict[str, Any] = {k: v for k, v in new_c.items() if _drop_empty(v) != old_c.get(k)}
    patch.update({k: None for k in old_c if k not in new_c})
    return patch


def _write_key(live: m.Configuration, method: str, payload: Mapping[str, Any]) -> str:
    """Idempotency-Key of an update: the same change to the same version is the same request."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return str(uuid.uuid5(_NAMESPACE, f"{method} {live.id}@{live.version}\n{body}"))


def _channels_from_api(channels: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not channels:
        return None
    return {str(k): canonical_channel(v) for k, v in sorted(channels.items())}


def _outs(config: m.Configuration, adopt: bool) -> dict[str, Any]:
    bridge = config.conversations_v1_bridge
    return {
        "display_name": config.display_name,
        "description": config.description,
        "conversation_grouping_type": config.conversation_grouping_type,
        "memory_store_id": config.memory_store_id,
        "channel_settings": _channels_from_api(config.channel_settings),
        "status_callbacks": [_canonical_callback(c) for c in config.status_callbacks or []] or None,
        "intelligence_configuration_ids": list(config.intelligence_configuration_ids or []) or None,
        "memory_extraction_enabled": config.memory_extraction_enabled,
        "conversations_v1_bridge": snake_keys(bridge) if bridge else None,
        "adopt": adopt,
        "version": config.version,
        "created_at": config.created_at,
        "updated_at": config.updated_at,
        "trait_extraction_strategy_ids": list(config.trait_extraction_strategy_ids or []),
        "observation_extraction_strategy_ids": list(config.observation_extraction_strategy_ids or []),
        "redaction_configuration_id": config.redaction_configuration_id,
    }


#: The dynamic face's classes of this resource, importable from here as before they moved.
__getattr__ = face_classes(
    __name__,
    dict.fromkeys(
        (
            "ConversationConfiguration",
            "StatusTimeoutsArgs",
            "CaptureRuleArgs",
            "ChannelSettingArgs",
            "StatusCallbackArgs",
            "ConversationsV1BridgeArgs",
            "ConversationConfigurationArgs",
        ),
        "conversation_configuration",
    ),
)

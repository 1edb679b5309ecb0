"""``BaseProvider``: what every resource's core shares: check by its pydantic model, diff by a
normalized comparison (deepdiff), read results projected onto the inputs, the claims that keep one
step of a deployment from undoing another.

A resource is two parts (``store`` is the reference; every resource has the same shape):

1. **The core**, ``resources/<resource>.py``: ``class XProvider(BaseProvider)`` with *class-level*
   settings only (never an instance attribute: the dynamic face pickles the provider object into
   every resource's state, by its class path, so never move or rename it).

   ============================  ====================================================================
   ``kind``                      noun for messages, e.g. ``"store"``
   ``inputs_model``              pydantic model whose field names are the input names (snake_case)
   ``output_fields``             output-only properties: dropped before check and diff
   ``replace_fields``            inputs whose change needs a new resource (``DiffResult.replaces``)
   ``unordered_fields``          list inputs whose order the API ignores (diffed ignoring order)
   ``create_only_fields``        inputs that only matter at create (e.g. ``adopt``): never diffed
   ``unmanaged_when_absent``     optional inputs the API cannot clear: omitted = leave as it is
   ``field_hints``               extra text appended to check failures of a property; a key
                                 ``"*.name"`` applies to a nested field of that name anywhere
   ``delete_before_replace``     True when old and new cannot coexist during a replacement
   ============================  ====================================================================

   ``configure``, ``check`` and ``diff`` come from the base. Hooks a resource may override:
   ``prepare(props)`` to record inputs in one spelling (key case, enum case) before ``check`` and
   ``parse`` see them, ``extra_failures(inputs)`` for rules the model cannot express,
   ``explain(property, reason)`` to reword a check failure the model's message leaves unclear,
   ``normalize(inputs)`` to make API-equivalent values compare equal (defaults, casing).

   Each resource implements ``create``/``read``/``update``/``delete`` (and may override ``diff``),
   each marked with its :mod:`._calls` decorator (``@_calls.create``, ``@_calls.read``,
   ``@_calls.update``, ``@_calls.step``): the binding checked and recorded, the resource named in
   log lines. They answer with :mod:`._results` and use:

   * ``self.parse(props)``: the validated ``inputs_model`` instance (after ``check``).
   * :mod:`._clients`: ``memory_client()`` / ``conversations_client()`` (cached, thread-safe) and
     ``new_deadline()``, one :class:`~twilio_memory_api.operations.Deadline` per call.
   * ``self.read_result(id, outs)``: ``ReadResult`` whose inputs are projected from ``outs``
     (refresh then shows drift); ``gone()``: the ``ReadResult`` for a 404.
     ``self.read_found(id, props, found, outs)``: either, from a find helper's answer (None = gone).
   * ``self.changed_properties(olds, news)``: the input names whose normalized values differ
     (what ``diff`` uses; ``update`` uses it to send only what changed).
   * :mod:`._lifecycle`: steps several resources take alike (the crash-safe create POST, the
     conditional write settling a 412 of our own, a delete racing its store's, the refusal of a
     taken display name).

   ``check`` also reports missing/malformed provider configuration as one ``CheckFailure`` with
   property ``""`` (that is how ``pulumi preview`` fails without credentials), so tests calling
   ``check`` directly set ``TWILIO_API_KEY``/``TWILIO_API_SECRET`` or call ``configure()``.

   Lifecycle safety, the same in every resource: ``create`` and ``update`` return
   ``self.claim(id)``, ``delete`` starts with ``if self.held_by_another(id_): return`` (see
   :mod:`._deployment`); ``self.import_id(props)`` is the ``import_`` id to adopt at create, and
   ``import_id_problem`` says in ``check`` why an id cannot be this resource's.

2. **The faces.** The dynamic face, ``dynamic/<resource>.py``: the ``XArgs`` dataclasses and
   ``class X(pulumi.dynamic.Resource, module="twilio-memory", name="X")`` (type token
   ``pulumi-python:dynamic/twilio-memory:X``), whose ``__init__`` builds ``props =
   resource_props(...)`` and ``opts = resource_options(opts, props, XProvider)`` (:mod:`._dynamic`:
   ``import_`` and ``replace_on_changes`` become hidden ``__`` inputs; the replacement order the
   resource needs becomes the default). The native face (:mod:`..native`) serves the same providers
   to every Pulumi language. The core never imports ``pulumi.dynamic``.

Facts about the dynamic-provider host the core relies on (pulumi 3.259): it calls the provider's
methods and reads the results by name; it runs four worker threads (hence the locked client
cache); ``configure()`` gets the stack config once per process; ``check``/``diff`` see unknown
values as :data:`UNKNOWN` during preview; ``customTimeouts``, ``Cancel``, ``stables``, changed keys
and detailed diffs never reach or leave a dynamic provider; ``pulumi up --replace`` calls ``check``
without old inputs and never ``diff``; the engine's import step calls ``read`` without inputs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pulumi.runtime.rpc import UNKNOWN
from pydantic import BaseModel
from twilio_memory_api.errors import ConfigurationError, NotFoundError

from .. import config
from . import _deployment
from ._binding import BINDING, binding, require_binding, same_place
from ._checks import clip_long_words, validation_failures
from ._clients import call_limits, clear_client_cache, conversations_client, memory_client, new_deadline
from ._dynamic import (
    IMPORT_ID,
    PROVIDER_KEY,
    REPLACE_ON_CHANGES,
    replaced_keys,
    resource_options,
    resource_props,
)
from ._results import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult
from ._values import contains, contains_unknown, is_unknown, normalize, strip_none

__all__ = [
    "BINDING",
    "IMPORT_ID",
    "PROVIDER_KEY",
    "REPLACE_ON_CHANGES",
    "UNKNOWN",
    "BaseProvider",
    "call_limits",
    "clear_client_cache",
    "contains",
    "contains_unknown",
    "conversations_client",
    "is_unknown",
    "memory_client",
    "new_deadline",
    "normalize",
    "resource_options",
    "resource_props",
    "same_place",
    "strip_none",
]

log = logging.getLogger("pulumi_twilio_memory")

V = TypeVar("V")


class BaseProvider:
    """Common lifecycle glue; subclasses set the class-level settings described in the module doc.

    Holds no state: ``configure`` records the stack config in :mod:`..config` (process-global).
    """

    #: The pickled provider is a bare class reference (tests prove it holds no secret), so it is
    #: stored in plain text: the state stays readable and greppable for leaked credentials.
    serialize_as_secret_always = False

    kind: ClassVar[str] = "resource"
    inputs_model: ClassVar[type[BaseModel]]
    output_fields: ClassVar[tuple[str, ...]] = ()
    replace_fields: ClassVar[frozenset[str]] = frozenset()
    unordered_fields: ClassVar[frozenset[str]] = frozenset()
    create_only_fields: ClassVar[frozenset[str]] = frozenset()
    unmanaged_when_absent: ClassVar[frozenset[str]] = frozenset()
    field_hints: ClassVar[Mapping[str, str]] = {}
    delete_before_replace: ClassVar[bool] = False
    #: Which API the resource lives in: ``"memory"`` or ``"conversations"`` (its base URL).
    api: ClassVar[str] = "memory"

    def binding(self) -> dict[str, str]:
        """Where this provider writes now: the account SID (when configured) and the base URL."""
        return binding(self.api)

    def require_binding(self, id_: str, recorded_props: Mapping[str, Any]) -> None:
        """Stop, before any request, when the state says this resource lives elsewhere than where
        the provider points now (see :func:`._binding.require_binding`)."""
        require_binding(self.kind, self.api, id_, recorded_props)

    # -- lifecycle methods provided by the base ------------------------------------------------

    def configure(self, req: Any) -> None:
        """The dynamic host's ``ConfigureRequest``: its ``config`` is the stack configuration."""
        config.configure(req.config)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every documented rule offline; unknowns (preview) are skipped. Missing or
        malformed provider configuration is reported here too, so ``pulumi preview`` fails."""
        inputs = self.user_inputs(self.prepare(news))
        failures = validation_failures(self.inputs_model, inputs, self.field_hints)
        failures += self.extra_failures(inputs)
        try:
            problem = config.current().credentials_problem()
        except ConfigurationError as exc:
            problem = str(exc)
        if problem is not None:
            failures.append(CheckFailure("", problem))
        import_id = news.get(IMPORT_ID)
        if isinstance(import_id, str) and not contains_unknown(inputs):
            reason = self.import_id_problem(inputs, import_id)
            if reason is not None:
                failures.append(CheckFailure("import_", reason))
        for failure in failures:
            failure.reason = clip_long_words(self.explain(failure.property, failure.reason))
            failure.property = clip_long_words(failure.property)
        hidden = {k: v for k, v in news.items() if k.startswith("__") and k != PROVIDER_KEY}
        return CheckResult({**inputs, **hidden}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """In-place update or replacement, from a normalized comparison of the input properties.

        ``olds`` are the recorded outputs (which repeat the inputs, as the live values after a
        refresh); output-only and create-only properties are ignored.
        """
        self.require_binding(_id, olds)
        changed = self.changed_properties(olds, news)
        forced = replaced_keys(news.get(REPLACE_ON_CHANGES), changed)
        replaces = sorted(k for k in changed if k in self.replace_fields or k in forced)
        return DiffResult(
            changes=bool(changed),
            diffs=changed,
            replaces=replaces,
            delete_before_replace=self.delete_before_replace if replaces else None,
        )

    # -- what each resource implements ----------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        raise NotImplementedError

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        raise NotImplementedError

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        raise NotImplementedError

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        raise NotImplementedError

    # -- hooks ---------------------------------------------------------------------------------

    def prepare(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The properties in the spelling ``check`` records and ``parse`` validates (snake_case
        keys, the API's enum case); must tolerate malformed values and unknowns. Unchanged here."""
        return dict(props)

    def extra_failures(self, inputs: dict[str, Any]) -> list[CheckFailure]:
        """Rules the inputs model cannot express; ``inputs`` may contain unknowns."""
        return []

    def explain(self, prop: str, reason: str) -> str:
        """The reason of a check failure on ``prop`` as the user should read it. Unchanged here."""
        return reason

    def import_id_problem(self, inputs: dict[str, Any], import_id: str) -> str | None:
        """Why ``import_id`` cannot name this resource (given the inputs), or None."""
        return None

    def normalize(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Make API-equivalent inputs compare equal (fill defaults, fix casing). Identity here."""
        return inputs

    # -- helpers for subclasses ----------------------------------------------------------------

    @classmethod
    def input_names(cls) -> tuple[str, ...]:
        return tuple(cls.inputs_model.model_fields)

    def user_inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs the user gave: no Pulumi-internal (``__``) properties such as ``__provider``,
        no output fields, no ``None`` values."""
        return {
            k: v
            for k, v in props.items()
            if not k.startswith("__") and k not in self.output_fields and v is not None
        }

    def not_importable(self, import_id: str) -> NotFoundError:
        """The error for an ``import_`` id that names nothing live."""
        return NotFoundError(
            f"import_={import_id!r}: no {self.kind} with this id exists in this account. Check the id "
            f"(`pulumi stack output`, the Twilio Console), or remove import_ to create a new {self.kind}.",
            status=404,
        )

    def import_id(self, props: Mapping[str, Any]) -> str | None:
        """The ``import_`` id to adopt, unless this deployment just deleted that resource (the
        delete half of a delete-before-replace): a replacement is created anew."""
        import_id = props.get(IMPORT_ID)
        if not isinstance(import_id, str) or _deployment.was_deleted(self.kind, import_id):
            return None
        return import_id

    def parse(self, props: Mapping[str, Any]) -> Any:
        """The validated inputs model (call from create/update, where nothing is unknown)."""
        return self.inputs_model.model_validate(self.user_inputs(self.prepare(props)))

    def changed_properties(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """Input properties whose normalized values differ (unknown new values count as changed)."""
        names = set(self.input_names())
        old = self.normalize(normalize({k: v for k, v in self.user_inputs(olds).items() if k in names}))
        new_raw = {k: v for k, v in self.user_inputs(news).items() if k in names}
        new = new_raw if contains_unknown(new_raw) else self.normalize(normalize(new_raw))
        # Imported here: a host that only creates (a fresh pool host) never pays for deepdiff.
        from deepdiff import DeepDiff  # noqa: PLC0415

        changed: list[str] = []
        for key in sorted(names):
            if key in self.create_only_fields:
                continue
            if key in self.unmanaged_when_absent and new.get(key) is None:
                continue
            before, after = old.get(key), new.get(key)
            if contains_unknown(after):
                changed.append(key)
                continue
            delta = DeepDiff(
                before,
                after,
                ignore_order=key in self.unordered_fields,
                ignore_numeric_type_changes=True,
            )
            if delta:
                changed.append(key)
        return changed

    def read_result(self, id_: str, outs: dict[str, Any], old: Mapping[str, Any] | None = None) -> ReadResult:
        """``ReadResult`` with the live values projected onto the input names, so ``pulumi
        refresh`` records drift and the next preview shows it against the program.

        ``old`` (the recorded outputs ``read`` was given): when the live values do not differ from
        them (after ``normalize``), the inputs are left as they are, so a refresh without drift
        reports nothing, instead of the program's spelling against the API's (defaults filled in,
        create-only flags).
        """
        if old is not None and not self.changed_properties(old, outs):
            return ReadResult(id_, outs, None)
        inputs = {k: outs[k] for k in self.input_names() if outs.get(k) is not None}
        return ReadResult(id_, outs, inputs)

    def read_found(
        self,
        id_: str,
        props: Mapping[str, Any],
        found: V | None,
        outs: Callable[[V, bool], dict[str, Any]],
    ) -> ReadResult:
        """What ``read`` returns for ``found``, a find helper's answer (None when the resource, or
        the store holding it, is gone): :meth:`gone`, or the :meth:`read_result` of its outputs
        ``outs(found, adopt)`` (``adopt`` as ``props``, the recorded outputs, have it)."""
        if found is None:
            return self.gone()
        return self.read_result(id_, outs(found, bool(props.get("adopt", False))), props)

    def claim(self, id_: str) -> str:
        """Record that this deployment manages ``id_`` (see :mod:`._deployment`); returns it."""
        _deployment.claim(self.kind, id_)
        return id_

    def held_by_another(self, id_: str) -> bool:
        """True, with a warning, when a create or update of this deployment manages ``id_`` under
        another resource name (a rename adopted or imported it, or a replacement landed on the
        same id): deleting the old resource must then only drop it from the state."""
        if not _deployment.is_claimed(self.kind, id_):
            return False
        log.warning(
            "%s %s is managed by another resource of this program now (renamed and adopted, imported, "
            "or replaced in place): the old resource is only removed from the state, the %s stays",
            self.kind,
            id_,
            self.kind,
        )
        return True

    @staticmethod
    def gone() -> ReadResult:
        """What read returns for a 404: an empty id removes the resource from the state.
        (``outs`` must be a dict: the host adds ``__provider`` to it.)"""
        return ReadResult("", {}, None)

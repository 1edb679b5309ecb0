"""Shared machinery of every dynamic resource: check via pydantic, diff via deepdiff, API clients,
deadlines and the Args -> props conversion.

How a resource file uses it (``store.py`` is the reference; every resource has the same shape):

1. **Args.** ``@dataclass(frozen=True, kw_only=True) class XArgs`` whose fields are
   ``pulumi.Input[...] | None``. Nested inputs accept plain dicts or nested ``...Args`` dataclasses;
   :func:`resource_props` turns all of it into the snake_case dict Pulumi stores.

2. **Provider.** ``class XProvider(BaseProvider)`` with *class-level* settings only. Never set an
   instance attribute: Pulumi pickles the provider object into every resource's state.

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
   ``normalize(inputs)`` to make API-equivalent values compare equal (defaults, casing). Implement
   ``create``/``read``/``update``/``delete`` with these helpers:

   * ``self.parse(props)``: the validated ``inputs_model`` instance (after ``check``).
   * ``memory_client()`` / ``conversations_client()``: cached, thread-safe API clients.
   * ``new_deadline()``: one :class:`~twilio_memory_api.operations.Deadline` per provider call.
   * ``self.read_result(id, outs)``: ``ReadResult`` whose inputs are projected from ``outs``
     (refresh then shows drift); ``gone()``: the ``ReadResult`` for a 404.
     ``self.read_found(id, props, found, outs)``: either, from a find helper's answer (None = gone).
   * ``self.changed_properties(olds, news)``: the input names whose normalized values differ
     (what ``diff`` uses; ``update`` uses it to send only what changed).

   ``check`` also reports missing/malformed provider configuration as one ``CheckFailure`` with
   property ``""`` (that is how ``pulumi preview`` fails without credentials), so tests calling
   ``check`` directly set ``TWILIO_API_KEY``/``TWILIO_API_SECRET`` or call ``configure()``.

   Lifecycle safety, the same in every resource: ``create`` and ``update`` return
   ``self.claim(id)``, ``delete`` starts with ``if self.held_by_another(id_): return`` (see
   :mod:`._deployment`); ``self.import_id(props)`` is the ``import_`` id to adopt at create, and
   ``import_id_problem`` says in ``check`` why an id cannot be this resource's.

   Steps several resources take alike live in :mod:`._lifecycle`: the crash-safe create POST
   (``post_once``), the conditional write settling a 412 of our own (``write_conditionally``) and
   the message refusing a taken display name (``name_taken``).

3. **Resource.** ``class X(pulumi.dynamic.Resource, module="twilio-memory", name="X")`` (type
   token ``pulumi-python:dynamic/twilio-memory:X``) declaring ``pulumi.Output[...]`` attributes,
   whose ``__init__`` builds ``props = resource_props(...)``, then ``opts = resource_options(opts,
   props, XProvider)`` (``import_`` and ``replace_on_changes`` become hidden
   ``__`` inputs; the replacement order the resource needs becomes the default) and calls
   ``super().__init__(XProvider(), name, props, opts)``.

Facts about the dynamic-provider host this relies on (pulumi 3.259): the host runs four worker
threads (hence the locked client cache); ``configure()`` gets the stack config once per process;
``check``/``diff`` see unknown values as :data:`UNKNOWN` during preview; ``customTimeouts``,
``Cancel``, ``stables``, changed keys and detailed diffs never reach or leave a dynamic provider;
``pulumi up --replace`` calls ``check`` without old inputs and never ``diff``; the engine's import
step calls ``read`` without inputs (so no ``__provider``).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import Enum
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    DiffResult,
    ReadResult,
    ResourceProvider,
)
from pulumi.runtime.rpc import UNKNOWN
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_snake
from twilio_memory_api.addresses import is_loopback_host
from twilio_memory_api.client import ConversationsClient, Credentials, MemoryClient
from twilio_memory_api.errors import ConfigurationError, NotFoundError, StackBindingError
from twilio_memory_api.models import format_validation_error
from twilio_memory_api.operations import SYSTEM_CLOCK, Clock, Deadline

from .. import config
from . import _deployment
from ._values import is_unknown

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
    "strip_none",
]

log = logging.getLogger("pulumi_twilio_memory")

V = TypeVar("V")

#: The resource the current provider call works on ("store 'acme'"), for log lines: a dynamic
#: provider cannot attribute a message to its resource in the engine (the host logs to stderr,
#: which the CLI shows under the stack), so every warning names it in its text instead.
_current_resource: contextvars.ContextVar[str | None] = contextvars.ContextVar("resource", default=None)


class _NameTheResource(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        current = _current_resource.get()
        if current is not None and not getattr(record, "resource_named", False):
            record.msg = f"{current}: {record.msg}"
            record.resource_named = True
        return True


log.addFilter(_NameTheResource())

PROVIDER_KEY = "__provider"
#: Hidden input: the id given as ``import_`` (translated into adoption by id, see resource_options).
IMPORT_ID = "__import_id"
#: Hidden output: where the resource lives, ``{"account": "AC…" or "", "endpoint": base URL}``
#: (no secret), recorded by every create and update and kept by reads; see
#: :meth:`BaseProvider.require_binding`.
BINDING = "__binding"
#: Hidden input: the ``replace_on_changes`` resource option (the host never tells the engine which
#: keys changed, so the engine cannot apply it; ``diff`` does).
REPLACE_ON_CHANGES = "__replace_on_changes"


def contains(value: Any, test: Callable[[Any], bool]) -> bool:
    """True when ``test`` holds for ``value`` or for anything inside it (dict keys and values,
    list and tuple items, at any depth)."""
    if test(value):
        return True
    if isinstance(value, Mapping):
        return any(contains(k, test) or contains(v, test) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains(v, test) for v in value)
    return False


def contains_unknown(value: Any) -> bool:
    """True when ``value`` is, or holds anywhere inside it, an unknown."""
    return contains(value, is_unknown)


def strip_none(value: Any) -> Any:
    """Recursively drop ``None`` values from dicts (absent and null mean the same to the API)."""
    if isinstance(value, Mapping):
        return {k: strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [strip_none(v) for v in value]
    return value


def normalize(value: Any) -> Any:
    """Comparable form: ``None`` dropped, tuples as lists, enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return value


def _to_props(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _to_props(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {k: _to_props(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_props(v) for v in value]
    return value  # scalars and pulumi Outputs (Pulumi resolves Outputs nested in dicts and lists)


def resource_props(
    args: Any,
    overrides: Mapping[str, Any],
    output_fields: Iterable[str],
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The props dict for ``pulumi.dynamic.Resource.__init__``.

    ``args`` is an ``...Args`` dataclass or None; ``overrides`` are keyword inputs (None = not
    given) that win over ``args``. Nested ``...Args`` become dicts. ``defaults`` fill inputs given
    neither way with the value the provider assumes anyway (``adopt=False``): ``read`` reports
    those inputs too, so recording them keeps a refresh from showing them as removed. Every output
    field is added as ``None`` so Pulumi creates an ``Output`` attribute for it, resolved from
    create/read outs.
    """
    props: dict[str, Any] = _to_props(args) if args is not None else {}
    for key, value in overrides.items():
        if value is not None:
            props[key] = _to_props(value)
    for key, value in (defaults or {}).items():
        if props.get(key) is None:
            props[key] = value
    for key in output_fields:
        props.setdefault(key, None)
    return props


def resource_options(
    opts: pulumi.ResourceOptions | None, props: dict[str, Any], provider: type[BaseProvider]
) -> pulumi.ResourceOptions:
    """The resource options to register with, adjusted for what a dynamic provider cannot do.

    * ``import_=ID`` becomes the hidden input ``__import_id`` (create adopts that exact resource):
      the engine's import step calls Read without inputs, which a dynamic provider cannot serve.
    * ``replace_on_changes`` is copied into ``__replace_on_changes`` for ``diff`` to honour.
    * ``delete_before_replace`` defaults to the resource's own need (``provider``'s: unique names
      cannot exist twice; ``pulumi up --replace`` never asks the provider), unless the user set it.
    """
    opts = opts or pulumi.ResourceOptions()
    if opts.import_:
        props[IMPORT_ID] = opts.import_
    if opts.replace_on_changes:
        props[REPLACE_ON_CHANGES] = sorted(opts.replace_on_changes)
    defaults = pulumi.ResourceOptions(delete_before_replace=provider.delete_before_replace or None)
    merged = pulumi.ResourceOptions.merge(defaults, opts)
    merged.import_ = None
    return merged


def replaced_keys(paths: Any, changed: Iterable[str]) -> set[str]:
    """The changed top-level inputs a ``replace_on_changes`` list names (``"*"`` = all; a nested
    path such as ``traits.tier`` names its top-level input)."""
    if not isinstance(paths, list | tuple):
        return set()
    tops = {re.split(r"[.\[]", str(p), maxsplit=1)[0] for p in paths}
    return {key for key in changed if "*" in tops or key in tops}


# -- API clients: one per configuration, shared by the host's worker threads ----------------------

_clients_lock = threading.Lock()
_clients: dict[tuple[str, str, Credentials], MemoryClient | ConversationsClient] = {}


def _client(kind: str, cls: type[MemoryClient] | type[ConversationsClient]) -> Any:
    cfg = config.current()
    credentials = cfg.credentials()
    base_url = cfg.memory_base_url if cls is MemoryClient else cfg.conversations_base_url
    key = (kind, base_url, credentials)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = cls(credentials, base_url=base_url)
            _clients[key] = client
        return client


def memory_client() -> MemoryClient:
    """The Memory client for the current configuration (raises ConfigurationError without creds)."""
    client: MemoryClient = _client("memory", MemoryClient)
    return client


def conversations_client() -> ConversationsClient:
    """The Conversations client for the current configuration."""
    client: ConversationsClient = _client("conversations", ConversationsClient)
    return client


def clear_client_cache() -> None:
    """Close and forget every cached client (tests; configuration changes)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


#: Limits a face sets for the provider call it is serving (see :func:`call_limits`).
_limits: contextvars.ContextVar[tuple[float | None, Clock | None]] = contextvars.ContextVar(
    "call_limits", default=(None, None)
)

#: Who set a deadline that came from :func:`call_limits`, as timeout messages name it.
CUSTOM_TIMEOUTS = "the resource's customTimeouts"


@contextlib.contextmanager
def call_limits(timeout: float | None, clock: Clock | None = None) -> Iterator[None]:
    """Inside the block, :func:`new_deadline` gives ``timeout`` seconds (when set; the native
    face's ``customTimeouts``) on ``clock`` (when set; one whose ``sleep`` ends at a Cancel)."""
    token = _limits.set((timeout, clock))
    try:
        yield
    finally:
        _limits.reset(token)


def new_deadline() -> Deadline:
    """A deadline of ``twilio-memory:operationTimeout`` seconds from now, unless the face serving
    this call set other limits (:func:`call_limits`)."""
    timeout, clock = _limits.get()
    if timeout:
        return Deadline(timeout, clock or SYSTEM_CLOCK, set_by=CUSTOM_TIMEOUTS)
    return Deadline(config.current().operation_timeout, clock or SYSTEM_CLOCK)


# -- check helpers ---------------------------------------------------------------------------------

#: The longest word an error message repeats from the user's input as it is.
MAX_ECHOED_WORD = 80


def _walk(inputs: Any, loc: tuple[int | str, ...]) -> tuple[list[str], Any, bool]:
    """Follow a pydantic error ``loc`` through the user's inputs.

    Returns the property path as the user wrote it (dict keys verbatim, union tags skipped), the
    node reached, and whether an unknown was crossed on the way.
    """
    parts: list[str] = []
    node = inputs
    for item in loc:
        if is_unknown(node):
            return parts, node, True
        if isinstance(item, int) and isinstance(node, list) and 0 <= item < len(node):
            parts.append(f"[{item}]")
            node = node[item]
        elif isinstance(item, str) and isinstance(node, Mapping) and item in node:
            parts.append(f".{item}" if parts else item)
            node = node[item]
        elif isinstance(item, str) and isinstance(node, Mapping) and to_snake(item) in node:
            parts.append(f".{to_snake(item)}" if parts else to_snake(item))
            node = node[to_snake(item)]
        elif isinstance(item, str) and item[:1].islower() and isinstance(node, Mapping):
            # A field the user did not give (missing); name it in snake_case and stop.
            name = to_snake(item)
            parts.append(f".{name}" if parts else name)
            return parts, None, False
        # else: a union tag ('STRING', 'function-after', ...) that is not in the data: skip it
    return parts, node, is_unknown(node)


_LONG_WORD = re.compile(rf"\S{{{MAX_ECHOED_WORD + 1},}}")


def clip_long_words(text: str) -> str:
    """Shorten every run of over ``MAX_ECHOED_WORD`` non-blank characters (a pasted blob used as
    a dict key, say) to its start and its length, so an error about it stays readable and does
    not echo the whole value back into the preview output and CI logs."""
    return _LONG_WORD.sub(lambda m: f"{m.group(0)[:40]}…({len(m.group(0))} characters)", text)


def _hint(hints: Mapping[str, str], path: str) -> str | None:
    """The hint for a failing property: ``hints[path]`` for a top-level one, ``hints["*.<name>"]``
    for a nested field (``identifier_configs[0].limit`` -> ``*.limit``); list items and dict keys
    of a top-level property (``matching_rules[2]``) get no hint."""
    top = path.split(".", maxsplit=1)[0].split("[", maxsplit=1)[0]
    if path == top:
        return hints.get(top)
    leaf = path.rsplit(".", 1)[-1] if "." in path else ""
    return hints.get(f"*.{leaf.split('[')[0]}") if leaf else None


def validation_failures(
    model: type[BaseModel], inputs: Mapping[str, Any], hints: Mapping[str, str] | None = None
) -> list[CheckFailure]:
    """One ``CheckFailure`` per bad field, as the user named it; errors that involve an unknown
    value (preview) are skipped rather than reported."""
    try:
        model.model_validate(dict(inputs))
    except ValidationError as exc:
        errors = exc.errors()
        formatted = format_validation_error(exc, snake=True)
        if len(formatted) != len(errors):  # defensive: pair by position only when they line up
            formatted = [("", str(e.get("msg", "invalid value"))) for e in errors]
        failures: list[CheckFailure] = []
        seen: set[tuple[str, str]] = set()
        for error, (fallback_path, text) in zip(errors, formatted, strict=True):
            parts, node, crossed_unknown = _walk(inputs, tuple(error["loc"]))
            if crossed_unknown:
                continue
            structural = error["type"] in ("missing", "extra_forbidden")
            if not structural and contains_unknown(node if parts else inputs):
                continue  # a cross-field or size rule over data that is not fully known yet
            path = "".join(parts) if parts else fallback_path
            if path == "body":
                path = ""
            hint = _hint(hints or {}, path)
            message = f"{text}: {hint}" if hint and not structural else text
            if (path, message) not in seen:
                seen.add((path, message))
                failures.append(CheckFailure(path, message))
        return failures
    return []


def same_place(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """True when a recorded binding and the current one name the same account and endpoint.

    Endpoints compare by scheme and host, and port unless both are loopback: the emulator is
    often restarted on a fresh port with the same state file, and two emulators on one machine
    cannot be told apart by their URL anyway. Accounts compare only when both are known (an API
    key alone does not say which account it belongs to).
    """
    old, new = urlsplit(str(recorded.get("endpoint", ""))), urlsplit(str(current.get("endpoint", "")))
    both_local = is_loopback_host(old.hostname) and is_loopback_host(new.hostname)
    if not both_local and (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
        return False
    account_old, account_new = recorded.get("account") or "", current.get("account") or ""
    return not (account_old and account_new and account_old != account_new)


def _describe_binding(binding: Mapping[str, Any]) -> str:
    account = binding.get("account") or ""
    return f"account {account} at {binding.get('endpoint')}" if account else str(binding.get("endpoint"))


def _label(provider: BaseProvider, props: Mapping[str, Any], id_: str | None) -> str:
    name = props.get("display_name")
    shown = repr(name) if isinstance(name, str) else (id_ or "(new)")
    return f"{provider.kind} {shown}"


@contextlib.contextmanager
def _working_on(provider: BaseProvider, props: Mapping[str, Any], id_: str | None) -> Iterator[None]:
    """Name the resource in every log line written inside the block."""
    token = _current_resource.set(_label(provider, props, id_))
    try:
        yield
    finally:
        _current_resource.reset(token)


def _bound(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (a lifecycle method of a provider) checking and recording the binding, with
    its resource named in every log line it writes."""

    @functools.wraps(method)
    def create(self: BaseProvider, props: dict[str, Any]) -> Any:
        with _working_on(self, props, None):
            result = method(self, props)
        result.outs = {**(result.outs or {}), BINDING: self.binding()}
        return result

    @functools.wraps(method)
    def read(self: BaseProvider, id_: str, props: dict[str, Any]) -> Any:
        self.require_binding(id_, props)
        with _working_on(self, props, id_):
            result = method(self, id_, props)
        # Carried forward as recorded, never rewritten by a refresh: a refresh that changed it (an
        # emulator on a new port, a stack from before bindings) would read as drift.
        if result.id and isinstance(props.get(BINDING), Mapping):
            result.outs = {**(result.outs or {}), BINDING: props[BINDING]}
        return result

    @functools.wraps(method)
    def update(self: BaseProvider, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        self.require_binding(id_, olds)
        with _working_on(self, news, id_):
            result = method(self, id_, olds, news)
        result.outs = {**(result.outs or {}), BINDING: self.binding()}
        return result

    @functools.wraps(method)
    def checked(self: BaseProvider, id_: str, props: dict[str, Any], *rest: Any) -> Any:
        self.require_binding(id_, props)
        with _working_on(self, props, id_):
            return method(self, id_, props, *rest)

    wrappers: dict[str, Callable[..., Any]] = {"create": create, "read": read, "update": update}
    return wrappers.get(name, checked)


class BaseProvider(ResourceProvider):
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every create, read, update, delete and diff a resource defines checks (and records)
        where its resources live: see :meth:`require_binding`."""
        super().__init_subclass__(**kwargs)
        for name in ("create", "read", "update", "delete", "diff"):
            if name in cls.__dict__:
                setattr(cls, name, _bound(name, cls.__dict__[name]))

    def binding(self) -> dict[str, str]:
        """Where this provider writes now: the account SID (when configured) and the base URL."""
        settings = config.current()
        endpoint = settings.memory_base_url if self.api == "memory" else settings.conversations_base_url
        return {"account": settings.account_sid or "", "endpoint": endpoint}

    def require_binding(self, id_: str, recorded_props: Mapping[str, Any]) -> None:
        """Stop, before any request, when the state says this resource lives elsewhere than where
        the provider points now: another account or endpoint would create everything anew there,
        or a refresh would drop what it cannot find. Resources recorded before bindings existed
        carry none and pass (their next update records it)."""
        recorded = recorded_props.get(BINDING)
        if not isinstance(recorded, Mapping):
            return
        current = self.binding()
        if same_place(recorded, current):
            return
        setting = (MemoryClient if self.api == "memory" else ConversationsClient).base_url_setting
        raise StackBindingError(
            f"This stack's {self.kind} {id_} lives in {_describe_binding(recorded)}, but the provider now "
            f"points at {_describe_binding(current)}. A stack's resources stay in the account and "
            f"endpoint they were created in: nothing was sent. Point {setting} and the credentials "
            f"back (then run `pulumi up` once: a refresh uses the settings the last update "
            f"recorded), or keep this stack and use a new one for the other endpoint (`pulumi stack "
            f"init <name>`)."
        )

    # -- lifecycle methods provided by the base ------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
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
            replaces=replaces,
            delete_before_replace=self.delete_before_replace if replaces else None,
        )

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

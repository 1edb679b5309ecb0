"""The native face: the resource core served as a Pulumi provider for every language.

Each request is translated (camelCase <-> snake_case, ``PropertyValue`` <-> plain values) and handed
to the same core the dynamic face uses, on a thread of its own: the core is synchronous and waits
on Twilio's long operations, and one process serves every resource of a stack at once, so the
threads are many (:data:`MAX_CALLS`) rather than the dynamic host's four.

What only this face can do: ``customTimeouts`` become the call's deadline, Cancel ends every wait
(:mod:`.cancel`), ``pulumi import`` reads by id alone, and ``pulumi preview --diff`` names each
changed property and whether it forces a replacement.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import PropertyValue
from twilio_memory_api.errors import AlreadyExistsError, ConfigurationError, OperationTimeoutError
from twilio_memory_api.operations import WaitInterrupted

from .. import config
from ..resources._base import BaseProvider, call_limits, clear_client_cache
from ..resources.conversation_configuration import IDEMPOTENCY_SEED
from .cancel import CancellableClock
from .catalog import Kind, kind_of
from .partial import made_but_unfinished
from .schema import schema_json
from .spelling import camel_path, to_core, to_engine
from .tenant import COMPONENT, construct_tenant
from .values import from_plain_map, to_plain_map

__all__ = ["MAX_CALLS", "TwilioMemoryProvider"]

T = TypeVar("T")

#: Provider calls running at once in one process. Nearly all of their time is spent waiting for
#: Twilio, so this is a bound on threads, not on CPU; the engine's own parallelism is the limit.
MAX_CALLS = 256

#: The provider's settings as its inputs name them (``apiKey``, ...).
_SETTING_KEYS = frozenset(key for key, _env in config.SETTINGS)


class TwilioMemoryProvider(p.Provider):
    """Stores, trait groups, identity resolution, data mappings and Conversations configurations."""

    def __init__(self) -> None:
        self._clock = CancellableClock()
        self._executor = ThreadPoolExecutor(max_workers=MAX_CALLS, thread_name_prefix="twilio-memory")

    async def _run(self, timeout: float | None, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` on a worker thread, its deadline ``timeout`` seconds (when the program
        set ``customTimeouts``) on the cancellable clock."""

        def limited() -> T:
            with call_limits(timeout or None, self._clock):
                return call(*args)

        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(context.run, limited))

    # -- schema and configuration ---------------------------------------------------------------

    async def get_schema(self, request: p.GetSchemaRequest) -> p.GetSchemaResponse:
        return p.GetSchemaResponse(schema_json())

    async def check_config(self, request: p.CheckRequest) -> p.CheckResponse:
        """Malformed settings (a base URL, a timeout) fail the preview, naming the key."""
        failures: list[p.CheckFailure] = []
        try:
            config.validate(_stack_values(to_plain_map(request.new_inputs)))
        except ConfigurationError as exc:
            failures.append(p.CheckFailure("", str(exc)))
        return p.CheckResponse(inputs=request.new_inputs, failures=failures)

    async def diff_config(self, request: p.DiffRequest) -> p.DiffResponse:
        """Any changed setting updates the provider in place: resources recorded elsewhere are
        stopped by their binding, never replaced."""
        olds, news = to_plain_map(request.old_state), to_plain_map(request.new_inputs)
        changed = sorted(k for k in _SETTING_KEYS if olds.get(k) != news.get(k))
        return p.DiffResponse(
            changes=bool(changed),
            diffs=changed,
            detailed_diff={k: p.PropertyDiff(p.PropertyDiffKind.UPDATE, True) for k in changed},
        )

    async def configure(self, request: p.ConfigureRequest) -> p.ConfigureResponse:
        values = to_plain_map(request.args) if request.args else _from_variables(request.variables)
        config.configure(_stack_values(values))
        clear_client_cache()
        # Secrets accepted (the engine requires it of a provider that constructs components): each
        # output is kept secret where the input of that name was (see _secret_as).
        return p.ConfigureResponse(accept_secrets=True, supports_preview=False)

    # -- resources --------------------------------------------------------------------------------

    async def check(self, request: p.CheckRequest) -> p.CheckResponse:
        kind, core = _core(request.type)
        model = kind.core.inputs_model
        olds, news = _in_core(kind, request.old_inputs), _in_core(kind, request.new_inputs)
        # What a dynamic resource records at construction, the URN seeds a crash-safe create's
        # Idempotency-Key (Conversations configurations); hidden keys stay in the inputs.
        news[IDEMPOTENCY_SEED] = request.urn
        result = core.check(olds, news)
        failures = [p.CheckFailure(camel_path(model, f.property), f.reason) for f in result.failures]
        inputs = _secret_as(_in_engine(kind, result.inputs), request.new_inputs)
        return p.CheckResponse(inputs=inputs, failures=failures)

    async def diff(self, request: p.DiffRequest) -> p.DiffResponse:
        kind, core = _core(request.type)
        model = kind.core.inputs_model
        olds, news = _in_core(kind, request.old_state), _in_core(kind, request.new_inputs)
        result = core.diff(request.resource_id, olds, news)
        replaces = set(result.replaces or ())
        detailed = {
            camel_path(model, key): p.PropertyDiff(
                _diff_kind(olds.get(key) is not None, news.get(key) is not None, key in replaces), True
            )
            for key in result.diffs or ()
        }
        delete_first = result.delete_before_replace if replaces else kind.core.delete_before_replace
        return p.DiffResponse(
            changes=bool(result.changes),
            replaces=sorted(camel_path(model, k) for k in replaces),
            delete_before_replace=bool(delete_first),
            diffs=sorted(detailed),
            detailed_diff=detailed,
        )

    async def create(self, request: p.CreateRequest) -> p.CreateResponse:
        kind, core = _core(request.type)
        props = _in_core(kind, request.properties)
        try:
            result = await self._run(request.timeout, core.create, props)
        except (OperationTimeoutError, WaitInterrupted) as exc:
            partial = made_but_unfinished(core, props, request.properties, exc)
            if partial is None:
                raise
            raise partial from exc
        except AlreadyExistsError as exc:
            raise _name_taken(kind, request.name, exc) from None
        return p.CreateResponse(result.id, _secret_as(_outputs(kind, result.outs, props), request.properties))

    async def read(self, request: p.ReadRequest) -> p.ReadResponse:
        kind, core = _core(request.type)
        props = _in_core(kind, request.properties)
        result = await self._run(None, core.read, request.resource_id, props)
        if not result.id:
            return p.ReadResponse()  # gone: the engine drops it from the state
        inputs = (
            request.inputs
            if result.inputs is None
            else _secret_as(_in_engine(kind, result.inputs), request.inputs)
        )
        outputs = _secret_as(_outputs(kind, result.outs, props), request.properties, request.inputs)
        return p.ReadResponse(result.id, outputs, inputs)

    async def update(self, request: p.UpdateRequest) -> p.UpdateResponse:
        kind, core = _core(request.type)
        olds, news = _in_core(kind, request.olds), _in_core(kind, request.news)
        result = await self._run(request.timeout, core.update, request.resource_id, olds, news)
        return p.UpdateResponse(_secret_as(_outputs(kind, result.outs, news), request.news))

    async def delete(self, request: p.DeleteRequest) -> None:
        kind, core = _core(request.type)
        props = _in_core(kind, request.properties)
        await self._run(request.timeout, core.delete, request.resource_id, props)

    async def construct(self, request: p.ConstructRequest) -> p.ConstructResponse:
        """TenantMemory, the one component: built from this provider's own resource types."""
        if request.resource_type != COMPONENT:
            raise ValueError(f"twilio-memory has no component {request.resource_type!r}; it has {COMPONENT}")
        urn, state = await construct_tenant(request.name, request.inputs, request.options)
        return p.ConstructResponse(urn, state, {k: v.all_dependencies() for k, v in state.items()})

    async def cancel(self) -> None:
        self._clock.cancel()


def _core(type_token: str) -> tuple[Kind, BaseProvider]:
    kind = kind_of(type_token)
    return kind, kind.core()


def _name_taken(kind: Kind, name: str, exc: AlreadyExistsError) -> AlreadyExistsError:
    """The core's refusal of a taken display name, with what to do said the way every Pulumi
    language says it (the core's advice is written in the dynamic face's Python)."""
    return AlreadyExistsError(
        f"{exc.finding} If this create replaces that very resource (`pulumi up --replace`, or a replacement "
        f"you forced), set the deleteBeforeReplace resource option on {name!r}: a display name cannot "
        f"exist twice. If you renamed {name!r} in your program, list its old URN in aliases. To manage "
        f"the existing one with this stack, `pulumi import {kind.token} {name} {exc.existing_id}` (or "
        "set adopt: true). Or choose another displayName.",
        existing_id=exc.existing_id,
        finding=exc.finding,
    )


def _in_core(kind: Kind, values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """The engine's properties as the core of ``kind`` records them."""
    return to_core(kind.core.inputs_model, to_plain_map(values))


def _in_engine(kind: Kind, values: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """The core's properties of ``kind`` as the engine (and the schema) spells them."""
    return from_plain_map(to_engine(kind.core.inputs_model, values))


def _diff_kind(had: bool, has: bool, replace: bool) -> p.PropertyDiffKind:
    kinds = p.PropertyDiffKind
    if not had:
        return kinds.ADD_REPLACE if replace else kinds.ADD
    if not has:
        return kinds.DELETE_REPLACE if replace else kinds.DELETE
    return kinds.UPDATE_REPLACE if replace else kinds.UPDATE


def _outputs(
    kind: Kind, outs: Mapping[str, Any] | None, props: Mapping[str, Any]
) -> dict[str, PropertyValue]:
    """The core's outputs, with the hidden (``__``) inputs of ``props`` carried along: the
    outputs are what delete and the next diff are given (a configuration's Idempotency-Key)."""
    hidden = {k: v for k, v in props.items() if k.startswith("__") and k not in (outs or {})}
    return _in_engine(kind, {**hidden, **(outs or {})})


def _secret_as(
    values: dict[str, PropertyValue], *sources: Mapping[str, PropertyValue]
) -> dict[str, PropertyValue]:
    """``values`` with each property secret that is secret (or holds a secret) in a source."""
    secret = {k for source in sources for k, v in source.items() if v.contains_secret()}
    return {k: v.with_secret(True) if k in secret else v for k, v in values.items()}


def _stack_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Provider inputs (``apiKey``) as the full stack keys :mod:`..config` reads."""
    return {
        f"{config.NAMESPACE}:{k}": str(v) for k, v in values.items() if k in _SETTING_KEYS and v is not None
    }


def _from_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """``twilio-memory:config:apiKey`` variables (older engines) as provider inputs."""
    prefix = f"{config.NAMESPACE}:config:"
    return {k.removeprefix(prefix): v for k, v in variables.items() if k.startswith(prefix)}

"""What every lifecycle call of a resource does around the resource's own work: the binding
checked before any request and recorded after every create and update (see :mod:`._binding`), and
the resource named in every log line the call writes. Each resource marks its methods explicitly
(``@_calls.create``, ``@_calls.read``, ``@_calls.update``, ``@_calls.step`` for delete and diff),
and a test checks that every lifecycle method of every resource is marked."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

from ._binding import BINDING, binding, require_binding

__all__ = ["FRAMED", "create", "read", "step", "update"]

log = logging.getLogger("pulumi_twilio_memory")

F = TypeVar("F", bound=Callable[..., Any])

#: Set on every framed method (True): what the completeness test looks for.
FRAMED = "__lifecycle_framed__"

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


class _Provider(Protocol):
    kind: str
    api: str


def _label(provider: _Provider, props: Mapping[str, Any], id_: str | None) -> str:
    name = props.get("display_name")
    shown = repr(name) if isinstance(name, str) else (id_ or "(new)")
    return f"{provider.kind} {shown}"


@contextlib.contextmanager
def _working_on(provider: _Provider, props: Mapping[str, Any], id_: str | None) -> Iterator[None]:
    """Name the resource in every log line written inside the block."""
    token = _current_resource.set(_label(provider, props, id_))
    try:
        yield
    finally:
        _current_resource.reset(token)


def _framed(wrapper: Any) -> Any:
    setattr(wrapper, FRAMED, True)
    return wrapper


def create(method: F) -> F:
    """A create: its resource named in its log lines, the binding recorded in its outputs."""

    @functools.wraps(method)
    def framed(self: _Provider, props: dict[str, Any]) -> Any:
        with _working_on(self, props, None):
            result = method(self, props)
        result.outs = {**(result.outs or {}), BINDING: binding(self.api)}
        return result

    return _framed(framed)  # type: ignore[no-any-return]


def read(method: F) -> F:
    """A read: the binding checked first, and carried forward as recorded (never rewritten by a
    refresh: one that changed it, an emulator on a new port, would read as drift)."""

    @functools.wraps(method)
    def framed(self: _Provider, id_: str, props: dict[str, Any]) -> Any:
        require_binding(self.kind, self.api, id_, props)
        with _working_on(self, props, id_):
            result = method(self, id_, props)
        if result.id and isinstance(props.get(BINDING), Mapping):
            result.outs = {**(result.outs or {}), BINDING: props[BINDING]}
        return result

    return _framed(framed)  # type: ignore[no-any-return]


def update(method: F) -> F:
    """An update: the binding checked first and recorded again in its outputs."""

    @functools.wraps(method)
    def framed(self: _Provider, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        require_binding(self.kind, self.api, id_, olds)
        with _working_on(self, news, id_):
            result = method(self, id_, olds, news)
        result.outs = {**(result.outs or {}), BINDING: binding(self.api)}
        return result

    return _framed(framed)  # type: ignore[no-any-return]


def step(method: F) -> F:
    """A delete or a diff: the binding checked first, the resource named in its log lines."""

    @functools.wraps(method)
    def framed(self: _Provider, id_: str, props: dict[str, Any], *rest: Any) -> Any:
        require_binding(self.kind, self.api, id_, props)
        with _working_on(self, props, id_):
            return method(self, id_, props, *rest)

    return _framed(framed)  # type: ignore[no-any-return]

"""Request cases generated from the spec's request schemas (the contract tier's machinery): every
constraint of a body, violated once, and every edge value it allows (maximum lengths and sizes,
minimum numbers, every enum value), each as a :class:`Case` applied to a valid base body.

:func:`assert_judged` says whether an answer is what the spec wants for a case: the operation's
documented success status for an allowed body, a 400 naming the field for a refused one.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from spec_contract import request_schema, success_status

if TYPE_CHECKING:  # annotations only: most of this tier never imports pulumi
    from pulumi_twilio_memory.resources._base import BaseProvider

__all__ = ["MISSING", "Case", "Op", "assert_judged", "generate", "leaf", "put"]

#: A value that stands for "the key removed".
MISSING = object()
#: The key added where a schema allows no keys but the ones it names.
UNLISTED_KEY = "notInTheSpec"


@dataclass(frozen=True)
class Op:
    method: str
    template: str
    base: dict[str, Any]
    #: The provider that manages this body (its check() is judged too), and its extra inputs.
    provider: type[BaseProvider] | None = None
    extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Case:
    op: Op
    path: str  # where the value goes, e.g. "statusCallbacks[0].method" ("": the whole body)
    value: Any  # the value there (MISSING: the key removed)
    valid: bool

    @property
    def id(self) -> str:
        shown = json.dumps(self.value)[:30] if self.value is not MISSING else "missing"
        return f"{self.op.method} {self.op.template.rsplit('/', 1)[-1]} {self.path or 'body'}={shown}"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _string(schema: dict[str, Any], path: str) -> Iterator[tuple[str, Any, bool]]:
    pattern, longest = schema.get("pattern"), schema.get("maxLength")
    fill = "a" if pattern is None or re.search(pattern, "a" * 3) else "A"
    if longest is not None:
        yield path, fill * (longest + 1), False
        yield path, fill * longest, True
    if schema.get("minLength", 0) > 1:
        yield path, fill * (schema["minLength"] - 1), False
    if pattern is not None:
        yield path, "no spaces or !", False
    if schema.get("format") == "date-time":
        yield path, "31/01/2026 09:30", False
    for value in schema.get("enum") or []:
        yield path, value, True
    if schema.get("enum"):
        yield path, "NOT_A_VALUE", False
    yield path, 5, False


def _number(schema: dict[str, Any], path: str) -> Iterator[tuple[str, Any, bool]]:
    if "maximum" in schema:
        yield path, schema["maximum"] + 1, False
        yield path, schema["maximum"], True
    if "minimum" in schema:
        yield path, schema["minimum"] - 1, False
        yield path, schema["minimum"], True
    yield path, "1", False


def _object(schema: dict[str, Any], base: dict[str, Any], path: str) -> Iterator[tuple[str, Any, bool]]:
    props: dict[str, Any] = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name in base:
            yield _join(path, name), MISSING, False
    for name, sub in props.items():
        if name in base:
            yield from _walk(sub, base[name], _join(path, name))
    extra = schema.get("additionalProperties")
    if extra is False:
        yield _join(path, UNLISTED_KEY), "x", False
    if isinstance(extra, dict):
        for name, value in base.items():
            if name not in props:
                yield from _walk(extra, value, _join(path, name))
    most = schema.get("maxProperties")
    if most is not None and base:
        # One entry too many, copies of the first under new keys (a map at its maximum would need
        # that many definitions in the store: only the refusal is generated).
        first = next(iter(base))
        fillers = {f"{first}{i}": copy.deepcopy(base[first]) for i in range(most + 1 - len(base))}
        yield path, {**base, **fillers}, False


def _walk(schema: dict[str, Any], base: Any, path: str) -> Iterator[tuple[str, Any, bool]]:
    """(path, value, valid) for every constraint of ``schema`` reachable in ``base``."""
    if "oneOf" in schema or "anyOf" in schema:
        return
    kind = schema.get("type")
    if kind == "string":
        yield from _string(schema, path)
    elif kind in ("integer", "number"):
        yield from _number(schema, path)
    elif kind == "array" and isinstance(base, list):
        if "maxItems" in schema and base:
            yield path, [copy.deepcopy(base[0]) for _ in range(schema["maxItems"] + 1)], False
            yield path, [copy.deepcopy(base[0]) for _ in range(schema["maxItems"])], True
        if schema.get("minItems", 0) >= 1:
            yield path, [], False
        if base and isinstance(schema.get("items"), dict):
            yield from _walk(schema["items"], base[0], f"{path}[0]")
    elif isinstance(base, dict):
        yield from _object(schema, base, path)


def generate(
    ops: Iterable[Op],
    edge_exceptions: Collection[tuple[str, str]] = (),
    bodies: Iterable[tuple[Op, dict[str, Any]]] = (),
) -> list[Case]:
    """The cases of every operation; ``edge_exceptions`` are ``(template, path)`` pairs whose edge
    value a business rule refuses for another reason (left out); ``bodies`` are whole bodies the
    spec allows, written by hand (each a valid case)."""
    cases = []
    for op in ops:
        for path, value, valid in _walk(request_schema(op.method, op.template), op.base, ""):
            if valid and (op.template, path) in edge_exceptions:
                continue
            cases.append(Case(op, path, value, valid))
    return cases + [Case(op, "", body, True) for op, body in bodies]


def put(body: dict[str, Any], path: str, value: Any) -> Any:
    """``body`` with ``value`` at ``path`` (``MISSING``: the key removed; path "": the whole body)."""
    if not path:
        return copy.deepcopy(value)
    out = copy.deepcopy(body)
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    node: Any = out
    for part in parts[:-1]:
        node = node[part]
    if value is MISSING:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return out


def leaf(path: str) -> str:
    """The name a 400 about ``path`` must mention (its last key; "body" for the whole body)."""
    names = re.findall(r"[^.\[\]0-9]+", path)
    return names[-1] if names else "body"


def assert_judged(response: httpx.Response, case: Case) -> None:
    """An allowed body gets the operation's documented success; a refused one a 400 naming it."""
    if case.valid:
        expected = success_status(case.op.method, case.op.template)
        assert response.status_code == expected, response.text
    else:
        assert response.status_code == 400, response.text
        assert leaf(case.path) in response.json()["message"], response.text

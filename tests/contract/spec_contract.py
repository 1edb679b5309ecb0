"""Twilio's OpenAPI spec as the judge of the emulator's answers (the contract tier's machinery).

The spec extracts are vendored in ``twilio_memory_emulator/spec/`` (provenance in its README); the
files, which path prefix each documents, and the inlining of their local ``$ref`` are that
package's, and the judging itself is ``openapi-schema-validator``'s (plus ``format: uri``, which
it leaves unchecked without an optional package: see :func:`_is_uri`).
:func:`problems` says what is wrong with one exchange: an answer status the operation does not
document, a body its response schema refuses (validated by ``openapi-schema-validator``'s OAS 3.0
validator, not by anything of this project), or a documented header missing or malformed.
:class:`Recorder` is an httpx event hook that keeps every exchange a test makes, so a test drives
a scenario and then asks for the problems of all of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from twilio_memory_emulator.spec import SPEC_FILES, deref, load

__all__ = [
    "Exchange",
    "Operation",
    "Recorder",
    "find_operation",
    "operations",
    "problems",
    "request_schema",
    "spec",
    "success_status",
]


def spec(name: str) -> dict[str, Any]:
    return load(name)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    document: str
    definition: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.definition.get("operationId", f"{self.method} {self.template}"))

    def responses(self) -> dict[str, Any]:
        return deref(spec(self.document), self.definition.get("responses", {}))  # type: ignore[no-any-return]


def operations(name: str) -> list[Operation]:
    """Every operation of one spec file."""
    return [
        Operation(method.upper(), template, name, op)
        for template, ops in spec(name)["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "responses" in op
    ]


def find_operation(method: str, path: str) -> Operation | None:
    """The spec operation serving ``method path`` (path without query), or None. Where several
    templates match, the one with the fewest parameters wins (``/Profiles/Lookup`` over
    ``/Profiles/{profileId}``), as a router matches fixed names first."""
    found = [
        op
        for prefix, name in SPEC_FILES.items()
        if path.startswith(prefix)
        for op in operations(name)
        if op.method == method.upper()
        and re.match("^" + re.sub(r"\{[^/]+\}", "[^/]+", op.template) + "$", path)
    ]
    return min(found, key=lambda op: op.template.count("{"), default=None)


def _operation(method: str, template: str) -> Operation:
    op = find_operation(method, template)
    assert op is not None and op.template == template, f"no {method} {template} in the spec"
    return op


def request_schema(method: str, template: str) -> dict[str, Any]:
    """The dereferenced JSON request body schema of an operation."""
    op = _operation(method, template)
    body = op.definition["requestBody"]["content"]["application/json"]["schema"]
    return deref(spec(op.document), body)  # type: ignore[no-any-return]


def success_status(method: str, template: str) -> int:
    """The one 2xx status the spec documents for an operation."""
    (status,) = [int(s) for s in _operation(method, template).definition["responses"] if s.startswith("2")]
    return status


def _is_uri(value: object) -> bool:
    """``format: uri`` (RFC 3986): a URI has a scheme, unlike a relative reference (which is
    ``uri-reference``); the validator checks it only when ``rfc3987`` is installed."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and not re.search(r"\s", value)


_FORMATS = FormatChecker()
_FORMATS.checkers = {**oas30_format_checker.checkers}
_FORMATS.checks("uri")(_is_uri)


def _validate(schema: dict[str, Any], value: Any) -> list[str]:
    validator = OAS30Validator(schema, format_checker=_FORMATS)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message[:300]}"
        for e in validator.iter_errors(value)
    ]


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: Any

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


def problems(exchange: Exchange) -> list[str]:
    """What the spec says is wrong with this answer (empty: it conforms)."""
    op = find_operation(exchange.method, exchange.path)
    if op is None:
        return [f"{exchange}: no such operation in the spec"]
    responses = op.responses()
    documented = responses.get(str(exchange.status))
    if documented is None:
        return [
            f"{exchange}: {op.name} does not document {exchange.status} (documented: {sorted(responses)})"
        ]
    found: list[str] = []
    for name, header in (documented.get("headers") or {}).items():
        value = exchange.headers.get(name.lower())
        if value is None:
            if header.get("required"):
                found.append(f"{exchange}: required header {name} missing")
            continue
        schema = header.get("schema") or {}
        typed: Any = int(value) if schema.get("type") == "integer" and value.isdigit() else value
        found += [f"{exchange}: header {name}: {p}" for p in _validate(schema, typed)]
    content = (documented.get("content") or {}).get("application/json")
    if content is not None:
        found += [f"{exchange}: {p}" for p in _validate(content.get("schema") or {}, exchange.body)]
    return found


@dataclass
class Recorder:
    """``client.event_hooks["response"].append(recorder)``: keeps every API exchange."""

    exchanges: list[Exchange] = field(default_factory=list)

    def __call__(self, response: httpx.Response) -> None:
        path = response.request.url.path
        if path.startswith("/_emulator/"):
            return
        response.read()
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        headers = {k.lower(): v for k, v in response.headers.items()}
        self.exchanges.append(Exchange(response.request.method, path, response.status_code, headers, body))

    def statuses(self) -> dict[str, set[int]]:
        """operationId -> the statuses seen (what a scenario covered)."""
        seen: dict[str, set[int]] = {}
        for exchange in self.exchanges:
            op = find_operation(exchange.method, exchange.path)
            seen.setdefault(op.name if op else str(exchange), set()).add(exchange.status)
        return seen

"""The vendored OpenAPI spec (``spec/``) as the emulator's first check of every request body and
of every query parameter whose values the spec lists (``check_query``, called by the gateway).

Before a body reaches the business rules (the wire package's models, which the provider shares),
it is validated against the request schema of its operation in Twilio's own spec by
``openapi-schema-validator``: a body the spec refuses is a 400 naming the field and what is
allowed, and what the spec allows gets through even where our models would be stricter. Keys the
spec does not list, where its schema allows extra keys, are dropped before the models see them
(so a PUT of what a GET returned works). Independent of the provider's models, so the contract
tests are too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from twilio_memory_emulator.errors import BadRequest

__all__ = ["SPEC_FILES", "SpecCheck", "check_query", "check_request", "deref", "load", "query_enums"]

#: Path prefix -> the spec extract that documents it.
SPEC_FILES = {
    "/v1/Stores/": "twilio_memory_v1_dataplane.json",
    "/v1/": "twilio_memory_v1.json",
    "/v2/": "twilio_conversations_v2.json",
}
_MAX_SHOWN = 60  # characters of an offending value repeated in a message


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("spec", name).read_text())  # type: ignore[no-any-return]


def deref(document: dict[str, Any], node: Any, seen: frozenset[str] = frozenset()) -> Any:
    """``node`` with every local ``$ref`` inlined; a ``discriminator`` is dropped (its mapping names
    schemas by reference, and the ``oneOf`` it annotates already says which shapes are allowed)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
            target: Any = document
            for part in ref[2:].split("/"):
                target = target[part]
            return deref(document, target, seen | {ref})
        return {k: deref(document, v, seen) for k, v in node.items() if k != "discriminator"}
    if isinstance(node, list):
        return [deref(document, v, seen) for v in node]
    return node


def _operation(method: str, template: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(spec document, operation) documenting ``method template``; None outside the specs."""
    name = next((n for prefix, n in SPEC_FILES.items() if template.startswith(prefix)), None)
    if name is None:
        return None
    document = load(name)
    return document, document["paths"].get(template, {}).get(method.lower(), {})


@cache
def query_enums(method: str, template: str) -> dict[str, tuple[str, ...]]:
    """The query parameters of ``method template`` whose values the spec lists: name -> values."""
    found = _operation(method, template)
    if found is None:
        return {}
    document, operation = found
    shared = document["paths"].get(template, {}).get("parameters", [])
    enums: dict[str, tuple[str, ...]] = {}
    for parameter in deref(document, [*shared, *operation.get("parameters", [])]):
        schema = parameter.get("schema") or {}
        values = schema.get("enum") or (schema.get("items") or {}).get("enum")
        if parameter.get("in") == "query" and values:
            enums[parameter["name"]] = tuple(values)
    return enums


def check_query(method: str, template: str, query_string: bytes) -> None:
    """A 400 naming each query parameter whose value is not one the spec lists, spelled exactly as
    it spells them (Twilio refuses ``orderBy=asc``: the enum is ``ASC | DESC``). The query string
    is parsed only for an operation that has such a parameter (most have none)."""
    enums = query_enums(method, template)
    if not enums or not query_string:
        return
    query = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    problems = [
        f"{name}={_shown(value)} must be one of " + ", ".join(repr(v) for v in enums[name])
        for name, value in query
        if name in enums and value not in enums[name]
    ]
    if problems:
        raise BadRequest(f"Invalid query parameter: {'; '.join(dict.fromkeys(problems))}")


@cache
def _request_validator(method: str, template: str) -> tuple[dict[str, Any], OAS30Validator] | None:
    """The request schema of ``method template`` and its validator (None: no JSON body)."""
    found = _operation(method, template)
    if found is None:
        return None
    document, operation = found
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    schema = deref(document, content["schema"])
    return schema, OAS30Validator(schema, format_checker=oas30_format_checker)


def _shown(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_SHOWN else f"{text[:_MAX_SHOWN]}…"


def _reason(error: Any) -> str:
    """What is allowed, in words (the validator's own message may repeat a huge value)."""
    schema, keyword, value = error.schema, error.validator, error.validator_value
    if keyword == "type" and not list(error.absolute_path):
        return "must be a JSON object"
    match keyword:
        case "maxLength":
            return f"must be at most {value} characters"
        case "minLength":
            return f"must be at least {value} characters"
        case "pattern":
            return f"must match {value}"
        case "enum":
            return "must be one of " + ", ".join(repr(v) for v in value)
        case "maxItems" | "maxProperties":
            return f"must have at most {value} entries"
        case "minItems" | "minProperties":
            return f"must have at least {value} entries"
        case "maximum" | "minimum":
            return f"must be {'at most' if keyword == 'maximum' else 'at least'} {value}"
        case "type":
            return f"must be of type {value}"
        case "required":
            return "is required"
        case "additionalProperties":
            return "is not an accepted field"
        case "oneOf" | "anyOf":
            return "does not match any of the accepted shapes"
        case _:
            return f"is not accepted ({keyword} {_shown(schema.get(keyword))})"


def _field(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        parts += missing[:1]
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)' was unexpected", error.message)
        parts += extra[:1]
    return ".".join(parts) or "body"


def _pruned(schema: dict[str, Any], value: Any) -> Any:
    """``value`` without the keys the schema does not name, where it allows extra keys."""
    if isinstance(value, dict) and schema.get("type", "object") == "object":
        props: dict[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties", True)
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in props:
                out[key] = _pruned(props[key], item)
            elif isinstance(extra, dict):
                out[key] = _pruned(extra, item)
            elif extra is False or not props:
                out[key] = item  # refused above already, or a free-form map: keep
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_pruned(schema["items"], item) for item in value]
    return value


@dataclass(frozen=True)
class SpecCheck:
    """A body as the spec judges it: ``data`` without the keys it neither names nor forbids."""

    data: Any
    problems: tuple[str, ...]
    #: Every problem is "matches none of the oneOf shapes": the business rules, which name the
    #: exact field, get to speak first (see ``raise_problems``).
    shapes_only: bool

    def raise_problems(self) -> None:
        if self.problems:
            raise BadRequest(f"Invalid request body: {'; '.join(self.problems)}")


def check_request(method: str, template: str, data: Any) -> SpecCheck:
    """Validate a parsed JSON body against its operation's request schema."""
    found = _request_validator(method, template)
    if found is None:
        return SpecCheck(data, (), True)
    schema, validator = found
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = tuple(dict.fromkeys(f"{_field(e)}: {_reason(e)}" for e in errors))
    shapes_only = all(e.validator in ("oneOf", "anyOf") for e in errors)
    return SpecCheck(_pruned(schema, data) if not errors else data, problems, shapes_only)

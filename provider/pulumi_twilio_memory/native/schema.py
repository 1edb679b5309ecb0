"""The native provider's Pulumi package schema, generated from the resource core's own input
models, output fields and replacement rules (and the dynamic face's ``#:`` documentation), so the
schema, the SDKs generated from it and the checks the provider runs cannot disagree."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.alias_generators import to_camel, to_pascal

from .. import config
from .._version import __version__
from .catalog import CATALOG, PACKAGE, Kind, token
from .docs import field_docs, markdown
from .spelling import enum_values, model_members, strip_annotated

__all__ = ["package_schema", "schema_json"]

_SCALARS: Mapping[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}

#: Output properties' types (they are not in the input models).
_OUTPUT_TYPES: Mapping[str, dict[str, Any]] = {
    "version": {"type": "integer"},
    "trait_extraction_strategy_ids": {"type": "array", "items": {"type": "string"}},
    "observation_extraction_strategy_ids": {"type": "array", "items": {"type": "string"}},
}


class _Types:
    """The object types the resources' inputs refer to, collected while they are described."""

    def __init__(self) -> None:
        self.types: dict[str, dict[str, Any]] = {}

    def ref(self, name: str, models: list[type[BaseModel]]) -> dict[str, Any]:
        tok = token(name)
        if tok not in self.types:
            self.types[tok] = {}  # placeholder first: a model may refer to itself
            self.types[tok] = self.object_type(name, models)
        return {"$ref": f"#/types/{tok}"}

    def object_type(self, name: str, models: list[type[BaseModel]]) -> dict[str, Any]:
        docs = _args_docs(name)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for model in models:
            for field_name, field in model.model_fields.items():
                alias = field.alias or field_name
                if alias in properties:
                    continue
                # In a union of shapes a tag field allows every member's value, not the first's.
                allowed = sorted({v for m in models for v in enum_values(_annotation(m, field_name)) or ()})
                properties[alias] = self.property(field.annotation, docs.get(field_name), field_name, allowed)
                if field.is_required() and len(models) == 1:
                    required.append(alias)
        described: dict[str, Any] = {"type": "object", "properties": properties}
        description = _class_doc(name)
        if description:
            described["description"] = description
        if required:
            described["required"] = sorted(required)
        return described

    def property(
        self, annotation: Any, doc: str | None, field_name: str, allowed: list[str] | None = None
    ) -> dict[str, Any]:
        """The property's schema: its type, and its doc (else the values its enum allows)."""
        described = self.type_of(annotation, field_name)
        allowed = allowed or enum_values(annotation)
        text = doc or ""
        if allowed and not text:
            text = f"One of {', '.join(allowed)} (any case)."
        if text:
            described["description"] = text
        return described

    def type_of(self, annotation: Any, field_name: str) -> dict[str, Any]:
        models = model_members(annotation)
        if len(models) == 1:
            return self.ref(models[0].__name__.removesuffix("Inputs"), models)
        if models:  # a union of rule shapes: one object with every field, told apart by a tag
            return self.ref(to_pascal(field_name), models)
        bare = strip_annotated(annotation)
        if bare in _SCALARS:
            return {"type": _SCALARS[bare]}
        if enum_values(bare) is not None:
            return {"type": "string"}
        origin, args = typing.get_origin(bare), typing.get_args(bare)
        if origin in (dict, Mapping) and len(args) == 2:
            return {"type": "object", "additionalProperties": self.type_of(args[1], field_name)}
        if origin in (list, tuple) and args:
            return {"type": "array", "items": self.type_of(args[0], field_name)}
        return {"$ref": "pulumi.json#/Any"}


def _annotation(model: type[BaseModel], field_name: str) -> Any:
    field = model.model_fields.get(field_name)
    return field.annotation if field is not None else None


def _args_docs(name: str) -> dict[str, str]:
    cls = _args_class(name)
    return field_docs(cls) if cls else {}


def _args_class(name: str) -> type | None:
    from ..dynamic import (  # noqa: PLC0415 - where every Args class is written
        conversation_configuration,
        data_mapping,
        identity_resolution,
        store,
        trait_group,
    )

    for module in (store, trait_group, identity_resolution, data_mapping, conversation_configuration):
        cls = getattr(module, f"{name}Args", None)
        if isinstance(cls, type):
            return cls
    return None


def _class_doc(name: str) -> str:
    cls = _args_class(name)
    return markdown(inspect.cleandoc(cls.__doc__ or "")) if cls else ""


def _resource(kind: Kind, types: _Types) -> dict[str, Any]:
    core = kind.core
    model = core.inputs_model
    in_docs = field_docs(kind.args)
    out_docs = field_docs(kind.resource)
    inputs: dict[str, Any] = {}
    required_inputs: list[str] = []
    for name, field in model.model_fields.items():
        alias = field.alias or name
        doc = in_docs.get(name) or out_docs.get(name)
        described = types.property(field.annotation, doc, name)
        if name in core.replace_fields:
            described["replaceOnChanges"] = True
        inputs[alias] = described
        if field.is_required():
            required_inputs.append(alias)
    outputs = dict(inputs)
    for name in core.output_fields:
        described = dict(_OUTPUT_TYPES.get(name, {"type": "string"}))
        if out_docs.get(name):
            described["description"] = out_docs[name]
        outputs[to_camel(name)] = described
    return {
        "description": markdown(inspect.cleandoc(kind.resource.__doc__ or "")),
        "properties": outputs,
        "required": sorted(set(required_inputs)),
        "inputProperties": inputs,
        "requiredInputs": sorted(required_inputs),
    }


def _fields_of(model: type[BaseModel], types: _Types, docs: Mapping[str, str], *names: str) -> dict[str, Any]:
    fields = model.model_fields
    return {fields[n].alias or n: types.property(fields[n].annotation, docs.get(n), n) for n in names}


def _tenant(types: _Types) -> dict[str, Any]:
    """The TenantMemory component: one tenant's store with what hangs off it (see its docstring)."""
    from ..components import tenant  # noqa: PLC0415 - only the schema needs the component's docs

    _tenant_types(types)
    return {
        "isComponent": True,
        "description": markdown(inspect.cleandoc(tenant.TenantMemory.__doc__ or "")),
        "inputProperties": _tenant_inputs(),
        "properties": {
            "storeId": _described("string", "The store (mem_store_...)."),
            "configurationId": _described("string", "The Conversations configuration, if any."),
            "traitGroupIds": _string_map("Trait group name -> id (<storeId>/<name>)."),
            "dataMappingIds": _string_map("Data mapping name -> id (<storeId>/<mappingId>)."),
        },
        "required": ["storeId", "traitGroupIds", "dataMappingIds"],
    }


def _tenant_types(types: _Types) -> None:
    """The component's group and mapping entries: the resources' own fields, minus the store."""
    from ..dynamic.data_mapping import DataMappingArgs  # noqa: PLC0415
    from ..dynamic.trait_group import TraitGroupArgs  # noqa: PLC0415
    from ..resources.data_mapping import DataMappingInputs  # noqa: PLC0415
    from ..resources.trait_group import TraitGroupInputs  # noqa: PLC0415

    adopt = "Take over an existing resource of this name instead of failing."
    group = _fields_of(TraitGroupInputs, types, field_docs(TraitGroupArgs), "description", "traits")
    types.types[token("TenantTraitGroup")] = {
        "type": "object",
        "description": "One trait group of a tenant; its name is the key in traitGroups.",
        "properties": {**group, "adopt": {"type": "boolean", "description": adopt}},
    }
    mapping_docs = field_docs(DataMappingArgs)
    mapping = _fields_of(
        DataMappingInputs, types, mapping_docs, "description", "is_enabled", "mapping_from", "mapping_to"
    )
    types.types[token("TenantDataMapping")] = {
        "type": "object",
        "description": "One data mapping of a tenant; its display name is the key in dataMappings.",
        "properties": mapping,
        "required": ["mappingFrom", "mappingTo"],
    }


def _tenant_inputs() -> dict[str, Any]:
    return {
        "displayName": _described("string", "The store's display name; default: the resource name."),
        "description": _described(
            "string", 'The store\'s description; default: "Conversation memory for <name>".'
        ),
        "traitGroups": {
            "type": "object",
            "additionalProperties": {"$ref": f"#/types/{token('TenantTraitGroup')}"},
            "description": "Trait group name -> group. Contact (seeded by Twilio) only with adopt: true.",
        },
        "identityResolution": {
            "$ref": "pulumi.json#/Any",
            "description": "{identifierConfigs, matchingRules} sets them; omitted: the API's defaults, "
            "managed; false: left unmanaged.",
        },
        "conversation": {
            "$ref": "pulumi.json#/Any",
            "description": "Conversations configuration inputs merged over the defaults (its memoryStoreId "
            "is the tenant's store); false: none.",
        },
        "dataMappings": {
            "type": "object",
            "additionalProperties": {"$ref": f"#/types/{token('TenantDataMapping')}"},
            "description": "Display name -> mapping, into the tenant's trait groups.",
        },
        "adopt": _described(
            "boolean",
            "Take over an existing store (and the named groups, mappings, configuration) instead of failing.",
        ),
    }


def _described(kind: str, text: str) -> dict[str, Any]:
    return {"type": kind, "description": text}


def _string_map(text: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": "string"}, "description": text}


def _configuration() -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for key, environment in config.SETTINGS:
        described: dict[str, Any] = {
            "type": "number" if key == "operationTimeout" else "string",
            "description": f"{config.DESCRIPTIONS[key]} Environment: {environment}.",
        }
        if f"{config.NAMESPACE}:{key}" in config.SECRET_KEYS:
            described["secret"] = True
        variables[key] = described
    return variables


@functools.cache
def package_schema() -> dict[str, Any]:
    """The whole schema (Pulumi package schema, JSON form)."""
    types = _Types()
    resources = {kind.token: _resource(kind, types) for kind in CATALOG}
    resources[token("TenantMemory")] = _tenant(types)
    variables = _configuration()
    return {
        "name": PACKAGE,
        "displayName": "Twilio Conversation Memory",
        "version": __version__,
        "description": "Twilio Conversation Memory stores, trait groups, identity resolution, data mappings "
        "and Conversations configurations, as a native Pulumi provider.",
        "keywords": ["pulumi", "twilio", "conversation-memory", "category/utility", "kind/native"],
        "license": "Apache-2.0",
        "publisher": "pulumi-twilio-memory contributors",
        "config": {"variables": variables},
        "provider": {
            "description": "Where the resources live and the credentials to reach them.",
            "inputProperties": variables,
            "properties": variables,
        },
        "resources": resources,
        "types": types.types,
        "language": {
            # Not "pulumi_twilio_memory": that name is this package (the dynamic face and the core).
            "python": {"packageName": "pulumi_twilio_memory_native"},
            "nodejs": {"packageName": "@pulumi-twilio-memory/native"},
            "csharp": {"rootNamespace": "PulumiTwilioMemory"},
            "go": {"importBasePath": "github.com/pulumi-twilio-memory/sdk/go/twiliomemory"},
        },
    }


def schema_json() -> str:
    import json  # noqa: PLC0415

    return json.dumps(package_schema(), indent=2, sort_keys=True)

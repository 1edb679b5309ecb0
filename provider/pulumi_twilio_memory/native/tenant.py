"""``twilio-memory:index:TenantMemory`` in every language: the dynamic face's component, built by the
native provider's ``construct`` from the native resource types, so a YAML or TypeScript program
onboards a tenant in one resource with the same defaults, rules and dependencies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError
from pulumi.output import _OutputData
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.resource import DependencyResource
from pulumi.runtime.rpc import UNKNOWN
from pydantic import BaseModel

from ..components.tenant import Kinds, TenantConfigurationError, TenantMemory
from ..resources._values import contains_unknown
from ..resources.conversation_configuration import ConversationConfigurationInputs
from ..resources.data_mapping import DataMappingInputs, canonical_targets
from ..resources.identity_resolution import IdentityResolutionSettingsInputs
from ..resources.store import StoreInputs
from ..resources.trait_group import TraitGroupInputs
from .catalog import token
from .spelling import to_core, to_engine
from .values import from_plain, to_plain

__all__ = ["COMPONENT", "construct_tenant"]

COMPONENT = token("TenantMemory")

#: The component's outputs: (schema name, attribute of TenantMemory).
OUTPUTS = (
    ("storeId", "store_id"),
    ("configurationId", "configuration_id"),
    ("traitGroupIds", "trait_groups"),
    ("dataMappingIds", "data_mappings"),
)


_MAY_BE_OUTPUTS = frozenset({"displayName", "description"})


def _kind(
    name: str, model: type[BaseModel], prepare: Callable[[dict[str, Any]], dict[str, Any]] = dict
) -> Any:
    def make(resource_name: str, *, opts: pulumi.ResourceOptions | None = None, **inputs: Any) -> Any:
        props = prepare({k: v for k, v in inputs.items() if v is not None})
        return pulumi.CustomResource(token(name), resource_name, to_engine(model, props), opts)

    return make


def _mapping_targets(props: dict[str, Any]) -> dict[str, Any]:
    """The tenant's ``mapping_to`` shorthand (a list of mappings) as the object the schema has."""
    return {**props, "mapping_to": canonical_targets(props.get("mapping_to"))}


NATIVE_KINDS = Kinds(
    store=_kind("Store", StoreInputs),
    trait_group=_kind("TraitGroup", TraitGroupInputs),
    identity_resolution=_kind("IdentityResolutionSettings", IdentityResolutionSettingsInputs),
    data_mapping=_kind("DataMapping", DataMappingInputs, _mapping_targets),
    conversation=_kind("ConversationConfiguration", ConversationConfigurationInputs),
)


class NativeTenantMemory(TenantMemory):
    """TenantMemory whose children are the native provider's resources."""

    kinds = NATIVE_KINDS
    camel_problems = True


def _section(model: type[BaseModel], value: Any) -> Any:
    return to_core(model, value) if isinstance(value, Mapping) else value


def _inputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """The component's camelCase inputs as TenantMemory's keyword arguments."""
    groups = values.get("traitGroups") or {}
    mappings = values.get("dataMappings") or {}
    return {
        "display_name": values.get("displayName"),
        "description": values.get("description"),
        "trait_groups": {k: _section(TraitGroupInputs, v) for k, v in groups.items()},
        "identity_resolution": _section(IdentityResolutionSettingsInputs, values.get("identityResolution")),
        "conversation": _section(ConversationConfigurationInputs, values.get("conversation")),
        "data_mappings": {k: _section(DataMappingInputs, v) for k, v in mappings.items()},
        "adopt": bool(values.get("adopt", False)),
    }


def _input(value: PropertyValue) -> Any:
    """A plain value, or an Output when the value is unknown (preview) or depends on resources."""
    plain = to_plain(value)
    unknown = contains_unknown(plain)
    if not unknown and not value.dependencies and not value.is_secret:
        return plain
    resolved: asyncio.Future[_OutputData[Any]] = asyncio.get_running_loop().create_future()
    resolved.set_result(
        _OutputData(
            resources={DependencyResource(urn) for urn in value.dependencies},
            value=None if unknown else plain,
            is_known=not unknown,
            is_secret=value.is_secret,
        )
    )
    return pulumi.Output._from_data(resolved)  # the SDK's own way to rebuild an Output


async def _state(output: pulumi.Output[Any]) -> PropertyValue:
    known = await output.is_known()
    urns = {await r.urn.future() for r in await output.resources()}
    value = await output.future() if known else UNKNOWN
    return from_plain(value).with_dependencies(u for u in urns if u)


async def construct_tenant(
    name: str, inputs: Mapping[str, PropertyValue], options: pulumi.ResourceOptions
) -> tuple[str, dict[str, PropertyValue]]:
    """Register the tenant and wait for its outputs: (its URN, its state)."""
    # Only the store's display name and description may be outputs of other resources: the rest
    # decides which resources exist, so it must be known when the program runs.
    values = {key: _input(v) if key in _MAY_BE_OUTPUTS else to_plain(v) for key, v in inputs.items()}
    try:
        tenant = NativeTenantMemory(name, **_inputs(values), opts=options)
    except TenantConfigurationError as exc:
        errors = [_property_error(problem) for problem in exc.problems]
        raise InputPropertiesError(str(exc), errors) from None
    state = {key: await _state(getattr(tenant, attribute)) for key, attribute in OUTPUTS}
    return await tenant.urn.future(), state  # type: ignore[return-value]


def _property_error(problem: str) -> Any:
    path, _, reason = problem.partition(": ")
    return {"property_path": path, "reason": reason or problem}

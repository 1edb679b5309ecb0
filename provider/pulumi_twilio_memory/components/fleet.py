"""Many tenants from one configuration: templates, per-tenant extras, account-wide rules.

The root tenant-onboarding program (``Pulumi.yaml`` at the repository root) and the per-tenant
CI command (``python -m pulumi_twilio_memory.onboard``) read the same document, either from stack
configuration or from a YAML/JSON file. Keys are camelCase as everywhere in Pulumi config::

    namePrefix: dev-            # prepended to every store's display name (default "")
    maxStores: 15               # stores this stack may use in its account (1..15, default 15)
    providerHosts: 4            # provider host processes (1..32; default: 1 per 4 tenants, <= 4)
    traitGroupTemplates:        # shared trait groups, by group name
      Preferences: {description: ..., traits: {tier: {dataType: STRING}}}
    defaults:                   # applied to every tenant unless the tenant says otherwise
      templates: [Preferences]
      identityResolution: {identifierConfigs: [...], matchingRules: [...]}   # or false
      conversation: {conversationGroupingType: ..., channelSettings: {...}}  # or false
    tenants:                    # required, so a typo cannot silently mean "no tenants"
      - name: acme              # tenant key: resource names, stack names; [a-z0-9-], <= 32
        displayName: ...        # store display name, default <namePrefix><name>
        description: ...
        templates: [...]        # replaces defaults.templates
        traitGroups: {...}      # extra groups; a template's name here adds traits to it
        identityResolution: ... # replaces defaults.identityResolution; false = unmanaged
        conversation: ...       # merged key by key over defaults.conversation; false = none
        dataMappings:           # data mappings by display name, into this tenant's trait groups
          crm-import: {mappingFrom: {type: INGRESS, columns: [tier]},
                       mappingTo: [{expression: $.tier, traitGroup: Preferences, traitName: tier}]}
        adopt: false            # take over an existing store with this display name

Everything is checked before a single resource is registered, and every problem of every tenant
comes back in one :class:`TenantConfigurationError`: more tenants than the account's 15 stores,
two tenants with one name or one store/configuration display name, unknown templates, and every
API constraint on traits, identity resolution and channels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from twilio_memory_api import models

from ..hosts import MAX_POOL_SIZE, HostPool, hosts_for
from .tenant import TenantConfigurationError, TenantMemory, problem_line, tenant_problems

__all__ = [
    "CONFIG_KEYS",
    "TENANT_NAME_PATTERN",
    "FleetConfig",
    "ResolvedTenant",
    "deploy_tenants",
    "export_tenants",
    "fleet_from_pulumi_config",
    "fleet_host_pool",
    "resolve_fleet",
    "run_fleet_program",
]

TENANT_NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
TENANT_NAME_MAX = 32


class _ConfigModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class TraitGroupTemplate(_ConfigModel):
    """A trait group: ``traits`` are checked against the API's trait rules when resolved."""

    description: str | None = None
    traits: dict[str, dict[str, Any]] = Field(default_factory=dict)
    adopt: bool | None = None


class TenantDefaults(_ConfigModel):
    templates: list[str] = Field(default_factory=list)
    identity_resolution: dict[str, Any] | Literal[False] | None = None
    conversation: dict[str, Any] | Literal[False] | None = None


class DataMappingEntry(_ConfigModel):
    """A data mapping; ``mappingFrom`` and ``mappingTo`` are checked by the resource's own rules."""

    mapping_from: dict[str, Any]
    mapping_to: list[dict[str, Any]] | dict[str, Any]
    description: str | None = None
    is_enabled: bool | None = None


class TenantEntry(_ConfigModel):
    name: str
    display_name: str | None = None
    description: str | None = None
    templates: list[str] | None = None
    trait_groups: dict[str, TraitGroupTemplate] = Field(default_factory=dict)
    identity_resolution: dict[str, Any] | Literal[False] | None = None
    conversation: dict[str, Any] | Literal[False] | None = None
    data_mappings: dict[str, DataMappingEntry] = Field(default_factory=dict)
    adopt: bool = False


class FleetConfig(_ConfigModel):
    """The whole document; see the module docstring for each key."""

    name_prefix: str = ""
    max_stores: int = Field(default=models.MAX_STORES_PER_ACCOUNT, ge=1, le=models.MAX_STORES_PER_ACCOUNT)
    provider_hosts: int | None = Field(default=None, ge=1, le=MAX_POOL_SIZE)
    trait_group_templates: dict[str, TraitGroupTemplate] = Field(default_factory=dict)
    defaults: TenantDefaults = Field(default_factory=TenantDefaults)
    tenants: list[TenantEntry]


#: The configuration keys of the document, camelCase (also the stack config keys of the program).
CONFIG_KEYS = tuple(to_camel(name) for name in FleetConfig.model_fields)


@dataclass
class ResolvedTenant:
    """One tenant with templates expanded and defaults applied: the arguments of TenantMemory.

    Nested values use the resources' snake_case input names. JSON-serializable (``asdict``), so
    the per-tenant CI command can hand it to its stack as configuration.
    """

    name: str
    display_name: str
    description: str | None = None
    trait_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    identity_resolution: dict[str, Any] | Literal[False] | None = None
    conversation: dict[str, Any] | Literal[False] | None = None
    data_mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    adopt: bool = False

    def problems(self, path: str) -> list[str]:
        """What the component itself would reject, reported under ``path`` (camelCase fields)."""
        return tenant_problems(
            self.name,
            display_name=self.display_name,
            description=self.description,
            trait_groups=self.trait_groups,
            identity_resolution=self.identity_resolution,
            conversation=self.conversation,
            data_mappings=self.data_mappings,
            adopt=self.adopt,
            path=path,
            camel=True,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ResolvedTenant:
        return cls(**dict(values))

    def deploy(self, opts: pulumi.ResourceOptions | None = None) -> TenantMemory:
        """Register this tenant's TenantMemory (no API call)."""
        return TenantMemory(
            self.name,
            display_name=self.display_name,
            description=self.description,
            trait_groups=self.trait_groups,  # type: ignore[arg-type]  # validated TraitGroupSpec dicts
            identity_resolution=self.identity_resolution,  # type: ignore[arg-type]
            conversation=self.conversation,  # type: ignore[arg-type]
            data_mappings=self.data_mappings,  # type: ignore[arg-type]  # validated DataMappingSpec dicts
            adopt=self.adopt,
            opts=opts,
        )


def _format_problems(exc: ValidationError, path: str) -> list[str]:
    """``"<path>.<field>: <what is allowed>"`` per error, spelled as the configuration is."""
    return [
        problem_line(path, where, message, camel=True)
        for where, message in models.format_validation_error(exc)
    ]


def _to_inputs(model: type[BaseModel], raw: Any, path: str, problems: list[str]) -> dict[str, Any] | None:
    """camelCase config -> the resources' snake_case inputs, checked against the API's rules.

    ``None`` (with the problems recorded) when the value is invalid, so nothing downstream
    reports the same mistake a second time.
    """
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_format_problems(exc, path))
        return None
    return parsed.model_dump(mode="json", exclude_none=True, exclude_unset=True)


def _traits(raw: Mapping[str, Any], path: str, problems: list[str]) -> dict[str, Any]:
    traits = {}
    for trait, definition in raw.items():
        inputs = _to_inputs(models.TraitDefinition, definition, f"{path}.{trait}", problems)
        if inputs is not None:
            traits[trait] = inputs
    return traits


def _trait_groups(
    entry: TenantEntry, config: FleetConfig, path: str, problems: list[str]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    templates = entry.templates if entry.templates is not None else config.defaults.templates
    templates_path = f"{path}.templates" if entry.templates is not None else "defaults.templates"
    for template in templates:
        if template not in config.trait_group_templates:
            known = ", ".join(sorted(config.trait_group_templates)) or "none are defined"
            problems.append(
                f"{templates_path}: unknown trait group template {template!r} (traitGroupTemplates: {known})"
            )
            continue
        spec = config.trait_group_templates[template]
        groups[template] = {
            "description": spec.description,
            "traits": _traits(spec.traits, f"traitGroupTemplates.{template}.traits", problems),
        }
        if spec.adopt is not None:
            groups[template]["adopt"] = spec.adopt
    for name, extra in entry.trait_groups.items():
        base: dict[str, Any] = groups.setdefault(name, {"description": None, "traits": {}})
        if extra.description is not None:
            base["description"] = extra.description
        if extra.adopt is not None:
            base["adopt"] = extra.adopt
        base["traits"] = {
            **base["traits"],
            **_traits(extra.traits, f"{path}.traitGroups.{name}.traits", problems),
        }
    return {name: {k: v for k, v in group.items() if v is not None} for name, group in groups.items()}


def _section(
    value: dict[str, Any] | Literal[False] | None,
    default: dict[str, Any] | Literal[False] | None,
    model: type[BaseModel],
    path: str,
    problems: list[str],
    *,
    merge: bool,
) -> dict[str, Any] | Literal[False] | None:
    """Resolve identityResolution (replaced whole) or conversation (merged over the default)."""
    if value is False or (value is None and default is False):
        return False
    resolved: dict[str, Any] = {}
    if isinstance(default, dict) and (value is None or merge):
        resolved.update(_to_inputs(model, default, f"defaults.{path.rsplit('.', 1)[-1]}", problems) or {})
    if isinstance(value, dict):
        resolved.update(_to_inputs(model, value, path, problems) or {})
    return resolved or None


def _collisions(config: FleetConfig, tenants: list[ResolvedTenant]) -> list[str]:
    """Names that must be unique in the account; one message per tenant, for its first collision."""
    keys: list[tuple[str, Callable[[int], str | None]]] = [
        ("name", lambda i: config.tenants[i].name),
        ("store displayName", lambda i: tenants[i].display_name),
        ("conversation displayName", lambda i: _conversation_name(tenants[i])),
    ]
    found: dict[int, str] = {}
    for what, key in keys:
        seen: dict[str, int] = {}
        for index in range(len(tenants)):
            value = key(index)
            if value is None:
                continue
            first = seen.setdefault(value.lower(), index)
            if first != index and index not in found:
                found[index] = (
                    f"tenants[{index}]: {what} {value!r} is already used by tenants[{first}] "
                    f"({config.tenants[first].name}); it must be unique in the account "
                    "(compared case-insensitively)"
                )
    return [found[index] for index in sorted(found)]


def resolve_fleet(raw: Mapping[str, Any], *, subject: str = "Tenant configuration") -> list[ResolvedTenant]:
    """Validate the whole document and return the tenants, or raise one error listing every problem.

    Pure and offline: nothing is registered and no API is called, so a bad configuration fails
    ``pulumi preview`` before anything else happens.
    """
    config = _parsed(raw, subject)
    problems: list[str] = []
    tenants: list[ResolvedTenant] = []
    for index, entry in enumerate(config.tenants):
        tenant = _resolved_tenant(entry, config, f"tenants[{index}]", problems)
        problems.extend(tenant.problems(f"tenants[{index}]"))
        tenants.append(tenant)
    problems.extend(_collisions(config, tenants))
    if len(tenants) > config.max_stores:
        problems.insert(0, _capacity_problem(len(tenants), config.max_stores))
    # The same message twice (e.g. a template error seen by every tenant using it) is noise.
    problems = list(dict.fromkeys(problems))
    if problems:
        raise TenantConfigurationError(subject, problems)
    return tenants


def _parsed(raw: Mapping[str, Any], subject: str) -> FleetConfig:
    """The document's shape, or every shape problem at once (a missing ``tenants`` explained: an
    empty list is how a stack deletes all of its tenants, so it is never assumed)."""
    try:
        return FleetConfig.model_validate(dict(raw))
    except ValidationError as exc:
        missing = "tenants" not in raw
        raise TenantConfigurationError(
            subject,
            [
                "tenants: is required: list the tenants ([] on purpose means none, and `pulumi up` "
                "then deletes every tenant of this stack)"
                if missing and p.startswith("tenants:")
                else p
                for p in _format_problems(exc, "")
            ],
        ) from None


def _resolved_tenant(
    entry: TenantEntry, config: FleetConfig, path: str, problems: list[str]
) -> ResolvedTenant:
    """One entry with the document's defaults applied; its problems are appended to ``problems``."""
    if not re.fullmatch(TENANT_NAME_PATTERN, entry.name) or len(entry.name) > TENANT_NAME_MAX:
        problems.append(
            f"{path}.name: {entry.name!r} is not a tenant name: use lower-case letters, digits and "
            f"'-' (not at either end), at most {TENANT_NAME_MAX} characters; it becomes resource "
            "and stack names"
        )
    return ResolvedTenant(
        name=entry.name,
        display_name=entry.display_name or f"{config.name_prefix}{entry.name}",
        description=entry.description,
        trait_groups=_trait_groups(entry, config, path, problems),
        identity_resolution=_section(
            entry.identity_resolution,
            config.defaults.identity_resolution,
            models.IdentityResolutionSettingsPut,
            f"{path}.identityResolution",
            problems,
            merge=False,
        ),
        conversation=_section(
            entry.conversation,
            config.defaults.conversation,
            models.ConfigurationPatch,
            f"{path}.conversation",
            problems,
            merge=True,
        ),
        data_mappings={
            name: mapping.model_dump(exclude_none=True) for name, mapping in entry.data_mappings.items()
        },
        adopt=entry.adopt,
    )


def _capacity_problem(tenants: int, max_stores: int) -> str:
    return (
        f"tenants: {tenants} tenants need {tenants} memory stores, but this stack may use "
        f"at most {max_stores} (maxStores; Twilio allows {models.MAX_STORES_PER_ACCOUNT} stores per "
        "account). Move tenants to a stack for another account: see examples/multi-account."
    )


def _conversation_name(tenant: ResolvedTenant) -> str | None:
    if tenant.conversation is False:
        return None
    name = (tenant.conversation or {}).get("display_name", tenant.display_name)
    return name if isinstance(name, str) else None


def fleet_from_pulumi_config(config: pulumi.Config | None = None) -> dict[str, Any]:
    """The document from the stack configuration of the current project (``<project>:<key>``).

    Unknown keys in the project's namespace are reported (a misspelt ``tenants`` must not quietly
    mean "no tenants", which would delete every store on ``pulumi up``).
    """
    config = config or pulumi.Config()
    raw: dict[str, Any] = {}
    for key in CONFIG_KEYS:
        value = config.get(key)
        if value is not None:
            raw[key] = _parse(value)
    namespace = f"{config.name}:"
    present = {*pulumi.runtime.config.CONFIG.get(), *pulumi.runtime.config.get_config_env()}
    elsewhere = sorted(
        k
        for k in present
        if not k.startswith((namespace, "twilio-memory:")) and k.partition(":")[2] in CONFIG_KEYS
    )
    if "tenants" not in raw and elsewhere:
        raise TenantConfigurationError(
            f"Configuration of stack {pulumi.get_stack()!r}",
            [
                f"tenants: is required under this project's namespace, {namespace!r}; found "
                f"{', '.join(elsewhere)}: the document's keys take the name of the project in "
                f"Pulumi.yaml, so rename them (e.g. {namespace}tenants), or rename the project"
            ],
        )
    unknown = sorted(k for k in present if k.startswith(namespace) and k[len(namespace) :] not in CONFIG_KEYS)
    if unknown:
        raise TenantConfigurationError(
            f"Configuration of stack {pulumi.get_stack()!r}",
            [f"{key}: unknown key (known keys: {', '.join(CONFIG_KEYS)})" for key in unknown],
        )
    return raw


def _parse(value: str) -> Any:
    """Structured config arrives as JSON text; plain values stay strings."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def fleet_host_pool(raw: Mapping[str, Any], tenants: list[ResolvedTenant]) -> HostPool:
    """The provider hosts of a document: ``providerHosts``, else one per four tenants (max 4)."""
    size = FleetConfig.model_validate(dict(raw)).provider_hosts or hosts_for(len(tenants))
    return HostPool(size=size)


def deploy_tenants(
    tenants: list[ResolvedTenant],
    opts: pulumi.ResourceOptions | None = None,
    *,
    pool: HostPool | None = None,
) -> dict[str, TenantMemory]:
    """Register one TenantMemory per tenant, by tenant name; with ``pool``, the tenants spread
    over its hosts (each tenant's resources on one host)."""
    hosts = pool.spread(t.name for t in tenants) if pool is not None else {}
    return {
        tenant.name: tenant.deploy(
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=hosts[tenant.name]))
            if hosts.get(tenant.name) is not None
            else opts
        )
        for tenant in tenants
    }


def export_tenants(deployed: Mapping[str, TenantMemory]) -> None:
    """Stack outputs: ``storeIds``, ``configurationIds``, ``traitGroups`` and (when a tenant has
    data mappings, so a stack without any keeps its outputs) ``dataMappings``, each by tenant name."""
    pulumi.export("storeIds", {name: tenant.store_id for name, tenant in deployed.items()})
    pulumi.export("configurationIds", {name: tenant.configuration_id for name, tenant in deployed.items()})
    pulumi.export("traitGroups", {name: tenant.trait_groups for name, tenant in deployed.items()})
    if any(tenant.data_mapping_resources for tenant in deployed.values()):
        pulumi.export("dataMappings", {name: tenant.data_mappings for name, tenant in deployed.items()})


def run_fleet_program() -> dict[str, TenantMemory]:
    """The root program: every tenant of this stack's configuration, checked, registered, exported."""
    subject = f"Configuration of stack {pulumi.get_stack()!r}"
    raw = fleet_from_pulumi_config()
    tenants = resolve_fleet(raw, subject=subject)
    deployed = deploy_tenants(tenants, pool=fleet_host_pool(raw, tenants))
    export_tenants(deployed)
    return deployed

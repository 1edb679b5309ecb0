"""``TenantMemory``: one client's Conversation Memory, onboarded in one line.

A tenant is a memory store plus what hangs off it: trait groups, identity-resolution settings and
a Conversations configuration that feeds the store. The component creates the store first and
passes ``store.id`` (an output) to every dependent, so Pulumi orders the work and a preview makes
no API call at all: construction only validates plain values and registers resources.

Defaults (so ``tm.TenantMemory("acme")`` is a complete tenant):

* **store**: display name = the resource name, description ``"Conversation memory for <name>"``.
* **trait groups**: none besides ``Contact``, which Twilio seeds into every new store. A group of
  that name is refused unless it says ``"adopt": True`` (the API would answer 409 to a create);
  adopted, it holds exactly the traits listed.
* **identity resolution**: managed, set to the API's seeded defaults (``email``, ``whatsapp``,
  ``phone``, exact matching, rules in that order). Managing it means ``pulumi preview --refresh``
  reports a change someone made in the Console. ``identity_resolution=False`` leaves it unmanaged.
* **data mappings**: none unless ``data_mappings`` lists them (display name -> ``mapping_from``,
  ``mapping_to``, ``description``, ``is_enabled``). Each depends on the tenant's trait groups it
  maps into, so Pulumi creates the groups first (Twilio checks a dataset mapping's targets) and a
  destroy deletes the mapping before the groups (Twilio refuses to delete a group a mapping uses).
  A target must be one of the tenant's trait groups (or the seeded ``Contact``), and a trait of it.
* **conversation**: a configuration with the store's display name and description, grouping
  ``GROUP_BY_PARTICIPANT_ADDRESSES`` and ``memory_store_id`` = the store. ``conversation=False``
  creates none (``configuration_id`` is then ``None``).

Validation at construction runs each child resource's own ``check()`` (the rules ``pulumi
preview`` applies, so nothing is duplicated) on the values it will pass, plus what only the
component can see: a ``Contact`` group, one trait in two groups, a resource name that is not a
valid display name. Every problem stops the program before any resource is registered, in one
message, instead of one failed resource at a time.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal, NamedTuple, TypedDict

import pulumi
from pydantic.alias_generators import to_camel
from twilio_memory_api import models
from twilio_memory_api.errors import ConfigurationError

from .. import config
from ..dynamic.conversation_configuration import ConversationConfiguration
from ..dynamic.data_mapping import DataMapping
from ..dynamic.identity_resolution import IdentityResolutionSettings
from ..dynamic.store import Store
from ..dynamic.trait_group import TraitGroup
from ..resources._base import UNKNOWN, BaseProvider, contains
from ..resources.conversation_configuration import ConversationConfigurationProvider
from ..resources.data_mapping import DataMappingProvider, canonical_targets
from ..resources.identity_resolution import IdentityResolutionSettingsProvider
from ..resources.store import StoreProvider
from ..resources.trait_group import SEEDED_GROUP, TraitGroupProvider

__all__ = [
    "DEFAULT_GROUPING_TYPE",
    "DEFAULT_IDENTITY_RESOLUTION",
    "DYNAMIC_KINDS",
    "SEEDED_TRAIT_GROUP",
    "ConversationSpec",
    "DataMappingSpec",
    "IdentityResolutionSpec",
    "Kinds",
    "TenantConfigurationError",
    "TenantMemory",
    "TraitGroupSpec",
    "camel_path",
    "problem_line",
    "tenant_problems",
]

#: Every new store already has this trait group (Twilio seeds it); creating it again fails with 409.
SEEDED_TRAIT_GROUP = SEEDED_GROUP

#: Grouping used when ``conversation`` does not name one: supported by every API revision.
DEFAULT_GROUPING_TYPE = models.ConversationGroupingType.GROUP_BY_PARTICIPANT_ADDRESSES.value

#: What a tenant's identity resolution is set to unless told otherwise: the API's own seed.
DEFAULT_IDENTITY_RESOLUTION: dict[str, Any] = models.DEFAULT_IDENTITY_RESOLUTION.model_dump(
    mode="json", exclude_none=True
)

_COMPONENT_TYPE = "twilio-memory:index:TenantMemory"


class TenantConfigurationError(pulumi.RunError, ValueError):
    """A tenant definition breaks a rule; ``str()`` lists every problem, one per line.

    A ``pulumi.RunError``, so ``pulumi preview`` prints the message without a Python traceback.
    """

    def __init__(self, subject: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{subject} has {len(self.problems)} {noun}:\n{lines}")


class TraitGroupSpec(TypedDict, total=False):
    """One trait group of a tenant; its name is the key in ``trait_groups``."""

    description: str
    #: trait name -> ``{data_type, description, validation_rule, id_type_promotion}``
    traits: Mapping[str, Mapping[str, Any]]
    #: take over an existing group of this name (needed for the seeded ``Contact``); implied by
    #: the tenant's own ``adopt``
    adopt: bool


class DataMappingSpec(TypedDict, total=False):
    """One data mapping of a tenant; its display name is the key in ``data_mappings``."""

    #: ``{type: INGRESS, columns: [...]}`` or ``{type: DATASET_CLOUDAPP|DATASET_WAREHOUSE, dataset_id}``
    mapping_from: Mapping[str, Any]
    #: the mappings ``[{expression, trait_group, trait_name}]`` (or ``{type: TRAITS, mappings}``)
    mapping_to: Sequence[Mapping[str, Any]] | Mapping[str, Any]
    description: str
    is_enabled: bool


class IdentityResolutionSpec(TypedDict):
    """Identity-resolution settings (both lists are required by the API)."""

    identifier_configs: Sequence[Mapping[str, Any]]
    matching_rules: Sequence[str]


class ConversationSpec(TypedDict, total=False):
    """The Conversations configuration of a tenant; ``memory_store_id`` is set by the component."""

    display_name: str
    description: str
    conversation_grouping_type: str
    channel_settings: Mapping[str, Any]
    status_callbacks: Sequence[Mapping[str, Any]]
    intelligence_configuration_ids: Sequence[str]
    memory_extraction_enabled: bool
    conversations_v1_bridge: Mapping[str, Any]


def _has_unknowns(value: Any) -> bool:
    """True when ``value`` holds an Output or awaitable somewhere: it cannot be validated now."""
    return contains(value, lambda item: isinstance(item, pulumi.Output | Awaitable))


#: snake_case input name -> the API's camelCase name, for error paths spelled like stack config.
_WIRE_NAMES: dict[str, str] = {
    name: info.alias
    for model in models.WireModel.__subclasses__()
    for name, info in model.model_fields.items()
    if info.alias and info.alias != name
}


def camel_path(text: str) -> str:
    """Re-spell the API's snake_case field names in ``text`` camelCase, as stack config writes them."""
    # \b: a match starts only where a word starts, so a long pasted value costs linear, not
    # quadratic, time (without it a 200 kB value made `pulumi preview` hang for minutes).
    return re.sub(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+", lambda m: _WIRE_NAMES.get(m.group(0), m.group(0)), text)


def _checked(provider: BaseProvider, props: Mapping[str, Any], path: str, camel: bool) -> list[str]:
    """The problems the resource's own ``check()`` finds (the rules ``pulumi preview`` applies).

    The store id is passed as unknown, as in a preview; missing credentials are not a problem of
    the tenant (the provider reports them itself), so that failure is left out here.
    """
    if _has_unknowns(props):
        return []
    failures = provider.check({}, dict(props)).failures
    credentials = _credentials_problem()
    return [
        problem_line(path, failure.property, failure.reason, camel=camel)
        for failure in failures
        if failure.property or failure.reason != credentials
    ]


def problem_line(path: str, field: str, reason: str, *, camel: bool) -> str:
    """``"<path>.<field>: <reason>"``; with ``camel`` the API's field names are spelled camelCase."""
    where = ".".join(p for p in (path, "" if field == "body" else field) if p) or "value"
    if camel:
        where, reason = camel_path(where), camel_path(reason)
    head = where.rsplit(".", 1)[-1]
    return f"{where}: {reason.removeprefix(f'{head}: ')}"


def _credentials_problem() -> str | None:
    try:
        return config.current().credentials_problem()
    except ConfigurationError as exc:
        return str(exc)


def _default_description(display_name: pulumi.Input[str]) -> pulumi.Input[str]:
    if isinstance(display_name, str):
        return f"Conversation memory for {display_name}"
    return pulumi.Output.concat("Conversation memory for ", display_name)


class _Paths:
    """Field paths spelled for the caller: ``trait_groups['X']`` in Python, ``traitGroups.X`` in config."""

    def __init__(self, path: str, camel: bool) -> None:
        self.path, self.camel = path, camel

    def __call__(self, field: str, key: str | None = None) -> str:
        spelled = to_camel(field) if self.camel else field
        where = ".".join(p for p in (self.path, spelled) if p)
        if key is None:
            return where
        return f"{where}.{key}" if self.camel else f"{where}[{key!r}]"


def tenant_problems(
    name: str,
    *,
    display_name: Any = None,
    description: Any = None,
    trait_groups: Mapping[str, Any] | None = None,
    identity_resolution: Any = None,
    conversation: Any = None,
    data_mappings: Mapping[str, Any] | None = None,
    adopt: Any = False,
    path: str = "",
    camel: bool = False,
) -> list[str]:
    """Every rule a tenant breaks, as ``"<field path>: <what is allowed>"`` strings; [] when valid.

    Pure and offline: used at construction, and by the multi-tenant program to collect every
    problem of every tenant before registering anything (``camel=True`` spells field paths the
    way its configuration does). Outputs are skipped: they are unknown until their resources exist.
    """
    at = _Paths(path, camel)
    problems: list[str] = []
    if not name:
        problems.append(f"{at('name')}: must not be empty")
    store_name = name if display_name is None else display_name
    store = {"display_name": store_name, "description": description, "adopt": bool(adopt)}
    hint = f" (the display name defaults to the resource name {name!r}; pass display_name=)"
    problems += [
        f"{problem}{hint}" if display_name is None and problem.startswith(at("display_name")) else problem
        for problem in _checked(StoreProvider(), _present(store), path, camel)
    ]
    problems += _trait_group_problems(dict(trait_groups or {}), bool(adopt), at)
    problems += _data_mapping_problems(dict(data_mappings or {}), dict(trait_groups or {}), at)
    problems += _section_problems(
        "identity_resolution",
        identity_resolution,
        at,
        provider=IdentityResolutionSettingsProvider(),
        store_field="store_id",
        defaults={},
    )
    store_description = description if description is not None else _default_description(store_name)
    problems += _section_problems(
        "conversation",
        conversation,
        at,
        provider=ConversationConfigurationProvider(),
        store_field="memory_store_id",
        defaults=_conversation_defaults(store_name, store_description),
    )
    return problems


def _conversation_defaults(display_name: Any, description: Any) -> dict[str, Any]:
    """What a tenant's configuration gets unless ``conversation`` says otherwise."""
    return {
        "display_name": display_name,
        "description": description,
        "conversation_grouping_type": DEFAULT_GROUPING_TYPE,
    }


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _trait_group_problems(groups: dict[Any, Any], adopt: bool, at: _Paths) -> list[str]:
    problems: list[str] = []
    owners: dict[str, str] = {}
    for group_name, spec in groups.items():
        group_path = at("trait_groups", group_name)
        if not isinstance(spec, Mapping):
            problems.append(f"{group_path}: must be a mapping with 'description' and 'traits'")
            continue
        seeded = isinstance(group_name, str) and group_name.lower() == SEEDED_TRAIT_GROUP.lower()
        if seeded and not (adopt or spec.get("adopt")):
            problems.append(
                f"{group_path}: Twilio creates a {SEEDED_TRAIT_GROUP!r} trait group in every store, so "
                "creating it again fails (the name is taken). To manage it, set 'adopt': True on it (it "
                "then holds exactly the traits listed: seeded ones left out are removed), or put extra "
                "traits in "
                f"a group with another name, e.g. '{SEEDED_TRAIT_GROUP}Extras'."
            )
        props = {"store_id": UNKNOWN, "display_name": group_name, **spec}
        problems += _checked(TraitGroupProvider(), _present(props), group_path, at.camel)
        traits = spec.get("traits")
        for trait in traits if isinstance(traits, Mapping) else ():
            if trait in owners:
                problems.append(
                    f"{group_path}: trait {trait!r} is also in trait group {owners[trait]!r}; a trait "
                    "belongs to one group of a store"
                )
            owners.setdefault(str(trait), str(group_name))
    total = len({str(g).lower() for g in groups} | {SEEDED_TRAIT_GROUP.lower()})
    if total > models.MAX_TRAIT_GROUPS_PER_STORE:
        problems.append(
            f"{at('trait_groups')}: with the seeded {SEEDED_TRAIT_GROUP!r} group the store would hold "
            f"{total} trait groups; at most {models.MAX_TRAIT_GROUPS_PER_STORE} are allowed"
        )
    return problems


def _mapping_targets(spec: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    """(trait group, trait name) of every mapping of a data mapping spec, as the API stores them."""
    targets = canonical_targets(spec.get("mapping_to"))
    items = targets.get("mappings") if isinstance(targets, Mapping) else None
    return [
        (item.get("trait_group"), item.get("trait_name"))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, Mapping)
    ]


def _data_mapping_problems(mappings: dict[Any, Any], groups: dict[Any, Any], at: _Paths) -> list[str]:
    """Each mapping's own check, plus: every target is a trait of one of the tenant's groups."""
    problems: list[str] = []
    traits = {
        str(name): {models.normalize_trait_name(str(t)) for t in (spec.get("traits") or {})}
        for name, spec in groups.items()
        if isinstance(spec, Mapping)
    }
    for mapping_name, spec in mappings.items():
        mapping_path = at("data_mappings", mapping_name)
        if not isinstance(spec, Mapping):
            problems.append(f"{mapping_path}: must be a mapping with 'mapping_from' and 'mapping_to'")
            continue
        if "display_name" in spec or "store_id" in spec:
            problems.append(f"{mapping_path}: the key is the display name, and the store is the tenant's")
            continue
        props = {"store_id": UNKNOWN, "display_name": mapping_name, **spec}
        found = _checked(DataMappingProvider(), _present(props), mapping_path, at.camel)
        problems += found
        if found:
            continue
        for group, trait in _mapping_targets(spec):
            if group == SEEDED_TRAIT_GROUP and group not in traits:
                continue  # Twilio's seeded group: its traits are Twilio's
            if group not in traits:
                known = ", ".join(sorted(traits)) or "none"
                problems.append(
                    f"{mapping_path}: maps into trait group {group!r}, which is not a trait group of this "
                    f"tenant (its trait groups: {known}; or {SEEDED_TRAIT_GROUP!r}, Twilio's seed)"
                )
            elif trait not in traits[group]:
                problems.append(
                    f"{mapping_path}: maps into trait {trait!r}, which trait group {group!r} does not have "
                    f"(it has: {', '.join(sorted(traits[group])) or 'no traits'})"
                )
    return problems


def _section_problems(
    field: str,
    value: Any,
    at: _Paths,
    *,
    provider: BaseProvider,
    store_field: str,
    defaults: Mapping[str, Any],
) -> list[str]:
    """identity_resolution / conversation: None and False are valid; a mapping is checked."""
    if value is None or value is False:
        return []
    if not isinstance(value, Mapping):
        return [f"{at(field)}: must be a mapping, None (defaults) or False (leave it out)"]
    if store_field in value:
        return [
            f"{at(field)}.{to_camel(store_field) if at.camel else store_field}: is always the tenant's store"
        ]
    props = {**defaults, **value, store_field: UNKNOWN}
    return _checked(provider, _present(props), at(field), at.camel)


class Kinds(NamedTuple):
    """What a tenant's children are made with: each is called like the dynamic resource class of
    its name (resource name, snake_case inputs, ``opts``) and returns a resource with an ``id``.
    The dynamic face uses its classes; the native provider's ``construct`` uses its own types."""

    store: Callable[..., Any]
    trait_group: Callable[..., Any]
    identity_resolution: Callable[..., Any]
    data_mapping: Callable[..., Any]
    conversation: Callable[..., Any]


DYNAMIC_KINDS = Kinds(Store, TraitGroup, IdentityResolutionSettings, DataMapping, ConversationConfiguration)


class TenantMemory(pulumi.ComponentResource):
    """One tenant's memory store with its trait groups, identity resolution and Conversations link.

    Outputs: ``store_id``; ``configuration_id`` (``None`` with ``conversation=False``);
    ``trait_groups``, a map of trait group name -> trait group id (``<storeId>/<name>``);
    ``data_mappings``, a map of data mapping name -> data mapping id (``<storeId>/<mappingId>``).
    The child resources are attributes too (``store``, ``trait_group_resources``,
    ``identity_resolution``, ``conversation``, ``data_mapping_resources``) for ``depends_on`` and
    further wiring.
    """

    store_id: pulumi.Output[str]
    configuration_id: pulumi.Output[str | None]
    trait_groups: pulumi.Output[dict[str, str]]
    data_mappings: pulumi.Output[dict[str, str]]

    store: Store
    trait_group_resources: dict[str, TraitGroup]
    data_mapping_resources: dict[str, DataMapping]
    identity_resolution: IdentityResolutionSettings | None
    conversation: ConversationConfiguration | None

    #: The children's kinds (see :class:`Kinds`); problems are reported with field paths in
    #: camelCase when ``camel_problems`` (how the native face's programs spell them).
    kinds: ClassVar[Kinds] = DYNAMIC_KINDS
    camel_problems: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        *,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        trait_groups: Mapping[str, TraitGroupSpec] | None = None,
        identity_resolution: IdentityResolutionSpec | Literal[False] | None = None,
        conversation: ConversationSpec | Literal[False] | None = None,
        data_mappings: Mapping[str, DataMappingSpec] | None = None,
        adopt: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Register the tenant's resources (no API call happens here).

        :param name: Pulumi resource name, and the store's display name unless ``display_name``
            is given (``^[a-zA-Z0-9-]+$``, at most 64 characters, unique in the account).
        :param trait_groups: group name -> ``{"description": ..., "traits": {...}}``;
            ``Contact`` (seeded by Twilio) only with ``"adopt": True``.
        :param identity_resolution: ``None`` manages the API's defaults, ``False`` leaves the
            settings unmanaged, a mapping sets them.
        :param conversation: ``None`` creates a configuration with defaults, ``False`` creates
            none, a mapping overrides the defaults key by key.
        :param data_mappings: display name -> ``{"mapping_from": ..., "mapping_to": [...]}``;
            each mapping depends on the tenant's trait groups it maps into.
        :param adopt: take over an existing store with this display name, and existing trait
            groups, data mappings and configuration of the names given, instead of failing.
        """
        super().__init__(_COMPONENT_TYPE, name, None, opts)
        problems = tenant_problems(
            name,
            display_name=display_name,
            description=description,
            trait_groups=trait_groups,
            identity_resolution=identity_resolution,
            conversation=conversation,
            data_mappings=data_mappings,
            adopt=adopt,
            camel=self.camel_problems,
        )
        if problems:
            raise TenantConfigurationError(f"TenantMemory {name!r}", problems)

        store_name: pulumi.Input[str] = name if display_name is None else display_name
        store_description = description if description is not None else _default_description(store_name)
        child = pulumi.ResourceOptions(parent=self)
        self.store = self.kinds.store(
            name, display_name=store_name, description=store_description, adopt=adopt, opts=child
        )
        self.identity_resolution = self._identity_resolution(name, identity_resolution)
        self.trait_group_resources = self._trait_groups(name, trait_groups or {}, adopt)
        self.data_mapping_resources = self._data_mappings(name, data_mappings or {}, adopt)
        self.conversation = None
        if conversation is not False:
            conv = {**_conversation_defaults(store_name, store_description), **dict(conversation or {})}
            self.conversation = self.kinds.conversation(
                name, memory_store_id=self.store.id, adopt=adopt, **conv, opts=child
            )
        self._publish_outputs()

    def _identity_resolution(
        self, name: str, spec: IdentityResolutionSpec | Literal[False] | None
    ) -> IdentityResolutionSettings | None:
        """The store's settings: the API's defaults unless given; none with ``False``."""
        if spec is False:
            return None
        settings = spec if spec is not None else DEFAULT_IDENTITY_RESOLUTION
        resource: IdentityResolutionSettings = self.kinds.identity_resolution(
            name,
            store_id=self.store.id,
            identifier_configs=list(settings["identifier_configs"]),
            matching_rules=list(settings["matching_rules"]),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return resource

    def _trait_groups(
        self, name: str, groups: Mapping[str, TraitGroupSpec], adopt: bool
    ) -> dict[str, TraitGroup]:
        """One resource per group; after identity resolution when a trait promotes an identifier
        (it names an idType that must be configured first)."""
        opts = pulumi.ResourceOptions(parent=self)
        if self.identity_resolution is not None and _promotes_identifiers(groups):
            opts = pulumi.ResourceOptions(parent=self, depends_on=[self.identity_resolution])
        return {
            group_name: self.kinds.trait_group(
                f"{name}/{group_name}",
                store_id=self.store.id,
                display_name=group_name,
                description=spec.get("description"),
                traits=dict(spec.get("traits") or {}),
                adopt=adopt or bool(spec.get("adopt")),
                opts=opts,
            )
            for group_name, spec in groups.items()
        }

    def _data_mappings(
        self, name: str, mappings: Mapping[str, DataMappingSpec], adopt: bool
    ) -> dict[str, DataMapping]:
        """One resource per mapping, depending on the groups it maps into: created after them
        (Twilio checks a dataset mapping's targets), deleted before them (Twilio refuses to
        delete a group a mapping uses)."""
        resources: dict[str, DataMapping] = {}
        for mapping_name, spec in mappings.items():
            targets = {group for group, _ in _mapping_targets(spec)}
            uses = [g for n, g in self.trait_group_resources.items() if n in targets]
            resources[mapping_name] = self.kinds.data_mapping(
                f"{name}/{mapping_name}",
                store_id=self.store.id,
                display_name=mapping_name,
                mapping_from=dict(spec["mapping_from"]),
                mapping_to=spec["mapping_to"],
                description=spec.get("description"),
                is_enabled=spec.get("is_enabled"),
                adopt=adopt,
                opts=pulumi.ResourceOptions(parent=self, depends_on=uses),
            )
        return resources

    def _publish_outputs(self) -> None:
        """The component's outputs: ids of the children, maps by name."""
        self.store_id = self.store.id
        self.configuration_id = (
            self.conversation.id if self.conversation is not None else pulumi.Output.from_input(None)
        )
        self.trait_groups = _ids_by_name(self.trait_group_resources)
        self.data_mappings = _ids_by_name(self.data_mapping_resources)
        self.register_outputs(
            {
                "store_id": self.store_id,
                "configuration_id": self.configuration_id,
                "trait_groups": self.trait_groups,
                "data_mappings": self.data_mappings,
            }
        )


def _ids_by_name(resources: Mapping[str, pulumi.CustomResource]) -> pulumi.Output[dict[str, str]]:
    """name -> id of each resource (an empty map when there are none: ``Output.all()`` of nothing
    would be a list)."""
    if not resources:
        return pulumi.Output.from_input({})
    return pulumi.Output.all(**{n: r.id for n, r in resources.items()})


def _promotes_identifiers(trait_groups: Mapping[str, Any]) -> bool:
    return any(
        isinstance(trait, Mapping) and trait.get("id_type_promotion")
        for spec in trait_groups.values()
        if isinstance(spec, Mapping)
        for trait in (spec.get("traits") or {}).values()
    )

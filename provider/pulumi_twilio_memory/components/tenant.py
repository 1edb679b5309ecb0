"""``TenantMemory``: one client's Conversation Memory, onboarded in one line.

A tenant is a memory store plus what hangs off it: trait groups, identity-resolution settings and
a Conversations configuration that feeds the store. The component creates the store first and
passes ``store.id`` (an output) to every dependent, so Pulumi orders the work and a preview makes
no API call at all: construction only validates plain values and registers resources.

Defaults (so ``tm.TenantMemory("acme")`` is a complete tenant):

* **store**: display name = the resource name, description ``"Conversation memory for <name>"``.
* **trait groups**: none besides ``Contact``, which Twilio seeds into every new store (so the
  component never creates a group of that name: the API would answer 409).
* **identity resolution**: managed, set to the API's seeded defaults (``email``, ``whatsapp``,
  ``phone``, exact matching, rules in that order). Managing it means ``pulumi preview --refresh``
  reports a change someone made in the Console. ``identity_resolution=False`` leaves it unmanaged.
* **conversation**: a configuration with the store's display name and description, grouping
  ``GROUP_BY_PARTICIPANT_ADDRESSES`` and ``memory_store_id`` = the store. ``conversation=False``
  creates none (``configuration_id`` is then ``None``).

Why validate here when every resource's ``check()`` validates too: some mistakes only the
component can see (a ``Contact`` group, a resource name that is not a valid display name), and
errors found here stop the program before any resource is registered, in one message.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, Literal, TypedDict

import pulumi
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from ..api import models
from ..resources.conversation_configuration import ConversationConfiguration
from ..resources.identity_resolution import IdentityResolutionSettings
from ..resources.store import Store
from ..resources.trait_group import TraitGroup

__all__ = [
    "DEFAULT_GROUPING_TYPE",
    "DEFAULT_IDENTITY_RESOLUTION",
    "SEEDED_TRAIT_GROUP",
    "ConversationSpec",
    "IdentityResolutionSpec",
    "TenantConfigurationError",
    "TenantMemory",
    "TraitGroupSpec",
    "format_problems",
    "tenant_problems",
]

#: Every new store already has this trait group (Twilio seeds it); creating it again fails with 409.
SEEDED_TRAIT_GROUP = "Contact"

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
    if isinstance(value, pulumi.Output | Awaitable):
        return True
    if isinstance(value, Mapping):
        return any(_has_unknowns(k) or _has_unknowns(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_unknowns(v) for v in value)
    return False


#: snake_case input name -> the API's camelCase name, for error paths spelled like stack config.
_WIRE_NAMES: dict[str, str] = {
    name: info.alias
    for model in models.WireModel.__subclasses__()
    for name, info in model.model_fields.items()
    if info.alias and info.alias != name
}


_INPUT_NAMES = {alias: name for name, alias in _WIRE_NAMES.items()}


def _camel_path(path: str) -> str:
    return re.sub(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", lambda m: _WIRE_NAMES.get(m.group(0), m.group(0)), path)


def _snake_path(path: str) -> str:
    return re.sub(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+", lambda m: _INPUT_NAMES.get(m.group(0), m.group(0)), path)


def format_problems(exc: ValidationError, path: str, *, camel: bool = False) -> list[str]:
    """``"<path>.<field>: <what is allowed>"`` for each error of a wire model's validation.

    Field paths keep the user's own keys (trait and channel names) as written; ``camel`` spells
    the API's field names camelCase, as stack configuration does, instead of snake_case.
    """
    problems = []
    as_given = models.format_validation_error(exc)
    snake = models.format_validation_error(exc, snake=True)
    for (field, camel_message), (_, snake_message) in zip(as_given, snake, strict=True):
        where = ".".join(p for p in (path, "" if field == "body" else field) if p) or "value"
        where = _camel_path(where) if camel else _snake_path(where)
        message = camel_message if camel else snake_message
        head = where.rsplit(".", 1)[-1]
        problems.append(f"{where}: {message.removeprefix(f'{head}: ')}")
    return problems


def _validate(model: type[BaseModel], path: str, values: Mapping[str, Any], camel: bool) -> list[str]:
    """Validate plain values with a wire model (skipped while any of them is an Output)."""
    if _has_unknowns(values):
        return []
    try:
        model.model_validate(dict(values))
    except ValidationError as exc:
        return format_problems(exc, path, camel=camel)
    return []


def _default_description(display_name: pulumi.Input[str]) -> pulumi.Input[str]:
    if isinstance(display_name, str):
        return f"Conversation memory for {display_name}"
    return pulumi.Output.concat("Conversation memory for ", display_name)


def tenant_problems(
    name: str,
    *,
    display_name: Any = None,
    description: Any = None,
    trait_groups: Mapping[str, Any] | None = None,
    identity_resolution: Any = None,
    conversation: Any = None,
    path: str = "",
    camel: bool = False,
) -> list[str]:
    """Every rule a tenant breaks, as ``"<field path>: <what is allowed>"`` strings; [] when valid.

    Pure and offline: used at construction, and by the multi-tenant program to collect every
    problem of every tenant before registering anything (``camel=True`` spells field paths the
    way its configuration does). Outputs are skipped: they are unknown until their resources exist.
    """

    def at(field: str, key: str | None = None) -> str:
        spelled = to_camel(field) if camel else field
        where = ".".join(p for p in (path, spelled) if p)
        if key is None:
            return where
        return f"{where}.{key}" if camel else f"{where}[{key!r}]"

    problems: list[str] = []
    if not name:
        problems.append(f"{at('name')}: must not be empty")
    store_name = name if display_name is None else display_name
    store_values: dict[str, Any] = {"display_name": store_name}
    if description is not None:
        store_values["description"] = description
    for problem in _validate(models.StoreCreate, path, store_values, camel):
        if display_name is None:
            problem += f" (the display name defaults to the resource name {name!r}; pass display_name=)"
        problems.append(problem)

    groups = dict(trait_groups or {})
    for group_name, spec in groups.items():
        group_path = at("trait_groups", group_name)
        if isinstance(group_name, str) and group_name.lower() == SEEDED_TRAIT_GROUP.lower():
            problems.append(
                f"{group_path}: every store is created with a {SEEDED_TRAIT_GROUP!r} trait group "
                "by Twilio, so it cannot be created again (the API answers 409). Put extra traits "
                f"in a group with another name, e.g. '{SEEDED_TRAIT_GROUP}Extras'."
            )
        elif not isinstance(spec, Mapping):
            problems.append(f"{group_path}: must be a mapping with 'description' and 'traits'")
        else:
            values = {"display_name": group_name, **spec}
            problems += _validate(models.TraitGroupCreate, group_path, values, camel)
    if len(groups) + 1 > models.MAX_TRAIT_GROUPS_PER_STORE:
        problems.append(
            f"{at('trait_groups')}: {len(groups)} groups plus the seeded {SEEDED_TRAIT_GROUP!r} group "
            f"exceed {models.MAX_TRAIT_GROUPS_PER_STORE} trait groups per store"
        )

    if isinstance(identity_resolution, Mapping):
        problems += _validate(
            models.IdentityResolutionSettingsPut, at("identity_resolution"), identity_resolution, camel
        )
    elif identity_resolution is not None and identity_resolution is not False:
        problems.append(f"{at('identity_resolution')}: must be a mapping, None (API defaults) or False")

    if isinstance(conversation, Mapping):
        if "memory_store_id" in conversation:
            problems.append(f"{at('conversation')}.{_spell('memory_store_id', camel)}: is always the tenant's store")
        else:
            values = {"display_name": store_name, **conversation}
            problems += _validate(models.ConfigurationPatch, at("conversation"), values, camel)
    elif conversation is not None and conversation is not False:
        problems.append(f"{at('conversation')}: must be a mapping, None (defaults) or False (no configuration)")
    return problems


def _spell(field: str, camel: bool) -> str:
    return to_camel(field) if camel else field


class TenantMemory(pulumi.ComponentResource):
    """One tenant's memory store with its trait groups, identity resolution and Conversations link.

    Outputs: ``store_id``; ``configuration_id`` (``None`` with ``conversation=False``);
    ``trait_groups``, a map of trait group name -> trait group id (``<storeId>/<name>``).
    The child resources are attributes too (``store``, ``trait_group_resources``,
    ``identity_resolution``, ``conversation``) for ``depends_on`` and further wiring.
    """

    store_id: pulumi.Output[str]
    configuration_id: pulumi.Output[str | None]
    trait_groups: pulumi.Output[dict[str, str]]

    store: Store
    trait_group_resources: dict[str, TraitGroup]
    identity_resolution: IdentityResolutionSettings | None
    conversation: ConversationConfiguration | None

    def __init__(
        self,
        name: str,
        *,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        trait_groups: Mapping[str, TraitGroupSpec] | None = None,
        identity_resolution: IdentityResolutionSpec | Literal[False] | None = None,
        conversation: ConversationSpec | Literal[False] | None = None,
        adopt: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Register the tenant's resources (no API call happens here).

        :param name: Pulumi resource name, and the store's display name unless ``display_name``
            is given (``^[a-zA-Z0-9-]+$``, at most 32 characters, unique in the account).
        :param trait_groups: group name -> ``{"description": ..., "traits": {...}}``; never
            ``Contact`` (seeded by Twilio).
        :param identity_resolution: ``None`` manages the API's defaults, ``False`` leaves the
            settings unmanaged, a mapping sets them.
        :param conversation: ``None`` creates a configuration with defaults, ``False`` creates
            none, a mapping overrides the defaults key by key.
        :param adopt: take over an existing store with this display name instead of failing.
        """
        super().__init__(_COMPONENT_TYPE, name, None, opts)
        problems = tenant_problems(
            name,
            display_name=display_name,
            description=description,
            trait_groups=trait_groups,
            identity_resolution=identity_resolution,
            conversation=conversation,
        )
        if problems:
            raise TenantConfigurationError(f"TenantMemory {name!r}", problems)

        store_name: pulumi.Input[str] = name if display_name is None else display_name
        store_description = description if description is not None else _default_description(store_name)
        child = pulumi.ResourceOptions(parent=self)

        self.store = Store(
            name, display_name=store_name, description=store_description, adopt=adopt, opts=child
        )
        store_id = self.store.id

        self.identity_resolution = None
        if identity_resolution is not False:
            settings = identity_resolution if identity_resolution is not None else DEFAULT_IDENTITY_RESOLUTION
            self.identity_resolution = IdentityResolutionSettings(
                name,
                store_id=store_id,
                identifier_configs=list(settings["identifier_configs"]),
                matching_rules=list(settings["matching_rules"]),
                opts=child,
            )

        # A trait promoted to an identifier names an idType: let identity resolution settle first.
        group_opts = child
        if self.identity_resolution is not None and _promotes_identifiers(trait_groups or {}):
            group_opts = pulumi.ResourceOptions(parent=self, depends_on=[self.identity_resolution])
        self.trait_group_resources = {
            group_name: TraitGroup(
                f"{name}/{group_name}",
                store_id=store_id,
                display_name=group_name,
                description=spec.get("description"),
                traits=dict(spec.get("traits") or {}),
                opts=group_opts,
            )
            for group_name, spec in (trait_groups or {}).items()
        }

        self.conversation = None
        if conversation is not False:
            conv: dict[str, Any] = {
                "display_name": store_name,
                "description": store_description,
                "conversation_grouping_type": DEFAULT_GROUPING_TYPE,
                **dict(conversation or {}),
            }
            self.conversation = ConversationConfiguration(name, memory_store_id=store_id, **conv, opts=child)

        self.store_id = store_id
        self.configuration_id = (
            self.conversation.id if self.conversation is not None else pulumi.Output.from_input(None)
        )
        self.trait_groups = (
            pulumi.Output.all(**{n: g.id for n, g in self.trait_group_resources.items()})
            if self.trait_group_resources
            else pulumi.Output.from_input({})
        )
        self.register_outputs(
            {
                "store_id": self.store_id,
                "configuration_id": self.configuration_id,
                "trait_groups": self.trait_groups,
            }
        )


def _promotes_identifiers(trait_groups: Mapping[str, Any]) -> bool:
    return any(
        isinstance(trait, Mapping) and trait.get("id_type_promotion")
        for spec in trait_groups.values()
        if isinstance(spec, Mapping)
        for trait in (spec.get("traits") or {}).values()
    )

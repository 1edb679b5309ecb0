"""Wire models for the Conversation Memory and Conversations v2 control planes.

One source of truth for field names, enums and documented constraints, shared by the provider
(which validates inputs in ``check()`` before any HTTP call) and the emulator (which rejects what
Twilio rejects). Twilio's OpenAPI spec is the contract (vendored with the emulator); where it is
silent, our choices are marked "our choice" here and listed in docs/wire-protocol.md.

Conventions:

* Python names are snake_case; the wire is camelCase (``alias_generator=to_camel``). Every model
  accepts both spellings (``populate_by_name``), so the provider can validate snake_case inputs.
* Request models forbid unknown keys (the API's schemas say ``additionalProperties: false``);
  response models ignore them, so a newer API never breaks an older provider.
* Response models keep enum-like fields as plain ``str``: a status value we do not know yet is
  data to report, not a reason to crash.
* Serialize requests with :func:`to_wire` (aliases, ``None`` dropped), the way the official SDK does.
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel, to_snake

__all__ = [
    "CHECKED_TARGET_TYPES",
    "CONFIGURATION_DESCRIPTION_MAX",
    "CONFIGURATION_ID_PATTERN",
    "DATASET_ID_PATTERN",
    "DATA_MAPPING_ID_PATTERN",
    "DATA_MAPPING_NAME_MAX",
    "DATA_MAPPING_NAME_PATTERN",
    "DATA_MAPPING_TYPES",
    "DEFAULT_IDENTITY_RESOLUTION",
    "IDENTIFIER_CONFIG_DEFAULTS",
    "MAX_IDENTIFIER_CONFIGS",
    "MAX_MATCHING_RULES",
    "MAX_STORES_PER_ACCOUNT",
    "MAX_TRAITS_PER_GROUP",
    "MAX_TRAIT_GROUPS_PER_STORE",
    "SEEDED_TRAIT_GROUP",
    "STORE_DISPLAY_NAME_MAX",
    "STORE_DISPLAY_NAME_PATTERN",
    "STORE_ID_PATTERN",
    "TRAIT_GROUP_NAME_PATTERN",
    "TRAIT_NAME_PATTERN",
    "V1_SERVICE_ID_PATTERN",
    "AcceptedConversations",
    "AcceptedMemory",
    "ArrayRule",
    "BooleanRule",
    "CallbackMethod",
    "CaptureRule",
    "Channel",
    "ChannelSetting",
    "Configuration",
    "ConfigurationCreate",
    "ConfigurationPatch",
    "ConfigurationPut",
    "ConversationGroupingType",
    "ConversationsOperation",
    "ConversationsV1Bridge",
    "DataMapping",
    "DataMappingCreate",
    "DataMappingPatch",
    "DataMappingType",
    "DataType",
    "ErrorBody",
    "IdentifierConfig",
    "IdentityResolutionSettings",
    "IdentityResolutionSettingsPut",
    "LimitPolicy",
    "MappingFrom",
    "MappingTo",
    "MatchingAlgo",
    "MemoryOperation",
    "Normalization",
    "NumberRule",
    "OperationError",
    "OperationResult",
    "OperationStatus",
    "PageMeta",
    "RelatedIds",
    "StatusCallback",
    "StatusTimeouts",
    "Store",
    "StoreCreate",
    "StoreStatus",
    "StoreUpdate",
    "StringRule",
    "TraitDefinition",
    "TraitGroup",
    "TraitGroupCreate",
    "TraitGroupUpdate",
    "TraitMapping",
    "TraitPatch",
    "ValidationRule",
    "WireModel",
    "format_validation_error",
    "normalize_trait_name",
    "to_wire",
]

# --------------------------------------------------------------------------------------------
# Identifiers, patterns and limits (docs/wire-protocol.md)
# --------------------------------------------------------------------------------------------

STORE_ID_PATTERN = r"^mem_(store|service)_[0-7][0-9a-z]{25}$"
STORE_DISPLAY_NAME_PATTERN = r"^[a-zA-Z0-9-]+$"
STORE_DISPLAY_NAME_MAX = 64  # the spec's limit (a product page says 32; the wider published one wins)
STORE_DESCRIPTION_MAX = 128
TRAIT_GROUP_NAME_PATTERN = r"^[a-zA-Z0-9_\-.]+$"
TRAIT_GROUP_NAME_MAX = 64
TRAIT_NAME_PATTERN = r"^[a-z][a-zA-Z0-9_\-.]*$"  # data mappings' traitName (trait keys: any, normalized)
TRAIT_DESCRIPTION_MAX = 1024
ID_TYPE_PROMOTION_MAX = 30
CONFIGURATION_ID_PATTERN = r"^conv_configuration_[0-7][0-9a-z]{25}$"  # our choice (docs/wire-protocol.md)
CONFIGURATION_DISPLAY_NAME_PATTERN = r"^[a-zA-Z0-9-_ ]+$"
CONFIGURATION_DISPLAY_NAME_MAX = 32
CONFIGURATION_DESCRIPTION_MAX = 512
V1_SERVICE_ID_PATTERN = r"^IS[0-9a-f]{32}$"
#: The trait group Twilio seeds into every new store (and refuses to delete).
SEEDED_TRAIT_GROUP = "Contact"
MAX_STORES_PER_ACCOUNT = 15
MAX_TRAITS_PER_GROUP = 95
MAX_TRAIT_GROUPS_PER_STORE = 50  # our choice (docs/wire-protocol.md)
MAX_IDENTIFIER_CONFIGS = 15
MAX_MATCHING_RULES = 15
MAX_STATUS_CALLBACKS = 2
DATA_MAPPING_ID_PATTERN = r"^mem_datamapping_[0-7][0-9a-z]{25}$"
DATA_MAPPING_NAME_PATTERN = r"^[a-zA-Z][a-zA-Z0-9-.]*$"
DATA_MAPPING_NAME_MAX = 64
DATA_MAPPING_DESCRIPTION_MAX = 512
DATASET_ID_PATTERN = r"^tdi_dataset_[0-7][0-9a-z]{25}$"
MAX_MAPPING_COLUMNS = 100
MAPPING_COLUMN_MAX = 256
MAX_TRAIT_MAPPINGS = 100
MAPPING_EXPRESSION_MAX = 256
MAPPING_TRAIT_NAME_MAX = 128
MAX_INTELLIGENCE_CONFIGURATION_IDS = 5


class WireModel(BaseModel):
    """Base of every request model: camelCase on the wire, unknown keys rejected."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        use_enum_values=True,
        defer_build=True,
    )


class ResponseModel(BaseModel):
    """Base of every response model: camelCase on the wire, unknown keys ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True
    )


def to_wire(model: BaseModel) -> dict[str, Any]:
    """Serialize a request the way the official SDK does: camelCase keys, ``None`` dropped."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


# --------------------------------------------------------------------------------------------
# Enums
# --------------------------------------------------------------------------------------------


class StoreStatus(StrEnum):
    QUEUED = "QUEUED"
    PROVISIONING = "PROVISIONING"
    ACTIVE = "ACTIVE"
    FAILED = "FAILED"


class OperationStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class DataType(StrEnum):
    STRING = "STRING"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"
    ARRAY = "ARRAY"


class MatchingAlgo(StrEnum):
    EXACT = "exact"
    FUZZY = "fuzzy"


class LimitPolicy(StrEnum):
    FIFO = "fifo"
    LIFO = "lifo"


class Normalization(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    TRIM = "trim"
    NONE = "none"


class ConversationGroupingType(StrEnum):
    GROUP_BY_PROFILE = "GROUP_BY_PROFILE"
    GROUP_BY_PARTICIPANT_ADDRESSES = "GROUP_BY_PARTICIPANT_ADDRESSES"
    GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE = "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE"


class Channel(StrEnum):
    VOICE = "VOICE"
    SMS = "SMS"
    RCS = "RCS"
    WHATSAPP = "WHATSAPP"
    CHAT = "CHAT"


class CallbackMethod(StrEnum):
    POST = "POST"
    GET = "GET"


class DataMappingType(StrEnum):
    """Where a data mapping reads from (the spec's ``DataMappingType``)."""

    INGRESS = "INGRESS"
    DATASET_CLOUDAPP = "DATASET_CLOUDAPP"
    DATASET_WAREHOUSE = "DATASET_WAREHOUSE"


DATA_MAPPING_TYPES = tuple(t.value for t in DataMappingType)
#: The types whose target traits must exist when the mapping is written (INGRESS: at ingestion).
CHECKED_TARGET_TYPES = frozenset(
    {DataMappingType.DATASET_CLOUDAPP.value, DataMappingType.DATASET_WAREHOUSE.value}
)


# --------------------------------------------------------------------------------------------
# Memory stores
# --------------------------------------------------------------------------------------------

StoreDisplayName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=STORE_DISPLAY_NAME_MAX, pattern=STORE_DISPLAY_NAME_PATTERN),
]
StoreDescription = Annotated[str, StringConstraints(min_length=1, max_length=STORE_DESCRIPTION_MAX)]
StoreId = Annotated[str, StringConstraints(pattern=STORE_ID_PATTERN)]


class StoreCreate(WireModel):
    display_name: StoreDisplayName
    description: StoreDescription | None = None


class StoreUpdate(WireModel):
    display_name: StoreDisplayName | None = None
    description: StoreDescription | None = None


class Store(ResponseModel):
    id: str
    display_name: str
    description: str | None = None
    status: str
    intelligence_service_id: str | None = None
    version: int = 1
    data_as_of: str | None = None


# --------------------------------------------------------------------------------------------
# Asynchronous writes and operations
# --------------------------------------------------------------------------------------------


class AcceptedMemory(ResponseModel):
    message: str | None = None
    status_url: str


class RelatedIds(ResponseModel):
    configuration_id: str | None = None
    conversation_id: str | None = None


class AcceptedConversations(ResponseModel):
    status_url: str
    related: RelatedIds | None = None


class OperationResult(ResponseModel):
    type: str | None = None
    id: str | None = None


class OperationError(ResponseModel):
    type: str | None = None
    title: str | None = None
    code: int | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None


class MemoryOperation(ResponseModel):
    operation_id: str
    status: str
    created_at: str | None = None
    completed_at: str | None = None
    status_url: str | None = None
    result: OperationResult | None = None
    result_url: str | None = None
    error: OperationError | None = None


class ConversationsOperation(ResponseModel):
    operation_id: str
    status: str
    created_at: str | None = None
    completed_at: str | None = None
    status_url: str | None = None
    error: OperationError | None = None
    related: RelatedIds | None = None


# --------------------------------------------------------------------------------------------
# Trait groups
# --------------------------------------------------------------------------------------------

#: A trait name as written: the API accepts any key and normalizes it (normalize_trait_name).
TraitName = Annotated[str, StringConstraints(min_length=1)]

_WORD_BREAK = re.compile(r"[^A-Za-z0-9]+")


def normalize_trait_name(name: str) -> str:
    """The trait name as the API stores it: lowerCamelCase. Words (runs of letters and digits,
    split at anything else) are joined, the first with a lower-case first letter, the others with
    an upper-case one: ``FirstName`` -> ``firstName``, ``first_name`` -> ``firstName``, ``tier`` ->
    ``tier``. (The spec says names are normalized to lowerCamelCase; the exact word rule is the
    emulator's choice, written down in docs/wire-protocol.md.)"""
    words = [w for w in _WORD_BREAK.split(name) if w]
    if not words:
        return ""
    head, *rest = words
    return head[:1].lower() + head[1:] + "".join(w[:1].upper() + w[1:] for w in rest)


def _normalized_traits(traits: dict[str, Any] | None) -> dict[str, Any] | None:
    """Trait keys normalized; two keys that normalize alike (``first_name``, ``firstName``) or a key
    with no letter or digit are refused naming them."""
    if traits is None:
        return None
    out: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for name, trait in traits.items():
        key = normalize_trait_name(name)
        if not key:
            raise ValueError(f"trait name {name!r} has no letter or digit")
        if key in seen:
            raise ValueError(
                f"trait names {seen[key]!r} and {name!r} are the same trait ({key!r}) once normalized"
            )
        seen[key] = name
        out[key] = trait
    return out


TraitGroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=TRAIT_GROUP_NAME_MAX, pattern=TRAIT_GROUP_NAME_PATTERN)
]
LongDescription = Annotated[str, StringConstraints(max_length=TRAIT_DESCRIPTION_MAX)]


def _check_range(low: float | None, high: float | None, low_name: str, high_name: str) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"{low_name} ({low}) must be less than or equal to {high_name} ({high})")


class StringRule(WireModel):
    rule_type: Literal["STRING"]
    pattern: Annotated[str, StringConstraints(max_length=1000)] | None = None
    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(ge=1)] | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _bounds(self) -> StringRule:
        _check_range(self.min_length, self.max_length, "minLength", "maxLength")
        return self


class NumberRule(WireModel):
    rule_type: Literal["NUMBER"]
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> NumberRule:
        _check_range(self.min, self.max, "min", "max")
        return self


class BooleanRule(WireModel):
    rule_type: Literal["BOOLEAN"]


class ArrayRule(WireModel):
    rule_type: Literal["ARRAY"]
    min_items: Annotated[int, Field(ge=0)] | None = None
    max_items: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _bounds(self) -> ArrayRule:
        _check_range(self.min_items, self.max_items, "minItems", "maxItems")
        return self


ValidationRule = Annotated[
    StringRule | NumberRule | BooleanRule | ArrayRule, Field(discriminator="rule_type")
]


def _rule_matches_type(
    data_type: str, rule: StringRule | NumberRule | BooleanRule | ArrayRule | None
) -> None:
    """A validation rule only makes sense for values of its own type (our choice)."""
    if rule is not None and data_type and rule.rule_type != data_type:
        raise ValueError(f"validationRule.ruleType {rule.rule_type!r} must equal dataType {data_type!r}")


class TraitDefinition(WireModel):
    data_type: DataType
    description: LongDescription | None = None
    validation_rule: ValidationRule | None = None
    id_type_promotion: Annotated[str, StringConstraints(max_length=ID_TYPE_PROMOTION_MAX)] | None = None

    @model_validator(mode="after")
    def _rule_type(self) -> TraitDefinition:
        _rule_matches_type(str(self.data_type), self.validation_rule)
        return self


class TraitPatch(WireModel):
    """A trait in a PATCH body: a full definition, or ``dataType: ""`` to delete the trait."""

    data_type: DataType | Literal[""]
    description: LongDescription | None = None
    validation_rule: ValidationRule | None = None
    id_type_promotion: Annotated[str, StringConstraints(max_length=ID_TYPE_PROMOTION_MAX)] | None = None

    @model_validator(mode="after")
    def _rule_type(self) -> TraitPatch:
        _rule_matches_type(str(self.data_type), self.validation_rule)
        return self

    @property
    def is_delete(self) -> bool:
        return self.data_type == ""


class _NormalizedTraits(WireModel):
    """Trait keys in the spelling the API stores (see :func:`normalize_trait_name`)."""

    @field_validator("traits", check_fields=False)
    @classmethod
    def _normalize(cls, traits: dict[str, Any] | None) -> dict[str, Any] | None:
        return _normalized_traits(traits)


class TraitGroupCreate(_NormalizedTraits):
    display_name: TraitGroupName
    description: LongDescription | None = None
    traits: Annotated[dict[TraitName, TraitDefinition], Field(max_length=MAX_TRAITS_PER_GROUP)] | None = None


class TraitGroupUpdate(_NormalizedTraits):
    description: LongDescription | None = None
    traits: Annotated[dict[TraitName, TraitPatch], Field(max_length=MAX_TRAITS_PER_GROUP)] | None = None


class TraitGroup(ResponseModel):
    display_name: str
    description: str | None = None
    traits: dict[str, dict[str, Any]] | None = None
    version: int = 1


# --------------------------------------------------------------------------------------------
# Identity resolution settings
# --------------------------------------------------------------------------------------------

IdType = Annotated[str, StringConstraints(min_length=2, max_length=30)]

#: What the API assumes for an identifier config field that is not sent (the spec and the SDK).
IDENTIFIER_CONFIG_DEFAULTS: dict[str, Any] = {
    "matching_algo": "exact",
    "matching_threshold": None,  # 75 applies, but only to fuzzy configs
    "limit": 100,
    "limit_policy": "fifo",
    "enforce_unique": True,
    "normalization": "trim",
}
FUZZY_THRESHOLD_DEFAULT = 75


class IdentifierConfig(WireModel):
    id_type: IdType
    matching_algo: MatchingAlgo | None = None
    matching_threshold: Annotated[int, Field(ge=50, le=99)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] | None = None
    limit_policy: LimitPolicy | None = None
    enforce_unique: bool | None = None
    normalization: Normalization | None = None


MatchingRule = Annotated[str, StringConstraints(min_length=1, max_length=30)]


class IdentityResolutionSettingsPut(WireModel):
    identifier_configs: Annotated[
        list[IdentifierConfig], Field(min_length=1, max_length=MAX_IDENTIFIER_CONFIGS)
    ]
    matching_rules: Annotated[list[MatchingRule], Field(min_length=1, max_length=MAX_MATCHING_RULES)]

    @model_validator(mode="after")
    def _consistent(self) -> IdentityResolutionSettingsPut:
        id_types = [config.id_type for config in self.identifier_configs]
        repeated = sorted({t for t in id_types if id_types.count(t) > 1})
        if repeated:
            raise ValueError(f"identifierConfigs: idType must be unique, repeated: {', '.join(repeated)}")
        for rule in self.matching_rules:
            if " AND " in f" {rule.upper()} ":
                raise ValueError(
                    f"matchingRules: compound rule {rule!r} is not supported; each rule is one idType"
                )
            if rule not in id_types:
                raise ValueError(
                    f"matchingRules: {rule!r} is not a configured idType (configured: {', '.join(id_types)})"
                )
        repeated_rules = sorted({r for r in self.matching_rules if self.matching_rules.count(r) > 1})
        if repeated_rules:
            raise ValueError(f"matchingRules: repeated rule(s): {', '.join(repeated_rules)}")
        return self


class IdentityResolutionSettings(ResponseModel):
    identifier_configs: list[dict[str, Any]]
    matching_rules: list[str]
    version: int = 1


#: The settings a new store starts with, and what a deleted IdentityResolutionSettings restores
#: (the spec's example).
DEFAULT_IDENTITY_RESOLUTION = IdentityResolutionSettingsPut(
    identifier_configs=[
        IdentifierConfig(
            id_type="email", matching_algo=MatchingAlgo.EXACT, normalization=Normalization.EMAIL
        ),
        IdentifierConfig(
            id_type="whatsapp", matching_algo=MatchingAlgo.EXACT, normalization=Normalization.TRIM
        ),
        IdentifierConfig(
            id_type="phone", matching_algo=MatchingAlgo.EXACT, normalization=Normalization.PHONE
        ),
    ],
    matching_rules=["email", "whatsapp", "phone"],
)


# --------------------------------------------------------------------------------------------
# Data mappings
# --------------------------------------------------------------------------------------------

DataMappingName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=DATA_MAPPING_NAME_MAX, pattern=DATA_MAPPING_NAME_PATTERN),
]
DataMappingDescription = Annotated[
    str, StringConstraints(min_length=1, max_length=DATA_MAPPING_DESCRIPTION_MAX)
]


class MappingFrom(WireModel):
    """Where a mapping reads from: one of three shapes, told apart by ``type`` (the spec's oneOf):
    INGRESS reads 1-100 ingested ``columns``; DATASET_CLOUDAPP and DATASET_WAREHOUSE read the
    dataset ``datasetId`` names. Neither shape takes the other's field."""

    type: DataMappingType
    columns: (
        Annotated[
            list[Annotated[str, StringConstraints(min_length=1, max_length=MAPPING_COLUMN_MAX)]],
            Field(min_length=1, max_length=MAX_MAPPING_COLUMNS),
        ]
        | None
    ) = None
    dataset_id: Annotated[str, StringConstraints(pattern=DATASET_ID_PATTERN)] | None = None

    @model_validator(mode="after")
    def _shape(self) -> MappingFrom:
        if self.type == DataMappingType.INGRESS:
            if not self.columns:
                raise ValueError("columns: an INGRESS mapping needs 1-100 columns")
            if self.dataset_id is not None:
                raise ValueError("datasetId: an INGRESS mapping reads columns, it takes no datasetId")
        else:
            if self.dataset_id is None:
                raise ValueError(
                    f"datasetId: a {self.type} mapping needs the datasetId of the dataset it reads"
                )
            if self.columns is not None:
                raise ValueError(f"columns: a {self.type} mapping reads a dataset, it takes no columns")
        return self


class TraitMapping(WireModel):
    """One item of ``mappingTo.mappings``: an expression written into one trait of one group."""

    expression: Annotated[str, StringConstraints(min_length=1, max_length=MAPPING_EXPRESSION_MAX)]
    trait_group: TraitGroupName
    trait_name: Annotated[
        str, StringConstraints(min_length=1, max_length=MAPPING_TRAIT_NAME_MAX, pattern=TRAIT_NAME_PATTERN)
    ]


class MappingTo(WireModel):
    type: Literal["TRAITS"]
    mappings: Annotated[list[TraitMapping], Field(min_length=1, max_length=MAX_TRAIT_MAPPINGS)]


class DataMappingCreate(WireModel):
    display_name: DataMappingName
    description: DataMappingDescription | None = None
    is_enabled: bool | None = None
    mapping_from: MappingFrom
    mapping_to: MappingTo


class DataMappingPatch(WireModel):
    """PATCH replaces ``mappingTo`` whole; ``mappingFrom`` cannot change (the spec)."""

    display_name: DataMappingName | None = None
    description: DataMappingDescription | None = None
    is_enabled: bool | None = None
    mapping_to: MappingTo | None = None


class DataMapping(ResponseModel):
    id: str
    display_name: str
    description: str | None = None
    is_enabled: bool = True
    mapping_from: dict[str, Any]
    mapping_to: dict[str, Any]
    created_at: str | None = None
    updated_at: str | None = None
    version: int = 1


# --------------------------------------------------------------------------------------------
# Conversations v2 configurations
# --------------------------------------------------------------------------------------------

ConfigurationDisplayName = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=CONFIGURATION_DISPLAY_NAME_MAX, pattern=CONFIGURATION_DISPLAY_NAME_PATTERN
    ),
]


class StatusTimeouts(WireModel):
    inactive: Annotated[int, Field(ge=1)] | None = None
    closed: Annotated[int, Field(ge=1)] | None = None


class CaptureRule(WireModel):
    from_: Annotated[str, StringConstraints(min_length=1)] = Field(alias="from")
    to: Annotated[str, StringConstraints(min_length=1)]
    metadata: dict[str, str] | None = None


class ChannelSetting(WireModel):
    status_timeouts: StatusTimeouts | None = None
    capture_rules: list[CaptureRule] | None = None


class StatusCallback(WireModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^https?://[^\s/]+\S*$")]
    method: CallbackMethod | None = None


class ConversationsV1Bridge(WireModel):
    service_id: Annotated[str, StringConstraints(pattern=V1_SERVICE_ID_PATTERN)]


StatusCallbacks = Annotated[list[StatusCallback], Field(max_length=MAX_STATUS_CALLBACKS)]
IntelligenceIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1)]],
    Field(max_length=MAX_INTELLIGENCE_CONFIGURATION_IDS),
]


ConfigurationDescription = Annotated[str, StringConstraints(max_length=CONFIGURATION_DESCRIPTION_MAX)]


class ConfigurationPatch(WireModel):
    """PATCH: only what is sent changes; a channel mapped to ``None`` is removed."""

    display_name: ConfigurationDisplayName | None = None
    description: ConfigurationDescription | None = None
    conversation_grouping_type: ConversationGroupingType | None = None
    memory_store_id: StoreId | None = None
    channel_settings: dict[Channel, ChannelSetting | None] | None = None
    status_callbacks: StatusCallbacks | None = None
    intelligence_configuration_ids: IntelligenceIds | None = None
    memory_extraction_enabled: bool | None = None
    conversations_v1_bridge: ConversationsV1Bridge | None = None


class ConfigurationPut(WireModel):
    """PUT: full replacement; omitted optional fields reset to their defaults (our choice)."""

    display_name: ConfigurationDisplayName | None = None
    description: ConfigurationDescription
    conversation_grouping_type: ConversationGroupingType
    memory_store_id: StoreId
    channel_settings: dict[Channel, ChannelSetting]
    status_callbacks: StatusCallbacks | None = None
    intelligence_configuration_ids: IntelligenceIds | None = None
    memory_extraction_enabled: bool | None = None
    conversations_v1_bridge: ConversationsV1Bridge | None = None


class ConfigurationCreate(WireModel):
    display_name: ConfigurationDisplayName
    description: ConfigurationDescription
    conversation_grouping_type: ConversationGroupingType
    memory_store_id: StoreId
    channel_settings: dict[Channel, ChannelSetting] | None = None
    status_callbacks: StatusCallbacks | None = None
    intelligence_configuration_ids: IntelligenceIds | None = None
    memory_extraction_enabled: bool | None = None
    conversations_v1_bridge: ConversationsV1Bridge | None = None


class Configuration(ResponseModel):
    id: str
    display_name: str | None = None
    description: str | None = None
    conversation_grouping_type: str | None = None
    memory_store_id: str | None = None
    channel_settings: dict[str, Any] | None = None
    status_callbacks: list[dict[str, Any]] | None = None
    intelligence_configuration_ids: list[str] | None = None
    memory_extraction_enabled: bool | None = None
    conversations_v1_bridge: dict[str, Any] | None = None
    trait_extraction_strategy_ids: list[str] | None = None
    observation_extraction_strategy_ids: list[str] | None = None
    redaction_configuration_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: int = 1


# --------------------------------------------------------------------------------------------
# Errors and pages
# --------------------------------------------------------------------------------------------


class ErrorBody(ResponseModel):
    """Twilio's legacy error body; the keys are already snake_case-compatible on the wire."""

    code: int
    message: str
    more_info: str = Field(alias="more_info")
    status: int


class PageMeta(ResponseModel):
    key: str
    page_size: int
    next_token: str | None = None
    previous_token: str | None = None


# --------------------------------------------------------------------------------------------
# Error formatting
# --------------------------------------------------------------------------------------------


_RULE_TAGS = frozenset(DataType)


@functools.cache
def _wire_field_names() -> frozenset[str]:
    """Every camelCase field name on the wire, so messages can be re-spelled in snake_case."""
    names: set[str] = set()
    for model in (*WireModel.__subclasses__(), *ResponseModel.__subclasses__()):
        names.update(field.alias for field in model.model_fields.values() if field.alias)
    return frozenset(name for name in names if name != to_snake(name))


def _snake_message(message: str) -> str:
    return re.sub(
        r"[A-Za-z]+",
        lambda m: to_snake(m.group(0)) if m.group(0) in _wire_field_names() else m.group(0),
        message,
    )


def _loc_to_path(loc: tuple[int | str, ...], snake: bool) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            continue
        if item in {"[key]", "function-after", "function-before"} or item.startswith("function-"):
            continue
        # Discriminated-union tags (e.g. 'STRING') are the rule type, not a field: skip them.
        if item in _RULE_TAGS and parts and parts[-1].endswith(("validationRule", "validation_rule")):
            continue
        name = to_snake(item) if snake and item in _wire_field_names() else item
        parts.append(f".{name}" if parts else name)
    return "".join(parts).lstrip(".")


def _message(error: Any) -> str:
    kind = error.get("type", "")
    msg = str(error.get("msg", "invalid value"))
    if kind == "extra_forbidden":
        return "unknown field: not accepted here"
    if kind == "missing":
        return "is required"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return msg


def format_validation_error(exc: ValidationError, *, snake: bool = False) -> list[tuple[str, str]]:
    """Turn a pydantic error into ``(field path, what is allowed)`` pairs, one per bad field.

    Paths are dotted camelCase (the wire's names) by default, or snake_case with ``snake=True``
    (the provider's input names). A cross-field rule raised by a model validator is reported on
    the field its message starts with, when it starts with one.
    """
    result: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        path = _loc_to_path(tuple(error.get("loc", ())), snake)
        message = _message(error)
        if error.get("type") == "value_error":
            head = re.match(r"^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)(?:[ :])", message)
            if head and head.group(1)[0].islower() and head.group(1) not in {"pattern"}:
                field = head.group(1)
                field_path = to_snake(field) if snake else field
                if not path.endswith(field_path):
                    path = f"{path}.{field_path}" if path else field_path
        result.append((path or "body", _snake_message(message) if snake else message))
    return result

"""Request models of data mappings (§5 of the wire contract).

They are not in the shared ``twilio_memory_api.models`` because the provider does not
manage data mappings; the emulator accepts them so a store's full control plane can be exercised.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from twilio_memory_api.models import (
    TRAIT_GROUP_NAME_MAX,
    TRAIT_GROUP_NAME_PATTERN,
    TRAIT_NAME_PATTERN,
    WireModel,
)

__all__ = ["DATA_MAPPING_TYPES", "DataMappingCreate", "DataMappingPatch"]


_DataMappingName = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[a-zA-Z][a-zA-Z0-9_.\-]*$")
]
_DataMappingDescription = Annotated[str, StringConstraints(min_length=1, max_length=512)]
DATA_MAPPING_TYPES = ("INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE", "DATASET")


class _MappingFrom(WireModel):
    type: Literal["INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE", "DATASET"]
    dataset_id: Annotated[str, StringConstraints(pattern=r"^tdi_dataset_[0-7][0-9a-z]{25}$")] | None = None
    columns: list[Annotated[str, StringConstraints(min_length=1, max_length=256)]] | None = None


class _MappingItem(WireModel):
    expression: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    field_name: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    trait_group: Annotated[
        str,
        StringConstraints(min_length=1, max_length=TRAIT_GROUP_NAME_MAX, pattern=TRAIT_GROUP_NAME_PATTERN),
    ]
    trait_name: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=TRAIT_NAME_PATTERN)]

    @model_validator(mode="after")
    def _source(self) -> _MappingItem:
        if self.expression is None and self.field_name is None:
            raise ValueError("expression is required (or the deprecated fieldName)")
        return self


class _MappingTo(WireModel):
    type: Literal["TRAITS"]
    mappings: Annotated[list[_MappingItem], Field(min_length=1, max_length=100)]


class DataMappingCreate(WireModel):
    display_name: _DataMappingName
    description: _DataMappingDescription | None = None
    is_enabled: bool | None = None
    mapping_from: _MappingFrom
    mapping_to: _MappingTo


class DataMappingPatch(WireModel):
    """PATCH replaces ``mappingTo`` whole; ``mappingFrom`` cannot change (§5)."""

    display_name: _DataMappingName | None = None
    description: _DataMappingDescription | None = None
    is_enabled: bool | None = None
    mapping_to: _MappingTo | None = None

"""Request models of data mappings (docs/wire-protocol.md).

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

__all__ = ["CHECKED_TARGET_TYPES", "DATA_MAPPING_TYPES", "DataMappingCreate", "DataMappingPatch"]


_DataMappingName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-zA-Z][a-zA-Z0-9-.]*$")
]
_DataMappingDescription = Annotated[str, StringConstraints(min_length=1, max_length=512)]
DATA_MAPPING_TYPES = ("INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE")
#: The types whose target traits must exist when the mapping is written (INGRESS: at ingestion).
CHECKED_TARGET_TYPES = frozenset({"DATASET_CLOUDAPP", "DATASET_WAREHOUSE"})


class _MappingFrom(WireModel):
    """One of three shapes (the spec's oneOf, checked against it first): INGRESS with 1-100
    ``columns``, the DATASET types with a ``datasetId``."""

    type: Literal["INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE"]
    dataset_id: Annotated[str, StringConstraints(pattern=r"^tdi_dataset_[0-7][0-9a-z]{25}$")] | None = None
    columns: (
        Annotated[list[Annotated[str, StringConstraints(min_length=1)]], Field(max_length=100)] | None
    ) = None

    @model_validator(mode="after")
    def _shape(self) -> _MappingFrom:
        if self.type == "INGRESS" and not self.columns:
            raise ValueError("INGRESS mappings need 1-100 columns")
        if self.type != "INGRESS" and self.dataset_id is None:
            raise ValueError(f"{self.type} mappings need a datasetId")
        return self


class _MappingItem(WireModel):
    expression: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    trait_group: Annotated[
        str,
        StringConstraints(min_length=1, max_length=TRAIT_GROUP_NAME_MAX, pattern=TRAIT_GROUP_NAME_PATTERN),
    ]
    trait_name: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=TRAIT_NAME_PATTERN)]


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
    """PATCH replaces ``mappingTo`` whole; ``mappingFrom`` cannot change."""

    display_name: _DataMappingName | None = None
    description: _DataMappingDescription | None = None
    is_enabled: bool | None = None
    mapping_to: _MappingTo | None = None

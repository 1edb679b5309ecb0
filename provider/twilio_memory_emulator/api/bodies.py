"""Request bodies the emulator accepts where the spec is wider than the shared wire models.

The wire models are what the provider sends; the spec sometimes allows more, and the emulator
must too. Data mapping bodies are the wire models themselves (``DataMappingCreate``,
``DataMappingPatch``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator
from twilio_memory_api.models import MAX_TRAITS_PER_GROUP, TraitGroupCreate, TraitName, TraitPatch

__all__ = ["TraitGroupCreateBody"]


class TraitGroupCreateBody(TraitGroupCreate):
    """CreateTraitGroup as the spec has it: ``dataType: ""`` is in its enum too. Such a trait is
    the delete marker on a group that does not exist yet, so it creates nothing and is dropped."""

    traits: Annotated[dict[TraitName, TraitPatch], Field(max_length=MAX_TRAITS_PER_GROUP)] | None = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _drop_empty_types(self) -> TraitGroupCreateBody:
        if self.traits is not None:
            kept: dict[str, Any] = {k: v for k, v in self.traits.items() if v.data_type != ""}
            self.traits = kept
        return self

"""docs/resources.md is a reference a Pulumi user can rely on: for every resource an example, its
inputs, every output the provider records (from the provider's own ``output_fields``), how to
import it, and the errors it raises with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_twilio_memory.resources._base import BaseProvider
from pulumi_twilio_memory.resources.conversation_configuration import ConversationConfigurationProvider
from pulumi_twilio_memory.resources.data_mapping import DataMappingProvider
from pulumi_twilio_memory.resources.identity_resolution import IdentityResolutionSettingsProvider
from pulumi_twilio_memory.resources.store import StoreProvider
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider

PAGE = Path(__file__).resolve().parents[2] / "docs" / "resources.md"
PROVIDERS: dict[str, type[BaseProvider]] = {
    "Store": StoreProvider,
    "TraitGroup": TraitGroupProvider,
    "DataMapping": DataMappingProvider,
    "IdentityResolutionSettings": IdentityResolutionSettingsProvider,
    "ConversationConfiguration": ConversationConfigurationProvider,
}


def _section(resource: str) -> str:
    text = PAGE.read_text()
    start = text.index(f"## `{resource}`")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize("resource", list(PROVIDERS))
def test_every_resource_has_an_example_inputs_outputs_import_and_errors(resource: str) -> None:
    section = _section(resource)
    assert "```python" in section and f"tm.{resource}(" in section, "an example"
    assert "| Input |" in section, "the inputs"
    assert "**Import**" in section and "import_=" in section, "how to import"
    assert "**Errors**" in section, "the errors and what to do"
    outputs = section[section.index("| Output |") :]
    for output in PROVIDERS[resource].output_fields:
        assert f"`{output}`" in outputs, f"output {output} of {resource}"

"""The reference page of each resource is generated from the native provider's schema and the
core's rules; the committed pages are what a fresh generation writes (else: regenerate them with
`python -m pulumi_twilio_memory.native.reference docs/reference`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_twilio_memory.native.catalog import CATALOG
from pulumi_twilio_memory.native.reference import pages

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"


@pytest.mark.parametrize(("name", "text"), sorted(pages().items()))
def test_the_committed_page_is_the_generated_one(name: str, text: str) -> None:
    committed = REFERENCE / name
    assert committed.is_file(), f"docs/reference/{name} is missing: regenerate the pages"
    assert committed.read_text() == text, f"docs/reference/{name} is stale: regenerate the pages"


def test_every_resource_has_a_page_naming_every_input_with_what_a_change_does() -> None:
    generated = pages()
    assert len(generated) == len(CATALOG)
    for kind in CATALOG:
        page = next(text for text in generated.values() if text.splitlines()[2] == f"# {kind.name}")
        for name, field in kind.core.inputs_model.model_fields.items():
            assert f"| `{field.alias or name}` | `{name}` |" in page
        assert f"pulumi import {kind.token} <name> {kind.id_format}" in page
    replaced = "| `storeId` | `store_id` | string | yes | replace |"
    assert replaced in generated["trait-group.md"]

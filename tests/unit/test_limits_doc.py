"""docs/limits.md says what the package checks: each row's numbers come from the wire package's
models, the one home of the API's limits, so a limit changed there and not here fails this test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from twilio_memory_api import models as m

LIMITS = Path(__file__).resolve().parents[2] / "docs" / "limits.md"


def _rows() -> dict[str, str]:
    """Limit name -> its value cell, from every table of the page."""
    rows: dict[str, str] = {}
    for line in LIMITS.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = cells[1]
    return rows


EXPECTED = {
    "Memory stores per account": [f"**{m.MAX_STORES_PER_ACCOUNT}**"],
    "Store display name": [f"1-{m.STORE_DISPLAY_NAME_MAX} characters"],
    "Store description": [f"1-{m.STORE_DESCRIPTION_MAX} characters"],
    "Trait groups per store": [f"{m.MAX_TRAIT_GROUPS_PER_STORE},"],
    "Trait group name": [f"1-{m.TRAIT_GROUP_NAME_MAX} characters"],
    "Traits per group": [str(m.MAX_TRAITS_PER_GROUP)],
    "Trait description": [f"≤ {m.TRAIT_DESCRIPTION_MAX} characters"],
    "`id_type_promotion`": [f"≤ {m.ID_TYPE_PROMOTION_MAX} characters"],
    "Identifier configs": [f"1-{m.MAX_IDENTIFIER_CONFIGS},"],
    "Matching rules": [f"1-{m.MAX_MATCHING_RULES},"],
    "Data mapping display name": [f"1-{m.DATA_MAPPING_NAME_MAX} characters"],
    "Data mapping description": [f"≤ {m.DATA_MAPPING_DESCRIPTION_MAX} characters"],
    "Data mapping source": [
        f"1-{m.MAX_MAPPING_COLUMNS} `columns` of 1-{m.MAPPING_COLUMN_MAX} characters",
        *m.DATA_MAPPING_TYPES,
    ],
    "Data mapping targets": [
        f"1-{m.MAX_TRAIT_MAPPINGS} mappings",
        f"`expression` 1-{m.MAPPING_EXPRESSION_MAX} characters",
        f"≤ {m.MAPPING_TRAIT_NAME_MAX}",
    ],
    "Configuration display name": [f"≤ {m.CONFIGURATION_DISPLAY_NAME_MAX} characters"],
    "Configuration description": [f"≤ {m.CONFIGURATION_DESCRIPTION_MAX} characters"],
    "Status callbacks": [f"≤ {m.MAX_STATUS_CALLBACKS}"],
    "Intelligence configuration ids": [f"≤ {m.MAX_INTELLIGENCE_CONFIGURATION_IDS}"],
}


@pytest.mark.parametrize(("limit", "fragments"), EXPECTED.items(), ids=list(EXPECTED))
def test_the_limits_page_states_the_models_limits(limit: str, fragments: list[str]) -> None:
    rows = _rows()
    assert limit in rows, f"docs/limits.md has no row {limit!r}"
    for fragment in fragments:
        assert fragment in rows[limit], f"{limit}: {rows[limit]!r} should say {fragment!r}"


def test_our_own_choices_are_not_listed_as_twilios() -> None:
    """A limit Twilio documents none of (``MAX_TRAIT_GROUPS_PER_STORE``) sits under our own heading."""
    text = LIMITS.read_text()
    ours = text.index("Our own limit")
    assert text.index("| Trait groups per store |") > ours


def test_every_doc_gives_the_store_display_name_limit_of_the_models() -> None:
    """The store name's "1-N letters, digits or '-'", wherever the docs or a docstring state it."""
    repo = LIMITS.parents[1]
    places = [*repo.glob("docs/*.md"), *repo.glob("examples/**/README.md"), *repo.glob("provider/**/*.py")]
    stated = re.compile(
        r"1-(\d+) letters, digits(?:,| or) [`']-[`']|at most (\d+) characters, unique in the account"
    )
    wrong = [
        f"{path.relative_to(repo)}: {match.group(0)}"
        for path in places
        for match in stated.finditer(path.read_text())
        if int(match.group(1) or match.group(2)) != m.STORE_DISPLAY_NAME_MAX
    ]
    assert wrong == []

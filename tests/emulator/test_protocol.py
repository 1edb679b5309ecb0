"""Wire details the SDK and provider rely on: id format, ETag matching, timestamps, page tokens."""

from __future__ import annotations

import base64
import json
import re

import pytest
from twilio_memory_api.models import CONFIGURATION_ID_PATTERN, STORE_ID_PATTERN
from twilio_memory_emulator.errors import BadRequest, PreconditionFailed
from twilio_memory_emulator.protocol import PageRequest, check_if_match, iso, make_etag, new_typeid, page_of

pytestmark = pytest.mark.emulator


def test_typeids_fit_the_api_patterns_and_sort_by_time() -> None:
    ids = [new_typeid("mem_store", 1_700_000_000.0 + i) for i in range(50)]
    assert all(re.match(STORE_ID_PATTERN, i) for i in ids)
    assert all(not set(i.removeprefix("mem_store_")) & set("ilou") for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == 50
    assert re.match(CONFIGURATION_ID_PATTERN, new_typeid("conv_configuration", 0.0))


def test_etag_is_quoted_base64url_of_id_and_version() -> None:
    etag = make_etag("mem_store_x", 3)
    assert etag.startswith('"') and etag.endswith('"')
    raw = etag.strip('"')
    assert json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))) == {"id": "mem_store_x", "v": 3}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "*",
        make_etag("a", 2),
        make_etag("a", 2).strip('"'),
        "W/" + make_etag("a", 2),
        f'"x", {make_etag("a", 2)}',
    ],
)
def test_if_match_accepts(header: str | None) -> None:
    check_if_match(header, "a", 2, "thing")


@pytest.mark.parametrize("header", [make_etag("a", 1), make_etag("b", 2), '"garbage"'])
def test_if_match_rejects_with_412(header: str) -> None:
    with pytest.raises(PreconditionFailed, match="version 2"):
        check_if_match(header, "a", 2, "thing")


def test_if_match_length_limit() -> None:
    with pytest.raises(BadRequest, match="100"):
        check_if_match("x" * 101, "a", 1, "thing")


def test_timestamps_are_utc_with_milliseconds() -> None:
    assert iso(0.5) == "1970-01-01T00:00:00.500Z"


def test_pages_cover_every_item_once() -> None:
    items = list(range(23))
    seen: list[int] = []
    offset = 0
    while True:
        page = page_of(items, PageRequest(page_size=5, offset=offset, descending=False), "things")
        seen += page.items
        if "nextToken" not in page.meta:
            break
        token = page.meta["nextToken"]
        offset = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["offset"]
    assert seen == items

"""Values between the engine's PropertyValue and the core's plain Python."""

from __future__ import annotations

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.rpc import UNKNOWN
from pulumi_twilio_memory.native.values import from_plain_map, to_plain, to_plain_map


def test_round_trip_with_unknowns_secrets_and_whole_numbers() -> None:
    engine = {
        "name": PropertyValue("acme", is_secret=True),
        "limit": PropertyValue(5.0),
        "ratio": PropertyValue(0.5),
        "later": PropertyValue.computed(),
        "items": PropertyValue([PropertyValue("a"), PropertyValue(True)]),
    }
    plain = to_plain_map(engine)
    assert plain == {"name": "acme", "limit": 5, "ratio": 0.5, "later": UNKNOWN, "items": ["a", True]}
    assert isinstance(plain["limit"], int)
    back = from_plain_map(plain)
    # An unknown goes back in the wire's own spelling, which PropertyValue can marshal.
    assert PropertyValue.marshal_map(back).fields["later"].string_value == UNKNOWN
    assert to_plain(back["items"]) == ["a", True]


def test_none_values_are_left_out() -> None:
    assert from_plain_map({"a": None, "b": "x"}) == {"b": PropertyValue("x")}

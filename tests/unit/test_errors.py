"""The error hierarchy: the tree in the module docstring is the real one, and redaction works."""

from __future__ import annotations

import inspect

import pulumi_twilio_memory as tm
import pytest
from twilio_memory_api import errors


def test_every_error_class_is_in_the_docstring_tree_under_its_real_parent() -> None:
    doc = inspect.getdoc(errors) or ""
    tree = [line for line in doc.splitlines() if "TwilioMemoryError" in line or "──" in line]
    depth_of: dict[str, int] = {}
    parents: list[str] = []
    root_indent = None
    for line in tree:
        indent = next(i for i, ch in enumerate(line) if ch.isalpha())
        root_indent = indent if root_indent is None else root_indent
        name = line[indent:].split()[0]
        depth = (indent - root_indent) // 4
        depth_of[name] = depth
        parents = [*parents[:depth], name]
        if depth:
            assert getattr(errors, name).__bases__[0] is getattr(errors, parents[depth - 1]), name
    classes = {
        n for n, c in vars(errors).items() if isinstance(c, type) and issubclass(c, errors.TwilioMemoryError)
    }
    assert classes == set(depth_of)


def test_public_surface_reexports_the_errors() -> None:
    for name in errors.__all__:
        if name != "redact":
            assert getattr(tm, name) is getattr(errors, name)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (412, errors.PreconditionFailedError),
        (503, errors.ServerError),
        (599, errors.ServerError),
        (418, errors.ApiError),
    ],
)
def test_for_status(status: int, cls: type) -> None:
    assert errors.ApiError.for_status(status) is cls


def test_redact_replaces_secrets_but_leaves_short_or_empty_values() -> None:
    assert (
        errors.redact("token abcd1234 and abcd1234", ["abcd1234", None, "", "ab"])
        == "token [redacted] and [redacted]"
    )


def test_error_repr_and_str_are_the_message() -> None:
    err = errors.OperationTimeoutError(
        "Timed out waiting", resource_id="mem_store_x", last_seen="QUEUED", waited=3.0
    )
    assert str(err) == "Timed out waiting" and repr(err) == "OperationTimeoutError('Timed out waiting')"
    assert (err.resource_id, err.last_seen, err.waited) == ("mem_store_x", "QUEUED", 3.0)

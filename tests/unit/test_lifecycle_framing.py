"""Every lifecycle method of every resource is framed explicitly (``@_calls.create`` ...): the
binding is checked before any request and recorded on the way out, and log lines name the
resource. A method left unmarked would silently skip the binding check: this test names it."""

from __future__ import annotations

import pytest
from pulumi_twilio_memory.native.catalog import CATALOG, Kind
from pulumi_twilio_memory.resources import _calls


@pytest.mark.parametrize("kind", CATALOG, ids=lambda k: k.name)
def test_every_lifecycle_method_a_resource_defines_is_framed(kind: Kind) -> None:
    defined = [name for name in ("create", "read", "update", "delete", "diff") if name in vars(kind.core)]
    assert {"create", "read", "update", "delete"} <= set(defined)
    unframed = [name for name in defined if not getattr(vars(kind.core)[name], _calls.FRAMED, False)]
    assert unframed == [], f"{kind.core.__name__}: mark {unframed} with the _calls decorator of its kind"

"""State size: what each resource costs in the checkpoint (``pulumi stack export``).

Every dynamic resource stores its inputs and outputs, and both carry ``__provider``: the pickled
provider object (base64 of ``dill``). Ours is a bare class reference, so it should stay a few
hundred bytes; a provider that captured a client or config would show up here first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["StateSize", "measure_state"]

PROVIDER_KEY = "__provider"


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


@dataclass(frozen=True)
class StateSize:
    total_bytes: int
    resources: int
    dynamic_resources: int
    bytes_per_resource: float
    bytes_per_dynamic_resource: float
    #: One ``__provider`` value (it is stored twice per resource: inputs and outputs).
    provider_bytes_per_resource: float
    #: Share of a dynamic resource's bytes spent on its two ``__provider`` copies.
    provider_share: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def measure_state(exported: dict[str, Any]) -> StateSize:
    resources = exported.get("deployment", {}).get("resources", []) or []
    dynamic = [r for r in resources if str(r.get("type", "")).startswith("pulumi-python:dynamic")]
    dynamic_bytes = sum(_size(r) for r in dynamic)
    provider_values = [
        section[PROVIDER_KEY]
        for r in dynamic
        for section in (r.get("inputs") or {}, r.get("outputs") or {})
        if PROVIDER_KEY in section
    ]
    provider_total = sum(_size(v) for v in provider_values)
    return StateSize(
        total_bytes=_size(exported),
        resources=len(resources),
        dynamic_resources=len(dynamic),
        bytes_per_resource=_size(resources) / len(resources) if resources else 0.0,
        bytes_per_dynamic_resource=dynamic_bytes / len(dynamic) if dynamic else 0.0,
        provider_bytes_per_resource=provider_total / len(provider_values) if provider_values else 0.0,
        provider_share=provider_total / dynamic_bytes if dynamic_bytes else 0.0,
    )

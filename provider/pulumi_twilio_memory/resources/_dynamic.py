"""What the dynamic face records around the core: the hidden ``__`` inputs a dynamic resource
carries (a dynamic provider cannot get ``import_`` or ``replace_on_changes`` from the engine), and
the ``...Args`` dataclasses turned into the props Pulumi stores. Names of hidden keys are in users'
state: never rename them."""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from ._base import BaseProvider

__all__ = [
    "IMPORT_ID",
    "PROVIDER_KEY",
    "REPLACE_ON_CHANGES",
    "face_classes",
    "replaced_keys",
    "resource_options",
    "resource_props",
]

PROVIDER_KEY = "__provider"
#: Hidden input: the id given as ``import_`` (translated into adoption by id, see resource_options).
IMPORT_ID = "__import_id"
#: keys changed, so the engine cannot apply it; ``diff`` does).
REPLACE_ON_CHANGES = "__replace_on_changes"


def _to_props(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _to_props(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {k: _to_props(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_props(v) for v in value]
    return value  # scalars and pulumi Outputs (Pulumi resolves Outputs nested in dicts and lists)


def resource_props(
    args: Any,
    overrides: Mapping[str, Any],
    output_fields: Iterable[str],
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The props dict for ``pulumi.dynamic.Resource.__init__``.

    ``args`` is an ``...Args`` dataclass or None; ``overrides`` are keyword inputs (None = not
    given) that win over ``args``. Nested ``...Args`` become dicts. ``defaults`` fill inputs given
    neither way with the value the provider assumes anyway (``adopt=False``): ``read`` reports
    those inputs too, so recording them keeps a refresh from showing them as removed. Every output
    field is added as ``None`` so Pulumi creates an ``Output`` attribute for it, resolved from
    create/read outs.
    """
    props: dict[str, Any] = _to_props(args) if args is not None else {}
    for key, value in overrides.items():
        if value is not None:
            props[key] = _to_props(value)
    for key, value in (defaults or {}).items():
        if props.get(key) is None:
            props[key] = value
    for key in output_fields:
        props.setdefault(key, None)
    return props


def resource_options(
    opts: pulumi.ResourceOptions | None, props: dict[str, Any], provider: type[BaseProvider]
) -> pulumi.ResourceOptions:
    """The resource options to register with, adjusted for what a dynamic provider cannot do.

    * ``import_=ID`` becomes the hidden input ``__import_id`` (create adopts that exact resource):
      the engine's import step calls Read without inputs, which a dynamic provider cannot serve.
    * ``replace_on_changes`` is copied into ``__replace_on_changes`` for ``diff`` to honour.
    * ``delete_before_replace`` defaults to the resource's own need (``provider``'s: unique names
      cannot exist twice; ``pulumi up --replace`` never asks the provider), unless the user set it.
    """
    opts = opts or pulumi.ResourceOptions()
    if opts.import_:
        props[IMPORT_ID] = opts.import_
    if opts.replace_on_changes:
        props[REPLACE_ON_CHANGES] = sorted(opts.replace_on_changes)
    defaults = pulumi.ResourceOptions(delete_before_replace=provider.delete_before_replace or None)
    merged = pulumi.ResourceOptions.merge(defaults, opts)
    merged.import_ = None
    return merged


def replaced_keys(paths: Any, changed: Iterable[str]) -> set[str]:
    """The changed top-level inputs a ``replace_on_changes`` list names (``"*"`` = all; a nested
    path such as ``traits.tier`` names its top-level input)."""
    if not isinstance(paths, list | tuple):
        return set()
    tops = {re.split(r"[.\[]", str(p), maxsplit=1)[0] for p in paths}
    return {key for key in changed if "*" in tops or key in tops}


def face_classes(module: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the core module ``module`` that keeps the dynamic face's
    classes importable from it, as before they moved: ``modules`` maps each class name to its
    module under :mod:`pulumi_twilio_memory.dynamic`. Loaded on first use, since the faces import
    the core (a core module cannot import them first)."""

    def attribute(name: str) -> Any:
        if name in modules:
            return getattr(importlib.import_module(f"pulumi_twilio_memory.dynamic.{modules[name]}"), name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return attribute

"""The ``#:`` comments written above a class's fields, read from its source: the dynamic face's
``...Args`` classes and resource classes document every input and output once, and the native
schema's descriptions come from there instead of a second copy."""

from __future__ import annotations

import functools
import inspect
import re

__all__ = ["field_docs", "markdown"]

_FIELD = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*:")
_DOC = re.compile(r"^\s*#:\s?(.*)$")


def markdown(text: str) -> str:
    """reStructuredText's inline markup as Markdown (``x`` and :class:`X` become `x` and `X`): the
    schema's descriptions are Markdown."""
    return re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text).replace("``", "`")


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """Field name -> the ``#:`` comment lines above it, joined (empty when the source is missing)."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    docs: dict[str, str] = {}
    pending: list[str] = []
    for line in source.splitlines()[1:]:
        doc = _DOC.match(line)
        if doc:
            pending.append(doc.group(1).strip())
            continue
        field = _FIELD.match(line)
        if field and pending:
            docs.setdefault(field.group(1), markdown(" ".join(pending)))
        pending = []
    return docs

"""Move a stack's resources from the dynamic face to the native face without touching them live.

``python -m pulumi_twilio_memory.native.migrate export.json > import.json`` reads a ``pulumi stack
export`` of a stack made with the dynamic resources and writes the file ``pulumi import --file``
takes: every dynamic resource as its native type, with the same name and id. Imported into a
stack of the native face (any language), the resources are read, never created; removing the old
stack's entries from its state (``pulumi state delete``, or ``pulumi stack rm --force``) deletes
nothing. The whole recipe is in the docs (docs/native-provider.md, "Moving a stack").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .catalog import CATALOG, token

__all__ = ["DYNAMIC_PREFIX", "import_file", "main"]

#: The type token of a dynamic resource: ``pulumi-python:dynamic/twilio-memory:<Name>``.
DYNAMIC_PREFIX = "pulumi-python:dynamic/twilio-memory:"
_NATIVE_NAMES = {kind.name for kind in CATALOG}


def import_file(export: Mapping[str, Any]) -> dict[str, Any]:
    """The ``pulumi import --file`` document for every dynamic resource in ``export``."""
    resources = []
    for resource in export.get("deployment", {}).get("resources") or []:
        kind = str(resource.get("type", "")).removeprefix(DYNAMIC_PREFIX)
        if not str(resource.get("type", "")).startswith(DYNAMIC_PREFIX) or kind not in _NATIVE_NAMES:
            continue
        if resource.get("delete") or not resource.get("id"):
            continue  # a pending delete or a resource never made: nothing live to take over
        name = str(resource["urn"]).rsplit("::", 1)[-1]
        resources.append({"type": token(kind), "name": name, "id": resource["id"]})
    return {"resources": resources}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_twilio_memory.native.migrate",
        description="Write the `pulumi import --file` document that takes a dynamic-face stack's "
        "resources over in a native-face stack (nothing is created or deleted live).",
    )
    parser.add_argument(
        "export", type=Path, help="the old stack's `pulumi stack export` (a file, or - for stdin)"
    )
    args = parser.parse_args(argv)
    text = sys.stdin.read() if str(args.export) == "-" else args.export.read_text()
    document = import_file(json.loads(text))
    if not document["resources"]:
        print("error: the export holds no twilio-memory dynamic resources: nothing to move", file=sys.stderr)
        return 2
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

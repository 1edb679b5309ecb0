"""The lifecycle program (``programs/lifecycle``) as a stack under test, and what "converged" means.

Shared by the lifecycle matrix (``test_lifecycle_matrix.py``) and the lost-answer matrix of the
reliability tier: :class:`Lifecycle` rewrites the program's stack config as a user edits their
program; :func:`converged` asserts, through plain httpx and never through the provider under test,
that the live account matches the program, that the state names live ids only, and that
``pulumi preview --refresh --expect-no-changes`` passes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e_api import Account
from e2e_harness import PulumiCLI, Workspace, copy_project, twilio_env
from twilio_memory_emulator.testing import EmulatorServer

__all__ = [
    "INITIAL",
    "KEYS",
    "NS",
    "PROGRAM",
    "Lifecycle",
    "apply_config",
    "converged",
    "lifecycle_workspace",
    "write_config",
]

PROGRAM = Path(__file__).resolve().parent / "programs" / "lifecycle"
NS = "e2e-lifecycle"
KEYS = ("store", "group", "identity", "conversation")
TYPES = {
    "store": "twilio-memory:Store",
    "group": "twilio-memory:TraitGroup",
    "identity": "twilio-memory:IdentityResolutionSettings",
    "conversation": "twilio-memory:ConversationConfiguration",
}
#: What every new store starts with; the program declares something else, so a reset shows.
DEFAULT_RULES = ["email", "whatsapp", "phone"]
#: The program's config at the start (the scenarios rewrite it as a user edits their program).
INITIAL: dict[str, Any] = {
    "storeName": "e2e-lifecycle",
    "storeDescription": "Store of the lifecycle matrix",
    "groupDescription": "Loyalty programme",
    "groupTraits": {"tier": "STRING", "points": "NUMBER"},
    "matchingRules": ["phone", "email"],
    "conversationDescription": "Conversations of the lifecycle store",
}


@dataclass
class Lifecycle:
    """The stack under test and the program's config, rewritten as a whole by :meth:`apply`."""

    ws: Workspace
    api: Account
    config: dict[str, Any] = field(default_factory=dict)

    def apply(self, **changes: Any) -> None:
        """Change the program (its stack config); ``None`` removes a key."""
        apply_config(self.ws, NS, self.config, changes)

    def urn(self, key: str) -> str:
        for resource in self.ws.resources():
            if resource["type"].endswith(TYPES[key]):
                return str(resource["urn"])
        raise AssertionError(f"no {key} in the state")

    def ids(self) -> dict[str, str]:
        outputs = self.ws.outputs()
        return {
            key: outputs[name]
            for key, name in (
                ("store", "storeId"),
                ("group", "traitGroupId"),
                ("identity", "identityId"),
                ("conversation", "configurationId"),
            )
            if name in outputs
        }


def apply_config(ws: Workspace, namespace: str, config: dict[str, Any], changes: dict[str, Any]) -> None:
    """Change ``config`` (``None`` removes a key) and write the stack's config file from it."""
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    write_config(ws, namespace, config)


def write_config(ws: Workspace, namespace: str, config: dict[str, Any]) -> None:
    """Write the stack's config file whole (``<namespace>:<key>`` per key), keeping its salt."""
    path = ws.project_dir / f"Pulumi.{ws.stack}.yaml"
    salt = re.search(r"(?m)^encryptionsalt:.*$", path.read_text())
    values = json.dumps({f"{namespace}:{k}": v for k, v in config.items()}, indent=2)
    # JSON is YAML: the file is written whole, as an editor would leave it.
    path.write_text(f"{salt.group(0) if salt else ''}\nconfig: {values}\n")


def converged(stack: Lifecycle, *, no_drift: bool = True) -> dict[str, str]:
    """Assert the three things of the module doc (the third unless ``no_drift=False``: the
    program is mid-change); return the ids in the state."""
    ids, api, cfg = stack.ids(), stack.api, stack.config
    store_id = ids["store"]
    stores = api.stores()
    assert set(stores) == {cfg["storeName"]}, stores
    store = stores[cfg["storeName"]]
    assert store["id"] == store_id and store["status"] == "ACTIVE", store
    assert store["description"] == cfg["storeDescription"], store
    if "group" in ids:
        assert ids["group"] == f"{store_id}/Loyalty"
        group = api.trait_group(store_id, "Loyalty")
        assert group is not None and set(group["traits"]) == set(cfg["groupTraits"]), group
        assert group["description"] == cfg["groupDescription"], group
    if "secondGroupTraits" in cfg:
        second = api.trait_group(store_id, "Preferences")
        assert second is not None and set(second["traits"]) == set(cfg["secondGroupTraits"]), second
    settings = api.identity_resolution(store_id)
    assert settings is not None
    if "identity" in ids:
        assert ids["identity"] == store_id
        assert settings["matchingRules"] == cfg["matchingRules"], settings
    configurations = api.configurations()
    if "conversation" in ids:
        assert list(configurations) == [ids["conversation"]], configurations
        configuration = configurations[ids["conversation"]]
        assert configuration["memoryStoreId"] == store_id, configuration
        assert configuration["description"] == cfg["conversationDescription"], configuration
    if no_drift:
        stack.ws.preview("--refresh", "--expect-no-changes")
    return ids


def lifecycle_workspace(cli: PulumiCLI, emulator: EmulatorServer, root: Path) -> Workspace:
    """A fresh copy of the lifecycle program under ``root`` with a stack ``e2e``, pointed at
    ``emulator`` through the ``TWILIO_*`` environment."""
    project = copy_project(PROGRAM, root / "project")
    env = twilio_env(emulator.base_url, api_key=emulator.api_key, api_secret=emulator.api_secret)
    ws = cli.workspace(root, project, env)
    ws.init_stack("e2e")
    return ws

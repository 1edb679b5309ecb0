"""Onboard or check one tenant per run, one Pulumi stack per tenant: the CI entry point.

::

    python -m pulumi_twilio_memory.onboard --tenant acme --env prod --preview --refresh --expect-no-changes
    python -m pulumi_twilio_memory.onboard --tenant acme --env prod --up

Where tenants come from: the same document the root program reads (docs/configuration.md). By
default the ``tenant-onboarding:*`` keys of ``Pulumi.<env>.yaml`` beside the root ``Pulumi.yaml``
(``--project-dir``), or a YAML/JSON file given with ``--tenants-file``. The whole document is
validated (store limit, name collisions) before the one tenant is picked, so a CI job for one tenant
still refuses a configuration that would break the account.

What it does, with Pulumi's Automation API: create or select the stack ``<tenant>-<env>`` of the
project ``twilio-memory-tenant``; set its configuration (the resolved tenant as ``tenant``, the
non-secret ``twilio-memory:*`` settings of ``Pulumi.<env>.yaml``, then every ``--config``); run the
action with Pulumi's output streamed as it happens. The stack's program is built in (one
``TenantMemory``); the backend and secrets passphrase come from the usual ``PULUMI_*`` variables.

Exit status: 0 success; 1 the Pulumi operation failed; 2 bad usage or tenant definitions;
3 ``--expect-no-changes`` and the preview shows changes (with ``--up``, nothing is applied then).

Use either this (stack per tenant) or the root program (all tenants in one stack) for an
environment, not both: two stacks managing one store would fight over it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pulumi
import yaml  # type: ignore[import-untyped]
from pulumi import automation as auto

from .components.fleet import CONFIG_KEYS, ResolvedTenant, resolve_fleet
from .components.tenant import TenantConfigurationError, TenantMemory
from .hosts import engine_parallel

__all__ = [
    "EXIT_CHANGES",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "TENANT_PROJECT",
    "TenantSource",
    "load_tenant_source",
    "main",
    "tenant_program",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CHANGES = 3

#: Pulumi project of the per-tenant stacks (stack names are ``<tenant>-<env>``).
TENANT_PROJECT = "twilio-memory-tenant"
PROVIDER_NAMESPACE = "twilio-memory"
#: Preview operations that are not changes to the tenant's resources.
NO_CHANGE_OPS = frozenset({"same", "read", "refresh"})


class UsageError(Exception):
    """Bad arguments or tenant definitions: exit status 2, message only."""


@dataclass(frozen=True)
class TenantSource:
    """The tenant document and the provider settings that go with it."""

    origin: str
    document: dict[str, Any]
    provider_config: dict[str, str]
    skipped_secrets: tuple[str, ...] = ()


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)  # JSON is YAML, so one parser reads both
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a mapping at the top level")
    return data


def load_tenant_source(project_dir: Path, env: str, tenants_file: Path | None) -> TenantSource:
    """Read the tenant document from ``--tenants-file`` or the root stack file ``Pulumi.<env>.yaml``."""
    if tenants_file is not None:
        return TenantSource(str(tenants_file), _read_mapping(tenants_file), {})
    project_file = project_dir / "Pulumi.yaml"
    stack_file = project_dir / f"Pulumi.{env}.yaml"
    if not stack_file.is_file():
        raise UsageError(
            f"no tenant definitions for environment {env!r}: {stack_file} does not exist. Pass "
            "--project-dir (the directory of the root Pulumi.yaml) or --tenants-file."
        )
    project = str(_read_mapping(project_file).get("name", "")) if project_file.is_file() else ""
    if not project:
        raise UsageError(f"{project_file} is missing or has no project name")
    config = _read_mapping(stack_file).get("config") or {}
    document: dict[str, Any] = {}
    provider: dict[str, str] = {}
    skipped: list[str] = []
    for key, value in dict(config).items():
        namespace, _, short = str(key).rpartition(":")
        if namespace in ("", project) and short in CONFIG_KEYS:
            document[short] = value
        elif namespace == PROVIDER_NAMESPACE:
            if isinstance(value, Mapping) and "secure" in value:
                skipped.append(str(key))  # encrypted for that stack only; use TWILIO_* in CI
            else:
                provider[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
    return TenantSource(str(stack_file), document, provider, tuple(skipped))


def select_tenant(source: TenantSource, tenant: str, env: str) -> ResolvedTenant:
    try:
        tenants = resolve_fleet(source.document, subject=f"Tenant definitions in {source.origin}")
    except TenantConfigurationError as exc:
        raise UsageError(str(exc)) from None
    for resolved in tenants:
        if resolved.name == tenant:
            return resolved
    known = ", ".join(t.name for t in tenants) or "none"
    raise UsageError(f"tenant {tenant!r} is not defined for {env!r} in {source.origin} (defined: {known})")


def tenant_program() -> None:
    """The per-tenant stack's program: the tenant in this stack's ``tenant`` config, exported."""
    config = pulumi.Config()
    tenant = ResolvedTenant.from_mapping(config.require_object("tenant"))
    deployed: TenantMemory = tenant.deploy()
    pulumi.export("storeId", deployed.store_id)
    pulumi.export("configurationId", deployed.configuration_id)
    pulumi.export("traitGroups", deployed.trait_groups)


class _Stack(Protocol):
    """The part of ``pulumi.automation.Stack`` this command uses (a fake in unit tests)."""

    name: str
    workspace: Any

    def set_all_config(
        self, config: MutableMapping[str, auto.ConfigValue], *, path: bool = False
    ) -> None: ...
    def preview(
        self,
        *,
        refresh: bool | None = None,
        diff: bool | None = None,
        parallel: int | None = None,
        on_output: Callable[[str], Any] | None = None,
        on_error: Callable[[str], Any] | None = None,
    ) -> Any: ...
    def up(
        self,
        *,
        refresh: bool | None = None,
        parallel: int | None = None,
        on_output: Callable[[str], Any] | None = None,
        on_error: Callable[[str], Any] | None = None,
    ) -> Any: ...
    def destroy(
        self,
        *,
        parallel: int | None = None,
        on_output: Callable[[str], Any] | None = None,
        on_error: Callable[[str], Any] | None = None,
    ) -> Any: ...


StackFactory = Callable[[str, str, Mapping[str, str]], _Stack]


def automation_stack(stack_name: str, project: str, env_vars: Mapping[str, str]) -> _Stack:
    """Create or select the stack with the built-in program, in a LocalWorkspace."""
    workspace = auto.LocalWorkspaceOptions(
        project_settings=auto.ProjectSettings(name=project, runtime="python"),
        env_vars=dict(env_vars),
    )
    stack: _Stack = auto.create_or_select_stack(
        stack_name=stack_name, project_name=project, program=tenant_program, opts=workspace
    )
    return stack


def _env_vars() -> dict[str, str]:
    """Dynamic providers run in a separate ``python3``: make it this interpreter's (with the package)."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        "PULUMI_PYTHON_CMD": sys.executable,
    }


def _parse_config(pairs: Iterable[str], project: str) -> dict[str, str]:
    """``--config KEY=VALUE`` pairs; a key without a namespace is the stack's ``project``'s."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--config expects KEY=VALUE, got {pair!r}")
        values[key if ":" in key else f"{project}:{key}"] = value
    return values


def _changes(summary: Mapping[Any, int] | None) -> dict[str, int]:
    return {str(op): n for op, n in (summary or {}).items() if n and str(op) not in NO_CHANGE_OPS}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pulumi_twilio_memory.onboard",
        description="Onboard or check one Conversation Memory tenant in its own Pulumi stack.",
        epilog="Exit status: 0 ok, 1 Pulumi failed, 2 usage/definition error, "
        "3 changes found with --expect-no-changes.",
    )
    p.add_argument("--tenant", required=True, help="tenant name, as in the tenant definitions")
    p.add_argument("--env", required=True, help="environment: selects Pulumi.<env>.yaml and the stack name")
    _add_actions(p)
    _add_stack_options(p)
    return p


#: What a run does: flag -> help (one of them; --preview by default).
_ACTIONS = {
    "preview": "show what would change (default)",
    "up": "create or update the tenant",
    "destroy": "delete the tenant's resources",
}


def _add_actions(p: argparse.ArgumentParser) -> None:
    """The action (one of :data:`_ACTIONS`) and how it looks at the live account."""
    action = p.add_mutually_exclusive_group()
    for name, help_text in _ACTIONS.items():
        action.add_argument(f"--{name}", dest="action", action="store_const", const=name, help=help_text)
    p.set_defaults(action="preview")
    p.add_argument(
        "--refresh",
        action="store_true",
        help="read the live resources first, so changes made outside Pulumi (drift) show",
    )
    p.add_argument(
        "--expect-no-changes",
        action="store_true",
        help="exit 3 if there is any change to make (a drift check); with --up, apply nothing then",
    )


def _add_stack_options(p: argparse.ArgumentParser) -> None:
    """Where the tenant's definitions, project and stack come from."""
    p.add_argument("--tenants-file", type=Path, help="YAML/JSON tenant document instead of Pulumi.<env>.yaml")
    p.add_argument(
        "--project-dir",
        type=Path,
        default=Path("."),
        help="directory of the root Pulumi.yaml and its stack files (default: .)",
    )
    p.add_argument("--stack", help="stack name (default: <tenant>-<env>)")
    p.add_argument("--project", default=TENANT_PROJECT, help=f"Pulumi project (default: {TENANT_PROJECT})")
    p.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra stack config, repeatable, e.g. twilio-memory:operationTimeout=300",
    )
    p.add_argument("--remove-stack", action="store_true", help="with --destroy: also remove the stack")


def main(
    argv: Sequence[str] | None = None,
    *,
    stack_factory: StackFactory = automation_stack,
    out: Callable[[str], None] | None = None,
    err: Callable[[str], None] | None = None,
) -> int:
    """Run the command; returns the exit status (see the module docstring)."""
    say = out or (lambda line: print(line, flush=True))
    warn = err or (lambda line: print(line, file=sys.stderr, flush=True))
    args = parser().parse_args(argv)
    if args.remove_stack and args.action != "destroy":
        warn("error: --remove-stack only goes with --destroy")
        return EXIT_USAGE
    if args.expect_no_changes and args.action == "destroy":
        warn("error: --expect-no-changes goes with --preview or --up, not --destroy")
        return EXIT_USAGE
    try:
        source = load_tenant_source(args.project_dir, args.env, args.tenants_file)
        tenant = select_tenant(source, args.tenant, args.env)
        config = {
            **source.provider_config,
            **_parse_config(args.config, args.project),
            f"{args.project}:tenant": tenant.to_json(),
            f"{args.project}:environment": args.env,
        }
    except UsageError as exc:
        warn(f"error: {exc}")
        return EXIT_USAGE
    for key in source.skipped_secrets:
        warn(
            f"note: {key} is a secret of the {args.env} stack and is not copied; set it with --config "
            "or the TWILIO_* environment variables"
        )

    stack_name = args.stack or f"{args.tenant}-{args.env}"
    say(
        f"==> tenant {tenant.name!r} (store {tenant.display_name!r}) from {source.origin}: "
        f"{args.action} on stack {args.project}/{stack_name}"
    )
    try:
        stack = stack_factory(stack_name, args.project, _env_vars())
        stack.set_all_config({k: auto.ConfigValue(value=v) for k, v in config.items()})
        return _run(stack, args, say, warn)
    except auto.CommandError:
        # Pulumi's own output, streamed above, says what went wrong; don't print it twice.
        warn(f"error: pulumi {args.action} failed for stack {stack_name} (see the output above)")
        return EXIT_FAILED


def _run(
    stack: _Stack, args: argparse.Namespace, say: Callable[[str], None], warn: Callable[[str], None]
) -> int:
    stream: dict[str, Any] = {"on_output": say, "on_error": warn, "parallel": engine_parallel(1)}
    if args.action == "destroy":
        stack.destroy(**stream)
        if args.remove_stack:
            stack.workspace.remove_stack(stack.name)
            say(f"==> removed stack {stack.name}")
        return EXIT_OK
    if args.action == "up" and not args.expect_no_changes:
        result = stack.up(refresh=args.refresh or None, **stream)
        say(f"==> done: {_describe(result.summary.resource_changes)}")
        return EXIT_OK
    preview = stack.preview(refresh=args.refresh or None, diff=True, **stream)
    changes = _changes(preview.change_summary)
    if args.expect_no_changes and changes:
        warn(
            f"error: changes found where none were expected: {_describe(changes)}. If this is drift, "
            "something changed the tenant outside Pulumi; `--up` puts it back."
        )
        return EXIT_CHANGES
    if args.action == "up":
        say("==> no changes to apply")
    else:
        say(f"==> preview: {_describe(changes) if changes else 'no changes'}")
    return EXIT_OK


def _describe(summary: Mapping[Any, int] | None) -> str:
    counts = {str(op): n for op, n in (summary or {}).items() if n}
    return ", ".join(f"{op} {n}" for op, n in sorted(counts.items())) or "nothing"


if __name__ == "__main__":
    sys.exit(main())

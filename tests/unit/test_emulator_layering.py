"""The emulator's house rules, read from its source with ``ast`` (TYPE_CHECKING and function-level
imports count too):

* layers import only downward: leaves (errors, protocol, spec, state schema, defaults) <- engine
  <- products' services <- backend <- routes (``api``); the HTTP edge (``http``) sits on the
  engine and the leaves and is handed its routes, so it imports no product, no route, no backend;
* a product's routes import no other product's routes;
* no import cycle;
* no emulator class inherits from another emulator class, except the error hierarchy of
  ``errors.py`` (exceptions mapped to HTTP statuses): services are composed, not inherited.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = "twilio_memory_emulator"
ROOT = Path(__file__).resolve().parents[2] / "provider" / PACKAGE
PRODUCTS = ("memory_control", "memory_data", "conversations")
LEAVES = ("defaults", "errors", "protocol", "spec", "state_schema", "state_file")

#: Layer -> the layers its modules may import.
ALLOWED = {
    "leaf": {"leaf"},
    "engine": {"leaf", "engine"},
    "product": {"leaf", "engine", "product"},
    "backend": {"leaf", "engine", "product"},
    "api": {"leaf", "engine", "product", "backend", "edge", "api"},
    "edge": {"leaf", "engine", "edge"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


@cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
                candidates = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            targets |= {c for c in candidates if c in modules and c != name}
        graph[name] = targets
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")[1:]
    head = parts[0] if parts else ""
    if head in LEAVES:
        return "leaf"
    if head in PRODUCTS:
        return "product"
    if head in ("engine", "backend", "api"):
        return head
    if head == "http":
        return "edge"
    return "root"  # the composition root and the entry points: app, admin, serve, testing, ...


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert f"{PACKAGE}.engine.engine" in graph and f"{PACKAGE}.app" in graph
    assert f"{PACKAGE}.backend" in graph[f"{PACKAGE}.app"]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_is_below_it(layer: str) -> None:
    offenders = [
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _layer(module) == layer
        for target in sorted(targets)
        if _layer(target) not in ALLOWED[layer]
    ]
    assert offenders == []


def test_the_engine_and_the_edge_import_no_product() -> None:
    offenders = [
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _layer(module) in ("engine", "edge")
        for target in targets
        if target.split(".")[1] in PRODUCTS
    ]
    assert offenders == []


def test_a_product_s_routes_import_no_other_product_s_routes() -> None:
    routes = {f"{PACKAGE}.api.{product}" for product in PRODUCTS}
    assert routes <= set(_graph())
    offenders = [f"{module} -> {target}" for module in routes for target in _graph()[module] & routes]
    assert offenders == []


def test_there_is_no_import_cycle() -> None:
    graph, done, path = _graph(), set(), []

    def visit(module: str) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(module) :], module]))
        if module in done:
            return
        path.append(module)
        for target in sorted(graph[module]):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_no_emulator_class_inherits_another_but_the_errors() -> None:
    defined: dict[str, str] = {}  # class name -> module
    trees = {name: ast.parse(path.read_text()) for name, path in _modules().items()}
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, module)
    offenders = []
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for base in node.bases:
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
                if name in defined and not (module == defined[name] == f"{PACKAGE}.errors"):
                    offenders.append(f"{module}.{node.name}({name})")
    assert offenders == []

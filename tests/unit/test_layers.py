"""Imports flow one way: commands -> benchmarks -> web -> crawler -> jobs -> fetching
-> exports -> store -> settings -> engine -> records. No module imports a higher layer, and
no modules import each other in a circle (checked on the source, with ``ast``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import ROOT

# Top to bottom. A module belongs to the first layer whose prefix it has.
LAYERS: list[tuple[str, ...]] = [
    ("workers.cli",),
    ("workers.bench",),
    ("service",),
    ("workers.crawler",),
    ("workers.jobs",),
    ("workers.fetch",),
    ("workers.export",),
    ("workers.store",),
    ("workers.settings",),
    ("workers.engine",),
    ("workers.models", "workers.logs"),
]


def module_files() -> dict[str, Path]:
    found = {}
    for package in ("service", "workers"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The project modules ``name`` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def layer_of(name: str) -> int:
    for number, prefixes in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return number
    raise AssertionError(f"{name} is in no layer: add it to LAYERS")


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: set(imports_of(name, path, modules)) for name, path in modules.items()}


def test_every_module_has_a_layer() -> None:
    for name in module_files():
        if name in ("service", "workers"):
            continue
        layer_of(name)


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        if name not in ("service", "workers")
        for target in targets
        if target not in ("service", "workers") and layer_of(target) < layer_of(name)
    ]
    assert upward == []


def test_no_import_circle() -> None:
    graph = import_graph()
    # A package's __init__ re-exporting its own modules is not a circle of code.
    edges = {
        name: {t for t in targets if not name.startswith(t + ".")}
        for name, targets in graph.items()
    }
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert circles == []

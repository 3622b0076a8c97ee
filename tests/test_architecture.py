"""The package keeps its shape: no import cycles, internal imports at the top, layers that hold.

Why: issue 11 re-housed ``qualcode/`` by concern and broke the circles between ``Project`` and its
clients. These tests read the source with :mod:`ast` (nothing is imported), so they also see imports
inside functions, which a cycle check at import time would miss.

The graph:

* a node is a module inside ``qualcode/`` (a package is its ``__init__``);
* ``import qualcode.a.b`` is an arrow to ``qualcode.a.b``; ``from qualcode.a import b`` is an arrow to
  ``qualcode.a.b`` when that is a module, else to ``qualcode.a``; relative imports resolve the same way;
* imports under ``if TYPE_CHECKING:`` are left out (they never run);
* importing ``qualcode.a.b`` also runs ``qualcode/__init__`` and ``qualcode/a/__init__``; those implicit
  arrows to parent packages are left out, as import-linter and grimp do, or every module would sit in one
  circle with ``qualcode/__init__`` (which re-exports ``Project``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = "qualcode"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module, resolved
    line: int
    in_function: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _existing(name: str) -> str | None:
    """``name`` or its nearest enclosing module inside the package; None outside it."""
    modules = _modules()
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _resolve(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE]
        return [target for name in names if (target := _existing(name))]
    if node.level:  # relative: level 1 is the package this module is in
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    if base.split(".")[0] != PACKAGE:
        return []
    modules = _modules()
    targets = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        targets.append(candidate if candidate in modules else _existing(base))
    return [target for target in targets if target]


def imports_in(module: str, path: Path, source: str) -> list[Import]:
    """The internal imports in one module's source."""
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child, in_function)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in dict.fromkeys(_resolve(module, path, node)):
                if target != module:
                    found.append(Import(module, target, node.lineno, in_function))
            return
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(source, filename=str(path)), False)
    return found


@cache
def imports() -> tuple[Import, ...]:
    """Every internal import in the package, in file and line order."""
    return tuple(
        imp
        for module, path in _modules().items()
        for imp in imports_in(module, path, path.read_text(encoding="utf-8"))
    )


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {module: set() for module in _modules()}
    for imp in imports():
        edges[imp.source].add(imp.target)
    return edges


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative); components with more than one module, or a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges[node]:
                        components.append(sorted(component))
    return components


def _cycle_in(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """One concrete circle through the component, as a list of modules that starts and ends the same."""
    members = set(component)
    start = component[0]
    # breadth-first from start's successors back to start, inside the component
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return component


def _where(source: str, target: str) -> str:
    lines = [imp for imp in imports() if imp.source == source and imp.target == target]
    return ", ".join(
        f"{_modules()[source].relative_to(ROOT.parent)}:{imp.line}{' (in a function)' if imp.in_function else ''}"
        for imp in lines
    )


def test_tarjan_finds_circles_and_self_loops() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}, "f": set()}
    assert strongly_connected(edges) == [["a", "b", "c"], ["d"]]
    assert _cycle_in(["a", "b", "c"], edges) == ["a", "b", "c", "a"]


def test_imports_are_read() -> None:
    """The walker sees what it should (so the tests below cannot pass by seeing nothing)."""
    found = {(imp.source, imp.target) for imp in imports()}
    assert ("qualcode.cli.app", "qualcode.project") in found  # from qualcode.project import Project
    assert ("qualcode", "qualcode.project") in found
    assert ("qualcode.cli", "qualcode.cli.review") in found  # from qualcode.cli import (..., review, ...)
    assert len(found) > 150


def test_imports_resolve() -> None:
    """Absolute, relative, submodule and name imports; TYPE_CHECKING left out; imports in functions marked."""
    source = """
from typing import TYPE_CHECKING
import json
import qualcode.store
from qualcode.export import table
from qualcode.errors import InputError
from . import frame
from ..codebook.model import Codebook
from .. import config
if TYPE_CHECKING:
    from qualcode.project import Project
else:
    from qualcode import atomic
def f():
    from qualcode.agreement import stats
    return lambda: __import__("x")
"""
    found = imports_in("qualcode.tables.matrix", ROOT / "tables" / "matrix.py", source)
    assert [(imp.target, imp.in_function) for imp in found] == [
        ("qualcode.store", False),
        ("qualcode.export.table", False),
        ("qualcode.errors", False),
        ("qualcode.tables.frame", False),
        ("qualcode.codebook.model", False),
        ("qualcode.config", False),
        ("qualcode.atomic", False),
        ("qualcode.agreement.stats", True),
    ]
    # in a package's __init__, `from . import x` is relative to the package itself
    init = imports_in("qualcode.tables", ROOT / "tables" / "__init__.py", "from . import ids\n")
    assert [imp.target for imp in init] == ["qualcode.tables.ids"]


def test_no_import_cycles() -> None:
    edges = graph()
    circles = []
    for component in strongly_connected(edges):
        cycle = _cycle_in(component, edges)
        arrows = "\n".join(f"    {a} -> {b}   [{_where(a, b)}]" for a, b in zip(cycle, cycle[1:], strict=False))
        circles.append(f"  {len(component)} modules: {', '.join(component)}\n  for example:\n{arrows}")
    assert not circles, "import cycles inside qualcode/:\n" + "\n".join(circles)


# Internal imports made inside a function, each with the reason it cannot go to the top of the file.
# (module, imported module). Keep this short; today it is empty.
FUNCTION_IMPORTS_ALLOWED: set[tuple[str, str]] = set()


def test_internal_imports_at_top_of_file() -> None:
    """Internal imports go at the top of each file (third-party ones may wait inside a function)."""
    inside = [
        f"  {_modules()[imp.source].relative_to(ROOT.parent)}:{imp.line} imports {imp.target}"
        for imp in imports()
        if imp.in_function and (imp.source, imp.target) not in FUNCTION_IMPORTS_ALLOWED
    ]
    assert not inside, "internal imports inside functions (move them to the top of the file):\n" + "\n".join(inside)


# Clients of Project: they may import qualcode.project. Everything else is below Project.
ABOVE_PROJECT = ("qualcode.cli", "qualcode.report", "qualcode.refi")
# The package root re-exports Project (`from qualcode import Project`); `python -m qualcode` runs the CLI.
ENTRY_POINTS = ("qualcode", "qualcode.__main__")


def _above(module: str) -> bool:
    return module in ENTRY_POINTS or any(module == top or module.startswith(top + ".") for top in ABOVE_PROJECT)


def test_only_clients_import_project() -> None:
    direct = [
        f"  {imp.source} imports {imp.target}   [{_where(imp.source, imp.target)}]"
        for imp in imports()
        if imp.target in ("qualcode.project", "qualcode")
        and not _above(imp.source)
        and imp.source != "qualcode.project"
    ]
    assert not direct, (
        "only qualcode/cli, qualcode/report and qualcode/refi may import qualcode.project "
        "(or `from qualcode import ...`, which loads it):\n" + "\n".join(direct)
    )


def test_nothing_below_project_reaches_it() -> None:
    """Transitively too: a module below Project must not import cli/, report/ or refi/ (which import Project)."""
    edges = graph()
    problems = []
    for module in sorted(edges):
        if _above(module) or module == "qualcode.project":
            continue
        previous = {module: ""}
        frontier = [module]
        while frontier and "qualcode.project" not in previous:
            following = []
            for node in frontier:
                for child in sorted(edges[node]):
                    if child not in previous:
                        previous[child] = node
                        following.append(child)
            frontier = following
        if "qualcode.project" in previous:
            path = ["qualcode.project"]
            while path[-1] != module:
                path.append(previous[path[-1]])
            problems.append("  " + " -> ".join(reversed(path)))
    assert not problems, "modules below Project that reach qualcode.project through imports:\n" + "\n".join(problems)

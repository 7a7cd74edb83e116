"""No two qcsync modules import each other, directly or round a longer loop, at module level.

A cycle works only as long as each module happens to need nothing of the other while it is
being imported, and is the sign of a split made in the wrong place (the project aspect and its
create once were one). Counted: the imports a module runs when it is imported. Not counted:
imports under `if TYPE_CHECKING:` (types only) and imports inside functions (they run later;
the command line's are deliberate, for start-up time). `from package import submodule` counts
as an import of the submodule: the package itself is initialised before any of its submodules
whichever way they are imported, so a package's own `__init__` is not a cycle with its parts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qcsync"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_at_import(statements: Sequence[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module does (not those inside a def or class
    body's functions, nor under `if TYPE_CHECKING:`)."""
    for statement in statements:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        elif isinstance(statement, ast.If):
            if not _type_checking(statement):
                yield from _run_at_import(statement.body)
            yield from _run_at_import(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _run_at_import(block)
            for handler in statement.handlers:
                yield from _run_at_import(handler.body)
        elif isinstance(statement, ast.With | ast.ClassDef):
            yield from _run_at_import(statement.body)


def top_level_imports(name: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The qcsync modules (among `known`) that module `name` imports when it is imported."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _run_at_import(ast.parse(source).body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parts, *([base] if base else [])])
        submodules = {f"{base}.{alias.name}" for alias in node.names} & known
        found.update(submodules)
        if len(submodules) < len(node.names):
            found.add(base)
    return (found & known) - {name}


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, set())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def import_graph() -> dict[str, set[str]]:
    known = set(MODULES)
    return {
        name: top_level_imports(
            name, path.read_text(encoding="utf-8"), path.name == "__init__.py", known
        )
        for name, path in MODULES.items()
    }


def test_no_qcsync_modules_import_each_other() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from qcsync.b import x\n", {"qcsync.b"}),
        ("import qcsync.b\n", {"qcsync.b"}),
        ("from qcsync import b\n", {"qcsync.b"}),  # the submodule, not the package
        ("from . import b\n", {"qcsync.b"}),
        ("from qcsync import __version__\n", {"qcsync"}),
        ("if TYPE_CHECKING:\n    from qcsync.b import X\n", set()),
        ("if typing.TYPE_CHECKING:\n    import qcsync.b\n", set()),
        ("def f():\n    from qcsync.b import x\n", set()),  # runs when called, not imported
        ("try:\n    from qcsync.b import x\nexcept ImportError:\n    pass\n", {"qcsync.b"}),
        ("import json\n", set()),
    ],
)
def test_the_graph_counts_what_runs_at_import(source: str, expected: set[str]) -> None:
    known = {"qcsync", "qcsync.a", "qcsync.b"}
    assert top_level_imports("qcsync.a", source, False, known) == expected


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
    ],
)
def test_a_cycle_is_found(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


def test_the_project_aspect_imports_its_create_and_not_the_other_way() -> None:
    graph = import_graph()
    assert "qcsync.aspects.projectcreate" in graph["qcsync.aspects.project"]
    assert "qcsync.aspects.project" not in graph["qcsync.aspects.projectcreate"]

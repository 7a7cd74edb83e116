"""The functional core stays pure (DESIGN.md §5): the model, planner, plan types and document,
safety, renderings, the aspects (whose diffs are pure; their reads and writes go only through
the client they are handed) and config parsing import nothing that does I/O, directly or
through another qcsync module. Imports under `if TYPE_CHECKING:` are for types only and are
not counted; a package's `__init__` is, since importing a module runs it. Every module that
imports nothing impure must be named here, so a new module is held pure from the start. (The
emulator's independence is tests/emulator/test_import_boundary.py.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qcsync"

PURE = {
    "qcsync.aspects",
    "qcsync.aspects.base",
    "qcsync.aspects.collaborators",
    "qcsync.aspects.files",
    "qcsync.aspects.filewrite",
    "qcsync.aspects.libraries",
    "qcsync.aspects.names",
    "qcsync.aspects.nodes",
    "qcsync.aspects.parameters",
    "qcsync.aspects.project",
    "qcsync.aspects.projectcreate",
    "qcsync.client.wire",
    "qcsync.codefolder",
    "qcsync.config",
    "qcsync.config.located",
    "qcsync.config.merging",
    "qcsync.config.names",
    "qcsync.config.parsing",
    "qcsync.config.schema",
    "qcsync.config.schemacheck",
    "qcsync.config.variables",
    "qcsync.config.yamlcompose",
    "qcsync.config.yamllimits",
    "qcsync.config.yamlscalars",
    "qcsync.config.yamlsource",
    "qcsync.config.yamltext",
    "qcsync.errors",
    "qcsync.escape",
    "qcsync.importer",
    "qcsync.model",
    "qcsync.plan",
    "qcsync.plandoc",
    "qcsync.planner",
    "qcsync.planorder",
    "qcsync.progress",
    "qcsync.readback",
    "qcsync.render",
    "qcsync.render.jsontext",
    "qcsync.render.layout",
    "qcsync.render.markdown",
    "qcsync.render.text",
    "qcsync.report",
    "qcsync.restorecheck",
    "qcsync.safety",
    "qcsync.textdiff",
}
# What the core is allowed to load although it is not pure itself: `qcsync.config` re-exports
# load_config from config.loading, the one module of the package that reads files, and only
# callers of load_config use it.
ALLOWED_IMPURE = {"qcsync.config": {"qcsync.config.loading"}}
IO_MODULES = {
    "asyncio",
    "concurrent",
    "http",
    "io",
    "os",
    "requests",
    "select",
    "shutil",
    "signal",
    "socket",
    "socketserver",
    "ssl",
    "stat",
    "subprocess",
    "tempfile",
    "threading",
    "urllib",
    "urllib3",
}


def module_path(name: str) -> Path:
    relative = Path(*name.split("."))
    package = PACKAGE.parent / relative / "__init__.py"
    return package if package.is_file() else PACKAGE.parent / relative.with_suffix(".py")


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(name: str) -> set[str]:
    """Modules `name` imports when it runs (module level or inside functions), resolved."""
    path = module_path(name)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _type_checking_only(node)
        for statement in node.body
        for child in ast.walk(statement)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            found.add(base)
            # `from qcsync.aspects import nodes` imports a module too.
            found.update(
                f"{base}.{alias.name}"
                for alias in node.names
                if module_path(f"{base}.{alias.name}").is_file()
            )
    return found


@pytest.mark.parametrize("name", sorted(PURE))
def test_a_pure_module_imports_no_io(name: str) -> None:
    for imported in runtime_imports(name):
        top = imported.split(".")[0]
        assert top not in IO_MODULES, f"{name} imports {imported}"
        if top == "qcsync" and imported != "qcsync":
            # Importing `qcsync.a.b` runs `qcsync/a/__init__.py` first: it must be pure too.
            for loaded in _loaded_by(imported):
                assert loaded in PURE or loaded in ALLOWED_IMPURE.get(name, set()), (
                    f"{name} imports {imported}, which loads {loaded}, which is not pure"
                )


def _loaded_by(imported: str) -> list[str]:
    """The qcsync modules `import imported` runs: each package on the way, then the module."""
    parts = imported.split(".")
    return [".".join(parts[:n]) for n in range(2, len(parts) + 1)]


def test_every_module_that_imports_only_pure_modules_is_named_pure() -> None:
    # So that a new pure module (a split's new piece) is held to purity from the start: a
    # module outside the emulator whose imports, and whose packages' imports, load no I/O must
    # be in PURE. The fixed point starts from every module and drops the impure ones.
    modules = set()
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name != "qcsync" and not name.startswith("qcsync.emulator"):
            modules.add(name)
    could_be_pure = set(modules)
    changed = True
    while changed:
        changed = False
        for name in sorted(could_be_pure):
            loads = {
                loaded
                for imported in runtime_imports(name)
                if imported.startswith("qcsync.")
                for loaded in _loaded_by(imported)
            } | set(_loaded_by(name)[:-1])
            io = any(i.split(".")[0] in IO_MODULES for i in runtime_imports(name))
            allowed = ALLOWED_IMPURE.get(name, set())
            if io or any(m not in could_be_pure and m not in allowed for m in loads):
                could_be_pure.discard(name)
                changed = True
    assert sorted(could_be_pure - PURE) == []


def test_every_module_named_pure_exists() -> None:
    assert all(module_path(name).is_file() for name in PURE)


def test_the_check_sees_an_io_import_and_ignores_a_type_only_one() -> None:
    assert "qcsync.client" not in runtime_imports("qcsync.aspects.nodes")  # TYPE_CHECKING only
    assert "qcsync.concurrency" in runtime_imports("qcsync.state")
    assert "requests" in runtime_imports("qcsync.client.transport")

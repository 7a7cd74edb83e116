"""The emulator is an independent reading of the API docs: it imports only the standard library
and itself, and nothing in qcsync but the CLI (the `qcsync/cli/` package) imports it
(DESIGN.md §5)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qcsync"
EMULATOR = PACKAGE / "emulator"
CLI = PACKAGE / "cli"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add("qcsync.emulator" if path.parent == EMULATOR else "qcsync")
            elif node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(EMULATOR.glob("*.py")), ids=lambda p: p.name)
def test_emulator_modules_import_only_the_standard_library_and_the_emulator(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "qcsync":
            assert name.startswith("qcsync.emulator"), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top == "__future__", (
                f"{path.name} imports {name}"
            )


def test_no_qcsync_module_but_the_cli_imports_the_emulator() -> None:
    offenders = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if EMULATOR not in path.parents
        and CLI not in path.parents
        and any(n == "qcsync.emulator" or n.startswith("qcsync.emulator.") for n in _imports(path))
    ]
    assert offenders == []


def test_the_boundary_check_sees_an_import_it_must_refuse(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from qcsync.model import Node\nimport requests\n", encoding="utf-8")
    assert {"qcsync.model", "requests"} <= _imports(sample)

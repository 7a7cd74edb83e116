"""Only the command line writes to the terminal (DESIGN.md §5): outside the `qcsync/cli/`
package (and the emulator's own entry point) no module calls `print`, click's echo or prompt,
or writes to `sys.stdout`/`sys.stderr`; the rest hands text, reports and notices back through
return values and callbacks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qcsync"
MAY_PRINT = {PACKAGE / "cli", PACKAGE / "emulator" / "__main__.py"}
WRITERS = {"print", "echo", "secho", "prompt", "confirm"}


def writes(path: Path) -> list[str]:
    """The calls in `path` that write to the terminal, as `line: name`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print":
            found.append(f"{node.lineno}: print")
        elif isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id == "click" and func.attr in WRITERS:
                found.append(f"{node.lineno}: click.{func.attr}")
            elif (
                func.attr == "write"
                and isinstance(owner, ast.Attribute)
                and owner.attr in {"stdout", "stderr"}
            ):
                found.append(f"{node.lineno}: {owner.attr}.write")
    return found


def may_print(path: Path) -> bool:
    return any(allowed == path or allowed in path.parents for allowed in MAY_PRINT)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if not may_print(p)),
    ids=lambda p: p.relative_to(PACKAGE).as_posix(),
)
def test_no_module_outside_the_cli_writes_to_the_terminal(path: Path) -> None:
    assert writes(path) == []


def test_the_cli_package_is_where_the_writing_is() -> None:
    assert any(writes(p) for p in (PACKAGE / "cli").glob("*.py"))


def test_the_check_sees_each_way_of_writing(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import click, sys\n"
        "print('a')\n"
        "click.echo('b', err=True)\n"
        "click.prompt('c')\n"
        "sys.stderr.write('d')\n"
        "click.style('not output')\n",
        encoding="utf-8",
    )
    assert writes(sample) == ["2: print", "3: click.echo", "4: click.prompt", "5: stderr.write"]

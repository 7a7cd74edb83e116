"""Every module of the package stays small enough to read in one sitting (issue 12: "modules stay
under about 400 lines"), so a module that grows past it is split along what it owns when it
does, not later. The emulator is held to it too."""

from __future__ import annotations

from pathlib import Path

import pytest

import qcsync

LIMIT = 400
PACKAGE = Path(qcsync.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_package_is_found() -> None:
    # A glob that finds nothing would pass every size check below.
    assert len(MODULES) > 50
    assert PACKAGE / "cli" / "__init__.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_under_the_limit(path: Path) -> None:
    count = lines_of(path)
    assert count <= LIMIT, (
        f"{path.relative_to(PACKAGE.parent)} has {count} lines (over {LIMIT}): "
        "split it along what it owns"
    )


@pytest.mark.parametrize(("lines", "over"), [(LIMIT, False), (LIMIT + 1, True)])
def test_the_check_counts_lines(tmp_path: Path, lines: int, over: bool) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("x = 1\n" * lines, encoding="utf-8")
    assert (lines_of(sample) > LIMIT) is over

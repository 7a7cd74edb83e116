"""The code folder rules (DESIGN.md §1.1 `files:`) and diff trimming: table-driven cases."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qcsync.codefolder import MAX_FILE_BYTES, manages, same_text
from qcsync.config.codescan import FolderProblem, scan
from qcsync.textdiff import Budget, added_removed, unified


@pytest.mark.parametrize(
    ("name", "exclude", "managed"),
    [
        ("main.py", (), True),
        ("Main.cs", (), True),
        ("research.ipynb", (), True),
        ("report.html", (), True),
        ("style.css", (), True),
        ("config.json", (), False),
        ("README.md", (), False),
        ("main.pyc", (), False),
        ("indicators/momentum.py", (), True),
        ("a/b/c/deep.py", (), True),
        ("__pycache__/main.py", (), False),
        ("lib/__pycache__/x.py", (), False),
        ("bin/x.cs", (), False),
        ("src/obj/x.cs", (), False),
        ("backtests/2024/main.py", (), False),
        ("live/x.py", (), False),
        ("optimizations/x.py", (), False),
        ("storage/x.py", (), False),
        ("report/x.py", (), False),
        (".git/hooks/x.py", (), False),
        ("sub/.venv/lib/x.py", (), False),
        ("report.py", (), True),  # a file named like a skipped folder is still code
        ("tests/test_a.py", ("tests/",), False),
        ("tests/test_a.py", ("tests",), False),
        ("tests/test_a.py", ("test_*.py",), True),  # `*` does not cross a folder
        ("test_a.py", ("test_*.py",), False),
        ("tests/test_a.py", ("**/test_*.py",), False),
        ("test_a.py", ("**/test_*.py",), False),  # `**/` matches no folder too
        ("a/b/scratch.py", ("a/**",), False),
        ("a/b/scratch.py", ("a/*",), False),  # the folder a/b itself matches a/*
        ("ab/scratch.py", ("a/*",), True),
        ("x1.py", ("x[0-9].py",), False),
        ("xa.py", ("x[0-9].py",), True),
        ("xa.py", ("x[!0-9].py",), False),
        ("x.py", ("x?py",), False),  # ? is one character, here the dot
        ("a/x.py", ("a?x.py",), True),  # ? never matches /
    ],
)
def test_which_names_are_code(name: str, exclude: tuple[str, ...], managed: bool) -> None:
    assert manages(name, exclude) is managed


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("x\ny\n", "x\r\ny\r\n", True),
        ("x\ny", "x\ry", True),
        ("x\ny\n", "x\ny", False),  # a missing final newline is a change
        ("x\n", "X\n", False),
        ("", "", True),
    ],
)
def test_line_endings_do_not_count(a: str, b: str, same: bool) -> None:
    assert same_text(a, b) is same


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_scan_names_files_by_relative_path_and_hashes_bytes(tmp_path: Path) -> None:
    folder = _tree(
        tmp_path / "p",
        {
            "main.py": b"print(1)\r\n",
            "lib/util.py": b"x = 1\n",
            "config.json": b"{}",
            "backtests/old.py": b"old",
            ".ipynb_checkpoints/r.ipynb": b"{}",
            "research.ipynb": b"{}\n",
        },
    )
    found = scan(folder)
    assert [f.name for f in found] == ["lib/util.py", "main.py", "research.ipynb"]
    main = next(f for f in found if f.name == "main.py")
    assert main.content == "print(1)\r\n"  # kept as on disk: uploaded byte for byte
    assert main.sha256 == hashlib.sha256(b"print(1)\r\n").hexdigest()


def test_scan_applies_exclude(tmp_path: Path) -> None:
    folder = _tree(tmp_path / "p", {"main.py": b"1", "scratch/a.py": b"2", "x_test.py": b"3"})
    assert [f.name for f in scan(folder, ("scratch/", "*_test.py"))] == ["main.py"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "holds no file QuantConnect accepts"),
        ({"notes.txt": b"x", "bin/a.py": b"1"}, "holds no file QuantConnect accepts"),
        ({"main.py": b"\xff\xfe bad"}, "main.py is not UTF-8 text (byte 0"),
        ({"big.py": b"#" * (MAX_FILE_BYTES + 1)}, "big.py is 262,145 bytes, over"),
    ],
)
def test_scan_refuses(tmp_path: Path, files: dict[str, bytes], expected: str) -> None:
    folder = _tree(tmp_path / "p", files)
    folder.mkdir(exist_ok=True)
    with pytest.raises(FolderProblem) as caught:
        scan(folder, where="qcsync.yaml:4:5: Strategies/A")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("qcsync.yaml:4:5: Strategies/A: files: ")


def test_scan_allows_exactly_the_largest_quota(tmp_path: Path) -> None:
    folder = _tree(tmp_path / "p", {"big.py": b"#" * MAX_FILE_BYTES})
    assert len(scan(folder)[0].content) == 262_144


def test_scan_refuses_a_missing_folder_and_lists_every_problem(tmp_path: Path) -> None:
    with pytest.raises(FolderProblem, match="does not exist"):
        scan(tmp_path / "nope")
    folder = _tree(tmp_path / "p", {"a.py": b"\xff", "b.py": b"\xfe", "c.py": b"ok"})
    with pytest.raises(FolderProblem) as caught:
        scan(folder)
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        ("a\nb\n", "a\nc\n", ["@@ -1,2 +1,2 @@", " a", "-b", "+c"]),
        ("", "x\n", ["@@ -0,0 +1 @@", "+x"]),
        ("a\r\nb\r\n", "a\nb\n", []),
    ],
)
def test_unified_diff(old: str, new: str, lines: list[str]) -> None:
    assert unified(old, new) == lines


def test_budget_trims_per_file_and_in_all() -> None:
    lines = [f"+line {i}" for i in range(10)]
    budget = Budget(per_file_lines=4, total_chars=1000)
    kept, left = budget.take(lines)
    assert (len(kept), left) == (4, 6)
    small = Budget(per_file_lines=100, total_chars=20)
    kept, left = small.take(lines)
    assert (kept, left) == (["+line 0", "+line 1"], 8)
    assert small.take(lines) == ([], 10)  # nothing left for the next file
    assert added_removed(["@@", "+a", "-b", " c", "+d"]) == (2, 1)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("x = 1\n", None),
        ("TOKEN_abcdefgh_END\n", 1),
        ("a\nb\n  key = 'TOKEN_abcdefgh_END'\n", 3),
        ("TOKEN_abcdefgh_EN\n", None),  # a prefix is not the token
    ],
)
def test_scan_refuses_a_file_holding_a_token_naming_its_line(
    tmp_path: Path, text: str, line: int | None
) -> None:
    (tmp_path / "main.py").write_text(text, encoding="utf-8")
    tokens = ["TOKEN_abcdefgh_END"]
    if line is None:
        assert [f.name for f in scan(tmp_path, tokens=tokens)] == ["main.py"]
        return
    with pytest.raises(FolderProblem) as refused:
        scan(tmp_path, tokens=tokens)
    assert refused.value.problems == (
        f"files: main.py:{line} contains the API token; a plan shows file diffs in pull "
        "requests, so no code file may hold it (read it from the environment or "
        "QuantConnect's object store instead)",
    )
    assert tokens[0] not in str(refused.value)

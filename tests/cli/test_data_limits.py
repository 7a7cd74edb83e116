"""Files qcsync reads as data are bounded in size and depth (issue 10): one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qcsync import datafile
from qcsync.cli import main
from qcsync.datafile import DataFileError, json_depth, parse_json

from .conftest import Run

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "\\"]]]"]', 1),  # brackets inside strings, escaped quotes
        (DEEP, 100_000),
    ],
)
def test_json_depth_counts_nesting_outside_strings(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_a_document_deeper_than_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(DataFileError, match=r"^x is not a plan: nested 65 levels deep"):
        parse_json(("[" * 65 + "]" * 65).encode(), "x", "a plan")
    assert parse_json(("[" * 64 + "]" * 64).encode(), "x", "a plan") is not None


def one_line_naming(result: Any, path: Path) -> str:
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(path) in lines[0]
    assert "RecursionError" not in lines[0]
    assert "internal error" not in lines[0]
    return str(lines[0])


@pytest.mark.parametrize("command", [["show"], ["apply"]])
def test_a_100000_deep_plan_is_refused_in_one_line(
    qcsync: Run, workdir: Path, command: list[str]
) -> None:
    plan = workdir / "deep.json"
    plan.write_text(DEEP, encoding="utf-8")
    line = one_line_naming(qcsync(*command, str(plan)), plan)
    assert "nested 100000 levels deep" in line


def test_a_plan_file_over_the_size_limit_is_refused(
    qcsync: Run, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datafile, "MAX_BYTES", 1024 * 1024)
    plan = workdir / "big.json"
    plan.write_text(json.dumps({"x": "y" * (1024 * 1024)}), encoding="utf-8")
    line = one_line_naming(qcsync("show", str(plan)), plan)
    assert "larger than 1 MiB" in line


def test_a_plan_that_is_not_a_regular_file_is_refused(qcsync: Run, workdir: Path) -> None:
    (workdir / "dir.json").mkdir()
    line = one_line_naming(qcsync("show", "dir.json"), Path("dir.json"))
    assert "not a regular file" in line


def test_a_deep_backup_is_refused_in_one_line(qcsync: Run, workdir: Path) -> None:
    backup = workdir / "backup.json"
    backup.write_text(DEEP, encoding="utf-8")
    one_line_naming(qcsync("restore", str(backup)), backup)


def test_a_deep_sandbox_state_is_refused_in_one_line(workdir: Path) -> None:
    state = workdir / "sandbox.json"
    state.write_text(DEEP, encoding="utf-8")
    (workdir / "qcsync.yaml").write_text("version: 1\nprojects: []\n", encoding="utf-8")
    env = {"QCSYNC_SANDBOX_STATE": str(state), "QC_USER_ID": "", "QC_API_TOKEN": ""}
    result = CliRunner().invoke(main, ["--sandbox", "plan"], env=env)
    one_line_naming(result, state)


def test_a_deep_credentials_file_is_refused_in_one_line(workdir: Path) -> None:
    (workdir / ".lean").mkdir()
    credentials = workdir / ".lean" / "credentials"
    credentials.write_text(DEEP, encoding="utf-8")
    (workdir / "qcsync.yaml").write_text("version: 1\nprojects: []\n", encoding="utf-8")
    env = {"HOME": str(workdir), "QC_USER_ID": "", "QC_API_TOKEN": ""}
    result = CliRunner().invoke(main, ["plan"], env=env)
    one_line_naming(result, credentials)


def test_the_emulator_refuses_a_deep_seed_in_one_line(workdir: Path) -> None:
    seed = workdir / "seed.json"
    seed.write_text(DEEP, encoding="utf-8")
    result = CliRunner().invoke(main, ["emulator", "--seed", str(seed), "--port", "0"])
    assert result.exit_code == 1
    assert str(seed) in result.stderr or str(seed) in result.stdout

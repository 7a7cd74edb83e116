"""`qcsync validate`: a one-line summary and exit 0, or every issue on stderr and exit 1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qcsync.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory of this test's own."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, ["validate", *args], env=env or {}, catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "summary"),
    [
        (["-f", "starter.yaml"], "1 file, 2 projects: valid"),
        (["-f", "realistic.yaml"], "1 file, 13 projects: valid"),
        (["-f", "split"], "3 files, 4 projects: valid"),
        (["-f", "split/desk-a.yaml"], "1 file, 2 projects: valid"),
        (["-f", "starter.yaml", "-f", "realistic.yaml"], "2 files, 15 projects: valid"),
    ],
    ids=["starter", "realistic", "split folder", "one split file", "two files"],
)
def test_valid_examples_print_a_summary_and_exit_0(
    args: list[str], summary: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES)
    result = validate(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, summary + "\n", "")


def test_the_default_file_is_qcsync_yaml_in_the_working_directory(here: Path) -> None:
    (here / "qcsync.yaml").write_text("version: 1\nprojects: [{name: A}]\n")
    result = validate()
    assert (result.exit_code, result.stdout) == (0, "1 file, 1 project: valid\n")


def test_every_error_goes_to_stderr_one_per_line_and_exits_1(here: Path) -> None:
    (here / "qcsync.yaml").write_text(
        "version: 1\nprojects:\n  - name: A\n    language: Python\n  - nam: B\n"
    )
    result = validate()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "qcsync.yaml:4:15: projects[0].language: 'Python' is not one of 'Py', 'C#'",
        "qcsync.yaml:5:5: projects[1]: missing required key 'name'",
        "qcsync.yaml:5:5: projects[1].nam: unknown key 'nam'; did you mean 'name'?",
    ]


def test_a_missing_default_file_is_one_error_line(here: Path) -> None:
    result = validate()
    assert (result.exit_code, result.stderr) == (
        1,
        "qcsync.yaml:1:1: cannot read: No such file or directory\n",
    )


def test_variables_come_from_the_environment(here: Path) -> None:
    (here / "qcsync.yaml").write_text("version: 1\norganization: ${QC_ORG}\n")
    assert validate(env={"QC_ORG": "abc"}).exit_code == 0
    result = validate(env={"QC_ORG": None})  # None unsets it
    assert result.exit_code == 1
    assert "environment variable QC_ORG is not set" in result.stderr


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02", b"\xff\xfe\xfd", b"a: [\n", b"version: 1\n---\n", b"\tversion: 1"],
    ids=["empty", "binary", "not utf-8", "syntax error", "two documents", "tab"],
)
def test_broken_files_never_print_a_traceback(here: Path, content: bytes) -> None:
    (here / "qcsync.yaml").write_bytes(content)
    result = validate()
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("qcsync.yaml:")
    assert "Traceback" not in result.output + result.stderr


def test_schema_prints_the_schema_file(here: Path) -> None:
    result = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (REPO / "schemas" / "qcsync.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("make", ["device", "fifo"])
def test_validate_refuses_files_that_are_not_regular(tmp_path: Path, make: str) -> None:
    if make == "device":
        target = "/dev/zero"
    else:
        target = str(tmp_path / "pipe.yaml")
        os.mkfifo(target)
    result = CliRunner().invoke(main, ["validate", "-f", target])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{target}:1:1: not a regular file"

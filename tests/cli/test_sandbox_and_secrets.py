"""The sandbox, one-line errors, and the API token staying secret (issue 2, DESIGN.md §2)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qcsync.cli import main
from qcsync.emulator import Fault
from tests.conftest import REPO

from .conftest import Run

STARTER = REPO / "examples" / "starter.yaml"


def sandbox(*args: str, state: Path) -> Any:
    env = {"QCSYNC_SANDBOX_STATE": str(state), "QC_USER_ID": "", "QC_API_TOKEN": ""}
    return CliRunner().invoke(main, ["--sandbox", *args], env=env, catch_exceptions=False)


def test_the_sandbox_applies_the_starter_config_and_then_has_nothing_to_do(
    workdir: Path,
) -> None:
    state = workdir / "state" / "sandbox.json"
    planned = sandbox("plan", "-f", str(STARTER), "--detailed-exitcode", state=state)
    assert planned.exit_code == 3, planned.stderr
    applied = sandbox("apply", "-f", str(STARTER), "--auto-approve", state=state)
    assert applied.exit_code == 0, applied.stderr
    assert state.is_file()
    again = sandbox("plan", "-f", str(STARTER), "--detailed-exitcode", state=state)
    assert again.exit_code == 0, again.stdout + again.stderr


def test_a_bad_token_is_one_line_without_traceback(
    qcsync: Run, write_config: Callable[..., Path]
) -> None:
    write_config("version: 1\nprojects:\n  - name: Strategies/X\n")
    result = qcsync("plan", env={"QC_API_TOKEN": "0" * 32})
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.stderr
    assert "clock" in lines[0]


def test_missing_credentials_are_explained(
    workdir: Path, write_config: Callable[..., Path]
) -> None:
    write_config("version: 1\nprojects: []\n")
    env = {"QC_USER_ID": "", "QC_API_TOKEN": "", "HOME": str(workdir)}
    result = CliRunner().invoke(main, ["plan"], env=env)
    assert result.exit_code == 1
    assert "QC_API_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_http_to_a_remote_host_is_refused(
    qcsync: Run, write_config: Callable[..., Path]
) -> None:
    write_config("version: 1\nprojects: []\n")
    result = qcsync("--api-url", "http://example.com/api/v2/", "plan")
    assert result.exit_code == 1
    assert "http://" in result.stderr


def test_the_token_appears_in_no_output_log_plan_or_backup(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    emulator.add_project("Strategies/Old", files={"main.py": "x = 1\n"})
    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        prune: true
        limits: {max_delete_fraction: 1}
        projects:
          - name: Strategies/New
            nodes: [B4-12]
        """
    )
    emulator.inject("projects/read", Fault.http_500(), times=1)
    outputs = [
        qcsync("--debug", "plan", "-o", "plan.json"),
        qcsync("--debug", "apply", "plan.json"),
        qcsync("--debug", "plan", env={"QC_API_TOKEN": emulator.token[::-1]}),
    ]
    assert [r.exit_code for r in outputs] == [0, 0, 1]
    assert "debug:" in outputs[0].stderr, "--debug must log the HTTP requests"
    written = [p for p in workdir.rglob("*") if p.is_file()]
    assert any("backups" in p.parts for p in written)
    for text in [*(r.stdout + r.stderr for r in outputs), *(p.read_text() for p in written)]:
        assert emulator.token not in text
        assert emulator.token[::-1] not in text


def test_python_dash_m_qcsync_runs_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qcsync", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.stdout.startswith("qcsync, version ")


@pytest.mark.parametrize("args", [["--help"], ["plan", "--help"], ["apply", "--help"]])
def test_help_works_for_every_command(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


@pytest.mark.parametrize("content", ["{bad", "{}"], ids=["not-json", "not-state"])
def test_a_broken_sandbox_state_is_named_in_one_line(workdir: Path, content: str) -> None:
    state = workdir / "sandbox.json"
    state.write_text(content, encoding="utf-8")
    result = sandbox("plan", "-f", str(STARTER), state=state)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(state) in result.stderr
    assert "internal error" not in result.stderr


def test_import_to_an_unwritable_place_is_one_line(qcsync: Run, workdir: Path) -> None:
    result = qcsync("import", "-o", str(workdir / "missing" / "dir" / "x.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write")
    assert "Traceback" not in result.stderr


def test_restore_refuses_a_malformed_backup(qcsync: Run, workdir: Path) -> None:
    backup = workdir / "b.json"
    backup.write_text('{"kind": "qcsync-project-backup", "format_version": 1}', encoding="utf-8")
    result = qcsync("restore", str(backup))
    assert result.exit_code == 1
    assert "is not a qcsync backup" in result.stderr
    assert "internal error" not in result.stderr


def test_a_token_the_account_already_holds_is_in_no_output_plan_backup_or_error(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    """An older qcsync (issue 10) wrote `${QC_API_TOKEN}` into QuantConnect descriptions, so
    answers may carry the token: the client redacts it from every answer, and no plan (posted
    to pull requests), saved plan, backup, import or error the service sent repeats it."""
    leaked = f"leaked {emulator.token} here"
    emulator.add_project("Strategies/A", description=leaked)
    emulator.add_project("Strategies/Old", description=leaked, files={"main.py": leaked})
    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        prune: true
        limits: {max_delete_fraction: 1}
        projects:
          - name: Strategies/A
            description: clean
        """
    )
    emulator.inject("projects/update", Fault.business_error(f"bad token {emulator.token}"))
    outputs = [
        qcsync("plan", "--format", "text", "-o", "plan.json"),
        qcsync("plan", "--format", "markdown"),
        qcsync("plan", "--format", "json"),
        qcsync("import", "--prefix", "Strategies/", "-o", "imported.yaml"),
        qcsync("apply", "plan.json"),  # the injected refusal
        qcsync("apply", "--auto-approve"),
    ]
    assert [r.exit_code for r in outputs] == [0, 0, 0, 0, 1, 0], [r.stderr for r in outputs]
    assert '"leaked *** here" -> "clean"' in outputs[0].stdout
    assert "bad token ***" in outputs[4].stderr
    # The emulator's own state holds what it was seeded with; everything else qcsync wrote.
    written = [
        p for p in workdir.rglob("*") if p.is_file() and not p.name.startswith("emulator-state")
    ]
    assert any("backups" in p.parts for p in written)
    for text in [*(r.stdout + r.stderr for r in outputs), *(p.read_text() for p in written)]:
        assert emulator.token not in text

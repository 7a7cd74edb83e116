"""Global options after the command, as people type them (DESIGN.md §2, issue 16)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qcsync.cli import main
from tests.conftest import REPO

from .conftest import Run

STARTER = REPO / "examples" / "starter.yaml"


def invoke(*args: str, state: Path) -> Any:
    env = {"QCSYNC_SANDBOX_STATE": str(state), "QC_USER_ID": "", "QC_API_TOKEN": ""}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--sandbox", "plan", "-f", str(STARTER)), id="before"),
        pytest.param(("plan", "--sandbox", "-f", str(STARTER)), id="after"),
        pytest.param(("plan", "-f", str(STARTER), "--sandbox", "--no-color"), id="at the end"),
    ],
)
def test_sandbox_works_before_and_after_the_command(args: tuple[str, ...], workdir: Path) -> None:
    result = invoke(*args, state=workdir / "sandbox.json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip().endswith(
        "Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged."
    )
    assert result.stderr == ""


def test_debug_after_the_command_logs_requests_to_stderr(workdir: Path) -> None:
    result = invoke("plan", "-f", str(STARTER), "--sandbox", "--debug", state=workdir / "s.json")
    assert result.exit_code == 0, result.stderr
    assert "debug: POST http://127.0.0.1:" in result.stderr
    assert "Authorization: Basic ***" in result.stderr
    assert "debug:" not in result.stdout


def test_api_url_after_the_command_is_the_one_used(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config("version: 1\nprojects:\n  - name: Strategies/X\n")
    # QC_API_URL points at nothing; the flag after the command points at the emulator.
    result = qcsync(
        "plan",
        "--api-url",
        emulator.base_url,
        env={"QC_API_URL": "http://127.0.0.1:9/api/v2/"},
    )
    assert result.exit_code == 0, result.stderr
    assert "Plan: 1 to create" in result.stdout


def test_every_command_but_the_emulator_takes_the_global_options() -> None:
    for name, command in main.commands.items():
        flags = {opt for p in command.params for opt in getattr(p, "opts", ())}
        if name == "emulator":
            assert "--sandbox" not in flags  # it hands every argument to the emulator
        else:
            assert {"--sandbox", "--api-url", "--no-color", "--debug"} <= flags, name

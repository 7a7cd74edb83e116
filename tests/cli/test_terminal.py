"""qcsync in a real pseudo-terminal: the `yes` prompt and colour (issue 16).

The child process talks HTTP to the emulator this test runs; the emulator's request log shows
that nothing was written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

from .terminal import CTRL_C, CTRL_D, start
from .test_reconcile import STRATEGIES

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

PROMPT = b"Only 'yes' will be accepted"
STARTER = REPO / "examples" / "starter.yaml"


def environment(emulator: Any, **extra: str) -> dict[str, str]:
    return {
        "QC_USER_ID": emulator.user_id,
        "QC_API_TOKEN": emulator.token,
        "QC_API_URL": emulator.base_url,
        "NO_COLOR": "1",
        **extra,
    }


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param(CTRL_C, id="ctrl-c"),
        pytest.param(CTRL_D, id="ctrl-d"),
        pytest.param(b"no\r", id="no"),
    ],
)
def test_cancelling_at_the_prompt_writes_nothing(
    keys: bytes, emulator: Any, workdir: Path, write_config: Callable[..., Path]
) -> None:
    write_config(STRATEGIES)
    emulator.clear_log()
    session = start(["apply"], environment(emulator), str(workdir))
    session.wait_for(PROMPT)
    assert b"Plan: 3 to create" in session.stdout  # the plan is on the terminal, above
    session.wait_until_reading()
    session.send(keys)
    code = session.finish()
    assert code == 1, session.stderr
    assert session.stderr.rstrip().endswith(b"Apply cancelled.")
    assert b"Traceback" not in session.stderr + session.stdout
    assert b"internal error" not in session.stderr
    assert b"Abort" not in session.stderr
    assert emulator.writes() == []


def test_ctrl_c_at_the_sandbox_prompt_cancels(workdir: Path) -> None:
    """The sandbox serves from a thread of the same process; Ctrl-C still reaches the prompt."""
    (workdir / "qcsync.yaml").write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    state = workdir / "sandbox.json"
    session = start(["apply", "--sandbox"], {"QCSYNC_SANDBOX_STATE": str(state)}, str(workdir))
    session.wait_for(PROMPT)
    session.wait_until_reading()
    session.send(CTRL_C)
    assert session.finish() == 1, session.stderr
    assert session.stderr.rstrip().endswith(b"Apply cancelled.")
    assert b"Traceback" not in session.stderr
    again = start(["plan", "--sandbox"], {"QCSYNC_SANDBOX_STATE": str(state)}, str(workdir))
    assert again.finish() == 0, again.stderr
    assert b"Plan: 2 to create" in again.stdout  # nothing was created


def test_yes_at_the_prompt_applies(
    emulator: Any, workdir: Path, write_config: Callable[..., Path]
) -> None:
    write_config(STRATEGIES)
    session = start(["apply"], environment(emulator), str(workdir))
    session.wait_for(PROMPT)
    session.wait_until_reading()
    session.send(b"yes\r")
    assert session.finish() == 0, session.stderr
    assert b"Apply complete: 3 created, 0 updated, 0 deleted" in session.stdout
    assert {r.endpoint for r in emulator.writes()} >= {"projects/create"}


@pytest.mark.parametrize(
    ("no_color", "coloured"),
    [
        pytest.param("1", False, id="NO_COLOR=1"),
        pytest.param("", True, id="NO_COLOR empty means unset (no-color.org)"),
    ],
)
def test_colour_on_a_terminal_follows_no_color_only_when_not_empty(
    no_color: str,
    coloured: bool,
    emulator: Any,
    workdir: Path,
    write_config: Callable[..., Path],
) -> None:
    write_config(STRATEGIES)
    session = start(["plan"], environment(emulator, NO_COLOR=no_color), str(workdir))
    assert session.finish() == 0, session.stderr
    assert b"Plan: 3 to create" in session.stdout
    assert (b"\x1b[" in session.stdout) is coloured


def test_no_color_flag_after_the_command_wins_on_a_terminal(
    emulator: Any, workdir: Path, write_config: Callable[..., Path]
) -> None:
    write_config(STRATEGIES)
    session = start(["plan", "--no-color"], environment(emulator, NO_COLOR=""), str(workdir))
    assert session.finish() == 0, session.stderr
    assert b"Plan: 3 to create" in session.stdout
    assert b"\x1b[" not in session.stdout

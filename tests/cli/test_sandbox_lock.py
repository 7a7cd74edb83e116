"""The sandbox state is locked while a command uses it: a second command is refused clearly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from qcsync.statelock import locked

from .test_sandbox_and_secrets import sandbox

ONE = "version: 1\nprojects:\n  - name: Strategies/One\n"
TWO = "version: 1\nprojects:\n  - name: Strategies/Two\n"


def test_a_second_sandbox_command_is_refused_while_the_state_is_in_use(workdir: Path) -> None:
    state = workdir / ".qcsync" / "sandbox.json"
    (workdir / "one.yaml").write_text(ONE, encoding="utf-8")
    assert sandbox("apply", "-f", "one.yaml", "--auto-approve", state=state).exit_code == 0
    before = state.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from qcsync.statelock import locked
                with locked(Path({str(state)!r})):
                    print("locked", flush=True)
                    sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        (workdir / "two.yaml").write_text(TWO, encoding="utf-8")
        refused = sandbox("apply", "-f", "two.yaml", "--auto-approve", state=state)
        assert refused.exit_code == 1
        assert refused.stderr == (
            f"Error: {state} is in use by another qcsync command (process {holder.pid}); "
            "run this one when that one has finished\n"
        )
        assert state.read_bytes() == before  # nothing written
    finally:
        holder.communicate("\n", timeout=30)
    # Once the first is done, the second runs, and the first one's work is still there.
    assert sandbox("apply", "-f", "two.yaml", "--auto-approve", state=state).exit_code == 0
    for config in ("one.yaml", "two.yaml"):
        again = sandbox("plan", "-f", config, "--detailed-exitcode", state=state)
        assert again.exit_code == 0, again.stdout


def test_the_lock_is_released_after_a_command_even_when_it_fails(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    try:
        with locked(state):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with locked(state):  # free again
        assert (tmp_path / "sandbox.json.lock").is_file()

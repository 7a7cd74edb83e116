"""The README, followed word for word on a fresh sandbox (issue 16): the quickstart's commands
and the first config touch nothing outside the config's scope, and plan clean afterwards."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from qcsync.cli import main
from qcsync.emulator import Emulator
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def qcsync_commands(shell_line: str) -> list[list[str]]:
    """The `qcsync ...` commands of a `&&` chain, as argument lists."""
    return [
        shlex.split(part)[1:]
        for part in shell_line.split("&&")
        if shlex.split(part) and shlex.split(part)[0] == "qcsync"
    ]


def sandbox_projects(state: Path) -> dict[int, tuple[str, str, str]]:
    """The sandbox's projects as the sandbox itself stores them."""
    with Emulator(state_path=state) as emulator:
        return {
            int(p["projectId"]): (p["name"], p["organizationId"], p["description"])
            for p in emulator.projects()
        }


def run(args: list[str], state: Path) -> Any:
    env = {"QCSYNC_SANDBOX_STATE": str(state), "QC_USER_ID": "", "QC_API_TOKEN": ""}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def test_the_quickstart_runs_as_written(workdir: Path, monkeypatch: Any) -> None:
    block = re.search(r"```sh\n(.*?)\n```", section("Quickstart"), re.S)
    assert block is not None
    commands = qcsync_commands(block.group(1).splitlines()[0])
    assert [c[:2] for c in commands] == [["--sandbox", "apply"], ["--sandbox", "plan"]]
    monkeypatch.chdir(REPO)  # from a clone: examples/ is where the README says
    state = workdir / "sandbox.json"
    before = sandbox_projects(state)
    for args in commands:
        result = run(args, state)
        assert result.exit_code == 0, result.stdout + result.stderr
    assert "No changes." in result.stdout  # "then plans again and finds nothing left to do"
    after = sandbox_projects(state)
    assert {pid: p for pid, p in after.items() if pid in before} == before


def test_the_first_config_touches_nothing_out_of_its_scope(workdir: Path) -> None:
    block = re.search(r"```yaml\n(.*?)\n```", section("A first config"), re.S)
    assert block is not None
    config = block.group(1)
    assert "id:" not in config  # an id would pin a project of the reader's own account
    (workdir / "qcsync.yaml").write_text(config + "\n", encoding="utf-8")
    state = workdir / "sandbox.json"
    before = sandbox_projects(state)
    applied = run(["apply", "--sandbox", "--auto-approve"], state)
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    after = sandbox_projects(state)
    # Every project that was there is untouched: same name, organization and description.
    assert {pid: p for pid, p in after.items() if pid in before} == before
    created = {p[0] for pid, p in after.items() if pid not in before}
    assert created == {"Strategies/Momentum", "Strategies/Carry"}
    again = run(["plan", "--sandbox", "--detailed-exitcode"], state)
    assert again.exit_code == 0, again.stdout + again.stderr

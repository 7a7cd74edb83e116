"""Every config under examples/ validates, plans against the sandbox (the emulator qcsync starts
on 127.0.0.1 itself, as a new user runs it), applies, and then plans nothing: the examples are
what a user copies first, so none may be wrong. A new example must be added to EXPECTED."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from qcsync.cli import main
from tests.conftest import REPO

EXAMPLES = REPO / "examples"


def discovered() -> list[str]:
    """Each config a user can point `-f` at: a YAML file at the top, or a folder of them."""
    files = [p.name for p in EXAMPLES.glob("*.yaml")]
    folders = [p.name for p in EXAMPLES.iterdir() if p.is_dir() and any(p.glob("*.yaml"))]
    return sorted(files + folders)


# example -> (what `validate` says, the plan's summary on a fresh sandbox)
EXPECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "starter.yaml": ("1 file, 2 projects: valid", {"create": 2, "by_aspect": {}}),
    "realistic.yaml": (
        "1 file, 13 projects: valid",
        {
            "create": 13,
            "by_aspect": {"nodes": 6, "parameters": 2, "libraries": 4, "collaborators": 1},
        },
    ),
    "split": (
        "3 files, 4 projects: valid",
        {"create": 4, "by_aspect": {"nodes": 2, "parameters": 1, "collaborators": 1}},
    ),
}


def test_every_example_is_checked_here() -> None:
    assert discovered() == sorted(EXPECTED)


def run(*args: str, state: Path) -> Result:
    env = {
        "QCSYNC_SANDBOX_STATE": str(state),
        "QC_USER_ID": "",
        "QC_API_TOKEN": "",
        "QC_ORGANIZATION_ID": None,  # realistic.yaml's default: the sandbox's organization
        "NO_COLOR": "1",
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_an_example_validates_plans_applies_and_converges_on_the_sandbox(
    example: str, workdir: Path
) -> None:
    target = str(EXAMPLES / example)
    state = workdir / "sandbox.json"
    said, summary = EXPECTED[example]
    validated = run("validate", "-f", target, state=state)
    assert (validated.exit_code, validated.stdout) == (0, said + "\n"), validated.stderr

    planned = run("--sandbox", "plan", "-f", target, "--format", "json", state=state)
    assert planned.exit_code == 0, planned.stdout + planned.stderr
    counts = json.loads(planned.stdout)["summary"]
    assert {"create": counts["create"], "by_aspect": counts["by_aspect"]} == summary
    assert (counts["update"], counts["delete"]) == (0, 0)

    applied = run("--sandbox", "apply", "-f", target, "--auto-approve", state=state)
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    again = run("--sandbox", "plan", "-f", target, "--detailed-exitcode", state=state)
    assert again.exit_code == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout


def test_the_realistic_examples_content_lands_as_written(workdir: Path) -> None:
    """Parameters as strings, a library linking a library (created after it), a collaborator:
    what `qcsync import` reads back from the sandbox after the apply."""
    target = str(EXAMPLES / "realistic.yaml")
    state = workdir / "sandbox.json"
    applied = run("--sandbox", "apply", "-f", target, "--auto-approve", state=state)
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    imported = run("--sandbox", "import", "-o", "imported.yaml", state=state)
    assert imported.exit_code == 0, imported.stderr
    document = yaml.safe_load((workdir / "imported.yaml").read_text(encoding="utf-8"))
    entries = {entry["name"]: entry for entry in document["projects"]}
    momentum = entries["Strategies/Equities/Momentum"]
    assert momentum["parameters"] == {
        "lookback_months": "12",
        "skip_months": "1",
        "top_quantile": "0.1",
        "rebalance": "monthly",
    }
    assert sorted(momentum["libraries"]) == ["Library/Risk Utils", "Library/Signals"]
    assert momentum["collaborators"] == [{"user": "mia-ai", "write": True, "live_control": False}]
    assert entries["Library/Signals"]["libraries"] == ["Library/Risk Utils"]
    reversion = entries["Strategies/Equities/Mean Reversion"]["parameters"]
    assert reversion == {"symbol": "SPY", "lookback": "20", "entry_z": "2.0", "exit_z": "0.5"}

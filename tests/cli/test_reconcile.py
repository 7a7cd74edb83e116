"""plan and apply end to end: the emulator over HTTP, the CLI in process (issue 4).

Every apply is followed by a plan that must find nothing left to do.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcsync.emulator import Fault

from .conftest import Run, api

STRATEGIES = """
version: 1
scope: ["Strategies/"]
prune: true
projects:
  - name: Strategies/Momentum
    language: Py
    description: Mean reversion on SPY
    nodes: [B4-12, L-MICRO]
  - name: Strategies/Carry
    language: C#
  - name: Strategies/Pairs
"""

WRITES = {"projects/create", "projects/update", "projects/delete", "projects/nodes/update"}


def org_projects(emulator: Any) -> dict[str, dict[str, Any]]:
    return {
        p["name"]: p
        for p in emulator.projects()
        if p["organizationId"] == emulator.preferred_organization_id
    }


def assert_converged(qcsync: Run, *args: str) -> None:
    result = qcsync("plan", "--detailed-exitcode", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "No changes" in result.stdout


def write_endpoints(emulator: Any) -> list[str]:
    return [r.endpoint for r in emulator.writes() if r.endpoint in WRITES]


def test_apply_from_empty_creates_everything_and_converges(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    assert "Apply complete" in result.stdout
    projects = org_projects(emulator)
    assert projects["Strategies/Momentum"]["description"] == "Mean reversion on SPY"
    assert projects["Strategies/Carry"]["language"] == "C#"
    assert projects["Strategies/Pairs"]["language"] == "Py"
    assert_converged(qcsync)


def test_plan_sends_no_writes(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    emulator.clear_log()
    result = qcsync("plan", "--detailed-exitcode")
    assert result.exit_code == 3
    assert "Plan: 3 to create" in result.stdout
    assert write_endpoints(emulator) == []
    assert emulator.requests, "the plan must have read the live state"


ENDPOINT = {
    ("project", "create"): "projects/create",
    ("project", "update"): "projects/update",
    ("nodes", "update"): "projects/nodes/update",
    ("nodes", "create"): "projects/nodes/update",  # a new project's node selection
    ("project", "delete"): "projects/delete",
}


def expected_writes(planned: dict[str, Any]) -> list[str]:
    """The API writes a plan file lists. A create with a description is a create and an update:
    the API's create takes no description."""
    writes = [ENDPOINT[c["aspect"], c["action"]] for c in planned["changes"]]
    writes += [
        "projects/update"
        for c in planned["changes"]
        if c["aspect"] == "project" and c["action"] == "create" and "description" in c["after"]
    ]
    return sorted(writes)


def apply_saved_plan(qcsync: Run, emulator: Any) -> dict[str, Any]:
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    planned: dict[str, Any] = json.loads(Path("plan.json").read_text())
    emulator.clear_log()
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 0, result.stderr
    return planned


def test_apply_sends_exactly_the_writes_the_plan_lists(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    planned = apply_saved_plan(qcsync, emulator)
    assert sorted(write_endpoints(emulator)) == expected_writes(planned)
    assert_converged(qcsync)

    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        prune: true
        limits: {max_delete_fraction: 1}
        projects:
          - name: Strategies/Momentum 2
            renamed_from: ["Strategies/Momentum"]
            nodes: auto
          - name: Strategies/Carry
            description: now described
        """
    )
    planned = apply_saved_plan(qcsync, emulator)
    assert {(c["aspect"], c["action"]) for c in planned["changes"]} == {
        ("project", "update"),
        ("nodes", "update"),
        ("project", "delete"),
    }
    assert sorted(write_endpoints(emulator)) == expected_writes(planned)
    assert_converged(qcsync)


def test_each_change_kind_is_applied_and_replans_to_nothing(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    assert qcsync("apply", "--auto-approve").exit_code == 0
    momentum = org_projects(emulator)["Strategies/Momentum"]["projectId"]
    write_config(
        f"""
        version: 1
        scope: ["Strategies/"]
        prune: true
        limits: {{max_delete_fraction: 1}}
        projects:
          - name: Strategies/Momentum v2
            id: {momentum}
            description: Trend following
            nodes: auto
          - name: Strategies/Carry Trade
            renamed_from: ["Strategies/Carry"]
          - name: Strategies/New
        """
    )
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    projects = org_projects(emulator)
    assert projects["Strategies/Momentum v2"]["projectId"] == momentum
    assert projects["Strategies/Momentum v2"]["description"] == "Trend following"
    assert "Strategies/Carry Trade" in projects
    assert "Strategies/New" in projects
    assert "Strategies/Pairs" not in projects  # pruned
    assert_converged(qcsync)


def test_a_stale_saved_plan_is_refused_naming_the_project(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    assert qcsync("apply", "--auto-approve").exit_code == 0
    write_config(STRATEGIES.replace("Mean reversion on SPY", "Changed"))
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    # Someone edits the project in the web IDE between plan and apply.
    with api(emulator) as client:
        client.update_project(
            org_projects(emulator)["Strategies/Momentum"]["projectId"], description="by hand"
        )
    emulator.clear_log()
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 1
    assert "stale" in result.stderr
    assert "Strategies/Momentum" in result.stderr
    assert write_endpoints(emulator) == []


def test_a_failure_midway_is_reported_as_partial_and_the_next_apply_converges(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    emulator.inject("projects/nodes/update", Fault.business_error("Node is busy"), times=1)
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "Apply failed" in result.stdout
    assert "Node is busy" in result.stdout + result.stderr
    # The new project's node selection is part of its create, so the create is what failed,
    # saying that the project itself was made.
    assert "failed: create Strategies/Momentum: created (id " in result.stdout
    assert "setting its node selection failed" in result.stdout
    again = qcsync("apply", "--auto-approve")
    assert again.exit_code == 0, again.stderr
    assert_converged(qcsync)


def test_apply_without_a_terminal_or_auto_approve_refuses(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    emulator.clear_log()
    result = qcsync("apply")
    assert result.exit_code == 1
    assert "--auto-approve" in result.stderr
    assert write_endpoints(emulator) == []


def test_show_renders_a_saved_plan(qcsync: Run, write_config: Callable[..., Path]) -> None:
    write_config(STRATEGIES)
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    result = qcsync("show", "plan.json", "--format", "markdown")
    assert result.exit_code == 0
    assert "Strategies/Momentum" in result.stdout
    assert result.stdout.lstrip().startswith(("#", "|", "**", "<!--", "Plan", "qcsync"))


def test_target_limits_the_plan_to_one_project(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    result = qcsync("apply", "--auto-approve", "--target", "Strategies/Carry")
    assert result.exit_code == 0, result.stderr
    assert set(org_projects(emulator)) >= {"Strategies/Carry"}
    assert "Strategies/Momentum" not in org_projects(emulator)
    assert_converged(qcsync, "--target", "Strategies/Carry")


def test_a_bad_config_sends_no_request(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config("version: 1\nprojects:\n  - name: Strategies/X\n    language: Python\n")
    emulator.clear_log()
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 1
    assert result.stderr.startswith("qcsync.yaml:4:15: projects[0].language")
    assert emulator.requests == []

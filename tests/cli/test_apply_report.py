"""The apply report on stdout and stderr, and a failed convergence check worded as such."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcsync.emulator import Fault

from .test_reconcile import assert_converged, org_projects

NEW_WITH_NODES = """
version: 1
projects:
  - name: Strategies/Fresh
    nodes: [B4-12]
  - name: Strategies/Other
"""


def test_the_report_goes_to_stdout_and_stderr(
    qcsync: Any, write_config: Callable[..., Path]
) -> None:
    write_config(NEW_WITH_NODES)
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    assert "Apply complete: 2 created, 0 updated, 0 deleted in " in result.stdout
    assert "Apply complete: 2 created, 0 updated, 0 deleted in " in result.stderr
    assert_converged(qcsync)


def test_a_failed_convergence_check_says_everything_was_applied(
    qcsync: Any, write_config: Callable[..., Path], emulator: Any
) -> None:
    # The plan reads no project's nodes (both are new); the check after the apply reads the
    # selection of the one created with `nodes: auto` (no node write answered with it), and
    # that read fails for good.
    write_config(NEW_WITH_NODES.replace("nodes: [B4-12]", "nodes: auto"))
    emulator.inject("projects/nodes/read", Fault.business_error("Service unavailable"))
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "Apply complete: 2 created, 0 updated, 0 deleted" in result.stdout
    assert "Apply complete: 2 created, 0 updated, 0 deleted" in result.stderr
    assert (
        "Error: every change was applied; only the convergence check after it failed: "
        "projects/nodes/read: Service unavailable" in result.stderr
    )
    assert "run `qcsync plan` to check" in result.stderr
    assert {"Strategies/Fresh", "Strategies/Other"} <= set(org_projects(emulator))
    assert_converged(qcsync)


def test_a_partial_apply_reports_on_both_streams_and_exits_1(
    qcsync: Any, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(NEW_WITH_NODES)
    emulator.inject("projects/nodes/update", Fault.business_error("Node is busy"))
    result = qcsync("apply", "--auto-approve", "--parallelism", "1")
    assert result.exit_code == 1
    for stream in (result.stdout, result.stderr):
        # A new project's nodes are part of its create: that create is what failed.
        assert "Apply failed: 0 created, 0 updated, 0 deleted; 1 failed, 1 not attempted" in stream
        assert "  failed: create Strategies/Fresh: created (id " in stream
        assert "setting its node selection failed: projects/nodes/update: Node is busy" in stream
    assert "Error:" not in result.stderr  # the report is the message
    assert qcsync("apply", "--auto-approve").exit_code == 0
    assert_converged(qcsync)

"""The requests each command sends, pinned at the floor of what the API allows (issue 15).

Counted by the emulator, whole commands through the CLI: a no-op plan of N projects that manage
nodes is 1 + N requests; a create with nodes is 2 (its convergence is read from the node
write's answer); a delete is 3 (the backup's two reads together, then the delete) plus one
project list per stage for all its deletes; an update or a node change is 1. Plans do not
change files yet, so there is no file count to pin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import Run
from .test_reconcile import assert_converged, org_projects

ENTRY = "  - {{name: {name}, nodes: [B4-12]}}\n"


def config(emulator: Any, *names: str, extra: str = "") -> str:
    head = f"version: 1\norganization: {emulator.preferred_organization_id}\n{extra}projects:\n"
    return head + "".join(ENTRY.format(name=name) for name in names)


def sent(emulator: Any) -> Counter[str]:
    return Counter(r.endpoint for r in emulator.requests)


def managed(emulator: Any, count: int) -> list[str]:
    """`count` projects under Managed/ whose nodes are already B4-12."""
    node = next(
        n["id"]
        for n in emulator.store.read_organization_nodes(None)["backtest"]
        if n["sku"] == "B4-12"
    )
    names = [f"Managed/P{i}" for i in range(count)]
    for name in names:
        emulator.store.update_project_nodes(emulator.add_project(name), [node])
    return names


def test_a_no_op_plan_of_n_projects_is_1_plus_n_requests(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    names = managed(emulator, 12)
    write_config(config(emulator, *names))
    emulator.clear_log()
    result = qcsync("plan", "--detailed-exitcode", "--parallelism", "4")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert sent(emulator) == {"projects/read": 1, "projects/nodes/read": 12}
    assert emulator.peak_in_flight <= 4


def test_a_create_with_nodes_is_two_requests(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    names = managed(emulator, 3)
    write_config(config(emulator, *names, "Fresh/One", "Fresh/Two"))
    emulator.clear_log()
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    # Plan: the list and the 3 existing projects' nodes. Apply: 2 per create. Convergence: the
    # list again, the 3 existing projects' nodes again, and nothing for the new ones: the node
    # writes answered with the selection they set.
    assert sent(emulator) == {
        "projects/read": 2,
        "projects/nodes/read": 3 + 3,
        "projects/create": 2,
        "projects/nodes/update": 2,
    }
    assert_converged(qcsync)


def test_a_delete_is_three_requests_and_one_list_per_stage(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    for i in range(4):
        emulator.add_project(f"Old/P{i}")
    prune = 'scope: ["Old/"]\nprune: true\nlimits: {max_deletes: 4, max_delete_fraction: 1}\n'
    write_config(config(emulator, extra=prune).replace("projects:\n", "projects: []\n"))
    emulator.clear_log()
    result = qcsync("apply", "--auto-approve", "--parallelism", "2")
    assert result.exit_code == 0, result.stderr
    assert not [n for n in org_projects(emulator) if n.startswith("Old/")]
    # Plan: the list. Apply: one list for the stage, then per project its nodes and files (the
    # backup, sent together) and the delete. Convergence: the list.
    assert sent(emulator) == {
        "projects/read": 3,
        "projects/nodes/read": 4,
        "files/read": 4,
        "projects/delete": 4,
    }
    assert emulator.peak_in_flight <= 2  # the backup's reads stay within --parallelism
    assert_converged(qcsync)


def test_an_update_and_a_node_change_are_one_request_each(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    names = managed(emulator, 2)
    text = config(emulator, *names)
    text = text.replace(
        "{name: Managed/P0, nodes: [B4-12]}", "{name: Managed/P0, nodes: [B4-12], description: d}"
    ).replace("{name: Managed/P1, nodes: [B4-12]}", "{name: Managed/P1, nodes: [B8-16]}")
    write_config(text)
    emulator.clear_log()
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    # Plan and convergence: the list and P0's nodes each; P1's new selection comes from the
    # node write's answer.
    assert sent(emulator) == {
        "projects/read": 2,
        "projects/nodes/read": 2 + 1,
        "projects/update": 1,
        "projects/nodes/update": 1,
    }
    assert_converged(qcsync)

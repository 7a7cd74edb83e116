"""Safety rules end to end (issue 5): ownership, limits, the live guard, backups and restore."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcsync.emulator import Fault

from .conftest import Run, api
from .test_reconcile import assert_converged, org_projects, write_endpoints


def read_files(emulator: Any, project_id: int) -> dict[str, str]:
    """A project's files, read back through the API."""
    with api(emulator) as client:
        return {f.name: f.content for f in client.read_files(project_id)}


def seed(emulator: Any, *names: str, **kwargs: Any) -> dict[str, int]:
    return {name: emulator.add_project(name, **kwargs) for name in names}


def test_out_of_scope_other_org_and_protected_projects_survive_a_prune(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    ids = seed(emulator, "Strategies/A", "Strategies/Live/B", "Research/C")
    other = emulator.add_project("Strategies/A", organization_id=emulator.other_organization_id)
    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        protect: ["Strategies/Live/"]
        prune: true
        limits: {max_deletes: 5, max_delete_fraction: 1}
        projects:
          - name: Strategies/Keep
        """
    )
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    remaining = org_projects(emulator)
    assert "Strategies/A" not in remaining  # in scope, undeclared, prune on: deleted
    assert remaining["Strategies/Live/B"]["projectId"] == ids["Strategies/Live/B"]
    assert remaining["Research/C"]["projectId"] == ids["Research/C"]
    assert emulator.project(other) is not None
    assert_converged(qcsync)


def test_the_plan_explains_deletes_and_what_it_leaves_alone(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed(emulator, "Strategies/A", "Strategies/Live/B")
    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        protect: ["Strategies/Live/"]
        prune: true
        limits: {max_delete_fraction: 1}
        projects: []
        """
    )
    result = qcsync("plan")
    assert result.exit_code == 0, result.stderr
    assert "prune" in result.stdout
    assert "Strategies/Live/B" in result.stdout
    assert "protect" in result.stdout


def test_deletes_over_max_deletes_are_blocked_in_plan_and_apply_until_forced(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed(emulator, *(f"Strategies/P{i}" for i in range(4)))
    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        prune: true
        limits: {max_deletes: 3, max_delete_fraction: 1}
        projects: []
        """
    )
    planned = qcsync("plan")
    assert planned.exit_code == 4
    assert "max_deletes" in planned.stdout.splitlines()[-1]
    assert "--force" in planned.stdout.splitlines()[-1]
    emulator.clear_log()
    blocked = qcsync("apply", "--auto-approve")
    assert blocked.exit_code == 4
    assert write_endpoints(emulator) == []
    forced = qcsync("apply", "--auto-approve", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert not [n for n in org_projects(emulator) if n.startswith("Strategies/")]
    assert_converged(qcsync)


def test_deletes_over_the_fraction_are_blocked_even_in_a_small_account(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed(emulator, "Strategies/A", "Strategies/B")
    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        prune: true
        projects:
          - name: Strategies/A
        """
    )
    result = qcsync("plan")
    assert result.exit_code == 4
    assert "max_delete_fraction" in result.stdout
    assert qcsync("apply", "--auto-approve", "--force").exit_code == 0
    assert_converged(qcsync)


def test_a_live_project_is_untouched_without_allow_live(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Live Algo", code_running=True)
    write_config(
        f"""
        version: 1
        projects:
          - name: Strategies/Live Algo v2
            id: {pid}
            nodes: [L-MICRO]
        """
    )
    planned = qcsync("plan")
    assert planned.exit_code == 4
    assert "LIVE" in planned.stdout
    emulator.clear_log()
    assert qcsync("apply", "--auto-approve").exit_code == 4
    assert write_endpoints(emulator) == []
    assert emulator.project(pid)["name"] == "Strategies/Live Algo"
    allowed = qcsync("apply", "--auto-approve", "--allow-live")
    assert allowed.exit_code == 0, allowed.stderr
    assert emulator.project(pid)["name"] == "Strategies/Live Algo v2"
    assert_converged(qcsync, "--allow-live")


def _prune_one(write_config: Callable[..., Path]) -> None:
    write_config(
        """
        version: 1
        scope: ["Strategies/"]
        prune: true
        limits: {max_delete_fraction: 1}
        projects: []
        """
    )


def test_a_delete_leaves_a_backup_that_restore_turns_back_into_an_equal_project(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    files = {"main.py": "# momentum\nprint('héllo')\n", "lib/signals.py": "X = 1\n"}
    pid = emulator.add_project("Strategies/Old", language="C#", description="keep me", files=files)
    _prune_one(write_config)
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    assert emulator.project(pid)["name"] == "Recycle Bin/Strategies/Old"
    backups = list((workdir / ".qcsync" / "backups").glob("*/*.json"))
    assert len(backups) == 1
    document = json.loads(backups[0].read_text(encoding="utf-8"))
    assert emulator.token not in backups[0].read_text(encoding="utf-8")
    assert {f["name"]: f["content"] for f in document["files"]} == files

    restored = qcsync("restore", str(backups[0]))
    assert restored.exit_code == 0, restored.stderr
    again = org_projects(emulator)["Strategies/Old"]
    assert again["language"] == "C#"
    assert again["description"] == "keep me"
    assert read_files(emulator, again["projectId"]) == files
    assert f"project {again['projectId']}" in restored.stdout


def test_restore_refuses_a_taken_name_unless_given_another(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    emulator.add_project("Strategies/Old")
    _prune_one(write_config)
    assert qcsync("apply", "--auto-approve").exit_code == 0
    backup = next((workdir / ".qcsync" / "backups").glob("*/*.json"))
    emulator.add_project("Strategies/Old")
    refused = qcsync("restore", str(backup))
    assert refused.exit_code == 1
    assert "--name" in refused.stderr
    renamed = qcsync("restore", str(backup), "--name", "Strategies/Old restored")
    assert renamed.exit_code == 0, renamed.stderr
    assert "Strategies/Old restored" in org_projects(emulator)


def test_a_failed_backup_leaves_the_project_in_place(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Precious")
    _prune_one(write_config)
    emulator.inject("files/read", Fault.business_error("storage unavailable"), times=1)
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "backup" in (result.stdout + result.stderr).lower()
    assert emulator.project(pid) is not None


def test_a_saved_plan_is_refused_when_live_trading_started_after_it_was_made(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Soon Live")
    _prune_one(write_config)
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    emulator.set_code_running(pid, True)
    emulator.clear_log()
    result = qcsync("apply", "plan.json", "--force")
    assert result.exit_code == 1
    assert "live trading started" in result.stderr
    assert "Strategies/Soon Live" in result.stderr
    assert write_endpoints(emulator) == []
    assert emulator.project(pid) is not None


def test_a_saved_rename_onto_a_name_taken_since_is_refused_before_any_write(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    emulator.add_project("Strategies/B")
    write_config(
        """
        version: 1
        projects:
          - name: Strategies/B2
            renamed_from: ["Strategies/B"]
          - name: Strategies/C
        """
    )
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    emulator.add_project("Strategies/b2")
    emulator.clear_log()
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 1
    assert "Strategies/B2: the name is now taken" in result.stderr
    assert write_endpoints(emulator) == []

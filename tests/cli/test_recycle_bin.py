"""qcsync against today's service, whose deletes land in the Recycle Bin (issue 9).

The emulator runs in its default mode (deleted projects move to ``Recycle Bin/<name>``, same id);
the old mode is covered where the behaviour differs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qcsync.emulator import Fault

from .conftest import Run
from .test_reconcile import assert_converged, org_projects, write_endpoints

PRUNE = """
version: 1
scope: ["Strategies/"]
prune: true
limits: {max_delete_fraction: 1}
projects:
  - name: Strategies/Keep
"""


def binned_name(emulator: Any, pid: int) -> str:
    project = emulator.project(pid)
    assert project is not None, f"project {pid} was purged"
    return str(project["name"])


def test_a_prune_apply_in_config_mode_bins_the_project_exits_0_and_replans_clean(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Old")
    emulator.add_project("Strategies/Keep")
    write_config(PRUNE)
    planned = qcsync("plan")
    assert "moves to the Recycle Bin as 'Recycle Bin/Strategies/Old' (same id)" in planned.stdout
    assert "purged by QuantConnect after 30 days" in planned.stdout
    assert f".qcsync/backups/<time>/{pid}-*.json" in planned.stdout
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert binned_name(emulator, pid) == "Recycle Bin/Strategies/Old"
    assert "qcsync restore" in result.stderr  # the progress line says how to undo it
    assert_converged(qcsync)


def test_a_prune_apply_of_a_saved_plan_exits_0_and_replans_clean(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Old")
    emulator.add_project("Strategies/Keep")
    write_config(PRUNE)
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert binned_name(emulator, pid) == "Recycle Bin/Strategies/Old"
    assert_converged(qcsync)


def test_the_binned_project_is_in_no_later_plan_even_when_its_name_is_declared_again(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Old")
    emulator.add_project("Strategies/Keep")
    write_config(PRUNE)
    assert qcsync("apply", "--auto-approve").exit_code == 0
    later = qcsync("plan")
    assert "Recycle Bin/Strategies/Old" not in later.stdout  # not listed, not "left alone"
    assert "Recycle Bin: 1 deleted project waiting to be purged, never planned." in later.stdout

    write_config(PRUNE + "  - name: Strategies/Old\n")
    again = qcsync("plan", "--format", "json")
    assert again.exit_code == 0, again.stderr
    changes = json.loads(again.stdout)["changes"]
    assert [
        (c["aspect"], c["action"], c["project"]["name"], c["project"]["id"]) for c in changes
    ] == [("project", "create", "Strategies/Old", None)]
    assert qcsync("apply", "--auto-approve").exit_code == 0
    fresh = org_projects(emulator)["Strategies/Old"]["projectId"]
    assert fresh != pid
    assert binned_name(emulator, pid) == "Recycle Bin/Strategies/Old"  # untouched
    assert_converged(qcsync)


def test_import_writes_no_binned_project(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    emulator.add_project("Strategies/Old")
    emulator.add_project("Strategies/Keep")
    write_config(PRUNE)
    assert qcsync("apply", "--auto-approve").exit_code == 0
    imported = qcsync("import", "--prefix", "Strategies/")
    assert imported.exit_code == 0, imported.stderr
    assert "Strategies/Keep" in imported.stdout
    everything = qcsync("import")
    assert "Recycle Bin" not in everything.stdout


def test_a_lost_delete_answer_sends_exactly_one_projects_delete(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Old")
    emulator.add_project("Strategies/Keep")
    write_config(PRUNE)
    emulator.inject("projects/delete", Fault.lost_response(), times=1)
    emulator.clear_log()
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert write_endpoints(emulator).count("projects/delete") == 1
    assert binned_name(emulator, pid) == "Recycle Bin/Strategies/Old"
    assert "Apply complete: 0 created, 0 updated, 1 deleted" in result.stdout
    assert_converged(qcsync)


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ("projects:\n  - name: Recycle Bin/Strategies/Old\n", "qcsync.yaml:3:11: projects[0].name"),
        (
            "projects:\n  - name: Strategies/New\n    renamed_from: [Recycle Bin/Strategies/Old]\n",
            "qcsync.yaml:4:20: projects[0].renamed_from[0]",
        ),
        ('scope: ["Recycle Bin/"]\nprojects: []\n', "qcsync.yaml:2:9: scope[0]"),
        ('protect: ["Recycle Bin/X"]\nprojects: []\n', "qcsync.yaml:2:11: protect[0]"),
    ],
    ids=["name", "renamed_from", "scope", "protect"],
)
def test_a_config_naming_the_recycle_bin_is_a_located_error_and_sends_nothing(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, config: str, where: str
) -> None:
    write_config("version: 1\n" + config)
    emulator.clear_log()
    result = qcsync("plan")
    assert result.exit_code == 1
    assert result.stderr.startswith(where), result.stderr
    assert "Recycle Bin" in result.stderr
    assert emulator.requests == []


@pytest.mark.parametrize(
    "args",
    [("plan", "--target", "Recycle Bin/Strategies/Old"), ("import", "--prefix", "Recycle Bin/")],
    ids=["target", "import-prefix"],
)
def test_a_flag_naming_the_recycle_bin_is_refused_naming_the_flag(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, args: tuple[str, ...]
) -> None:
    write_config(PRUNE)
    emulator.clear_log()
    result = qcsync(*args)
    assert result.exit_code == 2
    assert f"'{args[1]}'" in result.stderr
    assert "Recycle Bin" in result.stderr
    assert emulator.requests == []


def test_an_id_pinned_to_a_binned_project_is_a_plan_error(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    pid = emulator.add_project("Strategies/Old")
    emulator.add_project("Strategies/Keep")
    write_config(PRUNE)
    assert qcsync("apply", "--auto-approve").exit_code == 0
    write_config(PRUNE + f"  - name: Strategies/Old\n    id: {pid}\n")
    result = qcsync("plan")
    assert result.exit_code == 1
    assert f"id {pid} is in QuantConnect's Recycle Bin" in result.stderr
    assert "qcsync.yaml:7:" in result.stderr
    assert binned_name(emulator, pid) == "Recycle Bin/Strategies/Old"


def test_on_the_old_service_a_prune_removes_the_project_and_converges(
    emulator_factory: Any, write_config: Callable[..., Path], workdir: Path
) -> None:
    from click.testing import CliRunner

    from qcsync.cli import main

    emulator = emulator_factory(hard_delete=True)
    pid = emulator.add_project("Strategies/Old")
    emulator.add_project("Strategies/Keep")
    write_config(PRUNE)
    env = {
        "QC_USER_ID": emulator.user_id,
        "QC_API_TOKEN": emulator.token,
        "QC_API_URL": emulator.base_url,
        "NO_COLOR": "1",
    }
    runner = CliRunner()
    assert runner.invoke(main, ["plan", "-o", "plan.json"], env=env).exit_code == 0
    result = runner.invoke(main, ["apply", "plan.json"], env=env)
    assert result.exit_code == 0, result.output
    assert emulator.project(pid) is None
    replanned = runner.invoke(main, ["plan", "--detailed-exitcode"], env=env)
    assert replanned.exit_code == 0, replanned.output

"""The small things a new user meets in the first hour (issue 16), each read from stdout and
stderr apart: apply progress, an empty saved plan, LIVE in what is left alone, `import` marks and
its editor comment, `init`, and file-name completion."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.shell_completion import ShellComplete

from qcsync.cli import main
from qcsync.config import schema_text

from .conftest import Run, api
from .test_reconcile import STRATEGIES, assert_converged, write_endpoints


def test_apply_progress_counts_changes_with_the_elapsed_time(
    qcsync: Run, write_config: Callable[..., Path]
) -> None:
    write_config(STRATEGIES)
    result = qcsync("apply", "--auto-approve", "--parallelism", "1")
    assert result.exit_code == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    # One line per project created: Momentum's node selection is part of its create.
    assert len(progress) == 3
    for n, line in enumerate(progress, start=1):
        assert re.match(rf"\[{n}/3 \d+\.\d+s\] \+ create Strategies/\w+: created \(id ", line)
    assert "node selection set" in progress[1]
    assert "[1/3" not in result.stdout  # progress is a diagnostic
    assert_converged(qcsync)


def test_the_apply_report_ends_with_the_backup_folder(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    emulator.add_project("Strategies/Old")
    write_config(STRATEGIES + "  - name: Strategies/Extra\n")
    result = qcsync("apply", "--auto-approve", "--force")
    assert result.exit_code == 0, result.stderr
    assert re.search(r"\[5/5 \d+\.\d+s\] - delete Strategies/Old: ", result.stderr)
    assert result.stdout.rstrip().splitlines()[-1].startswith("Backups: .qcsync/backups/")


def test_applying_a_saved_plan_with_nothing_to_do_says_no_changes(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(STRATEGIES)
    assert qcsync("apply", "--auto-approve").exit_code == 0
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    emulator.clear_log()
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "No changes. 3 projects unchanged.\n"
    assert write_endpoints(emulator) == []


def test_a_live_project_left_alone_is_marked_live(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    bot = emulator.add_project("Strategies/Bot", code_running=True)
    write_config("version: 1\nscope: [Strategies/]\nprojects: []\n")
    result = qcsync("plan")
    assert result.exit_code == 0, result.stderr
    left_alone = result.stdout.split("Left alone:\n")[1].splitlines()[0]
    assert left_alone == (
        f"  in scope Strategies/, not declared, prune is off: Strategies/Bot (id {bot}) [LIVE]"
    )
    document = json.loads(qcsync("plan", "--format", "json").stdout)
    assert document["notes"][0]["live"] is True


def test_import_marks_live_projects_and_points_editors_at_the_schema(
    qcsync: Run, workdir: Path, emulator: Any
) -> None:
    emulator.add_project("Strategies/Bot", code_running=True)
    emulator.add_project("Strategies/Quiet")
    result = qcsync("import", "--prefix", "Strategies/", "-o", "qcsync.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Wrote qcsync.yaml and qcsync.schema.json" in result.stderr
    text = (workdir / "qcsync.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=qcsync.schema.json\n")
    lines = text.splitlines()
    bot = lines.index("- name: Strategies/Bot")
    assert lines[bot - 1].startswith("# LIVE: live trading is running")
    assert not lines[lines.index("- name: Strategies/Quiet") - 1].startswith("# LIVE")
    assert (workdir / "qcsync.schema.json").read_text(encoding="utf-8") == schema_text()
    assert qcsync("plan", "--detailed-exitcode").exit_code == 0


def test_init_writes_a_starter_config_and_its_schema(workdir: Path) -> None:
    from click.testing import CliRunner

    runner = CliRunner()
    env = {"QCSYNC_SANDBOX_STATE": str(workdir / "sandbox.json"), "QC_USER_ID": ""}
    result = runner.invoke(main, ["init"], env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Wrote qcsync.yaml and qcsync.schema.json (the schema its first line points editors at).",
        "Next: qcsync plan -f qcsync.yaml",
    ]
    text = (workdir / "qcsync.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=qcsync.schema.json\n")
    assert yaml.safe_load(text)["version"] == 1
    assert json.loads((workdir / "qcsync.schema.json").read_text(encoding="utf-8"))
    # The starter plans on the sandbox with one create, and nothing else in the account.
    planned = runner.invoke(main, ["plan", "--sandbox", "--detailed-exitcode"], env=env)
    assert planned.exit_code == 3, planned.stderr
    assert "Plan: 1 to create, 0 to update, 0 to delete" in planned.stdout
    again = runner.invoke(main, ["init"], env=env)
    assert again.exit_code == 2
    assert "qcsync.yaml exists; pass --force" in again.stderr


def test_init_import_writes_the_account_as_it_is(qcsync: Run, workdir: Path, emulator: Any) -> None:
    emulator.add_project("Strategies/Bot", code_running=True)
    result = qcsync("init", "--import", "--prefix", "Strategies/", "-o", "conf/qcsync.yaml")
    assert result.exit_code == 1  # conf/ does not exist: one line, nothing half-written
    assert result.stderr.startswith("Error: cannot write conf/qcsync.yaml")
    (workdir / "conf").mkdir()
    result = qcsync("init", "--import", "--prefix", "Strategies/", "-o", "conf/qcsync.yaml")
    assert result.exit_code == 0, result.stderr
    text = (workdir / "conf" / "qcsync.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=qcsync.schema.json\n")
    assert "# LIVE: live trading is running" in text
    assert (workdir / "conf" / "qcsync.schema.json").is_file()
    assert qcsync("plan", "-f", "conf/qcsync.yaml", "--detailed-exitcode").exit_code == 0


def complete(args: list[str], incomplete: str) -> list[tuple[str, str]]:
    completion = ShellComplete(main, {}, "qcsync", "_QCSYNC_COMPLETE")
    return [(c.type, c.value) for c in completion.get_completions(args, incomplete)]


def test_file_options_and_planfile_complete_file_names() -> None:
    # click hands file completion to the shell: the item says "file".
    for args in (["plan", "-f"], ["validate", "-f"], ["apply", "-f"], ["plan", "-o"]):
        assert complete(args, "qcs") == [("file", "qcs")], args
    assert complete(["apply"], "pla") == [("file", "pla")]
    assert complete(["show"], "pla") == [("file", "pla")]


def test_plan_compact_and_what_a_delete_takes_away(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    gone = emulator.add_project(
        "Strategies/Gone",
        "C#",
        description="Old carry",
        files={"Main.cs": "// main", "Util.cs": "// util"},
    )
    write_config(
        """
        version: 1
        scope: [Strategies/]
        prune: true
        limits: {max_delete_fraction: 1}
        projects:
          - name: Strategies/New
        """
    )
    full = qcsync("plan")
    assert full.exit_code == 0, full.stderr
    with api(emulator) as client:
        files = len(client.read_files(gone))
    holds = next(line for line in full.stdout.splitlines() if "holds:" in line).strip()
    assert holds == f'holds: C#, {files} files, description "Old carry"'
    compact = qcsync("plan", "--compact")
    assert compact.exit_code == 0, compact.stderr
    assert compact.stderr == ""
    lines = compact.stdout.splitlines()
    assert lines[:2] == [
        "  + create Strategies/New (new)",
        f"  - delete Strategies/Gone (id {gone}): {holds.removeprefix('holds: ')}",
    ]
    assert "By folder:" in lines
    assert "  Strategies/: 1 to create, 1 to delete" in lines
    assert lines[-1] == "Plan: 1 to create, 0 to update, 1 to delete, 0 unchanged."

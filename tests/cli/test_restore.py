"""`qcsync restore`: from the Recycle Bin (same id) or recreated from the backup (issue 9, 11)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qcsync.emulator import Fault

from .conftest import Run
from .test_reconcile import write_endpoints
from .test_safety import read_files

FILES = {
    "main.py": "# momentum\nprint('héllo ✓')\r\nX = 1\n",
    "lib/signals.py": "SIGNAL = 2\n",
    "empty.py": "",
}
PRUNE = """
version: 1
scope: ["Strategies/"]
prune: true
limits: {max_delete_fraction: 1}
projects: []
"""


def delete_by_prune(
    qcsync: Run | Callable[..., Any],
    write_config: Callable[..., Path],
    emulator: Any,
    workdir: Path,
) -> tuple[int, Path]:
    """A project with content, deleted by a prune apply; its id and its backup."""
    pid = emulator.add_project("Strategies/Old", language="C#", description="keep me", files=FILES)
    node = emulator.store.read_organization_nodes(None)["backtest"][1]["id"]
    emulator.store.update_project_nodes(pid, [node])
    write_config(PRUNE)
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stdout + result.stderr
    [backup] = (workdir / ".qcsync" / "backups").glob("*/*.json")
    return pid, backup


def named(emulator: Any, name: str) -> list[dict[str, Any]]:
    return [p for p in emulator.projects() if p["name"] == name]


def test_restore_from_the_bin_keeps_the_id_and_files(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    assert emulator.project(pid)["name"] == "Recycle Bin/Strategies/Old"
    emulator.clear_log()
    result = qcsync("restore", str(backup))
    assert result.exit_code == 0, result.stderr
    assert f"from the Recycle Bin: project {pid}, same id" in result.stdout
    assert emulator.project(pid)["name"] == "Strategies/Old"
    assert read_files(emulator, pid) == FILES
    assert write_endpoints(emulator) == ["projects/update"]  # one rename, nothing recreated
    assert len(named(emulator, "Strategies/Old")) == 1

    emulator.clear_log()
    again = qcsync("restore", str(backup))
    assert again.exit_code == 0, again.stderr
    assert "already restored" in again.stdout
    assert write_endpoints(emulator) == []


def test_restore_after_the_purge_recreates_byte_for_byte(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    before = json.loads(backup.read_text(encoding="utf-8"))
    emulator.advance_clock(days=31)
    assert emulator.project(pid) is None  # purged
    result = qcsync("restore", str(backup))
    assert result.exit_code == 0, result.stderr
    [again] = named(emulator, "Strategies/Old")
    assert again["projectId"] != pid
    assert f"as project {again['projectId']} from the backup (3 files)" in result.stdout
    assert (again["language"], again["description"]) == ("C#", "keep me")
    with_bytes = {n: c.encode("utf-8") for n, c in read_files(emulator, again["projectId"]).items()}
    assert with_bytes == {n: c.encode("utf-8") for n, c in FILES.items()}
    nodes = emulator.store.read_project_nodes(again["projectId"])
    active = [n["id"] for kind in nodes["nodes"].values() for n in kind if n["active"]]
    assert active == [n["id"] for n in before["nodes"]["active"]]

    emulator.clear_log()
    second = qcsync("restore", str(backup))
    assert second.exit_code == 0, second.stderr
    assert "already restored" in second.stdout
    assert write_endpoints(emulator) == []


def test_restore_on_the_old_service_recreates(
    emulator_factory: Any, write_config: Callable[..., Path], workdir: Path
) -> None:
    from click.testing import CliRunner

    from qcsync.cli import main

    emulator = emulator_factory(hard_delete=True)
    env = {
        "QC_USER_ID": emulator.user_id,
        "QC_API_TOKEN": emulator.token,
        "QC_API_URL": emulator.base_url,
        "NO_COLOR": "1",
    }

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, list(args), env=env)

    pid, backup = delete_by_prune(run, write_config, emulator, workdir)
    assert emulator.project(pid) is None
    result = run("restore", str(backup))
    assert result.exit_code == 0, result.output
    [again] = named(emulator, "Strategies/Old")
    assert read_files(emulator, again["projectId"]) == FILES


def test_a_recreate_broken_part_way_says_what_it_left_and_a_rerun_finishes_it(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.advance_clock(days=31)
    emulator.inject("files/create", Fault.business_error("File quota exceeded"))
    broken = qcsync("restore", str(backup))
    assert broken.exit_code == 1
    [half] = named(emulator, "Strategies/Old")
    pid = half["projectId"]
    assert "stopped part-way while writing its files" in broken.stderr
    assert f"created project 'Strategies/Old' (id {pid})" in broken.stderr
    assert "again to finish" in broken.stderr
    assert read_files(emulator, pid) != FILES  # the account matches the report: half done

    listed = qcsync("restore", "--list")
    assert "stopped part-way" in listed.stdout

    again = qcsync("restore", str(backup))
    assert again.exit_code == 0, again.stderr
    assert "finished a restore that had stopped part-way" in again.stdout
    assert [p["projectId"] for p in named(emulator, "Strategies/Old")] == [pid]  # no second copy
    assert read_files(emulator, pid) == FILES


def test_a_bin_restore_broken_by_faults_leaves_it_in_the_bin_and_a_rerun_finishes(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.inject("projects/update", Fault.http_status(503), times=5)
    broken = qcsync("restore", str(backup))
    assert broken.exit_code == 1
    assert "nothing else was changed" in broken.stderr
    assert emulator.project(pid)["name"] == "Recycle Bin/Strategies/Old"
    again = qcsync("restore", str(backup))
    assert again.exit_code == 0, again.stderr
    assert emulator.project(pid)["name"] == "Strategies/Old"


def test_a_taken_name_is_refused_and_name_restores_from_the_bin_under_another(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.add_project("Strategies/Old")
    refused = qcsync("restore", str(backup))
    assert refused.exit_code == 1
    assert "--name" in refused.stderr
    assert emulator.project(pid)["name"] == "Recycle Bin/Strategies/Old"
    renamed = qcsync("restore", str(backup), "--name", "Strategies/Old restored")
    assert renamed.exit_code == 0, renamed.stderr
    assert emulator.project(pid)["name"] == "Strategies/Old restored"


@pytest.mark.parametrize(
    "name", ["Recycle Bin/Strategies/Old", "Strategies//Old", "Strategies/CON", "x\x1b[31m"]
)
def test_name_obeys_the_config_name_rules_before_any_request(
    qcsync: Run, emulator: Any, workdir: Path, name: str
) -> None:
    backup = workdir / "b.json"
    backup.write_text("{}", encoding="utf-8")
    emulator.clear_log()
    result = qcsync("restore", str(backup), "--name", name)
    assert result.exit_code == 2
    assert "'--name'" in result.stderr
    assert "\x1b" not in result.stderr
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["files"].append(dict(d["files"][0])), "listed twice"),
        (lambda d: d["project"].update(language="Java"), "project.language"),
        (lambda d: d["files"].append({"name": "../x.py", "content": "x"}), "relative file path"),
        (lambda d: d["project"].update(name="Recycle Bin/Strategies/Old"), "--name"),
        (lambda d: d["files"].append({"name": "big.py", "content": "x" * 262_145}), "bytes"),
    ],
    ids=["duplicate-file", "language", "path", "binned-name", "too-big"],
)
def test_the_whole_backup_is_checked_before_the_first_write(
    qcsync: Run,
    write_config: Callable[..., Path],
    emulator: Any,
    workdir: Path,
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.advance_clock(days=31)
    document = json.loads(backup.read_text(encoding="utf-8"))
    edit(document)
    backup.write_text(json.dumps(document), encoding="utf-8")
    emulator.clear_log()
    result = qcsync("restore", str(backup))
    assert result.exit_code == 1
    assert message in result.stderr
    assert str(backup) in result.stderr
    assert emulator.writes() == []


def test_a_backup_cannot_rename_another_binned_project(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    document = json.loads(backup.read_text(encoding="utf-8"))
    document["project"]["name"] = "Strategies/Something Else"
    backup.write_text(json.dumps(document), encoding="utf-8")
    emulator.clear_log()
    result = qcsync("restore", str(backup))
    assert result.exit_code == 1
    assert "not as the backup's" in result.stderr
    assert emulator.writes() == []


def test_list_shows_each_backup_and_where_its_project_is(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    (backup.parent / "broken.json").write_text("{", encoding="utf-8")
    listed = qcsync("restore", "--list")
    assert listed.exit_code == 0, listed.stderr
    where = str(backup.relative_to(workdir))
    line = next(line for line in listed.stdout.splitlines() if where in line)
    assert f"Strategies/Old (id {pid})" in line
    assert "in the Recycle Bin as 'Recycle Bin/Strategies/Old': restore renames it back" in line
    assert "broken.json: unreadable" in listed.stdout
    emulator.advance_clock(days=31)
    assert "purged or gone: restore recreates it" in qcsync("restore", "--list").stdout
    assert qcsync("restore", str(backup)).exit_code == 0
    assert "recreated as project" in qcsync("restore", "--list").stdout


def test_list_and_a_backup_are_exclusive_and_one_is_needed(qcsync: Run, workdir: Path) -> None:
    assert qcsync("restore").exit_code == 2
    assert qcsync("restore", "--list", "b.json").exit_code == 2
    assert "No backups" in qcsync("restore", "--list").stdout


def test_a_rerun_after_a_refused_create_does_not_take_over_a_project_made_since(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    """A create the service refused made nothing, so the journal must not let a later run
    adopt whatever project took the name meanwhile (and overwrite its files without backup)."""
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.advance_clock(days=31)
    emulator.inject("projects/create", Fault.business_error("Too many projects"))
    refused = qcsync("restore", str(backup))
    assert refused.exit_code == 1
    assert named(emulator, "Strategies/Old") == []
    theirs = emulator.add_project("Strategies/Old", files={"main.py": "# someone else's\n"})
    emulator.clear_log()
    again = qcsync("restore", str(backup))
    assert again.exit_code == 1, again.stdout + again.stderr
    assert f"already exists (id {theirs})" in again.stderr
    assert emulator.writes() == []
    assert read_files(emulator, theirs)["main.py"] == "# someone else's\n"


def test_a_journal_that_names_another_project_never_costs_its_files(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    """A journal is a file beside the backup, so it may name any project that holds the name
    (hand-made, or a create of unknown outcome whose name someone took since). Whatever a
    resumed restore overwrites or deletes is backed up first, and the restore says where."""
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.advance_clock(days=31)
    theirs = emulator.add_project(
        "Strategies/Old", description="theirs", files={"main.py": "# theirs\n", "t.py": "T\n"}
    )
    journal = backup.with_name(backup.name + ".restoring")
    journal.write_text(json.dumps({"name": "Strategies/Old", "project_id": None}), "utf-8")
    result = qcsync("restore", str(backup))
    assert result.exit_code == 0, result.stdout + result.stderr
    saved = [
        p
        for p in (workdir / ".qcsync" / "backups").glob("*/*.json")
        if p != backup and json.loads(p.read_text("utf-8"))["project"]["id"] == theirs
    ]
    assert len(saved) == 1, result.stderr
    document = json.loads(saved[0].read_text("utf-8"))
    assert {f["name"]: f["content"] for f in document["files"]} == {
        "main.py": "# theirs\n",
        "t.py": "T\n",
    }
    assert document["project"]["description"] == "theirs"
    assert f"backed up first to {saved[0].relative_to(workdir)}" in result.stderr
    assert read_files(emulator, theirs) == FILES


def test_a_hostile_section_is_one_escaped_line_naming_file_and_field(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    """Each aspect checks its own section of the backup (issue 12): a shape no backup has is
    refused before any write, in one line that names the file and the field."""
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.advance_clock(days=31)
    document = json.loads(backup.read_text(encoding="utf-8"))
    document["collaborators"] = [{"user": "\x1b]0;owned\x07mia", "write": 1, "live_control": 0}]
    backup.write_text(json.dumps(document), encoding="utf-8")
    emulator.clear_log()
    result = qcsync("restore", str(backup))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert str(backup) in line
    assert "collaborators[0].user" in line
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr
    assert emulator.writes() == []


def test_a_resumed_restore_into_a_shared_project_takes_the_lock_before_its_files(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    """Restore writes files through the files aspect, as apply does: a project with
    collaborators gets the collaboration lock first (the service refuses a file write without
    it), and the collaborator the backup lacks is removed once the files are written."""
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.advance_clock(days=31)
    theirs = emulator.add_project("Strategies/Old", language="C#", files={"main.py": "# t\n"})
    emulator.store.add_collaborator(theirs, "mia-ai", live_control=False, write=True)
    journal = backup.with_name(backup.name + ".restoring")
    journal.write_text(json.dumps({"name": "Strategies/Old", "project_id": theirs}), "utf-8")
    emulator.clear_log()
    result = qcsync("restore", str(backup))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "backed up first to" in result.stderr
    assert read_files(emulator, theirs) == FILES
    assert [
        c["publicId"] for c in emulator.project(theirs)["collaborators"] if not c["owner"]
    ] == []
    log = [r.endpoint for r in emulator.writes()]
    first_file_write = min(i for i, e in enumerate(log) if e.startswith("files/"))
    assert log.index("projects/collaboration/lock/acquire") < first_file_write


def test_a_backup_holding_the_token_is_refused_without_repeating_it(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    """A backup qcsync wrote has `***` for the token; a hand-made one that holds it would send
    it to QuantConnect as a description, a file or a parameter (the token rule)."""
    _, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    emulator.advance_clock(days=31)
    document = json.loads(backup.read_text(encoding="utf-8"))
    token = emulator.token
    document["project"]["description"] = f"see {token}"
    document["files"][0]["content"] = f"KEY = '{token}'\n"
    document["parameters"] = [{"key": "key", "value": token}]
    backup.write_text(json.dumps(document), encoding="utf-8")
    emulator.clear_log()
    result = qcsync("restore", str(backup))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {backup}: {field} contains the API token; not restored"
        for field in ("files[0].content", "parameters[0].value", "project.description")
    ]
    assert token not in result.stdout + result.stderr
    assert emulator.writes() == []

"""`restore` of attacker-shapeable backups: what a backup's sections name that the restored
project cannot have is left out with a warning before any content write, or refused before the
first request, never a restore stuck after its create at a plan error every rerun repeats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qcsync.backup import read_backup, take_backup
from qcsync.client import QCClient
from qcsync.emulator import Emulator, Fault
from qcsync.errors import BackupError
from qcsync.planner import plan
from qcsync.restore import How, RestoreError, restore
from qcsync.restorecheck import check_backup
from qcsync.state import read_live_state

from .test_restore_aspects import NOW, client, full_project, project_named

__all__ = ["client"]


@pytest.fixture(autouse=True)
def _backups_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a resumed restore backs up under .qcsync/backups/ of the cwd


def purged(emulator: Emulator, client: QCClient, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The backup of a full project, since purged (the emulator's last id so far)."""
    project, _, _ = full_project(emulator, client)
    path = take_backup(client, project, tmp_path, NOW)
    document = read_backup(path)
    client.delete_project(project.id)
    emulator.advance_clock(days=31)
    return path, document


def replans_to_nothing(client: QCClient, document: dict[str, Any], path: Path, pid: int) -> None:
    wanted = check_backup(document, None, str(path))
    live = read_live_state(client, wanted.desired(pid))
    assert plan(wanted.available(live).desired(pid), live).changes == ()


def test_a_backed_up_collaborator_who_owns_the_restored_project_is_left_out(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    """A teammate who was a collaborator restores the project: they own the new one."""
    path, document = purged(emulator, client, tmp_path)
    owner = next(c.public_id for c in client.list_projects()[0].collaborators if c.owner)
    document["collaborators"].insert(0, {"user": owner, "write": True, "live_control": True})
    result = restore(client, path, document)
    assert result.how is How.RECREATED
    assert result.warnings == (f"collaborator {owner!r} owns the restored project; not added.",)
    again = project_named(client, "S/Full")
    assert sorted(c.public_id for c in again.collaborators if not c.owner) == ["mia-ai"]
    replans_to_nothing(client, document, path, again.id)


def test_a_library_id_that_is_the_restored_project_itself_is_left_out(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    path, document = purged(emulator, client, tmp_path)
    document["project"]["name"] = "Library/Self"
    coming = document["project"]["id"] + 1  # the emulator's next id: ids are sequential
    document["libraries"].append(coming)
    result = restore(client, path, document)
    assert result.project.id == coming
    assert result.warnings == (
        f"library project {coming} is the restored project itself; not linked.",
    )
    again = project_named(client, "Library/Self")
    assert coming not in [link.project_id for link in again.libraries]
    assert len(again.libraries) == 1
    replans_to_nothing(client, document, path, again.id)


def test_a_parameter_with_an_empty_key_is_refused_before_the_first_request(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    """The service refuses it: it used to stop the restore after its create."""
    path, document = purged(emulator, client, tmp_path)
    document["parameters"].append({"key": " ", "value": "1"})
    emulator.clear_log()
    with pytest.raises(BackupError) as raised:
        restore(client, path, document)
    assert str(raised.value) == f"{path}: parameters[2]: the key is empty"
    assert emulator.requests == []


def test_a_restore_stopped_part_way_names_what_it_made_and_left_as_the_account_shows(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    path, document = purged(emulator, client, tmp_path)
    emulator.clear_log()
    emulator.inject("files/create", Fault.business_error("File quota exceeded"))
    with pytest.raises(RestoreError) as raised:
        restore(client, path, document)
    pid = project_named(client, "S/Full").id
    assert str(raised.value).splitlines()[1] == (
        f"it created project 'S/Full' (id {pid}); done: name and description, node selection; "
        "left: files (3 of 5 changes), parameters, library links, collaborators"
    )
    # The account: the new project's two default files deleted, the first create refused.
    files = [(r.endpoint, r.fault) for r in emulator.writes() if "files/" in r.endpoint]
    assert files == [("files/delete", ""), ("files/delete", ""), ("files/create", "business_error")]
    again = restore(client, path, document)
    assert (again.how, again.resumed, again.project.id) == (How.RECREATED, True, pid)
    replans_to_nothing(client, document, path, pid)


def test_a_journal_naming_a_project_running_live_writes_nothing_to_it(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    path, document = purged(emulator, client, tmp_path)
    victim = emulator.add_project("S/Full", files={"main.py": "LIVE = 1\n"}, code_running=True)
    journal = path.with_name(path.name + ".restoring")
    journal.write_text(json.dumps({"name": "S/Full", "project_id": victim}), encoding="utf-8")
    emulator.clear_log()
    with pytest.raises(RestoreError) as raised:
        restore(client, path, document)
    assert str(raised.value) == (
        f"project {victim} ('S/Full'), which the restore journal {journal} names, is running "
        "live trading: it is not one this restore created, and nothing was written to it; "
        "delete the journal and restore with --name"
    )
    assert emulator.writes() == []
    assert [f.content for f in client.read_files(victim)] == ["LIVE = 1\n"]

"""`qcsync restore X.files.json` goes through the files aspect (issue 12): the project's files
with the backup's laid over them are planned with the aspect's diff (equal but for line endings
is equal), written with its `execute` (the collaboration lock first in a shared project, the
text it overwrites saved first), and re-planned to nothing. It never deletes a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator
from qcsync.emulator.faults import Fault
from qcsync.errors import BackupError, QcsyncError
from qcsync.filebackup import FilesBackup, files_document, laid_over, read_files_backup
from qcsync.filebackup import restore_files as restore
from qcsync.model import DesiredProject, DesiredState, LocalFile, Location
from qcsync.planner import plan
from qcsync.state import read_live_state

WRITES = ("files/create", "files/update", "files/delete")
LOCK = "projects/collaboration/lock/acquire"


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(emulator.base_url, credentials, backoff=0.01, create_settle=0.0) as qc:
        yield qc


def cloud(emulator: Emulator, project_id: int) -> dict[str, str]:
    return {
        f["name"]: f["content"]
        for f in emulator.store.read_files(project_id)
        if not f.get("isLibrary")
    }


def backup_file(tmp_path: Path, project_id: int, name: str, files: dict[str, str]) -> Path:
    path = tmp_path / f"{project_id}-x.files.json"
    path.write_text(json.dumps(files_document(project_id, name, files)))
    return path


def sent(emulator: Emulator) -> list[tuple[str, str]]:
    return [
        (r.endpoint, str(r.params.get("name", "")))
        for r in emulator.requests
        if r.endpoint in (*WRITES, LOCK)
    ]


def assert_nothing_left(
    emulator: Emulator, client: QCClient, backup: FilesBackup, project_id: int
) -> None:
    """Re-plan the backup laid over the project as it is now: nothing left to do."""
    organization = emulator.preferred_organization_id
    project = next(p for p in client.list_projects() if p.id == project_id)
    where = Location("backup", 1, 1)
    entry = DesiredProject(project.name, where, id=project_id, written={"files": "backup"})
    live = read_live_state(client, DesiredState((entry,)), organization=organization)
    code = laid_over(tuple(LocalFile(n, c, "") for n, c in backup.files), project, live)
    entry = DesiredProject(project.name, where, id=project_id, written=entry.written, code=code)
    assert plan(DesiredState((entry,), organization=organization), live).changes == ()


def test_a_restore_backs_up_what_it_overwrites_and_replans_to_nothing(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    now = {"main.py": "print('newer')\n", "b.py": "B = 1\n", "keep.py": "K = 1\n"}
    pid = emulator.add_project("Code/Alpha", files=now)
    old = {"main.py": "print('old')\n", "gone.py": "G = 1\n", "b.py": "B = 1\r\n"}
    backup = read_files_backup(backup_file(tmp_path, pid, "Code/Alpha", old))
    emulator.clear_log()

    result = restore(client, backup, "b", backup_root=tmp_path / "backups")

    assert result.restored == ("gone.py", "main.py")
    assert result.unchanged == 1  # b.py differs in its line endings only, as a plan compares
    assert sent(emulator) == [("files/create", "gone.py"), ("files/update", "main.py")]
    assert cloud(emulator, pid) == {
        "main.py": "print('old')\n",
        "gone.py": "G = 1\n",
        "b.py": "B = 1\n",
        "keep.py": "K = 1\n",
    }
    # The newer text it overwrote is not lost: it is in a files backup of its own, which
    # restores it in turn.
    assert result.backup is not None
    assert result.backup.parent.parent == tmp_path / "backups"
    saved = read_files_backup(result.backup)
    assert saved.files == (("main.py", "print('newer')\n"),)
    assert_nothing_left(emulator, client, backup, pid)
    again = restore(client, saved, "s", backup_root=tmp_path / "backups")
    assert again.restored == ("main.py",)
    assert again.backup != result.backup
    assert cloud(emulator, pid)["main.py"] == "print('newer')\n"
    assert_nothing_left(emulator, client, saved, pid)


def test_a_restore_of_what_is_already_there_writes_nothing(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Alpha", files={"main.py": "X = 1\n"})
    backup = read_files_backup(backup_file(tmp_path, pid, "Code/Alpha", {"main.py": "X = 1\n"}))
    emulator.clear_log()
    result = restore(client, backup, "b", backup_root=tmp_path / "backups")
    assert (result.restored, result.unchanged, result.backup) == ((), 1, None)
    assert sent(emulator) == []
    assert not (tmp_path / "backups").exists()
    assert_nothing_left(emulator, client, backup, pid)


def test_an_emptied_file_comes_back_empty_after_its_text_is_saved(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Alpha", files={"main.py": "X = 1\n"})
    backup = read_files_backup(backup_file(tmp_path, pid, "Code/Alpha", {"main.py": ""}))
    result = restore(client, backup, "b", backup_root=tmp_path / "backups")
    assert result.restored == ("main.py",)
    assert cloud(emulator, pid) == {"main.py": ""}
    assert result.backup is not None
    assert read_files_backup(result.backup).files == (("main.py", "X = 1\n"),)
    assert_nothing_left(emulator, client, backup, pid)


def test_a_shared_project_is_locked_before_the_first_write(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Shared", files={"main.py": "new\n"})
    client.add_collaborator(pid, "mia-ai", write=True, live_control=False)
    backup = read_files_backup(
        backup_file(tmp_path, pid, "Code/Shared", {"main.py": "old\n", "a.py": "A\n"})
    )
    emulator.clear_log()
    restore(client, backup, "b", backup_root=tmp_path / "backups")
    assert sent(emulator) == [(LOCK, ""), ("files/create", "a.py"), ("files/update", "main.py")]
    assert_nothing_left(emulator, client, backup, pid)


def test_when_the_overwritten_text_cant_be_saved_nothing_is_overwritten(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Alpha", files={"main.py": "newer\n"})
    backup = read_files_backup(backup_file(tmp_path, pid, "Code/Alpha", {"main.py": "old\n"}))
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    with pytest.raises(QcsyncError, match=r"so main\.py was not overwritten; nothing was restored"):
        restore(client, backup, "b", backup_root=blocked)
    assert cloud(emulator, pid) == {"main.py": "newer\n"}


def test_a_write_that_fails_part_way_says_what_was_restored_and_where_the_backup_is(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Alpha", files={"b.py": "newer\n"})
    backup = read_files_backup(
        backup_file(tmp_path, pid, "Code/Alpha", {"a.py": "old\n", "b.py": "old\n"})
    )
    emulator.inject("files/update", Fault.business_error("File is locked"))
    with pytest.raises(QcsyncError) as stopped:
        restore(client, backup, "b", backup_root=tmp_path / "backups")
    message = str(stopped.value)
    assert "restoring b.py stopped the restore: " in message
    assert "File is locked" in message
    assert "restored before it: a.py" in message
    saved = next((tmp_path / "backups").glob("*/*.files.json"))
    assert f"backed up in {saved}" in message
    assert cloud(emulator, pid) == {"a.py": "old\n", "b.py": "newer\n"}
    assert read_files_backup(saved).files == (("b.py", "newer\n"),)
    result = restore(client, backup, "b", backup_root=tmp_path / "backups")
    assert (result.restored, result.unchanged) == (("b.py",), 1)
    assert_nothing_left(emulator, client, backup, pid)


def test_a_binned_or_missing_project_is_refused_before_any_write(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Alpha", files={"main.py": "newer\n"})
    backup = read_files_backup(backup_file(tmp_path, pid, "Code/Alpha", {"main.py": "old\n"}))
    client.delete_project(pid)
    emulator.clear_log()
    with pytest.raises(QcsyncError, match="is in the Recycle Bin: restore the project from"):
        restore(client, backup, "b", backup_root=tmp_path / "backups")
    missing = read_files_backup(backup_file(tmp_path, 999_999, "Gone", {"main.py": "old\n"}))
    with pytest.raises(QcsyncError, match=r"project 999999 \(Gone\) no longer exists"):
        restore(client, missing, "b", backup_root=tmp_path / "backups")
    assert sent(emulator) == []


@pytest.mark.parametrize("name", ["data.csv", "bin/x.py", "notes.txt"])
def test_a_backed_up_name_qcsync_does_not_manage_is_refused_on_reading(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(BackupError, match="is not a file qcsync manages"):
        read_files_backup(backup_file(tmp_path, 1, "P", {name: "x"}))

"""Two applies with the same clock (one second) keep both files backups, each in a run folder of
its own; `list_backups` shows them oldest run first and each restores its own text (backupdir.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qcsync.apply import Outcome, apply_plan
from qcsync.client import QCClient
from qcsync.config import load_config
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator
from qcsync.filebackup import read_files_backup, restore_files
from qcsync.model import DesiredState
from qcsync.planner import plan
from qcsync.restorelist import list_backups
from qcsync.state import read_live_state

NOW = datetime(2026, 12, 1, 12, 0, 0, 900_000, tzinfo=UTC)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(emulator.base_url, credentials, backoff=0.001, create_settle=0.0) as qc:
        yield qc


def desired(emulator: Emulator, tmp_path: Path, text: str) -> DesiredState:
    (tmp_path / "alpha").mkdir(exist_ok=True)
    (tmp_path / "alpha" / "main.py").write_text(text)
    (tmp_path / "alpha" / "research.ipynb").write_text("{}\n")
    path = tmp_path / "qcsync.yaml"
    path.write_text(
        f"version: 1\norganization: {emulator.preferred_organization_id}\n"
        "projects:\n  - {name: Code/Alpha, files: alpha}\n"
    )
    return load_config([path], {})


def main_py(emulator: Emulator, pid: int) -> str:
    return str(next(f["content"] for f in emulator.store.read_files(pid) if f["name"] == "main.py"))


def test_applies_in_one_second_each_keep_their_files_backup(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Alpha", files={"main.py": "v0\n", "research.ipynb": "{}\n"})
    root = tmp_path / "backups"
    for text in ("v1\n", "v2\n"):
        state = desired(emulator, tmp_path, text)
        report = apply_plan(
            client, plan(state, read_live_state(client, state)), now=NOW, backup_root=root
        )
        assert [r.outcome for r in report.results] == [Outcome.APPLIED]
        assert plan(state, read_live_state(client, state)).changes == ()
    name = f"{pid}-Code_Alpha.files.json"
    first, second = root / "20261201T120000Z" / name, root / "20261201T120000Z-1" / name
    assert [read_files_backup(p).files for p in (first, second)] == [
        (("main.py", "v0\n"),),
        (("main.py", "v1\n"),),
    ]
    assert [(b.path, b.project_id) for b in list_backups(client, root)] == [
        (first, pid),
        (second, pid),
    ]
    for backup, text in ((second, "v1\n"), (first, "v0\n")):
        restored = restore_files(client, read_files_backup(backup), "b", backup_root=root)
        assert restored.restored == ("main.py",)
        assert main_py(emulator, pid) == text
        assert restored.backup is not None
        assert restored.backup.parent.parent == root
        assert restored.backup.parent not in (first.parent, second.parent)
    assert [read_files_backup(p).files[0][1] for p in (first, second)] == ["v0\n", "v1\n"]

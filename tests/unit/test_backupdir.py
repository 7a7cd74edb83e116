"""Where backups go (backupdir.py): a run folder is claimed by the run that makes it, a backup's
name by the writer that creates it, so no backup ever replaces another; and the order
`restore --list` shows them in. Table-driven over what is already in the backup root."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from qcsync.backup import write_backup
from qcsync.backupdir import (
    RunFolder,
    backup_order,
    claim_run_directory,
    numbered,
    reserve_file,
    run_folder_name,
)
from qcsync.errors import BackupError

NOW = datetime(2026, 12, 2, 2, 10, 0, 999_999, tzinfo=UTC)
T = "20261202T021000Z"


@pytest.mark.parametrize(
    ("folders", "files", "claimed"),
    [
        ([], [], T),
        ([T], [], f"{T}-1"),
        ([T, f"{T}-1"], [], f"{T}-2"),
        ([T, f"{T}-1", f"{T}-2", f"{T}-3"], [], f"{T}-4"),
        ([f"{T}-1"], [], T),  # the base is free again (its folder was removed)
        ([], [T], f"{T}-1"),  # a file of that name is not a folder to write into
        (["20261202T020959Z", "20261202T021001Z"], [], T),  # other seconds are not in the way
    ],
)
def test_a_run_folder_is_new_and_its_own(
    tmp_path: Path, folders: list[str], files: list[str], claimed: str
) -> None:
    root = tmp_path / "backups"
    root.mkdir()
    for name in folders:
        (root / name).mkdir()
        (root / name / "1-kept.json").write_text("{}")
    for name in files:
        (root / name).write_text("kept")
    path = claim_run_directory(root, NOW)
    assert path == root / claimed
    assert list(path.iterdir()) == []
    assert all((root / n / "1-kept.json").read_text() == "{}" for n in folders)
    assert all((root / n).read_text() == "kept" for n in files)


def test_the_root_is_made_when_missing_and_the_name_is_the_utc_second(tmp_path: Path) -> None:
    elsewhere = NOW.astimezone(timezone(timedelta(hours=-5)))  # 21:10 the day before
    assert run_folder_name(elsewhere) == T
    assert claim_run_directory(tmp_path / "a" / "b", elsewhere) == tmp_path / "a" / "b" / T


@pytest.mark.parametrize(
    ("name", "n", "expected"),
    [
        (T, 0, T),
        (T, 1, f"{T}-1"),
        (T, 12, f"{T}-12"),
        ("5-A_b.json", 1, "5-A_b-1.json"),
        ("5-A_b.files.json", 2, "5-A_b-2.files.json"),
        ("5-A_b.files.json", 0, "5-A_b.files.json"),
    ],
)
def test_numbered_goes_before_the_extension(name: str, n: int, expected: str) -> None:
    assert numbered(name, n) == expected


def test_a_second_run_in_the_same_second_gets_its_own_folder_and_threads_share_theirs(
    tmp_path: Path,
) -> None:
    first, second = RunFolder(tmp_path, NOW), RunFolder(tmp_path, NOW)
    assert (first.path, list(tmp_path.iterdir())) == (None, [])  # nothing claimed until used
    claimed: list[Path] = []
    workers = [threading.Thread(target=lambda: claimed.append(first.claim())) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert claimed == [tmp_path / T] * 8
    assert second.claim() == tmp_path / f"{T}-1"
    assert (first.path, second.path) == (tmp_path / T, tmp_path / f"{T}-1")


def test_a_folder_that_cannot_be_made_is_a_backup_error(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    with pytest.raises(BackupError, match=r"^cannot make a backup folder under .*not-a-folder: "):
        RunFolder(blocked, NOW).claim()


@pytest.mark.parametrize(
    ("existing", "reserved"),
    [
        ([], "7-A_b.json"),
        (["7-A_b.json"], "7-A_b-1.json"),
        (["7-A_b.json", "7-A_b-1.json"], "7-A_b-2.json"),
        (["7-A_b.files.json"], "7-A_b.json"),  # a files backup is another name
    ],
)
def test_a_backup_name_is_reserved_exclusively(
    tmp_path: Path, existing: list[str], reserved: str
) -> None:
    for name in existing:
        (tmp_path / name).write_text("kept")
    assert reserve_file(tmp_path, "7-A_b.json") == tmp_path / reserved
    assert all((tmp_path / n).read_text() == "kept" for n in existing)


def read(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def test_write_backup_never_replaces_another_backup_only_its_own(tmp_path: Path) -> None:
    one, two = {"backup": 1}, {"backup": 2}
    first = write_backup(tmp_path, "5-A_b.json", one, read=read)
    second = write_backup(tmp_path, "5-A_b.json", two, read=read)
    assert (first.name, second.name) == ("5-A_b.json", "5-A_b-1.json")
    assert (read(first), read(second)) == (one, two)
    again = write_backup(tmp_path, first.name, {"backup": 3}, read=read, replace=True)
    assert (again, read(again), read(second)) == (first, {"backup": 3}, two)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["5-A_b-1.json", "5-A_b.json"]


def test_a_failed_write_leaves_neither_its_name_nor_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qcsync.backup.os.replace", full)
    with pytest.raises(BackupError, match=r"^cannot write backup .*: No space left on device$"):
        write_backup(tmp_path, "5-A_b.json", {"x": 1}, read=read)
    assert list(tmp_path.iterdir()) == []


def test_restore_list_order_is_oldest_run_first_numbered_after_its_base() -> None:
    listed = [
        f"{T}-10/1-a.json",
        f"{T}-2/1-a.json",
        f"{T}/2-b.json",
        f"{T}/1-a-1.json",
        "20261202T020959Z-1/9-z.json",
        f"{T}-1/1-a.files.json",
        f"{T}/1-a.json",
        "20261202T020959Z/9-z.json",
        "20261202T021001Z/0-0.json",
    ]
    assert sorted((Path(p) for p in listed), key=backup_order) == [
        Path(p)
        for p in (
            "20261202T020959Z/9-z.json",
            "20261202T020959Z-1/9-z.json",
            f"{T}/1-a.json",
            f"{T}/1-a-1.json",
            f"{T}/2-b.json",
            f"{T}-1/1-a.files.json",
            f"{T}-2/1-a.json",
            f"{T}-10/1-a.json",
            "20261202T021001Z/0-0.json",
        )
    ]

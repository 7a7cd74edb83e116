"""Runs in the same second keep each other's backups: every apply and restore that backs something
up claims a run folder of its own (`<UTC time>`, then `-1`, `-2`…), so a second run never
replaces the first one's backup, the only copy of what it overwrote or deleted (backupdir.py).
The clock backups are named by is frozen, so the runs share a second however fast the machine."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qcsync import backupdir

from .conftest import Run
from .test_files import cloud_files, tree
from .test_reconcile import assert_converged

FROZEN = datetime(2026, 12, 2, 2, 10, 0, 250_000, tzinfo=UTC)
SECOND = "20261202T021000Z"
NOTEBOOK = {"research.ipynb": "{}\n"}


def configured(emulator: Any, kept: str) -> str:
    return (
        "version: 1\n"
        f"organization: {emulator.preferred_organization_id}\n"
        'scope: ["Code/", "Old/"]\n'
        "prune: true\n"
        "limits: {max_delete_fraction: 1}\n"
        "projects:\n"
        "  - {name: Code/Alpha, files: alpha}\n"
        f"{kept}"
    )


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backupdir, "utc_now", lambda: FROZEN)


def test_two_applies_in_one_second_keep_both_backups_and_each_restores_its_own(
    qcsync: Run,
    write_config: Callable[..., Path],
    emulator: Any,
    workdir: Path,
    frozen: None,
) -> None:
    alpha = emulator.add_project("Code/Alpha", files={"main.py": "v0\n", **NOTEBOOK})
    # Two names that sanitize alike (Old_A_b): only the id tells their backups apart.
    slash = emulator.add_project("Old/A/b", files={"main.py": "slash\n", **NOTEBOOK})
    under = emulator.add_project("Old/A_b", files={"main.py": "underscore\n", **NOTEBOOK})
    root = workdir / ".qcsync" / "backups"

    tree(workdir / "alpha", {"main.py": "v1\n", **NOTEBOOK})
    write_config(configured(emulator, "  - {name: Old/A_b}\n"))
    first = qcsync("apply", "--auto-approve")
    assert first.exit_code == 0, first.stdout + first.stderr
    assert_converged(qcsync)
    tree(workdir / "alpha", {"main.py": "v2\n", **NOTEBOOK})
    write_config(configured(emulator, ""))
    second = qcsync("apply", "--auto-approve")
    assert second.exit_code == 0, second.stdout + second.stderr
    assert_converged(qcsync)
    assert f"Backups: {Path('.qcsync/backups') / SECOND}\n" in first.stdout
    assert f"Backups: {Path('.qcsync/backups') / f'{SECOND}-1'}\n" in second.stdout

    files_name = f"{alpha}-Code_Alpha.files.json"
    runs = {
        SECOND: sorted([files_name, f"{slash}-Old_A_b.json"]),
        f"{SECOND}-1": sorted([files_name, f"{under}-Old_A_b.json"]),
    }
    assert {p.name: sorted(c.name for c in p.iterdir()) for p in root.iterdir()} == runs
    saved = {
        run: json.loads((root / run / files_name).read_text(encoding="utf-8"))
        for run in (SECOND, f"{SECOND}-1")
    }
    assert [{f["name"]: f["content"] for f in saved[run]["files"]} for run in saved] == [
        {"main.py": "v0\n"},
        {"main.py": "v1\n"},
    ]
    for run, pid, text in ((SECOND, slash, "slash\n"), (f"{SECOND}-1", under, "underscore\n")):
        project = json.loads((root / run / f"{pid}-Old_A_b.json").read_text(encoding="utf-8"))
        assert project["project"]["id"] == pid
        assert {f["name"]: f["content"] for f in project["files"]}["main.py"] == text

    listed = qcsync("restore", "--list")
    assert listed.exit_code == 0, listed.stderr
    shown = [line.split(": ", 1)[0] for line in listed.stdout.splitlines()]
    assert shown == [
        str(Path(".qcsync/backups") / run / name) for run, names in runs.items() for name in names
    ]

    # Each files backup puts back its own text; what each restore overwrites goes into a run
    # folder of its own again (-2, -3), leaving both apply backups as they were.
    for n, (run, text, overwritten) in enumerate(
        ((SECOND, "v0\n", "v2\n"), (f"{SECOND}-1", "v1\n", "v0\n")), start=2
    ):
        restored = qcsync("restore", str(root / run / files_name))
        assert restored.exit_code == 0, restored.stdout + restored.stderr
        assert cloud_files(emulator, alpha)["main.py"] == text
        kept = Path(".qcsync/backups") / f"{SECOND}-{n}" / files_name
        assert f"What it overwrote is backed up in {kept}." in restored.stdout
        again = json.loads((workdir / kept).read_text(encoding="utf-8"))
        assert again["files"] == [{"name": "main.py", "content": overwritten}]
    assert [json.loads((root / r / files_name).read_text(encoding="utf-8")) for r in saved] == [
        saved[r] for r in saved
    ]

    # And each project backup brings back its own project, from the Recycle Bin (same id).
    for run, pid, name in ((SECOND, slash, "Old/A/b"), (f"{SECOND}-1", under, "Old/A_b")):
        back = qcsync("restore", str(root / run / f"{pid}-Old_A_b.json"))
        assert back.exit_code == 0, back.stdout + back.stderr
        assert emulator.project(pid)["name"] == name
    assert sorted(p.name for p in root.iterdir()) == [SECOND, *(f"{SECOND}-{n}" for n in (1, 2, 3))]

"""The files aspect end to end (issue 13): `files:` folders planned file by file, applied, backed
up and restored, through the CLI against the emulator. After every apply the test re-plans and
asserts there is nothing left to do, and compares the cloud's files with the folder byte for
byte."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qcsync.emulator.faults import Fault

from .conftest import Run
from .test_reconcile import assert_converged

FILE_WRITES = ("files/create", "files/update", "files/delete")


def tree(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def cloud_files(emulator: Any, project_id: int) -> dict[str, str]:
    return {
        f["name"]: f["content"]
        for f in emulator.store.read_files(project_id)
        if not f.get("isLibrary")
    }


def folder_files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes().decode()
        for p in folder.rglob("*")
        if p.is_file()
    }


def config(emulator: Any, entries: str, limits: str = "") -> str:
    head = f"version: 1\norganization: {emulator.preferred_organization_id}\n"
    return f"{head}{limits}projects:\n{entries}"


def file_writes(emulator: Any) -> list[tuple[str, str]]:
    return [
        (r.endpoint, str(r.params.get("name")))
        for r in emulator.requests
        if r.endpoint in FILE_WRITES
    ]


def sent(emulator: Any) -> Counter[str]:
    return Counter(r.endpoint for r in emulator.requests)


@pytest.fixture
def existing(emulator: Any) -> int:
    return int(
        emulator.add_project(
            "Code/Alpha",
            files={"main.py": "print('old')\n", "research.ipynb": "{}\n", "lib/gone.py": "x = 1\n"},
        )
    )


def test_create_update_delete_converge_byte_for_byte(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path, existing: int
) -> None:
    folder = tree(
        workdir / "alpha",
        {
            "main.py": "print('new')\r\n",  # a CRLF edit: uploaded as it is on disk
            "research.ipynb": "{}\n",  # unchanged
            "indicators/momentum.py": "def m():\n    return 1\n",
        },
    )
    write_config(config(emulator, "  - {name: Code/Alpha, files: alpha}\n"))
    plan = qcsync("plan", "--no-color")
    assert plan.exit_code == 0, plan.stderr
    assert "+ file indicators/momentum.py" in plan.stdout
    assert "~ file main.py" in plan.stdout
    assert "-print('old')" in plan.stdout
    assert "+print('new')" in plan.stdout
    assert "- file lib/gone.py" in plan.stdout
    assert "Changes by aspect: files 3." in plan.stdout
    emulator.clear_log()
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert sorted(file_writes(emulator)) == [
        ("files/create", "indicators/momentum.py"),
        ("files/delete", "lib/gone.py"),
        ("files/update", "main.py"),
    ]
    assert cloud_files(emulator, existing) == folder_files(folder)
    assert_converged(qcsync)


def test_a_new_project_gets_exactly_its_folder(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    folder = tree(workdir / "beta", {"main.py": "# beta\n", "alpha/x.py": "x = 2\n"})
    # The default research.ipynb the folder lacks is removed without counting as a delete.
    write_config(
        config(emulator, "  - {name: Code/Beta, files: beta}\n", "limits: {max_file_deletes: 0}\n")
    )
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    project = next(p for p in emulator.projects() if p["name"] == "Code/Beta")
    assert cloud_files(emulator, project["projectId"]) == folder_files(folder)
    assert_converged(qcsync)


def test_skipped_folders_extensions_and_exclude(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid = emulator.add_project(
        "Code/Gamma", files={"main.py": "1\n", "scratch/keep.py": "cloud only\n"}
    )
    tree(
        workdir / "gamma",
        {
            "main.py": "1\n",
            "config.json": "{}",
            "backtests/2024/main.py": "old run",
            "__pycache__/main.py": "cached",
            ".git/hook.py": "hook",
            "bin/x.cs": "bin",
            "scratch/local.py": "local scratch",
            "util_test.py": "test",
            "page.html": "<p>",
        },
    )
    entry = "  - name: Code/Gamma\n    files: {path: gamma, exclude: ['scratch/', '*_test.py']}\n"
    write_config(config(emulator, entry))
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    # Uploaded: only page.html; the excluded cloud file is unmanaged, so it stays.
    assert cloud_files(emulator, pid) == {
        "main.py": "1\n",
        "page.html": "<p>",
        "scratch/keep.py": "cloud only\n",
    }
    assert_converged(qcsync)


def test_a_crlf_checkout_of_lf_cloud_files_plans_nothing(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    emulator.add_project("Code/Delta", files={"main.py": "a\nb\n", "lib/u.py": "c\n"})
    tree(workdir / "delta", {"main.py": b"a\r\nb\r\n", "lib/u.py": b"c\r\n"})
    write_config(config(emulator, "  - {name: Code/Delta, files: delta}\n"))
    assert_converged(qcsync)


def test_library_files_are_never_touched(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    library = emulator.add_project("Library/Risk", files={"risk.py": "R = 1\n"})
    pid = emulator.add_project("Code/Eps", files={"main.py": "1\n"})
    emulator.store.link_library(pid, library)
    assert "Library/Risk/risk.py" in {f["name"] for f in emulator.store.read_files(pid)}
    tree(workdir / "eps", {"main.py": "2\n"})
    write_config(config(emulator, "  - {name: Code/Eps, files: eps}\n"))
    emulator.clear_log()
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert file_writes(emulator) == [("files/update", "main.py")]
    assert cloud_files(emulator, library) == {"risk.py": "R = 1\n"}
    assert_converged(qcsync)


def test_an_encrypted_project_is_refused(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid = emulator.add_project("Code/Secret")
    emulator.set_encrypted(pid)
    tree(workdir / "secret", {"main.py": "1\n"})
    write_config(config(emulator, "  - {name: Code/Secret, files: secret}\n"))
    emulator.clear_log()
    for command in (("plan",), ("apply", "--auto-approve")):
        result = qcsync(*command)
        assert result.exit_code == 1
        assert "is encrypted" in result.stderr
    assert emulator.writes() == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "does not exist"),
        ({"notes.txt": "x"}, "holds no file QuantConnect accepts"),
        ({"main.py": b"\xff\xfe"}, "main.py is not UTF-8 text"),
        ({"main.py": b"#" * 262_145}, "main.py is 262,145 bytes"),
    ],
)
def test_bad_folders_are_refused_before_any_write(
    qcsync: Run,
    write_config: Callable[..., Path],
    emulator: Any,
    workdir: Path,
    files: dict[str, bytes | str] | None,
    message: str,
) -> None:
    emulator.add_project("Code/Bad", files={"main.py": "1\n"})
    if files is not None:
        tree(workdir / "bad", files)
    write_config(config(emulator, "  - {name: Code/Bad, files: bad}\n"))
    emulator.clear_log()
    for command in (("validate",), ("plan",), ("apply", "--auto-approve")):
        result = qcsync(*command)
        assert result.exit_code == 1, (command, result.stdout, result.stderr)
        assert message in result.stderr
        assert "qcsync.yaml:" in result.stderr
    assert emulator.writes() == []


def test_a_file_over_the_accounts_quota_is_refused_before_any_write(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    emulator.set_tier(None, "free")  # 32 KB per file
    emulator.add_project("Code/Big", files={"main.py": "1\n"})
    tree(workdir / "big", {"main.py": "#" * 40_000})
    write_config(config(emulator, "  - {name: Code/Big, files: big}\n"))
    emulator.clear_log()
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "over this project's quota of 32,768 bytes" in result.stderr
    assert emulator.writes() == []


def test_max_file_deletes_blocks_plan_and_apply_until_force(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid = emulator.add_project(
        "Code/Many", files={"main.py": "1\n", "a.py": "a", "b.py": "b", "c.py": "c"}
    )
    folder = tree(workdir / "many", {"main.py": "1\n"})
    write_config(
        config(emulator, "  - {name: Code/Many, files: many}\n", "limits: {max_file_deletes: 2}\n")
    )
    emulator.clear_log()
    plan = qcsync("plan")
    assert plan.exit_code == 4
    assert "3 file deletes exceed limits.max_file_deletes=2" in plan.stdout + plan.stderr
    apply = qcsync("apply", "--auto-approve")
    assert apply.exit_code == 4
    assert emulator.writes() == []
    forced = qcsync("apply", "--auto-approve", "--force")
    assert forced.exit_code == 0, forced.stdout + forced.stderr
    assert cloud_files(emulator, pid) == folder_files(folder)
    assert_converged(qcsync)


def test_the_lock_is_acquired_before_writing_a_shared_projects_files(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid = emulator.add_project("Code/Shared", files={"main.py": "1\n", "x.py": "x\n"})
    emulator.add_user("mia-ai")
    emulator.store.add_collaborator(pid, "mia-ai", live_control=False, write=True)
    tree(workdir / "shared", {"main.py": "2\n", "y.py": "y\n"})
    write_config(config(emulator, "  - {name: Code/Shared, files: shared}\n"))
    emulator.clear_log()
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    endpoints = [r.endpoint for r in emulator.writes()]
    assert endpoints[0] == "projects/collaboration/lock/acquire"
    assert endpoints.count("projects/collaboration/lock/acquire") == 1
    assert sorted(endpoints[1:]) == ["files/create", "files/delete", "files/update"]
    assert_converged(qcsync)


def test_a_plan_that_adds_the_first_collaborator_locks_before_writing_files(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    # The plan reads Code/Team with no collaborator; its collaborator add and its file writes run
    # in one stage. The update is held back (slow) so the add lands first: from then on the
    # emulator refuses a file write without the lock, as the service does (qc-api.md 4.7).
    pid = emulator.add_project("Code/Team", files={"main.py": "1\n"})
    alone = emulator.add_project("Code/Alone", files={"main.py": "1\n"})
    emulator.add_user("mia-ai")
    tree(workdir / "team", {"main.py": "2\n", "extra.py": "x = 1\n"})
    tree(workdir / "alone", {"main.py": "2\n"})
    write_config(
        config(
            emulator,
            "  - name: Code/Team\n"
            "    files: team\n"
            "    collaborators: [{user: mia-ai, write: true}]\n"
            "  - {name: Code/Alone, files: alone}\n",
        )
    )
    emulator.inject("files/update", Fault.slow(1.5), times=2)
    emulator.clear_log()
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stdout + result.stderr
    log = [(r.endpoint, r.params.get("projectId")) for r in emulator.writes()]
    team = [endpoint for endpoint, project_id in log if project_id == pid]
    assert team.count("projects/collaboration/lock/acquire") == 1
    first_write = min(team.index(e) for e in FILE_WRITES if e in team)
    assert team.index("projects/collaboration/lock/acquire") < first_write
    assert team.index("projects/collaboration/create") < team.index("files/update")  # held back
    lock = emulator.store.lock_of(pid)
    assert lock is not None
    assert lock["ours"]
    assert lock["codeSourceId"] == "qcsync"
    assert ("projects/collaboration/lock/acquire", alone) not in log  # never shared: no lock
    assert emulator.store.lock_of(alone) is None
    assert cloud_files(emulator, pid) == folder_files(workdir / "team")
    assert_converged(qcsync)


def test_a_project_without_files_gets_no_files_read(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    emulator.add_project("Code/Plain")
    emulator.add_project("Code/Coded", files={"main.py": "1\n"})
    tree(workdir / "coded", {"main.py": "1\n"})
    write_config(
        config(
            emulator,
            "  - {name: Code/Plain, description: ''}\n  - {name: Code/Coded, files: coded}\n",
        )
    )
    emulator.clear_log()
    result = qcsync("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert sent(emulator) == {"projects/read": 1, "files/read": 1}
    coded = next(p["projectId"] for p in emulator.projects() if p["name"] == "Code/Coded")
    assert [r.params.get("projectId") for r in emulator.requests if r.endpoint == "files/read"] == [
        coded
    ]


# --- saved plans ------------------------------------------------------------------------------


def test_a_saved_file_plan_applies_exactly_its_changes(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path, existing: int
) -> None:
    folder = tree(workdir / "alpha", {"main.py": "print('new')\n", "research.ipynb": "{}\n"})
    write_config(config(emulator, "  - {name: Code/Alpha, files: alpha}\n"))
    saved = qcsync("plan", "-o", "plan.json")
    assert saved.exit_code == 0, saved.stderr
    document = json.loads((workdir / "plan.json").read_text())
    update = next(c for c in document["changes"] if c["key"] == "main.py")
    assert update["aspect"] == "files"
    assert update["action"] == "update"
    assert update["after"]["content"] == "print('new')\n"
    assert len(update["before"]["sha256"]) == 64
    assert len(update["after"]["sha256"]) == 64
    emulator.clear_log()
    applied = qcsync("apply", "plan.json")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert sorted(file_writes(emulator)) == [
        ("files/delete", "lib/gone.py"),
        ("files/update", "main.py"),
    ]
    assert cloud_files(emulator, existing) == folder_files(folder)
    assert_converged(qcsync)


@pytest.mark.parametrize("edit", ["local file", "plan", "config"])
def test_a_saved_file_plan_edited_since_is_refused(
    qcsync: Run,
    write_config: Callable[..., Path],
    emulator: Any,
    workdir: Path,
    existing: int,
    edit: str,
) -> None:
    tree(workdir / "alpha", {"main.py": "print('new')\n", "research.ipynb": "{}\n"})
    write_config(config(emulator, "  - {name: Code/Alpha, files: alpha}\n"))
    assert qcsync("plan", "-o", "plan.json").exit_code == 0
    if edit == "local file":
        (workdir / "alpha" / "main.py").write_text("print('edited after review')\n")
    elif edit == "plan":
        document = json.loads((workdir / "plan.json").read_text())
        for change in document["changes"]:
            if change["key"] == "main.py":
                change["after"]["content"] = "import os; os.system('evil')\n"
        (workdir / "plan.json").write_text(json.dumps(document))
    else:
        (workdir / "qcsync.yaml").write_text(
            (workdir / "qcsync.yaml").read_text().replace("files: alpha", "files: ./alpha")
        )
    emulator.clear_log()
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert emulator.writes() == []
    assert cloud_files(emulator, existing)["main.py"] == "print('old')\n"


# --- faults (the lost answers and 5xx: tests/integration/test_files_faults.py) -----------------


def test_a_file_write_that_keeps_failing_is_reported_failed(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path, existing: int
) -> None:
    tree(workdir / "alpha", {"main.py": "print('new')\n", "research.ipynb": "{}\n"})
    write_config(config(emulator, "  - {name: Code/Alpha, files: alpha}\n"))
    emulator.inject("files/update", Fault.business_error("File is locked"), times=5)
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 1
    assert "File is locked" in applied.stdout + applied.stderr
    assert cloud_files(emulator, existing)["main.py"] == "print('old')\n"


# --- backups and restore ----------------------------------------------------------------------


def test_overwritten_and_deleted_files_are_backed_up_and_restored_byte_for_byte(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path, existing: int
) -> None:
    before = cloud_files(emulator, existing)
    tree(workdir / "alpha", {"main.py": "print('new')\n", "research.ipynb": "{}\n"})
    write_config(config(emulator, "  - {name: Code/Alpha, files: alpha}\n"))
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    backups = list((workdir / ".qcsync" / "backups").glob("*/*.files.json"))
    assert len(backups) == 1
    # No project was deleted, yet the report names where the overwritten text went.
    assert f"Backups: {backups[0].parent.relative_to(workdir)}" in applied.stdout.splitlines()
    document = json.loads(backups[0].read_text())
    assert {f["name"]: f["content"] for f in document["files"]} == {
        "main.py": "print('old')\n",
        "lib/gone.py": "x = 1\n",
    }
    listed = qcsync("restore", "--list")
    assert listed.exit_code == 0, listed.stderr
    assert "2 file(s) overwritten or deleted by an apply" in listed.stdout
    restored = qcsync("restore", str(backups[0]))
    assert restored.exit_code == 0, restored.stdout + restored.stderr
    # It overwrote the apply's main.py, so that text is backed up first (a new run folder: the
    # apply's backup, maybe of this same second, is left as it was) and named.
    saved = next(
        p for p in (workdir / ".qcsync" / "backups").glob("*/*.files.json") if p != backups[0]
    )
    assert restored.stdout.splitlines() == [
        f"Restored 2 files of Code/Alpha (project {existing}) from the backup.",
        "  lib/gone.py",
        "  main.py",
        f"What it overwrote is backed up in {saved.relative_to(workdir)}.",
    ]
    assert json.loads(backups[0].read_text()) == document
    assert [(f["name"], f["content"]) for f in json.loads(saved.read_text())["files"]] == [
        ("main.py", "print('new')\n")
    ]
    assert cloud_files(emulator, existing) == before
    again = qcsync("restore", str(backups[0]))
    assert again.exit_code == 0, again.stderr
    assert again.stdout == (
        f"Restored 0 files of Code/Alpha (project {existing}) from the backup; "
        "2 already as backed up.\n"
    )


# --- import --files ---------------------------------------------------------------------------


def test_import_files_writes_a_workspace_and_the_next_plan_is_empty(
    qcsync: Run, emulator: Any, workdir: Path
) -> None:
    library = emulator.add_project("Library/Risk", files={"risk.py": "R = 1\n"})
    alpha = emulator.add_project(
        "Strategies/Alpha", files={"main.py": "a\r\n", "lib/util.py": "u\n", "research.ipynb": "{}"}
    )
    emulator.add_project("Strategies/Alpha/Nested", files={"main.py": "n\n"})
    emulator.store.link_library(alpha, library)
    (workdir / "cfg").mkdir()
    result = qcsync("import", "--prefix", "Strategies/", "-o", "cfg/qcsync.yaml", "--files", "code")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert folder_files(workdir / "code" / "Strategies" / "Alpha") == {
        "main.py": "a\r\n",
        "lib/util.py": "u\n",
        "research.ipynb": "{}",
        "Nested/main.py": "n\n",  # the nested project's folder, excluded from Alpha's files
    }
    text = (workdir / "cfg" / "qcsync.yaml").read_text()
    assert "files: ../code/Strategies/Alpha/Nested" in text
    assert "path: ../code/Strategies/Alpha" in text
    assert "Nested/" in text
    assert not (workdir / "code" / "Strategies" / "Alpha" / "Library").exists()
    emulator.clear_log()
    assert_converged(qcsync, "-f", "cfg/qcsync.yaml")
    assert sent(emulator)["files/read"] == 2
    again = qcsync("import", "--prefix", "Strategies/", "-o", "cfg/other.yaml", "--files", "code")
    assert again.exit_code == 1
    assert "not empty" in again.stderr


def test_import_without_files_reads_no_files(qcsync: Run, emulator: Any) -> None:
    emulator.add_project("Strategies/Alpha", files={"main.py": "a\n"})
    emulator.clear_log()
    result = qcsync("import", "--prefix", "Strategies/")
    assert result.exit_code == 0, result.stderr
    assert "files:" not in result.stdout
    assert sent(emulator)["files/read"] == 0


def test_a_markdown_plan_of_large_diffs_stays_under_the_comment_limit(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    entries = ""
    for i in range(12):
        emulator.add_project(
            f"Code/P{i}", files={"main.py": "".join(f"old {n}\n" for n in range(3000))}
        )
        tree(workdir / f"p{i}", {"main.py": "".join(f"new line {n}\n" for n in range(3000))})
        entries += f"  - {{name: Code/P{i}, files: p{i}}}\n"
    write_config(config(emulator, entries))
    result = qcsync("plan", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout) < 60_000
    assert "~ file main.py (+3000 -3000)" in result.stdout
    assert "more diff lines not shown (the plan file has them all)" in result.stdout
    text = qcsync("plan", "--no-color")
    assert "-old 0" in text.stdout
    assert "more diff lines not shown" in text.stdout


def test_a_no_op_plan_with_files_and_nodes_is_1_plus_2n_requests(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    entries = ""
    for i in range(6):
        emulator.add_project(f"Code/N{i}", files={"main.py": f"{i}\n"})
        tree(workdir / f"n{i}", {"main.py": f"{i}\r\n"})
        entries += f"  - {{name: Code/N{i}, files: n{i}, nodes: auto}}\n"
    write_config(config(emulator, entries))
    emulator.clear_log()
    result = qcsync("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert sent(emulator) == {"projects/read": 1, "projects/nodes/read": 6, "files/read": 6}


def test_a_renamed_project_keeps_its_files(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    pid = emulator.add_project("Code/Old", files={"main.py": "1\n", "util.py": "u\n"})
    folder = tree(workdir / "renamed", {"main.py": "2\n", "util.py": "u\n"})
    entry = "  - {name: Code/New, renamed_from: [Code/Old], files: renamed}\n"
    write_config(config(emulator, entry))
    emulator.clear_log()
    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert emulator.project(pid)["name"] == "Code/New"
    assert file_writes(emulator) == [("files/update", "main.py")]
    assert cloud_files(emulator, pid) == folder_files(folder)
    assert_converged(qcsync)


def test_a_files_backup_holding_the_token_is_refused_without_repeating_it(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path, existing: int
) -> None:
    """An apply saves the text it read, with `***` for the token; a hand-made files backup
    that holds it would send it to QuantConnect as a file (the token rule)."""
    tree(workdir / "alpha", {"main.py": "print('new')\n", "research.ipynb": "{}\n"})
    write_config(config(emulator, "  - {name: Code/Alpha, files: alpha}\n"))
    assert qcsync("apply", "--auto-approve").exit_code == 0
    [backup] = (workdir / ".qcsync" / "backups").glob("*/*.files.json")
    document = json.loads(backup.read_text())
    document["files"][0]["content"] = f"KEY = '{emulator.token}'\n"
    backup.write_text(json.dumps(document))
    name = document["files"][0]["name"]
    emulator.clear_log()
    result = qcsync("restore", str(backup))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {backup}: file {name!r} contains the API token; not restored"
    ]
    assert emulator.token not in result.stdout + result.stderr
    assert emulator.writes() == []

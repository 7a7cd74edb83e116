"""Ctrl-C sent to a real `qcsync restore` that is recreating a project (issue 11): it says what
it created and how to finish, exit 130, and running it again ends restored."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from qcsync.model import LiveProject
from tests.backups import backup_of
from tests.cli.ctrl_c import qcsync_command
from tests.emulator_fixtures import EmulatorFactory

from .test_interrupt import environment, run, wait_for
from .test_safety import read_files

FILES = {f"lib/m{i}.py": f"M = {i}\n" for i in range(12)}


def test_ctrl_c_during_a_recreate_says_what_it_left_and_a_rerun_finishes_it(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emulator = emulator_factory(latency_ms=150)
    project = LiveProject(
        id=99_999_999,  # purged: nowhere in the account
        name="Strategies/Back",
        organization_id=emulator.preferred_organization_id,
        language="Py",
        description="kept",
        modified=None,
    )
    document = backup_of(project, FILES, datetime(2026, 12, 1, tzinfo=UTC))
    (tmp_path / "b.json").write_text(json.dumps(document), encoding="utf-8")
    process = subprocess.Popen(
        qcsync_command("restore", "b.json"),
        cwd=tmp_path,
        env=environment(emulator, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: any(r.endpoint == "files/create" for r in emulator.writes()))
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout + stderr
    [made] = [p for p in emulator.projects() if p["name"] == "Strategies/Back"]
    assert f"created project 'Strategies/Back' (id {made['projectId']})" in stderr
    assert "run `qcsync restore b.json` again to finish it" in stderr
    assert run(emulator, tmp_path, "restore", "b.json") == 0
    assert [p["projectId"] for p in emulator.projects() if p["name"] == "Strategies/Back"] == [
        made["projectId"]
    ]
    assert read_files(emulator, made["projectId"]) == FILES

"""What a recreate leaves out, as `qcsync restore` prints it (issue 12): each aspect's
`available` gives the warning lines; the CLI prints them after "Warning: " on stderr, the
node and missing-library lines as they were before the aspects owned them. A library renamed
out of `Library/` is left out the same way instead of stopping the restore after its create."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import Run
from .test_restore import delete_by_prune, named


def test_left_out_nodes_and_libraries_are_warned_about_and_the_rest_restored(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, workdir: Path
) -> None:
    kept = emulator.add_project("Library/Kept")
    moved = emulator.add_project("Library/Moved")
    pid, backup = delete_by_prune(qcsync, write_config, emulator, workdir)
    document = json.loads(backup.read_text())
    document["nodes"]["active"].append({"id": "gone-node", "name": "Old", "sku": "B2-8"})
    document["libraries"] = [kept, 99_999_998, moved]
    backup.write_text(json.dumps(document))
    emulator.advance_clock(days=31)
    emulator.store.update_project(moved, name="Research/Moved")
    emulator.clear_log()

    restored = qcsync("restore", str(backup))

    assert restored.exit_code == 0, restored.stdout + restored.stderr
    assert restored.stderr.splitlines() == [
        "Warning: node Old (B2-8) gone-node no longer exists; not selected.",
        "Warning: library project 99999998 no longer exists; not linked.",
        f"Warning: library project {moved} is now 'Research/Moved', not under Library/; "
        "not linked.",
    ]
    [project] = named(emulator, "Strategies/Old")
    assert project["projectId"] != pid
    assert restored.stdout == (
        f"Restored Strategies/Old as project {project['projectId']} from the backup (3 files); "
        "the original was purged, so this is a new id.\n"
    )
    assert [link["projectId"] for link in project["libraries"]] == [kept]
    # Nothing left: the same restore again finds it restored and writes nothing.
    emulator.clear_log()
    again = qcsync("restore", str(backup))
    assert again.exit_code == 0, again.stderr
    assert "is already restored" in again.stdout
    assert emulator.writes() == []

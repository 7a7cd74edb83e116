"""`restore` under faults, compared with the account (issue 11): a recreate whose create is
slower than the settle time ends with one project, and the copy its resent create made is
removed and reported, as `apply` does for its own creates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from qcsync.emulator import Emulator, Fault
from qcsync.model import LiveProject
from qcsync.restore import How, restore
from tests.backups import backup_of

from .test_apply_faults import gone_or_binned, named, slow_client

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FILES = {"main.py": "X = 1\n", "lib/a.py": "A = 2\n"}


def purged_backup(emulator: Emulator, name: str) -> dict[str, object]:
    """The backup of a project that has since been purged (its id is nowhere)."""
    project = LiveProject(
        id=99_999_999,
        name=name,
        organization_id=emulator.preferred_organization_id,
        language="Py",
        description="kept",
        modified=None,
    )
    return backup_of(project, FILES, NOW)


def test_a_restore_whose_create_is_resent_removes_the_copy_it_made(
    emulator: Emulator, tmp_path: Path
) -> None:
    # As in test_apply_faults: sent at 0, given up at 0.2, looked for until 1.2, sent again;
    # the first lands at 1.6 as "S/Back 1" while the client still watches for copies.
    emulator.inject("projects/create", Fault.slow(seconds=1.6))
    backup = tmp_path / "b.json"
    with slow_client(emulator, settle=1.0) as client:
        result = restore(client, backup, purged_backup(emulator, "S/Back"))
    assert result.how is How.RECREATED
    creates = [r for r in emulator.writes() if r.endpoint == "projects/create"]
    assert len(creates) == 2
    [removal] = [r for r in emulator.writes() if r.endpoint == "projects/delete"]
    copy = int(removal.params["projectId"])
    assert copy != result.project.id
    assert gone_or_binned(emulator, copy)
    assert result.notes == (
        "the create's answer was lost and no read found the project, so it was sent again",
        f"removed the duplicate 'S/Back 1' (id {copy}) that qcsync's resent create made",
    )
    assert named(emulator, "S/Back") == ["S/Back"]
    assert emulator.project(result.project.id)["name"] == "S/Back"  # type: ignore[index]

"""A backup and its restore go through each aspect (issue 12): a project with files, nodes,
parameters, libraries and collaborators, backed up, deleted, purged and recreated, re-plans to
nothing against its own backup; a hostile section is refused before any request that writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qcsync.backup import read_backup, take_backup
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator
from qcsync.errors import BackupError
from qcsync.model import LiveProject, Parameter
from qcsync.planner import plan
from qcsync.restore import How, restore
from qcsync.restorecheck import check_backup
from qcsync.state import read_live_state

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FILES = {"main.py": "# kept\r\nX = 1\n", "lib/a.py": "A = 2\n", "empty.py": ""}


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(emulator.base_url, credentials, backoff=0.01, create_settle=0.0) as qc:
        yield qc


def project_named(client: QCClient, name: str) -> LiveProject:
    return next(p for p in client.list_projects() if p.name == name)


def full_project(emulator: Emulator, client: QCClient) -> tuple[LiveProject, int, str]:
    """A project holding something of every aspect; it, its library's id and its node."""
    library = emulator.add_project("Library/Kept")
    pid = emulator.add_project("S/Full", language="C#", description="keep me", files=FILES)
    node = str(emulator.store.read_organization_nodes(None)["backtest"][1]["id"])
    client.update_project_nodes(pid, [node])
    client.update_parameters(pid, [Parameter("lookback", "20"), Parameter("universe", "SPY")])
    client.link_library(pid, library)
    client.add_collaborator(pid, "mia-ai", write=True, live_control=False)
    return project_named(client, "S/Full"), library, node


def content(client: QCClient, project: LiveProject) -> tuple[Any, ...]:
    files = {f.name: f.content for f in client.read_files(project.id) if not f.is_library}
    nodes = client.read_project_nodes(project.id).selection
    return (
        project.language,
        project.description,
        files,
        nodes,
        project.parameters,
        [link.project_id for link in project.libraries],
        sorted(
            (c.public_id, c.write, c.live_control) for c in project.collaborators if not c.owner
        ),
    )


def test_a_purged_project_comes_back_whole_and_replans_to_nothing(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    project, library, node = full_project(emulator, client)
    before = content(client, project)
    path = take_backup(client, project, tmp_path, NOW)
    document = read_backup(path)
    assert set(document) == {
        "kind",
        "format_version",
        "taken_at",
        "project",
        "nodes",
        "files",
        "parameters",
        "libraries",
        "collaborators",
    }
    client.delete_project(project.id)
    emulator.advance_clock(days=31)
    assert emulator.project(project.id) is None

    result = restore(client, path, document)
    assert result.how is How.RECREATED
    assert (result.files, result.warnings) == (3, ())
    assert client.read_project_nodes(result.project.id).selection.active == {node}
    again = project_named(client, "S/Full")
    assert again.id == result.project.id != project.id
    assert content(client, again) == before
    assert [link.project_id for link in again.libraries] == [library]

    # The convergence check is the plan: the backup as an entry, against the restored project.
    desired = check_backup(document, None, str(path)).desired(again.id)
    live = read_live_state(client, desired)
    assert plan(desired, live).changes == ()

    emulator.clear_log()
    assert restore(client, path, document).how is How.ALREADY
    assert emulator.writes() == []


def test_nodes_and_libraries_the_organization_no_longer_has_are_left_out_and_named(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    project, library, _ = full_project(emulator, client)
    document = read_backup(take_backup(client, project, tmp_path, NOW))
    document["nodes"]["active"].append({"id": "gone-node", "name": "Old", "sku": "B2-8"})
    document["libraries"].append(99_999_998)
    client.delete_project(project.id)
    emulator.advance_clock(days=31)
    result = restore(client, tmp_path / "b.json", document)
    assert result.warnings == (
        "node Old (B2-8) gone-node no longer exists; not selected.",
        "library project 99999998 no longer exists; not linked.",
    )
    again = project_named(client, "S/Full")
    assert [link.project_id for link in again.libraries] == [library]


def test_a_library_no_longer_under_library_is_warned_about_and_not_linked(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    """It used to stop the restore with a plan error after the create; now it is left out
    like a library that is gone, before any write of the project's content."""
    project, library, _ = full_project(emulator, client)
    moved = emulator.add_project("Library/Moved")
    client.link_library(project.id, moved)
    project = project_named(client, "S/Full")
    document = read_backup(take_backup(client, project, tmp_path, NOW))
    assert document["libraries"] == [library, moved]
    client.delete_project(project.id)
    emulator.advance_clock(days=31)
    client.update_project(moved, name="Research/Moved")
    emulator.clear_log()
    result = restore(client, tmp_path / "b.json", document)
    assert result.how is How.RECREATED
    assert result.warnings == (
        f"library project {moved} is now 'Research/Moved', not under Library/; not linked.",
    )
    again = project_named(client, "S/Full")
    assert [link.project_id for link in again.libraries] == [library]
    linked = [r.params.get("libraryId") for r in emulator.writes() if "library" in r.endpoint]
    assert moved not in linked
    # The convergence check: the backup as each aspect can still have it, against the project.
    wanted = check_backup(document, None, "b.json")
    desired = wanted.desired(again.id)
    live = read_live_state(client, desired)
    assert plan(wanted.available(live).desired(again.id), live).changes == ()


@pytest.mark.parametrize(
    ("section", "value", "field"),
    [
        ("parameters", [{"key": "\x1b[2Jx", "value": 1}], "parameters[0]"),
        ("libraries", [True], "libraries[0]"),
        (
            "collaborators",
            [{"user": "mia-ai", "write": "yes", "live_control": 1}],
            "collaborators[0]",
        ),
        ("nodes", {"auto": False, "active": [{"id": ["N"]}]}, "nodes.active[0].id"),
        ("files", [{"name": "../../etc/passwd", "content": "x"}], "files[0]"),
        ("project", {"name": "S/Full", "organization_id": "a b"}, "project.organization_id"),
    ],
)
def test_a_hostile_section_is_one_line_naming_file_and_field_and_writes_nothing(
    emulator: Emulator, client: QCClient, tmp_path: Path, section: str, value: Any, field: str
) -> None:
    project, _, _ = full_project(emulator, client)
    path = take_backup(client, project, tmp_path, NOW)
    document = read_backup(path)
    if section == "project":
        document["project"]["organization_id"] = value
    else:
        document[section] = value
    client.delete_project(project.id)
    emulator.advance_clock(days=31)
    emulator.clear_log()
    with pytest.raises(BackupError) as raised:
        restore(client, path, document)
    [line] = str(raised.value).splitlines()
    assert line.startswith(f"{path}: {field}")
    assert emulator.requests == []  # checked whole before the first request

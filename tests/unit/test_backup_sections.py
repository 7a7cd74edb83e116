"""Each aspect's backup section: `backed_up` writes it, `from_backup` checks it (every problem,
naming the backup file and the field) and turns it into the entry fields that restore it.
Table-driven, pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from qcsync.aspects import aspect_named, registered
from qcsync.aspects.base import FromBackup
from qcsync.aspects.files import FilesRead
from qcsync.aspects.nodes import NodesRead
from qcsync.backup import backup_document
from qcsync.codefolder import sha256_text
from qcsync.errors import BackupError, QcsyncError
from qcsync.model import (
    Collaborator,
    LibraryLink,
    LiveProject,
    LiveState,
    LocalFile,
    Node,
    NodeSelection,
    Parameter,
    ProjectFile,
)
from qcsync.restorecheck import check_backup

WHERE = "b.json"
NODE = Node("N1", "Fast", "B4-12", "backtest")


def aspect(name: str) -> Any:
    found = aspect_named(name)
    assert found is not None
    return found


GOOD: list[tuple[str, Any, FromBackup]] = [
    ("project", {"name": "S/A", "description": "kept"}, FromBackup({"description": "kept"})),
    ("project", {"name": "S/A"}, FromBackup({"description": ""})),
    (
        "nodes",
        {"auto": False, "active": [{"id": "N1", "name": "Fast", "sku": "B4-12"}]},
        FromBackup({"nodes": ("N1",)}, labels={"N1": "Fast (B4-12) N1"}),
    ),
    ("nodes", {"auto": True, "active": []}, FromBackup({"nodes": ()})),
    (
        "nodes",
        {"auto": False, "active": [{"id": "N2"}]},
        FromBackup({"nodes": ("N2",)}, labels={"N2": "N2 () N2"}),
    ),
    (
        "files",
        [{"name": "main.py", "content": "X = 1\r\n"}, {"name": "e.py", "content": ""}],
        FromBackup(
            {
                "code": (
                    LocalFile("main.py", "X = 1\r\n", sha256_text("X = 1\r\n")),
                    LocalFile("e.py", "", sha256_text("")),
                )
            },
            {"files": WHERE},
        ),
    ),
    ("files", [], FromBackup({"code": ()}, {"files": WHERE})),
    (
        "parameters",
        [{"key": "a", "value": "1"}, {"key": "b", "value": "$x"}],
        FromBackup(written={"parameters": {"a": "1", "b": "$x"}}),
    ),
    ("parameters", None, FromBackup()),  # a backup made before parameters were kept
    ("libraries", [7, 9], FromBackup(written={"libraries": [7, 9]})),
    ("libraries", None, FromBackup()),
    (
        "collaborators",
        [{"user": "mia-ai", "write": True, "live_control": False}],
        FromBackup(
            written={"collaborators": [{"user": "mia-ai", "write": True, "live_control": False}]}
        ),
    ),
    ("collaborators", None, FromBackup()),
]


@pytest.mark.parametrize(("name", "section", "expected"), GOOD)
def test_a_good_section_becomes_the_entry_fields_that_restore_it(
    name: str, section: Any, expected: FromBackup
) -> None:
    assert aspect(name).from_backup(section, WHERE) == expected


BAD: list[tuple[str, Any, str]] = [
    ("project", "S/A", "b.json: project: expected an object"),
    ("project", {"description": 3}, "b.json: project.description must be a string"),
    ("nodes", None, "b.json: nodes: expected an object"),
    ("nodes", {"auto": "yes", "active": []}, "b.json: nodes: expected an object"),
    ("nodes", {"auto": False, "active": [{"id": 5}]}, "b.json: nodes.active[0].id:"),
    ("nodes", {"auto": False, "active": ["N1"]}, "b.json: nodes.active[0].id:"),
    ("nodes", {"auto": False, "active": [{"id": "N1", "name": []}]}, "nodes.active[0]: name"),
    ("files", None, "b.json: files: expected a list"),
    ("files", [{"name": "a.py"}], "b.json: files[0]: expected name and content strings"),
    ("files", [{"name": "../x.py", "content": ""}], "files[0] '../x.py': not a relative"),
    ("files", [{"name": "/x.py", "content": ""}], "not a relative file path"),
    ("files", [{"name": "a\x1b.py", "content": ""}], "control character"),
    ("files", [{"name": "a.py", "content": ""}] * 2, "files[1] 'a.py': listed twice"),
    ("files", [{"name": "a.py", "content": "x" * 262_145}], "over 262144 bytes"),
    ("parameters", {"a": "1"}, "b.json: parameters: expected a list"),
    ("parameters", [{"key": "a", "value": 1}], "b.json: parameters[0]: expected key and value"),
    ("parameters", [{"key": "a", "value": "1"}] * 2, "parameters[1] 'a': listed twice"),
    ("libraries", "7", "b.json: libraries: expected a list"),
    ("libraries", [True], "b.json: libraries[0]: expected a project id"),
    ("libraries", [0], "b.json: libraries[0]: expected a project id"),
    ("libraries", [7, 7], "b.json: libraries[1] 7: listed twice"),
    ("collaborators", {}, "b.json: collaborators: expected a list"),
    ("collaborators", ["mia-ai"], "b.json: collaborators[0]: expected an object"),
    ("collaborators", [{"user": "", "write": True, "live_control": True}], "[0].user"),
    ("collaborators", [{"user": "a\x1b", "write": 1, "live_control": 1}], "[0].user"),
    ("collaborators", [{"user": "mia-ai", "write": 1, "live_control": False}], "booleans"),
    (
        "collaborators",
        [{"user": "mia-ai", "write": True, "live_control": False}] * 2,
        "collaborators[1] 'mia-ai': listed twice",
    ),
]


@pytest.mark.parametrize(("name", "section", "message"), BAD)
def test_a_bad_section_is_a_problem_naming_the_file_and_the_field(
    name: str, section: Any, message: str
) -> None:
    found = aspect(name).from_backup(section, WHERE)
    assert found.fields == {}
    assert found.written == {}
    assert found.problems, found
    assert all(p.startswith(f"{WHERE}: ") for p in found.problems)
    assert any(message in p for p in found.problems), found.problems


PROJECT = LiveProject(
    7,
    "S/A",
    "org1",
    "C#",
    "kept",
    None,
    parameters=(Parameter("a", "1"),),
    libraries=(LibraryLink(9, "Library/L"),),
    collaborators=(Collaborator("me", True, True, owner=True), Collaborator("mia-ai", True, False)),
)
FILES = (ProjectFile("main.py", "X = 1\n"), ProjectFile("Library/L/l.py", "L", is_library=True))


def live_of(project: LiveProject) -> LiveState:
    reads = {
        "nodes": NodesRead(
            (NODE,), {project.id: NodeSelection(auto=False, active=frozenset({"N1"}))}
        ),
        "files": FilesRead({project.id: FILES}),
    }
    return LiveState(project.organization_id, (project,), reads)


def test_a_backup_is_each_aspects_section_in_format_1() -> None:
    document = backup_document(PROJECT, live_of(PROJECT), datetime(2026, 12, 1, tzinfo=UTC))
    assert document == {
        "kind": "qcsync-project-backup",
        "format_version": 1,
        "taken_at": "2026-12-01T00:00:00Z",
        "project": {
            "id": 7,
            "name": "S/A",
            "organization_id": "org1",
            "language": "C#",
            "description": "kept",
            "modified": None,
        },
        "nodes": {
            "auto": False,
            "active": [{"id": "N1", "name": "Fast", "sku": "B4-12", "kind": "backtest"}],
        },
        "files": [{"name": "main.py", "content": "X = 1\n"}],  # never a library's file
        "parameters": [{"key": "a", "value": "1"}],
        "libraries": [9],
        "collaborators": [{"user": "mia-ai", "write": True, "live_control": False}],  # no owner
    }


def test_each_section_read_back_asks_for_what_was_backed_up() -> None:
    document = backup_document(PROJECT, live_of(PROJECT), datetime(2026, 12, 1, tzinfo=UTC))
    entry = check_backup(document, None, WHERE).entry(42)
    assert (entry.name, entry.id, entry.description, entry.nodes) == ("S/A", 42, "kept", ("N1",))
    assert entry.language is None  # fixed at the create: restore's, not the entry's
    assert [f.name for f in entry.code or ()] == ["main.py"]
    assert entry.written == {
        "files": WHERE,
        "parameters": {"a": "1"},
        "libraries": [9],
        "collaborators": [{"user": "mia-ai", "write": True, "live_control": False}],
    }
    assert [a.name for a in registered()] == [
        "project",
        "nodes",
        "files",
        "parameters",
        "libraries",
        "collaborators",
    ]


def test_a_backup_whose_read_lacks_a_section_fails() -> None:
    live = LiveState("org1", (PROJECT,), {"files": FilesRead(unreadable={7: "encrypted"})})
    with pytest.raises(QcsyncError, match="node selection was not read"):
        backup_document(PROJECT, live, datetime(2026, 12, 1, tzinfo=UTC))
    reads = {**live_of(PROJECT).reads, "files": FilesRead(unreadable={7: "encrypted"})}
    with pytest.raises(QcsyncError, match="files/read failed: encrypted"):
        backup_document(PROJECT, LiveState("org1", (PROJECT,), reads), datetime.now(UTC))


def test_every_problem_of_every_section_is_listed_at_once() -> None:
    document = backup_document(PROJECT, live_of(PROJECT), datetime(2026, 12, 1, tzinfo=UTC))
    document["project"]["language"] = "Java"
    document["files"].append({"name": "../x.py", "content": ""})
    document["parameters"] = [{"key": "a"}]
    document["collaborators"] = "everyone"
    with pytest.raises(BackupError) as raised:
        check_backup(document, None, WHERE)
    lines = str(raised.value).splitlines()
    assert len(lines) == 4
    assert all(line.startswith("b.json: ") for line in lines)
    assert [line.split(": ")[1].split(" ")[0] for line in lines] == [
        "project.language",
        "files[1]",
        "parameters[0]",
        "collaborators",
    ]


# --- available: what the organization no longer has is left out, one warning each -------------

LIBRARY = LiveProject(7, "Library/Kept", "org", "Py", "", None)
RENAMED = LiveProject(8, "Research/Moved", "org", "Py", "", None)
BINNED = LiveProject(9, "Recycle Bin/Library/Old", "org", "Py", "", None)
CATALOG = LiveState("org", (LIBRARY, RENAMED, BINNED), {"nodes": NodesRead(catalog=(NODE,))})
LABELS = {"N1": "Fast (B4-12) N1", "N9": "Old (B2-8) N9"}

AVAILABLE = [
    ("project", FromBackup({"description": "d"}), FromBackup({"description": "d"})),
    ("nodes", FromBackup({"nodes": ()}), FromBackup({"nodes": ()})),
    ("nodes", FromBackup({"nodes": ("N1",)}, labels=LABELS), None),
    (
        "nodes",
        FromBackup({"nodes": ("N1", "N9")}, labels=LABELS),
        FromBackup(
            {"nodes": ("N1",)},
            labels=LABELS,
            warnings=("node Old (B2-8) N9 no longer exists; not selected.",),
        ),
    ),
    (
        "nodes",  # none left: `auto`
        FromBackup({"nodes": ("N9",)}),
        FromBackup({"nodes": ()}, warnings=("node N9 no longer exists; not selected.",)),
    ),
    ("libraries", FromBackup(), FromBackup()),
    ("libraries", FromBackup(written={"libraries": [7]}), None),
    (
        "libraries",
        FromBackup(written={"libraries": [8, 7, 9, 99]}),
        FromBackup(
            written={"libraries": [7]},
            warnings=(
                "library project 8 is now 'Research/Moved', not under Library/; not linked.",
                "library project 9 no longer exists; not linked.",
                "library project 99 no longer exists; not linked.",
            ),
        ),
    ),
    ("files", FromBackup({"code": ()}, {"files": WHERE}), None),
    ("parameters", FromBackup(written={"parameters": {"a": 1}}), None),
    ("collaborators", FromBackup(written={"collaborators": []}), None),
]


@pytest.mark.parametrize(("name", "restored", "expected"), AVAILABLE)
def test_available_leaves_out_what_the_organization_no_longer_has(
    name: str, restored: FromBackup, expected: FromBackup | None
) -> None:
    assert aspect(name).available(restored, CATALOG) == (expected or restored)


def test_a_section_is_kept_whole_when_its_catalogue_was_not_read() -> None:
    restored = FromBackup({"nodes": ("N9",)})
    assert aspect("nodes").available(restored, LiveState("org", ())) == restored

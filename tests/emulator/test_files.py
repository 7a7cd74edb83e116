"""files/create|read|update|delete (qc-api.md §4.8, §8.9)."""

from __future__ import annotations

import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok, refused
from tests.emulator_fixtures import EmulatorFactory


@pytest.fixture
def pid(emulator: Emulator) -> int:
    return int(create(emulator, "Files")["projectId"])


def _names(emulator: Emulator, pid: int) -> list[str]:
    return [f["name"] for f in ok(emulator, "files/read", json={"projectId": pid})["files"]]


def test_create_with_content_then_read_it_by_path(emulator: Emulator, pid: int) -> None:
    body = ok(
        emulator,
        "files/create",
        json={"projectId": pid, "name": "indicators/momentum.py", "content": "x = 1\n"},
    )
    assert body["files"][0]["name"] == "indicators/momentum.py"
    read = ok(emulator, "files/read", json={"projectId": pid, "name": "indicators/momentum.py"})
    file = read["files"][0]
    assert (file["content"], file["projectId"], file["isLibrary"]) == ("x = 1\n", pid, False)
    assert set(file) == {"id", "projectId", "name", "content", "modified", "open", "isLibrary"}


def test_create_without_content_makes_an_empty_file(emulator: Emulator, pid: int) -> None:
    ok(emulator, "files/create", json={"projectId": pid, "name": "empty.py"})
    read = ok(emulator, "files/read", json={"projectId": pid, "name": "empty.py"})
    assert read["files"][0]["content"] == ""


@pytest.mark.parametrize(
    "body",
    [
        {"name": "blank.py", "content": ""},
        {"name": "main.py", "content": "dup"},
        {"content": "nameless"},
    ],
    ids=["empty-content", "duplicate", "no-name"],
)
def test_create_refuses_invalid_files(emulator: Emulator, pid: int, body: dict[str, str]) -> None:
    refused(emulator, "files/create", json={"projectId": pid, **body})
    assert _names(emulator, pid) == ["main.py", "research.ipynb"]


def test_read_all_files(emulator: Emulator, pid: int) -> None:
    assert _names(emulator, pid) == ["main.py", "research.ipynb"]


def test_rename_with_new_name(emulator: Emulator, pid: int) -> None:
    ok(
        emulator,
        "files/update",
        json={"projectId": pid, "name": "main.py", "newName": "algo/main.py"},
    )
    assert _names(emulator, pid) == ["algo/main.py", "research.ipynb"]


def test_rename_onto_an_existing_file_is_refused(emulator: Emulator, pid: int) -> None:
    refused(
        emulator,
        "files/update",
        json={"projectId": pid, "name": "main.py", "newName": "research.ipynb"},
    )


def test_update_content(emulator: Emulator, pid: int) -> None:
    body = ok(
        emulator, "files/update", json={"projectId": pid, "name": "main.py", "content": "new\n"}
    )
    assert body["files"][0]["content"] == "new\n"
    read = ok(emulator, "files/read", json={"projectId": pid, "name": "main.py"})
    assert read["files"][0]["content"] == "new\n"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "main.py", "content": ""},
        {"name": "nope.py", "content": "x"},
        {"name": "nope.py", "newName": "other.py"},
        {"name": "main.py"},
    ],
    ids=["empty-content", "missing-file-content", "missing-file-rename", "nothing-to-do"],
)
def test_update_refuses_invalid_changes(emulator: Emulator, pid: int, body: dict[str, str]) -> None:
    refused(emulator, "files/update", json={"projectId": pid, **body})


def test_delete_both_default_files_leaves_none(emulator: Emulator, pid: int) -> None:
    ok(emulator, "files/delete", json={"projectId": pid, "name": "main.py"})
    ok(emulator, "files/delete", json={"projectId": pid, "name": "research.ipynb"})
    assert _names(emulator, pid) == []


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("files/read", {"name": "nope.py"}),
        ("files/delete", {"name": "nope.py"}),
        ("files/read", {"projectId": -1}),
        ("files/create", {"projectId": -1, "name": "a.py"}),
    ],
    ids=["read-missing", "delete-missing", "read-unknown-project", "create-unknown-project"],
)
def test_missing_files_and_projects_are_refused(
    emulator: Emulator, pid: int, endpoint: str, body: dict[str, object]
) -> None:
    refused(emulator, endpoint, json={"projectId": pid, **body})


def test_file_writes_bump_the_projects_modified(emulator_factory: EmulatorFactory) -> None:
    now = [1_750_000_000.0]
    emulator = emulator_factory(clock=lambda: now[0], max_age_seconds=10**10)
    project = create(emulator, "Bump")
    now[0] += 61
    ok(
        emulator,
        "files/create",
        json={"projectId": project["projectId"], "name": "b.py", "content": "b"},
    )
    after = emulator.project(project["projectId"])
    assert after is not None
    assert after["modified"] > project["modified"]

"""projects/create|read|update|delete (qc-api.md §4.1-§4.4, §8.5-§8.7)."""

from __future__ import annotations

import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok, refused
from tests.emulator_fixtures import EmulatorFactory

NOW = 1_750_000_000.0


@pytest.mark.parametrize(
    ("language", "files"),
    [("Py", ["main.py", "research.ipynb"]), ("C#", ["Main.cs", "Research.ipynb"])],
    ids=["python", "csharp"],
)
def test_a_new_project_has_the_languages_default_files(
    emulator: Emulator, language: str, files: list[str]
) -> None:
    project = create(emulator, "Defaults", language)
    body = ok(emulator, "files/read", json={"projectId": project["projectId"]})
    assert [f["name"] for f in body["files"]] == files


def test_a_new_project_selects_nodes_automatically(emulator: Emulator) -> None:
    project = create(emulator, "Auto")
    body = ok(emulator, "projects/nodes/read", json={"projectId": project["projectId"]})
    assert body["autoSelectNode"] is True
    assert not any(n["active"] for kind in body["nodes"].values() for n in kind)


def test_a_new_project_carries_every_project_field(emulator: Emulator) -> None:
    project = create(emulator, "Fields")
    assert set(project) >= {
        "projectId", "organizationId", "name", "modified", "created", "ownerId", "language",
        "collaborators", "leanVersionId", "leanPinnedToMaster", "owner", "description",
        "channelId", "parameters", "libraries", "grid", "liveGrid", "paperEquity",
        "lastLiveDeployment", "liveForm", "encrypted", "codeRunning", "leanEnvironment",
        "encryptionKey",
    }  # fmt: skip
    assert project["organizationId"] == emulator.preferred_organization_id
    assert project["ownerId"] == int(emulator.user_id)
    assert project["description"] == ""
    assert project["codeRunning"] is False


def test_a_duplicate_name_is_renamed_with_a_counter(emulator: Emulator) -> None:
    names = [create(emulator, "Strategies/Dup")["name"] for _ in range(3)]
    assert names == ["Strategies/Dup", "Strategies/Dup 1", "Strategies/Dup 2"]


def test_a_name_taken_only_in_another_organization_is_not_renamed(emulator: Emulator) -> None:
    other = create(emulator, "Shared Name", organizationId=emulator.other_organization_id)
    mine = create(emulator, "Shared Name")
    assert (other["name"], mine["name"]) == ("Shared Name", "Shared Name")
    assert other["organizationId"] == emulator.other_organization_id


@pytest.mark.parametrize(
    "body",
    [
        {"language": "Py"},
        {"name": "", "language": "Py"},
        {"name": "   ", "language": "Py"},
        {"name": "NoLanguage"},
        {"name": "Bad", "language": "Python"},
        {"name": "Org", "language": "Py", "organizationId": "0" * 32},
    ],
    ids=["no-name", "empty-name", "blank-name", "no-language", "bad-language", "unknown-org"],
)
def test_create_refuses_an_invalid_request(emulator: Emulator, body: dict[str, str]) -> None:
    before = len(emulator.projects())
    refused(emulator, "projects/create", json=body)
    assert len(emulator.projects()) == before


def test_create_accepts_names_looser_than_the_documented_rules(emulator: Emulator) -> None:
    assert create(emulator, "Odd: name (v2)!")["name"] == "Odd: name (v2)!"


def test_read_without_a_body_lists_projects_of_every_organization(emulator: Emulator) -> None:
    projects = ok(emulator, "projects/read")["projects"]
    organizations = {p["organizationId"] for p in projects}
    assert organizations == {emulator.preferred_organization_id, emulator.other_organization_id}


def test_read_ignores_unknown_keys_such_as_id(emulator: Emulator) -> None:
    project = create(emulator, "Ignored")
    body = ok(emulator, "projects/read", json={"id": project["projectId"]})
    assert len(body["projects"]) == len(emulator.projects()) > 1


def test_read_one_returns_that_project_and_lean_versions(emulator: Emulator) -> None:
    project = create(emulator, "One")
    body = ok(emulator, "projects/read", json={"projectId": project["projectId"]})
    assert body["projects"] == [project]
    assert body["versions"][0]["id"] == project["leanVersionId"]


@pytest.mark.parametrize("project_id", [-1, 1])
def test_read_of_an_unknown_project_is_refused(emulator: Emulator, project_id: int) -> None:
    refused(emulator, "projects/read", json={"projectId": project_id})


def test_read_pages_newest_first(emulator: Emulator) -> None:
    everything = ok(emulator, "projects/read")["projects"]
    ids = [p["projectId"] for p in everything]
    assert ids == sorted(ids, reverse=True)
    page = ok(emulator, "projects/read", json={"start": 1, "end": 3})["projects"]
    assert [p["projectId"] for p in page] == ids[1:3]
    tail = ok(emulator, "projects/read", json={"start": 2})["projects"]
    assert [p["projectId"] for p in tail] == ids[2:]


@pytest.mark.parametrize(
    ("start", "end"), [(1, 1), (1, 0), (-1, 2)], ids=["equal", "reversed", "negative"]
)
def test_read_refuses_an_empty_or_reversed_range(emulator: Emulator, start: int, end: int) -> None:
    refused(emulator, "projects/read", json={"start": start, "end": end})


def test_update_changes_only_the_fields_it_carries(emulator: Emulator) -> None:
    project = create(emulator, "Partial")
    pid = project["projectId"]
    ok(emulator, "projects/update", json={"projectId": pid, "description": "new text"})
    ok(emulator, "projects/update", json={"projectId": pid, "name": "Moved/Partial"})
    after = ok(emulator, "projects/read", json={"projectId": pid})["projects"][0]
    assert (after["name"], after["description"]) == ("Moved/Partial", "new text")
    assert after["language"] == project["language"]


def test_update_bumps_modified(emulator_factory: EmulatorFactory) -> None:
    now = [NOW]
    emulator = emulator_factory(clock=lambda: now[0], max_age_seconds=10**10)
    project = create(emulator, "Bump")
    now[0] += 65
    ok(emulator, "projects/update", json={"projectId": project["projectId"], "description": "x"})
    after = emulator.project(project["projectId"])
    assert after is not None
    assert after["modified"] > project["modified"]
    assert after["created"] == project["created"]


def test_a_rename_onto_a_taken_name_is_refused(emulator: Emulator) -> None:
    create(emulator, "Taken")
    project = create(emulator, "Free")
    refused(emulator, "projects/update", json={"projectId": project["projectId"], "name": "Taken"})
    assert emulator.project(project["projectId"])["name"] == "Free"  # type: ignore[index]


def test_a_rename_onto_its_own_name_is_accepted(emulator: Emulator) -> None:
    project = create(emulator, "Same")
    ok(emulator, "projects/update", json={"projectId": project["projectId"], "name": "Same"})


@pytest.mark.parametrize(
    "body",
    [{"name": "x"}, {"projectId": -1, "name": "x"}, {"projectId": "nope"}],
    ids=["no-id", "unknown-id", "bad-id"],
)
def test_update_refuses_a_missing_or_unknown_project(
    emulator: Emulator, body: dict[str, object]
) -> None:
    refused(emulator, "projects/update", json=body)


def test_a_hard_delete_removes_the_project_files_and_selection(
    emulator_factory: EmulatorFactory,
) -> None:
    emulator = emulator_factory(hard_delete=True)
    project = create(emulator, "Doomed")
    pid = project["projectId"]
    ok(emulator, "projects/delete", json={"projectId": pid})
    refused(emulator, "projects/read", json={"projectId": pid})
    refused(emulator, "files/read", json={"projectId": pid})
    refused(emulator, "projects/nodes/read", json={"projectId": pid})


@pytest.mark.parametrize("body", [{}, {"projectId": -1}], ids=["no-id", "unknown-id"])
def test_delete_of_an_unknown_project_is_refused(emulator: Emulator, body: dict[str, int]) -> None:
    before = len(emulator.projects())
    refused(emulator, "projects/delete", json=body)
    assert len(emulator.projects()) == before


def test_test_hooks_set_up_state_without_http(emulator: Emulator) -> None:
    pid = emulator.add_project("Hooked/Live", organization_id=emulator.other_organization_id,
                               description="d", files={"main.py": "pass\n"})  # fmt: skip
    emulator.set_code_running(pid, True)
    project = ok(emulator, "projects/read", json={"projectId": pid})["projects"][0]
    assert (project["codeRunning"], project["description"]) == (True, "d")
    files = ok(emulator, "files/read", json={"projectId": pid})["files"]
    assert [(f["name"], f["content"]) for f in files] == [("main.py", "pass\n")]
    assert emulator.writes() == []

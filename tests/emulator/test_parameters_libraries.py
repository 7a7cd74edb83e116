"""Project parameters and library links (qc-api.md §4.3, §4.10, §4.10a).

Parameters go through ``projects/update``: form-encoded as QuantConnect's CLI sends them
(``parameters[i][key]``/``[value]``, ``parameters=`` to clear) or JSON; they read back in
``Project.parameters`` as ``[{key, value}, ...]`` in the order sent. Library links go through
``projects/library/create|delete`` ``{projectId, libraryId}`` and read back in
``Project.libraries``; ``libraries[i]`` of ``projects/update`` replaces them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok, refused
from tests.openapi import response_validator


def _project(emulator: Emulator, pid: int) -> dict[str, Any]:
    project: dict[str, Any] = ok(emulator, "projects/read", json={"projectId": pid})["projects"][0]
    return project


def _form_parameters(pid: int, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    form = [("projectId", str(pid))]
    for i, (key, value) in enumerate(pairs):
        form += [(f"parameters[{i}][key]", key), (f"parameters[{i}][value]", value)]
    return form


# ---------------------------------------------------------------------------- parameters


def test_form_encoded_parameters_read_back_in_the_order_sent(
    emulator: Emulator, openapi_spec_path: Path
) -> None:
    pid = create(emulator, "Params")["projectId"]
    pairs = [("slow", "50"), ("fast", "10"), ("symbol", "SPY")]
    body = ok(emulator, "projects/update", data=_form_parameters(pid, pairs))
    assert body == {"success": True, "errors": []}
    project = _project(emulator, pid)
    assert project["parameters"] == [{"key": k, "value": v} for k, v in pairs]
    response_validator(openapi_spec_path, "projects/read")({"projects": [project], "success": True})
    log = [r for r in emulator.requests if r.endpoint == "projects/update"]
    assert log[-1].params["parameters"][0] == {"key": "slow", "value": "50"}


def test_an_empty_parameters_field_clears_them(emulator: Emulator) -> None:
    pid = create(emulator, "Params/Clear")["projectId"]
    ok(emulator, "projects/update", data=_form_parameters(pid, [("a", "1")]))
    ok(emulator, "projects/update", data={"projectId": str(pid), "parameters": ""})
    assert _project(emulator, pid)["parameters"] == []


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ([{"key": "a", "value": "1"}, {"key": "b", "value": "x"}], [("a", "1"), ("b", "x")]),
        ({"a": "1", "b": 2.5}, [("a", "1"), ("b", "2.5")]),
        ([{"key": "n", "value": 10}], [("n", "10")]),
        ([], []),
        ({}, []),
    ],
    ids=["json-list", "json-object", "json-number", "json-empty-list", "json-empty-object"],
)
def test_json_parameters_are_stored_as_strings(
    emulator: Emulator, sent: Any, stored: list[tuple[str, str]]
) -> None:
    pid = create(emulator, "Params/Json")["projectId"]
    ok(
        emulator,
        "projects/update",
        json={"projectId": pid, "parameters": [{"key": "old", "value": "x"}]},
    )
    ok(emulator, "projects/update", json={"projectId": pid, "parameters": sent})
    assert _project(emulator, pid)["parameters"] == [{"key": k, "value": v} for k, v in stored]


@pytest.mark.parametrize(
    "sent",
    [
        [{"key": "a", "value": True}],
        [{"key": "", "value": "1"}],
        [{"value": "1"}],
        [{"key": "a"}],
        [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}],
        "not-a-list",
        [{"key": "a", "value": {"nested": 1}}],
    ],
    ids=["bool", "empty-key", "no-key", "no-value", "duplicate", "string", "object-value"],
)
def test_bad_parameters_are_refused_and_change_nothing(emulator: Emulator, sent: Any) -> None:
    pid = create(emulator, "Params/Bad")["projectId"]
    ok(
        emulator,
        "projects/update",
        json={"projectId": pid, "parameters": [{"key": "k", "value": "v"}]},
    )
    before = _project(emulator, pid)
    refused(
        emulator, "projects/update", json={"projectId": pid, "name": "Renamed", "parameters": sent}
    )
    assert _project(emulator, pid) == before


def test_an_update_without_parameters_keeps_them_and_a_change_bumps_modified(
    emulator: Emulator,
) -> None:
    pid = create(emulator, "Params/Keep")["projectId"]
    before = _project(emulator, pid)["modified"]
    emulator.advance_clock(seconds=5)
    ok(emulator, "projects/update", data=_form_parameters(pid, [("a", "1")]))
    ok(emulator, "projects/update", json={"projectId": pid, "description": "d"})
    project = _project(emulator, pid)
    assert project["parameters"] == [{"key": "a", "value": "1"}]
    assert project["modified"] > before


# ----------------------------------------------------------------------------- libraries


@pytest.fixture
def ids(emulator: Emulator) -> dict[str, int]:
    return {
        "project": int(create(emulator, "Strategies/Alpha")["projectId"]),
        "library": int(create(emulator, "Library/Tools")["projectId"]),
        "other_library": int(create(emulator, "Library/Indicators")["projectId"]),
        "plain": int(create(emulator, "Strategies/Beta")["projectId"]),
        "foreign": int(
            create(emulator, "Library/Foreign", organizationId=emulator.other_organization_id)[
                "projectId"
            ]
        ),
    }


def _links(emulator: Emulator, pid: int) -> list[int]:
    return [lib["projectId"] for lib in _project(emulator, pid)["libraries"]]


def test_link_and_unlink_a_library(
    emulator: Emulator, ids: dict[str, int], openapi_spec_path: Path
) -> None:
    link = {"projectId": ids["project"], "libraryId": ids["library"]}
    assert ok(emulator, "projects/library/create", json=link) == {"success": True}
    project = _project(emulator, ids["project"])
    assert project["libraries"] == [
        {
            "projectId": ids["library"],
            "libraryName": "Library/Tools",
            "ownerName": "Emulator User",
            "access": True,
        }
    ]
    response_validator(openapi_spec_path, "projects/read")({"projects": [project], "success": True})
    ok(emulator, "projects/library/delete", json=link)
    assert _project(emulator, ids["project"])["libraries"] == []
    assert [w.endpoint for w in emulator.writes()][-2:] == [
        "projects/library/create",
        "projects/library/delete",
    ]


def test_links_are_kept_in_the_order_made_and_the_last_one_is_removable(
    emulator: Emulator, ids: dict[str, int]
) -> None:
    for library in ("other_library", "library"):
        ok(
            emulator,
            "projects/library/create",
            data={"projectId": ids["project"], "libraryId": ids[library]},
        )
    assert _links(emulator, ids["project"]) == [ids["other_library"], ids["library"]]
    for library in ("other_library", "library"):
        ok(
            emulator,
            "projects/library/delete",
            json={"projectId": ids["project"], "libraryId": ids[library]},
        )
    assert _links(emulator, ids["project"]) == []


@pytest.mark.parametrize(
    ("endpoint", "project", "library", "message"),
    [
        ("projects/library/create", -1, "library", "Project not found"),
        ("projects/library/create", "project", -1, "not found"),
        ("projects/library/create", "project", "plain", "Library/"),
        ("projects/library/create", "library", "library", "itself"),
        ("projects/library/create", "project", "foreign", "another organization"),
        ("projects/library/create", "project", "linked", "already linked"),
        ("projects/library/delete", "project", "other_library", "not linked"),
        ("projects/library/delete", -1, "library", "Project not found"),
        ("projects/library/create", "project", None, "libraryId"),
    ],
    ids=[
        "unknown-project",
        "unknown-library",
        "not-under-Library",
        "itself",
        "other-organization",
        "duplicate",
        "unlink-not-linked",
        "unlink-unknown-project",
        "no-library-id",
    ],
)
def test_link_failures_are_refused_and_change_nothing(
    emulator: Emulator,
    ids: dict[str, int],
    endpoint: str,
    project: int | str,
    library: int | str | None,
    message: str,
) -> None:
    ok(
        emulator,
        "projects/library/create",
        json={"projectId": ids["project"], "libraryId": ids["library"]},
    )
    pick = {**ids, "linked": ids["library"]}
    body: dict[str, Any] = {
        "projectId": pick[project] if isinstance(project, str) else project,
    }
    if library is not None:
        body["libraryId"] = pick[library] if isinstance(library, str) else library
    errors = refused(emulator, endpoint, json=body)
    assert message in errors[0]
    assert _links(emulator, ids["project"]) == [ids["library"]]
    assert _links(emulator, ids["library"]) == []


def test_projects_update_libraries_replaces_every_link(
    emulator: Emulator, ids: dict[str, int]
) -> None:
    form = [
        ("projectId", str(ids["project"])),
        ("libraries[0]", str(ids["library"])),
        ("libraries[1]", str(ids["other_library"])),
    ]
    ok(emulator, "projects/update", data=form)
    assert _links(emulator, ids["project"]) == [ids["library"], ids["other_library"]]
    refused(
        emulator,
        "projects/update",
        json={"projectId": ids["project"], "libraries": [ids["library"], ids["plain"]]},
    )
    assert _links(emulator, ids["project"]) == [ids["library"], ids["other_library"]]
    ok(emulator, "projects/update", json={"projectId": ids["project"], "libraries": []})
    assert _links(emulator, ids["project"]) == []


def test_a_link_follows_a_renamed_library_and_goes_with_a_purged_one(
    emulator: Emulator, ids: dict[str, int]
) -> None:
    link = {"projectId": ids["project"], "libraryId": ids["library"]}
    ok(emulator, "projects/library/create", json=link)
    ok(emulator, "projects/update", json={"projectId": ids["library"], "name": "Library/Kit"})
    assert _project(emulator, ids["project"])["libraries"][0]["libraryName"] == "Library/Kit"
    ok(emulator, "projects/delete", json={"projectId": ids["library"]})
    binned = _project(emulator, ids["project"])["libraries"][0]["libraryName"]
    assert binned == "Recycle Bin/Library/Kit"
    emulator.advance_clock(days=31)
    assert _project(emulator, ids["project"])["libraries"] == []


def test_links_and_parameters_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_path=state, token="t") as first:
        pid = create(first, "Persist/Content")["projectId"]
        library = create(first, "Library/Persisted")["projectId"]
        ok(first, "projects/library/create", json={"projectId": pid, "libraryId": library})
        ok(first, "projects/update", data=_form_parameters(pid, [("a", "1"), ("b", "2")]))
    with Emulator(state_path=state, token="t") as second:
        project = _project(second, pid)
        assert [lib["projectId"] for lib in project["libraries"]] == [library]
        assert project["parameters"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]


def test_a_seed_sets_parameters_libraries_and_collaborators(emulator_factory: Any) -> None:
    seed = {
        "users": [{"publicId": "mia-ai", "uid": 7, "name": "Mia"}],
        "organizations": [
            {
                "id": "a" * 32,
                "name": "Only",
                "preferred": True,
                "projects": [
                    {"name": "Library/Tools"},
                    {
                        "name": "Alpha",
                        "parameters": {"ema": "10"},
                        "libraries": ["Library/Tools"],
                        "collaborators": [{"publicId": "mia-ai", "write": False}],
                    },
                ],
            }
        ],
    }
    emulator = emulator_factory(seed=seed)
    alpha = next(p for p in emulator.projects() if p["name"] == "Alpha")
    assert alpha["parameters"] == [{"key": "ema", "value": "10"}]
    assert [lib["libraryName"] for lib in alpha["libraries"]] == ["Library/Tools"]
    assert [(c["publicId"], c["permission"], c["owner"]) for c in alpha["collaborators"]] == [
        ("emulator-user", "write", True),
        ("mia-ai", "read", False),
    ]


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ({"name": "A", "libraries": ["Library/Nope"]}, "not a seeded project"),
        ({"name": "A", "libraries": ["B"]}, "Library/"),
        ({"name": "A", "collaborators": [{"publicId": "ghost"}]}, "not a user"),
        ({"name": "A", "parameters": [{"key": ""}]}, "key"),
    ],
    ids=["unknown-library", "not-a-library", "unknown-user", "bad-parameter"],
)
def test_a_bad_seed_is_refused(project: dict[str, Any], message: str) -> None:
    seed = {
        "organizations": [
            {"id": "a" * 32, "name": "O", "projects": [{"name": "B"}, project]},
        ]
    }
    with pytest.raises(ValueError, match=message):
        Emulator(seed=seed)


def test_the_recycle_bin_keeps_parameters_links_and_collaborators(emulator: Emulator) -> None:
    pid = create(emulator, "Binned/Content")["projectId"]
    library = create(emulator, "Library/Kept")["projectId"]
    ok(emulator, "projects/update", data=_form_parameters(pid, [("a", "1")]))
    ok(emulator, "projects/library/create", json={"projectId": pid, "libraryId": library})
    ok(
        emulator,
        "projects/collaboration/create",
        json={
            "projectId": pid,
            "collaboratorUserId": "mia-ai",
            "collaborationLiveControl": False,
            "collaborationWrite": True,
        },
    )
    before = _project(emulator, pid)
    ok(emulator, "projects/delete", json={"projectId": pid})
    ok(emulator, "projects/update", json={"projectId": pid, "name": "Binned/Content"})
    after = _project(emulator, pid)
    for field in ("parameters", "libraries", "collaborators"):
        assert after[field] == before[field]
    assert [c["publicId"] for c in after["collaborators"]] == ["emulator-user", "mia-ai"]

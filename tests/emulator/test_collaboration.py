"""projects/collaboration/create|read|update|delete and the lock (qc-api.md §4.7, §9 #9).

The owner is in every list; ``collaborationWrite`` false means ``permission: "read"``;
an unknown user is ``success: false``; delete takes ``collaboratorId`` (SPEC) and tolerates
``collaboratorUserId`` (DOC-EX). File writes to a project with collaborators need the lock
(inferred rules: see qcsync/emulator/collaboration.py and projectfiles.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok, refused
from tests.openapi import request_validator, response_validator


@pytest.fixture
def pid(emulator: Emulator) -> int:
    return int(create(emulator, "Team/Shared")["projectId"])


def _add(emulator: Emulator, pid: int, user: str = "mia-ai", **flags: Any) -> dict[str, Any]:
    body = {
        "projectId": pid,
        "collaboratorUserId": user,
        "collaborationLiveControl": flags.get("live", False),
        "collaborationWrite": flags.get("write", True),
    }
    return ok(emulator, "projects/collaboration/create", json=body)


def _who(collaborators: list[dict[str, Any]]) -> list[tuple[str, str, bool, bool]]:
    return [(c["publicId"], c["permission"], c["liveControl"], c["owner"]) for c in collaborators]


def _read(emulator: Emulator, pid: int) -> list[tuple[str, str, bool, bool]]:
    body = ok(emulator, "projects/collaboration/read", json={"projectId": pid})
    return _who(body["collaborators"])


OWNER = ("emulator-user", "write", True, True)


def test_create_returns_the_owner_and_the_new_collaborator(
    emulator: Emulator, pid: int, openapi_spec_path: Path
) -> None:
    request = {
        "projectId": pid,
        "collaboratorUserId": "mia-ai",
        "collaborationLiveControl": True,
        "collaborationWrite": False,
    }
    request_validator(openapi_spec_path, "projects/collaboration/create")(request)
    body = ok(emulator, "projects/collaboration/create", json=request)
    response_validator(openapi_spec_path, "projects/collaboration/create")(body)
    assert _who(body["collaborators"]) == [OWNER, ("mia-ai", "read", True, False)]
    mia = body["collaborators"][1]
    assert (mia["uid"], mia["name"], mia["bio"]) == (226949, "Mia", "A bio")
    project = ok(emulator, "projects/read", json={"projectId": pid})["projects"][0]
    assert _who(project["collaborators"]) == _who(body["collaborators"])


def test_read_lists_everyone_with_the_callers_rights(
    emulator: Emulator, pid: int, openapi_spec_path: Path
) -> None:
    _add(emulator, pid, "johnny_walker")
    body = ok(emulator, "projects/collaboration/read", json={"projectId": pid})
    response_validator(openapi_spec_path, "projects/collaboration/read")(body)
    assert (body["userLiveControl"], body["userPermissions"]) == (True, "write")
    assert _who(body["collaborators"]) == [OWNER, ("johnny_walker", "write", False, False)]
    # An empty bio is a string, as the spec types it.
    assert body["collaborators"][1]["bio"] == ""


def test_update_changes_rights_and_keeps_what_it_omits(
    emulator: Emulator, pid: int, openapi_spec_path: Path
) -> None:
    _add(emulator, pid, write=True, live=False)
    request = {
        "projectId": pid,
        "collaboratorUserId": "mia-ai",
        "liveControl": True,
        "write": False,
    }
    request_validator(openapi_spec_path, "projects/collaboration/update")(request)
    body = ok(emulator, "projects/collaboration/update", json=request)
    response_validator(openapi_spec_path, "projects/collaboration/update")(body)
    assert _who(body["collaborators"]) == [OWNER, ("mia-ai", "read", True, False)]
    # DOC-EX omits write: the permission stays.
    ok(
        emulator,
        "projects/collaboration/update",
        json={"projectId": pid, "collaboratorUserId": "mia-ai", "liveControl": False},
    )
    assert _read(emulator, pid) == [OWNER, ("mia-ai", "read", False, False)]


@pytest.mark.parametrize("key", ["collaboratorId", "collaboratorUserId"])
def test_delete_by_either_key_leaves_the_owner(
    emulator: Emulator, pid: int, openapi_spec_path: Path, key: str
) -> None:
    _add(emulator, pid)
    _add(emulator, pid, "ada-quant")
    body = ok(emulator, "projects/collaboration/delete", json={"projectId": pid, key: "mia-ai"})
    response_validator(openapi_spec_path, "projects/collaboration/delete")(body)
    assert _who(body["collaborators"]) == [OWNER, ("ada-quant", "write", False, False)]
    ok(emulator, "projects/collaboration/delete", json={"projectId": pid, key: "ada-quant"})
    assert _read(emulator, pid) == [OWNER]
    if key == "collaboratorId":
        request_validator(openapi_spec_path, "projects/collaboration/delete")(
            {"projectId": pid, key: "mia-ai"}
        )


def test_form_encoded_booleans_are_understood(emulator: Emulator, pid: int) -> None:
    ok(
        emulator,
        "projects/collaboration/create",
        data={
            "projectId": str(pid),
            "collaboratorUserId": "mia-ai",
            "collaborationLiveControl": "true",
            "collaborationWrite": "false",
        },
    )
    assert _read(emulator, pid) == [OWNER, ("mia-ai", "read", True, False)]


@pytest.mark.parametrize(
    ("endpoint", "body", "message"),
    [
        ("create", {"collaboratorUserId": "nobody-here"}, "User not found"),
        ("create", {"collaboratorUserId": " "}, "collaboratorUserId"),
        ("create", {"projectId": -1}, "Project not found"),
        ("create", {"collaboratorUserId": "emulator-user"}, "owner"),
        ("create", {"collaboratorUserId": "johnny_walker"}, "already"),
        ("create", {"collaborationWrite": None}, "collaborationWrite"),
        ("create", {"collaborationLiveControl": "maybe"}, "collaborationLiveControl"),
        ("update", {"collaboratorUserId": "emulator-user"}, "owner"),
        ("update", {"collaboratorUserId": "ada-quant"}, "not a collaborator"),
        ("update", {"collaboratorUserId": "nobody-here"}, "User not found"),
        ("delete", {"collaboratorId": "emulator-user"}, "owner"),
        ("delete", {"collaboratorId": "ada-quant"}, "not a collaborator"),
        ("delete", {}, "collaboratorUserId"),
        ("read", {"projectId": -1}, "Project not found"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_collaboration_failures_are_refused_and_change_nothing(
    emulator: Emulator, pid: int, endpoint: str, body: dict[str, Any], message: str
) -> None:
    _add(emulator, pid, "johnny_walker")
    base: dict[str, Any] = {"projectId": pid}
    if endpoint == "create":
        base |= {
            "collaboratorUserId": "mia-ai",
            "collaborationLiveControl": False,
            "collaborationWrite": True,
        }
    if endpoint == "update":
        base |= {"liveControl": False, "write": False}
    request = {k: v for k, v in (base | body).items() if v is not None}
    errors = refused(emulator, f"projects/collaboration/{endpoint}", json=request)
    assert message in errors[0]
    assert _read(emulator, pid) == [OWNER, ("johnny_walker", "write", False, False)]


def test_collaborators_and_known_users_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_path=state, token="t") as first:
        pid = create(first, "Persist/Team")["projectId"]
        first.add_user("new-hire", uid=99, name="New Hire")
        _add(first, pid, "new-hire", live=True)
    with Emulator(state_path=state, token="t") as second:
        assert _read(second, pid) == [OWNER, ("new-hire", "write", True, False)]
        ok(
            second,
            "projects/collaboration/delete",
            json={"projectId": pid, "collaboratorId": "new-hire"},
        )
        _add(second, pid, "new-hire")  # still a known user


# ------------------------------------------------------------------------------- the lock


def _file_writes(pid: int) -> list[tuple[str, dict[str, Any]]]:
    patch = "--- a/main.py\n+++ b/main.py\n@@ -1 +1 @@\n-x = 2\n+x = 3\n"
    return [
        ("files/create", {"projectId": pid, "name": "a.py", "content": "a"}),
        ("files/update", {"projectId": pid, "name": "main.py", "content": "x = 2\n"}),
        ("files/patch", {"projectId": pid, "patch": patch}),
        ("files/update", {"projectId": pid, "name": "a.py", "newName": "b.py"}),
        ("files/delete", {"projectId": pid, "name": "b.py"}),
    ]


def test_a_project_without_collaborators_needs_no_lock(emulator: Emulator, pid: int) -> None:
    for endpoint, body in _file_writes(pid):
        ok(emulator, endpoint, json=body)


def test_file_writes_to_a_shared_project_need_the_lock(
    emulator: Emulator, pid: int, openapi_spec_path: Path
) -> None:
    _add(emulator, pid)
    for endpoint, body in _file_writes(pid):
        errors = refused(emulator, endpoint, json=body)
        assert "lock" in errors[0]
    ok(emulator, "files/read", json={"projectId": pid})  # reads never need it
    request = {"projectId": pid, "codeSourceId": "qcsync"}
    request_validator(openapi_spec_path, "projects/collaboration/lock/acquire")(request)
    body = ok(emulator, "projects/collaboration/lock/acquire", json=request)
    response_validator(openapi_spec_path, "projects/collaboration/lock/acquire")(body)
    for endpoint, body in _file_writes(pid):
        ok(emulator, endpoint, json=body)
    acquires = [w for w in emulator.writes() if w.endpoint.endswith("lock/acquire")]
    assert [(a.params["projectId"], a.params["codeSourceId"]) for a in acquires] == [
        (pid, "qcsync")
    ]
    files = ok(emulator, "files/read", json={"projectId": pid, "name": "main.py"})["files"]
    assert files[0]["content"] == "x = 3\n"


def test_the_lock_is_lost_to_another_editor_and_taken_back(emulator: Emulator, pid: int) -> None:
    _add(emulator, pid)
    ok(
        emulator,
        "projects/collaboration/lock/acquire",
        json={"projectId": pid, "codeSourceId": "q"},
    )
    emulator.lock_elsewhere(pid)
    write = {"projectId": pid, "name": "main.py", "content": "mine\n"}
    assert "lock" in refused(emulator, "files/update", json=write)[0]
    ok(
        emulator,
        "projects/collaboration/lock/acquire",
        json={"projectId": pid, "codeSourceId": "q"},
    )
    ok(emulator, "files/update", json=write)


def test_the_lock_lapses_unless_writes_keep_it(emulator: Emulator, pid: int) -> None:
    _add(emulator, pid)
    ok(
        emulator,
        "projects/collaboration/lock/acquire",
        json={"projectId": pid, "codeSourceId": "q"},
    )
    write = {"projectId": pid, "name": "main.py", "content": "x\n"}
    for _ in range(3):  # 30 minutes of writes 10 minutes apart: each renews the lock
        emulator.advance_clock(seconds=600)
        ok(emulator, "files/update", json=write)
    emulator.advance_clock(seconds=16 * 60)
    assert "lock" in refused(emulator, "files/update", json=write)[0]


def test_the_lock_after_the_last_collaborator_left_is_not_needed(
    emulator: Emulator, pid: int
) -> None:
    _add(emulator, pid)
    ok(
        emulator,
        "projects/collaboration/delete",
        json={"projectId": pid, "collaboratorId": "mia-ai"},
    )
    ok(emulator, "files/update", json={"projectId": pid, "name": "main.py", "content": "x\n"})


@pytest.mark.parametrize(
    ("body", "message"),
    [({"projectId": -1, "codeSourceId": "q"}, "Project not found"), ({}, "codeSourceId")],
    ids=["unknown-project", "no-code-source"],
)
def test_lock_acquire_failures(
    emulator: Emulator, pid: int, body: dict[str, Any], message: str
) -> None:
    assert (
        message
        in refused(
            emulator, "projects/collaboration/lock/acquire", json={"projectId": pid, **body}
        )[0]
    )

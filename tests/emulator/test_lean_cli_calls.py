"""The calls QuantConnect's own CLI (lean-cli) makes, as it makes them (qc-api.md §4.3, §4.9,
§4.10, §4.10a; lean-cli HEAD 5277bb66 ``components/api/*.py``, ``cloud/push_manager.py``).

Raw HTTP in lean's encodings: GET with a query string for reads, form encoding with PHP-style
keys for ``projects/update``. tests/integration/test_lean_cli.py runs lean itself.
"""

from __future__ import annotations

from typing import Any

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok, refused


def get(emulator: Emulator, endpoint: str, **params: Any) -> dict[str, Any]:
    return ok(emulator, endpoint, method="GET", params=params)


def form(emulator: Emulator, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
    return ok(emulator, endpoint, data=data)


def files_of(emulator: Emulator, pid: int) -> dict[str, str]:
    """The project's own files (a linked library's come back too, marked isLibrary)."""
    answer = get(emulator, "files/read", projectId=pid)["files"]
    return {f["name"]: f["content"] for f in answer if not f["isLibrary"]}


def test_whoami_finds_the_personal_organization_and_its_admin(emulator: Emulator) -> None:
    listed = ok(emulator, "organizations/list")["organizations"]
    personal = next(o for o in listed if o["ownerName"] == "You")  # lean-cli's own lookup
    assert {"id", "name", "type", "ownerName", "members", "preferred"} <= set(personal)
    organization = ok(emulator, "organizations/read", json={"organizationId": personal["id"]})
    full = organization["organization"]
    admin = next(m for m in full["members"] if m["isAdmin"])
    assert isinstance(admin["id"], int)
    assert (type(admin["name"]), type(admin["email"])) == (str, str)
    assert {"credit", "products", "data", "seats", "type"} <= set(full)
    assert isinstance(full["credit"]["movements"], list)
    assert isinstance(full["data"]["current"], bool)


def test_reads_by_get_with_a_query_string_and_an_organization_scope(emulator: Emulator) -> None:
    mine = create(emulator, "Lean/Mine")["projectId"]
    theirs = create(emulator, "Lean/Theirs", organizationId=emulator.other_organization_id)
    scoped = get(emulator, "projects/read", organizationId=emulator.preferred_organization_id)
    ids = {p["projectId"] for p in scoped["projects"]}
    assert mine in ids
    assert theirs["projectId"] not in ids
    assert {p["organizationId"] for p in scoped["projects"]} == {emulator.preferred_organization_id}
    one = get(
        emulator, "projects/read", projectId=mine, organizationId=emulator.preferred_organization_id
    )
    assert [p["projectId"] for p in one["projects"]] == [mine]
    assert "main.py" in files_of(emulator, mine)
    everything = {p["projectId"] for p in ok(emulator, "projects/read")["projects"]}
    assert theirs["projectId"] in everything  # without the key, every organization's


def test_a_form_encoded_push_replaces_files_parameters_and_libraries(emulator: Emulator) -> None:
    pid = create(emulator, "Lean/Pushed")["projectId"]
    ok(emulator, "files/create", json={"projectId": pid, "name": "old.py", "content": "gone"})
    library = create(emulator, "Library/Utils")["projectId"]
    before = {f["name"]: f["id"] for f in get(emulator, "files/read", projectId=pid)["files"]}
    form(
        emulator,
        "projects/update",
        {
            "projectId": pid,
            "name": "Lean/Pushed",
            "description": "from lean",
            "parameters[0][key]": "lookback",
            "parameters[0][value]": "20",
            "parameters[1][key]": "universe",
            "parameters[1][value]": "SPY",
            "files[0][name]": "main.py",
            "files[0][content]": "print('edited')\n",
            "files[1][name]": "lib/new.py",
            "files[1][content]": "X = 1\n",
            "files[2][name]": "empty.py",
            "files[2][content]": "",
            "libraries[0]": library,
            "encryptionKey": "",
            "codeSourceId": "cli",
        },
    )
    assert files_of(emulator, pid) == {
        "main.py": "print('edited')\n",
        "lib/new.py": "X = 1\n",
        "empty.py": "",
    }
    after = {f["name"]: f["id"] for f in get(emulator, "files/read", projectId=pid)["files"]}
    assert after["main.py"] == before["main.py"]  # an edited file keeps its id
    project = get(emulator, "projects/read", projectId=pid)["projects"][0]
    assert project["description"] == "from lean"
    assert project["parameters"] == [
        {"key": "lookback", "value": "20"},
        {"key": "universe", "value": "SPY"},
    ]
    [link] = project["libraries"]
    assert (link["projectId"], link["access"]) == (library, True)
    assert isinstance(link["libraryName"], str)

    form(emulator, "projects/update", {"projectId": pid, "parameters": ""})  # clears them
    assert get(emulator, "projects/read", projectId=pid)["projects"][0]["parameters"] == []


def test_versions_and_environment_are_kept(emulator: Emulator) -> None:
    pid = create(emulator, "Lean/Versions")["projectId"]
    form(emulator, "projects/update", {"projectId": pid, "versionId": 15000, "leanEnvironment": 3})
    project = get(emulator, "projects/read", projectId=pid)["projects"][0]
    assert (project["leanVersionId"], project["leanPinnedToMaster"]) == (15000, False)
    assert project["leanEnvironment"] == 3
    form(emulator, "projects/update", {"projectId": pid, "versionId": -1})
    assert get(emulator, "projects/read", projectId=pid)["projects"][0]["leanPinnedToMaster"]


def test_a_bad_library_refuses_the_whole_update(emulator: Emulator) -> None:
    pid = create(emulator, "Lean/Atomic")["projectId"]
    before = files_of(emulator, pid)
    refused(
        emulator,
        "projects/update",
        data={
            "projectId": pid,
            "description": "never",
            "files[0][name]": "main.py",
            "files[0][content]": "x",
            "libraries[0]": 99,
        },
    )
    assert files_of(emulator, pid) == before
    assert get(emulator, "projects/read", projectId=pid)["projects"][0]["description"] == ""


def test_library_links_through_create_and_delete(emulator: Emulator) -> None:
    pid = create(emulator, "Lean/Linked")["projectId"]
    library = create(emulator, "Library/Risk")["projectId"]
    ok(emulator, "projects/library/create", json={"projectId": pid, "libraryId": library})
    project = get(emulator, "projects/read", projectId=pid)["projects"][0]
    assert [lib["projectId"] for lib in project["libraries"]] == [library]
    ok(emulator, "projects/library/delete", json={"projectId": pid, "libraryId": library})
    assert get(emulator, "projects/read", projectId=pid)["projects"][0]["libraries"] == []
    refused(emulator, "projects/library/delete", json={"projectId": pid, "libraryId": library})
    refused(emulator, "projects/library/create", json={"projectId": pid, "libraryId": -1})


def test_live_read_of_a_project_with_nothing_deployed_says_so(emulator: Emulator) -> None:
    pid = create(emulator, "Lean/Idle")["projectId"]
    [message] = refused(emulator, "live/read", method="GET", params={"projectId": pid})
    assert f"No live algorithm is deployed for project {pid}" == message
    [unknown] = refused(emulator, "live/read", json={"projectId": -1})
    assert "not found" in unknown.lower()

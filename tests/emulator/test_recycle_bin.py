"""projects/delete on today's service (the Recycle Bin) and on the old one (qc-api.md §4.4).

Today's service moves a deleted project to ``Recycle Bin/<name>`` with the same id and purges it
after 30 days; renaming it out of the bin restores it. ``hard_delete`` (``--hard-delete``, seed or
state ``deleteMode: hard``) keeps the old behaviour, so both stay tested.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from qcsync.emulator import Emulator, default_seed
from qcsync.emulator.__main__ import build_parser, describe
from qcsync.emulator.journal import journal_path
from qcsync.emulator.routes import ROUTES
from tests.emulator.api import create, ok, refused
from tests.emulator_fixtures import EmulatorFactory

DAY = 86400


def read(emulator: Emulator, pid: int) -> dict[str, Any]:
    project: dict[str, Any] = ok(emulator, "projects/read", json={"projectId": pid})["projects"][0]
    return project


def names(emulator: Emulator) -> set[str]:
    return {p["name"] for p in ok(emulator, "projects/read")["projects"]}


def delete(emulator: Emulator, pid: int) -> None:
    ok(emulator, "projects/delete", json={"projectId": pid})


def test_a_delete_moves_the_project_to_the_bin_with_its_id_and_content(emulator: Emulator) -> None:
    project = create(emulator, "Strategies/Doomed", "C#")
    pid = project["projectId"]
    ok(emulator, "projects/update", json={"projectId": pid, "description": "keep"})
    ok(emulator, "files/create", json={"projectId": pid, "name": "extra.cs", "content": "// x"})
    node = ok(emulator, "nodes/read")["backtest"][1]["id"]
    ok(emulator, "projects/nodes/update", json={"projectId": pid, "nodes": [node]})
    files_before = ok(emulator, "files/read", json={"projectId": pid})["files"]

    delete(emulator, pid)

    binned = read(emulator, pid)
    assert binned["name"] == "Recycle Bin/Strategies/Doomed"
    assert (binned["projectId"], binned["language"], binned["description"]) == (pid, "C#", "keep")
    assert "Strategies/Doomed" not in names(emulator)
    assert "Recycle Bin/Strategies/Doomed" in names(emulator)  # still listed, under its new name
    files = ok(emulator, "files/read", json={"projectId": pid})["files"]
    assert [(f["name"], f["content"]) for f in files] == [
        (f["name"], f["content"]) for f in files_before
    ]
    nodes = ok(emulator, "projects/nodes/read", json={"projectId": pid})
    assert nodes["autoSelectNode"] is False
    assert [n["id"] for n in nodes["nodes"]["backtest"] if n["active"]] == [node]


def test_a_second_name_collision_in_the_bin_is_numbered_like_a_duplicate_create(
    emulator: Emulator,
) -> None:
    first = create(emulator, "Twice")["projectId"]
    delete(emulator, first)
    second = create(emulator, "Twice")["projectId"]
    assert read(emulator, second)["name"] == "Twice"  # the name is free again after a delete
    delete(emulator, second)
    third = create(emulator, "Twice")["projectId"]
    delete(emulator, third)
    assert [read(emulator, p)["name"] for p in (first, second, third)] == [
        "Recycle Bin/Twice",
        "Recycle Bin/Twice 1",
        "Recycle Bin/Twice 2",
    ]


def test_a_delete_of_a_binned_project_purges_it(emulator: Emulator) -> None:
    pid = create(emulator, "Purge Me")["projectId"]
    delete(emulator, pid)
    delete(emulator, pid)
    refused(emulator, "projects/read", json={"projectId": pid})
    refused(emulator, "files/read", json={"projectId": pid})
    assert "Recycle Bin/Purge Me" not in names(emulator)
    refused(emulator, "projects/delete", json={"projectId": pid})


def test_renaming_out_of_the_bin_restores_the_project(emulator: Emulator) -> None:
    pid = create(emulator, "Folder/Back")["projectId"]
    ok(emulator, "files/create", json={"projectId": pid, "name": "a.py", "content": "A = 1\n"})
    delete(emulator, pid)
    ok(emulator, "projects/update", json={"projectId": pid, "name": "Folder/Back"})
    assert read(emulator, pid)["name"] == "Folder/Back"
    a = ok(emulator, "files/read", json={"projectId": pid, "name": "a.py"})["files"][0]
    assert a["content"] == "A = 1\n"
    # Restored means out of the purge: 30 days later it is still there.
    emulator.advance_clock(days=31)
    assert read(emulator, pid)["name"] == "Folder/Back"


def test_renaming_out_of_the_bin_onto_a_taken_name_is_refused(emulator: Emulator) -> None:
    pid = create(emulator, "Clash")["projectId"]
    delete(emulator, pid)
    create(emulator, "Clash")
    refused(emulator, "projects/update", json={"projectId": pid, "name": "Clash"})
    assert read(emulator, pid)["name"] == "Recycle Bin/Clash"


def test_a_binned_project_is_purged_after_30_days_of_the_emulators_clock(
    emulator: Emulator,
) -> None:
    pid = create(emulator, "Aging")["projectId"]
    delete(emulator, pid)
    emulator.advance_clock(days=29, seconds=DAY - 1)
    assert read(emulator, pid)["name"] == "Recycle Bin/Aging"
    emulator.advance_clock(seconds=1)
    refused(emulator, "projects/read", json={"projectId": pid})
    assert "Recycle Bin/Aging" not in names(emulator)
    # The moved clock dates what the service writes; signatures still use the real time.
    later = create(emulator, "Later")["created"]
    expected = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * DAY))
    assert later[:10] in (expected, time.strftime("%Y-%m-%d", time.gmtime(time.time() + 31 * DAY)))


def test_the_30_days_count_from_the_delete_not_from_the_project_or_the_clock_start(
    emulator: Emulator,
) -> None:
    old = create(emulator, "Old")["projectId"]
    emulator.advance_clock(days=40)  # an old project is not purged: it is not in the bin
    assert read(emulator, old)["name"] == "Old"
    delete(emulator, old)
    emulator.advance_clock(days=20)
    other = create(emulator, "Other")["projectId"]
    delete(emulator, other)
    emulator.advance_clock(days=10)
    refused(emulator, "projects/read", json={"projectId": old})
    assert read(emulator, other)["name"] == "Recycle Bin/Other"


def test_renaming_into_the_bin_bins_the_project(emulator: Emulator) -> None:
    pid = create(emulator, "By Hand")["projectId"]
    ok(emulator, "projects/update", json={"projectId": pid, "name": "Recycle Bin/By Hand"})
    emulator.advance_clock(days=30)
    refused(emulator, "projects/read", json={"projectId": pid})


def test_the_clock_is_no_part_of_the_api(emulator: Emulator) -> None:
    assert not [route for route in ROUTES if "clock" in route or "admin" in route]
    answer = requests.post(emulator.base_url + "admin/clock", json={"days": 30}, timeout=5)
    assert answer.status_code == 404


# --- the old service ----------------------------------------------------------------------------


def test_hard_delete_removes_the_project_at_once(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(hard_delete=True)
    pid = create(emulator, "Gone")["projectId"]
    delete(emulator, pid)
    refused(emulator, "projects/read", json={"projectId": pid})
    assert not any(n.startswith("Recycle Bin/") for n in names(emulator))
    refused(emulator, "projects/delete", json={"projectId": pid})


def test_the_seed_can_choose_the_old_service(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(seed={**default_seed(), "deleteMode": "hard"})
    assert emulator.hard_delete is True
    pid = create(emulator, "Gone")["projectId"]
    delete(emulator, pid)
    refused(emulator, "projects/read", json={"projectId": pid})


def test_the_state_file_keeps_the_mode_and_a_flag_overrides_it(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    Emulator(state_path=state, hard_delete=True)
    assert json.loads(state.read_text(encoding="utf-8"))["deleteMode"] == "hard"
    assert Emulator(state_path=state).hard_delete is True
    assert Emulator(state_path=state, hard_delete=False).hard_delete is False


@pytest.mark.parametrize("bad", ["soft", 3])
def test_a_bad_delete_mode_in_the_state_is_refused(tmp_path: Path, bad: object) -> None:
    state = tmp_path / "state.json"
    Emulator(state_path=state)
    document = json.loads(state.read_text(encoding="utf-8"))
    state.write_text(json.dumps({**document, "deleteMode": bad}), encoding="utf-8")
    with pytest.raises(ValueError, match="deleteMode"):
        Emulator(state_path=state)


def test_the_command_line_flag_chooses_the_old_service() -> None:
    assert build_parser().parse_args(["--hard-delete"]).hard_delete is True
    assert build_parser().parse_args([]).hard_delete is None
    assert "Recycle Bin/" in describe(Emulator())
    assert "--hard-delete" in describe(Emulator(hard_delete=True))


# --- spec types ---------------------------------------------------------------------------------


def test_an_empty_bio_is_an_empty_string(emulator: Emulator) -> None:
    project = create(emulator, "Typed")
    for collaborator in project["collaborators"]:
        assert collaborator["bio"] == ""
    for listed in ok(emulator, "projects/read")["projects"]:
        assert all(isinstance(c["bio"], str) for c in listed["collaborators"])


def test_a_restart_without_a_clean_stop_replays_the_bin(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = Emulator(state_path=state, token="t")
    first.start()
    pid = create(first, "Binned")["projectId"]
    delete(first, pid)
    kept = journal_path(state).read_bytes()
    first.stop()
    journal_path(state).write_bytes(kept)  # as if the process had been killed before stop
    second = Emulator(state_path=state)
    assert second.project(pid)["name"] == "Recycle Bin/Binned"  # type: ignore[index]
    second.advance_clock(days=30)
    assert second.project(pid) is None


def test_the_old_service_has_no_bin_to_purge(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(hard_delete=True)
    named = create(emulator, "Recycle Bin/Just A Name")["projectId"]
    renamed = create(emulator, "Renamed")["projectId"]
    ok(emulator, "projects/update", json={"projectId": renamed, "name": "Recycle Bin/Renamed"})
    emulator.advance_clock(days=31)
    assert read(emulator, named)["name"] == "Recycle Bin/Just A Name"
    assert read(emulator, renamed)["name"] == "Recycle Bin/Renamed"

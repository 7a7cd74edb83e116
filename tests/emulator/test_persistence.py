"""State file: a snapshot plus a journal of writes, reloaded on start, survives a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcsync.emulator import Emulator, default_seed
from tests.emulator.api import create, ok

FAST_SEED = {
    "organizations": [
        {
            "id": "a" * 32,
            "name": "Only Org",
            "preferred": True,
            "nodes": {"backtest": [{"id": "BN-" + "b" * 32, "name": "Mine", "sku": "B4-12"}]},
            "projects": [{"name": "Seeded/One", "language": "C#", "nodes": ["BN-" + "b" * 32]}],
        }
    ]
}


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_path=state, token="t") as first:
        project = create(first, "Persisted")
        node = ok(first, "nodes/read")["live"][0]["id"]
        ok(
            first,
            "projects/nodes/update",
            json={"projectId": project["projectId"], "nodes": [node]},
        )
        ok(
            first,
            "files/create",
            json={"projectId": project["projectId"], "name": "a.py", "content": "a"},
        )
    with Emulator(state_path=state, token="t") as second:
        again = ok(second, "projects/read", json={"projectId": project["projectId"]})["projects"][0]
        assert again["name"] == "Persisted"
        nodes = ok(second, "projects/nodes/read", json={"projectId": project["projectId"]})
        assert nodes["autoSelectNode"] is False
        files = ok(second, "files/read", json={"projectId": project["projectId"], "name": "a.py"})
        assert files["files"][0]["content"] == "a"
        assert create(second, "Next")["projectId"] == project["projectId"] + 1


def test_a_deleted_project_stays_deleted_after_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_path=state, token="t", hard_delete=True) as first:
        pid = create(first, "Gone")["projectId"]
        ok(first, "projects/delete", json={"projectId": pid})
    again = Emulator(state_path=state)  # the mode is kept in the state file
    assert again.hard_delete is True
    assert again.project(pid) is None


def test_the_recycle_bin_and_its_clock_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_path=state, token="t") as first:
        pid = create(first, "Binned")["projectId"]
        ok(first, "projects/delete", json={"projectId": pid})
        first.advance_clock(days=29)
    second = Emulator(state_path=state)
    assert second.hard_delete is False
    assert second.project(pid)["name"] == "Recycle Bin/Binned"  # type: ignore[index]
    second.advance_clock(days=1)  # 30 days in all, across the restart
    assert second.project(pid) is None


def test_the_state_file_is_json_and_holds_no_token(tmp_path: Path) -> None:
    state = tmp_path / "deeper" / "state.json"
    emulator = Emulator(state_path=state, token="secret-token-value")
    emulator.add_project("Written")
    for written in state.parent.iterdir():  # the snapshot and the journal
        assert "secret-token-value" not in written.read_text(encoding="utf-8")
    emulator.stop()  # folds the journal into the one state file
    text = state.read_text(encoding="utf-8")
    assert "secret-token-value" not in text
    assert any(r["project"]["name"] == "Written" for r in json.loads(text)["projects"])
    assert [p.name for p in state.parent.iterdir()] == ["state.json"]  # no temp files left


def test_an_existing_state_file_wins_over_the_seed(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    Emulator(state_path=state, seed=FAST_SEED)
    reloaded = Emulator(state_path=state)  # default seed would have two organizations
    assert [p["name"] for p in reloaded.projects()] == ["Seeded/One"]
    assert reloaded.other_organization_id == ""


def test_a_custom_seed_replaces_the_default_account() -> None:
    emulator = Emulator(seed=FAST_SEED)
    assert emulator.preferred_organization_id == "a" * 32
    (project,) = emulator.projects()
    assert (project["name"], project["language"]) == ("Seeded/One", "C#")
    nodes = emulator.store.read_project_nodes(project["projectId"])
    assert nodes["nodes"]["backtest"][0]["active"] is True
    assert nodes["nodes"]["backtest"][0]["ram"] == 12


def test_a_file_that_is_not_an_emulator_state_is_rejected(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="not an emulator state file"):
        Emulator(state_path=state)


def test_the_default_seed_is_json_able_and_fresh_each_call() -> None:
    seed = default_seed()
    assert json.loads(json.dumps(seed)) == seed
    seed["organizations"].clear()
    assert default_seed()["organizations"]


def test_the_default_seed_has_a_second_organization_with_projects(emulator: Emulator) -> None:
    by_org: dict[str, list[str]] = {}
    for project in emulator.projects():
        by_org.setdefault(project["organizationId"], []).append(project["name"])
    assert len(by_org[emulator.preferred_organization_id]) >= 3
    assert len(by_org[emulator.other_organization_id]) >= 2
    assert "Examples/Buy and Hold" in by_org[emulator.other_organization_id]

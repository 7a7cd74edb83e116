"""The state journal: a write appends one line, a restart replays it, compaction folds it in.

Pins the cost model without timing anything: a write leaves the snapshot untouched and adds one
line whose size does not depend on how many projects there are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcsync.emulator import Emulator
from qcsync.emulator import journal as journal_module
from qcsync.emulator.journal import journal_path
from tests.emulator.api import create, ok

NODE = "BN-" + "b" * 32


def seed(count: int) -> dict[str, object]:
    return {
        "organizations": [
            {
                "id": "a" * 32,
                "name": "Org",
                "preferred": True,
                "nodes": {"backtest": [{"id": NODE, "name": "Node", "sku": "B2-8"}]},
                "projects": [{"name": f"Seed/{i}"} for i in range(count)],
            }
        ]
    }


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("count", [10, 2_000])
def test_a_write_appends_one_line_and_leaves_the_snapshot_alone(tmp_path: Path, count: int) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_path=state, seed=seed(count), token="t") as emulator:
        snapshot = state.read_bytes()
        create(emulator, "New")
        before = len(lines(journal_path(state)))
        create(emulator, "Newer")
        assert state.read_bytes() == snapshot
        added = lines(journal_path(state))[before:]
        assert len(added) == 1
        # One project's record, whatever the account's size (a default project is ~1.5 kB).
        assert len(added[0]) < 4_000
        assert json.loads(added[0])["put"]["project"]["name"] == "Newer"


def test_a_restart_without_a_clean_stop_replays_the_journal(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    # The old service's delete, so the journal's "drop" entry is replayed too.
    first = Emulator(state_path=state, seed=seed(3), token="t", hard_delete=True)
    first.start()
    project = create(first, "Kept")
    ok(first, "projects/nodes/update", json={"projectId": project["projectId"], "nodes": [NODE]})
    ok(first, "projects/update", json={"projectId": project["projectId"], "name": "Renamed"})
    gone = first.add_project("Gone")
    ok(first, "projects/delete", json={"projectId": gone})
    journal = journal_path(state).read_bytes()
    first.stop()
    journal_path(state).write_bytes(journal)  # as if the process had been killed before stop

    second = Emulator(state_path=state, seed=seed(0))
    names = sorted(p["name"] for p in second.projects())
    assert names == ["Renamed", "Seed/0", "Seed/1", "Seed/2"]
    assert second.project(gone) is None
    assert second.store.read_project_nodes(project["projectId"])["autoSelectNode"] is False
    assert not journal_path(state).exists()  # compacted on load
    assert second.add_project("Next") == gone + 1
    # The rename freed the old name and took the new one.
    assert second.add_project("Kept") == gone + 2
    assert second.add_project("Renamed") == gone + 3
    assert second.project(gone + 3)["name"] == "Renamed 1"  # type: ignore[index]


def test_a_torn_last_line_is_dropped(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    emulator = Emulator(state_path=state, seed=seed(1))
    emulator.add_project("Whole")
    with journal_path(state).open("a", encoding="utf-8") as handle:
        handle.write('{"put": {"project": ')  # a crash in the middle of an append
    reloaded = Emulator(state_path=state)
    assert sorted(p["name"] for p in reloaded.projects()) == ["Seed/0", "Whole"]
    reloaded.add_project("After")
    assert "After" in [p["name"] for p in Emulator(state_path=state).projects()]


def test_a_broken_line_before_the_last_is_an_error_naming_the_journal(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    emulator = Emulator(state_path=state, seed=seed(1))
    emulator.add_project("One")
    text = journal_path(state).read_text(encoding="utf-8")
    journal_path(state).write_text(text + "not json\n" + text.splitlines()[1] + "\n")
    with pytest.raises(ValueError, match=r"state\.json\.journal: line 3 is not JSON"):
        Emulator(state_path=state)


def test_a_journal_from_another_snapshot_is_ignored(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    emulator = Emulator(state_path=state, seed=seed(1))
    emulator.add_project("Later")
    stale = journal_path(state).read_bytes()
    emulator.stop()
    journal_path(state).write_bytes(stale)  # as after a crash between snapshot and cleanup
    emulator = Emulator(state_path=state)
    assert sorted(p["name"] for p in emulator.projects()) == ["Later", "Seed/0"]  # once
    state.unlink()  # "delete it to start the sandbox afresh"
    emulator.add_project("Orphan")
    fresh = Emulator(state_path=state, seed=seed(2))
    assert sorted(p["name"] for p in fresh.projects()) == ["Seed/0", "Seed/1"]


def test_a_growing_journal_is_compacted_while_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "_MIN_COMPACT_BYTES", 10_000)
    state = tmp_path / "state.json"
    emulator = Emulator(state_path=state, seed=seed(1))
    for i in range(20):
        emulator.add_project(f"Grow/{i}")
    snapshot_size = state.stat().st_size
    # Bounded by twice the snapshot (plus the entry that crossed the line), never unbounded.
    assert journal_path(state).stat().st_size < 2 * snapshot_size + 4_000
    snapshot = json.loads(state.read_text(encoding="utf-8"))
    assert len(snapshot["projects"]) > 1  # some writes were folded into the snapshot
    reloaded = Emulator(state_path=state)
    assert len(reloaded.projects()) == 21


def test_a_stop_without_writes_leaves_the_state_file_untouched(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    Emulator(state_path=state, seed=seed(2)).stop()
    written = state.stat().st_mtime_ns
    with Emulator(state_path=state) as emulator:
        ok(emulator, "projects/read")
    assert state.stat().st_mtime_ns == written
    assert not journal_path(state).exists()

"""Faults on file writes (issue 13): lost answers and 5xx end converged, with no duplicate and
an honest report. A client with a short settle time, so a lost create is looked for briefly;
each test plans from a config and a folder, applies, compares the report and the account, and
re-plans to nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qcsync.apply import Outcome, apply_plan
from qcsync.client import QCClient
from qcsync.config import load_config
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator, Fault
from qcsync.model import DesiredState
from qcsync.plan import Plan
from qcsync.planner import plan
from qcsync.state import read_live_state

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FOLDER = {"main.py": "print('new')\n", "research.ipynb": "{}\n", "added.py": "added = 1\n"}


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(
        emulator.base_url, credentials, backoff=0.001, max_backoff=0.01, create_settle=0.2
    ) as qc:
        yield qc


def desired(emulator: Emulator, tmp_path: Path, leave_out: str = "") -> DesiredState:
    for name, text in FOLDER.items():
        if name == leave_out:
            continue
        (tmp_path / "alpha").mkdir(exist_ok=True)
        (tmp_path / "alpha" / name).write_text(text)
    path = tmp_path / "qcsync.yaml"
    path.write_text(
        f"version: 1\norganization: {emulator.preferred_organization_id}\n"
        "projects:\n  - {name: Code/Alpha, files: alpha}\n"
    )
    return load_config([path], {})


def planned(client: QCClient, state: DesiredState) -> Plan:
    return plan(state, read_live_state(client, state))


def own_files(emulator: Emulator, pid: int) -> dict[str, str]:
    files = emulator.store.read_files(pid)
    return {f["name"]: f["content"] for f in files if not f.get("isLibrary")}


@pytest.mark.parametrize(
    ("endpoint", "faults"),
    [
        ("files/create", [Fault.lost_response()]),
        ("files/update", [Fault.lost_response()]),
        ("files/delete", [Fault.lost_response()]),
        ("files/create", [Fault.http_500()]),
        ("files/update", [Fault.http_status(503)] * 2),
        ("files/delete", [Fault.http_500()]),
        ("files/update", [Fault.lost_response(), Fault.http_status(503)]),
    ],
)
def test_faults_on_file_writes_end_converged_without_duplicates(
    emulator: Emulator, client: QCClient, tmp_path: Path, endpoint: str, faults: list[Fault]
) -> None:
    pid = emulator.add_project(
        "Code/Alpha", files={"main.py": "old\n", "research.ipynb": "{}\n", "gone.py": "x\n"}
    )
    state = desired(emulator, tmp_path)
    for fault in faults:
        emulator.inject(endpoint, fault)
    report = apply_plan(client, planned(client, state), now=NOW, backup_root=tmp_path / "b")
    assert {(r.change.key, r.outcome) for r in report.results} == {
        ("added.py", Outcome.APPLIED),
        ("gone.py", Outcome.APPLIED),
        ("main.py", Outcome.APPLIED),
    }
    assert own_files(emulator, pid) == FOLDER
    creates = [r for r in emulator.writes() if r.endpoint == "files/create"]
    # A lost answer acted; a 5xx did not: exactly one create acted, none was sent twice blindly.
    assert len([r for r in creates if r.fault in ("", "lost_response")]) == 1
    assert planned(client, state).changes == ()


def test_a_lost_create_whose_read_back_fails_is_unknown_not_failed(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("Code/Alpha", files={"main.py": "print('new')\n"})
    state = desired(emulator, tmp_path, leave_out="research.ipynb")
    the_plan = planned(client, state)
    assert [c.key for c in the_plan.changes] == ["added.py"]
    emulator.inject("files/create", Fault.lost_response())
    emulator.inject("files/read", Fault.http_status(503), times=100)
    [result] = apply_plan(client, the_plan, now=NOW, backup_root=tmp_path / "b").results
    assert result.outcome in (Outcome.UNKNOWN, Outcome.APPLIED)
    if result.outcome is Outcome.UNKNOWN:
        assert "qcsync plan" in result.message
    assert own_files(emulator, pid)["added.py"] == "added = 1\n"  # it did land

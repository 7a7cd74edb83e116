"""Lost answers never make a change `failed` until a read shows it did not happen (issue 11).

Every test compares the report with the account (the emulator's state) and re-plans to nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qcsync.apply import Outcome, apply_plan, verify_applied
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator, Fault
from qcsync.plan import Change, Plan
from tests import changes

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
UNAVAILABLE = Fault.http_status(503)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(
        emulator.base_url, credentials, backoff=0.001, max_backoff=0.01, create_settle=0.05
    ) as qc:
        yield qc


def plan_of(emulator: Emulator, *changes: Change) -> Plan:
    return Plan(emulator.preferred_organization_id, tuple(changes), unchanged=0)


def describe(pid: int, before: str, after: str) -> Change:
    return changes.update(pid, "S/P", "r", description=(before, after))


def only_result(client: QCClient, plan: Plan, tmp_path: Path) -> Any:
    [result] = apply_plan(client, plan, now=NOW, backup_root=tmp_path).results
    return result


def test_an_update_lost_then_503_on_every_retry_is_applied(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/P", description="old")
    emulator.inject("projects/update", Fault.lost_response())
    emulator.inject("projects/update", UNAVAILABLE, times=4)  # the rest of the 5 attempts
    plan = plan_of(emulator, describe(pid, "old", "new"))
    result = only_result(client, plan, tmp_path)
    assert result.outcome is Outcome.APPLIED, result.message
    assert emulator.project(pid)["description"] == "new"  # type: ignore[index]
    assert [r.fault for r in emulator.writes()] == ["lost_response", *["http_503"] * 4]
    assert verify_applied(client, plan) == []


def test_an_update_lost_whose_read_back_fails_is_unknown_and_says_what_to_run(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/P", description="old")
    emulator.inject("projects/update", Fault.lost_response())
    emulator.inject("projects/update", UNAVAILABLE, times=4)
    emulator.inject("projects/read", UNAVAILABLE, times=100)
    result = only_result(client, plan_of(emulator, describe(pid, "old", "new")), tmp_path)
    assert result.outcome is Outcome.UNKNOWN
    assert "run `qcsync plan` to see whether it happened" in result.message
    assert (emulator.project(pid) or {})["description"] == "new"  # it did happen: not failed


def test_an_update_that_503s_without_acting_is_failed_after_a_read_shows_it(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/P", description="old")
    emulator.inject("projects/update", UNAVAILABLE, times=5)
    result = only_result(client, plan_of(emulator, describe(pid, "old", "new")), tmp_path)
    assert result.outcome is Outcome.FAILED
    assert "a read afterwards shows it did not happen" in result.message
    assert (emulator.project(pid) or {})["description"] == "old"


def test_a_node_selection_lost_then_503_is_applied(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/P")
    node = client.read_nodes(emulator.preferred_organization_id)[0]
    emulator.inject("projects/nodes/update", Fault.lost_response())
    emulator.inject("projects/nodes/update", UNAVAILABLE, times=4)
    change = changes.nodes(pid, "S/P", (), (node.id,), "r")
    plan = plan_of(emulator, change)
    result = only_result(client, plan, tmp_path)
    assert result.outcome is Outcome.APPLIED, result.message
    assert client.read_project_nodes(pid).selection.active == {node.id}
    assert verify_applied(client, plan) == []


class FaultsAtDelete(QCClient):
    """Arms faults the moment the delete is sent, so the reads before it (backup) are clean."""

    def __init__(self, emulator: Emulator, read_faults: int) -> None:
        credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
        # A lost delete is looked for like a lost create (it must never be resent to a binned
        # project); no settle time, so a read-back that keeps failing stays failing.
        super().__init__(
            emulator.base_url, credentials, backoff=0.001, max_backoff=0.01, create_settle=0.0
        )
        self.emulator = emulator
        self.read_faults = read_faults

    def delete_project(self, project_id: int) -> None:
        self.emulator.inject("projects/delete", Fault.lost_response())
        self.emulator.inject("projects/delete", UNAVAILABLE, times=4)
        self.emulator.inject("projects/read", UNAVAILABLE, times=self.read_faults)
        super().delete_project(project_id)


def gone_or_binned(emulator: Emulator, pid: int) -> bool:
    project = emulator.project(pid)
    return project is None or str(project["name"]).startswith("Recycle Bin/")


@pytest.mark.parametrize(
    ("read_faults", "expected"),
    [
        pytest.param(0, Outcome.APPLIED, id="read-back works"),
        pytest.param(100, Outcome.UNKNOWN, id="read-back keeps failing"),
    ],
)
def test_a_lost_delete_is_applied_or_unknown_never_failed(
    emulator: Emulator, tmp_path: Path, read_faults: int, expected: Outcome
) -> None:
    pid = emulator.add_project("S/P")
    plan = plan_of(emulator, changes.delete(pid, "S/P", "pruned"))
    with FaultsAtDelete(emulator, read_faults) as faulty:
        result = only_result(faulty, plan, tmp_path)
    assert result.outcome is expected, result.message
    assert gone_or_binned(emulator, pid)  # the account: the lost attempt deleted it
    assert result.backup is not None
    assert result.backup.exists()
    if expected is Outcome.UNKNOWN:
        assert "run `qcsync plan`" in result.message


def test_a_lost_create_whose_read_back_fails_is_unknown(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    emulator.inject("projects/create", Fault.lost_response())
    emulator.inject("projects/read", UNAVAILABLE, times=100)
    change = changes.create("S/New")
    result = only_result(client, plan_of(emulator, change), tmp_path)
    assert result.outcome is Outcome.UNKNOWN, result.message
    assert "run `qcsync plan`" in result.message
    assert [p["name"] for p in emulator.projects()].count("S/New") == 1
    assert [r.endpoint for r in emulator.writes()] == ["projects/create"]  # never resent


def test_after_an_unknown_outcome_nothing_new_is_started(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    first = emulator.add_project("S/P", description="old")
    second = emulator.add_project("S/Q", description="old")
    emulator.inject("projects/update", Fault.lost_response())
    emulator.inject("projects/update", UNAVAILABLE, times=4)
    emulator.inject("projects/read", UNAVAILABLE, times=100)
    plan = plan_of(emulator, describe(first, "old", "new"))
    plan = Plan(
        plan.organization_id,
        (*plan.changes, changes.delete(second, "S/Q", "pruned")),
        unchanged=0,
    )
    report = apply_plan(client, plan, now=NOW, backup_root=tmp_path, parallelism=1)
    assert [r.outcome for r in report.results] == [Outcome.UNKNOWN, Outcome.NOT_ATTEMPTED]
    assert emulator.project(second) is not None


# --- creates slower than the read timeout -------------------------------------------------------


def slow_client(emulator: Emulator, settle: float) -> QCClient:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    return QCClient(
        emulator.base_url,
        credentials,
        timeout=(2.0, 0.2),
        backoff=0.05,
        max_backoff=0.3,
        create_settle=settle,
    )


def create(name: str) -> Change:
    return changes.create(name, reason="not in QuantConnect")


def named(emulator: Emulator, prefix: str) -> list[str]:
    return sorted(str(p["name"]) for p in emulator.projects() if str(p["name"]).startswith(prefix))


def test_a_create_slower_than_the_read_timeout_is_found_not_sent_again(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.inject("projects/create", Fault.slow(seconds=0.6))
    plan = plan_of(emulator, create("S/Slow"))
    with slow_client(emulator, settle=3.0) as client:
        result = only_result(client, plan, tmp_path)
        assert verify_applied(client, plan) == []
    assert result.outcome is Outcome.APPLIED, result.message
    assert "its answer was lost and a read found it" in result.message
    assert named(emulator, "S/Slow") == ["S/Slow"]
    assert [r.endpoint for r in emulator.writes()] == ["projects/create"]
    assert result.notes == ()


def test_a_create_slower_than_the_settle_time_is_sent_again_and_its_copy_removed(
    emulator: Emulator, tmp_path: Path
) -> None:
    # Sent at 0, given up at 0.2, looked for until 1.2, sent again; the first lands at 1.6 as
    # "S/Slow 1", while qcsync still watches (until about 2.2) for copies of its own making.
    emulator.inject("projects/create", Fault.slow(seconds=1.6))
    plan = plan_of(emulator, create("S/Slow"))
    with slow_client(emulator, settle=1.0) as client:
        result = only_result(client, plan, tmp_path)
        assert verify_applied(client, plan) == []
    assert result.outcome is Outcome.APPLIED, result.message
    creates = [r for r in emulator.writes() if r.endpoint == "projects/create"]
    assert len(creates) == 2
    [removal] = [r for r in emulator.writes() if r.endpoint == "projects/delete"]
    copy = int(removal.params["projectId"])
    assert copy != result.project_id
    assert gone_or_binned(emulator, copy)
    assert result.notes == (
        "the create's answer was lost and no read found the project, so it was sent again",
        f"removed the duplicate 'S/Slow 1' (id {copy}) that qcsync's resent create made",
    )
    assert named(emulator, "S/Slow") == ["S/Slow"]  # the copy is gone (or in the Recycle Bin)
    assert emulator.project(int(result.project_id))["name"] == "S/Slow"  # type: ignore[index]


def test_an_update_lost_then_refused_on_the_retry_is_read_back_not_failed(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/P", description="old")
    emulator.inject("projects/update", Fault.lost_response())
    emulator.inject("projects/update", Fault.business_error("Project is locked"))
    plan = plan_of(emulator, describe(pid, "old", "new"))
    result = only_result(client, plan, tmp_path)
    assert result.outcome is Outcome.APPLIED, result.message
    assert emulator.project(pid)["description"] == "new"  # type: ignore[index]
    assert verify_applied(client, plan) == []


def test_an_update_refused_on_a_retry_after_a_503_that_did_not_act_is_failed(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/P", description="old")
    emulator.inject("projects/update", UNAVAILABLE)
    emulator.inject("projects/update", Fault.business_error("Project is locked"))
    result = only_result(client, plan_of(emulator, describe(pid, "old", "new")), tmp_path)
    assert result.outcome is Outcome.FAILED
    assert "Project is locked" in result.message
    assert "a read afterwards shows it did not happen" in result.message
    assert emulator.project(pid)["description"] == "old"  # type: ignore[index]

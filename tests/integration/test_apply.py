"""The applier against the emulator over HTTP: conflicts and partial failures (issue 4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qcsync.apply import Outcome, apply_plan, verify_applied
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Fault
from qcsync.plan import Change, Plan
from qcsync.planfile import taken_name_problems
from tests import changes

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def client(emulator: Any) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(emulator.base_url, credentials, backoff=0.01) as qc:
        yield qc


def create(name: str, language: str = "Py") -> Change:
    return changes.create(name, language, reason="not in QuantConnect")


def plan_of(emulator: Any, *changes: Change) -> Plan:
    return Plan(emulator.preferred_organization_id, tuple(changes), unchanged=0)


def names(emulator: Any) -> list[str]:
    return sorted(
        p["name"]
        for p in emulator.projects()
        if p["organizationId"] == emulator.preferred_organization_id
    )


def test_a_create_the_service_renames_is_reported_as_a_conflict_and_undone(
    emulator: Any, client: QCClient, tmp_path: Path
) -> None:
    holder = emulator.add_project("Strategies/Taken")
    before = names(emulator)
    report = apply_plan(
        client, plan_of(emulator, create("Strategies/Taken")), now=NOW, backup_root=tmp_path
    )
    [result] = report.results
    assert result.outcome is Outcome.FAILED
    assert f"project {holder}" in result.message
    assert "Strategies/Taken 1" in result.message
    # The accidental duplicate is deleted again: today's service keeps it in its Recycle Bin.
    assert names(emulator) == sorted([*before, "Recycle Bin/Strategies/Taken 1"])


def test_after_a_failure_nothing_new_starts_and_the_rest_is_not_attempted(
    emulator: Any, client: QCClient, tmp_path: Path
) -> None:
    emulator.inject("projects/create", Fault.business_error("quota reached"), times=1)
    plan = plan_of(emulator, create("S/A"), create("S/B"), create("S/C"))
    seen: list[str] = []
    report = apply_plan(
        client,
        plan,
        now=NOW,
        parallelism=1,
        backup_root=tmp_path,
        on_result=lambda r: seen.append(r.change.name),
    )
    assert [r.outcome for r in report.results] == [
        Outcome.FAILED,
        Outcome.NOT_ATTEMPTED,
        Outcome.NOT_ATTEMPTED,
    ]
    assert "quota reached" in report.results[0].message
    assert seen == ["S/A"]
    assert not report.ok
    assert not {"S/A", "S/B", "S/C"} & set(names(emulator))


def test_a_new_projects_nodes_follow_its_create(
    emulator: Any, client: QCClient, tmp_path: Path
) -> None:
    node = client.read_nodes(emulator.preferred_organization_id)[0]
    nodes = changes.nodes(None, "S/N", (), (node.id,), "declared")
    plan = plan_of(emulator, create("S/N"), nodes)
    report = apply_plan(client, plan, now=NOW, backup_root=tmp_path)
    assert report.ok, report.results
    assert verify_applied(client, plan) == []
    pid = report.results[0].project_id
    assert pid is not None
    assert client.read_project_nodes(pid).selection.active == {node.id}


def test_a_create_whose_name_was_taken_since_is_named(emulator: Any, client: QCClient) -> None:
    plan = plan_of(emulator, create("S/Late"))
    assert taken_name_problems(plan, client.list_projects()) == []
    pid = emulator.add_project("s/late")
    assert taken_name_problems(plan, client.list_projects()) == [
        f"S/Late: the name is now taken by project {pid} (s/late), so the create cannot go ahead"
    ]


def test_a_create_whose_description_fails_names_the_project_it_made(
    emulator: Any, client: QCClient, tmp_path: Path
) -> None:
    emulator.inject("projects/update", Fault.business_error("Boom"), times=1)
    change = changes.create("S/Half", description="text")
    [result] = apply_plan(client, plan_of(emulator, change), now=NOW, backup_root=tmp_path).results
    assert result.outcome is Outcome.FAILED
    pid = next(p.id for p in client.list_projects() if p.name == "S/Half")
    assert f"created (id {pid}), but setting its description failed" in result.message
    assert "Boom" in result.message


def test_verify_applied_names_every_change_whose_result_is_missing(
    emulator: Any, client: QCClient
) -> None:
    kept = emulator.add_project("S/Kept", description="old")
    node = client.read_nodes(emulator.preferred_organization_id)[0]
    plan = plan_of(
        emulator,
        create("S/Never"),
        changes.update(kept, "S/Kept", description=("old", "new")),
        changes.nodes(kept, "S/Kept", (), (node.id,)),
        changes.delete(kept, "S/Kept"),
    )
    assert verify_applied(client, plan) == [
        "create S/Never: the project is not there",
        "update S/Kept: description is 'old', expected 'new'",
        f"nodes S/Kept: nodes is (), expected ('{node.id}',)",
        "delete S/Kept: the project still exists",
    ]


def test_a_delete_counts_as_done_when_the_project_is_gone_or_binned(
    emulator_factory: Any, tmp_path: Path
) -> None:
    for hard in (False, True):
        emulator = emulator_factory(hard_delete=hard)
        credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
        with QCClient(emulator.base_url, credentials, backoff=0.01) as client:
            pid = emulator.add_project("S/Doomed")
            plan = plan_of(emulator, changes.delete(pid, "S/Doomed", "r"))
            assert verify_applied(client, plan) == ["delete S/Doomed: the project still exists"]
            report = apply_plan(client, plan, now=NOW, backup_root=tmp_path / str(hard))
            assert report.ok, report.results
            assert verify_applied(client, plan) == []
            left = emulator.project(pid)
            assert (left is None) if hard else (left["name"] == "Recycle Bin/S/Doomed")


def test_a_project_binned_since_the_plan_is_not_sent_a_second_delete(
    emulator: Any, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/Doomed")
    plan = plan_of(emulator, changes.delete(pid, "S/Doomed", "r"))
    client.delete_project(pid)  # someone else deleted it meanwhile
    emulator.clear_log()
    report = apply_plan(client, plan, now=NOW, backup_root=tmp_path)
    assert report.ok
    assert "already in the Recycle Bin" in report.results[0].message
    assert [r.endpoint for r in emulator.writes()] == []
    assert emulator.project(pid)["name"] == "Recycle Bin/S/Doomed"

"""Seeded fault injection: 20 applies at 30% faults; after each, the report matches the account,
one re-apply converges, and there is no duplicate (issue 11).

Every fault the emulator can make at random is in play: 500, 429, timeouts, lost answers and
slow answers that land after the client gave up. Timeouts are short so the run stays quick.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qcsync.apply import ApplyReport, Outcome, apply_plan
from qcsync.aspects.nodes import node_ids
from qcsync.client import QCClient
from qcsync.config import load_config
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator
from qcsync.model import DesiredState
from qcsync.plan import Action, Change, Plan
from qcsync.planner import plan
from qcsync.state import read_live_state
from tests.emulator_fixtures import EmulatorFactory

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FAULT_SECONDS = 0.08  # a timeout or a slow answer; the client's read timeout is shorter

CONFIG = """
version: 1
scope: ["Chaos/"]
prune: true
limits: {max_deletes: 5, max_delete_fraction: 1}
projects:
  - name: Chaos/Kept
    description: new words
  - name: Chaos/Renamed
    renamed_from: ["Chaos/Old Name"]
    description: renamed and described
  - name: Chaos/Nodes
    nodes: [B4-12]
  - name: Chaos/New One
    description: made by qcsync
    nodes: [B4-12]
  - name: Chaos/New Two
    language: C#
  - name: Chaos/New Three
"""


def seed_account(emulator: Emulator) -> None:
    emulator.add_project("Chaos/Kept", description="old words")
    emulator.add_project("Chaos/Old Name")
    emulator.add_project("Chaos/Nodes")
    emulator.add_project("Chaos/Gone 1")
    emulator.add_project("Chaos/Gone 2")


def fast_client(emulator: Emulator) -> QCClient:
    return QCClient(
        emulator.base_url,
        Credentials(user_id=emulator.user_id, token=emulator.token),
        timeout=(1.0, 0.05),
        backoff=0.005,
        max_backoff=0.02,
        max_retries=2,  # few, so that some changes fail or end unknown
        create_settle=0.4,  # well beyond FAULT_SECONDS: a slow create surfaces in time
    )


def planned(client: QCClient, desired: DesiredState) -> Plan:
    return plan(desired, read_live_state(client, desired))


def in_account(client: QCClient, organization: str, change: Change) -> bool:
    """Whether all of the change's effect is in the account (read without faults)."""
    live = [p for p in client.list_projects() if p.organization_id == organization]
    if change.aspect == "project" and change.action is Action.DELETE:
        return not any(p.id == change.project_id and not p.binned for p in live)
    if change.project_id is None:
        project = next((p for p in live if p.name == change.name), None)
    else:
        project = next((p for p in live if p.id == change.project_id), None)
    if project is None or project.binned:
        return False
    if change.aspect == "nodes":
        return node_ids(client.read_project_nodes(project.id).selection) == change.after
    assert isinstance(change.after, dict)
    return all(getattr(project, field) == value for field, value in change.after.items())


def content_of(report: ApplyReport, create: Change) -> list[Change]:
    """A new project's other changes (no project id yet): its create's result stands for them."""
    return [
        r.change
        for r in report.results
        if r.change.project_id is None
        and r.change.aspect != "project"
        and r.change.name == create.name
    ]


def check_report_against_account(report: ApplyReport, client: QCClient, organization: str) -> None:
    for result in report.results:
        change = result.change
        unit = [change]
        if change.aspect == "project" and change.action is Action.CREATE:
            unit += content_of(report, change)
        present = all(in_account(client, organization, c) for c in unit)
        what = f"{result.outcome.value}: {change.aspect} {change.action.value} {change.name}"
        if result.outcome is Outcome.APPLIED:
            assert present, f"reported {what}, but the account does not show it"
        elif result.outcome in (Outcome.FAILED, Outcome.NOT_ATTEMPTED):
            assert not present, f"reported {what} ({result.message}), but the account shows it"


def assert_no_duplicates(client: QCClient, organization: str) -> None:
    names = [
        p.name for p in client.list_projects() if p.organization_id == organization and not p.binned
    ]
    assert len(names) == len(set(names))
    copies = [
        n for n in names if re.fullmatch(r"Chaos/.* \d+", n) and not n.startswith("Chaos/Gone")
    ]
    assert copies == [], f"copies left in the account: {copies}"


@pytest.mark.parametrize("seed", range(20))
def test_an_apply_under_random_faults_reports_the_truth_and_converges(
    emulator_factory: EmulatorFactory, tmp_path: Path, seed: int
) -> None:
    emulator = emulator_factory(fault_seconds=FAULT_SECONDS)
    seed_account(emulator)
    (tmp_path / "qcsync.yaml").write_text(CONFIG, encoding="utf-8")
    desired = load_config([tmp_path / "qcsync.yaml"], {})
    organization = emulator.preferred_organization_id
    with fast_client(emulator) as client:
        first = planned(client, desired)
        assert len(first.changes) >= 8

        emulator.set_fault_rate(0.3, random_seed=seed)
        report = apply_plan(client, first, now=NOW, backup_root=tmp_path / "backups")
        emulator.set_fault_rate(0.0)
        time.sleep(FAULT_SECONDS * 2)  # let slow answers the client gave up on land

        assert len(report.results) == len(first.changes)  # one outcome per change
        check_report_against_account(report, client, organization)
        assert_no_duplicates(client, organization)

        again = apply_plan(client, planned(client, desired), now=NOW, backup_root=tmp_path / "b2")
        assert again.ok, [(r.change.name, r.outcome, r.message) for r in again.results]
        assert planned(client, desired).changes == ()
        assert_no_duplicates(client, organization)

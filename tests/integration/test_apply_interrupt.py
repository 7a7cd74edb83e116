"""Ctrl-C during an apply, as the applier sees it: an Interrupt requested while changes run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qcsync.apply import Outcome, apply_plan
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator, Fault
from qcsync.interrupt import Interrupt
from qcsync.plan import Plan
from tests import changes as make

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(emulator.base_url, credentials, backoff=0.01) as qc:
        yield qc


def describe(emulator: Emulator, *names: str) -> Plan:
    changes = []
    for name in names:
        pid = emulator.add_project(name, description="old")
        changes.append(make.update(pid, name, "differs", description=("old", "new")))
    return Plan(emulator.preferred_organization_id, tuple(changes), unchanged=0)


def descriptions(emulator: Emulator) -> dict[str, str]:
    return {
        str(p["name"]): str(p["description"])
        for p in emulator.projects()
        if str(p["name"]).startswith("S/")
    }


def test_a_first_ctrl_c_lets_the_change_in_flight_finish_and_starts_no_other(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    plan = describe(emulator, "S/A", "S/B", "S/C")
    interrupt = Interrupt()
    notices: list[str] = []
    emulator.inject("projects/update", Fault.slow(seconds=1.0))  # S/A is in flight a while
    threading.Timer(0.1, interrupt.request).start()
    report = apply_plan(
        client,
        plan,
        now=NOW,
        parallelism=1,
        backup_root=tmp_path,
        interrupt=interrupt,
        on_notice=notices.append,
    )
    assert report.interrupted
    assert not report.ok
    assert [r.outcome for r in report.results] == [
        Outcome.APPLIED,
        Outcome.NOT_ATTEMPTED,
        Outcome.NOT_ATTEMPTED,
    ]
    assert report.results[1].message == "interrupted (Ctrl-C) before it started"
    assert notices == [
        "Interrupted: waiting for 1 change(s) in flight to finish "
        "(press Ctrl-C again to abandon them)"
    ]
    # The report matches the account.
    assert descriptions(emulator) == {"S/A": "new", "S/B": "old", "S/C": "old"}


def test_a_second_ctrl_c_abandons_those_in_flight_and_names_them(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    plan = describe(emulator, "S/A", "S/B")
    interrupt = Interrupt()
    notices: list[str] = []
    emulator.inject("projects/update", Fault.slow(seconds=3.0))
    threading.Timer(0.1, interrupt.request).start()
    threading.Timer(0.3, interrupt.request).start()
    report = apply_plan(
        client,
        plan,
        now=NOW,
        parallelism=1,
        backup_root=tmp_path,
        interrupt=interrupt,
        on_notice=notices.append,
    )
    assert [r.outcome for r in report.results] == [Outcome.UNKNOWN, Outcome.NOT_ATTEMPTED]
    assert "abandoned in flight" in report.results[0].message
    assert "run `qcsync plan`" in report.results[0].message
    assert report.seconds < 2.5  # did not wait for the slow answer
    assert notices[-1] == "Abandoned in flight: update S/A"


def test_a_ctrl_c_between_stages_starts_no_later_stage(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    pid = emulator.add_project("S/Old")
    rename = make.update(pid, "S/New", "r", old_name="S/Old")
    delete = make.delete(pid, "S/New", "pruned")
    plan = Plan(emulator.preferred_organization_id, (rename, delete), unchanged=0)
    interrupt = Interrupt()
    report = apply_plan(
        client,
        plan,
        now=NOW,
        backup_root=tmp_path,
        interrupt=interrupt,
        on_result=lambda _: interrupt.request(),
    )
    assert [r.outcome for r in report.results] == [Outcome.APPLIED, Outcome.NOT_ATTEMPTED]
    assert report.results[1].message == "interrupted (Ctrl-C) before it started"
    assert emulator.project(pid)["name"] == "S/New"  # type: ignore[index]

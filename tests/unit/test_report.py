"""The apply report: one outcome per change, counts, notes, backups, and what to run next."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcsync.errors import ApplyError, ExitCode
from qcsync.report import ApplyReport, ChangeResult, Outcome, headline, render_report
from tests import changes

CREATE = changes.create("S/A")
UPDATE = changes.update(2, "S/B", "differs", description=("x", "y"))
DELETE = changes.delete(3, "S/C", "pruned")


def report(*outcomes: Outcome, interrupted: bool = False) -> ApplyReport:
    changes = (CREATE, UPDATE, DELETE)
    return ApplyReport(
        tuple(
            ChangeResult(c, o, f"{o.value} because")
            for c, o in zip(changes, outcomes, strict=False)
        ),
        seconds=1.25,
        interrupted=interrupted,
    )


@pytest.mark.parametrize(
    ("outcomes", "interrupted", "expected"),
    [
        pytest.param(
            (Outcome.APPLIED,) * 3,
            False,
            "Apply complete: 1 created, 1 updated, 1 deleted in 1.2s.",
            id="ok",
        ),
        pytest.param(
            (Outcome.APPLIED,),
            False,
            "Apply complete: 1 created, 0 updated, 0 deleted in 1.2s.",
            id="one",
        ),
        pytest.param(
            (Outcome.APPLIED, Outcome.FAILED, Outcome.NOT_ATTEMPTED),
            False,
            "Apply failed: 1 created, 0 updated, 0 deleted; "
            "1 failed, 1 not attempted, 0 unknown (1.2s).",
            id="failed",
        ),
        pytest.param(
            (Outcome.APPLIED, Outcome.UNKNOWN, Outcome.NOT_ATTEMPTED),
            False,
            "Apply incomplete: 1 created, 0 updated, 0 deleted; "
            "0 failed, 1 not attempted, 1 unknown (1.2s).",
            id="unknown, none failed",
        ),
        pytest.param(
            (Outcome.APPLIED, Outcome.UNKNOWN, Outcome.NOT_ATTEMPTED),
            True,
            "Apply interrupted: 1 created, 0 updated, 0 deleted; "
            "0 failed, 1 not attempted, 1 unknown (1.2s).",
            id="interrupted",
        ),
        pytest.param(
            (Outcome.APPLIED,) * 3,
            True,
            "Apply interrupted: 1 created, 1 updated, 1 deleted; "
            "0 failed, 0 not attempted, 0 unknown (1.2s).",
            id="interrupted after the last change",
        ),
    ],
)
def test_the_headline_counts_every_outcome(
    outcomes: tuple[Outcome, ...], interrupted: bool, expected: str
) -> None:
    assert headline(report(*outcomes, interrupted=interrupted)) == expected


def test_a_partial_report_lists_every_change_with_its_outcome_and_what_to_run() -> None:
    text = render_report(report(Outcome.APPLIED, Outcome.UNKNOWN, Outcome.NOT_ATTEMPTED))
    lines = text.splitlines()
    assert lines[1:4] == [
        "  applied: create S/A: applied because",
        "  unknown: update S/B: unknown because",
        "  not attempted: delete S/C: not attempted because",
    ]
    assert "run `qcsync plan` to see what the account holds now" in text
    assert lines[-1] == "Run `qcsync plan` to see what is left; apply again to finish."


def test_a_complete_report_shows_notes_and_the_backup_folder_only() -> None:
    done = ApplyReport(
        (
            ChangeResult(CREATE, Outcome.APPLIED, "created (id 9)", notes=("removed a copy",)),
            ChangeResult(DELETE, Outcome.APPLIED, "deleted"),
        ),
        backup_dir=Path(".qcsync/backups/20261201T000000Z"),
        seconds=0.5,
    )
    assert render_report(done).splitlines() == [
        "Apply complete: 1 created, 0 updated, 1 deleted in 0.5s.",
        "  note: S/A: removed a copy",
        "Backups: .qcsync/backups/20261201T000000Z",
    ]


def test_apply_error_carries_the_report_and_exits_130_when_interrupted() -> None:
    partial = report(Outcome.APPLIED, Outcome.FAILED)
    assert ApplyError(partial).report is partial
    assert ApplyError(partial).exit_code is ExitCode.ERROR
    assert ApplyError(report(Outcome.APPLIED, interrupted=True)).exit_code == 130


def test_the_report_counts_applied_changes_by_aspect_as_the_plan_does() -> None:
    applied = ApplyReport(
        (
            ChangeResult(UPDATE, Outcome.APPLIED, "updated"),
            ChangeResult(changes.nodes(2, "S/B", (), ("BN-1",)), Outcome.APPLIED, "set"),
            ChangeResult(changes.nodes(4, "S/D", (), ("BN-1",)), Outcome.FAILED, "busy"),
        ),
        seconds=0.5,
    )
    assert render_report(applied).splitlines()[1] == (
        "Changes applied by aspect: project 1, nodes 1."
    )

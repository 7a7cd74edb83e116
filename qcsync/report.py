"""What an apply did: one outcome per change, and the report a user and a CI log read.

Every change ends in exactly one outcome (DESIGN.md §4):
- applied: the account shows it (an answer, or a read after the answer was lost);
- failed: the service refused it, or a read shows that it did not happen;
- not attempted: it was never sent (an earlier change failed, or the apply was interrupted);
- unknown: it was sent, and neither an answer nor a read could tell whether it happened.
A write whose answer was lost is never reported failed until a read shows it did not happen.
Pure: no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from qcsync.model import ProjectNodes
from qcsync.plan import Change, Summary, count_projects, what

# What every unknown outcome tells the user to run.
FIND_OUT = "run `qcsync plan` to see whether it happened"


class Outcome(enum.Enum):
    APPLIED = "applied"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ChangeResult:
    change: Change
    outcome: Outcome
    message: str = ""
    seconds: float = 0.0
    project_id: int | None = None
    backup: Path | None = None
    # Things the user must know besides the outcome (a duplicate qcsync made and removed).
    notes: tuple[str, ...] = ()
    # The node selection (and catalogue) the service answered this change's node write with:
    # the convergence check reads it from here instead of asking again. None: no such answer.
    nodes: ProjectNodes | None = None


@dataclass(frozen=True)
class ApplyReport:
    results: tuple[ChangeResult, ...]
    backup_dir: Path | None = None  # the folder this run's backups went to; None: none taken
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.outcome is Outcome.APPLIED for r in self.results)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    def node_answers(self) -> dict[int, ProjectNodes]:
        """Project id -> what the service answered the node writes of applied changes with."""
        return {
            r.project_id: r.nodes
            for r in self.results
            if r.outcome is Outcome.APPLIED and r.project_id is not None and r.nodes is not None
        }

    def projects(self, outcome: Outcome) -> Summary:
        """The projects with a change that ended so, counted as the plan counts them (a create
        with its nodes is one project created; a rename plus new nodes is one updated)."""
        return count_projects(r.change for r in self.results if r.outcome is outcome)


def done_words(summary: Summary) -> str:
    """`2 created, 1 updated, 0 deleted`: the plan's `2 to create, 1 to update, 0 to delete`."""
    return f"{summary.create} created, {summary.update} updated, {summary.delete} deleted"


def headline(report: ApplyReport) -> str:
    """The report's first line: how the apply ended, in the plan's own counts (projects), and
    how many projects had a change in each other outcome."""
    elapsed = f"{report.seconds:.1f}s"
    applied = done_words(report.projects(Outcome.APPLIED))
    if report.ok:
        return f"Apply complete: {applied} in {elapsed}."
    others = ", ".join(
        f"{report.projects(o).total} {o.value}" for o in Outcome if o is not Outcome.APPLIED
    )
    if report.interrupted:
        verb = "interrupted"
    elif report.count(Outcome.FAILED) or not report.count(Outcome.UNKNOWN):
        verb = "failed"
    else:
        verb = "incomplete"  # nothing failed; some outcomes could not be learned
    return f"Apply {verb}: {applied}; {others} ({elapsed})."


def result_line(result: ChangeResult) -> str:
    named = f"{what(result.change)} {result.change.name}"
    return f"{result.outcome.value}: {named}" + (f": {result.message}" if result.message else "")


def render_report(report: ApplyReport) -> str:
    """The whole report, for stdout and stderr alike (so a CI log keeps it either way)."""
    lines = [headline(report)]
    # The plan's "Changes by aspect" line, for what was applied (nothing when only projects
    # were created or deleted, as in the plan).
    by_aspect = report.projects(Outcome.APPLIED).by_aspect
    if by_aspect:
        lines.append(
            "Changes applied by aspect: " + ", ".join(f"{a} {n}" for a, n in by_aspect) + "."
        )
    for result in report.results:
        if not report.ok:
            lines.append(f"  {result_line(result)}")
        lines.extend(f"  note: {result.change.name}: {note}" for note in result.notes)
    if report.backup_dir is not None:
        lines.append(f"Backups: {report.backup_dir}")
    if report.count(Outcome.UNKNOWN):
        lines.append(
            "Some outcomes are unknown: run `qcsync plan` to see what the account holds now."
        )
    if not report.ok:
        lines.append("Run `qcsync plan` to see what is left; apply again to finish.")
    return "\n".join(lines)

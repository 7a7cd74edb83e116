"""Executes a Plan through the client: ordered stages, backups, the convergence check.

A saved plan reaches here only as the fresh plan it was found equal to (planfile.py).

The plan is applied in its stages (renames, creates, other updates and node selections, deletes;
a chain of renames one link per stage), each stage's changes concurrently up to `parallelism`.
After a failure, an outcome that could not be learned, or a Ctrl-C, no new change is started and
those in flight finish (a second Ctrl-C abandons them); the report gives every change one
outcome (report.py). Progress goes out through callbacks; this module never prints.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from qcsync.aspects import aspect_named, aspect_of, creates_needed
from qcsync.aspects.base import Aspect, Execution, UnknownOutcome
from qcsync.backup import DEFAULT_BACKUP_ROOT, take_backup
from qcsync.backupdir import RunFolder
from qcsync.client import QCClient
from qcsync.concurrency import DEFAULT_PARALLELISM
from qcsync.errors import QcsyncError
from qcsync.filebackup import FileBackups
from qcsync.interrupt import Interrupt
from qcsync.model import DesiredProject, LiveProject, LiveState, ProjectNodes
from qcsync.plan import PROJECT, Action, Change, Plan, stages, what
from qcsync.report import FIND_OUT, ApplyReport, ChangeResult, Outcome
from qcsync.state import read_aspects

__all__ = [
    "ApplyReport",
    "ChangeResult",
    "Outcome",
    "apply_plan",
    "verify_applied",
]


@dataclass
class _Run:
    """One apply: what its changes execute with, and how Ctrl-C and notices reach it."""

    execution: Execution
    interrupt: Interrupt
    on_notice: Callable[[str], None]


def _reread(
    client: QCClient,
    plan: Plan,
    wanted: dict[str, set[int]],
    parallelism: int,
    known: Mapping[int, object] | None = None,
) -> LiveState:
    """The organization's projects again, and each named aspect's read of the given ids."""
    projects = tuple(p for p in client.list_projects() if p.organization_id == plan.organization_id)
    live_ids = {p.id for p in projects}
    reads: dict[Aspect, tuple[list[DesiredProject], set[int]]] = {}
    for name, ids in wanted.items():
        aspect = aspect_named(name)
        if aspect is not None and ids & live_ids:
            reads[aspect] = ([], ids & live_ids)
    return read_aspects(client, plan.organization_id, projects, reads, parallelism, known)


# --- execution --------------------------------------------------------------------------------


def _execute(run: Execution, change: Change) -> ChangeResult:
    """One change through its aspect; every way it can end is one outcome (report.py)."""
    started = time.monotonic()
    pid = change.project_id
    backup: Path | None = None
    notes: tuple[str, ...] = ()
    nodes: ProjectNodes | None = None
    try:
        done = aspect_of(change).execute(run, change)
    except UnknownOutcome as error:
        outcome, message = Outcome.UNKNOWN, str(error)
    except QcsyncError as error:
        outcome, message = Outcome.FAILED, str(error)
    else:
        outcome, message = Outcome.APPLIED, done.message
        pid, backup, notes = done.project_id, done.backup, done.notes
        if isinstance(done.answer, ProjectNodes):
            nodes = done.answer
    if pid is None:
        pid = run.created.get(change.name)
    if backup is None and pid is not None:
        backup = run.backups.get(pid)
    seconds = time.monotonic() - started
    return ChangeResult(change, outcome, message, seconds, pid, backup, notes, nodes)


Unit = tuple[Change, ...]  # a change, or a project's create followed by its new content


def units(changes: Sequence[Change]) -> list[Unit]:
    """The changes as they are executed: a new project's content (its other aspects' changes,
    with no project id yet) runs right after its create, as part of it, so that the create is
    what failed when its content could not be set."""
    heads: dict[str, list[Change]] = {}
    result: list[list[Change]] = []
    for change in changes:
        if change.project_id is None and change.aspect != PROJECT and change.name in heads:
            heads[change.name].append(change)
            continue
        unit = [change]
        if change.aspect == PROJECT and change.action is Action.CREATE:
            heads[change.name] = unit
        result.append(unit)
    return [tuple(unit) for unit in result]


EARLIER = "an earlier change did not succeed"
INTERRUPTED = "interrupted (Ctrl-C) before it started"
ABANDONED = f"abandoned in flight (a second Ctrl-C); it may or may not have happened: {FIND_OUT}"


def _not_attempted(changes: Iterable[Change], reason: str = EARLIER) -> list[ChangeResult]:
    return [ChangeResult(change, Outcome.NOT_ATTEMPTED, reason) for change in changes]


def _execute_unit(run: Execution, unit: Unit) -> list[ChangeResult]:
    """A unit's results, the first standing for the whole unit (progress shows that one)."""
    head = _execute(run, unit[0])
    if len(unit) == 1:
        return [head]
    if head.outcome is not Outcome.APPLIED:
        return [head, *_not_attempted(unit[1:], "its project was not created")]
    results = [head]
    done = [head.message]
    for index, content in enumerate(unit[1:], start=1):
        result = _execute(run, content)
        results.append(result)
        summary = replace(
            head,
            seconds=head.seconds + sum(r.seconds for r in results[1:]),
            notes=tuple(n for r in results for n in r.notes),
        )
        if result.outcome is Outcome.APPLIED:
            done.append(result.message)
            results[0] = replace(summary, message="; ".join(done))
            continue
        noun = aspect_of(content).noun
        if result.outcome is Outcome.UNKNOWN:
            message = f"{head.message}, but whether its {noun} was set is unknown: {result.message}"
        else:
            message = f"{head.message}, but setting its {noun} failed: {result.message}"
        results[0] = replace(summary, outcome=result.outcome, message=message)
        results.extend(_not_attempted(unit[index + 1 :]))
        break
    return results


def _work(run: _Run, unit: Unit, finished: queue.Queue[list[ChangeResult] | BaseException]) -> None:
    try:
        finished.put(_execute_unit(run.execution, unit))
    except BaseException as error:
        finished.put(error)


def _list_for_deletes(run: Execution, stage: Sequence[Unit]) -> None:
    """One project list for all the deletes of a stage, rather than a read per delete."""
    if not any(c.aspect == PROJECT and c.action is Action.DELETE for u in stage for c in u):
        return
    try:
        run.listed = {p.id: p for p in run.client.list_projects()}
    except QcsyncError as error:
        run.listed = str(error)


def _run_stage(
    run: _Run,
    stage: Sequence[Unit],
    parallelism: int,
    on_result: Callable[[ChangeResult], None],
) -> tuple[list[ChangeResult], bool]:
    """Run one stage, each unit in a worker thread; return its results and whether to stop.

    After a failure, an unknown outcome or a first Ctrl-C, nothing new starts and those in
    flight finish; after a second Ctrl-C those in flight are abandoned. Workers are daemon
    threads, so an abandoned request does not keep the process alive.
    """
    results: list[ChangeResult] = []
    stopped = False
    _list_for_deletes(run.execution, stage)
    finished: queue.Queue[list[ChangeResult] | BaseException] = queue.Queue()
    in_flight: dict[int, Unit] = {}
    waiting: Iterator[Unit] = iter(stage)
    noticed = False
    while True:
        while not stopped and not run.interrupt.stop.is_set() and len(in_flight) < parallelism:
            unit = next(waiting, None)
            if unit is None:
                break
            in_flight[id(unit[0])] = unit
            threading.Thread(
                target=_work, args=(run, unit, finished), name="qcsync-apply", daemon=True
            ).start()
        if not in_flight:
            break
        if run.interrupt.stop.is_set() and not noticed:
            noticed = True
            run.on_notice(
                f"Interrupted: waiting for {len(in_flight)} change(s) in flight to finish "
                "(press Ctrl-C again to abandon them)"
            )
        if run.interrupt.abandon.is_set():
            abandoned = list(in_flight.values())
            run.on_notice(
                "Abandoned in flight: " + ", ".join(f"{what(u[0])} {u[0].name}" for u in abandoned)
            )
            for unit in abandoned:
                results.extend(ChangeResult(c, Outcome.UNKNOWN, ABANDONED) for c in unit)
                on_result(ChangeResult(unit[0], Outcome.UNKNOWN, ABANDONED))
            left = [c for unit in waiting for c in unit]
            return [*results, *_not_attempted(left, INTERRUPTED)], True
        try:
            answer = finished.get(timeout=0.05)
        except queue.Empty:
            continue
        if isinstance(answer, BaseException):
            raise answer  # a bug in a worker: surface it as the thread pool would
        head = answer[0]
        del in_flight[id(head.change)]
        results.extend(answer)
        on_result(head)
        stopped = stopped or head.outcome in (Outcome.FAILED, Outcome.UNKNOWN)
    interrupted = run.interrupt.stop.is_set()
    reason = INTERRUPTED if interrupted and not stopped else EARLIER
    left = [c for unit in waiting for c in unit]
    return [*results, *_not_attempted(left, reason)], stopped or interrupted


def apply_plan(
    client: QCClient,
    plan: Plan,
    *,
    now: datetime | None = None,
    parallelism: int = DEFAULT_PARALLELISM,
    backup_root: Path = DEFAULT_BACKUP_ROOT,
    on_result: Callable[[ChangeResult], None] = lambda _: None,
    interrupt: Interrupt | None = None,
    on_notice: Callable[[str], None] = lambda _: None,
) -> ApplyReport:
    """Apply the plan stage by stage; `interrupt` is how Ctrl-C reaches the workers' manager,
    `on_notice` how it says that it is waiting or abandoning. Its backups go into a run folder
    of its own under `backup_root`, named for `now` (by default the time it starts)."""
    started = time.monotonic()
    folder = RunFolder(backup_root, now)
    execution = Execution(
        client,
        plan.organization_id,
        take_backup=lambda project: take_backup(client, project, folder.claim(), folder.now),
        file_backups=FileBackups(folder),
        changes=plan.changes,
    )
    run = _Run(execution, interrupt or Interrupt(), on_notice)
    by_change: dict[int, ChangeResult] = {}
    stop = False
    executed = units(plan.changes)
    unit_of = {id(unit[0]): unit for unit in executed}
    # Staged by the units' heads; what a create waits for is in its unit's content (its links).
    for heads in stages([unit[0] for unit in executed], creates_needed(plan.changes)):
        stage = [unit_of[id(c)] for c in heads]
        if stop or run.interrupt.stop.is_set():
            failed = any(r.outcome in (Outcome.FAILED, Outcome.UNKNOWN) for r in by_change.values())
            reason = EARLIER if failed else INTERRUPTED
            members = [c for unit in stage for c in unit]
            by_change.update((id(r.change), r) for r in _not_attempted(members, reason))
            continue
        results, stop = _run_stage(run, stage, parallelism, on_result)
        by_change.update((id(r.change), r) for r in results)
    final = tuple(by_change[id(c)] for c in plan.changes)
    # Deletes back a project up whole, file writes the text they overwrite: either way the
    # report names the folder, so nobody has to look for what an apply kept.
    file_backups = execution.file_backups
    backed_up = any(r.backup is not None for r in final) or bool(
        file_backups and file_backups.paths
    )
    return ApplyReport(
        final,
        backup_dir=folder.path if backed_up else None,
        seconds=time.monotonic() - started,
        interrupted=run.interrupt.stop.is_set(),
    )


# --- convergence --------------------------------------------------------------------------------


def verify_applied(
    client: QCClient,
    plan: Plan,
    parallelism: int = DEFAULT_PARALLELISM,
    known: Mapping[int, object] | None = None,
) -> list[str]:
    """Re-read the projects a plan touched and list every change whose result is not there;
    each change's aspect says whether the re-read project shows it. `known`: answers already
    in hand (the apply's node writes), by project id.
    """
    first = _reread(client, plan, {}, parallelism)
    by_name = {p.name: p for p in first.projects}
    by_id = {p.id: p for p in first.projects}

    def project_of(change: Change) -> LiveProject | None:
        if change.project_id is None:  # a change to a project the plan created
            return by_name.get(change.name)
        return by_id.get(change.project_id)

    wanted: dict[str, set[int]] = {}
    for change in plan.changes:
        project = project_of(change)
        if project is not None and change.aspect != PROJECT:
            wanted.setdefault(change.aspect, set()).add(project.id)
    live = _reread(client, plan, wanted, parallelism, known) if wanted else first
    problems: list[str] = []
    for change in plan.changes:
        label = f"{what(change)} {change.name}"
        project = project_of(change)
        if change.aspect == PROJECT and change.action is Action.DELETE:
            # Gone (the old service) or in the Recycle Bin (today's): both are a done delete.
            if project is not None and not project.binned:
                problems.append(f"{label}: the project still exists")
            continue
        if project is None or project.binned:
            problems.append(f"{label}: the project is not there")
            continue
        if live is not first:
            project = next((p for p in live.projects if p.id == project.id), project)
        problems.extend(f"{label}: {p}" for p in aspect_of(change).verify(change, project, live))
    return problems

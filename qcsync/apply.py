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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar, assert_never

from qcsync.backup import DEFAULT_BACKUP_ROOT, backup_run_directory, take_backup
from qcsync.client import CreatedProject, QCClient
from qcsync.concurrency import DEFAULT_PARALLELISM, bounded_map, concurrently
from qcsync.errors import AmbiguousWriteError, QcsyncError
from qcsync.interrupt import Interrupt
from qcsync.model import LiveProject, ProjectFile, ProjectNodes
from qcsync.plan import Action, Change, Plan, node_ids, stages
from qcsync.readback import delete_landed, find_created, nodes_landed, update_landed
from qcsync.report import FIND_OUT, ApplyReport, ChangeResult, Outcome

__all__ = [
    "ApplyReport",
    "ChangeResult",
    "Outcome",
    "apply_plan",
    "verify_applied",
]

T = TypeVar("T")


@dataclass
class _Run:
    client: QCClient
    plan: Plan
    backup_dir: Path
    now: datetime
    interrupt: Interrupt
    on_notice: Callable[[str], None]
    # Creates record their new ids here so that a new project's node selection can follow.
    created: dict[str, int] = field(default_factory=dict)
    # The organization's projects as read once at the start of a stage with deletes (not once
    # per delete): what each delete checks for live trading and the Recycle Bin. A string: why
    # that read failed.
    listed: dict[int, LiveProject] | str = field(default_factory=dict)


# --- execution --------------------------------------------------------------------------------


class _UnknownOutcome(QcsyncError):
    """A change that was sent, whose outcome neither an answer nor a read could tell."""


def _confirmed(client: QCClient, write: Callable[[], T], landed: Callable[[], bool]) -> T | None:
    """Send a write; if its answer was lost, read back whether it landed, for as long as a slow
    write may take to land.

    Returns the write's answer, or None when it was lost and a read shows the write landed;
    raises QcsyncError (failed) when a read shows it did not happen, _UnknownOutcome when that
    read fails too.
    """
    try:
        return write()
    except AmbiguousWriteError as error:
        try:
            happened = client.settled(landed)
        except QcsyncError as read_error:
            raise _UnknownOutcome(
                f"{error}; reading back whether it happened failed too ({read_error}); {FIND_OUT}"
            ) from None
        if not happened:
            raise QcsyncError(f"{error}; a read afterwards shows it did not happen") from None
        return None


def _remove_copy(run: _Run, copy: LiveProject) -> str:
    """Delete a duplicate that this apply's own resent create made (it is empty and ours)."""
    what = f"the duplicate {copy.name!r} (id {copy.id}) that qcsync's resent create made"
    try:
        run.client.delete_project(copy.id)
    except QcsyncError as error:
        return f"{what} could not be removed ({error}): delete it by hand"
    return f"removed {what}"


def _create(run: _Run, change: Change, notes: list[str]) -> tuple[str, int, ProjectNodes | None]:
    """Create the project, then its description and nodes; returns the message, the new id and
    the answer of its node write (None when it sets none, or that answer was lost)."""
    language = str(change.after("language") or "Py")
    organization = run.plan.organization_id
    try:
        created = run.client.create_project_checked(change.name, language, organization)
    except AmbiguousWriteError as error:
        try:
            found = find_created(run.client, change.name, organization)
        except QcsyncError as read_error:
            raise _UnknownOutcome(
                f"{error}; reading back failed too ({read_error}); {FIND_OUT}"
            ) from None
        if found is None:
            # Not there yet is no proof: a slow create may still land.
            raise _UnknownOutcome(f"{error}; {FIND_OUT}") from None
        created = CreatedProject(found, found_by_read=True)
    project = created.project
    if created.resent:
        notes.append(
            "the create's answer was lost and no read found the project, so it was sent again"
        )
    notes.extend(_remove_copy(run, copy) for copy in created.copies)
    if project.name != change.name:
        # The service does not refuse a duplicate name: it creates "NAME 1". Undo that at once
        # (the new project is empty) and name the project that holds the name.
        try:
            run.client.delete_project(project.id)
        except QcsyncError as error:
            raise QcsyncError(
                f"conflict: the name is already taken; the service created a duplicate "
                f"{project.name!r} (id {project.id}) and deleting it failed ({error}): "
                "delete it by hand"
            ) from None
        holder = next(
            (
                p
                for p in run.client.list_projects()
                if p.name == change.name and p.organization_id == organization
            ),
            None,
        )
        held = f" by project {holder.id}" if holder else ""
        raise QcsyncError(
            f"conflict: the name is already taken{held}; the service created a duplicate "
            f"{project.name!r} (id {project.id}), which qcsync deleted again (it waits in the "
            "Recycle Bin)"
        )
    run.created[change.name] = project.id
    description = change.after("description")
    if isinstance(description, str) and description:
        pid = project.id
        try:
            _confirmed(
                run.client,
                lambda: run.client.update_project(pid, description=description),
                lambda: update_landed(run.client, pid, name=None, description=description),
            )
        except _UnknownOutcome as error:
            raise _UnknownOutcome(
                f"created (id {pid}), but whether its description was set is unknown: {error}"
            ) from None
        except QcsyncError as error:
            raise QcsyncError(
                f"created (id {pid}), but setting its description failed: {error}"
            ) from None
    made = f"created (id {project.id}"
    if created.found_by_read:
        made += "; its answer was lost and a read found it"
    nodes = change.after("nodes")
    if isinstance(nodes, tuple) and nodes:
        ids = list(nodes)
        pid = project.id
        try:
            answer = _confirmed(
                run.client,
                lambda: run.client.update_project_nodes(pid, ids),
                lambda: nodes_landed(run.client, pid, ids),
            )
        except _UnknownOutcome as error:
            raise _UnknownOutcome(
                f"{made}), but whether its node selection was set is unknown: {error}"
            ) from None
        except QcsyncError as error:
            raise QcsyncError(f"{made}), but setting its node selection failed: {error}") from None
        return f"{made}) with {len(nodes)} nodes", project.id, answer
    return f"{made})", project.id, None


def _project_id(run: _Run, change: Change) -> int:
    if change.project_id is not None:
        return change.project_id
    pid = run.created.get(change.name)
    if pid is None:
        raise QcsyncError("its project was not created")
    return pid


def _execute(run: _Run, change: Change) -> ChangeResult:
    started = time.monotonic()
    backup: Path | None = None
    pid = change.project_id
    client = run.client
    notes: list[str] = []
    nodes: ProjectNodes | None = None
    try:
        match change.action:
            case Action.CREATE:
                message, pid, nodes = _create(run, change, notes)
            case Action.UPDATE:
                pid = _project_id(run, change)
                after_name, after_description = change.after("name"), change.after("description")
                name = after_name if isinstance(after_name, str) else None
                description = after_description if isinstance(after_description, str) else None
                target = pid
                _confirmed(
                    run.client,
                    lambda: client.update_project(target, name=name, description=description),
                    lambda: update_landed(client, target, name=name, description=description),
                )
                message = "renamed" if change.is_rename else "updated"
            case Action.NODES:
                pid = _project_id(run, change)
                after = change.after("nodes")
                ids = list(after) if isinstance(after, tuple) else []
                target = pid
                nodes = _confirmed(
                    run.client,
                    lambda: client.update_project_nodes(target, ids),
                    lambda: nodes_landed(client, target, ids),
                )
                message = "node selection set" if ids else "node selection set to auto"
            case Action.DELETE:
                pid = _project_id(run, change)
                project = _listed(run, pid)
                if project.binned:
                    # Deleted meanwhile; a second delete could purge it from the bin for good.
                    return ChangeResult(
                        change,
                        Outcome.APPLIED,
                        f"already in the Recycle Bin as {project.name!r}; not sent again",
                        time.monotonic() - started,
                        pid,
                    )
                if project.code_running and not change.live:
                    raise QcsyncError("live trading started since the plan was made; not deleted")
                backup = take_backup(project, _backup_reads(client, pid), run.backup_dir, run.now)
                target = pid
                _confirmed(
                    run.client,
                    lambda: client.delete_project(target),
                    lambda: delete_landed(client, target),
                )
                message = f"deleted (backup {backup}; `qcsync restore` brings it back)"
            case _ as unreachable:
                assert_never(unreachable)
    except _UnknownOutcome as error:
        outcome, message = Outcome.UNKNOWN, str(error)
    except QcsyncError as error:
        outcome, message = Outcome.FAILED, str(error)
    else:
        outcome = Outcome.APPLIED
    return ChangeResult(
        change, outcome, message, time.monotonic() - started, pid, backup, tuple(notes), nodes
    )


def _work(run: _Run, change: Change, finished: queue.Queue[ChangeResult | BaseException]) -> None:
    try:
        finished.put(_execute(run, change))
    except BaseException as error:
        finished.put(error)


INTERRUPTED = "interrupted (Ctrl-C) before it started"
ABANDONED = f"abandoned in flight (a second Ctrl-C); it may or may not have happened: {FIND_OUT}"


def _listed(run: _Run, project_id: int) -> LiveProject:
    if isinstance(run.listed, str):
        raise QcsyncError(
            f"reading the projects before deleting failed ({run.listed}); not deleted"
        )
    project = run.listed.get(project_id)
    if project is None:
        raise QcsyncError(f"project {project_id} no longer exists; nothing to delete")
    return project


def _backup_reads(
    client: QCClient, project_id: int
) -> Callable[[], tuple[ProjectNodes, tuple[ProjectFile, ...]]]:
    """The backup's two reads, sent together: a delete is then 3 requests in 2 round trips."""
    return lambda: concurrently(
        lambda: client.read_project_nodes(project_id), lambda: client.read_files(project_id)
    )


def _list_for_deletes(run: _Run, changes: Sequence[Change]) -> None:
    if not any(c.action is Action.DELETE for c in changes):
        return
    try:
        run.listed = {p.id: p for p in run.client.list_projects()}
    except QcsyncError as error:
        run.listed = str(error)


def _run_stage(
    run: _Run,
    changes: Sequence[Change],
    parallelism: int,
    on_result: Callable[[ChangeResult], None],
) -> tuple[list[ChangeResult], bool]:
    """Run one stage, each change in a worker thread; return its results and whether to stop.

    After a failure, an unknown outcome or a first Ctrl-C, nothing new starts and those in
    flight finish; after a second Ctrl-C those in flight are abandoned. Workers are daemon
    threads, so an abandoned request does not keep the process alive.
    """
    results: list[ChangeResult] = []
    stopped = False
    _list_for_deletes(run, changes)
    finished: queue.Queue[ChangeResult | BaseException] = queue.Queue()
    in_flight: dict[int, Change] = {}
    waiting: Iterator[Change] = iter(changes)
    noticed = False
    while True:
        while not stopped and not run.interrupt.stop.is_set() and len(in_flight) < parallelism:
            change = next(waiting, None)
            if change is None:
                break
            in_flight[id(change)] = change
            threading.Thread(
                target=_work, args=(run, change, finished), name="qcsync-apply", daemon=True
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
                "Abandoned in flight: " + ", ".join(f"{c.action.value} {c.name}" for c in abandoned)
            )
            for change in abandoned:
                results.append(ChangeResult(change, Outcome.UNKNOWN, ABANDONED))
                on_result(results[-1])
            return [*results, *_not_attempted(waiting, INTERRUPTED)], True
        try:
            answer = finished.get(timeout=0.05)
        except queue.Empty:
            continue
        if isinstance(answer, BaseException):
            raise answer  # a bug in a worker: surface it as the thread pool would
        result = answer
        del in_flight[id(result.change)]
        results.append(result)
        on_result(result)
        stopped = stopped or result.outcome in (Outcome.FAILED, Outcome.UNKNOWN)
    interrupted = run.interrupt.stop.is_set()
    reason = INTERRUPTED if interrupted and not stopped else "an earlier change did not succeed"
    return [*results, *_not_attempted(waiting, reason)], stopped or interrupted


def _not_attempted(changes: Iterable[Change], reason: str) -> list[ChangeResult]:
    return [ChangeResult(change, Outcome.NOT_ATTEMPTED, reason) for change in changes]


def apply_plan(
    client: QCClient,
    plan: Plan,
    *,
    now: datetime,
    parallelism: int = DEFAULT_PARALLELISM,
    backup_root: Path = DEFAULT_BACKUP_ROOT,
    on_result: Callable[[ChangeResult], None] = lambda _: None,
    interrupt: Interrupt | None = None,
    on_notice: Callable[[str], None] = lambda _: None,
) -> ApplyReport:
    """Apply the plan stage by stage; `interrupt` is how Ctrl-C reaches the workers' manager,
    `on_notice` how it says that it is waiting or abandoning."""
    started = time.monotonic()
    directory = backup_run_directory(backup_root, now)
    run = _Run(client, plan, directory, now, interrupt or Interrupt(), on_notice)
    by_change: dict[int, ChangeResult] = {}
    stop = False
    for changes in stages(plan.changes):
        if stop or run.interrupt.stop.is_set():
            reason = "an earlier change did not succeed" if stop else INTERRUPTED
            by_change.update((id(r.change), r) for r in _not_attempted(changes, reason))
            continue
        results, stop = _run_stage(run, changes, parallelism, on_result)
        by_change.update((id(r.change), r) for r in results)
    final = tuple(by_change[id(c)] for c in plan.changes)
    backed_up = any(r.backup is not None for r in final)
    return ApplyReport(
        final,
        backup_dir=run.backup_dir if backed_up else None,
        seconds=time.monotonic() - started,
        interrupted=run.interrupt.stop.is_set(),
    )


# --- convergence --------------------------------------------------------------------------------


def verify_applied(
    client: QCClient,
    plan: Plan,
    parallelism: int = DEFAULT_PARALLELISM,
    known: Mapping[int, ProjectNodes] | None = None,
) -> list[str]:
    """Re-read the projects a plan touched and list every change whose result is not there.

    This is the convergence check for `apply PLANFILE`, which has no config to re-plan from.
    `known`: node answers already in hand (the apply's node writes), by project id.
    """
    live = {p.id: p for p in client.list_projects() if p.organization_id == plan.organization_id}
    by_name = {p.name: p for p in live.values()}

    def project_of(change: Change) -> LiveProject | None:
        if change.project_id is None:  # a change to a project the plan created
            return by_name.get(change.name)
        return live.get(change.project_id)

    given = known or {}
    ids = sorted(
        {
            project.id
            for c in plan.changes
            if any(f.field == "nodes" for f in c.fields)
            and (project := project_of(c)) is not None
            and project.id not in given
        }
    )
    answers = bounded_map(client.read_project_nodes, ids, parallelism)
    selections = {pid: a.selection for pid, a in zip(ids, answers, strict=True)}
    selections.update((pid, answer.selection) for pid, answer in given.items())
    problems: list[str] = []
    for change in plan.changes:
        what = f"{change.action.value} {change.name}"
        project = project_of(change)
        if change.action is Action.DELETE:
            # Gone (the old service) or in the Recycle Bin (today's): both are a done delete.
            if project is not None and not project.binned:
                problems.append(f"{what}: the project still exists")
            continue
        if project is None or project.binned:
            problems.append(f"{what}: the project is not there")
            continue
        for fc in change.fields:
            if fc.field == "nodes":
                selection = selections.get(project.id)
                actual: object = None if selection is None else node_ids(selection)
            else:
                actual = getattr(project, fc.field)
            if actual != fc.after:
                problems.append(f"{what}: {fc.field} is {actual!r}, expected {fc.after!r}")
    return problems

"""`qcsync restore`: bring a deleted project back, from the Recycle Bin or from its backup.

Two ways (DESIGN.md §3, qc-api.md §4.4):
- while QuantConnect still holds the project in its Recycle Bin (30 days), rename it back: same
  id, so its backtests, live history and links come back too;
- after it was purged (or on the old service, which deleted at once), recreate it from the
  backup: a new id with the backup's language, description, files, node selection,
  parameters, library links and collaborators.

Restore keeps identity, as the planner does: it renames the project back, or creates the empty
project under its journal. The content then comes back through the aspects, as an apply's
does: the backup becomes one config entry (each aspect's `from_backup`, restorecheck.py), its id
pinned to the restored project; the live state is read for it, each aspect leaves out what the
organization no longer has (`available`: a warning each, in the result), and the entry is
planned with each aspect's diff, executed through each aspect's `execute` and re-planned, which
must find nothing left to do.

The whole backup (and `--name`, by the config's name rules) is checked before the first write.
A recreate records its progress in a journal beside the backup (`BACKUP.restoring`) before it
creates anything, so a restore that stops part-way says what it created and left, and running
the same command again finishes that project instead of refusing on the name it took (and, once
done, says it is already restored).

Nothing in a backup decides on its own what may be touched: the project renamed back must be
in the backup's organization, in the bin, under the bin name of the backup's project; a
journal's project must still carry the target name in that organization.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from qcsync.aspects import aspect_of
from qcsync.aspects.base import Execution
from qcsync.aspects.names import name_holder
from qcsync.aspects.projectcreate import remove_copy
from qcsync.backup import DEFAULT_BACKUP_ROOT, take_backup
from qcsync.backupdir import RunFolder
from qcsync.client import QCClient
from qcsync.errors import AmbiguousWriteError, ExitCode, QcsyncError
from qcsync.filebackup import BackedUpWhole
from qcsync.model import (
    RECYCLE_BIN,
    DesiredState,
    LiveProject,
    LiveState,
    in_recycle_bin,
)
from qcsync.plan import Action, Change, Plan, what
from qcsync.planner import plan
from qcsync.restorecheck import Wanted, bin_name_matches, check_backup
from qcsync.restorejournal import journal_path, read_journal, write_journal
from qcsync.restorelist import Listed, list_backups
from qcsync.state import read_live_state

__all__ = [
    "How",
    "Listed",
    "RestoreError",
    "RestoreInterrupted",
    "RestoreResult",
    "check_backup",
    "list_backups",
    "restore",
]


class How(Enum):
    RECYCLE_BIN = "from the Recycle Bin"
    RECREATED = "recreated from the backup"
    ALREADY = "already restored"


class RestoreError(QcsyncError):
    """A restore that stopped part-way: the message says what it left and how to finish."""


class RestoreInterrupted(RestoreError):
    """Ctrl-C part-way: the same account of what was left, exit 130 like an interrupted apply."""

    exit_code = ExitCode.INTERRUPTED


CTRL_C = "interrupted (Ctrl-C)"


@dataclass(frozen=True)
class RestoreResult:
    project: LiveProject
    how: How
    files: int = 0
    resumed: bool = False  # a recreate that an earlier run had left part-way
    notes: tuple[str, ...] = ()  # what else the restore did: a resent create, a removed copy
    # What the aspects left out, one line each: a backed-up node or library the organization
    # no longer has (each aspect's `available`).
    warnings: tuple[str, ...] = ()


# --- restoring -----------------------------------------------------------------------------------


def restore(
    client: QCClient,
    backup: Path,
    document: Mapping[str, Any],
    *,
    name: str | None = None,
    tokens: Collection[str] = (),
) -> RestoreResult:
    """`tokens`: the API tokens no value of the backup may hold (config.variables.api_tokens)."""
    wanted = check_backup(document, name, str(backup), tokens)
    journal = journal_path(backup)
    progress = read_journal(journal)
    projects = client.list_projects()
    in_org = [p for p in projects if p.organization_id == wanted.organization_id]
    # The one comparison of names for "is it taken" (aspects.names.name_key), as plans use.
    holder = name_holder(in_org, wanted.name)

    if progress is not None and progress["name"] == wanted.name:
        earlier = progress.get("project_id")
        mine = next(
            (p for p in in_org if p.name == wanted.name and p.id == earlier),
            # The journal was written before the create; its answer never came back.
            holder if earlier is None and holder is not None else None,
        )
        if mine is not None and progress.get("done") is True:
            return RestoreResult(mine, How.ALREADY)
        if mine is not None:
            write_journal(journal, {"name": wanted.name, "project_id": mine.id})
            return _finish(client, mine, wanted, journal, backup, name, resumed=True)
    if progress is not None:
        journal.unlink(missing_ok=True)  # what it recorded is gone: start afresh

    original = next((p for p in projects if p.id == wanted.project_id), None)
    if original is not None:
        return _from_bin(client, original, holder, wanted, backup, name)
    if holder is not None:
        raise QcsyncError(
            f"a project named {holder.name!r} already exists (id {holder.id}); "
            "restore under another name with --name"
        )
    write_journal(journal, {"name": wanted.name, "project_id": None})
    try:
        made = client.create_project_checked(wanted.name, wanted.language, wanted.organization_id)
    except (AmbiguousWriteError, KeyboardInterrupt) as error:
        stopped = isinstance(error, KeyboardInterrupt)
        raise (RestoreInterrupted if stopped else RestoreError)(
            (
                f"{CTRL_C} while creating {wanted.name!r}: whether it was created is unknown\n"
                if stopped
                else f"creating {wanted.name!r} failed: {error}\n"
            )
            + f"run {_command(backup, name)} again: it finishes the project if the create "
            f"landed after all ({journal} records it), and creates it otherwise"
        ) from None
    except QcsyncError as error:
        # The service refused it, or no attempt reached it: nothing was created, so no later
        # run may take a project that gets this name meanwhile for this restore's own.
        journal.unlink(missing_ok=True)
        raise RestoreError(
            f"creating {wanted.name!r} failed: {error}\nnothing was created; "
            f"run {_command(backup, name)} again once that is fixed"
        ) from None
    created = made.project
    # A resent create may have landed twice: the copy is ours and empty, so it goes, said so.
    notes = (
        ("the create's answer was lost and no read found the project, so it was sent again",)
        if made.resent
        else ()
    ) + tuple(remove_copy(client, copy) for copy in made.copies)
    if created.name != wanted.name:
        journal.unlink(missing_ok=True)
        raise QcsyncError(
            f"the service created the project as {created.name!r} (id {created.id}), because "
            f"{wanted.name!r} was taken meanwhile; delete it, or restore it with --name"
        )
    write_journal(journal, {"name": wanted.name, "project_id": created.id})
    result = _finish(client, created, wanted, journal, backup, name, resumed=False)
    return dataclasses.replace(result, notes=notes)


def _from_bin(
    client: QCClient,
    original: LiveProject,
    holder: LiveProject | None,
    wanted: Wanted,
    backup: Path,
    name: str | None,
) -> RestoreResult:
    if original.organization_id != wanted.organization_id:
        raise QcsyncError(
            f"project id {original.id} belongs to another organization than the backup says; "
            "not restored"
        )
    if not original.binned:
        if original.name == wanted.name:
            return RestoreResult(original, How.ALREADY)
        raise QcsyncError(
            f"project id {original.id} exists as {original.name!r} and is not in the Recycle "
            "Bin: there is nothing to restore"
        )
    if not bin_name_matches(original.name, wanted.original_name):
        raise QcsyncError(
            f"project id {original.id} is in the Recycle Bin as {original.name!r}, not as the "
            f"backup's {RECYCLE_BIN + wanted.original_name!r}; not restored"
        )
    if holder is not None:
        raise QcsyncError(
            f"{original.name!r} (id {original.id}) is in the Recycle Bin, but {holder.name!r} "
            f"is taken by project {holder.id}; restore under another name with --name"
        )
    try:
        client.update_project(original.id, name=wanted.name)
        back = client.read_project(original.id)
    except (QcsyncError, KeyboardInterrupt) as error:
        stopped = isinstance(error, KeyboardInterrupt)
        raise (RestoreInterrupted if stopped else RestoreError)(
            f"renaming {original.name!r} (id {original.id}) back to {wanted.name!r} "
            + (f"was {CTRL_C}: it may or may not have happened" if stopped else f"failed: {error}")
            + f"\nnothing else was changed; run {_command(backup, name)} again to finish"
        ) from None
    if back.name != wanted.name or in_recycle_bin(back.name):
        raise RestoreError(
            f"project {original.id} reads back as {back.name!r} after renaming it to "
            f"{wanted.name!r}; run {_command(backup, name)} again to finish"
        )
    return RestoreResult(back, How.RECYCLE_BIN)


def _finish(
    client: QCClient,
    project: LiveProject,
    wanted: Wanted,
    journal: Path,
    backup: Path,
    name: str | None,
    *,
    resumed: bool,
) -> RestoreResult:
    """Make a recreated project what the backup says, as an apply makes a project what its
    config entry says: read, plan, execute each change through its aspect, re-plan. A rerun
    plans only what is still missing."""
    if project.code_running:
        # Only a resumed restore can get here with it: a journal, a file anyone beside the
        # backup can write, names a project the restore did not create (a new one runs
        # nothing). A restore overwrites a live deployment's project on nobody's word.
        raise RestoreError(
            f"project {project.id} ({project.name!r}), which the restore journal {journal} "
            "names, is running live trading: it is not one this restore created, and nothing "
            "was written to it; delete the journal and restore with --name"
        )
    planned_changes: tuple[Change, ...] = ()
    made: Counter[str] = Counter()  # changes made, by aspect name
    notes: tuple[str, ...] = ()
    step = "reading it"
    try:
        desired, live = _read(client, wanted, project.id)
        wanted = wanted.available(live)
        desired = dataclasses.replace(desired, projects=(wanted.entry(project.id),))
        planned = plan(desired, live)
        if resumed:
            step = "backing up what it would overwrite"
            notes = _back_up_resumed(client, _project(live, project.id), planned)
        # The project is this restore's own, new and empty, or was backed up whole just now:
        # a file it overwrites needs no backup of its own (so no run folder is claimed).
        run = Execution(
            client,
            wanted.organization_id,
            take_backup=_never_deleted,
            file_backups=BackedUpWhole(RunFolder(DEFAULT_BACKUP_ROOT)),
            changes=planned.changes,
        )
        planned_changes = planned.changes
        for change in planned.changes:
            aspect = aspect_of(change)
            step = f"writing its {aspect.noun}"
            aspect.execute(run, change)
            made[change.aspect] += 1
        step = "reading it back"
        again = read_live_state(client, desired, organization=wanted.organization_id)
        left = plan(desired, again).changes
        if left:
            raise QcsyncError(_still_differs(left))
        final = _project(again, project.id)
    except (QcsyncError, KeyboardInterrupt) as error:
        stopped = isinstance(error, KeyboardInterrupt)
        raise (RestoreInterrupted if stopped else RestoreError)(
            f"restore stopped part-way while {step}: {CTRL_C if stopped else error}\n"
            f"it created project {wanted.name!r} (id {project.id})"
            f"{_account(planned_changes, made)}\n"
            f"run {_command(backup, name)} again to finish it (progress is in {journal}), or "
            f"delete project {project.id} and the journal to start over"
        ) from None
    # Kept, marked done, so that running the same restore again says so instead of refusing.
    write_journal(journal, {"name": wanted.name, "project_id": project.id, "done": True})
    files = len(desired.projects[0].code or ())
    return RestoreResult(final, How.RECREATED, files, resumed, notes, wanted.warnings)


def _read(client: QCClient, wanted: Wanted, project_id: int) -> tuple[DesiredState, LiveState]:
    desired = wanted.desired(project_id)
    return desired, read_live_state(client, desired, organization=wanted.organization_id)


def _project(live: LiveState, project_id: int) -> LiveProject:
    found = next((p for p in live.projects if p.id == project_id), None)
    if found is None or found.binned:
        raise QcsyncError(f"project {project_id} is gone or in the Recycle Bin")
    return found


def _never_deleted(project: LiveProject) -> Path:
    raise QcsyncError("a restore deletes no project")  # its plan has no prune: never called


def _account(planned: Sequence[Change], made: Mapping[str, int]) -> str:
    """What of the plan a stopped restore made and left, by aspect in the order it runs them:
    `; done: files; left: parameters, collaborators (1 of 2 changes)`. Pure."""
    total = Counter(c.aspect for c in planned)
    nouns = {c.aspect: aspect_of(c).noun for c in planned}
    done = [nouns[a] for a in nouns if made.get(a, 0) == total[a]]
    left = [
        nouns[a] + (f" ({total[a] - made.get(a, 0)} of {total[a]} changes)" if total[a] > 1 else "")
        for a in nouns
        if made.get(a, 0) < total[a]
    ]
    return (f"; done: {', '.join(done)}" if done else "") + (
        f"; left: {', '.join(left)}" if left else ""
    )


def _still_differs(left: Sequence[Change]) -> str:
    listed = "; ".join(f"{what(c)} ({c.reason})" for c in left)
    return f"it does not match the backup after the restore: still pending: {listed}"


def _back_up_resumed(client: QCClient, project: LiveProject, planned: Plan) -> tuple[str, ...]:
    """A resumed restore's project is named by the journal, a file anyone beside the backup can
    write, or found by name after a create of unknown outcome: it may not be the one this
    restore created. So if the restore would overwrite or delete anything in it, the project is
    backed up whole first, as apply does before it deletes (DESIGN.md §3); a failure stops the
    restore."""
    lost = [c for c in planned.changes if c.action is not Action.CREATE]
    if not lost:
        return ()
    folder = RunFolder(DEFAULT_BACKUP_ROOT)  # its own: never the folder of the backup restored
    path = take_backup(client, project, folder.claim(), folder.now)
    return (
        f"project {project.id} ({project.name!r}), which the restore journal names, held "
        f"what the restore overwrites or deletes ({len(lost)} change(s)): backed up first "
        f"to {path}",
    )


def _command(backup: Path, name: str | None) -> str:
    return f"`qcsync restore {backup}" + (f" --name '{name}'`" if name else "`")

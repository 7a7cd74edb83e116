"""`qcsync restore`: bring a deleted project back, from the Recycle Bin or from its backup.

Two ways (DESIGN.md §3, qc-api.md §4.4):
- while QuantConnect still holds the project in its Recycle Bin (30 days), rename it back: same
  id, so its backtests, live history and links come back too;
- after it was purged (or on the old service, which deleted at once), recreate it from the
  backup: a new id with the backup's language, description, files and node selection.

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

import contextlib
import dataclasses
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from qcsync.aspects.project import name_holder, remove_copy
from qcsync.backup import DEFAULT_BACKUP_ROOT, backup_run_directory, read_backup, take_backup
from qcsync.client import QCClient
from qcsync.concurrency import concurrently
from qcsync.config import name_problem
from qcsync.datafile import DataFileError, read_json
from qcsync.errors import AmbiguousWriteError, BackupError, ExitCode, QcsyncError
from qcsync.model import (
    LANGUAGES,
    RECYCLE_BIN,
    Collaborator,
    LiveProject,
    Parameter,
    in_recycle_bin,
)

MAX_FILE_BYTES = 262_144  # QuantConnect's largest per-file quota (DESIGN.md §1.1)
JOURNAL_SUFFIX = ".restoring"


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
class Wanted:
    """A backup checked for restore: everything the writes will use, nothing else."""

    project_id: int | None  # the deleted project's id, to find it in the Recycle Bin
    original_name: str
    name: str  # the name to restore under: --name, else the original
    organization_id: str
    language: str
    description: str
    files: tuple[tuple[str, str], ...]
    nodes: tuple[str, ...]  # ids; () for auto
    node_labels: Mapping[str, str]
    parameters: tuple[Parameter, ...] = ()
    libraries: tuple[int, ...] = ()  # library project ids
    collaborators: tuple[Collaborator, ...] = ()


@dataclass(frozen=True)
class RestoreResult:
    project: LiveProject
    how: How
    files: int = 0
    nodes_restored: tuple[str, ...] = ()
    nodes_missing: tuple[str, ...] = ()  # labels of backed-up nodes the organization lacks
    resumed: bool = False  # a recreate that an earlier run had left part-way
    notes: tuple[str, ...] = ()  # what else the restore did: a resent create, a removed copy
    libraries_missing: tuple[int, ...] = ()  # backed-up library ids the organization lacks


# --- checking the backup before any write -----------------------------------------------------


def check_backup(document: Mapping[str, Any], name: str | None, where: str) -> Wanted:
    """Everything restore needs, validated; BackupError lists every problem at once."""
    meta = document["project"]
    problems: list[str] = []
    project_id = meta.get("id")
    if project_id is not None and (
        isinstance(project_id, bool) or not isinstance(project_id, int) or project_id <= 0
    ):
        problems.append(f"project.id must be a positive integer, not {project_id!r}")
        project_id = None
    original = str(meta["name"])
    target = name if name is not None else original
    problem = name_problem(target)
    if problem:
        fix = "" if name is not None else "; restore it under another name with --name"
        problems.append(f"{'--name' if name is not None else 'project.name'}: {problem}{fix}")
    organization = str(meta["organization_id"])
    if not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", organization):
        problems.append(f"project.organization_id {organization!r} is not an organization id")
    language = str(meta["language"])
    if language not in LANGUAGES:
        problems.append(f"project.language must be one of {', '.join(LANGUAGES)}: {language!r}")
    seen: set[str] = set()
    files: list[tuple[str, str]] = []
    for index, item in enumerate(document["files"]):
        file_name, content = str(item["name"]), str(item["content"])
        bad = _file_problem(file_name, content, seen)
        if bad:
            problems.append(f"files[{index}] {file_name!r}: {bad}")
        seen.add(file_name)
        files.append((file_name, content))
    nodes = document["nodes"]
    active = [] if nodes["auto"] else list(nodes["active"])
    if problems:
        raise BackupError("\n".join(f"{where}: {p}" for p in problems))
    return Wanted(
        project_id=project_id,
        original_name=original,
        name=target,
        organization_id=organization,
        language=language,
        description=str(meta.get("description") or ""),
        files=tuple(files),
        nodes=tuple(str(n["id"]) for n in active),
        node_labels={
            str(n["id"]): f"{n.get('name', n['id'])} ({n.get('sku', '')}) {n['id']}" for n in active
        },
        parameters=tuple(Parameter(p["key"], p["value"]) for p in document.get("parameters", [])),
        libraries=tuple(document.get("libraries", [])),
        collaborators=tuple(
            Collaborator(c["user"], c["write"], c["live_control"])
            for c in document.get("collaborators", [])
        ),
    )


def _file_problem(name: str, content: str, seen: set[str]) -> str | None:
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in name.split("/")):
        return "not a relative file path"
    if any(not c.isprintable() for c in name):
        return "the name has a control character"
    if name in seen:
        return "listed twice"
    if len(content.encode("utf-8")) > MAX_FILE_BYTES:
        return f"over {MAX_FILE_BYTES} bytes, QuantConnect's largest file"
    return None


def bin_name_matches(binned: str, original: str) -> bool:
    """`Recycle Bin/NAME`, or `Recycle Bin/NAME N` when the bin already held NAME."""
    expected = RECYCLE_BIN + original
    return binned == expected or re.fullmatch(re.escape(expected) + r" \d+", binned) is not None


# --- the journal of a recreate ------------------------------------------------------------------


def journal_path(backup: Path) -> Path:
    return backup.with_name(backup.name + JOURNAL_SUFFIX)


def _read_journal(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        # Bounded like every data file: a hand-made journal must not end in RecursionError.
        document = read_json(path, "a qcsync restore journal", max_bytes=4096)
    except DataFileError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise BackupError(f"{path} is not a qcsync restore journal; delete it and run again")
    return document


def _write_journal(path: Path, document: Mapping[str, Any]) -> None:
    try:
        temp = path.with_name(path.name + ".tmp")
        temp.write_text(json.dumps(dict(document), sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError as error:
        raise BackupError(
            f"cannot write the restore journal {path}: {error.strerror}; nothing was restored"
        ) from None


# --- restoring -----------------------------------------------------------------------------------


def restore(
    client: QCClient, backup: Path, document: Mapping[str, Any], *, name: str | None = None
) -> RestoreResult:
    wanted = check_backup(document, name, str(backup))
    journal = journal_path(backup)
    progress = _read_journal(journal)
    projects = client.list_projects()
    in_org = [p for p in projects if p.organization_id == wanted.organization_id]
    # The one comparison of names for "is it taken" (aspects.project.name_key), as plans use.
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
            _write_journal(journal, {"name": wanted.name, "project_id": mine.id})
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
    _write_journal(journal, {"name": wanted.name, "project_id": None})
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
    _write_journal(journal, {"name": wanted.name, "project_id": created.id})
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
    """Make a recreated project match the backup; every step compares first, so a re-run only
    does what is still missing."""
    done: list[str] = []
    notes: tuple[str, ...] = ()
    step = "backing up what it would overwrite"
    try:
        if resumed:
            notes = _back_up_resumed(client, project, wanted)
        step = "setting its description"
        if project.description != wanted.description:
            client.update_project(project.id, description=wanted.description)
        done.append("description")
        step = "writing its files"
        _files(client, project.id, wanted.files)
        done.append(f"{len(wanted.files)} files")
        step = "selecting its nodes"
        restored, missing = _nodes(client, project.id, wanted)
        done.append("node selection")
        step = "setting its parameters"
        if project.parameters != wanted.parameters:
            client.update_parameters(project.id, wanted.parameters)
        done.append(f"{len(wanted.parameters)} parameters")
        step = "linking its libraries"
        missing_libraries = _libraries(client, project, wanted)
        done.append("library links")
        step = "adding its collaborators"
        _collaborators(client, project, wanted)
        done.append(f"{len(wanted.collaborators)} collaborators")
        step = "reading it back"
        final = client.read_project(project.id)
        if {f.name: f.content for f in client.read_files(project.id) if not f.is_library} != dict(
            wanted.files
        ):
            raise QcsyncError("its files differ from the backup")
    except (QcsyncError, KeyboardInterrupt) as error:
        kept = f"; done: {', '.join(done)}" if done else ""
        stopped = isinstance(error, KeyboardInterrupt)
        raise (RestoreInterrupted if stopped else RestoreError)(
            f"restore stopped part-way while {step}: {CTRL_C if stopped else error}\n"
            f"it created project {wanted.name!r} (id {project.id}){kept}\n"
            f"run {_command(backup, name)} again to finish it (progress is in {journal}), or "
            f"delete project {project.id} and the journal to start over"
        ) from None
    # Kept, marked done, so that running the same restore again says so instead of refusing.
    _write_journal(journal, {"name": wanted.name, "project_id": project.id, "done": True})
    return RestoreResult(
        final,
        How.RECREATED,
        len(wanted.files),
        restored,
        missing,
        resumed,
        notes,
        missing_libraries,
    )


def _back_up_resumed(client: QCClient, project: LiveProject, wanted: Wanted) -> tuple[str, ...]:
    """A resumed restore's project is named by the journal, a file anyone beside the backup can
    write, or found by name after a create of unknown outcome: it may not be the one this
    restore created. So whatever the restore would overwrite or delete in it is backed up
    first, as apply does before it overwrites (DESIGN.md §3); a failure stops the restore."""
    nodes, files = concurrently(
        lambda: client.read_project_nodes(project.id), lambda: client.read_files(project.id)
    )
    backed = dict(wanted.files)
    lost = [f for f in files if not f.is_library and backed.get(f.name) != f.content]
    if not lost:
        return ()
    directory = backup_run_directory(DEFAULT_BACKUP_ROOT, datetime.now(UTC))
    path = take_backup(project, lambda: (nodes, files), directory, datetime.now(UTC))
    return (
        f"project {project.id} ({project.name!r}), which the restore journal names, held "
        f"{len(lost)} file(s) the restore overwrites or deletes: backed up first to {path}",
    )


def _files(client: QCClient, project_id: int, files: Sequence[tuple[str, str]]) -> None:
    wanted = dict(files)
    present = {f.name: f.content for f in client.read_files(project_id) if not f.is_library}
    for file_name, content in wanted.items():
        if file_name not in present:
            client.create_file(project_id, file_name, content)
        elif present[file_name] != content:
            if content:
                client.update_file(project_id, file_name, content)
            else:
                # The API refuses `content: ""`: an emptied file is created again without content.
                client.delete_file(project_id, file_name)
                client.create_file(project_id, file_name, "")
    for file_name in sorted(present.keys() - wanted.keys()):
        client.delete_file(project_id, file_name)


def _nodes(
    client: QCClient, project_id: int, wanted: Wanted
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not wanted.nodes:
        return (), ()
    answer = client.read_project_nodes(project_id)
    catalog = {n.id for n in answer.catalog}
    present = tuple(i for i in wanted.nodes if i in catalog)
    missing = tuple(wanted.node_labels[i] for i in wanted.nodes if i not in catalog)
    if present and set(present) != answer.selection.active:
        client.update_project_nodes(project_id, list(present))
    return present, missing


def _libraries(client: QCClient, project: LiveProject, wanted: Wanted) -> tuple[int, ...]:
    """Link the backed-up libraries that still exist in the organization; the missing ones."""
    if not wanted.libraries:
        return ()
    present = {
        p.id
        for p in client.list_projects()
        if p.organization_id == wanted.organization_id and not p.binned
    }
    linked = {link.project_id for link in project.libraries}
    for library in wanted.libraries:
        if library in present and library not in linked:
            client.link_library(project.id, library)
    return tuple(i for i in wanted.libraries if i not in present)


def _collaborators(client: QCClient, project: LiveProject, wanted: Wanted) -> None:
    there = {c.public_id: c for c in project.collaborators if not c.owner}
    for person in wanted.collaborators:
        now = there.get(person.public_id)
        if now is None:
            client.add_collaborator(
                project.id, person.public_id, write=person.write, live_control=person.live_control
            )
        elif (now.write, now.live_control) != (person.write, person.live_control):
            client.update_collaborator(
                project.id, person.public_id, write=person.write, live_control=person.live_control
            )


def _command(backup: Path, name: str | None) -> str:
    return f"`qcsync restore {backup}" + (f" --name '{name}'`" if name else "`")


# --- restore --list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    path: Path
    name: str = ""
    project_id: int | None = None
    taken_at: str = ""
    status: str = ""


def list_backups(client: QCClient, root: Path = DEFAULT_BACKUP_ROOT) -> list[Listed]:
    """Every backup under `root`, oldest run first, each with where its project is now."""
    paths = sorted(root.glob("*/*.json")) if root.is_dir() else []
    projects = {p.id: p for p in client.list_projects()} if paths else {}
    listed: list[Listed] = []
    for path in paths:
        if path.name.endswith(FILES_SUFFIX):
            listed.append(_files_listed(path, projects))
            continue
        try:
            document = read_backup(path)
        except QcsyncError as error:
            listed.append(Listed(path, status=f"unreadable: {error}"))
            continue
        meta = document["project"]
        pid = meta.get("id") if isinstance(meta.get("id"), int) else None
        listed.append(
            Listed(
                path,
                str(meta["name"]),
                pid,
                str(document.get("taken_at") or ""),
                _status(projects.get(pid) if pid is not None else None, meta, path),
            )
        )
    return listed


FILES_SUFFIX = ".files.json"  # filebackup.py: files an apply overwrote or deleted


def _files_listed(path: Path, projects: Mapping[int, LiveProject]) -> Listed:
    from qcsync.filebackup import read_files_backup

    try:
        backup = read_files_backup(path)
    except QcsyncError as error:
        return Listed(path, status=f"unreadable: {error}")
    project = projects.get(backup.project_id)
    count = len(backup.files)
    if project is None or project.binned:
        status = f"{count} file(s); the project is gone or binned: restore the project first"
    else:
        status = f"{count} file(s) overwritten or deleted by an apply: restore puts them back"
    return Listed(path, backup.name, backup.project_id, "", status)


def _status(project: LiveProject | None, meta: Mapping[str, Any], path: Path) -> str:
    progress = None
    with contextlib.suppress(BackupError):
        progress = _read_journal(journal_path(path))
    recreated = progress.get("project_id") if progress else None
    if progress and progress.get("done") is True:
        return f"recreated as project {recreated} under {progress['name']!r}"
    pending = " (a restore stopped part-way: run it again to finish)" if progress else ""
    if project is None:
        return f"purged or gone: restore recreates it from the backup with a new id{pending}"
    if project.organization_id != meta["organization_id"]:
        return "its id is now in another organization: not restorable from the bin"
    if project.binned:
        return f"in the Recycle Bin as {project.name!r}: restore renames it back (same id)"
    return f"exists as {project.name!r}: nothing to restore{pending}"

"""Backups of files an apply overwrites or deletes, and `qcsync restore` of them.

Before a cloud file is overwritten or deleted, its old content goes into the apply's backup
(DESIGN.md §1.1, §3): one document per project in the apply's own run folder,
`<id>-<name>.files.json` (a name no other backup there has: backupdir.py), rewritten atomically
(and read back) with each file added, so it holds every file the apply had overwritten or deleted
so far. If it can't be written, the file is not touched. Restoring puts each backed-up file back as
it was (created if it is gone, updated if its text differs other than in line endings), byte for
byte, through the files aspect as an apply writes: what it overwrites is backed up first, in a
files backup of its own. It never deletes a file. The backups hold only API answers.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcsync.aspects.base import Execution, read_of
from qcsync.aspects.files import FILES, FilesRead
from qcsync.aspects.files import NAME as FILES_ASPECT
from qcsync.backup import DEFAULT_BACKUP_ROOT, backup_filename, write_backup
from qcsync.backupdir import RunFolder, utc_now
from qcsync.codefolder import manages, sha256_text
from qcsync.datafile import DataFileError, read_json
from qcsync.errors import BackupError, QcsyncError
from qcsync.model import DesiredProject, DesiredState, LiveProject, LiveState, LocalFile, Location
from qcsync.plan import Action, Change, what
from qcsync.planner import plan
from qcsync.state import read_live_state

if TYPE_CHECKING:
    from qcsync.client import QCClient

FILES_BACKUP_KIND = "qcsync-files-backup"
FILES_BACKUP_FORMAT = 1


class FileBackups:
    """The file backups of one apply; safe to share between the apply's worker threads."""

    def __init__(self, folder: RunFolder) -> None:
        self.folder = folder
        self._guard = threading.Lock()
        self._files: dict[int, dict[str, str]] = {}
        self._names: dict[int, str] = {}
        self._done: set[object] = set()
        self.paths: dict[int, Path] = {}  # each project's files backup, once written

    def once(self, key: object, action: Callable[[], object]) -> None:
        """Run `action` the first time `key` is asked for in this apply (the collaboration lock
        of a project); a failed action is tried again by the next caller."""
        with self._guard:
            if key in self._done:
                return
            action()
            self._done.add(key)

    def save(self, project_id: int, project_name: str, file_name: str, content: str) -> None:
        """Add a file's old content to its project's backup; BackupError when it can't be."""
        with self._guard:
            files = self._files.setdefault(project_id, {})
            files.setdefault(file_name, content)  # the first content seen is the old one
            self._names.setdefault(project_id, project_name)
            taken_at = self.folder.now
            document = files_document(project_id, self._names[project_id], files, taken_at)
            own = self.paths.get(project_id)  # this apply's, so rewritten in place
            try:
                if own is None:
                    stub = LiveProject(project_id, self._names[project_id], "", "", "", None)
                    name = backup_filename(stub).removesuffix(".json") + ".files.json"
                    own = write_backup(self.folder.claim(), name, document, read=_read_document)
                else:
                    write_backup(own.parent, own.name, document, _read_document, replace=True)
            except BackupError as error:
                del files[file_name]
                raise BackupError(f"{error}; so {file_name} was not overwritten") from None
            self.paths[project_id] = own


def _read_document(path: Path) -> object:
    try:
        return read_json(path, "a qcsync backup")
    except DataFileError as error:
        raise BackupError(str(error)) from None


def files_document(
    project_id: int, name: str, files: Mapping[str, str], taken_at: datetime | None = None
) -> dict[str, Any]:
    taken_at = taken_at if taken_at is not None else utc_now()
    return {
        "kind": FILES_BACKUP_KIND,
        "format_version": FILES_BACKUP_FORMAT,
        "taken_at": taken_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "project": {"id": project_id, "name": name},
        "files": [{"name": n, "content": files[n]} for n in sorted(files)],
    }


def is_files_backup(document: object) -> bool:
    return isinstance(document, Mapping) and document.get("kind") == FILES_BACKUP_KIND


@dataclass(frozen=True)
class FilesBackup:
    project_id: int
    name: str
    files: tuple[tuple[str, str], ...]


def read_files_backup(path: Path) -> FilesBackup:
    """A files backup, checked whole before anything is written."""
    try:
        document = read_json(path, "a qcsync backup")
    except DataFileError as error:
        raise BackupError(str(error)) from None
    bad = BackupError(f"{path} is not a qcsync files backup (format {FILES_BACKUP_FORMAT})")
    if not is_files_backup(document) or document.get("format_version") != FILES_BACKUP_FORMAT:
        raise bad
    project, files = document.get("project"), document.get("files")
    if not isinstance(project, dict) or not isinstance(files, list):
        raise bad
    pid, name = project.get("id"), project.get("name")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0 or not isinstance(name, str):
        raise bad
    seen: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for item in files:
        if not isinstance(item, dict):
            raise bad
        file_name, content = item.get("name"), item.get("content")
        if not isinstance(file_name, str) or not isinstance(content, str) or file_name in seen:
            raise bad
        if not file_name or file_name.startswith("/") or ".." in file_name.split("/"):
            raise BackupError(f"{path}: file name {file_name!r} is not a project file name")
        if not manages(file_name, ()):  # an apply backs up only files qcsync manages
            raise BackupError(f"{path}: file {file_name!r} is not a file qcsync manages")
        seen.add(file_name)
        pairs.append((file_name, content))
    return FilesBackup(pid, name, tuple(pairs))


@dataclass(frozen=True)
class FilesRestored:
    project: LiveProject
    restored: tuple[str, ...]  # files created or updated
    unchanged: int
    backup: Path | None = None  # where what the restore overwrote was saved first, if anything


def restore_files(
    client: QCClient,
    backup: FilesBackup,
    where: str,
    *,
    backup_root: Path = DEFAULT_BACKUP_ROOT,
    tokens: Collection[str] = (),
) -> FilesRestored:
    """Put the backed-up files of a project that still exists back as they were, as an apply
    would: the project's own files with the backup's laid over them are the desired files, the
    files aspect's diff gives the creates and updates (equal but for line endings is equal, as
    in a plan), its `execute` makes them (the collaboration lock first in a shared project; the
    content it overwrites saved first in a files backup of its own, so the newer text is not
    lost), and a re-plan must find nothing left. It never deletes a file.

    The project is found by its id and must be outside the Recycle Bin (a deleted project
    comes back with its own backup first, which holds all its files). `tokens`: the API tokens
    no file may hold (config.variables.api_tokens): an apply saves what it read, which has `***`
    for the token, so only a hand-made backup holds one, and it would be sent to QuantConnect.
    """
    holding = [n for n, c in backup.files if any(t in c for t in tokens)]
    if holding:
        raise BackupError(
            "\n".join(f"{where}: file {n!r} contains the API token; not restored" for n in holding)
        )
    project = next((p for p in client.list_projects() if p.id == backup.project_id), None)
    if project is None or project.binned:
        gone = "is in the Recycle Bin" if project is not None else "no longer exists"
        raise QcsyncError(
            f"project {backup.project_id} ({backup.name}) {gone}: restore the project from "
            "its project backup (or the Recycle Bin) first, then this files backup"
        )
    entry = DesiredProject(
        project.name,
        Location(where, 1, 1),
        id=project.id,
        written={FILES_ASPECT: where},  # the backup stands where a config's folder would
        code=tuple(LocalFile(n, c, sha256_text(c)) for n, c in backup.files),
    )
    desired = DesiredState((entry,), organization=project.organization_id)
    live = read_live_state(client, desired, organization=project.organization_id)
    entry = dataclasses.replace(entry, code=laid_over(entry.code or (), project, live))
    desired = dataclasses.replace(desired, projects=(entry,))
    changes = plan(desired, live).changes
    if any(c.aspect != FILES_ASPECT or c.action is Action.DELETE for c in changes):
        raise QcsyncError(f"restoring {where} would do more than put files back; not restored")
    saves = FileBackups(RunFolder(backup_root))  # never the folder of the backup restored
    run = Execution(
        client,
        project.organization_id,
        take_backup=_never_deleted,
        file_backups=saves,
        changes=changes,
    )
    done: list[str] = []
    for change in changes:
        try:
            FILES.execute(run, change)
        except QcsyncError as error:
            raise QcsyncError(_stopped(change, error, done, saves)) from None
        done.append(change.key or "")
    left = plan(desired, read_live_state(client, desired, organization=project.organization_id))
    if left.changes:
        pending = ", ".join(f"{what(c)} {c.key}" for c in left.changes)
        raise QcsyncError(f"the files do not match the backup after the restore: {pending}")
    return FilesRestored(
        project, tuple(done), len(backup.files) - len(done), saves.paths.get(project.id)
    )


def laid_over(
    backed_up: Sequence[LocalFile], project: LiveProject, live: LiveState
) -> tuple[LocalFile, ...]:
    """The project's own files (as read; library files are another project's) with the
    backed-up ones in place of theirs. A backed-up name the project holds as a linked library's
    file is refused: writing it would fork the library."""
    read = read_of(live, FILES_ASPECT, FilesRead)
    cloud = () if read is None else read.cloud.get(project.id)
    if cloud is None:
        why = "" if read is None else read.unreadable.get(project.id, "")
        raise QcsyncError(f"the files of project {project.id} could not be read: {why}")
    names = {f.name for f in backed_up}
    library = sorted(f.name for f in cloud if f.is_library and f.name in names)
    if library:
        raise QcsyncError(
            f"{', '.join(library)}: a linked library's file in project {project.id} now; "
            "nothing was restored"
        )
    kept = [
        LocalFile(f.name, f.content, sha256_text(f.content))
        for f in cloud
        if not f.is_library and f.name not in names and manages(f.name, ())
    ]
    return (*kept, *backed_up)


def _stopped(change: Change, error: QcsyncError, done: Sequence[str], saves: FileBackups) -> str:
    restored = f"; restored before it: {', '.join(done)}" if done else "; nothing was restored"
    saved = saves.paths.get(change.project_id or 0)
    kept = f"; what it overwrote is backed up in {saved}" if saved else ""
    return (
        f"restoring {change.key} stopped the restore: {error}{restored}{kept}; running the "
        "same restore again restores what is left"
    )


def _never_deleted(project: LiveProject) -> Path:
    raise QcsyncError("a files restore deletes no project")  # its plan has no prune


class BackedUpWhole(FileBackups):
    """The file backups of a restore's writes: its project is one the restore created (nothing
    of anyone's is in it) or backed up whole before the first write, so a file it overwrites
    needs no backup of its own. The collaboration lock is taken as in an apply."""

    def save(self, project_id: int, project_name: str, file_name: str, content: str) -> None:
        return None

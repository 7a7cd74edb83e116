"""Backups of files an apply overwrites or deletes, and `qcsync restore` of them.

Before a cloud file is overwritten or deleted, its old content goes into the apply's backup
(DESIGN.md §1.1, §3): one document per project in the apply's backup folder,
`<id>-<name>.files.json`, rewritten atomically (and read back) with each file added, so it holds
every file the apply had overwritten or deleted so far. If it can't be written, the file is not
touched. Restoring puts each backed-up file back as it was (created if it is gone, updated if
it differs), byte for byte; it never deletes a file. The backups hold only API answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcsync.backup import backup_filename, write_backup
from qcsync.datafile import DataFileError, read_json
from qcsync.errors import BackupError, QcsyncError
from qcsync.model import LiveProject

if TYPE_CHECKING:
    from qcsync.client import QCClient

FILES_BACKUP_KIND = "qcsync-files-backup"
FILES_BACKUP_FORMAT = 1


class FileBackups:
    """The file backups of one apply; safe to share between the apply's worker threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._guard = threading.Lock()
        self._files: dict[int, dict[str, str]] = {}
        self._names: dict[int, str] = {}
        self._done: set[object] = set()

    def once(self, key: object, action: Callable[[], object]) -> None:
        """Run `action` the first time `key` is asked for in this apply (the collaboration lock
        of a project); a failed action is tried again by the next caller."""
        with self._guard:
            if key in self._done:
                return
            action()
            self._done.add(key)

    def save(self, project_id: int, project_name: str, file_name: str, content: str) -> Path:
        """Add a file's old content to its project's backup; BackupError when it can't be."""
        with self._guard:
            files = self._files.setdefault(project_id, {})
            files.setdefault(file_name, content)  # the first content seen is the old one
            self._names.setdefault(project_id, project_name)
            document = files_document(project_id, self._names[project_id], files)
            stub = LiveProject(project_id, self._names[project_id], "", "", "", None)
            name = backup_filename(stub).removesuffix(".json") + ".files.json"
            try:
                return write_backup(self.directory, name, document, read=_read_document)
            except BackupError as error:
                del files[file_name]
                raise BackupError(f"{error}; so {file_name} was not overwritten") from None


def _read_document(path: Path) -> object:
    try:
        return read_json(path, "a qcsync backup")
    except DataFileError as error:
        raise BackupError(str(error)) from None


def files_document(project_id: int, name: str, files: Mapping[str, str]) -> dict[str, Any]:
    return {
        "kind": FILES_BACKUP_KIND,
        "format_version": FILES_BACKUP_FORMAT,
        "taken_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
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
        seen.add(file_name)
        pairs.append((file_name, content))
    return FilesBackup(pid, name, tuple(pairs))


@dataclass(frozen=True)
class FilesRestored:
    project: LiveProject
    restored: tuple[str, ...]  # files created or updated
    unchanged: int


def restore_files(client: QCClient, backup: FilesBackup) -> FilesRestored:
    """Put the backed-up files of a project that still exists back as they were.

    The project is found by its id and must be outside the Recycle Bin (a deleted project
    comes back with its own backup first, which holds all its files).
    """
    project = next((p for p in client.list_projects() if p.id == backup.project_id), None)
    if project is None or project.binned:
        where = "is in the Recycle Bin" if project is not None else "no longer exists"
        raise QcsyncError(
            f"project {backup.project_id} ({backup.name}) {where}: restore the project from "
            "its project backup (or the Recycle Bin) first, then this files backup"
        )
    if project.shared:
        client.acquire_lock(project.id)
    present = {f.name: f.content for f in client.read_files(project.id) if not f.is_library}
    restored: list[str] = []
    for file_name, content in backup.files:
        now = present.get(file_name)
        if now == content:
            continue
        if now is None:
            client.create_file(project.id, file_name, content)
        elif content:
            client.update_file(project.id, file_name, content)
        else:
            # The API refuses `content: ""`: an emptied file is created again without content.
            client.delete_file(project.id, file_name)
            client.create_file(project.id, file_name, "")
        restored.append(file_name)
    return FilesRestored(project, tuple(restored), len(backup.files) - len(restored))


class BackedUpWhole(FileBackups):
    """The file backups of a restore's writes: its project is one the restore created (nothing
    of anyone's is in it) or backed up whole before the first write, so a file it overwrites
    needs no backup of its own. The collaboration lock is taken as in an apply."""

    def save(self, project_id: int, project_name: str, file_name: str, content: str) -> Path:
        return self.directory

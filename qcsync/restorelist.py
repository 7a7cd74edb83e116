"""`qcsync restore --list`: every backup under the backup folder, and where its project is now
(in the Recycle Bin, purged, recreated, or there: what `restore` would do with it)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qcsync.backup import DEFAULT_BACKUP_ROOT, read_backup
from qcsync.backupdir import backup_order
from qcsync.client import QCClient
from qcsync.errors import BackupError, QcsyncError
from qcsync.filebackup import read_files_backup
from qcsync.model import LiveProject
from qcsync.restorejournal import journal_path, read_journal

FILES_SUFFIX = ".files.json"  # filebackup.py: files an apply overwrote or deleted


@dataclass(frozen=True)
class Listed:
    path: Path
    name: str = ""
    project_id: int | None = None
    taken_at: str = ""
    status: str = ""


def list_backups(client: QCClient, root: Path = DEFAULT_BACKUP_ROOT) -> list[Listed]:
    """Every backup under `root`, oldest run first (a run numbered `-1` after its base: its
    folder was claimed later in the same second), each with where its project is now."""
    paths = sorted(root.glob("*/*.json"), key=backup_order) if root.is_dir() else []
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


def _files_listed(path: Path, projects: Mapping[int, LiveProject]) -> Listed:
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
        progress = read_journal(journal_path(path))
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

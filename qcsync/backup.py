"""Project backups taken before a delete (`qcsync restore` in restore.py reads them).

A backup is one JSON file holding what a delete would lose that the API can give back: one
section per aspect, under the aspect's name, each written by the aspect from its own read of the
project (`backed_up`; format 1: project, nodes, files, parameters, libraries, collaborators).
It is written atomically and read back before the delete may go ahead (DESIGN.md §3), into the
apply's own run folder under a name no other backup has (backupdir.py), so it never replaces
another backup. Backups never hold credentials: they are built only from API answers about the
project.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcsync.aspects import registered
from qcsync.backupdir import reserve_file
from qcsync.datafile import DataFileError, read_json
from qcsync.errors import BackupError, QcsyncError
from qcsync.model import LiveProject, LiveState

if TYPE_CHECKING:
    from qcsync.client import QCClient

BACKUP_FORMAT = 1
BACKUP_KIND = "qcsync-project-backup"
DEFAULT_BACKUP_ROOT = Path(".qcsync") / "backups"


def backup_document(project: LiveProject, live: LiveState, taken_at: datetime) -> dict[str, Any]:
    """The backup of `project`: each aspect's section, under the aspect's name, from what its
    read of the project gave (`live`); QcsyncError when a read lacks what its section needs."""
    document: dict[str, Any] = {
        "kind": BACKUP_KIND,
        "format_version": BACKUP_FORMAT,
        "taken_at": taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for aspect in registered():
        section = aspect.backed_up(project, live)
        if section is not None:
            document[aspect.name] = section
    return document


def backup_filename(project: LiveProject) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", project.name).strip("_") or "project"
    return f"{project.id}-{safe}.json"


def write_backup(
    directory: Path,
    name: str,
    document: Mapping[str, Any],
    read: Callable[[Path], object] | None = None,
    *,
    replace: bool = False,
) -> Path:
    """Write `document` under `name` in `directory`, or under `name` numbered (`-1`, `-2`…
    before its extension) when a file has that name: a backup never replaces another. With
    `replace`, `name` is the caller's own earlier backup, rewritten in place. Written atomically,
    then read back (with `read`, by default as a project backup) and compared; any failure is a
    BackupError."""
    path = directory / name
    reserved = False
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not replace:
            path, reserved = reserve_file(directory, name), True
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2, ensure_ascii=False, sort_keys=True)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if reserved:  # the empty file that held the name; nothing of anyone's is in it
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        if (read or read_backup)(path) != document:
            raise BackupError(f"backup {path} does not read back as written")
    except OSError as error:
        raise BackupError(f"cannot write backup {path}: {error.strerror or error}") from None
    return path


def take_backup(client: QCClient, project: LiveProject, directory: Path, now: datetime) -> Path:
    """Back `project` up: every aspect reads what it needs of it (at once: state.read_one) and
    gives its section; any failure is a BackupError saying the project was not deleted."""
    from qcsync.state import read_one  # state reads through the client; this module does not

    try:
        document = backup_document(project, read_one(client, project), now)
    except QcsyncError as error:
        raise BackupError(
            f"backup of {project.name} (id {project.id}) failed, so it was not deleted: {error}"
        ) from None
    return write_backup(directory, backup_filename(project), document)


def read_backup(path: Path) -> dict[str, Any]:
    try:
        document = read_json(path, "a qcsync backup")
    except DataFileError as error:
        raise BackupError(str(error)) from None
    if (
        not isinstance(document, dict)
        or document.get("kind") != BACKUP_KIND
        or document.get("format_version") != BACKUP_FORMAT
        or not _listable(document.get("project"))
    ):
        raise BackupError(f"{path} is not a qcsync backup (format {BACKUP_FORMAT})")
    return document


def _listable(project: object) -> bool:
    """What `restore --list` shows of a backup; restorecheck.py checks every section (each
    aspect its own) before a restore writes anything."""
    return (
        isinstance(project, dict)
        and isinstance(project.get("name"), str)
        and isinstance(project.get("organization_id"), str)
    )

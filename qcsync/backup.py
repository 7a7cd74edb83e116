"""Project backups taken before a delete (`qcsync restore` in restore.py reads them).

A backup is one JSON file holding what a delete would lose that the API can give back: the
project's metadata, its node selection and every file with its content. It is written atomically
and read back before the delete may go ahead (DESIGN.md §3). Backups never hold credentials: they
are built only from API answers about the project.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qcsync.datafile import DataFileError, read_json
from qcsync.errors import BackupError, QcsyncError
from qcsync.model import MODIFIED_FORMAT, LiveProject, Node, ProjectFile, ProjectNodes

BACKUP_FORMAT = 1
BACKUP_KIND = "qcsync-project-backup"
DEFAULT_BACKUP_ROOT = Path(".qcsync") / "backups"


def backup_document(
    project: LiveProject, nodes: ProjectNodes, files: Sequence[ProjectFile], taken_at: datetime
) -> dict[str, Any]:
    by_id = {n.id: n for n in nodes.catalog}
    active = [
        by_id.get(i, Node(id=i, name=i, sku="", kind="backtest")) for i in nodes.selection.active
    ]
    return {
        "kind": BACKUP_KIND,
        "format_version": BACKUP_FORMAT,
        "taken_at": taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "project": {
            "id": project.id,
            "name": project.name,
            "organization_id": project.organization_id,
            "language": project.language,
            "description": project.description,
            "modified": project.modified.strftime(MODIFIED_FORMAT) if project.modified else None,
        },
        "nodes": {
            "auto": nodes.selection.auto,
            "active": [
                {"id": n.id, "name": n.name, "sku": n.sku, "kind": n.kind}
                for n in sorted(active, key=lambda n: n.id)
            ],
        },
        # What projects/read said of its content; restore puts it back on a recreated project.
        "parameters": [{"key": p.key, "value": p.value} for p in project.parameters],
        "libraries": [link.project_id for link in project.libraries],
        "collaborators": [
            {"user": c.public_id, "write": c.write, "live_control": c.live_control}
            for c in project.collaborators
            if not c.owner
        ],
        # Library files belong to another project; restoring them would fork the library.
        "files": [
            {"name": f.name, "content": f.content}
            for f in sorted(files, key=lambda f: f.name)
            if not f.is_library
        ],
    }


def backup_filename(project: LiveProject) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", project.name).strip("_") or "project"
    return f"{project.id}-{safe}.json"


def write_backup(
    directory: Path,
    name: str,
    document: Mapping[str, Any],
    read: Callable[[Path], object] | None = None,
) -> Path:
    """Write atomically, then read back (with `read`, by default as a project backup) and
    compare; any failure is a BackupError."""
    path = directory / name
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        if (read or read_backup)(path) != document:
            raise BackupError(f"backup {path} does not read back as written")
    except OSError as error:
        raise BackupError(f"cannot write backup {path}: {error.strerror or error}") from None
    return path


def take_backup(
    project: LiveProject,
    read: Callable[[], tuple[ProjectNodes, Sequence[ProjectFile]]],
    directory: Path,
    now: datetime,
) -> Path:
    """Back `project` up from `read()` (its node selection and files: the caller reads them,
    both at once); any failure is a BackupError saying the project was not deleted."""
    try:
        nodes, files = read()
    except QcsyncError as error:
        raise BackupError(
            f"backup of {project.name} (id {project.id}) failed, so it was not deleted: {error}"
        ) from None
    return write_backup(
        directory, backup_filename(project), backup_document(project, nodes, files, now)
    )


def backup_run_directory(root: Path, now: datetime) -> Path:
    return root / now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def read_backup(path: Path) -> dict[str, Any]:
    try:
        document = read_json(path, "a qcsync backup")
    except DataFileError as error:
        raise BackupError(str(error)) from None
    if (
        not isinstance(document, dict)
        or document.get("kind") != BACKUP_KIND
        or document.get("format_version") != BACKUP_FORMAT
        or not _well_formed(document)
    ):
        raise BackupError(f"{path} is not a qcsync backup (format {BACKUP_FORMAT})")
    return document


def _well_formed(document: Mapping[str, Any]) -> bool:
    """The shape restore relies on; a hand-edited or truncated backup is refused up front."""
    project, nodes, files = document.get("project"), document.get("nodes"), document.get("files")
    return _content_well_formed(document) and (
        isinstance(project, dict)
        and all(isinstance(project.get(k), str) for k in ("name", "organization_id", "language"))
        and isinstance(project.get("description", ""), str)
        and isinstance(nodes, dict)
        and isinstance(nodes.get("auto"), bool)
        and isinstance(nodes.get("active"), list)
        and all(isinstance(n, dict) and isinstance(n.get("id"), str) for n in nodes["active"])
        and isinstance(files, list)
        and all(
            isinstance(f, dict)
            and isinstance(f.get("name"), str)
            and isinstance(f.get("content"), str)
            for f in files
        )
    )


def _content_well_formed(document: Mapping[str, Any]) -> bool:
    """Parameters, libraries and collaborators: absent from backups made before they were
    kept, else of the shape backup_document writes."""
    parameters = document.get("parameters", [])
    libraries = document.get("libraries", [])
    people = document.get("collaborators", [])
    return (
        isinstance(parameters, list)
        and all(
            isinstance(p, dict)
            and isinstance(p.get("key"), str)
            and isinstance(p.get("value"), str)
            for p in parameters
        )
        and isinstance(libraries, list)
        and all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in libraries)
        and isinstance(people, list)
        and all(
            isinstance(c, dict)
            and isinstance(c.get("user"), str)
            and isinstance(c.get("write"), bool)
            and isinstance(c.get("live_control"), bool)
            for c in people
        )
    )

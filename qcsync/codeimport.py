"""`qcsync import --files DIR`: each project's code written to `DIR/<project name>/`.

The layout of a QuantConnect CLI workspace (a project `Strategies/Momentum` lives in
`DIR/Strategies/Momentum/`), so such a workspace and an import look alike. Each file is written
byte for byte as the cloud holds it, so the next plan finds nothing to change. Library files,
and files the `files:` rules would never manage, are not written. A project with no such file
gets no `files:` (an empty folder is a config error, never "delete everything"); a project
whose folder holds another project's folder excludes it, so neither claims the other's code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from qcsync.aspects.base import read_of
from qcsync.aspects.files import NAME, FilesRead
from qcsync.codefolder import manages
from qcsync.errors import QcsyncError
from qcsync.model import LiveProject, LiveState


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """A cloud name as path parts, or None when it could leave its folder (`..`, absolute)."""
    path = PurePosixPath(name)
    parts = path.parts
    if path.is_absolute() or not parts or any(p in ("..", ".", "") for p in parts):
        return None
    if any("\\" in p or "\x00" in p for p in parts):
        return None
    return parts


def planned_folders(
    projects: Sequence[LiveProject], root: Path
) -> dict[int, tuple[Path, tuple[str, ...]]]:
    """Each project's folder under `root` and the `exclude` globs for the projects nested in it."""
    folders: dict[int, tuple[Path, tuple[str, ...]]] = {}
    names = {p.id: p.name for p in projects}
    for project in projects:
        parts = _safe_parts(project.name)
        if parts is None:
            continue
        nested = sorted(
            other[len(project.name) + 1 :] + "/"
            for other in names.values()
            if other.startswith(project.name + "/")
        )
        folders[project.id] = (root.joinpath(*parts), tuple(nested))
    return folders


def write_folders(
    live: LiveState, projects: Sequence[LiveProject], root: Path, config_dir: Path, *, force: bool
) -> dict[int, Mapping[str, Any]]:
    """Write every project's code; returns the `files:` field of each project's entry."""
    read = read_of(live, NAME, FilesRead) or FilesRead()
    plans = planned_folders(projects, root)
    entries: dict[int, Mapping[str, Any]] = {}
    for project in projects:
        if project.id not in plans or project.id not in read.cloud:
            continue
        folder, exclude = plans[project.id]
        files = [
            f
            for f in read.cloud[project.id]
            if not f.is_library and manages(f.name, exclude) and _safe_parts(f.name)
        ]
        if not files:
            continue
        own = (
            [p for p in folder.iterdir() if p.name + "/" not in exclude] if folder.is_dir() else []
        )
        if own and not force:
            raise QcsyncError(f"{folder} exists and is not empty; pass --force to write into it")
        for file in files:
            target = folder.joinpath(*(_safe_parts(file.name) or ()))
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(file.content.encode("utf-8"))
            except OSError as error:
                raise QcsyncError(f"cannot write {target}: {error.strerror}") from None
        path = Path(os.path.relpath(folder, config_dir)).as_posix()
        entries[project.id] = {
            "files": {"path": path, "exclude": list(exclude)} if exclude else path
        }
    return entries

"""Backup documents of projects the emulator does not hold (purged: nowhere in the account),
built as a backup builds them: each aspect's section from its read of the project."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from qcsync.aspects.files import FilesRead
from qcsync.aspects.nodes import NodesRead
from qcsync.backup import backup_document
from qcsync.model import LiveProject, LiveState, NodeSelection, ProjectFile


def backup_of(project: LiveProject, files: Mapping[str, str], taken_at: datetime) -> dict[str, Any]:
    """The backup of `project` with these files, on auto nodes."""
    reads = {
        "nodes": NodesRead((), {project.id: NodeSelection(auto=True)}),
        "files": FilesRead({project.id: tuple(ProjectFile(n, c) for n, c in files.items())}),
    }
    live = LiveState(project.organization_id, (project,), reads)
    return backup_document(project, live, taken_at)

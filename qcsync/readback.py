"""Reads that learn whether a write whose answer was lost took effect.

A write whose answer was lost (or whose retries ran out after an attempt of unknown outcome) is
not reported failed on that basis: these reads ask the account. Each returns True when the
change is there, False when the account shows it did not happen; a read that fails raises, and
the change's outcome is then unknown. (The project aspect's update and create both read back
here; the nodes aspect's selection is read in its own module.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qcsync.model import LiveProject

if TYPE_CHECKING:
    from qcsync.client import QCClient


def delete_landed(client: QCClient, project_id: int) -> bool:
    """Gone, or moved into the Recycle Bin: both count as deleted (DESIGN.md §3)."""
    project = next((p for p in client.list_projects() if p.id == project_id), None)
    return project is None or project.binned


def find_created(client: QCClient, name: str, organization_id: str) -> LiveProject | None:
    """The project a create made: the plan checked that the name was free."""
    return next(
        (
            p
            for p in client.list_projects()
            if p.name == name and p.organization_id == organization_id
        ),
        None,
    )


def update_landed(
    client: QCClient, project_id: int, *, name: str | None, description: str | None
) -> bool:
    """Whether a project update (its name, its description) whose answer was lost is there."""
    project = client.read_project(project_id)
    return (name is None or project.name == name) and (
        description is None or project.description == description
    )

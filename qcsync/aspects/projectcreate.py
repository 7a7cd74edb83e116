"""How the `project` aspect creates a project: `projects/create`, never sent twice unless a read
proved the first did not land, then the description; and the duplicates ("NAME 1") the service
makes of a taken name, removed again. Split from project.py (as filewrite.py is from files.py)
so that the diff and its renderings stay apart from the create's I/O; restore's create of a
purged project removes its copies the same way (`remove_copy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qcsync.aspects.base import Executed, Execution, UnknownOutcome, confirmed
from qcsync.aspects.names import name_holder
from qcsync.errors import AmbiguousWriteError, QcsyncError
from qcsync.model import CreatedProject, LiveProject
from qcsync.plan import Change
from qcsync.readback import find_created, update_landed
from qcsync.report import FIND_OUT

if TYPE_CHECKING:
    from qcsync.client import QCClient


def create(run: Execution, change: Change) -> Executed:
    """`projects/create` (never sent twice unless a read proved the first did not land), then
    the description. A duplicate the service made ("NAME 1": it does not refuse a taken name,
    qc-api.md §4.1) is empty, so it is deleted at once and the error names the holder."""
    client, organization = run.client, run.organization_id
    language = str(change.new("language") or "Py")
    notes: list[str] = []
    try:
        created = client.create_project_checked(change.name, language, organization)
    except AmbiguousWriteError as error:
        try:
            found = find_created(client, change.name, organization)
        except QcsyncError as read_error:
            raise UnknownOutcome(
                f"{error}; reading back failed too ({read_error}); {FIND_OUT}"
            ) from None
        if found is None:
            # Not there yet is no proof: a slow create may still land.
            raise UnknownOutcome(f"{error}; {FIND_OUT}") from None
        created = CreatedProject(found, found_by_read=True)
    project = created.project
    if created.resent:
        notes.append(
            "the create's answer was lost and no read found the project, so it was sent again"
        )
    notes.extend(remove_copy(client, copy) for copy in created.copies)
    if project.name != change.name:
        raise QcsyncError(_undo_duplicate(client, project, change.name, organization))
    run.created[change.name] = project.id
    description = change.new("description")
    if isinstance(description, str) and description:
        pid = project.id
        try:
            confirmed(
                client,
                lambda: client.update_project(pid, description=description),
                lambda: update_landed(client, pid, name=None, description=description),
            )
        except UnknownOutcome as error:
            raise UnknownOutcome(
                f"created (id {pid}), but whether its description was set is unknown: {error}"
            ) from None
        except QcsyncError as error:
            raise QcsyncError(
                f"created (id {pid}), but setting its description failed: {error}"
            ) from None
    made = f"created (id {project.id}"
    if created.found_by_read:
        made += "; its answer was lost and a read found it"
    return Executed(f"{made})", project.id, notes=tuple(notes))


def remove_copy(client: QCClient, copy: LiveProject) -> str:
    """Delete a duplicate that qcsync's own resent create made (it is empty and ours); the note
    that says so (apply's report and restore print it)."""
    what = f"the duplicate {copy.name!r} (id {copy.id}) that qcsync's resent create made"
    try:
        client.delete_project(copy.id)
    except QcsyncError as error:
        return f"{what} could not be removed ({error}): delete it by hand"
    return f"removed {what}"


def _undo_duplicate(client: QCClient, copy: LiveProject, name: str, organization: str) -> str:
    """Delete the "NAME 1" the service made instead of `name`; the message for the failure."""
    try:
        client.delete_project(copy.id)
    except QcsyncError as error:
        return (
            f"conflict: the name is already taken; the service created a duplicate "
            f"{copy.name!r} (id {copy.id}) and deleting it failed ({error}): delete it by hand"
        )
    ours = (p for p in client.list_projects() if p.organization_id == organization)
    holder = name_holder(ours, name, besides=copy.id)
    held = f" by project {holder.id}" if holder else ""
    return (
        f"conflict: the name is already taken{held}; the service created a duplicate "
        f"{copy.name!r} (id {copy.id}), which qcsync deleted again (it waits in the "
        "Recycle Bin)"
    )

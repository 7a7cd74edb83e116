"""`projects/collaboration/*`: collaborators and the collaboration lock."""

from __future__ import annotations

from qcsync.client.transport import Transport
from qcsync.client.wire import (
    _collaborator,
)
from qcsync.model import (
    Collaborator,
)


class CollaborationEndpoints(Transport):
    """`projects/collaboration/*`: collaborators and the collaboration lock."""

    def read_collaborators(self, project_id: int) -> tuple[Collaborator, ...]:
        """Everyone on the project, the owner included (qc-api.md §4.7)."""
        data = self._call("projects/collaboration/read", {"projectId": project_id})
        return self._parsed(
            "projects/collaboration/read",
            lambda: tuple(_collaborator(c) for c in data.get("collaborators") or []),
        )

    def _has_collaborator(
        self, project_id: int, public_id: str, write: bool, live_control: bool
    ) -> bool | None:
        for person in self.read_collaborators(project_id):
            if person.public_id == public_id:
                return (
                    True if (person.write, person.live_control) == (write, live_control) else None
                )
        return None

    def add_collaborator(
        self, project_id: int, public_id: str, *, write: bool, live_control: bool
    ) -> None:
        """A second add of the same user is refused, so it is never resent blindly."""
        body = {
            "projectId": project_id,
            "collaboratorUserId": public_id,
            "collaborationLiveControl": live_control,
            "collaborationWrite": write,
        }
        self._write_once(
            "projects/collaboration/create",
            body,
            lambda: self._has_collaborator(project_id, public_id, write, live_control),
        )

    def update_collaborator(
        self, project_id: int, public_id: str, *, write: bool, live_control: bool
    ) -> None:
        body = {
            "projectId": project_id,
            "collaboratorUserId": public_id,
            "liveControl": live_control,
            "write": write,
        }
        self._write("projects/collaboration/update", body)

    def remove_collaborator(self, project_id: int, public_id: str) -> None:
        """Sends SPEC's `collaboratorId`; a second remove is refused, so it is never resent."""

        def happened() -> bool | None:
            present = {p.public_id for p in self.read_collaborators(project_id)}
            return True if public_id not in present else None

        body = {"projectId": project_id, "collaboratorId": public_id}
        self._write_once("projects/collaboration/delete", body, happened)

    def acquire_lock(self, project_id: int, code_source_id: str = "qcsync") -> None:
        """Take the collaboration lock, needed before editing the files of a project that has
        collaborators (qc-api.md §4.7). Taking it twice is harmless."""
        body = {"projectId": project_id, "codeSourceId": code_source_id}
        self._write("projects/collaboration/lock/acquire", body)

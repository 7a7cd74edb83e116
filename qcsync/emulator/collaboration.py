"""Collaborators and the collaboration lock: ``projects/collaboration/*`` (qc-api.md §4.7). A base
class of ``store.Store``.

Sourced (qc-api.md §4.7): the owner is in every list; a collaborator's ``permission`` is ``write``
or ``read``; the lock.

Inferred (qc-api.md is silent), each pinned by a contract test:
- the lock: ``lock/acquire`` always succeeds and takes the lock for the API caller (as the
  web IDE's "take control" does); it lapses ``LOCK_SECONDS`` after the acquire or the last file
  write made under it (``projectfiles``), or when someone else takes it (the ``lock_elsewhere``
  hook);
- collaborators: adding the owner or someone already on the project, and updating or removing
  the owner or someone not on the project are refused; ``update`` without ``liveControl`` or
  ``write`` keeps the current value (DOC-EX omits ``write``); collaboration changes do not
  bump the project's ``modified``.
"""

from __future__ import annotations

from typing import Any

from qcsync.emulator import content
from qcsync.emulator.records import Records
from qcsync.emulator.refusal import BusinessError

LOCK_SECONDS = 15 * 60


class Collaboration(Records):
    """Operations on a project's collaborators and its lock."""

    def _user(self, public_id: str | None) -> dict[str, Any]:
        if public_id is None or not public_id.strip():
            raise BusinessError("collaboratorUserId is required")
        if public_id == self._owner["publicId"]:
            return self._owner
        user = self._users.get(public_id)
        if user is None:
            raise BusinessError(f"User not found: {public_id}")
        return user

    def _collaborator(self, record: dict[str, Any], public_id: str | None) -> dict[str, Any]:
        user = self._user(public_id)
        for entry in record["project"]["collaborators"]:
            if entry["publicId"] == user["publicId"]:
                if entry["owner"]:
                    raise BusinessError("The project's owner cannot be changed or removed")
                return entry  # type: ignore[no-any-return]
        raise BusinessError(f"{user['publicId']} is not a collaborator on this project")

    def _collaborators(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(c) for c in record["project"]["collaborators"]]

    def read_collaborators(self, project_id: int | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            return {
                "collaborators": self._collaborators(record),
                "userLiveControl": True,
                "userPermissions": "write",
            }

    def add_collaborator(
        self, project_id: int | None, public_id: str | None, *, live_control: bool, write: bool
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            user = self._user(public_id)
            entries = record["project"]["collaborators"]
            if user is self._owner:
                raise BusinessError("The project's owner is already on the project")
            if any(c["publicId"] == user["publicId"] for c in entries):
                raise BusinessError(f"{user['publicId']} is already a collaborator")
            entries.append(
                content.collaborator(user, live_control=live_control, write=write, owner=False)
            )
            self._saved(record)
            return self._collaborators(record)

    def update_collaborator(
        self,
        project_id: int | None,
        public_id: str | None,
        *,
        live_control: bool | None,
        write: bool | None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            entry = self._collaborator(record, public_id)
            if live_control is not None:
                entry["liveControl"] = live_control
            if write is not None:
                entry["permission"] = "write" if write else "read"
            self._saved(record)
            return self._collaborators(record)

    def remove_collaborator(
        self, project_id: int | None, public_id: str | None
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            entry = self._collaborator(record, public_id)
            record["project"]["collaborators"].remove(entry)
            self._saved(record)
            return self._collaborators(record)

    def acquire_lock(self, project_id: int | None, code_source_id: str | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            if not code_source_id:
                raise BusinessError("codeSourceId is required")
            until = self._seconds() + LOCK_SECONDS
            record["lock"] = {"codeSourceId": code_source_id, "ours": True, "until": until}
            self._saved(record)

    def lock_elsewhere(self, project_id: int, code_source_id: str = "Web IDE") -> None:
        """Someone else (a colleague in the web IDE) takes the project's lock."""
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            until = self._seconds() + LOCK_SECONDS
            record["lock"] = {"codeSourceId": code_source_id, "ours": False, "until": until}
            self._saved(record)

    def lock_of(self, project_id: int) -> dict[str, Any] | None:
        """The project's lock as stored (``codeSourceId``, ``ours``, ``until``), or None."""
        with self._lock:
            lock = self._record(project_id).get("lock")
            return None if lock is None else dict(lock)

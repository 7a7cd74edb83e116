"""The emulator's account data, held in memory and on disk: organizations, projects indexed by id
and by name, known users, the clock, the one lock, and persistence (a snapshot plus a journal of
writes, see ``journal``).

``Records`` is the base of ``store.Store``. The operations on the records live in one module per
area (``projects``, ``nodes``, ``organizations``, ``projectfiles``, ``libraries``,
``collaboration``), each a base class of the store, and all take the lock. Every operation first
purges the Recycle Bin projects whose 30 days are over (``_sweep``; the bin's rules are in
``projects``), by the store's clock: the injected clock plus ``clockOffset`` from the state file,
which tests move with ``advance_clock`` (authentication keeps the real clock, so clients need not
lie about time).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from qcsync.emulator import content
from qcsync.emulator.journal import Journal
from qcsync.emulator.refusal import BusinessError

_T = TypeVar("_T")

STATE_FORMAT = 1
FIRST_PROJECT_ID = 23456789
FIRST_FILE_ID = 108944675
DELETE_MODES = ("recycle", "hard")
PURGE_AFTER_SECONDS = 30 * 24 * 3600


def copy_json(value: _T) -> _T:
    """A deep copy of JSON-shaped data (several times faster than ``copy.deepcopy``)."""
    copied: _T = json.loads(json.dumps(value))
    return copied


def wire_date(seconds: float) -> str:
    """The service's date format: ``YYYY-MM-DD HH:MM:SS`` in UTC, no zone, no fraction."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


class Records:
    """Thread-safe account state in memory, persisted to ``state_path`` when one is given.

    Projects are indexed by id and names by organization, so a lookup or a create costs the same
    at 10,000 projects as at 10; each write appends the changed project to a journal (see
    ``journal``) instead of rewriting the whole state file.
    """

    def __init__(
        self, *, user_id: str, state_path: Path | None, clock: Callable[[], float]
    ) -> None:
        self._lock = threading.RLock()
        self._user_id = user_id
        self._clock = clock
        self._journal = Journal(state_path) if state_path is not None else None
        self._organizations: list[dict[str, Any]] = []
        self._projects: dict[int, dict[str, Any]] = {}  # by id, oldest first
        self._names: dict[str, set[str]] = {}  # organization id -> project names
        self._next_project_id = FIRST_PROJECT_ID
        self._next_file_id = FIRST_FILE_ID
        self._delete_mode = "recycle"
        self._clock_offset = 0.0
        self._binned: dict[int, float] = {}  # project id -> when it entered the Recycle Bin
        self._users: dict[str, dict[str, Any]] = {}  # public id -> known user
        uid = int(user_id) if user_id.isdigit() else 0
        self._owner = content.user_from_seed(
            {
                "uid": uid,
                "publicId": "emulator-user",
                "name": "Emulator User",
                "email": "emulator@example.com",
            }
        )

    # ------------------------------------------------------------------------ loading

    def _load_settings(self, source: Mapping[str, Any]) -> None:
        mode = source.get("deleteMode", "recycle")
        if mode not in DELETE_MODES:
            raise ValueError(f"deleteMode must be one of {', '.join(DELETE_MODES)}, got {mode!r}")
        offset = source.get("clockOffset", 0)
        if isinstance(offset, bool) or not isinstance(offset, (int, float)):
            raise ValueError(f"clockOffset must be a number of seconds, got {offset!r}")
        self._delete_mode, self._clock_offset = str(mode), float(offset)

    def _load_users(self, users: Any) -> None:
        if not isinstance(users, list):
            raise ValueError("users must be a list")
        for entry in users:
            user = content.user_from_seed(entry)
            if user["publicId"] == self._owner["publicId"]:
                raise ValueError(f"user {user['publicId']} is the emulator's own user")
            self._users[user["publicId"]] = user

    def _add_organization(self, org: dict[str, Any]) -> None:
        org.setdefault("tier", content.DEFAULT_TIER)
        self._organizations.append(org)
        self._names.setdefault(str(org["id"]), set())

    def _load(self, snapshot: Mapping[str, Any]) -> None:
        self._load_settings(snapshot)
        self._load_users(snapshot.get("users", []))
        for org in snapshot["organizations"]:
            self._add_organization(org)
        for record in sorted(snapshot["projects"], key=lambda r: int(r["project"]["projectId"])):
            self._put(record)
        self._next_project_id = int(snapshot["nextProjectId"])
        self._next_file_id = int(snapshot["nextFileId"])

    def _replay(self, entry: Mapping[str, Any]) -> None:
        if "put" in entry:
            self._put(entry["put"])
            self._next_project_id, self._next_file_id = (int(n) for n in entry["next"])
        elif "drop" in entry:
            self._drop(int(entry["drop"]))
        else:
            raise ValueError(f"unknown journal entry: {sorted(entry)}")

    # -------------------------------------------------------------------- persistence

    def _snapshot(self) -> dict[str, Any]:
        """The whole state in the state file's format (``projects`` oldest first)."""
        return {
            "format": STATE_FORMAT,
            "nextProjectId": self._next_project_id,
            "nextFileId": self._next_file_id,
            "deleteMode": self._delete_mode,
            "clockOffset": self._clock_offset,
            "organizations": self._organizations,
            "users": list(self._users.values()),
            "projects": list(self._projects.values()),
        }

    def _settings_changed(self) -> None:
        # Rare (a flag at start, a test moving the clock): a snapshot is simplest.
        if self._journal is not None:
            self._journal.write_snapshot(self._snapshot())

    def _put(self, record: dict[str, Any]) -> None:
        project = record["project"]
        old = self._projects.get(int(project["projectId"]))
        if old is not None:
            self._names[old["project"]["organizationId"]].discard(old["project"]["name"])
        self._projects[int(project["projectId"])] = record
        self._names.setdefault(project["organizationId"], set()).add(project["name"])
        if record.get("binnedAt") is not None:
            self._binned[int(project["projectId"])] = float(record["binnedAt"])
        else:
            self._binned.pop(int(project["projectId"]), None)

    def _drop(self, project_id: int) -> None:
        record = self._projects.pop(project_id, None)
        self._binned.pop(project_id, None)
        if record is not None:
            project = record["project"]
            self._names[project["organizationId"]].discard(project["name"])

    def _saved(self, record: dict[str, Any]) -> None:
        """Persist one project's new content (the caller holds the lock)."""
        if self._journal is None:
            return
        entry = {"put": record, "next": [self._next_project_id, self._next_file_id]}
        if self._journal.append(entry):
            self._journal.write_snapshot(self._snapshot())

    def _dropped(self, project_id: int) -> None:
        if self._journal is not None and self._journal.append({"drop": project_id}):
            self._journal.write_snapshot(self._snapshot())

    def close(self) -> None:
        """Fold the journal into the snapshot, so the state is one file again."""
        with self._lock:
            self._sweep()
            if self._journal is not None and self._journal.pending:
                self._journal.write_snapshot(self._snapshot())

    # --------------------------------------------------------------------------- clock

    def _seconds(self) -> float:
        return self._clock() + self._clock_offset

    def _now(self) -> str:
        return wire_date(self._seconds())

    @property
    def delete_mode(self) -> str:
        return self._delete_mode

    def advance_clock(self, seconds: float) -> None:
        """Move the service's clock forward (tests: the 30-day purge); persisted."""
        with self._lock:
            self._clock_offset += seconds
            self._settings_changed()
            self._sweep()

    def _sweep(self) -> None:
        """Purge binned projects 30 days after they entered the bin; run before every operation."""
        if not self._binned:
            return
        cutoff = self._seconds() - PURGE_AFTER_SECONDS
        for project_id in [p for p, since in self._binned.items() if since <= cutoff]:
            self._drop(project_id)
            self._dropped(project_id)

    # ------------------------------------------------------------------------- lookups

    def _organization(self, organization_id: str | None) -> dict[str, Any]:
        for org in self._organizations:
            if organization_id is None and org["preferred"]:
                return org
            if org["id"] == organization_id:
                return org
        raise BusinessError(f"Organization not found: {organization_id}")

    def _record(self, project_id: int | None) -> dict[str, Any]:
        if project_id is None:
            raise BusinessError("projectId is required")
        record = self._projects.get(project_id)
        if record is None:
            raise BusinessError(f"Project not found. Project ID: {project_id}")
        return record

    def _names_in(self, organization_id: str) -> set[str]:
        return self._names.get(organization_id, set())

    def _tier(self, record: dict[str, Any]) -> str:
        return str(self._organization(record["project"]["organizationId"])["tier"])

    def _touch(self, record: dict[str, Any]) -> None:
        record["project"]["modified"] = self._now()

    def _new_file(self, project_id: int, name: str, content: str) -> dict[str, Any]:
        file_id = self._next_file_id
        self._next_file_id = file_id + 1
        return {
            "id": file_id,
            "projectId": project_id,
            "name": name,
            "content": content,
            "modified": self._now(),
            "open": False,
            "isLibrary": False,
        }

"""The emulator's account state and every operation on it, without HTTP.

Owns: organizations with their node catalogues, projects with their files and node selection,
and their persistence (a snapshot plus a journal of writes, see ``journal``). Operations take
already-parsed parameters and return wire-shaped dicts (qc-api.md §4-§5) or raise
``BusinessError``, which the server turns into HTTP 200 with ``success: false``. All access goes
through one lock.

Choices where qc-api.md is silent (inferred, documented here so tests can pin them):
- project lists are ordered newest first (highest ``projectId`` first), for reads and pages;
- a duplicate name on create is made unique within the organization: ``NAME 1``, ``NAME 2``, ...;
- writing a file bumps the project's ``modified``; changing the node selection does not;
- ``projects/update`` bumps ``modified`` when it carries ``name`` or ``description``;
- unknown node ids in ``projects/nodes/update`` are ignored; if none is left, it means auto;
- ``projects/read`` without ``organizationId`` lists every organization's projects; with it
  (undocumented; lean-cli sends it) only that organization's.

The Recycle Bin (qc-api.md §4.4), the default ``delete_mode`` (``"recycle"``; ``"hard"`` is the
old service, which removes a deleted project at once):
- ``projects/delete`` renames the project to ``Recycle Bin/<name>``, same id, files, node
  selection and everything else kept; a name already taken in the bin is numbered like a
  duplicate create (``Recycle Bin/<name> 1``);
- ``projects/delete`` of a project already in the bin purges it (assumed; qc-api.md says never
  send it);
- any rename out of ``Recycle Bin/`` restores the project; a rename into it bins it;
- a binned project is purged 30 days after it entered the bin, by the store's clock: the
  injected clock plus ``clockOffset`` from the state file, which tests move with
  ``advance_clock`` (authentication keeps the real clock, so clients need not lie about time).
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
from qcsync.emulator.projectcontent import ProjectContent
from qcsync.emulator.refusal import BusinessError
from qcsync.emulator.seed import complete_node

_T = TypeVar("_T")

STATE_FORMAT = 1
FIRST_PROJECT_ID = 23456789
FIRST_FILE_ID = 108944675
NODE_KINDS = ("backtest", "research", "live")
LANGUAGES = ("Py", "C#")
RECYCLE_BIN = "Recycle Bin/"
PURGE_AFTER_SECONDS = 30 * 24 * 3600
DELETE_MODES = ("recycle", "hard")
LEAN_VERSION = {
    "id": 17120,
    "created": "2025-06-02 14:00:00",
    "description": "LEAN engine master",
    "leanHash": "0b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d",
    "leanCloudHash": "9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
    "name": "master",
    "ref": "refs/heads/master",
    "public": True,
}

DEFAULT_FILES: dict[str, dict[str, str]] = {
    "Py": {
        "main.py": (
            "from AlgorithmImports import *\n\n\n"
            "class EmulatedAlgorithm(QCAlgorithm):\n"
            "    def initialize(self):\n"
            "        self.set_start_date(2024, 1, 1)\n"
            '        self.add_equity("SPY")\n'
        ),
        "research.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}\n',
    },
    "C#": {
        "Main.cs": (
            "namespace QuantConnect.Algorithm.CSharp\n{\n"
            "    public class EmulatedAlgorithm : QCAlgorithm\n    {\n"
            '        public override void Initialize() { AddEquity("SPY"); }\n    }\n}\n'
        ),
        "Research.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}\n',
    },
}


def _copy(value: _T) -> _T:
    """A deep copy of JSON-shaped data (several times faster than ``copy.deepcopy``)."""
    copied: _T = json.loads(json.dumps(value))
    return copied


def wire_date(seconds: float) -> str:
    """The service's date format: ``YYYY-MM-DD HH:MM:SS`` in UTC, no zone, no fraction."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


__all__ = ["BusinessError", "Store", "wire_date"]


class Store(ProjectContent):
    """Thread-safe account state in memory, persisted to ``state_path`` when one is given.

    Projects are indexed by id and names by organization, so a lookup or a create costs the same
    at 10,000 projects as at 10; each write appends the changed project to a journal (see
    ``journal``) instead of rewriting the whole state file.
    """

    def __init__(
        self,
        *,
        user_id: str,
        seed: Mapping[str, Any],
        state_path: Path | None,
        clock: Callable[[], float],
        delete_mode: str | None = None,
    ) -> None:
        """``delete_mode`` None keeps the state file's (or the seed's ``deleteMode``) mode."""
        if delete_mode is not None and delete_mode not in DELETE_MODES:
            raise ValueError(f"delete mode must be one of {', '.join(DELETE_MODES)}")
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
        if self._journal is not None and self._journal.exists():
            snapshot, entries = self._journal.read()
            if snapshot.get("format") != STATE_FORMAT:
                raise ValueError(
                    f"{state_path}: not an emulator state file of format {STATE_FORMAT}"
                )
            self._load(snapshot)
            for entry in entries:
                self._replay(entry)
            if entries:
                self._journal.write_snapshot(self._snapshot())
        else:
            self._load_seed(seed)
            if self._journal is not None:
                self._journal.write_snapshot(self._snapshot())
        if delete_mode is not None and delete_mode != self._delete_mode:
            self._delete_mode = delete_mode
            self._settings_changed()

    # ----------------------------------------------------------------- seeding and persistence

    def _load_settings(self, source: Mapping[str, Any]) -> None:
        mode = source.get("deleteMode", "recycle")
        if mode not in DELETE_MODES:
            raise ValueError(f"deleteMode must be one of {', '.join(DELETE_MODES)}, got {mode!r}")
        offset = source.get("clockOffset", 0)
        if isinstance(offset, bool) or not isinstance(offset, (int, float)):
            raise ValueError(f"clockOffset must be a number of seconds, got {offset!r}")
        self._delete_mode, self._clock_offset = str(mode), float(offset)

    def _settings_changed(self) -> None:
        # Rare (a flag at start, a test moving the clock): a snapshot is simplest.
        if self._journal is not None:
            self._journal.write_snapshot(self._snapshot())

    def _load_seed(self, seed: Mapping[str, Any]) -> None:
        self._load_settings({"deleteMode": seed.get("deleteMode", "recycle")})
        self._load_users(seed.get("users", []))
        for org in seed.get("organizations", []):
            nodes = org.get("nodes", {})
            self._add_organization(
                {
                    "id": str(org["id"]),
                    "name": str(org["name"]),
                    "type": str(org.get("type", "team")),
                    "seats": int(org.get("seats", 1)),
                    "preferred": bool(org.get("preferred", False)),
                    "ownerName": str(org.get("ownerName", "Emulator User")),
                    "tier": content.check_tier(org.get("tier", content.DEFAULT_TIER)),
                    "nodes": {k: [complete_node(n) for n in nodes.get(k, [])] for k in NODE_KINDS},
                }
            )
        if self._organizations and not any(o["preferred"] for o in self._organizations):
            self._organizations[0]["preferred"] = True
        for org in seed.get("organizations", []):
            for entry in org.get("projects", []):
                project_id = self._insert_project(
                    name=str(entry["name"]),
                    language=str(entry.get("language", "Py")),
                    organization_id=str(org["id"]),
                    description=str(entry.get("description", "")),
                    code_running=bool(entry.get("codeRunning", False)),
                    files=entry.get("files"),
                )
                if entry.get("nodes"):
                    self._select_nodes(self._record(project_id), list(entry["nodes"]))
                self._seed_content(self._record(project_id), entry)
        for org in seed.get("organizations", []):
            for entry in org.get("projects", []):
                if entry.get("libraries"):
                    self._seed_libraries(str(org["id"]), entry)

    def _load_users(self, users: Any) -> None:
        if not isinstance(users, list):
            raise ValueError("users must be a list")
        for entry in users:
            user = content.user_from_seed(entry)
            if user["publicId"] == self._owner["publicId"]:
                raise ValueError(f"user {user['publicId']} is the emulator's own user")
            self._users[user["publicId"]] = user

    def _seed_content(self, record: dict[str, Any], entry: Mapping[str, Any]) -> None:
        """A seeded project's parameters, encryption and collaborators."""
        project = record["project"]
        project["parameters"] = content.parse_parameters(entry.get("parameters", []))
        if entry.get("encrypted"):
            self._encrypt(record, True)
        for item in entry.get("collaborators", []):
            public_id = str(item.get("publicId", ""))
            user = self._users.get(public_id)
            if user is None:
                raise ValueError(f"{project['name']}: collaborator {public_id!r} is not a user")
            project["collaborators"].append(
                content.collaborator(
                    user,
                    live_control=bool(item.get("liveControl", False)),
                    write=bool(item.get("write", True)),
                    owner=False,
                )
            )

    def _seed_libraries(self, organization_id: str, entry: Mapping[str, Any]) -> None:
        """Links named in a seed (library project names in the same organization)."""
        by_name = {
            r["project"]["name"]: r
            for r in self._projects.values()
            if r["project"]["organizationId"] == organization_id
        }
        record = by_name[str(entry["name"])]
        for name in entry["libraries"]:
            library = by_name.get(str(name))
            if library is None:
                raise ValueError(f"{entry['name']}: library {name!r} is not a seeded project")
            problem = content.library_problem(record["project"], library["project"])
            if problem is not None:
                raise ValueError(f"{entry['name']}: {problem}")
            record["project"]["libraries"].append(self._link_entry(library))

    @staticmethod
    def _encrypt(record: dict[str, Any], encrypted: bool) -> None:
        project = record["project"]
        project["encrypted"] = encrypted
        key_id = f"{int(project['projectId']):032x}"
        project["encryptionKey"] = {"id": key_id, "name": "Emulator key"} if encrypted else None

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

    def _replay(self, entry: Mapping[str, Any]) -> None:
        if "put" in entry:
            self._put(entry["put"])
            self._next_project_id, self._next_file_id = (int(n) for n in entry["next"])
        elif "drop" in entry:
            self._drop(int(entry["drop"]))
        else:
            raise ValueError(f"unknown journal entry: {sorted(entry)}")

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

    # ----------------------------------------------------------------------------- lookups

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

    def _set_name(self, record: dict[str, Any], name: str) -> None:
        """Rename, keeping the names index and the time it entered the Recycle Bin (the old
        service has no bin: there a "Recycle Bin/" name is just a name)."""
        project = record["project"]
        names = self._names_in(project["organizationId"])
        if name.startswith(RECYCLE_BIN) and self._delete_mode == "recycle":
            if not project["name"].startswith(RECYCLE_BIN) or record.get("binnedAt") is None:
                record["binnedAt"] = self._seconds()
            self._binned[int(project["projectId"])] = float(record["binnedAt"])
        else:
            record["binnedAt"] = None
            self._binned.pop(int(project["projectId"]), None)
        names.discard(project["name"])
        names.add(name)
        project["name"] = name

    def _unique_name(self, organization_id: str, name: str) -> str:
        unique, taken, n = name, self._names_in(organization_id), 0
        while unique in taken:
            n += 1
            unique = f"{name} {n}"
        return unique

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

    def _view(self, record: dict[str, Any]) -> dict[str, Any]:
        """The Project as the API shows it: stored fields plus what depends on other state
        (``maxFileSize`` from the organization's tier, library names as they are now)."""
        project = record["project"]
        view = {**project, "maxFileSize": content.max_file_size(self._tier(record))}
        if project["libraries"]:
            view["libraries"] = self._library_entries(project)
        return view

    def _touch(self, record: dict[str, Any]) -> None:
        record["project"]["modified"] = self._now()

    def _all_nodes(self, organization_id: str) -> list[dict[str, Any]]:
        nodes = self._organization(organization_id)["nodes"]
        return [node for kind in NODE_KINDS for node in nodes[kind]]

    # ----------------------------------------------------------------------------- projects

    def _insert_project(
        self,
        *,
        name: str,
        language: str,
        organization_id: str | None,
        description: str,
        code_running: bool,
        files: Mapping[str, str] | None,
    ) -> int:
        if not name.strip():
            raise BusinessError("Project name cannot be empty")
        if language not in LANGUAGES:
            raise BusinessError(f"Language must be one of Py, C#; got '{language}'")
        org = self._organization(organization_id)
        unique = self._unique_name(org["id"], name)
        project_id = self._next_project_id
        self._next_project_id = project_id + 1
        now = self._now()
        uid = int(self._user_id) if self._user_id.isdigit() else 0
        project = {
            "projectId": project_id,
            "organizationId": org["id"],
            "name": unique,
            "modified": now,
            "created": now,
            "ownerId": uid,
            "language": language,
            "collaborators": [
                content.collaborator(self._owner, live_control=True, write=True, owner=True)
            ],
            "leanVersionId": LEAN_VERSION["id"],
            "leanPinnedToMaster": True,
            "owner": True,
            "description": description,
            "channelId": f"P{project_id}-{project_id:032x}",
            "parameters": [],
            "libraries": [],
            "grid": None,
            "liveGrid": None,
            "paperEquity": None,
            "lastLiveDeployment": None,
            "liveForm": None,
            "encrypted": False,
            "codeRunning": code_running,
            "leanEnvironment": 1,
            "encryptionKey": None,
        }
        contents = DEFAULT_FILES[language] if files is None else files
        record: dict[str, Any] = {
            "project": project,
            "files": [],
            "nodes": [],
            "autoSelectNode": True,
            "binnedAt": (
                self._seconds()
                if unique.startswith(RECYCLE_BIN) and self._delete_mode == "recycle"
                else None
            ),
        }
        for file_name, text in contents.items():
            record["files"].append(self._new_file(project_id, str(file_name), str(text)))
        self._put(record)
        return project_id

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

    def create_project(
        self,
        name: str,
        language: str,
        *,
        organization_id: str | None = None,
        description: str = "",
        code_running: bool = False,
        files: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            project_id = self._insert_project(
                name=name,
                language=language,
                organization_id=organization_id,
                description=description,
                code_running=code_running,
                files=files,
            )
            record = self._record(project_id)
            self._saved(record)
            return _copy(self._view(record))

    def read_projects(
        self,
        project_id: int | None = None,
        start: int | None = None,
        end: int | None = None,
        organization_id: str | None = None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            if project_id is not None:
                return [_copy(self._view(self._record(project_id)))]
            # Ids only grow, so the index's insertion order reversed is newest first.
            records = [
                r
                for r in reversed(self._projects.values())
                if organization_id is None or r["project"]["organizationId"] == organization_id
            ]
            if start is not None or end is not None:
                first = 0 if start is None else start
                if first < 0 or (end is not None and first >= end):
                    raise BusinessError("Invalid range: start must be >= 0 and less than end")
                records = records[first:end]
            return _copy([self._view(r) for r in records])

    def project(self, project_id: int) -> dict[str, Any] | None:
        with self._lock:
            self._sweep()
            record = self._projects.get(project_id)
            return None if record is None else dict(_copy(self._view(record)))

    def update_project(
        self,
        project_id: int | None,
        name: str | None = None,
        description: str | None = None,
        *,
        parameters: list[dict[str, str]] | None = None,
        library_ids: list[int] | None = None,
        files: list[tuple[str, str]] | None = None,
        lean_version: int | None = None,
        lean_environment: int | None = None,
    ) -> None:
        """Partial update; ``parameters``, ``library_ids`` and ``files`` replace the whole list
        when given (qc-api.md §4.3, §4.10a); ``lean_version`` -1 means master. All is checked
        before anything changes."""
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            project = record["project"]
            if name is not None and not name.strip():
                raise BusinessError("Project name cannot be empty")
            taken = self._names_in(project["organizationId"])
            if name is not None and name != project["name"] and name in taken:
                raise BusinessError(f"A project with the name '{name}' already exists")
            if files is not None:
                self._check_file_set(record, files)
            replaced = self._replace_content(record, parameters, library_ids)
            if files is not None:
                replaced = self._replace_files(record, files) or replaced
            if name is not None:
                self._set_name(record, name)
            if description is not None:
                project["description"] = description
            if lean_version is not None:
                master = lean_version == -1
                project["leanPinnedToMaster"] = master
                project["leanVersionId"] = LEAN_VERSION["id"] if master else lean_version
            if lean_environment is not None:
                project["leanEnvironment"] = lean_environment
            if name is not None or description is not None or replaced:
                self._touch(record)
            if (
                name is not None
                or description is not None
                or replaced
                or lean_version is not None
                or lean_environment is not None
            ):
                self._saved(record)

    def delete_project(self, project_id: int | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            project = record["project"]
            if self._delete_mode == "hard" or project["name"].startswith(RECYCLE_BIN):
                self._drop(int(project["projectId"]))
                self._dropped(int(project["projectId"]))
                return
            binned = self._unique_name(project["organizationId"], RECYCLE_BIN + project["name"])
            self._set_name(record, binned)
            self._touch(record)
            self._saved(record)

    def set_code_running(self, project_id: int, running: bool) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            record["project"]["codeRunning"] = running
            self._saved(record)

    def set_tier(self, organization_id: str | None, tier: str) -> None:
        """Change an organization's tier (its file quotas); persisted."""
        with self._lock:
            self._organization(organization_id)["tier"] = content.check_tier(tier)
            self._settings_changed()

    def set_encrypted(self, project_id: int, encrypted: bool) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._encrypt(record, encrypted)
            self._saved(record)

    def add_user(self, user: Mapping[str, Any]) -> dict[str, Any]:
        """Make a user known (a collaborator candidate); persisted."""
        with self._lock:
            self._load_users([dict(user)])
            self._settings_changed()
            return dict(self._users[str(user["publicId"])])

    def touch(self, project_id: int) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._touch(record)
            self._saved(record)

    # -------------------------------------------------------------------------------- nodes

    def _select_nodes(self, record: dict[str, Any], node_ids: list[str]) -> None:
        known = {n["id"] for n in self._all_nodes(record["project"]["organizationId"])}
        selected = [i for i in dict.fromkeys(node_ids) if i in known]
        record["nodes"] = selected
        record["autoSelectNode"] = not selected

    def _project_nodes(self, record: dict[str, Any]) -> dict[str, Any]:
        org = self._organization(record["project"]["organizationId"])
        active = set(record["nodes"])
        return {
            "nodes": {
                kind: [{**_copy(n), "active": n["id"] in active} for n in org["nodes"][kind]]
                for kind in NODE_KINDS
            },
            "autoSelectNode": bool(record["autoSelectNode"]),
        }

    def read_project_nodes(self, project_id: int | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            return self._project_nodes(self._record(project_id))

    def update_project_nodes(self, project_id: int | None, node_ids: list[str]) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._select_nodes(record, node_ids)
            self._saved(record)
            return self._project_nodes(record)

    def read_organization_nodes(self, organization_id: str | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            nodes = self._organization(organization_id)["nodes"]
            return {
                kind: [{**_copy(n), "active": False} for n in nodes[kind]] for kind in NODE_KINDS
            }

    # ------------------------------------------------------------------------ organizations

    def organization_ids(self) -> tuple[str, str | None]:
        """The preferred organization's id and the first other one's (None if there is none)."""
        with self._lock:
            self._sweep()
            preferred = self._organization(None)["id"]
            others = [o["id"] for o in self._organizations if o["id"] != preferred]
            return preferred, (others[0] if others else None)

    def read_organization(self, organization_id: str | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            org = self._organization(organization_id)
            uid = int(self._user_id) if self._user_id.isdigit() else 0
            return {
                "id": org["id"],
                "name": org["name"],
                "seats": org["seats"],
                "type": org["type"],
                "credit": {"movements": [], "balance": 0},
                "products": [],
                "data": {"signedTime": None, "current": False},
                "members": [
                    {
                        "id": uid,
                        "name": org["ownerName"],
                        "isAdmin": True,
                        "email": "emulator@example.com",
                    }
                ],
                "objectStoreExportDerivative": False,
            }

    def list_organizations(self) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            return [
                {
                    "id": o["id"],
                    "name": o["name"],
                    "type": o["type"],
                    # The caller owns every emulated organization; the service says so as "You",
                    # which is how lean-cli's `whoami` finds the personal organization.
                    "ownerName": "You",
                    "members": 1,
                    "preferred": o["preferred"],
                }
                for o in self._organizations
            ]

    @staticmethod
    def lean_versions() -> list[dict[str, Any]]:
        return [dict(LEAN_VERSION)]

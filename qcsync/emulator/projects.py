"""Projects: create, read, update (name, description, parameters, libraries, the whole file set,
the LEAN version), delete, and the Recycle Bin (qc-api.md §4.1-§4.4). A base class of
``store.Store``, working on ``records.Records``.

Choices where qc-api.md is silent (inferred, documented here so tests can pin them):
- project lists are ordered newest first (highest ``projectId`` first), for reads and pages;
- a duplicate name on create is made unique within the organization: ``NAME 1``, ``NAME 2``, ...;
- writing a file bumps the project's ``modified``; changing the node selection does not;
- ``projects/update`` bumps ``modified`` when it carries ``name`` or ``description``;
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
- a binned project is purged 30 days after it entered the bin (``records``: the purge and its
  clock).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qcsync.emulator import content
from qcsync.emulator.libraries import Libraries
from qcsync.emulator.projectfiles import ProjectFiles
from qcsync.emulator.records import copy_json
from qcsync.emulator.refusal import BusinessError

LANGUAGES = ("Py", "C#")
RECYCLE_BIN = "Recycle Bin/"
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


class Projects(ProjectFiles, Libraries):
    """Operations on projects as a whole; ``update_project`` also replaces their files and links."""

    # ------------------------------------------------------------------ names and views

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

    def _view(self, record: dict[str, Any]) -> dict[str, Any]:
        """The Project as the API shows it: stored fields plus what depends on other state
        (``maxFileSize`` from the organization's tier, library names as they are now)."""
        project = record["project"]
        view = {**project, "maxFileSize": content.max_file_size(self._tier(record))}
        if project["libraries"]:
            view["libraries"] = self._library_entries(project)
        return view

    @staticmethod
    def _encrypt(record: dict[str, Any], encrypted: bool) -> None:
        project = record["project"]
        project["encrypted"] = encrypted
        key_id = f"{int(project['projectId']):032x}"
        project["encryptionKey"] = {"id": key_id, "name": "Emulator key"} if encrypted else None

    # ------------------------------------------------------------------------ operations

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
            return copy_json(self._view(record))

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
                return [copy_json(self._view(self._record(project_id)))]
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
            return copy_json([self._view(r) for r in records])

    def project(self, project_id: int) -> dict[str, Any] | None:
        with self._lock:
            self._sweep()
            record = self._projects.get(project_id)
            return None if record is None else dict(copy_json(self._view(record)))

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
            links = None if library_ids is None else self._links(record, library_ids)
            if parameters is not None:
                project["parameters"] = parameters
            if links is not None:
                project["libraries"] = links
            replaced = parameters is not None or links is not None
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

    def set_encrypted(self, project_id: int, encrypted: bool) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._encrypt(record, encrypted)
            self._saved(record)

    def touch(self, project_id: int) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._touch(record)
            self._saved(record)

    @staticmethod
    def lean_versions() -> list[dict[str, Any]]:
        return [dict(LEAN_VERSION)]

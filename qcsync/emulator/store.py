"""The emulator's account state and every operation on it, without HTTP.

``Store`` is the one object the server holds: the records (``records``: the data, the lock,
persistence) and the operations on them, one module per area: ``projects`` (and the Recycle Bin),
``nodes``, ``organizations`` (and known users), ``projectfiles``, ``libraries`` (library links),
``collaboration`` (collaborators and the lock). Each module's docstring lists the choices it makes
where qc-api.md is silent. Operations take already-parsed parameters and return wire-shaped dicts
(qc-api.md §4-§5) or raise ``BusinessError``, which the server turns into HTTP 200 with
``success: false``. All access goes through one lock.

This module builds a store from a state file or a seed (``seed``: the default account and the
seed format).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from qcsync.emulator import content
from qcsync.emulator.collaboration import Collaboration
from qcsync.emulator.nodes import NODE_KINDS, Nodes
from qcsync.emulator.organizations import Organizations
from qcsync.emulator.projects import Projects
from qcsync.emulator.records import DELETE_MODES, STATE_FORMAT, wire_date
from qcsync.emulator.refusal import BusinessError
from qcsync.emulator.seed import complete_node

__all__ = ["BusinessError", "Store", "wire_date"]


class Store(Projects, Nodes, Organizations, Collaboration):
    """Thread-safe account state with every operation the API needs (see the module docstring)."""

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
        super().__init__(user_id=user_id, state_path=state_path, clock=clock)
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

    # ------------------------------------------------------------------------------ seeding

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

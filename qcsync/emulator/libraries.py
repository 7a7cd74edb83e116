"""Library links: ``projects/library/create|delete`` and the ``libraries`` that ``projects/update``
replaces (qc-api.md §4.10). A base class of ``store.Store``.

Sourced (qc-api.md §4.10): library projects live under ``Library/``.

Inferred (qc-api.md is silent), each pinned by a contract test: an unknown library, one outside
``Library/``, the project itself, one of another organization, a link that exists already, and an
unlink of one that is not linked are all ``success: false`` with a message; a purged library's
link disappears; link changes bump the project's ``modified``.
"""

from __future__ import annotations

from typing import Any

from qcsync.emulator import content
from qcsync.emulator.records import Records
from qcsync.emulator.refusal import BusinessError


class Libraries(Records):
    """Operations on a project's library links."""

    def _library_entries(self, project: dict[str, Any]) -> list[dict[str, Any]]:
        entries = []
        for link in project["libraries"]:
            library = self._projects.get(int(link["projectId"]))
            if library is not None:
                owner = self._organization(library["project"]["organizationId"])["ownerName"]
                entries.append(content.library_entry(library["project"], str(owner)))
        return entries

    def _linkable(self, record: dict[str, Any], library_id: int | None) -> dict[str, Any]:
        if library_id is None:
            raise BusinessError("libraryId is required")
        library = self._projects.get(library_id)
        if library is None:
            raise BusinessError(f"Library project not found. Project ID: {library_id}")
        problem = content.library_problem(record["project"], library["project"])
        if problem is not None:
            raise BusinessError(problem)
        return library

    def _link_entry(self, library: dict[str, Any]) -> dict[str, Any]:
        owner = self._organization(library["project"]["organizationId"])["ownerName"]
        return content.library_entry(library["project"], str(owner))

    def _links(self, record: dict[str, Any], library_ids: list[int]) -> list[dict[str, Any]]:
        """``projects/update``'s ``libraries``: the whole new list of links, each one checked
        (the caller changes nothing until all are)."""
        return [self._link_entry(self._linkable(record, i)) for i in dict.fromkeys(library_ids)]

    def link_library(self, project_id: int | None, library_id: int | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            library = self._linkable(record, library_id)
            links = record["project"]["libraries"]
            if any(int(link["projectId"]) == library_id for link in links):
                raise BusinessError(f"Library {library_id} is already linked to this project")
            links.append(self._link_entry(library))
            self._touch(record)
            self._saved(record)

    def unlink_library(self, project_id: int | None, library_id: int | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            if library_id is None:
                raise BusinessError("libraryId is required")
            links = record["project"]["libraries"]
            kept = [link for link in links if int(link["projectId"]) != library_id]
            if len(kept) == len(links):
                raise BusinessError(f"Library {library_id} is not linked to this project")
            record["project"]["libraries"] = kept
            self._touch(record)
            self._saved(record)

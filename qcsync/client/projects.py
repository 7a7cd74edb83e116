"""`projects/*`: the projects, their parameters and library links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from qcsync.client.organizations import OrganizationEndpoints
from qcsync.client.transport import FormBody
from qcsync.client.wire import (
    _project,
)
from qcsync.errors import (
    ApiError,
)
from qcsync.model import (
    CreatedProject,
    LiveProject,
    Parameter,
)


class ProjectEndpoints(OrganizationEndpoints):
    """`projects/*`: the projects, their parameters and library links."""

    def list_projects(self) -> tuple[LiveProject, ...]:
        """Every project the user can see, in every organization: callers filter."""
        data = self._call("projects/read")
        return self._parsed(
            "projects/read", lambda: tuple(_project(p) for p in data.get("projects") or [])
        )

    def read_project(self, project_id: int) -> LiveProject:
        data = self._call("projects/read", {"projectId": project_id})
        return self._parsed("projects/read", lambda: _project(data["projects"][0]))

    def create_project(self, name: str, language: str, organization_id: str | None) -> LiveProject:
        return self.create_project_checked(name, language, organization_id).project

    def create_project_checked(
        self, name: str, language: str, organization_id: str | None
    ) -> CreatedProject:
        """Create a project; never twice unless a read proved the first did not land.

        The caller has checked that `name` is free. When the create had to be sent again, an
        earlier attempt may land after all, as a `NAME 1` copy, or first, so that the resent one
        is the copy: the projects that appear under `NAME <n>` meanwhile are returned as copies
        (after watching for `create_settle` seconds), never deleted here.
        """
        body: dict[str, Any] = {"name": name, "language": language}
        if organization_id:
            body["organizationId"] = organization_id
        seen: set[int] = set()  # every project id the last look saw, before a resend

        def happened() -> LiveProject | None:
            # The plan checked that the name was free, so a project with exactly this name now
            # is the one this create made. Without an organization the service creates in the
            # preferred one, so look there and not at a namesake in another organization.
            where = organization_id or self.preferred_organization_id()
            projects = self.list_projects()
            seen.clear()
            seen.update(p.id for p in projects)
            return next(
                (p for p in projects if p.name == name and p.organization_id == where), None
            )

        answer, resent = self._write_once("projects/create", body, happened)
        if isinstance(answer, LiveProject):
            return CreatedProject(answer, found_by_read=True)
        project = self._parsed("projects/create", lambda: _project(answer["projects"][0]))
        if not resent:
            return CreatedProject(project)
        return self._sort_out_copies(project, name, language, frozenset(seen))

    def _sort_out_copies(
        self, answered: LiveProject, name: str, language: str, before: frozenset[int]
    ) -> CreatedProject:
        """After a resent create: every project named `name` or `name <n>` that appeared since
        the last look (`before`) came from this create's attempts. The one named `name` is the
        project; the rest are copies."""
        pattern = re.compile(re.escape(name) + r"( \d+)?")
        found: dict[int, LiveProject] = {answered.id: answered}
        for pause in self._settle_pauses():
            self._sleep(pause)
            try:
                projects = self.list_projects()
            except ApiError:
                continue
            found.update(
                (p.id, p)
                for p in projects
                if p.id not in before
                and p.organization_id == answered.organization_id
                and p.language == language
                and pattern.fullmatch(p.name)
            )
        mine = [p for p in found.values() if p.id not in before]
        project = next((p for p in mine if p.name == name), answered)
        copies = tuple(sorted((p for p in mine if p.id != project.id), key=lambda p: p.id))
        return CreatedProject(project, resent=True, copies=copies)

    def update_project(
        self, project_id: int, *, name: str | None = None, description: str | None = None
    ) -> None:
        body: dict[str, Any] = {"projectId": project_id}
        if name is not None:
            body["name"] = name
        if description is not None:
            body["description"] = description
        self._write("projects/update", body)

    def update_parameters(self, project_id: int, parameters: Sequence[Parameter]) -> None:
        """Replace all of a project's parameters, form-encoded exactly as QuantConnect's CLI
        sends them (`parameters[i][key]`/`[value]`; `parameters=` clears; qc-api.md §4.10a).
        A replace, so sending it twice is harmless."""
        pairs = [("projectId", str(project_id))]
        for i, parameter in enumerate(parameters):
            pairs += [(f"parameters[{i}][key]", parameter.key)]
            pairs += [(f"parameters[{i}][value]", parameter.value)]
        if not parameters:
            pairs.append(("parameters", ""))
        self._write("projects/update", FormBody(pairs))

    def link_library(self, project_id: int, library_id: int) -> None:
        """`projects/library/create`; a second one is refused, so it is never resent blindly."""

        def happened() -> bool | None:
            linked = {lib.project_id for lib in self.read_project(project_id).libraries}
            return True if library_id in linked else None

        body = {"projectId": project_id, "libraryId": library_id}
        self._write_once("projects/library/create", body, happened)

    def unlink_library(self, project_id: int, library_id: int) -> None:
        def happened() -> bool | None:
            linked = {lib.project_id for lib in self.read_project(project_id).libraries}
            return True if library_id not in linked else None

        body = {"projectId": project_id, "libraryId": library_id}
        self._write_once("projects/library/delete", body, happened)

    def delete_project(self, project_id: int) -> None:
        """Delete (today: move to the Recycle Bin). Never resent once it may have landed: a
        second `projects/delete` of a binned project may purge it for good (qc-api.md §4.4)."""

        def happened() -> bool | None:
            project = next((p for p in self.list_projects() if p.id == project_id), None)
            return True if project is None or project.binned else None

        self._write_once("projects/delete", {"projectId": project_id}, happened)

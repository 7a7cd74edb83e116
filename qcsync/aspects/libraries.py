"""The `libraries` aspect: the library projects linked to a project (`libraries: [REF]`;
DESIGN.md §1.1).

A reference is a project name or id, resolved against the organization's projects under
`Library/`: live ones, and declared ones (a library this plan creates). Left out, the links are
unmanaged; `[]` means none, and the last link is removable (QuantConnect's CLI can't: form
encoding has no empty list, qc-api.md §4.10a), since every link is made and removed one by one
with `projects/library/create|delete`. Links come with `projects/read`: no read of its own.

One change per link: key the library's name; `after` its id for a link to create (the name
again for a library this plan creates, whose id is learnt when its create runs: the planner puts
creates of `Library/` projects in a stage before every other create, and a new library linking
a new library in a stage after that one's, as `waits_for` tells; a cycle of them is a plan
error); `before` its id for a link to remove.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, assert_never

from qcsync.aspects.base import (
    BadValue,
    Diff,
    Executed,
    Execution,
    FromBackup,
    InProjectsRead,
    Section,
    Subject,
    sent_or_there,
)
from qcsync.errors import QcsyncError
from qcsync.model import LIBRARY_FOLDER, DesiredProject, LiveProject, LiveState
from qcsync.plan import Action, Change, JsonValue, Plan

NAME: Final = "libraries"


@dataclass(frozen=True)
class Library:
    """A resolved reference: the library's name after the plan, and its id (None: created by
    this plan)."""

    name: str
    id: int | None


def declared_match(entry: DesiredProject, projects: Sequence[LiveProject]) -> LiveProject | None:
    """The live project an entry is (the planner's identity rules, without its error cases:
    an ambiguous entry is the planner's error to report)."""
    if entry.id is not None:
        return next((p for p in projects if p.id == entry.id), None)
    for name in (entry.name, *entry.renamed_from):
        found = [p for p in projects if p.name == name]
        if len(found) == 1:
            return found[0]
    return None


def resolve_library(
    ref: str | int,
    entry: DesiredProject,
    declared: Sequence[DesiredProject],
    projects: Sequence[LiveProject],
) -> Library:
    """The library `ref` names for `entry`; ValueError saying why it names none. Pure.

    An int is a live project id; a string a name, declared (the name after this plan) before
    live. The library must be under `Library/` (as it will be named after the plan) and must
    not be the entry's own project.
    """
    own = declared_match(entry, projects)
    if isinstance(ref, int):
        project = next((p for p in projects if p.id == ref), None)
        if project is None:
            raise ValueError(f"no project has id {ref} in the organization")
        named = next((d for d in declared if declared_match(d, projects) == project), None)
        found = Library(named.name if named else project.name, project.id)
        is_self = own is not None and own.id == project.id
    else:
        named = next((d for d in declared if d.name == ref), None)
        if named is not None:
            match = declared_match(named, projects)
            found = Library(named.name, match.id if match else None)
            is_self = named is entry or (own is not None and match is not None and own == match)
        else:
            project = next((p for p in projects if p.name == ref), None)
            if project is None:
                raise ValueError(
                    f"unknown library '{ref}': no project of the organization is named so "
                    "and no entry declares it"
                )
            found = Library(project.name, project.id)
            is_self = own is not None and own.id == project.id
    if not found.name.startswith(LIBRARY_FOLDER):
        raise ValueError(
            f"'{found.name}' is not a library: library projects live under '{LIBRARY_FOLDER}'"
        )
    if is_self:
        raise ValueError(f"'{found.name}' is this project itself; a project cannot link itself")
    return found


def link_changes(have: Sequence[int], wanted: Sequence[Library]) -> tuple[list[Library], list[int]]:
    """(links to make, library ids to unlink). Pure."""
    wanted_ids = {lib.id for lib in wanted if lib.id is not None}
    make = [lib for lib in wanted if lib.id is None or lib.id not in have]
    drop = [i for i in have if i not in wanted_ids]
    return make, drop


class LibrariesAspect(InProjectsRead):
    name: Final = NAME
    noun: Final = "library links"

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        entry = subject.entry
        refs = entry.written.get(NAME)
        if not isinstance(refs, list):
            return Diff()
        projects = [p for p in live.projects if not p.binned]
        problems: list[str] = []
        wanted: list[Library] = []
        for index, ref in enumerate(refs):
            try:
                library = resolve_library(ref, entry, subject.desired.projects, projects)
            except ValueError as error:
                problems.append(
                    f"{entry.place(NAME, index)}: {entry.name}: {NAME}[{index}]: {error}"
                )
                continue
            if library in wanted:
                problems.append(
                    f"{entry.place(NAME, index)}: {entry.name}: {NAME}[{index}]: "
                    f"'{library.name}' is listed twice"
                )
                continue
            wanted.append(library)
        if problems:
            return Diff(problems=tuple(problems))
        project = subject.project
        have = () if project is None else linked(project)
        make, drop = link_changes(have, wanted)
        pid = None if project is None else project.id
        names = {p.id: p.name for p in projects}
        changes = [
            Change(
                NAME,
                Action.CREATE,
                entry.name,
                pid,
                None,
                lib.id if lib.id is not None else lib.name,
                "library not linked" + ("" if lib.id is not None else " (created by this plan)"),
                key=lib.name,
            )
            for lib in make
        ]
        changes.extend(
            Change(
                NAME,
                Action.DELETE,
                entry.name,
                pid,
                i,
                None,
                "linked, not in the config",
                key=names.get(i, f"id {i}"),
            )
            for i in drop
        )
        return Diff(tuple(changes))

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        if not self.was_read(project, live):
            return None
        return tuple(sorted(linked(project)))

    # --- show -----------------------------------------------------------------------------------

    def verb(self, change: Change) -> str:
        match change.action:
            case Action.CREATE:
                return "link"
            case Action.DELETE | Action.UPDATE:
                return "unlink"
            case _ as unreachable:
                assert_never(unreachable)

    def show(self, change: Change, plan: Plan) -> list[str]:
        match change.action:
            case Action.CREATE:
                what = f"id {change.after}" if isinstance(change.after, int) else "new"
                return [f"+ library {change.key} ({what})"]
            case Action.DELETE | Action.UPDATE:
                return [f"- library {change.key} (id {change.before})"]
            case _ as unreachable:
                assert_never(unreachable)

    def waits_for(self, change: Change) -> str | None:
        # A link to a library this plan creates names it by name: its id is learnt at its create.
        new = change.action is Action.CREATE and isinstance(change.after, str)
        return str(change.after) if new else None

    def live_risk(self, change: Change) -> str:
        return ""  # a running deployment runs the code it was built with

    def value(self, raw: object) -> JsonValue:
        if raw is None or (isinstance(raw, int) and not isinstance(raw, bool)):
            return raw
        if isinstance(raw, str) and raw.startswith(LIBRARY_FOLDER):
            return raw
        raise BadValue("expected null, a library project id or a Library/ name")

    # --- execute --------------------------------------------------------------------------------

    def execute(self, run: Execution, change: Change) -> Executed:
        pid = run.project_id(change)
        client = run.client
        match change.action:
            case Action.CREATE:
                library = _library_id(run, change.after)
                done = sent_or_there(
                    client,
                    f"library {change.key}",
                    lambda: client.link_library(pid, library),
                    lambda: library in linked(client.read_project(pid)),
                )
                return Executed(f"library {change.key} (id {library}) linked{done}", pid)
            case Action.DELETE | Action.UPDATE:
                library = _library_id(run, change.before)
                done = sent_or_there(
                    client,
                    f"library {change.key}",
                    lambda: client.unlink_library(pid, library),
                    lambda: library not in linked(client.read_project(pid)),
                )
                return Executed(f"library {change.key} (id {library}) unlinked{done}", pid)
            case _ as unreachable:
                assert_never(unreachable)

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        links = linked(project)
        if change.action is Action.CREATE:
            ids = {p.name: p.id for p in live.projects}
            wanted = change.after if isinstance(change.after, int) else ids.get(str(change.after))
            if wanted not in links:
                return [f"library {change.key} is not linked"]
        elif change.before in links:
            return [f"library {change.key} is still linked"]
        return []

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        names = {p.id: p.name for p in live.projects if not p.binned}
        return {NAME: [names.get(i, i) for i in linked(project)]}

    # --- backup ---------------------------------------------------------------------------------

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        return list(linked(project))

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        """The backed-up links to library projects the organization still has under
        `Library/` (outside the Recycle Bin). A project gone, or no longer a library (renamed
        out of `Library/`, which the plan refuses to link), is left out and warned about, so
        the restore finishes instead of stopping at a plan error after its create."""
        links = restored.written.get(NAME)
        if not isinstance(links, list):
            return restored
        projects = {p.id: p for p in live.projects if not p.binned}
        kept: list[int] = []
        warnings: list[str] = []
        for library in links:
            project = projects.get(library)
            if project is None:
                warnings.append(f"library project {library} no longer exists; not linked.")
            elif self.was_read(project, live):  # the restored project: the only one read
                warnings.append(
                    f"library project {library} is the restored project itself; not linked."
                )
            elif not project.name.startswith(LIBRARY_FOLDER):
                warnings.append(
                    f"library project {library} is now {project.name!r}, not under "
                    f"{LIBRARY_FOLDER}; not linked."
                )
            else:
                kept.append(library)
        written = {**restored.written, NAME: kept}
        return dataclasses.replace(restored, written=written, warnings=tuple(warnings))

    def from_backup(self, section: Section, where: str) -> FromBackup:
        if section is None:
            return FromBackup()  # a backup made before links were kept: left alone
        if not isinstance(section, list):
            return FromBackup(problems=(f"{where}: libraries: expected a list of project ids",))
        problems: list[str] = []
        for index, item in enumerate(section):
            if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
                problems.append(f"{where}: libraries[{index}]: expected a project id")
            elif item in section[:index]:
                problems.append(f"{where}: libraries[{index}] {item}: listed twice")
        if problems:
            return FromBackup(problems=tuple(problems))
        return FromBackup(written={NAME: list(section)})


def linked(project: LiveProject) -> tuple[int, ...]:
    """The ids of the library projects linked to `project`, in the API's order."""
    return tuple(link.project_id for link in project.libraries)


def _library_id(run: Execution, value: JsonValue) -> int:
    if isinstance(value, int):
        return value
    created = run.created.get(str(value))
    if created is None:
        raise QcsyncError(f"library {value} was not created")
    return created


LIBRARIES: Final = LibrariesAspect()

"""The `project` aspect: a project's existence, name, description and language.

Everything qcsync does with these lives here: the fields an entry declares (a field left out is
unmanaged; the language is fixed once the project exists), the diff that makes creates, renames
and description updates, the fingerprint, how a change is shown, and the API calls that make it
(`projects/create|update|delete`). Which project an entry is, what may be deleted and in which
order changes run are the planner's (identity, ownership, order); this module answers "what
changes for this project".

Names: whether a name is taken is asked of names.py (`name_key`, casefold, stricter than the
service on purpose; why is there). The create's I/O is projectcreate.py's.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, assert_never

from qcsync.aspects.base import (
    BadValue,
    Diff,
    Executed,
    Execution,
    FromBackup,
    Mapper,
    Section,
    Subject,
    confirmed,
)
from qcsync.aspects.projectcreate import create
from qcsync.errors import QcsyncError
from qcsync.model import (
    MODIFIED_FORMAT,
    RECYCLE_BIN,
    RECYCLE_BIN_DAYS,
    DesiredProject,
    LiveProject,
    LiveState,
)
from qcsync.plan import PROJECT as NAME
from qcsync.plan import Action, Change, JsonValue, Plan
from qcsync.readback import delete_landed, update_landed

if TYPE_CHECKING:
    from qcsync.client import QCClient

BACKUP_FOLDER = ".qcsync/backups"  # backup.DEFAULT_BACKUP_ROOT, without importing the client

# The order fields are shown and compared in, whatever order a plan file lists them in.
FIELDS: Final = ("name", "language", "description")


def fields_of(project: LiveProject) -> dict[str, str]:
    return {"name": project.name, "language": project.language, "description": project.description}


class ProjectAspect:
    name: Final = NAME
    noun: Final = "name and description"

    def declared(self, entry: DesiredProject) -> bool:
        return True  # every entry has a name

    def read(
        self,
        client: QCClient,
        organization_id: str,
        entries: Sequence[DesiredProject],
        project_ids: Sequence[int],
        map_: Mapper,
        known: Mapping[int, object],
    ) -> object:
        return None  # projects/read, which state.py always makes, carries all of it

    # --- diff -----------------------------------------------------------------------------------

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        entry, project = subject.entry, subject.project
        if project is None:
            new: dict[str, JsonValue] = {
                "name": entry.name,
                "language": entry.language or subject.desired.default_language,
            }
            if entry.description:
                new["description"] = entry.description
            create = Change(NAME, Action.CREATE, entry.name, None, None, new, "not in QuantConnect")
            return Diff(changes=(create,))
        problems: list[str] = []
        if entry.language is not None and entry.language != project.language:
            problems.append(
                f"{subject.where}: language is {project.language} in QuantConnect, the config "
                f"says {entry.language}; qcsync never recreates a project — change the config or "
                "recreate by hand"
            )
        before: dict[str, JsonValue] = {}
        after: dict[str, JsonValue] = {}
        reasons: list[str] = []
        if entry.name != project.name:
            before["name"], after["name"] = project.name, entry.name
            reasons.append(subject.why_renamed)
        if entry.description is not None and entry.description != project.description:
            before["description"], after["description"] = project.description, entry.description
            reasons.append("description differs")
        if not after:
            return Diff(problems=tuple(problems))
        update = Change(
            NAME, Action.UPDATE, entry.name, project.id, before, after, "; ".join(reasons)
        )
        return Diff(changes=(update,), problems=tuple(problems))

    def delete(self, project: LiveProject, reason: str) -> Change:
        """The change that deletes a live project (the planner decides which may go)."""
        return Change(
            NAME, Action.DELETE, project.name, project.id, fields_of(project), None, reason
        )

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        modified = project.modified.strftime(MODIFIED_FORMAT) if project.modified else None
        return {
            "modified": modified,
            "name": project.name,
            "description": project.description,
            "language": project.language,
        }

    # --- show -----------------------------------------------------------------------------------

    def verb(self, change: Change) -> str:
        match change.action:
            case Action.CREATE:
                return "create"
            case Action.UPDATE:
                return "rename" if change.is_rename else "update"
            case Action.DELETE:
                return "delete"
            case _ as unreachable:
                assert_never(unreachable)

    def show(self, change: Change, plan: Plan) -> list[str]:
        match change.action:
            case Action.CREATE:
                return [f"{f}: {_text(change.new(f))}" for f in FIELDS if change.new(f) is not None]
            case Action.UPDATE:
                lines: list[str] = []
                for f in FIELDS:
                    old, new = change.old(f), change.new(f)
                    if new is None:
                        continue
                    if _multiline(old) or _multiline(new):
                        lines.extend(_line_diff(f, str(old or ""), str(new)))
                    else:
                        lines.append(f"{f}: {_text(old)} -> {_text(new)}")
                return lines
            case Action.DELETE:
                # What a delete does today (qc-api.md §4.4), so a reviewer knows it can be undone.
                return [
                    f"# moves to the Recycle Bin as '{RECYCLE_BIN}{change.name}' (same id), "
                    f"purged by QuantConnect after {RECYCLE_BIN_DAYS} days",
                    f"# backup first: {BACKUP_FOLDER}/<time>/{change.project_id}-*.json; "
                    "`qcsync restore` brings it back",
                ]
            case _ as unreachable:
                assert_never(unreachable)

    def waits_for(self, change: Change) -> str | None:
        return None  # a create waits for nothing but its stage: the planner orders names

    def live_risk(self, change: Change) -> str:
        match change.action:
            case Action.DELETE:
                return "delete"
            case Action.UPDATE:
                return "rename" if change.is_rename else ""
            case Action.CREATE:
                return ""
            case _ as unreachable:
                assert_never(unreachable)

    def value(self, raw: object) -> JsonValue:
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or not all(
            k in FIELDS and isinstance(v, str) for k, v in raw.items()
        ):
            raise BadValue("expected null or an object of name, language, description strings")
        return dict(raw)

    # --- execute --------------------------------------------------------------------------------

    def execute(self, run: Execution, change: Change) -> Executed:
        client = run.client
        match change.action:
            case Action.CREATE:
                return create(run, change)
            case Action.UPDATE:
                pid = run.project_id(change)
                new_name, new_description = change.new("name"), change.new("description")
                name = new_name if isinstance(new_name, str) else None
                description = new_description if isinstance(new_description, str) else None
                confirmed(
                    client,
                    lambda: client.update_project(pid, name=name, description=description),
                    lambda: update_landed(client, pid, name=name, description=description),
                )
                return Executed("renamed" if change.is_rename else "updated", pid)
            case Action.DELETE:
                pid = run.project_id(change)
                project = run.listed_project(pid)
                if project.binned:
                    # Deleted meanwhile; a second delete could purge it from the bin for good.
                    return Executed(
                        f"already in the Recycle Bin as {project.name!r}; not sent again", pid
                    )
                if project.code_running and not change.live:
                    raise QcsyncError("live trading started since the plan was made; not deleted")
                backup = run.backup(project)
                confirmed(
                    client, lambda: client.delete_project(pid), lambda: delete_landed(client, pid)
                )
                return Executed(
                    f"deleted (backup {backup}; `qcsync restore` brings it back)", pid, backup
                )
            case _ as unreachable:
                assert_never(unreachable)

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        actual = fields_of(project)
        return [
            f"{f} is {actual[f]!r}, expected {change.new(f)!r}"
            for f in FIELDS
            if change.new(f) is not None and actual[f] != change.new(f)
        ]

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        return {
            "name": project.name,
            "id": project.id,
            "language": project.language,
            # `$` starts a variable in config strings (DESIGN.md §1); `$$` is a literal one.
            "description": project.description.replace("$", "$$"),
        }

    # --- backup ---------------------------------------------------------------------------------

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        modified = project.modified.strftime(MODIFIED_FORMAT) if project.modified else None
        # The id, name and organization are restore's to check (identity: restorecheck.py).
        return {
            "id": project.id,
            "name": project.name,
            "organization_id": project.organization_id,
            "language": project.language,
            "description": project.description,
            "modified": modified,
        }

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        return restored  # its name, description and language name nothing else

    def from_backup(self, section: Section, where: str) -> FromBackup:
        # The language is the create's (restore's, with the name: restorecheck.py); once the
        # project exists it is fixed, so the restored entry leaves it unmanaged.
        if not isinstance(section, Mapping):
            return FromBackup(problems=(f"{where}: project: expected an object",))
        description = section.get("description") or ""
        if not isinstance(description, str):
            return FromBackup(problems=(f"{where}: project.description must be a string",))
        return FromBackup({"description": description})


def _text(value: JsonValue) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


PROJECT: Final = ProjectAspect()


def _multiline(value: JsonValue) -> bool:
    return isinstance(value, str) and "\n" in value


def _line_diff(field: str, old: str, new: str) -> list[str]:
    """A multi-line value changed: line by line (`-` old, `+` new, `  ` unchanged), each line
    quoted so that trailing spaces and empty lines show."""
    lines = [f"{field}:"]
    for line in difflib.ndiff(old.split("\n"), new.split("\n")):
        mark, text = line[:1], line[2:]
        if mark in ("-", "+", " "):
            lines.append(f"  {mark} {_text(text)}")
    return lines

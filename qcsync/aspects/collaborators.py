"""The `collaborators` aspect: who besides its owner may open a project, edit its code and
control its live trading (`collaborators: [{user, write, live_control}]`; DESIGN.md §1.1).

Users are named by their public profile id (`mia-ai`); `write` and `live_control` default to
false; `[]` means only the owner. The owner is on every list the API gives and is never added,
changed or removed. Collaborators come with `projects/read` (SPEC field names): no read of its
own. One change per collaborator (key: the public id), each one request to
`projects/collaboration/create|update|delete` (qc-api.md §4.7). A change to a LIVE project's
collaborators is marked LIVE like every change of it, and one that gives or takes live control
is blocked without `--allow-live`. An unknown user is the service's refusal of that change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from functools import partial
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
from qcsync.model import Collaborator, DesiredProject, LiveProject, LiveState
from qcsync.plan import Action, Change, JsonValue, Plan

NAME: Final = "collaborators"


def desired_collaborators(entry: DesiredProject) -> list[Collaborator] | None:
    written = entry.written.get(NAME)
    if not isinstance(written, list):
        return None
    return [
        Collaborator(
            str(item["user"]), bool(item.get("write", False)), bool(item.get("live_control", False))
        )
        for item in written
        if isinstance(item, Mapping)
    ]


def rights(person: Collaborator) -> dict[str, JsonValue]:
    return {"write": person.write, "live_control": person.live_control}


def collaborator_changes(
    have: Sequence[Collaborator], wanted: Sequence[Collaborator]
) -> list[tuple[str, Collaborator | None, Collaborator | None]]:
    """(user, before, after) for each collaborator to add, change or remove; the owner is left
    out on both sides. Pure."""
    live = {c.public_id: c for c in have if not c.owner}
    found: list[tuple[str, Collaborator | None, Collaborator | None]] = []
    for person in wanted:
        old = live.get(person.public_id)
        if old is None or rights(old) != rights(person):
            found.append((person.public_id, old, person))
    users = {p.public_id for p in wanted}
    found.extend((user, old, None) for user, old in live.items() if user not in users)
    return found


class CollaboratorsAspect(InProjectsRead):
    name: Final = NAME
    noun: Final = "collaborators"

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        entry = subject.entry
        wanted = desired_collaborators(entry)
        if wanted is None:
            return Diff()
        project = subject.project
        problems: list[str] = []
        seen: set[str] = set()
        owners = {c.public_id for c in project.collaborators if c.owner} if project else set()
        for index, person in enumerate(wanted):
            where = f"{entry.place(NAME, index)}: {entry.name}: {NAME}[{index}]"
            if person.public_id in seen:
                problems.append(f"{where}: '{person.public_id}' is listed twice")
            elif person.public_id in owners:
                problems.append(
                    f"{where}: '{person.public_id}' is the project's owner, who is never added, "
                    "changed or removed; leave the owner out"
                )
            seen.add(person.public_id)
        have = () if project is None else project.collaborators
        if any(not c.public_id and not c.owner for c in have):
            # Without a public id a live collaborator can be neither matched nor removed, and
            # "remove ''" is not a change anyone reviewed.
            problems.append(
                f"{entry.place(NAME)}: {entry.name}: {NAME}: the service lists a "
                "collaborator with no public id, so qcsync cannot tell who it is; manage this "
                "project's collaborators in the web IDE, or leave `collaborators:` out"
            )
        if problems:
            return Diff(problems=tuple(problems))
        changes: list[Change] = []
        pid = None if project is None else project.id
        for user, old, new in collaborator_changes(have, wanted):
            if old is None:
                action, reason = Action.CREATE, "not a collaborator"
            elif new is None:
                action, reason = Action.DELETE, "a collaborator, not in the config"
            else:
                action, reason = Action.UPDATE, "rights differ"
            before = None if old is None else rights(old)
            after = None if new is None else rights(new)
            changes.append(Change(NAME, action, entry.name, pid, before, after, reason, key=user))
        return Diff(tuple(changes))

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        if not self.was_read(project, live):
            return None
        people = sorted(
            (c for c in project.collaborators if not c.owner), key=lambda c: c.public_id
        )
        return tuple((c.public_id, c.write, c.live_control) for c in people)

    # --- show -----------------------------------------------------------------------------------

    def verb(self, change: Change) -> str:
        match change.action:
            case Action.CREATE:
                return "add collaborator"
            case Action.UPDATE:
                return "update collaborator"
            case Action.DELETE:
                return "remove collaborator"
            case _ as unreachable:
                assert_never(unreachable)

    def show(self, change: Change, plan: Plan) -> list[str]:
        match change.action:
            case Action.CREATE:
                return [f"+ collaborator {change.key}: {_rights(change.after)}"]
            case Action.UPDATE:
                return [
                    f"~ collaborator {change.key}: {_rights(change.before)} -> "
                    f"{_rights(change.after)}"
                ]
            case Action.DELETE:
                return [f"- collaborator {change.key}: {_rights(change.before)}"]
            case _ as unreachable:
                assert_never(unreachable)

    def waits_for(self, change: Change) -> str | None:
        return None  # users exist or the service refuses them

    def live_risk(self, change: Change) -> str:
        def live_control(value: JsonValue) -> bool:
            return isinstance(value, Mapping) and value.get("live_control") is True

        if live_control(change.before) or live_control(change.after):
            return "a change of who controls its live trading"
        return ""

    def value(self, raw: object) -> JsonValue:
        if raw is None:
            return None
        if (
            not isinstance(raw, Mapping)
            or set(raw) != {"write", "live_control"}
            or not all(isinstance(v, bool) for v in raw.values())
        ):
            raise BadValue("expected null or an object of write and live_control booleans")
        return dict(raw)

    # --- execute --------------------------------------------------------------------------------

    def execute(self, run: Execution, change: Change) -> Executed:
        pid = run.project_id(change)
        client = run.client
        user = str(change.key)
        after = change.after if isinstance(change.after, Mapping) else {}
        write, live = after.get("write") is True, after.get("live_control") is True
        wanted = Collaborator(user, write, live)

        def now() -> Collaborator | None:
            people = client.read_project(pid).collaborators
            return next((c for c in people if c.public_id == user and not c.owner), None)

        send: Callable[[], object]
        expected: Collaborator | None = wanted
        match change.action:
            case Action.CREATE:
                send = partial(client.add_collaborator, pid, user, write=write, live_control=live)
                done = "added"
            case Action.UPDATE:
                send = partial(
                    client.update_collaborator, pid, user, write=write, live_control=live
                )
                done = "updated"
            case Action.DELETE:
                send = partial(client.remove_collaborator, pid, user)
                done, expected = "removed", None
            case _ as unreachable:
                assert_never(unreachable)
        said = sent_or_there(client, f"collaborator {user}", send, lambda: now() == expected)
        return Executed(f"collaborator {user} {done}{said}", pid)

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        people = {c.public_id: c for c in project.collaborators if not c.owner}
        person = people.get(str(change.key))
        if change.after is None:
            return [] if person is None else [f"collaborator {change.key} is still there"]
        if person is None or rights(person) != change.after:
            return [f"collaborator {change.key} is not as planned"]
        return []

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        return {
            NAME: [
                {"user": c.public_id, "write": c.write, "live_control": c.live_control}
                for c in sorted(project.collaborators, key=lambda c: c.public_id)
                if not c.owner
            ]
        }

    # --- backup ---------------------------------------------------------------------------------

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        return [
            {"user": c.public_id, "write": c.write, "live_control": c.live_control}
            for c in project.collaborators
            if not c.owner
        ]

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        """The backed-up collaborators but the restored project's owner: a backup lists the
        deleted project's collaborators, and whoever restores it (one of them, say) owns the
        new project, whom the plan's diff refuses to add; left out with a warning, so the
        restore finishes instead of stopping at that plan error after its create. Any other
        user is the plan's and the service's to check."""
        people = restored.written.get(NAME)
        if not isinstance(people, list):
            return restored
        owners = {
            c.public_id
            for p in live.projects
            if self.was_read(p, live)  # the restored project: the only one read for it
            for c in p.collaborators
            if c.owner
        }
        kept = [p for p in people if p["user"] not in owners]
        if len(kept) == len(people):
            return restored
        warnings = tuple(
            f"collaborator {p['user']!r} owns the restored project; not added."
            for p in people
            if p["user"] in owners
        )
        written = {**restored.written, NAME: kept}
        return dataclasses.replace(restored, written=written, warnings=restored.warnings + warnings)

    def from_backup(self, section: Section, where: str) -> FromBackup:
        if section is None:
            return FromBackup()  # a backup made before collaborators were kept: left alone
        if not isinstance(section, list):
            return FromBackup(problems=(f"{where}: {NAME}: expected a list",))
        problems: list[str] = []
        people: list[dict[str, Any]] = []
        for index, item in enumerate(section):
            if not isinstance(item, Mapping):
                problems.append(f"{where}: {NAME}[{index}]: expected an object")
                continue
            user, write, live = item.get("user"), item.get("write"), item.get("live_control")
            if not isinstance(user, str) or not user or not user.isprintable():
                problems.append(f"{where}: {NAME}[{index}].user: expected a public profile id")
            elif not isinstance(write, bool) or not isinstance(live, bool):
                problems.append(
                    f"{where}: {NAME}[{index}] {user!r}: write and live_control must be booleans"
                )
            elif any(p["user"] == user for p in people):
                problems.append(f"{where}: {NAME}[{index}] {user!r}: listed twice")
            else:
                people.append({"user": user, "write": write, "live_control": live})
        if problems:
            return FromBackup(problems=tuple(problems))
        return FromBackup(written={NAME: people})


def _rights(value: JsonValue) -> str:
    if not isinstance(value, Mapping):
        return "(none)"
    write = "write" if value.get("write") is True else "read"
    live = "live control" if value.get("live_control") is True else "no live control"
    return f"{write}, {live}"


COLLABORATORS: Final = CollaboratorsAspect()

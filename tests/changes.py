"""Plan changes as tests write them: one constructor per kind of change of the two aspects."""

from __future__ import annotations

from qcsync.plan import Action, Change, JsonValue


def create(
    name: str, language: str = "Py", description: str | None = None, reason: str = "new"
) -> Change:
    after: dict[str, JsonValue] = {"name": name, "language": language}
    if description is not None:
        after["description"] = description
    return Change("project", Action.CREATE, name, None, None, after, reason)


def update(
    pid: int | None,
    name: str,
    reason: str = "why",
    *,
    old_name: str | None = None,
    description: tuple[str, str] | None = None,
    live: bool = False,
) -> Change:
    """A rename (`old_name`) and/or a description change (`(before, after)`)."""
    before: dict[str, JsonValue] = {}
    after: dict[str, JsonValue] = {}
    if old_name is not None:
        before["name"], after["name"] = old_name, name
    if description is not None:
        before["description"], after["description"] = description
    return Change("project", Action.UPDATE, name, pid, before, after, reason, live=live)


def nodes(
    pid: int | None,
    name: str,
    before: tuple[str, ...],
    after: tuple[str, ...],
    reason: str = "why",
    *,
    live: bool = False,
) -> Change:
    return Change("nodes", Action.UPDATE, name, pid, before, after, reason, live=live)


def delete(pid: int, name: str, reason: str = "why", *, live: bool = False) -> Change:
    before: dict[str, JsonValue] = {"name": name, "language": "Py", "description": ""}
    return Change("project", Action.DELETE, name, pid, before, None, reason, live=live)

"""Plan values: the closed list of actions, changes, and the plan that orders them.

A Plan is complete and self-contained: it lists every change, each to one aspect of one project
(DESIGN.md §4, plan format 2). This module owns the plan types, their order and their counts; it
knows no aspect beyond `project`, whose creates, renames and deletes decide the order. Safety
lives in safety.py and the JSON document in planfile.py, since both ask the aspects. No I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias, assert_never

from qcsync.model import LIBRARY_FOLDER, Limits, Node

# The values a change carries, as they appear in the JSON plan: each aspect says which it uses.
JsonValue: TypeAlias = (
    "bool | int | float | str | tuple[JsonValue, ...] | Mapping[str, JsonValue] | None"
)

# What the plan read of a live project, per aspect (`project`: its metadata and `modified` time;
# `nodes`: the selection when it was read); `apply` refuses a plan whose fingerprints moved.
Fingerprint: TypeAlias = Mapping[str, JsonValue]

PROJECT = "project"  # the aspect that holds a project's identity: create, rename, delete


class Action(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class Change:
    """One planned change to one aspect of one project.

    | aspect  | action | project_id        | before                   | after                   |
    | project | create | None              | None                     | name, language[, desc.] |
    | project | update | the live id       | the changed fields       | the same fields, new    |
    | project | delete | the live id       | name, language, desc.    | None                    |
    | nodes   | update | live id, or None  | sorted node ids, () auto | sorted node ids         |
    |         |        | for a new project |                          |                         |

    `key` names the item inside an aspect where it has several (a file, a parameter); None for
    `project` and `nodes`.

    `name` is the project's name after the plan (a delete: its live name). A change with no
    project id belongs to the project the plan creates under that name. `reason` is for people;
    `fingerprint` is what the plan read of the live project; `live` marks a project with live
    trading running (codeRunning).
    """

    aspect: str
    action: Action
    name: str
    project_id: int | None
    before: JsonValue
    after: JsonValue
    reason: str
    key: str | None = None
    fingerprint: Fingerprint | None = None
    live: bool = False

    @property
    def is_rename(self) -> bool:
        return (
            self.aspect == PROJECT
            and self.action is Action.UPDATE
            and isinstance(self.after, Mapping)
            and "name" in self.after
        )

    def old(self, key: str) -> JsonValue:
        """A field of a `before` that is a mapping of fields; None when it has no such field."""
        return self.before.get(key) if isinstance(self.before, Mapping) else None

    def new(self, key: str) -> JsonValue:
        """A field of an `after` that is a mapping of fields; None when it has no such field."""
        return self.after.get(key) if isinstance(self.after, Mapping) else None


@dataclass(frozen=True)
class Note:
    """A live project the plan leaves alone that a user might expect it to change."""

    name: str
    project_id: int
    reason: str
    live: bool = False  # live trading running: worth seeing even in what is left alone


@dataclass(frozen=True)
class ConfigFile:
    """A config file a plan was made from: its path as read and the sha256 of its bytes."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Plan:
    organization_id: str
    changes: tuple[Change, ...]
    unchanged: int
    in_scope: int = 0  # live projects inside `scope`: the base of max_delete_fraction
    limits: Limits = field(default_factory=Limits)
    nodes: tuple[Node, ...] = ()  # catalogue entries the changes mention, for labels
    notes: tuple[Note, ...] = ()
    targets: tuple[str, ...] = ()
    # Projects of the organization in the Recycle Bin, which the plan ignores; counted in one
    # line of the text rendering (not in the JSON document: nothing may act on them).
    recycle_bin: int = 0
    # What a saved plan is bound to (DESIGN.md §4): apply re-reads these and plans afresh.
    config: tuple[ConfigFile, ...] = ()
    # Files in each project the plan deletes, for the reviewer (read after planning; empty
    # when not read). Shown, never acted on, and not in the JSON document.
    file_counts: Mapping[int, int] = field(default_factory=dict)


# --- counts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The one set of counts every rendering and the apply report use.

    Projects by what happens to them: a project with several changes (a rename and a node
    selection) counts once as an update, and the content of a project being created belongs to
    its create. `by_aspect` counts the content changes, every change but a project's create or
    delete, per aspect (in the order aspects first appear in the plan).
    """

    create: int
    update: int
    delete: int
    unchanged: int
    by_aspect: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        return self.create + self.update + self.delete


def count_projects(changes: Iterable[Change], unchanged: int = 0) -> Summary:
    create = delete = 0
    updated: set[int] = set()
    by_aspect: dict[str, int] = {}
    for change in changes:
        if change.aspect == PROJECT:
            match change.action:
                case Action.CREATE:
                    create += 1
                    continue
                case Action.DELETE:
                    delete += 1
                    continue
                case Action.UPDATE:
                    pass
                case _ as unreachable:
                    assert_never(unreachable)
        by_aspect[change.aspect] = by_aspect.get(change.aspect, 0) + 1
        if change.project_id is not None:
            updated.add(change.project_id)
    return Summary(create, len(updated), delete, unchanged, tuple(by_aspect.items()))


def summary_counts(plan: Plan) -> Summary:
    return count_projects(plan.changes, plan.unchanged)


def what(change: Change) -> str:
    """How progress lines, the apply report and the convergence check name a change: the action
    for the project itself (`update`, even for a rename), else the aspect (`nodes`)."""
    return change.action.value if change.aspect == PROJECT else change.aspect


# --- order --------------------------------------------------------------------------------------


def group_of(change: Change) -> int:
    """DESIGN.md §4: renames first (they can free a name a create needs), then creates, then the
    other updates and every other aspect's changes, deletes last."""
    if change.aspect != PROJECT:
        return 2
    match change.action:
        case Action.CREATE:
            return 1
        case Action.UPDATE:
            return 0 if change.is_rename else 2
        case Action.DELETE:
            return 3
        case _ as unreachable:
            assert_never(unreachable)


def is_library_create(change: Change) -> bool:
    """A create of a library project: its stage runs before the other creates, so that a new
    project linking a new library (the link runs with the project's create) finds it made."""
    return (
        change.aspect == PROJECT
        and change.action is Action.CREATE
        and change.name.startswith(LIBRARY_FOLDER)
    )


def stages(
    changes: Sequence[Change], needs: Mapping[str, Collection[str]]
) -> tuple[tuple[Change, ...], ...]:
    """The changes, already in plan order, cut into stages whose members may run concurrently.

    A rename onto a name that another rename frees (A -> B while B -> C) must wait for it, so a
    chain of renames takes one stage per link; the planner has ordered chains already. Creates
    of library projects (the planner puts them first) are a stage of their own, and a create
    that `needs` a project created in the same stage (a new library linking a new library;
    aspects.creates_needed) starts the next one: the planner has put it after them.
    """
    result: list[list[Change]] = []
    current_group = -1
    freed_in_stage: set[str] = set()
    created_in_stage: set[str] = set()
    library_stage = False
    for change in changes:
        group = group_of(change)
        needed = needs.get(change.name, ()) if group == 1 else ()
        waits = (group == 0 and change.name in freed_in_stage) or any(
            n in created_in_stage for n in needed
        )
        leaves_libraries = library_stage and group == 1 and not is_library_create(change)
        library_stage = is_library_create(change)
        if group != current_group or waits or leaves_libraries:
            result.append([])
            freed_in_stage = set()
            created_in_stage = set()
            current_group = group
        result[-1].append(change)
        if change.is_rename:
            old = change.old("name")
            if isinstance(old, str):
                freed_in_stage.add(old)
        if group == 1:
            created_in_stage.add(change.name)
    return tuple(tuple(stage) for stage in result)


def convergence_targets(plan: Plan) -> tuple[str, ...] | None:
    """The `--target` names the re-plan after an apply can still name: a target whose project
    this plan deleted is gone or binned (each delete was read back), so no plan can name it any
    more. None when every target was deleted: there is nothing left to check."""
    deleted = {c.name for c in plan.changes if c.aspect == PROJECT and c.action is Action.DELETE}
    remaining = tuple(t for t in plan.targets if t not in deleted)
    return None if plan.targets and not remaining else remaining

"""Plan values: the closed list of actions, changes, and the plan that orders them.

A Plan is complete and self-contained: `apply PLANFILE` executes exactly what it lists. This
module owns the plan types, their order, the safety checks (a property of the plan, as in
octoDNS) and (de)serialisation to the versioned JSON document. No I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from qcsync.model import Limits, Node

FORMAT_VERSION = 1


class Action(enum.Enum):
    CREATE = "create"
    UPDATE = "update"  # name and/or description; an update that changes `name` is a rename
    NODES = "nodes"
    DELETE = "delete"


FieldName = Literal["name", "description", "language", "nodes"]
# Values of a field: strings, or for `nodes` a sorted tuple of node ids where () means auto.
FieldValue = str | tuple[str, ...] | None


@dataclass(frozen=True)
class FieldChange:
    field: FieldName
    before: FieldValue
    after: FieldValue


@dataclass(frozen=True)
class Fingerprint:
    """What the plan saw of a live project; `apply PLANFILE` refuses if any of it changed."""

    modified: str | None  # the service's "YYYY-MM-DD HH:MM:SS"
    name: str
    description: str
    language: str
    nodes: tuple[str, ...] | None = None  # active ids when read, () auto, None when not read


@dataclass(frozen=True)
class Change:
    """One planned API call.

    | action | project_id        | name                       | fields                         |
    | create | None              | the new project's name     | name, language[, description]  |
    | update | the live id       | the name after the change  | name and/or description        |
    | nodes  | live id, or None  | the name after the plan    | nodes                          |
    |        | for a new project |                            |                                |
    | delete | the live id       | the live name              | none                           |
    """

    action: Action
    name: str
    project_id: int | None
    fields: tuple[FieldChange, ...]
    reason: str
    fingerprint: Fingerprint | None = None
    live: bool = False  # the project has live trading running (codeRunning)


@dataclass(frozen=True)
class Note:
    """A live project the plan leaves alone that a user might expect it to change."""

    name: str
    project_id: int
    reason: str


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

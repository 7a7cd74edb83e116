"""Plan values: the closed list of actions, changes, and the plan that orders them.

A Plan is complete and self-contained: `apply PLANFILE` executes exactly what it lists. This
module owns the plan types, their order, the safety checks (a property of the plan, as in
octoDNS) and (de)serialisation to the versioned JSON document. No I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, assert_never, cast

from qcsync.errors import PlanError
from qcsync.model import NODE_KINDS, Limits, LiveProject, Node, NodeKind, NodeSelection

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


MODIFIED_FORMAT = "%Y-%m-%d %H:%M:%S"  # the service's own format, so fingerprints compare as text


def node_ids(selection: NodeSelection) -> tuple[str, ...]:
    """A selection as the `nodes` field value: sorted ids, () for auto."""
    return () if selection.auto else tuple(sorted(selection.active))


def fingerprint_of(project: LiveProject, selection: NodeSelection | None) -> Fingerprint:
    """What a plan records of a live project; `selection` None when the plan did not read it."""
    return Fingerprint(
        modified=project.modified.strftime(MODIFIED_FORMAT) if project.modified else None,
        name=project.name,
        description=project.description,
        language=project.language,
        nodes=None if selection is None else node_ids(selection),
    )


@dataclass(frozen=True)
class Change:
    """One planned API call.

    | action | project_id        | name                       | fields                         |
    | create | None              | the new project's name     | name, language[, description]  |
    |        |                   |                            | [, nodes]                      |
    | update | the live id       | the name after the change  | name and/or description        |
    | nodes  | the live id       | the name after the plan    | nodes                          |

    A new project's node selection is a field of its create (one block, one count). Plans of
    earlier versions kept it apart as a `nodes` change with no project id; apply still runs those.
    | delete | the live id       | the live name              | none                           |
    """

    action: Action
    name: str
    project_id: int | None
    fields: tuple[FieldChange, ...]
    reason: str
    fingerprint: Fingerprint | None = None
    live: bool = False  # the project has live trading running (codeRunning)

    @property
    def is_rename(self) -> bool:
        return self.action is Action.UPDATE and any(f.field == "name" for f in self.fields)

    def before(self, name: FieldName) -> FieldValue:
        return next((f.before for f in self.fields if f.field == name), None)

    def after(self, name: FieldName) -> FieldValue:
        return next((f.after for f in self.fields if f.field == name), None)


@dataclass(frozen=True)
class Note:
    """A live project the plan leaves alone that a user might expect it to change."""

    name: str
    project_id: int
    reason: str


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


# --- summary and order ------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Counts per project, as the closing line says them: a node selection counts as an update,
    and the node selection of a project being created belongs to its create.

    The one set of counts every rendering and the apply report use (count_projects), so that
    "3 to create" in a plan is "3 created" after the apply."""

    create: int
    update: int
    delete: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.create + self.update + self.delete


def count_projects(changes: Iterable[Change], unchanged: int = 0) -> Summary:
    """Projects by what happens to them. A project with several changes (a rename and a node
    selection) counts once; a new project's node selection (a plan of an older qcsync kept it
    apart, with no project id) belongs to its create."""
    create = delete = 0
    updated: set[int] = set()
    for change in changes:
        match change.action:
            case Action.CREATE:
                create += 1
            case Action.DELETE:
                delete += 1
            case Action.UPDATE | Action.NODES:
                if change.project_id is not None:
                    updated.add(change.project_id)
            case _ as unreachable:
                assert_never(unreachable)
    return Summary(create=create, update=len(updated), delete=delete, unchanged=unchanged)


def summary_counts(plan: Plan) -> Summary:
    return count_projects(plan.changes, plan.unchanged)


def group_of(change: Change) -> int:
    """DESIGN.md §4: renames first (they can free a name a create needs), then creates, then the
    other updates and node selections, deletes last."""
    if change.is_rename:
        return 0
    match change.action:
        case Action.CREATE:
            return 1
        case Action.UPDATE | Action.NODES:
            return 2
        case Action.DELETE:
            return 3
        case _ as unreachable:
            assert_never(unreachable)


def stages(changes: Sequence[Change]) -> tuple[tuple[Change, ...], ...]:
    """The changes, already in plan order, cut into stages whose members may run concurrently.

    A rename onto a name that another rename frees (A -> B while B -> C) must wait for it, so a
    chain of renames takes one stage per link; the planner has ordered chains already.
    """
    result: list[list[Change]] = []
    current_group = -1
    freed_in_stage: set[str] = set()
    for change in changes:
        group = group_of(change)
        waits = group == 0 and change.name in freed_in_stage
        if group != current_group or waits:
            result.append([])
            freed_in_stage = set()
            current_group = group
        result[-1].append(change)
        if change.is_rename:
            old = change.before("name")
            if isinstance(old, str):
                freed_in_stage.add(old)
    return tuple(tuple(stage) for stage in result)


# --- safety (DESIGN.md §3) --------------------------------------------------------------------


def safety_violations(
    plan: Plan, *, force: bool = False, allow_live: bool = False
) -> tuple[str, ...]:
    """Why this plan must not run as it is; empty when it may.

    Live guards come first and limits last, so that a rendering that ends with the violations
    ends with the line that names the limit and `--force`.
    """
    violations: list[str] = []
    if not allow_live:
        for change in plan.changes:
            what = _live_risk(change)
            if change.live and what:
                violations.append(
                    f"{change.name} is LIVE (live trading running): {what} is blocked; "
                    "review, then use --allow-live"
                )
    if not force:
        deletes = sum(1 for c in plan.changes if c.action is Action.DELETE)
        limits = plan.limits
        if deletes > limits.max_deletes:
            violations.append(
                f"{deletes} deletes exceed limits.max_deletes={limits.max_deletes}; "
                "review, then use --force"
            )
        # No small-account exemption: 1 delete of 2 in-scope projects is half of them.
        if deletes and deletes > limits.max_delete_fraction * plan.in_scope:
            share = f"{deletes / plan.in_scope:.0%}" if plan.in_scope else "all"
            violations.append(
                f"{deletes} deletes of {plan.in_scope} in-scope projects ({share}) exceed "
                f"limits.max_delete_fraction={limits.max_delete_fraction:g}; "
                "review, then use --force"
            )
    return tuple(violations)


def _live_risk(change: Change) -> str:
    """What a change would do to a running live deployment; "" when it leaves it alone."""
    match change.action:
        case Action.DELETE:
            return "delete"
        case Action.NODES:
            return "a node selection change"
        case Action.UPDATE:
            return "rename" if change.is_rename else ""
        case Action.CREATE:
            return ""
        case _ as unreachable:
            assert_never(unreachable)


# --- the JSON document ------------------------------------------------------------------------

FIELD_NAMES: tuple[FieldName, ...] = ("name", "description", "language", "nodes")


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The versioned plan document (schemas/plan.schema.json); plan_from_json reads it back."""
    summary = summary_counts(plan)
    return {
        "format_version": FORMAT_VERSION,
        "organization": plan.organization_id,
        "summary": {
            "create": summary.create,
            "update": summary.update,
            "delete": summary.delete,
            "unchanged": summary.unchanged,
            "total": summary.total,
        },
        "changes": [_change_to_json(c) for c in plan.changes],
        "notes": [
            {"name": n.name, "project_id": n.project_id, "reason": n.reason} for n in plan.notes
        ],
        "targets": list(plan.targets),
        "limits": {
            "max_deletes": plan.limits.max_deletes,
            "max_delete_fraction": plan.limits.max_delete_fraction,
        },
        "in_scope": plan.in_scope,
        "nodes": [{"id": n.id, "name": n.name, "sku": n.sku, "kind": n.kind} for n in plan.nodes],
        # Derived, for CI policy checks: what blocks this plan unless --force / --allow-live.
        # plan_from_json ignores it; apply recomputes it with the flags it is given.
        "blocked": list(safety_violations(plan)),
        "config": [{"path": c.path, "sha256": c.sha256} for c in plan.config],
    }


def _value_to_json(value: FieldValue) -> str | list[str] | None:
    return list(value) if isinstance(value, tuple) else value


def _change_to_json(change: Change) -> dict[str, Any]:
    fp = change.fingerprint
    return {
        "action": change.action.value,
        "name": change.name,
        "project_id": change.project_id,
        "fields": [
            {"field": f.field, "before": _value_to_json(f.before), "after": _value_to_json(f.after)}
            for f in change.fields
        ],
        "reason": change.reason,
        "fingerprint": None
        if fp is None
        else {
            "modified": fp.modified,
            "name": fp.name,
            "description": fp.description,
            "language": fp.language,
            "nodes": _value_to_json(fp.nodes),
        },
        "live": change.live,
    }


def plan_from_json(doc: Mapping[str, Any]) -> Plan:
    """Read a plan document back; PlanError says what is wrong with a bad or newer one."""
    if not isinstance(doc, Mapping):
        raise PlanError(["plan file: not a JSON object"])
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanError(
            [
                f"plan file: format_version {version!r} is not supported "
                f"(this qcsync reads format_version {FORMAT_VERSION})"
            ]
        )
    try:
        return _read_plan(_Reader(doc, "plan file"))
    except _BadDocument as error:
        raise PlanError([str(error)]) from None


class _BadDocument(Exception):
    pass


class _Reader:
    """Typed access to one JSON object, naming the path of anything missing or mistyped."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise _BadDocument(f"{path}: expected an object")
        self.doc: Mapping[str, Any] = value
        self.path = path

    def _get(self, key: str) -> object:
        if key not in self.doc:
            raise _BadDocument(f"{self.path}: missing {key!r}")
        return self.doc[key]

    def present(self, key: str) -> object:
        """The raw value of a key that must be there, even if it may be null."""
        return self._get(key)

    def _bad(self, key: str, expected: str) -> _BadDocument:
        return _BadDocument(f"{self.path}.{key}: expected {expected}")

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self._bad(key, "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key)
        if value is not None and not isinstance(value, str):
            raise self._bad(key, "a string or null")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(key, "an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self._get(key) is None else self.integer(key)

    def number(self, key: str) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._bad(key, "a number")
        return float(value)

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of strings")
        return tuple(value)

    def value(self, key: str) -> FieldValue:
        value = self._get(key)
        if isinstance(value, list):
            return self.strings(key)
        if value is not None and not isinstance(value, str):
            raise self._bad(key, "a string, a list of strings or null")
        return value

    def object(self, key: str) -> _Reader:
        return _Reader(self._get(key), f"{self.path}.{key}")

    def objects(self, key: str) -> list[_Reader]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        return [_Reader(item, f"{self.path}.{key}[{i}]") for i, item in enumerate(value)]

    def choice(self, key: str, choices: Sequence[str]) -> str:
        value = self.text(key)
        if value not in choices:
            raise self._bad(key, "one of " + ", ".join(repr(c) for c in choices))
        return value


def _read_plan(doc: _Reader) -> Plan:
    limits = doc.object("limits")
    return Plan(
        organization_id=doc.text("organization"),
        changes=tuple(_read_change(c) for c in doc.objects("changes")),
        unchanged=doc.object("summary").integer("unchanged"),
        in_scope=doc.integer("in_scope"),
        limits=Limits(
            max_deletes=limits.integer("max_deletes"),
            max_delete_fraction=limits.number("max_delete_fraction"),
        ),
        nodes=tuple(
            Node(
                id=n.text("id"),
                name=n.text("name"),
                sku=n.text("sku"),
                kind=cast(NodeKind, n.choice("kind", NODE_KINDS)),
            )
            for n in doc.objects("nodes")
        ),
        notes=tuple(
            Note(name=n.text("name"), project_id=n.integer("project_id"), reason=n.text("reason"))
            for n in doc.objects("notes")
        ),
        targets=doc.strings("targets"),
        # Optional on reading, so `show` still reads a plan saved before plans were bound;
        # `apply` refuses a plan that records no config.
        config=tuple(
            ConfigFile(path=c.text("path"), sha256=c.text("sha256"))
            for c in (doc.objects("config") if "config" in doc.doc else [])
        ),
    )


def _read_change(doc: _Reader) -> Change:
    fingerprint = None
    if doc.present("fingerprint") is not None:
        fp = doc.object("fingerprint")
        nodes = fp.value("nodes")
        if isinstance(nodes, str):
            raise _BadDocument(f"{fp.path}.nodes: expected a list of strings or null")
        fingerprint = Fingerprint(
            modified=fp.opt_text("modified"),
            name=fp.text("name"),
            description=fp.text("description"),
            language=fp.text("language"),
            nodes=nodes,
        )
    project_id = doc.opt_integer("project_id")
    if project_id is not None and fingerprint is None:
        # The fingerprint is what shows the project unchanged since the plan; without it
        # there is nothing to compare, so a saved change to an existing project needs one.
        raise _BadDocument(
            f"{doc.path}.fingerprint: a change to an existing project (id {project_id}) "
            "must carry its fingerprint"
        )
    return Change(
        action=Action(doc.choice("action", [a.value for a in Action])),
        name=doc.text("name"),
        project_id=project_id,
        fields=tuple(
            FieldChange(
                field=cast(FieldName, f.choice("field", FIELD_NAMES)),
                before=f.value("before"),
                after=f.value("after"),
            )
            for f in doc.objects("fields")
        ),
        reason=doc.text("reason"),
        fingerprint=fingerprint,
        live=doc.flag("live"),
    )

"""The JSON plan document (format 2, schemas/plan.schema.json): writing it and reading it back.

A plan file is attacker-shapeable input (DESIGN.md §4): reading checks every value's type and
each change's `before`/`after` with its aspect, and names the path of anything wrong. A plan of
another format version is refused with a message that says to plan again. What a saved plan is
trusted for (nothing) is planfile.py's. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from qcsync.aspects import aspect_named, registered
from qcsync.aspects.base import BadValue
from qcsync.errors import PlanError
from qcsync.model import NODE_KINDS, Limits, Node, NodeKind
from qcsync.plan import (
    Action,
    Change,
    ConfigFile,
    Fingerprint,
    JsonValue,
    Note,
    Plan,
    summary_counts,
)
from qcsync.safety import safety_violations

FORMAT_VERSION = 2


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The versioned plan document; plan_from_json reads it back."""
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
            "by_aspect": dict(summary.by_aspect),
        },
        "changes": [_change_to_json(c) for c in plan.changes],
        "notes": [
            {"name": n.name, "project_id": n.project_id, "reason": n.reason, "live": n.live}
            for n in plan.notes
        ],
        "targets": list(plan.targets),
        "limits": {
            "max_deletes": plan.limits.max_deletes,
            "max_delete_fraction": plan.limits.max_delete_fraction,
            "max_file_deletes": plan.limits.max_file_deletes,
        },
        "in_scope": plan.in_scope,
        "nodes": [{"id": n.id, "name": n.name, "sku": n.sku, "kind": n.kind} for n in plan.nodes],
        # Derived, for CI policy checks: what blocks this plan unless --force / --allow-live.
        # plan_from_json ignores it; apply recomputes it with the flags it is given.
        "blocked": list(safety_violations(plan)),
        "config": [{"path": c.path, "sha256": c.sha256} for c in plan.config],
    }


def to_json(value: JsonValue) -> Any:
    """A change's value as JSON: tuples become lists."""
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    return value


def _change_to_json(change: Change) -> dict[str, Any]:
    return {
        "project": {"id": change.project_id, "name": change.name},
        "aspect": change.aspect,
        "key": change.key,
        "action": change.action.value,
        "before": to_json(change.before),
        "after": to_json(change.after),
        "reason": change.reason,
        "fingerprint": None if change.fingerprint is None else to_json(change.fingerprint),
        "live": change.live,
    }


def plan_from_json(doc: Mapping[str, Any]) -> Plan:
    """Read a plan document back; PlanError says what is wrong with a bad or other-format one."""
    if not isinstance(doc, Mapping):
        raise PlanError(["plan file: not a JSON object"])
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanError(
            [
                f"plan file: format_version {version!r} is not supported "
                f"(this qcsync reads format_version {FORMAT_VERSION}); "
                "plan again with `qcsync plan -o PLANFILE` and review the new plan"
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

    def raw(self, key: str) -> object:
        return self._get(key)

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
            # Optional on reading: a format 2 plan saved before files arrived has none.
            max_file_deletes=(
                limits.integer("max_file_deletes")
                if "max_file_deletes" in limits.doc
                else Limits.max_file_deletes
            ),
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
            Note(
                name=n.text("name"),
                project_id=n.integer("project_id"),
                reason=n.text("reason"),
                # Optional on reading: plans saved before notes said it.
                live=n.flag("live") if "live" in n.doc else False,
            )
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
    name = doc.choice("aspect", [a.name for a in registered()])
    aspect = aspect_named(name)
    assert aspect is not None  # choice() checked the name
    project = doc.object("project")
    project_id = project.opt_integer("id")
    fingerprint = _read_fingerprint(doc)
    if project_id is not None and fingerprint is None:
        # The fingerprint is what shows the project unchanged since the plan; without it
        # there is nothing to compare, so a saved change to an existing project needs one.
        raise _BadDocument(
            f"{doc.path}.fingerprint: a change to an existing project (id {project_id}) "
            "must carry its fingerprint"
        )
    values: list[JsonValue] = []
    for key in ("before", "after"):
        try:
            values.append(aspect.value(doc.raw(key)))
        except BadValue as error:
            raise _BadDocument(f"{doc.path}.{key}: {error}") from None
    return Change(
        aspect=name,
        action=Action(doc.choice("action", [a.value for a in Action])),
        name=project.text("name"),
        project_id=project_id,
        before=values[0],
        after=values[1],
        reason=doc.text("reason"),
        key=doc.opt_text("key"),
        fingerprint=fingerprint,
        live=doc.flag("live"),
    )


def _read_fingerprint(doc: _Reader) -> Fingerprint | None:
    """Fingerprints are only compared with fresh ones, so any JSON value will do; a value that
    was edited only makes the plan stale. The aspects named must exist."""
    if doc.present("fingerprint") is None:
        return None
    fingerprint = doc.object("fingerprint")
    known = {a.name for a in registered()}
    for key in fingerprint.doc:
        if key not in known:
            raise _BadDocument(f"{fingerprint.path}: unknown aspect {key!r}")
    return {key: _from_json(value) for key, value in fingerprint.doc.items()}


def _from_json(value: object) -> JsonValue:
    if isinstance(value, list):
        return tuple(_from_json(v) for v in value)
    if isinstance(value, dict):
        return {str(k): _from_json(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise _BadDocument(f"not a JSON value: {type(value).__name__}")

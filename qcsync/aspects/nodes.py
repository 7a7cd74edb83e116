"""The `nodes` aspect: which nodes a project may run on (`nodes:` in an entry).

Everything about node selection lives here: `nodes` left out is unmanaged (never read, never
changed), `auto` is the API's empty selection, a list names nodes by id, name or SKU (DESIGN.md
§1); the reads (`projects/nodes/read` for the live projects an entry could match, `nodes/read`
for the catalogue only when no such answer carries it), the diff, the fingerprint, how a change
is shown (by node label), the call that makes it (`projects/nodes/update`, a replace, so sending
it twice is harmless) and what `import` writes.

A change's `before` and `after` are sorted node ids; () means auto. A new project's selection
is a `create` (before: null) that runs right after the project's own create.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    read_of,
)
from qcsync.errors import NodeReferenceError, QcsyncError
from qcsync.model import DesiredProject, LiveProject, LiveState, Node, NodeSelection, ProjectNodes
from qcsync.plan import Action, Change, JsonValue, Plan

if TYPE_CHECKING:
    from qcsync.client import QCClient

NAME: Final = "nodes"


@dataclass(frozen=True)
class NodesRead:
    """The organization's node catalogue and the selections of the projects that were read."""

    catalog: tuple[Node, ...] = ()
    selections: Mapping[int, NodeSelection] = field(default_factory=dict)


def node_ids(selection: NodeSelection) -> tuple[str, ...]:
    """A selection as a change's value: sorted ids, () for auto."""
    return () if selection.auto else tuple(sorted(selection.active))


def describe_node(node: Node) -> str:
    """`name (SKU) id`: enough for a user to pick the right reference."""
    return f"{node.name} ({node.sku}) {node.id}"


def resolve_node(ref: str, catalog: Sequence[Node]) -> Node:
    """The node `ref` names. NodeReferenceError lists the candidates when several do, and
    suggests the closest when none does (the plan lists the catalogue once: catalogue_line).

    An exact id, else a unique name, else a unique SKU. New projects have no id to ask
    `projects/nodes/read` with, so references resolve against the catalogue alone.
    """
    for node in catalog:
        if node.id == ref:
            return node
    # A name wins over a SKU so that "My B2-8" never falls through to another node's SKU; an
    # ambiguous name is an error rather than a reason to try SKUs.
    for matches in ([n for n in catalog if n.name == ref], [n for n in catalog if n.sku == ref]):
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(describe_node(n) for n in sorted(matches, key=_order))
            raise NodeReferenceError(
                [f"node '{ref}' is ambiguous: it matches {listed}; use the node id"]
            )
    if not catalog:
        raise NodeReferenceError(
            [f"unknown node '{ref}': the organization has no nodes"], unknown=True
        )
    guess = closest_reference(ref, catalog)
    suggestion = f"; did you mean '{guess}'?" if guess else ""
    raise NodeReferenceError([f"unknown node '{ref}'{suggestion}"], unknown=True)


def closest_reference(ref: str, catalog: Sequence[Node]) -> str | None:
    """The node name, SKU or id nearest to `ref` that would resolve to one node, ignoring case
    (`research node 1` -> `Research Node 1`, `B4-16` -> `B4-12`); None when nothing is close."""
    names = Counter(n.name for n in catalog)
    skus = Counter(n.sku for n in catalog)
    usable: dict[str, str] = {}  # casefolded -> as written in the catalogue
    # Ids last, so that a name or SKU spelt like another wins over an id.
    for node in catalog:
        if names[node.name] == 1:
            usable.setdefault(node.name.casefold(), node.name)
    for node in catalog:
        if node.sku and skus[node.sku] == 1 and node.sku not in names:
            usable.setdefault(node.sku.casefold(), node.sku)
    for node in catalog:
        usable.setdefault(node.id.casefold(), node.id)
    wanted = ref.casefold()

    def closeness(candidate: str) -> tuple[float, bool]:
        # Ties go to the same first letter: B8-16 is nearer B4-12 (a backtest SKU) than R4-16.
        ratio = difflib.SequenceMatcher(None, wanted, candidate).ratio()
        return (round(ratio, 6), candidate[:1] == wanted[:1])

    best = max(usable, key=closeness, default=None)
    if best is None or closeness(best)[0] < 0.6:
        return None
    return usable[best]


def catalogue_line(catalog: Sequence[Node]) -> str:
    """Every node of the organization: said once per plan, however many references missed."""
    listed = ", ".join(describe_node(n) for n in sorted(catalog, key=_order)) or "none"
    return f"the organization's nodes (name (SKU) id): {listed}"


def _order(node: Node) -> tuple[str, str, str]:
    return (node.name, node.sku, node.id)


def mentioned(changes: Sequence[Change], live: LiveState) -> tuple[Node, ...]:
    """The catalogue entries the plan's node changes name, for labels in every rendering."""
    ids = {
        i
        for c in changes
        if c.aspect == NAME
        for value in (c.before, c.after)
        if isinstance(value, tuple)
        for i in value
        if isinstance(i, str)
    }
    read = read_of(live, NAME, NodesRead) or NodesRead()
    return tuple(sorted((n for n in read.catalog if n.id in ids), key=lambda n: n.id))


class NodesAspect:
    name: Final = NAME
    noun: Final = "node selection"

    def declared(self, entry: DesiredProject) -> bool:
        return entry.nodes is not None

    def read(
        self,
        client: QCClient,
        organization_id: str,
        entries: Sequence[DesiredProject],
        project_ids: Sequence[int],
        map_: Mapper,
        known: Mapping[int, object],
    ) -> object:
        given = {
            pid: answer for pid in project_ids if isinstance(answer := known.get(pid), ProjectNodes)
        }
        wanted = [pid for pid in project_ids if pid not in given]
        read: list[ProjectNodes] = map_(client.read_project_nodes, wanted)
        answers = {**dict(zip(wanted, read, strict=True)), **given}
        # References need the catalogue; every projects/nodes/read (and update) answer carries
        # it, so nodes/read is asked only when none came back and some entry names a node.
        if answers:
            catalog = next(iter(answers.values())).catalog
        elif any(entry.nodes for entry in entries):
            catalog = client.read_nodes(organization_id)
        else:
            catalog = ()
        return NodesRead(catalog, {pid: answers[pid].selection for pid in project_ids})

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        refs = subject.entry.nodes
        if refs is None:
            return Diff()
        read = read_of(live, NAME, NodesRead) or NodesRead()
        problems: list[str] = []
        footnotes: tuple[str, ...] = ()
        wanted: set[str] = set()
        for ref in refs:
            try:
                wanted.add(resolve_node(ref, read.catalog).id)
            except NodeReferenceError as error:
                problems.extend(f"{subject.where}: nodes: {p}" for p in error.problems)
                if error.unknown and read.catalog:
                    footnotes = (catalogue_line(read.catalog),)
        if problems:
            return Diff(problems=tuple(problems), footnotes=footnotes)
        after = tuple(sorted(wanted))
        project = subject.project
        if project is None:
            # A new project starts on auto, so only an explicit list needs a node change.
            if not after:
                return Diff(problems=tuple(problems))
            # The selection comes with the project: a create, shown in the project's own block.
            change = Change(
                NAME,
                Action.CREATE,
                subject.entry.name,
                None,
                None,
                after,
                "nodes declared for a new project",
            )
            return Diff((change,), tuple(problems))
        selection = read.selections.get(project.id)
        if selection is None:
            # state.py reads the selection of every existing project whose entry manages nodes;
            # planning without it would guess, and a guess here changes a live deployment.
            problems.append(f"{subject.where}: the node selection of id {project.id} was not read")
            return Diff(problems=tuple(problems))
        # Compared as selections: an explicit empty selection is not auto, though both show ().
        if selection == NodeSelection(auto=not after, active=frozenset(after)):
            return Diff(problems=tuple(problems))
        before = node_ids(selection)
        change = Change(
            NAME,
            Action.UPDATE,
            subject.entry.name,
            project.id,
            before,
            after,
            "node selection differs",
        )
        return Diff((change,), tuple(problems))

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        read = read_of(live, NAME, NodesRead)
        selection = None if read is None else read.selections.get(project.id)
        return None if selection is None else node_ids(selection)

    # --- show -----------------------------------------------------------------------------------

    def verb(self, change: Change) -> str:
        return NAME

    def show(self, change: Change, plan: Plan) -> list[str]:
        match change.action:
            case Action.CREATE:
                return [f"nodes: {_labels(plan, change.after)}"]
            case Action.UPDATE | Action.DELETE:
                return [f"nodes: {_labels(plan, change.before)} -> {_labels(plan, change.after)}"]
            case _ as unreachable:
                assert_never(unreachable)

    def waits_for(self, change: Change) -> str | None:
        return None  # node ids are the organization's, never made by a plan

    def live_risk(self, change: Change) -> str:
        match change.action:
            case Action.CREATE:
                return ""  # a new project's selection: nothing runs on it yet
            case Action.UPDATE | Action.DELETE:
                return "a node selection change"
            case _ as unreachable:
                assert_never(unreachable)

    def value(self, raw: object) -> JsonValue:
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
            raise BadValue("expected null or a list of node ids")
        return tuple(raw)

    # --- execute --------------------------------------------------------------------------------

    def execute(self, run: Execution, change: Change) -> Executed:
        pid = run.project_id(change)
        after = change.after if isinstance(change.after, tuple) else ()
        ids = [i for i in after if isinstance(i, str)]
        client = run.client
        answer = confirmed(
            client,
            lambda: client.update_project_nodes(pid, ids),
            lambda: node_ids(client.read_project_nodes(pid).selection) == tuple(sorted(ids)),
        )
        message = "node selection set" if ids else "node selection set to auto"
        return Executed(message, pid, answer=answer)

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        actual = self.fingerprint(project, live)
        if actual != change.after:
            return [f"nodes is {actual!r}, expected {change.after!r}"]
        return []

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        read = read_of(live, NAME, NodesRead)
        selection = None if read is None else read.selections.get(project.id)
        if selection is None:
            return {}
        return {"nodes": node_refs(selection, read.catalog if read else ())}

    # --- backup ---------------------------------------------------------------------------------

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        read = read_of(live, NAME, NodesRead)
        selection = None if read is None else read.selections.get(project.id)
        if read is None or selection is None:
            raise QcsyncError("its node selection was not read")
        by_id = {n.id: n for n in read.catalog}
        active = [by_id.get(i, Node(i, i, "", "backtest")) for i in selection.active]
        return {
            "auto": selection.auto,
            # Named as well as numbered, so that a restore can say which node it left out.
            "active": [
                {"id": n.id, "name": n.name, "sku": n.sku, "kind": n.kind}
                for n in sorted(active, key=lambda n: n.id)
            ],
        }

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        """The backed-up nodes the organization's catalogue still has (all of them when it was
        not read); each other one is named by its backed-up label."""
        nodes = restored.fields.get("nodes")
        read = read_of(live, NAME, NodesRead)
        if not nodes or read is None:
            return restored
        catalog = {n.id for n in read.catalog}
        missing = [i for i in nodes if i not in catalog]
        kept = tuple(i for i in nodes if i in catalog)  # none left: `auto`, as before
        return dataclasses.replace(
            restored,
            fields={**restored.fields, "nodes": kept},
            warnings=tuple(
                f"node {restored.labels.get(i, i)} no longer exists; not selected." for i in missing
            ),
        )

    def from_backup(self, section: Section, where: str) -> FromBackup:
        shape = f"{where}: nodes: expected an object of auto (true or false) and active nodes"
        if not isinstance(section, Mapping):
            return FromBackup(problems=(shape,))
        auto, active = section.get("auto"), section.get("active")
        if not isinstance(auto, bool) or not isinstance(active, list):
            return FromBackup(problems=(shape,))
        problems: list[str] = []
        labels: dict[str, str] = {}
        for index, node in enumerate(active):
            node_id = node.get("id") if isinstance(node, Mapping) else None
            if not isinstance(node_id, str) or not node_id:
                problems.append(f"{where}: nodes.active[{index}].id: expected a node id")
                continue
            name, sku = node.get("name", node_id), node.get("sku", "")
            if not isinstance(name, str) or not isinstance(sku, str):
                problems.append(f"{where}: nodes.active[{index}]: name and sku must be strings")
                continue
            labels[node_id] = f"{name} ({sku}) {node_id}"
        if problems:
            return FromBackup(problems=tuple(problems))
        # auto: nodes: auto; otherwise the backed-up ids, which resolve as ids do in a config.
        return FromBackup({"nodes": () if auto else tuple(labels)}, labels=labels)


def node_refs(selection: NodeSelection, catalog: Sequence[Node]) -> str | list[str]:
    """`auto`, or the selected nodes by name where the name is unique, else by id."""
    if selection.auto or not selection.active:
        return "auto"
    names = Counter(n.name for n in catalog)
    by_id = {n.id: n for n in catalog}
    refs = [
        by_id[i].name if i in by_id and names[by_id[i].name] == 1 else i for i in selection.active
    ]
    return sorted(refs)


def _labels(plan: Plan, value: JsonValue) -> str:
    if value is None:
        return "(none)"
    if not isinstance(value, tuple) or not value:
        return "auto"
    labels = {n.id: f"{n.label} {n.id}" for n in plan.nodes}
    return ", ".join(labels.get(str(i), str(i)) for i in value)


NODES: Final = NodesAspect()

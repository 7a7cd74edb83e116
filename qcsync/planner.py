"""The planning algorithm: desired state + live state -> the ordered, complete Plan.

Pure and deterministic: no I/O, clock or environment, so the same inputs always give the same plan
(DESIGN.md §5). Identity, unmanaged fields and the immutable language follow DESIGN.md §1;
ownership of deletes follows §3; the order of the changes follows §4 (planorder.py). Every
problem found is collected and raised at once as a PlanError.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from qcsync.aspects import fingerprint_of, registered
from qcsync.aspects.base import Subject
from qcsync.aspects.nodes import mentioned
from qcsync.aspects.project import PROJECT
from qcsync.errors import PlanError
from qcsync.model import DesiredProject, DesiredState, LiveProject, LiveState
from qcsync.plan import Change, Note, Plan
from qcsync.planorder import order


@dataclass(frozen=True)
class PlanOptions:
    targets: tuple[str, ...] = ()  # `--target NAME`: desired or live project names


@dataclass(frozen=True)
class _Match:
    """An entry and the live project it matched (None: to be created)."""

    index: int  # of the entry in the desired state, so problems come in file order
    entry: DesiredProject
    project: LiveProject | None
    why_renamed: str = ""  # the reason a changed name is a rename

    @property
    def where(self) -> str:
        return f"{self.entry.location}: {self.entry.name}"


def matches_pattern(name: str, pattern: str) -> bool:
    """A `scope` / `protect` pattern: an exact name, or a folder prefix ending in "/"."""
    return name == pattern or (pattern.endswith("/") and name.startswith(pattern))


def first_pattern(name: str, patterns: Iterable[str]) -> str | None:
    return next((p for p in patterns if matches_pattern(name, p)), None)


def plan(desired: DesiredState, live: LiveState, options: PlanOptions = PlanOptions()) -> Plan:
    """Compute the plan that makes `live` look like `desired`.

    1. Keep only the configured organization's live projects outside the Recycle Bin: nothing
       else is ever touched (binned projects are only counted).
    2. Match each entry to a live project: by id, else by name, else by `renamed_from`.
    3. Ask each aspect the entry declares for its changes (an entry without a match is a
       create); every change of a live project carries what the plan read of it.
    4. Undeclared projects inside `scope` are deleted with `prune`, unless protected; the plan
       notes the ones it leaves alone.
    5. Limit the changes to `--target` names, then order them (DESIGN.md §4) and check that
       every name a rename or create needs is free by the time it runs.
    """
    in_org = [p for p in live.projects if p.organization_id == live.organization_id]
    projects = tuple(p for p in in_org if not p.binned)
    binned = {p.id: p for p in in_org if p.binned}
    entry_problems: list[list[str]] = [[] for _ in desired.projects]
    footnotes: dict[str, None] = {}  # said once, after every problem; ordered
    matches = _match(desired.projects, projects, live.organization_id, entry_problems, binned)
    changes: list[Change] = []
    where: dict[int, str] = {}  # id(change) -> the entry that asked for it, for messages
    names_of: dict[int, set[str]] = {}  # id(change) -> its project's names, for targets
    unchanged: list[_Match] = []
    for match in matches:
        own = _diff(match, desired, live, entry_problems[match.index], footnotes)
        changes.extend(own)
        where.update((id(c), match.where) for c in own)
        # `--target` may name a project as declared or as it is live, for all of its changes.
        names = {match.entry.name} | ({match.project.name} if match.project else set())
        names_of.update((id(c), names) for c in own)
        if match.project is not None and not own:
            unchanged.append(match)
    matched_ids = {m.project.id for m in matches if m.project is not None}
    deletes, notes = _prune(desired, live, projects, matched_ids)
    changes.extend(deletes)
    names_of.update((id(c), {c.name}) for c in deletes)
    problems = [p for own_problems in entry_problems for p in own_problems]

    targets = options.targets
    if targets:
        known = {m.entry.name for m in matches} | {p.name for p in projects}
        problems.extend(
            f"--target '{t}' matches no declared project and no project in organization "
            f"{live.organization_id}"
            for t in targets
            if t not in known
        )
        wanted = set(targets)
        changes = [c for c in changes if names_of[id(c)] & wanted]
        unchanged = [
            m
            for m in unchanged
            if m.entry.name in wanted or (m.project is not None and m.project.name in wanted)
        ]
        notes = [n for n in notes if n.name in wanted]

    ordered = order(changes, projects, where, problems)
    if problems:
        raise PlanError([*problems, *footnotes])
    return Plan(
        organization_id=live.organization_id,
        changes=tuple(ordered),
        unchanged=len(unchanged),
        in_scope=sum(1 for p in projects if first_pattern(p.name, desired.scope) is not None),
        limits=desired.limits,
        nodes=mentioned(ordered, live),
        notes=tuple(notes),
        targets=targets,
        recycle_bin=len(binned),
    )


# --- 2. identity --------------------------------------------------------------------------------


def _match(
    entries: Sequence[DesiredProject],
    projects: Sequence[LiveProject],
    organization_id: str,
    entry_problems: list[list[str]],
    binned: dict[int, LiveProject],
) -> list[_Match]:
    by_id = {p.id: p for p in projects}
    by_name: dict[str, list[LiveProject]] = {}
    for project in projects:
        by_name.setdefault(project.name, []).append(project)
    # An id pins identity outright, so a project pinned by one entry is not available to
    # another entry's name: `{id: 2, name: C}` plus `{name: B}` renames B to C and creates a new B.
    pinned = {e.id for e in entries if e.id is not None}
    claimed: dict[int, _Match] = {}
    matches: list[_Match] = []
    for index, entry in enumerate(entries):
        problems = entry_problems[index]
        if entry.id is not None and entry.id in binned:
            problems.append(
                f"{entry.location}: {entry.name}: id {entry.id} is in QuantConnect's Recycle Bin "
                f"(as '{binned[entry.id].name}'); bring it back with `qcsync restore BACKUP`, or "
                "drop the `id:` to create a new project"
            )
            continue
        match = _match_one(index, entry, by_id, by_name, pinned, organization_id, problems)
        if match is None:
            continue
        if match.project is not None:
            other = claimed.get(match.project.id)
            if other is not None:
                problems.append(
                    f"{match.where}: matches project '{match.project.name}' "
                    f"(id {match.project.id}), which {other.where} matches too; "
                    "pin each entry with `id:`"
                )
                continue
            claimed[match.project.id] = match
        matches.append(match)
    return matches


def _match_one(
    index: int,
    entry: DesiredProject,
    by_id: dict[int, LiveProject],
    by_name: dict[str, list[LiveProject]],
    pinned: set[int],
    organization_id: str,
    problems: list[str],
) -> _Match | None:
    if entry.id is not None:
        project = by_id.get(entry.id)
        if project is None:
            problems.append(
                f"{entry.location}: {entry.name}: id {entry.id} not found in organization "
                f"{organization_id}"
            )
            return None
        return _Match(index, entry, project, f"id {entry.id} pinned; name differs")
    candidates = [(p, "by name") for p in by_name.get(entry.name, []) if p.id not in pinned]
    for old in entry.renamed_from:
        candidates += [(p, "by renamed_from") for p in by_name.get(old, []) if p.id not in pinned]
    if len(candidates) > 1:
        listed = " and ".join(f"'{p.name}' (id {p.id}) {how}" for p, how in candidates)
        problems.append(
            f"{entry.location}: {entry.name}: matches more than one project: {listed}; "
            "pin the right one with `id:`"
        )
        return None
    if not candidates:
        return _Match(index, entry, None)
    project = candidates[0][0]
    return _Match(index, entry, project, f"renamed_from '{project.name}'")


# --- 3. each aspect's changes ------------------------------------------------------------------


def _diff(
    match: _Match,
    desired: DesiredState,
    live: LiveState,
    problems: list[str],
    footnotes: dict[str, None],
) -> list[Change]:
    subject = Subject(match.entry, match.project, desired, match.why_renamed)
    changes: list[Change] = []
    for aspect in registered():
        if aspect.declared(match.entry):
            found = aspect.diff(subject, live)
            changes.extend(found.changes)
            problems.extend(found.problems)
            footnotes.update(dict.fromkeys(found.footnotes))
    project = match.project
    if project is None or not changes:
        return changes
    fingerprint = fingerprint_of(project, live)
    return [replace(c, fingerprint=fingerprint, live=project.code_running) for c in changes]


# --- 4. ownership of deletes --------------------------------------------------------------------


def _prune(
    desired: DesiredState, live: LiveState, projects: Sequence[LiveProject], matched_ids: set[int]
) -> tuple[list[Change], list[Note]]:
    deletes: list[Change] = []
    notes: list[Note] = []
    for project in sorted(projects, key=lambda p: (p.name, p.id)):
        if project.id in matched_ids:
            continue
        scope = first_pattern(project.name, desired.scope)
        protector = first_pattern(project.name, desired.protect)
        if scope is None:
            # Out-of-scope projects are the norm, so they are only worth a note when prune is on
            # and a user might think "not declared" means "deleted".
            if desired.prune:
                why = "out of scope" if desired.scope else "out of scope (no scope is set)"
                notes.append(Note(project.name, project.id, why, project.code_running))
        elif protector is not None:
            notes.append(
                Note(project.name, project.id, f"protected by {protector}", project.code_running)
            )
        elif not desired.prune:
            notes.append(
                Note(
                    project.name,
                    project.id,
                    f"in scope {scope}, not declared, prune is off",
                    project.code_running,
                )
            )
        else:
            change = PROJECT.delete(project, f"in scope {scope}, not declared, prune is on")
            fingerprint = fingerprint_of(project, live)
            deletes.append(replace(change, fingerprint=fingerprint, live=project.code_running))
    return deletes, notes

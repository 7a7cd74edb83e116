"""The planning algorithm: desired state + live state -> the ordered, complete Plan.

Pure and deterministic: no I/O, clock or environment, so the same inputs always give the same plan
(DESIGN.md §5). Identity, unmanaged fields and the immutable language follow DESIGN.md §1;
ownership of deletes follows §3; the order of the changes follows §4. Every problem found is
collected and raised at once as a PlanError.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from qcsync.aspects import fingerprint_of, registered
from qcsync.aspects.base import Subject
from qcsync.aspects.nodes import mentioned
from qcsync.aspects.project import PROJECT, name_key
from qcsync.errors import PlanError
from qcsync.model import DesiredProject, DesiredState, LiveProject, LiveState
from qcsync.plan import (
    Change,
    Note,
    Plan,
    creates_needed,
    group_of,
    is_library_create,
    new_library_of,
)


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

    ordered = _order(changes, projects, where, problems)
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


# --- 5. targets, order and names ----------------------------------------------------------------


def _order(
    changes: Sequence[Change],
    projects: Sequence[LiveProject],
    where: dict[int, str],
    problems: list[str],
) -> list[Change]:
    """Changes in the order of DESIGN.md §4, after checking every name they need is free.

    Renames run in dependency order: one that takes a name another rename frees runs after it.
    A name held by a project that no earlier rename moves away is an error here, since the service
    would otherwise fail half-way or quietly create "NAME 1".
    """
    # Compared with name_key, the one comparison of names (aspects/project.py says why).
    holders: dict[str, list[LiveProject]] = {}
    for project in projects:
        holders.setdefault(name_key(project.name), []).append(project)
    renames = sorted((c for c in changes if c.is_rename), key=lambda c: (c.name, c.project_id))
    renamed_away = {c.project_id for c in renames}
    rename_of = {c.project_id: c for c in renames}

    def blockers(change: Change) -> list[LiveProject]:
        """The projects holding the name a rename or create needs, which must move first."""
        found = [p for p in holders.get(name_key(change.name), []) if p.id != change.project_id]
        for holder in found:
            if holder.id in renamed_away:
                continue
            if change.is_rename:
                what = f"rename '{change.old('name')}' (id {change.project_id})"
                consequence = ""
            else:
                what = "create it"
                consequence = f" (QuantConnect may quietly create '{change.name} 1' instead)"
            problems.append(
                f"{where.get(id(change), change.name)}: cannot {what}: project id {holder.id} "
                f"already has the name '{holder.name}'{consequence}, and this plan does not "
                "rename it away first"
            )
        return [h for h in found if h.id in renamed_away]

    waits_for = {id(c): [rename_of[h.id] for h in blockers(c)] for c in renames}
    ordered_renames = _dependency_order(renames, waits_for, problems, _rename_cycle)
    creates = _order_creates(changes, where, problems)
    for create in creates:
        blockers(create)
    final_names: dict[str, Change] = {}
    for change in [*renames, *creates]:
        earlier = final_names.setdefault(name_key(change.name), change)
        if earlier is not change:
            problems.append(f"{change.name}: two changes in this plan produce the same name")
    rank = {aspect.name: index for index, aspect in enumerate(registered())}
    rest = sorted(
        (c for c in changes if group_of(c) == 2),
        key=lambda c: (c.name, rank.get(c.aspect, len(rank))),
    )
    deletes = sorted((c for c in changes if group_of(c) == 3), key=lambda c: (c.name, c.project_id))
    return [*ordered_renames, *creates, *rest, *deletes]


def _order_creates(
    changes: Sequence[Change], where: dict[int, str], problems: list[str]
) -> list[Change]:
    """Creates by name, library projects first: a new project's links to a new library run with
    its create, so a new library linking another new library comes after it (plan.py's
    `creates_needed`; `stages` then cuts between them). A cycle of such links could never be
    made in order: a problem naming the entries, as is a link whose library `--target` drops."""
    creates = sorted(
        (c for c in changes if group_of(c) == 1), key=lambda c: (not is_library_create(c), c.name)
    )
    create_of = {c.name: c for c in creates}
    for change in changes:
        library = new_library_of(change)
        if library is not None and library not in create_of:
            problems.append(
                f"{where.get(id(change), change.name)}: links {library}, which this plan would "
                f"create, but --target leaves its create out; add --target {library}"
            )
    needs = creates_needed(changes)
    waits_for = {id(c): [create_of[n] for n in sorted(needs.get(c.name, ()))] for c in creates}

    def library_cycle(cycle: list[Change]) -> str:
        # Each create in the cycle waits for the next: its entry links that library.
        links = zip(cycle, [*cycle[1:], cycle[0]], strict=True)
        steps = " ".join(f"{where.get(id(c), c.name)} links '{d.name}';" for c, d in links)
        return (
            f"library cycle: {steps} a new library's links are made with its create, so each "
            "would need the next to exist first; leave one link out, apply, then add it"
        )

    return _dependency_order(creates, waits_for, problems, library_cycle)


def _dependency_order(
    changes: list[Change],
    waits_for: dict[int, list[Change]],
    problems: list[str],
    cycle_problem: Callable[[list[Change]], str],
) -> list[Change]:
    """Changes ordered so each runs after the changes it waits for; ties keep list order.

    Kahn's algorithm over the list positions (a plan may create thousands of projects): at each
    step the first change in the list whose waits are all done. What is left in a cycle is a
    problem (`cycle_problem` says it) and keeps its list order.
    """
    index = {id(c): i for i, c in enumerate(changes)}
    waiting = [0] * len(changes)
    waited_by: list[list[int]] = [[] for _ in changes]
    for i, change in enumerate(changes):
        for before in waits_for.get(id(change), ()):
            waiting[i] += 1
            waited_by[index[id(before)]].append(i)
    ready = [i for i, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    done: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        done.append(i)
        for later in waited_by[i]:
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, later)
    if len(done) == len(changes):
        return [changes[i] for i in done]
    placed = set(done)
    left = [c for i, c in enumerate(changes) if i not in placed]
    problems.extend(cycle_problem(cycle) for cycle in _cycles(left, waits_for))
    return [*(changes[i] for i in done), *left]


def _cycles(left: list[Change], waits_for: dict[int, list[Change]]) -> list[list[Change]]:
    """The cycles among changes that wait for each other, each once, each in the order it runs
    round (every change in `left` is in a cycle or waits for one)."""
    found: list[list[Change]] = []
    reported: set[int] = set()
    in_left = {id(c) for c in left}
    for start in left:
        path: list[Change] = []
        on_path: set[int] = set()
        change = start
        while id(change) not in reported and id(change) not in on_path:
            path.append(change)
            on_path.add(id(change))
            change = next(d for d in waits_for[id(change)] if id(d) in in_left)
        if id(change) in reported:
            reported.update(id(c) for c in path)
            continue
        first = next(i for i, c in enumerate(path) if c is change)
        found.append(path[first:])
        reported.update(id(c) for c in path)
    return found


def _rename_cycle(cycle: list[Change]) -> str:
    steps = " ".join(f"'{c.old('name')}' -> '{c.name}';" for c in cycle)
    return (
        f"rename cycle: {steps} each name is still taken when the other rename runs; "
        "rename one of them to a free name first"
    )

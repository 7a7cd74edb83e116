"""The order of a plan's changes (DESIGN.md §4), and the check that each name a rename or
create needs is free by the time it runs. Pure, like the planner it serves.

Renames first, in dependency order (one that takes a name another frees runs after it; a cycle
is a problem); then creates, library projects first and a new library linking a new library
after it (the registry's creates_needed, from each change's aspect's `waits_for`; a cycle is
a problem naming the entries); then the other changes by project and aspect; deletes last.
Problems are appended to the planner's list.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

from qcsync.aspects import aspect_of, creates_needed, registered
from qcsync.aspects.names import name_key
from qcsync.model import LiveProject
from qcsync.plan import Change, group_of, is_library_create


def order(
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
    # Compared with name_key, the one comparison of names (aspects/names.py says why).
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
    its create, so a new library linking another new library comes after it (the registry's
    `creates_needed`; `stages` then cuts between them). A cycle of such links could never be
    made in order: a problem naming the entries, as is a link whose library `--target` drops."""
    creates = sorted(
        (c for c in changes if group_of(c) == 1), key=lambda c: (not is_library_create(c), c.name)
    )
    create_of = {c.name: c for c in creates}
    for change in changes:
        library = aspect_of(change).waits_for(change)
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

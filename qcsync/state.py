"""Reads the live state a plan needs, with the fewest requests.

One `projects/read` for every project (filtered here to the configured organization),
`projects/nodes/read` only for live projects that an entry managing nodes could match,
concurrently, and `nodes/read` for the organization's catalogue only when entries name nodes and
no `projects/nodes/read` answer (which carries the catalogue) came back. Concurrency lives here
and in apply.py only (DESIGN.md §5).

After an apply, the convergence check passes the answers of the node writes it made as `known`:
`projects/nodes/update` answers with the selection it set (and the catalogue), so those projects
are not read again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qcsync.client import QCClient
from qcsync.concurrency import DEFAULT_PARALLELISM, bounded_map
from qcsync.model import DesiredState, LiveProject, LiveState, NodeSelection, ProjectNodes


def organization_id(client: QCClient, desired: DesiredState) -> str:
    return desired.organization or client.preferred_organization_id()


def candidates_for_nodes(desired: DesiredState, projects: Iterable[LiveProject]) -> list[int]:
    """Ids of live projects whose node selection the planner may compare.

    Identity is the planner's business; this is the superset it could pick from (by id, name or
    renamed_from), so that no selection the plan needs is missing and none it ignores is read.
    """
    ids: set[int] = set()
    names: set[str] = set()
    for entry in desired.projects:
        if entry.nodes is None:
            continue
        if entry.id is not None:
            ids.add(entry.id)
        names.add(entry.name)
        names.update(entry.renamed_from)
    return sorted(p.id for p in projects if p.id in ids or p.name in names)


def read_live_state(
    client: QCClient,
    desired: DesiredState,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    organization: str | None = None,
    known: Mapping[int, ProjectNodes] | None = None,
) -> LiveState:
    """The live state for `desired`; `known` holds node answers already in hand, by project."""
    org = organization or organization_id(client, desired)
    projects = tuple(p for p in client.list_projects() if p.organization_id == org)
    candidates = candidates_for_nodes(desired, projects)
    given = {pid: known[pid] for pid in candidates if known and pid in known}
    wanted = [pid for pid in candidates if pid not in given]
    read = bounded_map(client.read_project_nodes, wanted, parallelism)
    answers = dict(zip(wanted, read, strict=True))
    answers.update(given)
    # Node references need the organization's catalogue; every projects/nodes/read answer
    # carries it, so nodes/read is asked only when no such answer came back.
    names_nodes = any(entry.nodes for entry in desired.projects)
    if answers:
        catalog = next(iter(answers.values())).catalog
    else:
        catalog = client.read_nodes(org) if names_nodes else ()
    selections: dict[int, NodeSelection] = {pid: answers[pid].selection for pid in candidates}
    return LiveState(organization_id=org, projects=projects, catalog=catalog, selections=selections)

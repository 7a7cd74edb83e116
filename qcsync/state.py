"""Reads the live state a plan needs, with the fewest requests.

One `projects/read` for every project (filtered here to the configured organization); then each
aspect that some entry declares reads what it needs of the live projects those entries could
match (the nodes aspect: `projects/nodes/read`, concurrently, and the catalogue only when no
answer carried it). An aspect no entry declares is never read. Concurrency lives here and in
apply.py only, bounded by --parallelism (DESIGN.md §5).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from qcsync.aspects import registered
from qcsync.aspects.base import Aspect, Mapper
from qcsync.client import QCClient
from qcsync.concurrency import DEFAULT_PARALLELISM, all_at_once, bounded_map
from qcsync.model import DesiredProject, DesiredState, LiveProject, LiveState


def organization_id(client: QCClient, desired: DesiredState) -> str:
    return desired.organization or client.preferred_organization_id()


def candidates(entries: Iterable[DesiredProject], projects: Iterable[LiveProject]) -> list[int]:
    """Ids of live projects that one of `entries` could match.

    Identity is the planner's business; this is the superset it could pick from (by id, name or
    renamed_from), so that nothing the plan needs is missing and nothing it ignores is read.
    """
    ids: set[int] = set()
    names: set[str] = set()
    for entry in entries:
        if entry.id is not None:
            ids.add(entry.id)
        names.add(entry.name)
        names.update(entry.renamed_from)
    return sorted(p.id for p in projects if p.id in ids or p.name in names)


def mapper(parallelism: int) -> Mapper:
    return functools.partial(bounded_map, parallelism=parallelism)


def read_aspects(
    client: QCClient,
    organization: str,
    projects: tuple[LiveProject, ...],
    wanted: Mapping[Aspect, tuple[Sequence[DesiredProject], Collection[int]]],
    parallelism: int,
    known: Mapping[int, object] | None = None,
) -> LiveState:
    """The live state with what each aspect in `wanted` reads of the projects given for it;
    `known`: answers already in hand by project id (an apply's writes), which an aspect uses
    instead of reading again when they are of its kind."""
    reads: dict[str, object] = {}
    for aspect, (entries, ids) in wanted.items():
        value = aspect.read(
            client, organization, entries, sorted(ids), mapper(parallelism), known or {}
        )
        if value is not None:
            reads[aspect.name] = value
    return LiveState(organization_id=organization, projects=projects, reads=reads)


def read_live_state(
    client: QCClient,
    desired: DesiredState,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    organization: str | None = None,
    known: Mapping[int, object] | None = None,
) -> LiveState:
    """The live state for `desired`; `known` holds answers already in hand, by project (after
    an apply: what its node writes answered, so those selections are not read again)."""
    org = organization or organization_id(client, desired)
    projects = tuple(p for p in client.list_projects() if p.organization_id == org)
    wanted: dict[Aspect, tuple[Sequence[DesiredProject], Collection[int]]] = {}
    for aspect in registered():
        entries = [e for e in desired.projects if aspect.declared(e)]
        if entries:  # only aspects that some entry declares are read
            wanted[aspect] = (entries, candidates(entries, projects))
    return read_aspects(client, org, projects, wanted, parallelism, known)


def read_everything(
    client: QCClient,
    organization: str,
    projects: tuple[LiveProject, ...],
    parallelism: int,
    leave_out: Collection[str] = (),
) -> LiveState:
    """Every aspect's read of `projects` but those named in `leave_out`, as `qcsync import`
    describes them all (files only with `--files`)."""
    ids = [p.id for p in projects]
    wanted = dict.fromkeys((a for a in registered() if a.name not in leave_out), ((), ids))
    return read_aspects(client, organization, projects, wanted, parallelism)


def read_one(client: QCClient, project: LiveProject) -> LiveState:
    """Every aspect's read of one project, the aspects' reads at once (a backup: its node
    selection and its files together)."""
    aspects = registered()
    one = mapper(1)

    def reader(aspect: Aspect) -> Callable[[], object]:
        org = project.organization_id
        return lambda: aspect.read(client, org, (), [project.id], one, {})

    found = all_at_once([reader(a) for a in aspects])
    reads = {a.name: r for a, r in zip(aspects, found, strict=True) if r is not None}
    return LiveState(organization_id=project.organization_id, projects=(project,), reads=reads)

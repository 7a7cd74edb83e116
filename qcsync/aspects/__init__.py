"""The aspects of a project that qcsync manages, and the one registry that lists them.

See base.py for the Aspect protocol: each aspect module (project.py, nodes.py) is the one file
that holds everything about its part of a project. Adding an aspect: ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qcsync.aspects.base import Aspect
from qcsync.aspects.collaborators import COLLABORATORS
from qcsync.aspects.files import FILES
from qcsync.aspects.libraries import LIBRARIES
from qcsync.aspects.nodes import NODES
from qcsync.aspects.parameters import PARAMETERS
from qcsync.aspects.project import PROJECT
from qcsync.model import LiveProject, LiveState
from qcsync.plan import Action, Change, Fingerprint

# Looked up at call time through registered(), so that a test can register another aspect.
ASPECTS: tuple[Aspect, ...] = (PROJECT, NODES, FILES, PARAMETERS, LIBRARIES, COLLABORATORS)


def registered() -> tuple[Aspect, ...]:
    """The aspects, in the order their changes to one project are planned and shown."""
    return ASPECTS


def aspect_named(name: str) -> Aspect | None:
    return next((a for a in registered() if a.name == name), None)


def aspect_of(change: Change) -> Aspect:
    aspect = aspect_named(change.aspect)
    if aspect is None:  # plan files are checked on reading, so only a bug gets here
        raise LookupError(f"no aspect named {change.aspect!r}")
    return aspect


def creates_needed(changes: Iterable[Change]) -> dict[str, frozenset[str]]:
    """For each project this plan creates whose new content needs another project this plan
    creates (a link to a new library: the aspect's `waits_for`), those projects: its create,
    with which its content is written, must wait for theirs."""
    changes = list(changes)
    created = {c.name for c in changes if c.aspect == PROJECT.name and c.action is Action.CREATE}
    needs: dict[str, set[str]] = {}
    for change in changes:
        needed = aspect_of(change).waits_for(change)
        new_content = change.project_id is None and change.name in created
        if new_content and needed is not None and needed in created:
            needs.setdefault(change.name, set()).add(needed)
    return {name: frozenset(names) for name, names in needs.items()}


def fingerprint_of(project: LiveProject, live: LiveState) -> Fingerprint:
    """Every registered aspect's fingerprint of a live project, leaving out what was not read."""
    found = ((a.name, a.fingerprint(project, live)) for a in registered())
    return {name: value for name, value in found if value is not None}


def fingerprint_differences(before: Fingerprint, after: Fingerprint) -> list[str]:
    """What moved between two fingerprints: the keys inside an aspect's fingerprint that is a
    mapping (`modified`, `name`, ...), else the aspect's name (`nodes`)."""
    differing: list[str] = []
    for name in dict.fromkeys([*before, *after]):
        then, now = before.get(name), after.get(name)
        if isinstance(then, Mapping) and isinstance(now, Mapping):
            keys = dict.fromkeys([*then, *now])
            differing.extend(k for k in keys if then.get(k) != now.get(k))
        elif then != now:
            differing.append(name)
    return differing

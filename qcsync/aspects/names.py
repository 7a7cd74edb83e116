"""The one comparison of project names for "is this name taken": `name_key` (casefold).

The service itself compares exactly (qc-api.md §4.1, §7: a create with a taken name becomes
"NAME 1", an update onto a taken name fails, and nothing is said about case; the emulator
compares exactly). qcsync is stricter on purpose: two projects whose names differ only in case
collide in the Lean CLI's local folders on case-insensitive file systems, and refusing such a
plan is cheaper than a duplicate. Identity (which live project an entry is) stays exact, as
DESIGN.md §1 says. Plans (planorder, planfile), the project aspect's create and restore all
ask here.
"""

from __future__ import annotations

from collections.abc import Iterable

from qcsync.model import LiveProject


def name_key(name: str) -> str:
    """Two names that collide have the same key (see the module docstring for why casefold)."""
    return name.casefold()


def name_holder(
    projects: Iterable[LiveProject], name: str, *, besides: int | None = None
) -> LiveProject | None:
    """A project that holds `name` (or a name that collides with it), other than `besides`."""
    key = name_key(name)
    return next((p for p in projects if name_key(p.name) == key and p.id != besides), None)

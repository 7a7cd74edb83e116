"""Saved plan files, and what `apply PLANFILE` trusts them for: nothing (DESIGN.md §4).

Anyone with write access to a CI artifact can edit a plan file, so it never decides what may be
touched. It records the sha256 of every config file it was planned from; `apply PLANFILE`
reads those files again (or `-f`), refuses on any digest difference, reads the live state,
plans afresh and applies that fresh plan, and only if it equals the saved one: same
organization, limits and changes, fingerprints included. Scope, protect, organization, limits
and the live guard therefore always come from the config and a fresh read.

`config_digests`, `digest_problems`, `plan_differences` and `taken_name_problems` are pure;
reading and writing the file are the thin I/O around them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from qcsync.datafile import read_json
from qcsync.errors import QcsyncError
from qcsync.model import LiveProject
from qcsync.plan import Action, Change, ConfigFile, Plan, plan_from_json, plan_to_json

PLAN_FILE = "a qcsync plan file"


def config_digests(sources: Sequence[tuple[str, bytes]]) -> tuple[ConfigFile, ...]:
    """The (path, sha256) of config files given as the (name, bytes) pairs that were parsed."""
    return tuple(ConfigFile(name, hashlib.sha256(raw).hexdigest()) for name, raw in sources)


def write_plan_file(path: Path, plan: Plan) -> None:
    document = plan_to_json(plan)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as error:
        raise QcsyncError(f"cannot write the plan file {path}: {error.strerror}") from None


def read_plan_file(path: Path) -> Plan:
    """A saved plan, bounded in size and depth and checked in shape; to be shown, or compared
    with a fresh plan, never applied as it is."""
    document = read_json(path, PLAN_FILE)
    if not isinstance(document, dict):
        raise QcsyncError(f"{path} is not {PLAN_FILE}")
    return plan_from_json(document)


# --- the binding ------------------------------------------------------------------------------


def _short(digest: str) -> str:
    return digest[:12]


def digest_problems(
    saved: Sequence[ConfigFile], now: Sequence[ConfigFile], *, given: bool
) -> list[str]:
    """How the config files read now differ from those the plan records; `given` when they
    were named with -f rather than taken from the plan."""
    if not saved:
        return [
            "the plan file records no config files (it was saved by an older qcsync); "
            "run `qcsync plan -o PLANFILE` again"
        ]
    source = "-f names" if given else "the plan names"
    if len(saved) != len(now):
        return [
            f"the plan was made from {len(saved)} config file(s) "
            f"({', '.join(c.path for c in saved)}); {source} {len(now)} "
            f"({', '.join(c.path for c in now)})"
        ]
    problems: list[str] = []
    for then, current in zip(saved, now, strict=True):
        if then.sha256 == current.sha256:
            continue
        what = current.path if current.path == then.path else f"{current.path} (for {then.path})"
        problems.append(
            f"{what}: differs from the config the plan was made from "
            f"(sha256 {_short(then.sha256)}… then, {_short(current.sha256)}… now)"
        )
    return problems


def _label(change: Change) -> str:
    where = f"id {change.project_id}" if change.project_id is not None else "new"
    return f"{change.action.value} {change.name} ({where})"


def _key(change: Change) -> tuple[str, int | str]:
    return change.action.value, change.project_id if change.project_id is not None else change.name


def _change_problem(saved: Change, fresh: Change) -> str:
    """How one saved change differs from the fresh plan's change to the same project."""
    what: list[str] = []
    if saved.name != fresh.name:
        what.append(f"name {fresh.name!r} in a fresh plan")
    fields = {f.field for f in saved.fields} ^ {f.field for f in fresh.fields}
    fields |= {a.field for a, b in zip(saved.fields, fresh.fields, strict=False) if a != b}
    if fields or len(saved.fields) != len(fresh.fields):
        what.append(f"different {', '.join(sorted(fields)) or 'fields'}")
    if saved.live != fresh.live:
        what.append(
            "live trading started since the plan was made"
            if fresh.live
            else "the plan file marks it live, a fresh read does not"
        )
    if saved.fingerprint != fresh.fingerprint:
        if saved.fingerprint is None or fresh.fingerprint is None:
            what.append("a fingerprint differs")
        else:
            changed = [
                name
                for name in ("modified", "name", "description", "language", "nodes")
                if getattr(saved.fingerprint, name) != getattr(fresh.fingerprint, name)
            ]
            what.append(f"the project changed since the plan was made ({', '.join(changed)})")
    if saved.reason != fresh.reason:
        what.append("a different reason")
    return f"{_label(saved)}: " + "; ".join(what or ["differs from a fresh plan's change"])


def taken_name_problems(plan: Plan, live: Iterable[LiveProject]) -> list[str]:
    """Names a create or rename needs that a live project now holds (ignoring case, as the
    planner does), unless the plan renames that project away or deletes it first."""
    projects = list(live)
    leaving = {c.project_id for c in plan.changes if c.is_rename or c.action is Action.DELETE}
    problems: list[str] = []
    for change in plan.changes:
        if change.action is Action.CREATE:
            wanted = change.name
        elif change.is_rename:
            wanted = str(change.after("name"))
        else:
            continue
        holder = next(
            (
                p
                for p in projects
                if p.name.casefold() == wanted.casefold()
                and p.id != change.project_id
                and p.id not in leaving
            ),
            None,
        )
        if holder is not None:
            verb = "create" if change.action is Action.CREATE else "rename"
            problems.append(
                f"{wanted}: the name is now taken by project {holder.id} ({holder.name}), "
                f"so the {verb} cannot go ahead"
            )
    return problems


def plan_differences(saved: Plan, fresh: Plan) -> list[str]:
    """Everything in which a saved plan differs from a fresh plan of its config; empty exactly
    when the saved plan may be applied."""
    problems: list[str] = []
    if saved.organization_id != fresh.organization_id:
        problems.append(
            f"organization: the plan file says {saved.organization_id}, "
            f"the config plans for {fresh.organization_id}"
        )
    if saved.limits != fresh.limits:
        problems.append(
            f"limits: the plan file says max_deletes={saved.limits.max_deletes}, "
            f"max_delete_fraction={saved.limits.max_delete_fraction:g}; the config says "
            f"max_deletes={fresh.limits.max_deletes}, "
            f"max_delete_fraction={fresh.limits.max_delete_fraction:g}"
        )
    if saved.targets != fresh.targets:
        problems.append("targets: the plan file and a fresh plan differ")
    unmatched = list(fresh.changes)
    for change in saved.changes:
        twin = next((c for c in unmatched if _key(c) == _key(change)), None)
        if twin is None:
            problems.append(
                f"{_label(change)}: in the plan file, but not in a fresh plan of the config"
            )
            continue
        unmatched.remove(twin)
        if twin != change:
            problems.append(_change_problem(change, twin))
    problems.extend(
        f"{_label(change)}: in a fresh plan of the config, but not in the plan file"
        for change in unmatched
    )
    if not problems and saved.changes != fresh.changes:
        problems.append("the changes are in a different order than in a fresh plan")
    return problems

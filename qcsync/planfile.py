"""Saved plan files, and what `apply PLANFILE` trusts them for: nothing (DESIGN.md §4).

Anyone with write access to a CI artifact can edit a plan file, so it never decides what may be
touched. It records the sha256 of every config file it was planned from; `apply PLANFILE`
reads those files again (or `-f`), refuses on any digest difference, reads the live state,
plans afresh and applies that fresh plan, and only if it equals the saved one: same
organization, limits and changes, fingerprints included. Scope, protect, organization, limits
and the live guard therefore always come from the config and a fresh read.

The comparison is aspect-blind: a change is identified by its project, aspect, key and action,
and a fingerprint is compared aspect by aspect (aspects.fingerprint_differences).
`config_digests`, `digest_problems`, `plan_differences` and `taken_name_problems` are pure;
reading and writing the file are the thin I/O around them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from qcsync.aspects import fingerprint_differences
from qcsync.aspects.names import name_holder
from qcsync.datafile import read_json
from qcsync.errors import QcsyncError
from qcsync.model import LiveProject
from qcsync.plan import PROJECT, Action, Change, ConfigFile, JsonValue, Plan, what
from qcsync.plandoc import plan_from_json, plan_to_json

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
    key = f" {change.key}" if change.key is not None else ""
    return f"{what(change)}{key} {change.name} ({where})"


def _key(change: Change) -> tuple[str, str | None, str, int | str]:
    pid = change.project_id if change.project_id is not None else change.name
    return change.aspect, change.key, change.action.value, pid


def _change_problem(saved: Change, fresh: Change) -> str:
    """How one saved change differs from the fresh plan's change to the same aspect."""
    found: list[str] = []
    if saved.name != fresh.name:
        found.append(f"name {fresh.name!r} in a fresh plan")
    if saved.before != fresh.before or saved.after != fresh.after:
        fields = _differing(saved.before, fresh.before) | _differing(saved.after, fresh.after)
        found.append(f"different {', '.join(sorted(fields)) or saved.aspect}")
    if saved.live != fresh.live:
        found.append(
            "live trading started since the plan was made"
            if fresh.live
            else "the plan file marks it live, a fresh read does not"
        )
    if saved.fingerprint != fresh.fingerprint:
        if saved.fingerprint is None or fresh.fingerprint is None:
            found.append("a fingerprint differs")
        else:
            changed = fingerprint_differences(saved.fingerprint, fresh.fingerprint)
            found.append(f"the project changed since the plan was made ({', '.join(changed)})")
    if saved.reason != fresh.reason:
        found.append("a different reason")
    return f"{_label(saved)}: " + "; ".join(found or ["differs from a fresh plan's change"])


def _differing(saved: JsonValue, fresh: JsonValue) -> set[str]:
    """The fields in which two values of a change differ, when they are mappings of fields."""
    if saved == fresh:
        return set()
    if isinstance(saved, Mapping) and isinstance(fresh, Mapping):
        return {k for k in {*saved, *fresh} if saved.get(k) != fresh.get(k)}
    return set()


def taken_name_problems(plan: Plan, live: Iterable[LiveProject]) -> list[str]:
    """Names a create or rename needs that a live project now holds (compared as the planner
    compares them: aspects.names.name_key), unless the plan renames that project away or
    deletes it first."""
    projects = list(live)
    leaving = {
        c.project_id
        for c in plan.changes
        if c.is_rename or (c.aspect == PROJECT and c.action is Action.DELETE)
    }
    problems: list[str] = []
    for change in plan.changes:
        if change.aspect == PROJECT and change.action is Action.CREATE:
            wanted, verb = change.name, "create"
        elif change.is_rename:
            wanted, verb = str(change.new("name")), "rename"
        else:
            continue
        staying = (p for p in projects if p.id not in leaving)
        holder = name_holder(staying, wanted, besides=change.project_id)
        if holder is not None:
            problems.append(
                f"{wanted}: the name is now taken by project {holder.id} ({holder.name}), "
                f"so the {verb} cannot go ahead"
            )
    return problems


def _flags(targets: Sequence[str]) -> str:
    return " ".join(f"--target {t!r}" for t in targets)


def _targets_problem(saved: Sequence[str], given: Sequence[str]) -> str:
    if not saved:
        return f"the plan file is not limited to targets, but apply was given {_flags(given)}"
    asked = f"apply was given {_flags(given)}" if given else "apply was given none"
    return (
        f"the plan file is limited to {_flags(saved)} and {asked}; a plan file does not "
        "choose what is touched: apply it with the same --target flags"
    )


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
            + (
                f"; max_file_deletes: the plan file says {saved.limits.max_file_deletes}, "
                f"the config says {fresh.limits.max_file_deletes}"
                if saved.limits.max_file_deletes != fresh.limits.max_file_deletes
                else ""
            )
        )
    if saved.targets != fresh.targets:
        problems.append(f"targets: {_targets_problem(saved.targets, fresh.targets)}")
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

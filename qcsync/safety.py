"""The safety rules of DESIGN.md §3 as a property of a plan (as in octoDNS): delete limits and
the LIVE guard. Each aspect says what its change would do to a running live deployment. Pure.
"""

from __future__ import annotations

from typing import assert_never

from qcsync.aspects import aspect_of
from qcsync.aspects.files import counted_deletes
from qcsync.plan import PROJECT, Action, Change, Plan


def project_deletes(plan: Plan) -> int:
    return sum(1 for c in plan.changes if _deletes_project(c))


def _deletes_project(change: Change) -> bool:
    if change.aspect != PROJECT:
        return False
    match change.action:
        case Action.DELETE:
            return True
        case Action.CREATE | Action.UPDATE:
            return False
        case _ as unreachable:
            assert_never(unreachable)


def safety_violations(
    plan: Plan, *, force: bool = False, allow_live: bool = False
) -> tuple[str, ...]:
    """Why this plan must not run as it is; empty when it may.

    Live guards come first and limits last, so that a rendering that ends with the violations
    ends with the line that names the limit and `--force`.
    """
    violations: list[str] = []
    if not allow_live:
        for change in plan.changes:
            what = aspect_of(change).live_risk(change)
            if change.live and what:
                violations.append(
                    f"{change.name} is LIVE (live trading running): {what} is blocked; "
                    "review, then use --allow-live"
                )
    if not force:
        deletes = project_deletes(plan)
        limits = plan.limits
        if deletes > limits.max_deletes:
            violations.append(
                f"{deletes} deletes exceed limits.max_deletes={limits.max_deletes}; "
                "review, then use --force"
            )
        # No small-account exemption: 1 delete of 2 in-scope projects is half of them.
        if deletes and deletes > limits.max_delete_fraction * plan.in_scope:
            share = f"{deletes / plan.in_scope:.0%}" if plan.in_scope else "all"
            violations.append(
                f"{deletes} deletes of {plan.in_scope} in-scope projects ({share}) exceed "
                f"limits.max_delete_fraction={limits.max_delete_fraction:g}; "
                "review, then use --force"
            )
        file_deletes = counted_deletes(plan.changes)
        if file_deletes > limits.max_file_deletes:
            violations.append(
                f"{file_deletes} file deletes exceed limits.max_file_deletes="
                f"{limits.max_file_deletes}; review, then use --force"
            )
    return tuple(violations)

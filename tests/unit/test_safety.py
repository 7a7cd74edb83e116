"""Safety rules (DESIGN.md §3): delete limits, the live guard, and ownership as a property."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcsync.errors import PlanError
from qcsync.model import DesiredProject, DesiredState, Limits, LiveProject, LiveState, Location
from qcsync.plan import Action, Change, Plan
from qcsync.planner import matches_pattern, plan
from qcsync.safety import safety_violations
from tests import changes


def change(kind: str, name: str = "S/A", *, live: bool = False) -> Change:
    match kind:
        case "delete":
            return changes.delete(1, name, live=live)
        case "rename":
            return changes.update(1, name, old_name="S/Old", live=live)
        case "describe":
            return changes.update(1, name, description=("a", "b"), live=live)
        case "nodes":
            return changes.nodes(1, name, (), ("BN-1",), live=live)
    raise AssertionError(kind)


DEFAULT_LIMITS = Limits()


def deletes(count: int, in_scope: int, limits: Limits = DEFAULT_LIMITS) -> Plan:
    return Plan(
        "org",
        tuple(change("delete", f"S/{i}") for i in range(count)),
        0,
        in_scope=in_scope,
        limits=limits,
    )


@pytest.mark.parametrize(
    ("count", "in_scope", "limits", "expected"),
    [
        pytest.param(3, 10, Limits(), (), id="at both limits"),
        pytest.param(
            4,
            100,
            Limits(),
            ("4 deletes exceed limits.max_deletes=3; review, then use --force",),
            id="over max_deletes",
        ),
        pytest.param(
            4,
            10,
            Limits(max_deletes=10),
            (
                "4 deletes of 10 in-scope projects (40%) exceed limits.max_delete_fraction=0.3; "
                "review, then use --force",
            ),
            id="over the fraction",
        ),
        pytest.param(
            1,
            1,
            Limits(),
            (
                "1 deletes of 1 in-scope projects (100%) exceed limits.max_delete_fraction=0.3; "
                "review, then use --force",
            ),
            id="no small-account exemption",
        ),
        pytest.param(0, 0, Limits(max_deletes=0, max_delete_fraction=0), (), id="no deletes"),
        pytest.param(
            3,
            4,
            Limits(max_deletes=2),
            (
                "3 deletes exceed limits.max_deletes=2; review, then use --force",
                "3 deletes of 4 in-scope projects (75%) exceed limits.max_delete_fraction=0.3; "
                "review, then use --force",
            ),
            id="both",
        ),
    ],
)
def test_deletes_over_either_limit_are_violations(
    count: int, in_scope: int, limits: Limits, expected: tuple[str, ...]
) -> None:
    assert safety_violations(deletes(count, in_scope, limits)) == expected


def test_force_lifts_the_limits() -> None:
    assert safety_violations(deletes(9, 9), force=True) == ()


@pytest.mark.parametrize(
    ("live_change", "blocked"),
    [
        pytest.param(change("delete", live=True), "delete", id="delete"),
        pytest.param(change("rename", live=True), "rename", id="rename"),
        pytest.param(change("nodes", live=True), "a node selection change", id="nodes"),
        pytest.param(change("describe", live=True), "", id="description only is allowed"),
        pytest.param(change("delete", live=False), "", id="not live"),
    ],
)
def test_deleting_renaming_or_moving_a_live_project_is_a_violation(
    live_change: Change, blocked: str
) -> None:
    result = Plan("org", (live_change,), 0, in_scope=100, limits=Limits(9, 1.0))
    expected = (
        (
            f"S/A is LIVE (live trading running): {blocked} is blocked; "
            "review, then use --allow-live",
        )
        if blocked
        else ()
    )
    assert safety_violations(result) == expected
    assert safety_violations(result, allow_live=True) == ()


def test_force_does_not_lift_the_live_guard_and_the_limit_line_comes_last() -> None:
    result = Plan(
        "org",
        (change("delete", "S/L", live=True), *deletes(3, 3).changes),
        0,
        in_scope=4,
    )
    assert len(safety_violations(result, force=True)) == 1
    violations = safety_violations(result)
    assert "--allow-live" in violations[0]
    assert violations[-1].endswith("use --force")


# --- property: ownership -----------------------------------------------------------------------

NAMES = ["S/A", "S/B", "S/Live/X", "S/Live/Y", "S", "SX/C", "O/D", "S/a"]
EXTRA = ["S/C", "S/D", "S/E", "S/Live/Z", "O/E"]  # live only: undeclared, so candidates for deletes
PATTERNS = ["S/", "S/A", "S/Live/", "O/", "SX/C"]
ORG = "org-1"


@st.composite
def pairs(draw: st.DrawFn) -> tuple[DesiredState, LiveState]:
    count = draw(st.integers(0, 8))
    ids = draw(st.lists(st.integers(1, 30), min_size=count, max_size=count, unique=True))
    projects = tuple(
        LiveProject(
            id=pid,
            name=draw(st.sampled_from([*NAMES, *EXTRA])),
            organization_id=draw(st.sampled_from([ORG, ORG, "org-2"])),
            language="Py",
            description="",
            modified=datetime(2024, 1, 1),
            code_running=draw(st.booleans()),
        )
        for pid in ids
    )
    names = draw(st.lists(st.sampled_from([*NAMES, "S/New"]), unique=True, max_size=4))
    entries = tuple(
        DesiredProject(
            name=name,
            location=Location("q.yaml", i + 1, 5),
            id=draw(st.none() | st.sampled_from(ids)) if ids else None,
            description=draw(st.none() | st.sampled_from(["", "d"])),
            renamed_from=tuple(draw(st.lists(st.sampled_from(NAMES), max_size=1))),
        )
        for i, name in enumerate(names)
    )
    return (
        DesiredState(
            projects=entries,
            # Mostly pruning inside a scope, where deletes happen and the rules matter.
            scope=tuple(draw(st.lists(st.sampled_from(PATTERNS), max_size=2, min_size=1)))
            if draw(st.integers(0, 4))
            else (),
            prune=draw(st.sampled_from([True, True, True, False])),
            protect=tuple(draw(st.lists(st.sampled_from(PATTERNS), max_size=2))),
            limits=Limits(draw(st.integers(0, 4)), draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))),
        ),
        LiveState(organization_id=ORG, projects=projects),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs())
def test_no_plan_deletes_what_is_not_ours_and_every_deleting_plan_is_within_limits_or_blocked(
    pair: tuple[DesiredState, LiveState],
) -> None:
    desired, live = pair
    try:
        result = plan(desired, live)
    except PlanError:
        return
    by_id = {p.id: p for p in live.projects if p.organization_id == ORG}
    # An entry with an id owns that project only; an undeclared duplicate of its name is not its.
    declared = {e.id for e in desired.projects} | {e.name for e in desired.projects if not e.id}
    removed = [c for c in result.changes if c.aspect == "project" and c.action is Action.DELETE]
    for delete in removed:
        assert delete.project_id in by_id, "a project of another organization"
        project = by_id[delete.project_id]
        assert any(matches_pattern(project.name, p) for p in desired.scope), "outside scope"
        assert not any(matches_pattern(project.name, p) for p in desired.protect), "protected"
        assert desired.prune
        assert project.id not in declared
        assert project.name not in declared
    for c in result.changes:
        assert c.project_id is None or c.project_id in by_id
    limits = desired.limits
    within = len(removed) <= limits.max_deletes and len(removed) <= (
        limits.max_delete_fraction * result.in_scope
    )
    assert within or safety_violations(result, allow_live=True)

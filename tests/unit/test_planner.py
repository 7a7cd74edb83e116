"""Planner rules, one fact per test: identity, fields, nodes, ownership, order, targets."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import pytest

from qcsync.aspects.nodes import NodesRead
from qcsync.errors import PlanError
from qcsync.model import (
    DesiredProject,
    DesiredState,
    Limits,
    LiveProject,
    LiveState,
    Location,
    Node,
    NodeSelection,
)
from qcsync.plan import Change, stages, what
from qcsync.planner import PlanOptions, matches_pattern, plan

ORG = "org-1"
B4 = Node("BN-1", "Backtest B4-12", "B4-12", "backtest")
LM = Node("LN-3", "L-MICRO", "L-MICRO", "live")


def entry(name: str, line: int = 1, **fields: Any) -> DesiredProject:
    return DesiredProject(name=name, location=Location("q.yaml", line, 5), **fields)


def desired(*entries: DesiredProject, **settings: Any) -> DesiredState:
    return DesiredState(projects=entries, **settings)


def project(pid: int, name: str, **fields: Any) -> LiveProject:
    values: dict[str, Any] = {
        "organization_id": ORG,
        "language": "Py",
        "description": "",
        "modified": datetime(2024, 1, 2, 3, 4, 5),
    }
    values.update(fields)
    return LiveProject(id=pid, name=name, **values)


def live(*projects: LiveProject, selections: dict[int, NodeSelection] | None = None) -> LiveState:
    nodes = NodesRead(catalog=(B4, LM), selections=selections or {})
    return LiveState(organization_id=ORG, projects=projects, reads={"nodes": nodes})


def actions(changes: tuple[Change, ...]) -> list[tuple[str, str, int | None]]:
    """(what, name, id): `what` as the apply report says it (`update`, `nodes`, ...)."""
    return [(what(c), c.name, c.project_id) for c in changes]


# --- identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "projects", "expected"),
    [
        pytest.param(
            [entry("S/New")], [project(1, "S/Old")], [("create", "S/New", None)], id="no match"
        ),
        pytest.param([entry("S/A")], [project(1, "S/A")], [], id="by name"),
        pytest.param(
            [entry("S/A", id=1)],
            [project(1, "S/Z"), project(2, "S/B")],
            [("update", "S/A", 1)],
            id="by id, which renames",
        ),
        pytest.param(
            [entry("S/A", renamed_from=("S/Old", "S/Older"))],
            [project(1, "S/Older")],
            [("update", "S/A", 1)],
            id="by renamed_from",
        ),
        pytest.param(
            [entry("S/C", id=2), entry("S/B")],
            [project(2, "S/B")],
            [("update", "S/C", 2), ("create", "S/B", None)],
            id="an id pin takes its project away from another entry's name",
        ),
    ],
)
def test_entries_match_live_projects_by_id_then_name_then_renamed_from(
    entries: list[DesiredProject],
    projects: list[LiveProject],
    expected: list[tuple[str, str, int | None]],
) -> None:
    assert actions(plan(desired(*entries), live(*projects)).changes) == expected


@pytest.mark.parametrize(
    ("entries", "projects", "message"),
    [
        pytest.param(
            [entry("S/A", id=9)],
            [project(1, "S/A")],
            "q.yaml:1:5: S/A: id 9 not found in organization org-1",
            id="unknown id",
        ),
        pytest.param(
            [entry("S/A", id=9)],
            [project(9, "S/A", organization_id="org-2")],
            "q.yaml:1:5: S/A: id 9 not found in organization org-1",
            id="id of another org",
        ),
        pytest.param(
            [entry("S/A")],
            [project(1, "S/A"), project(2, "S/A")],
            "q.yaml:1:5: S/A: matches more than one project: 'S/A' (id 1) by name and "
            "'S/A' (id 2) by name; pin the right one with `id:`",
            id="duplicate names in the cloud",
        ),
        pytest.param(
            [entry("S/A", renamed_from=("S/Old",))],
            [project(1, "S/A"), project(2, "S/Old")],
            "q.yaml:1:5: S/A: matches more than one project: 'S/A' (id 1) by name and "
            "'S/Old' (id 2) by renamed_from; pin the right one with `id:`",
            id="name and renamed_from match different projects",
        ),
        pytest.param(
            [entry("S/A", line=1, id=1), entry("S/B", line=2, renamed_from=("S/A",))],
            [project(1, "S/A")],
            "",  # pinned projects are not offered to names, so this one is a plain create
            id="pinned project not matched twice",
        ),
        pytest.param(
            [entry("S/A", line=1), entry("S/B", line=2, renamed_from=("S/A",))],
            [project(1, "S/A")],
            "q.yaml:2:5: S/B: matches project 'S/A' (id 1), which q.yaml:1:5: S/A matches too; "
            "pin each entry with `id:`",
            id="one project matched by two entries",
        ),
    ],
)
def test_identity_problems_name_the_entry_and_the_ids(
    entries: list[DesiredProject], projects: list[LiveProject], message: str
) -> None:
    if not message:
        assert actions(plan(desired(*entries), live(*projects)).changes) == [
            ("create", "S/B", None)
        ]
        return
    with pytest.raises(PlanError) as caught:
        plan(desired(*entries), live(*projects))
    assert caught.value.problems == (message,)


def test_projects_of_other_organizations_are_never_matched_deleted_or_noted() -> None:
    result = plan(
        desired(entry("S/A"), scope=("S/",), prune=True),
        live(
            project(1, "S/A", organization_id="org-2"),
            project(2, "S/Gone", organization_id="org-2"),
        ),
    )
    assert actions(result.changes) == [("create", "S/A", None)]
    assert result.notes == ()
    assert result.in_scope == 0


# --- fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "live_fields", "expected"),
    [
        pytest.param({}, {"description": "kept"}, (), id="description left out is unmanaged"),
        pytest.param({"language": None}, {"language": "C#"}, (), id="language left out"),
        pytest.param(
            {"description": ""},
            {"description": "old"},
            (({"description": "old"}, {"description": ""}),),
            id="empty description is managed",
        ),
        pytest.param({"description": "same"}, {"description": "same"}, (), id="equal"),
        pytest.param({"nodes": None}, {}, (), id="nodes left out are not read"),
    ],
)
def test_only_declared_fields_are_compared(
    declared: dict[str, Any], live_fields: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    result = plan(desired(entry("S/A", **declared)), live(project(1, "S/A", **live_fields)))
    assert tuple((c.before, c.after) for c in result.changes) == expected
    assert result.unchanged == (0 if expected else 1)


def test_a_language_change_is_an_error_and_never_a_recreate() -> None:
    with pytest.raises(PlanError) as caught:
        plan(desired(entry("S/A", language="Py")), live(project(1, "S/A", language="C#")))
    assert caught.value.problems == (
        "q.yaml:1:5: S/A: language is C# in QuantConnect, the config says Py; qcsync never "
        "recreates a project — change the config or recreate by hand",
    )


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PlanError) as caught:
        plan(
            desired(
                entry("S/A", line=1, language="Py"),
                entry("S/B", line=2, nodes=("nope",)),
                entry("S/C", line=3, id=77),
            ),
            live(project(1, "S/A", language="C#")),
            PlanOptions(targets=("S/Nothing",)),
        )
    assert [p.split(":")[1] for p in caught.value.problems[:3]] == ["1", "2", "3"]
    assert caught.value.problems[3].startswith("--target 'S/Nothing' matches no declared project")


@pytest.mark.parametrize(
    ("entry_fields", "expected_fields"),
    [
        pytest.param(
            {},
            {"name": "S/N", "language": "C#"},
            id="default language",
        ),
        pytest.param(
            {"language": "Py", "description": ""},
            {"name": "S/N", "language": "Py"},
            id="empty description is what a new project has already",
        ),
        pytest.param(
            {"description": "d"},
            {"name": "S/N", "language": "C#", "description": "d"},
            id="description",
        ),
    ],
)
def test_a_create_carries_name_language_and_a_nonempty_description(
    entry_fields: dict[str, Any], expected_fields: dict[str, str]
) -> None:
    result = plan(desired(entry("S/N", **entry_fields), default_language="C#"), live())
    assert (result.changes[0].before, result.changes[0].after) == (None, expected_fields)
    assert result.changes[0].reason == "not in QuantConnect"
    assert result.changes[0].fingerprint is None


# --- nodes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refs", "selection", "expected"),
    [
        pytest.param(("B4-12",), NodeSelection(True), [((), ("BN-1",))], id="auto to a node"),
        pytest.param(
            (), NodeSelection(False, frozenset({"BN-1"})), [(("BN-1",), ())], id="to auto"
        ),
        pytest.param((), NodeSelection(True), [], id="auto stays auto"),
        pytest.param(
            ("B4-12", "BN-1", "Backtest B4-12"),
            NodeSelection(False, frozenset({"BN-1"})),
            [],
            id="three references to one node",
        ),
        pytest.param(
            ("L-MICRO", "B4-12"),
            NodeSelection(False, frozenset({"BN-1"})),
            [(("BN-1",), ("BN-1", "LN-3"))],
            id="adds a node, sorted ids",
        ),
        pytest.param(
            (),
            NodeSelection(False, frozenset()),
            [((), ())],
            id="an explicit empty selection is not auto",
        ),
    ],
)
def test_node_selections_compare_the_auto_flag_and_the_active_set(
    refs: tuple[str, ...], selection: NodeSelection, expected: list[tuple[Any, Any]]
) -> None:
    result = plan(
        desired(entry("S/A", nodes=refs)), live(project(1, "S/A"), selections={1: selection})
    )
    assert [(c.before, c.after) for c in result.changes] == expected
    assert all(c.aspect == "nodes" and c.project_id == 1 for c in result.changes)


def test_a_new_project_with_nodes_gets_a_nodes_create_after_the_creates() -> None:
    result = plan(desired(entry("S/N", nodes=("B4-12",)), entry("S/M", nodes=())), live())
    # auto is where a new project starts: S/M has nothing to set.
    assert actions(result.changes) == [
        ("create", "S/M", None),
        ("create", "S/N", None),
        ("nodes", "S/N", None),
    ]
    nodes = result.changes[2]
    assert (nodes.action.value, nodes.before, nodes.after) == ("create", None, (B4.id,))
    assert result.nodes == (B4,)


def test_a_managed_node_selection_that_was_not_read_is_an_error_not_a_guess() -> None:
    with pytest.raises(PlanError, match="node selection of id 1 was not read"):
        plan(desired(entry("S/A", nodes=("B4-12",))), live(project(1, "S/A")))


def test_the_fingerprint_records_what_the_plan_saw() -> None:
    result = plan(
        desired(entry("S/A", description="new", nodes=("B4-12",))),
        live(
            project(1, "S/A", description="old", language="C#"),
            selections={1: NodeSelection(False, frozenset({"LN-3"}))},
        ),
    )
    expected = {
        "project": {
            "modified": "2024-01-02 03:04:05",
            "name": "S/A",
            "description": "old",
            "language": "C#",
        },
        "nodes": ("LN-3",),
    }
    assert [c.fingerprint for c in result.changes] == [expected, expected]


# --- ownership --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "deleted", "notes"),
    [
        pytest.param({"prune": True}, [], ["out of scope (no scope is set)"] * 3, id="no scope"),
        pytest.param(
            {"scope": ("S/",)},
            [],
            ["in scope S/, not declared, prune is off"] * 2,
            id="prune off",
        ),
        pytest.param(
            {"scope": ("S/",), "prune": True},
            ["S/Gone", "S/Live/Bot"],
            ["out of scope"],
            id="prune in scope",
        ),
        pytest.param(
            {"scope": ("S/",), "prune": True, "protect": ("S/Live/",)},
            ["S/Gone"],
            ["protected by S/Live/", "out of scope"],
            id="protect",
        ),
        pytest.param(
            {"scope": ("S/Gone",), "prune": True},
            ["S/Gone"],
            ["out of scope"] * 2,
            id="exact name scope",
        ),
    ],
)
def test_only_undeclared_unprotected_in_scope_projects_are_deleted_and_only_with_prune(
    settings: dict[str, Any], deleted: list[str], notes: list[str]
) -> None:
    result = plan(
        desired(entry("S/Kept"), **settings),
        live(
            project(1, "S/Kept"),
            project(2, "S/Gone"),
            project(3, "S/Live/Bot"),
            project(4, "Other/X"),
        ),
    )
    assert [c.name for c in result.changes if what(c) == "delete"] == deleted
    assert sorted(n.reason for n in result.notes) == sorted(notes)


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [
        ("S/A", "S/A", True),
        ("S/A", "S/", True),
        ("S/A/B", "S/", True),
        ("S", "S/", False),
        ("SX/A", "S/", False),
        ("S/AB", "S/A", False),
    ],
)
def test_patterns_are_exact_names_or_folder_prefixes(
    name: str, pattern: str, expected: bool
) -> None:
    assert matches_pattern(name, pattern) is expected


def test_in_scope_counts_the_organizations_live_projects_inside_scope() -> None:
    result = plan(
        desired(entry("S/A"), scope=("S/",)),
        live(project(1, "S/A"), project(2, "S/B"), project(3, "T/C")),
    )
    assert result.in_scope == 2


def test_a_change_on_a_project_with_live_trading_is_marked_live() -> None:
    result = plan(
        desired(entry("S/A", description="x")), live(project(1, "S/A", code_running=True))
    )
    assert result.changes[0].live is True


# --- order and names --------------------------------------------------------------------------


def test_changes_follow_renames_creates_updates_deletes_whatever_the_input_order() -> None:
    entries = [
        entry("S/A", description="d"),
        entry("S/B", id=2),
        entry("S/C"),
        entry("S/D", nodes=("B4-12",)),
    ]
    projects = [project(1, "S/A"), project(2, "S/Z"), project(4, "S/D"), project(5, "S/E")]
    expected = [
        ("update", "S/B", 2),
        ("create", "S/C", None),
        ("update", "S/A", 1),
        ("nodes", "S/D", 4),
        ("delete", "S/E", 5),
    ]
    for seed in range(5):
        random.Random(seed).shuffle(entries)
        random.Random(seed).shuffle(projects)
        result = plan(
            desired(
                *entries,
                scope=("S/",),
                prune=True,
                limits=Limits(3, 1.0),
            ),
            live(*projects, selections={4: NodeSelection(True)}),
        )
        assert actions(result.changes) == expected


def test_a_rename_that_takes_a_freed_name_waits_for_the_rename_that_frees_it() -> None:
    result = plan(
        desired(entry("S/B", id=1), entry("S/C", id=2)),
        live(project(1, "S/A"), project(2, "S/B")),
    )
    assert actions(result.changes) == [("update", "S/C", 2), ("update", "S/B", 1)]
    assert [len(s) for s in stages(result.changes, {})] == [1, 1]


def test_a_create_may_take_a_name_a_rename_frees() -> None:
    result = plan(desired(entry("S/B2", id=1), entry("S/B")), live(project(1, "S/B")))
    assert actions(result.changes) == [("update", "S/B2", 1), ("create", "S/B", None)]


@pytest.mark.parametrize(
    ("entries", "projects", "fragment"),
    [
        pytest.param(
            [entry("S/B", id=1), entry("S/A", id=2)],
            [project(1, "S/A"), project(2, "S/B")],
            "rename cycle: 'S/B' -> 'S/A'; 'S/A' -> 'S/B';",
            id="two-way cycle",
        ),
        pytest.param(
            [entry("S/B", id=1), entry("S/C", id=2), entry("S/A", id=3)],
            [project(1, "S/A"), project(2, "S/B"), project(3, "S/C")],
            "rename cycle:",
            id="three-way cycle",
        ),
        pytest.param(
            [entry("S/B", id=1)],
            [project(1, "S/A"), project(2, "S/B")],
            "cannot rename 'S/A' (id 1): project id 2 already has the name 'S/B'",
            id="rename onto an undeclared project",
        ),
        pytest.param(
            [entry("S/B", id=1), entry("S/B2", id=2)],
            [project(1, "S/A"), project(2, "s/b")],
            "",
            id="a name that differs in case is freed by its rename",
        ),
        pytest.param(
            [entry("S/b")],
            [project(1, "S/B")],
            "cannot create it: project id 1 already has the name 'S/B' (QuantConnect may "
            "quietly create 'S/b 1' instead)",
            id="create colliding in case",
        ),
    ],
)
def test_names_that_are_still_taken_when_a_change_runs_are_plan_errors(
    entries: list[DesiredProject], projects: list[LiveProject], fragment: str
) -> None:
    if not fragment:
        assert len(plan(desired(*entries), live(*projects)).changes) == 2
        return
    with pytest.raises(PlanError) as caught:
        plan(desired(*entries), live(*projects))
    assert fragment in str(caught.value)


def test_the_same_inputs_always_give_the_same_plan() -> None:
    d = desired(entry("S/A", description="x"), entry("S/N"), scope=("S/",), prune=True)
    state = live(project(1, "S/A"), project(2, "S/Old"))
    assert plan(d, state) == plan(d, state)


# --- targets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        pytest.param(("S/New",), [("create", "S/New", None)], id="desired name"),
        pytest.param(("S/Old",), [("update", "S/Renamed", 1)], id="live name before a rename"),
        pytest.param(("S/Renamed",), [("update", "S/Renamed", 1)], id="name after a rename"),
        pytest.param(("S/Gone",), [("delete", "S/Gone", 3)], id="a delete"),
        pytest.param(("S/Same",), [], id="an unchanged project"),
    ],
)
def test_targets_limit_the_plan_to_those_projects(
    targets: tuple[str, ...], expected: list[tuple[str, str, int | None]]
) -> None:
    result = plan(
        desired(
            entry("S/New"),
            entry("S/Renamed", renamed_from=("S/Old",)),
            entry("S/Same"),
            scope=("S/",),
            prune=True,
        ),
        live(project(1, "S/Old"), project(2, "S/Same"), project(3, "S/Gone")),
        PlanOptions(targets=targets),
    )
    assert actions(result.changes) == expected
    assert result.targets == targets
    assert result.unchanged == (1 if targets == ("S/Same",) else 0)


def test_an_unknown_target_is_an_error() -> None:
    with pytest.raises(PlanError, match="--target 'S/Typo' matches no declared project"):
        plan(desired(entry("S/A")), live(project(1, "S/A")), PlanOptions(targets=("S/Typo",)))


def test_a_target_on_the_old_name_takes_every_change_of_that_project() -> None:
    result = plan(
        desired(entry("S/New", renamed_from=("S/Old",), nodes=("B4-12",))),
        live(project(1, "S/Old"), selections={1: NodeSelection(True)}),
        PlanOptions(targets=("S/Old",)),
    )
    assert actions(result.changes) == [("update", "S/New", 1), ("nodes", "S/New", 1)]


# --- the Recycle Bin ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "entries"),
    [
        ({"scope": ("Strategies/",), "prune": True}, ()),  # no delete of the binned copy
        ({"scope": ("Recycle Bin/",), "prune": True}, ()),  # even a scope that names the bin
        ({}, (entry("Strategies/A"),)),  # its old name declared again: a new project
        ({"prune": True}, ()),  # not even "out of scope" in the notes
    ],
    ids=["prune", "bin-scope", "old-name", "notes"],
)
def test_binned_projects_are_never_matched_changed_deleted_or_listed(
    settings: dict[str, Any], entries: tuple[DesiredProject, ...]
) -> None:
    binned = project(7, "Recycle Bin/Strategies/A")
    result = plan(desired(*entries, **settings), live(binned, project(8, "Recycle Bin/x 1")))
    assert all(c.project_id not in (7, 8) for c in result.changes)
    assert all(n.project_id not in (7, 8) for n in result.notes)
    assert result.recycle_bin == 2
    assert result.in_scope == 0
    if entries:
        assert actions(result.changes) == [("create", "Strategies/A", None)]


def test_an_id_pinned_to_a_binned_project_is_an_error_naming_the_entry() -> None:
    binned = project(7, "Recycle Bin/Strategies/A")
    with pytest.raises(PlanError, match=r"q.yaml:3:5: Strategies/A: id 7 is in .*Recycle Bin"):
        plan(desired(entry("Strategies/A", line=3, id=7)), live(binned))


def test_a_target_naming_a_binned_project_matches_nothing() -> None:
    binned = project(7, "Recycle Bin/Strategies/A")
    with pytest.raises(PlanError, match="matches no declared project"):
        plan(desired(), live(binned), PlanOptions(targets=("Recycle Bin/Strategies/A",)))

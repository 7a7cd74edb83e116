"""The plan document (format 2): round trip, schema, refusal of bad or other-format documents;
summary counts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcsync.errors import PlanError
from qcsync.model import Limits, Node
from qcsync.plan import Action, Change, ConfigFile, JsonValue, Note, Plan, Summary, summary_counts
from qcsync.plandoc import plan_from_json, plan_to_json
from tests import changes as make

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text()
)

text = st.text(max_size=12)
node_ids = st.lists(st.text(min_size=1, max_size=6), max_size=3).map(tuple)
fields = st.dictionaries(st.sampled_from(["name", "description", "language"]), text, max_size=3)
project_fingerprints = st.fixed_dictionaries(
    {
        "modified": st.none() | st.just("2024-01-02 03:04:05"),
        "name": text,
        "description": text,
        "language": st.sampled_from(["Py", "C#"]),
    }
)


def _fingerprint(project: dict[str, JsonValue], nodes: tuple[str, ...] | None) -> JsonValue:
    return {"project": project} if nodes is None else {"project": project, "nodes": nodes}


fingerprints = st.builds(_fingerprint, project_fingerprints, st.none() | node_ids)
project_changes = st.builds(
    Change,
    aspect=st.just("project"),
    action=st.sampled_from(list(Action)),
    name=text,
    project_id=st.none() | st.integers(1, 10**9),
    before=st.none() | fields,
    after=st.none() | fields,
    reason=text,
    fingerprint=st.none() | fingerprints,
    live=st.booleans(),
)
node_changes = st.builds(
    Change,
    aspect=st.just("nodes"),
    action=st.just(Action.UPDATE),
    name=text,
    project_id=st.none() | st.integers(1, 10**9),
    before=node_ids,
    after=node_ids,
    reason=text,
    fingerprint=st.none() | fingerprints,
    live=st.booleans(),
)
changes = (project_changes | node_changes).filter(
    lambda c: c.project_id is None or c.fingerprint is not None
)
plans = st.builds(
    Plan,
    organization_id=text,
    changes=st.lists(changes, max_size=4).map(tuple),
    unchanged=st.integers(0, 1000),
    in_scope=st.integers(0, 1000),
    limits=st.builds(
        Limits,
        max_deletes=st.integers(0, 100),
        max_delete_fraction=st.floats(0, 1, allow_nan=False),
    ),
    nodes=st.lists(
        st.builds(
            Node,
            id=text,
            name=text,
            sku=text,
            kind=st.sampled_from(["backtest", "research", "live"]),
        ),
        max_size=2,
    ).map(tuple),
    notes=st.lists(
        st.builds(Note, name=text, project_id=st.integers(1, 10**9), reason=text), max_size=2
    ).map(tuple),
    targets=st.lists(text, max_size=2).map(tuple),
    config=st.lists(
        st.builds(
            ConfigFile, path=text, sha256=st.text("0123456789abcdef", min_size=64, max_size=64)
        ),
        max_size=2,
    ).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(plans)
def test_a_plan_survives_the_round_trip_through_json_text_and_matches_the_schema(
    plan: Plan,
) -> None:
    document = json.loads(json.dumps(plan_to_json(plan)))
    jsonschema.validate(document, SCHEMA)
    assert plan_from_json(document) == plan


def sample() -> dict[str, Any]:
    plan = Plan(
        "org",
        (
            Change(
                "nodes",
                Action.UPDATE,
                "S/A",
                1,
                (),
                ("BN-1",),
                "node selection differs",
                fingerprint={
                    "project": {
                        "modified": "2024-01-02 03:04:05",
                        "name": "S/A",
                        "description": "",
                        "language": "Py",
                    },
                    "nodes": (),
                },
            ),
        ),
        3,
    )
    return plan_to_json(plan)


def broken(path: list[str | int], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(sample())
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            broken(["format_version"], 3),
            "plan file: format_version 3 is not supported (this qcsync reads format_version 2); "
            "plan again with `qcsync plan -o PLANFILE` and review the new plan",
            id="newer version",
        ),
        pytest.param(
            broken(["format_version"], 1),
            "plan file: format_version 1 is not supported (this qcsync reads format_version 2); "
            "plan again with `qcsync plan -o PLANFILE` and review the new plan",
            id="a format 1 plan says to plan again",
        ),
        pytest.param(
            broken(["format_version"], KeyError),
            "plan file: format_version None is not supported (this qcsync reads format_version 2); "
            "plan again with `qcsync plan -o PLANFILE` and review the new plan",
            id="no version",
        ),
        pytest.param(broken(["changes"], KeyError), "plan file: missing 'changes'", id="missing"),
        pytest.param(
            broken(["changes", 0, "action"], "nodes"),
            "plan file.changes[0].action: expected one of 'create', 'update', 'delete'",
            id="unknown action",
        ),
        pytest.param(
            broken(["changes", 0, "aspect"], "recipes"),
            "plan file.changes[0].aspect: expected one of 'project', 'nodes', 'files', "
            "'parameters', 'libraries', 'collaborators'",
            id="unknown aspect",
        ),
        pytest.param(
            broken(["changes", 0, "project", "id"], "1"),
            "plan file.changes[0].project.id: expected an integer",
            id="string id",
        ),
        pytest.param(
            broken(["changes", 0, "after"], "BN-1"),
            "plan file.changes[0].after: expected null or a list of node ids",
            id="nodes after",
        ),
        pytest.param(
            broken(["changes", 0, "fingerprint", "recipes"], []),
            "plan file.changes[0].fingerprint: unknown aspect 'recipes'",
            id="fingerprint of an unknown aspect",
        ),
        pytest.param(
            broken(["changes", 0, "live"], 1),
            "plan file.changes[0].live: expected true or false",
            id="live flag",
        ),
        pytest.param(
            broken(["in_scope"], True),
            "plan file.in_scope: expected an integer",
            id="bool is not an integer",
        ),
        pytest.param(
            broken(["changes", 0, "project"], []),
            "plan file.changes[0].project: expected an object",
            id="project not an object",
        ),
    ],
)
def test_a_bad_or_newer_plan_document_is_refused_with_its_path(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(PlanError) as caught:
        plan_from_json(document)
    assert caught.value.problems == (message,)


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PlanError, match="not a JSON object"):
        plan_from_json([])  # type: ignore[arg-type]


def test_the_sample_document_reads_back() -> None:
    assert plan_from_json(sample()).changes[0].after == ("BN-1",)


@pytest.mark.parametrize(
    ("changes_", "expected"),
    [
        pytest.param((), Summary(0, 0, 0, 5), id="nothing"),
        pytest.param(
            (make.create("S/N"), make.nodes(None, "S/N", (), ("BN-1",))),
            Summary(1, 0, 0, 5, (("nodes", 1),)),
            id="a new project's nodes belong to its create",
        ),
        pytest.param(
            (
                make.update(1, "S/A", old_name="S/Z"),
                make.nodes(1, "S/A", (), ("BN-1",)),
                make.nodes(2, "S/B", (), ("BN-1",)),
            ),
            Summary(0, 2, 0, 5, (("project", 1), ("nodes", 2))),
            id="counted per project",
        ),
        pytest.param((make.delete(1, "S/A"),), Summary(0, 0, 1, 5), id="delete"),
    ],
)
def test_summary_counts_projects_with_node_changes_as_updates(
    changes_: tuple[Change, ...], expected: Summary
) -> None:
    assert summary_counts(Plan("org", changes_, 5)) == expected

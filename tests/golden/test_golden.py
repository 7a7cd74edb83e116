"""Golden plans: one directory per scenario, planned and rendered, compared with files on disk.

Each `tests/golden/<scenario>/` holds `desired.yaml`, `live.json` and either the expected
renderings (`expected.txt`, `expected.json`, `expected.md`) or `expected_error.txt`. Optional
`options.json`: `{"targets": [...]}`. Regenerate after a deliberate change with
`QCSYNC_UPDATE_GOLDEN=1 pytest tests/golden` and review the diff.

The YAML is read by a deliberately small loader here rather than by qcsync's config module, so
these tests pin the planner and renderers alone.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from deepdiff import DeepDiff

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
from qcsync.plandoc import plan_from_json
from qcsync.planner import PlanOptions, plan
from qcsync.render import render_json, render_markdown, render_text
from qcsync.safety import safety_violations

HERE = Path(__file__).resolve().parent
SCHEMA = json.loads((HERE.parent.parent / "schemas" / "plan.schema.json").read_text())
SCENARIOS = sorted(p.name for p in HERE.iterdir() if (p / "desired.yaml").is_file())
UPDATE = os.environ.get("QCSYNC_UPDATE_GOLDEN") == "1"


def load_desired(path: Path) -> DesiredState:
    text = path.read_text()
    doc: dict[str, Any] = yaml.safe_load(text)
    root = yaml.compose(text)
    assert isinstance(root, yaml.MappingNode)
    # Composed nodes carry the line and column of each entry, as the real config loader does.
    entries = next((v.value for k, v in root.value if k.value == "projects"), None) or []
    projects = []
    for entry, node in zip(doc.get("projects") or [], entries, strict=True):
        nodes = entry.get("nodes")
        projects.append(
            DesiredProject(
                name=entry["name"],
                location=Location(path.name, node.start_mark.line + 1, node.start_mark.column + 1),
                id=entry.get("id"),
                language=entry.get("language"),
                description=entry.get("description"),
                nodes=None if nodes is None else () if nodes == "auto" else tuple(map(str, nodes)),
                renamed_from=tuple(entry.get("renamed_from", ())),
            )
        )
    return DesiredState(
        projects=tuple(projects),
        files=(path.name,),
        organization=doc.get("organization"),
        scope=tuple(doc.get("scope", ())),
        prune=doc.get("prune", False),
        protect=tuple(doc.get("protect", ())),
        limits=Limits(**doc.get("limits", {})),
        default_language=doc.get("defaults", {}).get("language", "Py"),
    )


def load_live(path: Path) -> LiveState:
    doc = json.loads(path.read_text())
    org = doc["organization_id"]
    return LiveState(
        organization_id=org,
        projects=tuple(
            LiveProject(
                id=p["id"],
                name=p["name"],
                organization_id=p.get("organization_id", org),
                language=p.get("language", "Py"),
                description=p.get("description", ""),
                modified=datetime.strptime(
                    p.get("modified", "2024-01-02 03:04:05"), "%Y-%m-%d %H:%M:%S"
                ),
                code_running=p.get("code_running", False),
            )
            for p in doc["projects"]
        ),
        reads={
            "nodes": NodesRead(
                catalog=tuple(Node(**n) for n in doc.get("catalog", ())),
                selections={
                    int(k): NodeSelection(auto=v["auto"], active=frozenset(v.get("active", ())))
                    for k, v in doc.get("selections", {}).items()
                },
            )
        },
    )


def check(path: Path, actual: str) -> None:
    actual = actual.rstrip("\n") + "\n"
    if UPDATE:
        path.write_text(actual)
        return
    assert path.is_file(), f"{path} is missing; run with QCSYNC_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(), f"{path} differs"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_renders_as_its_golden_files(scenario: str) -> None:
    folder = HERE / scenario
    options_file = folder / "options.json"
    options = json.loads(options_file.read_text()) if options_file.is_file() else {}
    desired = load_desired(folder / "desired.yaml")
    live = load_live(folder / "live.json")
    try:
        result = plan(desired, live, PlanOptions(targets=tuple(options.get("targets", ()))))
    except PlanError as error:
        check(folder / "expected_error.txt", str(error))
        assert not (folder / "expected.json").exists(), "an error scenario has plan files"
        return
    assert not (folder / "expected_error.txt").exists(), (
        f"planned, but expected: {error_text(folder)}"
    )
    violations = safety_violations(result)
    check(folder / "expected.txt", render_text(result, violations=violations))
    check(folder / "expected.md", render_markdown(result, violations=violations))
    document = json.loads(render_json(result))
    jsonschema.validate(document, SCHEMA)
    assert plan_from_json(document) == result
    if not UPDATE and (folder / "expected.json").is_file():
        expected = json.loads((folder / "expected.json").read_text())
        assert not DeepDiff(expected, document), DeepDiff(expected, document).pretty()
    check(folder / "expected.json", render_json(result))


def error_text(folder: Path) -> str:
    return (folder / "expected_error.txt").read_text().strip()


def test_every_scenario_directory_is_picked_up() -> None:
    assert len(SCENARIOS) >= 20

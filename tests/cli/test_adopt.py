"""Adopting an existing account and running in CI (issue 6)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

from .conftest import Run, api
from .test_reconcile import org_projects

DESCRIPTIONS = [
    'He said "buy": then sold',
    "Ünïcødé — ✓ momentum",
    "line one\nline two: with colon\n",
    "costs $5 a month, ${NOT_A_VAR}",
    "",
]


def seed_varied_account(emulator: Any) -> None:
    """Folders, both languages, nodes set and auto, descriptions that are hard to quote."""
    ids = [
        emulator.add_project(f"Adopt/Folder {i % 2}/Project {i}", language=lang, description=text)
        for i, (lang, text) in enumerate(zip(["Py", "C#"] * 3, DESCRIPTIONS, strict=False))
    ]
    with api(emulator) as client:
        catalog = client.read_nodes(emulator.preferred_organization_id)
        by_kind = {n.kind: n for n in catalog}
        same_sku = [n for n in catalog if n.sku == "B2-8"]
        client.update_project_nodes(ids[0], [by_kind["backtest"].id, by_kind["live"].id])
        client.update_project_nodes(ids[1], [same_sku[0].id])
        client.update_project_nodes(ids[2], [])


def test_import_then_plan_reports_no_changes(qcsync: Run, emulator: Any, workdir: Path) -> None:
    seed_varied_account(emulator)
    result = qcsync("import", "-o", "imported.yaml")
    assert result.exit_code == 0, result.stderr
    text = (workdir / "imported.yaml").read_text(encoding="utf-8")
    assert "nodes: auto" in text
    assert qcsync("validate", "-f", "imported.yaml").exit_code == 0
    planned = qcsync("plan", "-f", "imported.yaml", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.stdout + planned.stderr
    assert "No changes" in planned.stdout


def test_import_with_a_prefix_scopes_the_config_to_it(
    qcsync: Run, emulator: Any, workdir: Path
) -> None:
    seed_varied_account(emulator)
    result = qcsync("import", "--prefix", "Adopt/Folder 1/", "-o", "folder.yaml")
    assert result.exit_code == 0, result.stderr
    document = yaml.safe_load((workdir / "folder.yaml").read_text(encoding="utf-8"))
    assert document["scope"] == ["Adopt/Folder 1/"]
    assert {p["name"] for p in document["projects"]} == {
        n for n in org_projects(emulator) if n.startswith("Adopt/Folder 1/")
    }
    assert qcsync("plan", "-f", "folder.yaml", "--detailed-exitcode").exit_code == 0


def test_import_twice_gives_identical_files(qcsync: Run, emulator: Any, workdir: Path) -> None:
    seed_varied_account(emulator)
    assert qcsync("import", "-o", "one.yaml").exit_code == 0
    assert qcsync("import", "-o", "two.yaml").exit_code == 0
    assert (workdir / "one.yaml").read_bytes() == (workdir / "two.yaml").read_bytes()


def test_import_refuses_to_overwrite_without_force(qcsync: Run, workdir: Path) -> None:
    (workdir / "qcsync.yaml").write_text("keep me", encoding="utf-8")
    refused = qcsync("import", "-o", "qcsync.yaml")
    assert refused.exit_code == 2
    assert (workdir / "qcsync.yaml").read_text(encoding="utf-8") == "keep me"
    assert qcsync("import", "-o", "qcsync.yaml", "--force").exit_code == 0
    assert "projects:" in (workdir / "qcsync.yaml").read_text(encoding="utf-8")


# --- the CI recipes ---------------------------------------------------------------------------

WORKFLOW = REPO / "examples" / "ci" / "github-actions.yml"
GITLAB = REPO / "examples" / "ci" / "gitlab-ci.yml"


def test_the_ci_examples_parse_as_yaml() -> None:
    github = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert set(github["jobs"]) == {"plan", "apply", "drift"}
    gitlab = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    assert {"validate", "plan", "apply", "drift"} <= set(gitlab)
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["entry"] == "qcsync validate"


# A pull request from this repository (not a fork): the condition the plan job's API steps carry.
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"


def runnable_steps(job: str) -> list[dict[str, Any]]:
    """The `run:` steps of a workflow job that run on a push or a same-repository pull request,
    installing qcsync aside (the test's own is used)."""
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"][job]["steps"]
    return [
        s
        for s in steps
        if "run" in s and "pip install" not in s["run"] and s.get("if", SAME_REPO) == SAME_REPO
    ]


def expand(value: object, values: dict[str, str]) -> str:
    """GitHub's `${{ ... }}` expansion of an `env:` value; an unknown expression fails the test."""
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: values[m.group(1)], str(value))


def run_steps(job: str, emulator: Any, workdir: Path, output: Path, flags: str = "") -> None:
    """Run a job's steps as GitHub would: each with the workflow's `env:` and its own, the
    expressions expanded; nothing else of the test's environment carries credentials."""
    values = {
        "secrets.QC_USER_ID": emulator.user_id,
        "secrets.QC_API_TOKEN": emulator.token,
        "inputs.flags": flags,
    }
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("QC_")}
    base.update(
        {
            "QC_API_URL": emulator.base_url,  # the one change: the emulator, not the service
            "HOME": str(workdir),  # no ~/.lean/credentials to fall back on
            "GITHUB_OUTPUT": str(output),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
            **{k: expand(v, values) for k, v in workflow["env"].items()},
        }
    )
    for step in runnable_steps(job):
        env = {**base, **{k: expand(v, values) for k, v in step.get("env", {}).items()}}
        # GitHub runs `run:` steps with `bash --noprofile --norc -eo pipefail`.
        subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workdir,
            env=env,
            check=True,
            timeout=120,
        )


@pytest.mark.usefixtures("qcsync")
def test_the_github_workflow_steps_work_against_the_emulator(
    emulator: Any, workdir: Path, write_config: Callable[..., Path]
) -> None:
    write_config(
        """
        version: 1
        scope: ["CI/"]
        projects:
          - name: CI/Momentum
            description: from the pull request
            nodes: [B4-12]
        """
    )
    output = workdir / "github_output"
    run_steps("plan", emulator, workdir, output)
    assert "exitcode=3" in output.read_text(encoding="utf-8")
    assert "CI/Momentum" in (workdir / "plan.md").read_text(encoding="utf-8")
    assert "CI/Momentum" not in org_projects(emulator)

    run_steps("apply", emulator, workdir, output)
    assert org_projects(emulator)["CI/Momentum"]["description"] == "from the pull request"

    run_steps("drift", emulator, workdir, output)  # no drift: exit 0
    with api(emulator) as client:
        client.update_project(
            org_projects(emulator)["CI/Momentum"]["projectId"], description="edited by hand"
        )
    with pytest.raises(subprocess.CalledProcessError) as drift:
        run_steps("drift", emulator, workdir, output)
    assert drift.value.returncode == 3

"""The CI recipes can't be turned against the account (issue 10): no `run:` line pastes in an
input or a secret, secrets reach only the steps that call the API, the flags input is
allow-listed, and the GitLab recipe's scripts run end to end against the emulator too."""

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

from .conftest import api
from .test_adopt import GITLAB, WORKFLOW, run_steps
from .test_reconcile import org_projects, write_endpoints

API_COMMANDS = re.compile(r"\bqcsync (plan|apply)\b")


def github_steps() -> list[tuple[str, dict[str, Any]]]:
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    return [(name, step) for name, job in jobs.items() for step in job["steps"]]


def gitlab_jobs() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    return {k: v for k, v in document.items() if isinstance(v, dict) and "script" in v}


def test_no_run_line_interpolates_an_input_or_a_secret() -> None:
    for job, step in github_steps():
        for text in (step.get("run", ""), str(step.get("with", {}).get("script", ""))):
            assert "${{" not in text, (job, step.get("name"), text)
    for job, spec in gitlab_jobs().items():
        for line in [*spec["script"], *spec.get("before_script", [])]:
            assert "$[[" not in line, (job, line)  # GitLab's inputs interpolation
            assert "QC_API_TOKEN" not in line, (job, line)


def test_github_secrets_reach_only_the_steps_that_call_the_api() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert "secrets." not in str(workflow.get("env", {}))
    assert "secrets." not in str({k: v.get("env") for k, v in workflow["jobs"].items()})
    calling = []
    for job, step in github_steps():
        has_secrets = "secrets." in str(step.get("env", {}))
        calls_api = bool(API_COMMANDS.search(step.get("run", "")))
        assert has_secrets == calls_api, (job, step.get("name"))
        if calls_api:
            calling.append(step["env"])
    assert calling
    assert all(set(env) >= {"QC_USER_ID", "QC_API_TOKEN"} for env in calling)


def test_github_tells_fork_pull_requests_in_one_line_and_plans_only_same_repo_ones() -> None:
    steps = [s for j, s in github_steps() if j == "plan"]
    notice = [s for s in steps if s.get("if", "").endswith("!= github.repository")]
    assert len(notice) == 1
    assert notice[0]["run"].count("\n") == 0
    assert "forks get no secrets" in notice[0]["run"]
    plan = next(s for s in steps if s.get("id") == "plan")
    assert plan["if"] == "github.event.pull_request.head.repo.full_name == github.repository"


def test_gitlab_secrets_are_scoped_to_the_jobs_that_call_the_api() -> None:
    jobs = gitlab_jobs()
    for name, spec in jobs.items():
        calls_api = any(API_COMMANDS.search(line) for line in spec["script"])
        has_environment = str(spec.get("environment", {}).get("name", "")).startswith(
            "quantconnect/"
        )
        assert calls_api == has_environment, name
    notice = jobs["fork-notice"]
    assert (
        "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID != $CI_MERGE_REQUEST_PROJECT_ID"
        in notice["rules"][0]["if"]
    )
    assert len(notice["script"]) == 1
    assert "forks get no QuantConnect credentials" in notice["script"][0]
    assert "scope `quantconnect/*`" in GITLAB.read_text(encoding="utf-8")


BLOCKED_CONFIG = """
    version: 1
    scope: ["CI/"]
    prune: true
    projects: []
"""


def seed_four(emulator: Any) -> None:
    for i in range(4):
        emulator.add_project(f"CI/Old {i}")


@pytest.mark.usefixtures("qcsync")
def test_the_flags_input_lifts_a_limit_only_with_an_allowed_flag(
    emulator: Any, workdir: Path, write_config: Callable[..., Path]
) -> None:
    seed_four(emulator)
    write_config(BLOCKED_CONFIG)
    output = workdir / "github_output"
    with pytest.raises(subprocess.CalledProcessError) as blocked:
        run_steps("apply", emulator, workdir, output)
    assert blocked.value.returncode == 4
    for hostile in ["$(touch pwned) --force", "--force; touch pwned", "--auto-approve", "*"]:
        emulator.clear_log()
        with pytest.raises(subprocess.CalledProcessError) as refused:
            run_steps("apply", emulator, workdir, output, flags=hostile)
        assert refused.value.returncode == 1
        assert not (workdir / "pwned").exists()
        assert write_endpoints(emulator) == []
        assert emulator.requests == []  # refused before any step called the API
    run_steps("apply", emulator, workdir, output, flags="--force")
    assert not [n for n in org_projects(emulator) if n.startswith("CI/")]


def gitlab_script(job: str) -> str:
    spec = gitlab_jobs()[job]
    return "\n".join(line for line in spec["script"])


def run_gitlab(job: str, emulator: Any, workdir: Path, flags: str = "") -> None:
    """A job's script as GitLab's shell runs it: one bash session, stopping at the first
    failure, with the recipe's variables and the job's environment-scoped credentials."""
    variables = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["variables"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QC_")}
    env.update(
        {k: v["value"] if isinstance(v, dict) else str(v) for k, v in variables.items()},
        QCSYNC_FLAGS=flags,
        QC_API_URL=emulator.base_url,
        HOME=str(workdir),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    )
    if "environment" in gitlab_jobs()[job]:
        env.update(QC_USER_ID=emulator.user_id, QC_API_TOKEN=emulator.token)
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", gitlab_script(job)],
        cwd=workdir,
        env=env,
        check=True,
        timeout=120,
    )


@pytest.mark.usefixtures("qcsync")
def test_the_gitlab_scripts_work_against_the_emulator(
    emulator: Any, workdir: Path, write_config: Callable[..., Path]
) -> None:
    write_config(
        """
        version: 1
        scope: ["CI/"]
        projects:
          - name: CI/Momentum
            description: from the merge request
        """
    )
    run_gitlab("validate", emulator, workdir)
    run_gitlab("plan", emulator, workdir)
    assert "CI/Momentum" in (workdir / "plan.md").read_text(encoding="utf-8")
    run_gitlab("apply", emulator, workdir)
    assert org_projects(emulator)["CI/Momentum"]["description"] == "from the merge request"
    run_gitlab("drift", emulator, workdir)
    with api(emulator) as client:
        client.update_project(
            org_projects(emulator)["CI/Momentum"]["projectId"], description="edited by hand"
        )
    with pytest.raises(subprocess.CalledProcessError) as drift:
        run_gitlab("drift", emulator, workdir)
    assert drift.value.returncode == 3


@pytest.mark.usefixtures("qcsync")
def test_the_gitlab_escape_hatch_takes_only_allowed_flags(
    emulator: Any, workdir: Path, write_config: Callable[..., Path]
) -> None:
    seed_four(emulator)
    write_config(BLOCKED_CONFIG)
    with pytest.raises(subprocess.CalledProcessError) as refused:
        run_gitlab("apply", emulator, workdir, flags="$(touch pwned) --force")
    assert refused.value.returncode == 1
    assert not (workdir / "pwned").exists()
    assert emulator.requests == []
    run_gitlab("apply", emulator, workdir, flags="--force")
    assert not [n for n in org_projects(emulator) if n.startswith("CI/")]

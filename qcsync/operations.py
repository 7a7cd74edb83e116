"""The workflows behind the commands, apart from the command line: plan a config against the
live state, check that an apply converged, describe what exists (`import`).

The command line (`qcsync/cli/`) parses flags, connects (the sandbox emulator is its to
start), calls one of these, renders and maps errors to exit codes; these never print and never
start an emulator. The
imperative shell around the pure core: each reads through the client, then asks planner,
importer or the aspects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qcsync.client import QCClient
from qcsync.codeimport import write_folders
from qcsync.concurrency import bounded_map
from qcsync.errors import ApiError, ApplyError, QcsyncError
from qcsync.importer import export_config, in_prefix
from qcsync.model import DesiredState, ProjectNodes
from qcsync.plan import PROJECT, Action, Plan, convergence_targets, what
from qcsync.planner import PlanOptions, plan
from qcsync.report import ApplyReport
from qcsync.state import read_everything, read_live_state


def plan_live(
    client: QCClient,
    desired: DesiredState,
    targets: Sequence[str],
    parallelism: int,
    known: Mapping[int, ProjectNodes] | None = None,
) -> Plan:
    """Read what `desired` needs of the live state, and plan."""
    live = read_live_state(client, desired, parallelism=parallelism, known=known)
    return plan(desired, live, PlanOptions(targets=tuple(targets)))


def with_file_counts(client: QCClient, planned: Plan, parallelism: int) -> Plan:
    """The plan with the file count of every project it deletes, for the reviewer. Best
    effort: a count that cannot be read is left out, never a reason to fail the plan."""
    ids = [
        c.project_id
        for c in planned.changes
        if c.aspect == PROJECT and c.action is Action.DELETE and c.project_id is not None
    ]
    if not ids:
        return planned
    try:
        counts = bounded_map(lambda pid: len(client.read_files(pid)), ids, parallelism)
    except ApiError:
        return planned
    return dataclasses.replace(planned, file_counts=dict(zip(ids, counts, strict=True)))


def converge(
    client: QCClient, desired: DesiredState, planned: Plan, report: ApplyReport, parallelism: int
) -> None:
    """After an apply: ApplyError (carrying the report) unless it was complete and a re-plan
    of the same config finds nothing left to do."""
    if not report.ok:
        raise ApplyError(report)
    try:
        # The node writes' answers say what they set: no need to read those again.
        known = report.node_answers()
        check = convergence_targets(planned)
        left = (
            plan_live(client, desired, check, parallelism, known).changes
            if check is not None
            else ()
        )
        problems = [f"{what(c)} {c.name}: {c.reason}" for c in left]
    except KeyboardInterrupt:
        raise ApplyError(
            dataclasses.replace(report, interrupted=True),
            "every change was applied; only the convergence check after it was "
            "interrupted\nrun `qcsync plan` to check that nothing is left to do",
        ) from None
    except QcsyncError as error:
        raise ApplyError(
            report,
            f"every change was applied; only the convergence check after it failed: "
            f"{error}\nrun `qcsync plan` to check that nothing is left to do",
        ) from None
    if problems:
        raise ApplyError(
            report,
            "every change was applied, but the account does not match yet; "
            "still pending:\n" + "\n".join(f"  {p}" for p in problems),
        )


def imported_config(
    client: QCClient,
    organization: str | None,
    prefix: str | None,
    parallelism: int,
    files: tuple[Path, Path, bool] | None = None,
) -> str:
    """The config that describes the organization's projects (under `prefix`) as they are.

    `files` (`import --files DIR`: DIR, the config's folder, --force): each project's code is
    written to DIR/<project name>/ and its entry manages it; without it no file is read."""
    org = organization or client.preferred_organization_id()
    projects = tuple(
        p
        for p in client.list_projects()
        if p.organization_id == org and in_prefix(p, prefix) and not p.binned
    )
    leave_out = () if files else ("files",)
    live = read_everything(client, org, projects, parallelism, leave_out)
    extra: dict[int, Mapping[str, Any]] = {}
    if files:
        root, config_dir, force = files
        extra = write_folders(live, projects, root, config_dir, force=force)
    return export_config(live, prefix, extra=extra)

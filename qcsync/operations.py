"""The workflows behind the commands, apart from the command line: `plan` (a config against
the live state, saved if asked), `apply` (a fresh or saved plan, through its checks, to a
report and a convergence check), `import` and `init --import` (what exists, as a config).

The command line (`qcsync/cli/`) parses flags, calls one of these, renders what it returns and
maps errors to exit codes. These never print, never prompt and never start an emulator: the
client comes from the `Connect` they are handed (the command line's, which may start the
sandbox), and an apply meets its user only through `ApplyHooks`. The imperative shell around
the pure core: each reads through the client, then asks planner, importer or the aspects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qcsync.apply import apply_plan, units
from qcsync.client import QCClient
from qcsync.codeimport import write_folders
from qcsync.concurrency import bounded_map
from qcsync.config import schema_text
from qcsync.configread import load_config, read_config, saved_plan_config
from qcsync.errors import ApiError, ApplyError, QcsyncError, SafetyError
from qcsync.importer import SCHEMA_FILE, export_config, in_prefix
from qcsync.interrupt import Interrupt
from qcsync.model import DesiredState, ProjectNodes
from qcsync.plan import PROJECT, Action, Plan, convergence_targets, what
from qcsync.planfile import read_plan_file, write_plan_file
from qcsync.planner import PlanOptions, plan
from qcsync.report import ApplyReport, ChangeResult
from qcsync.safety import safety_violations
from qcsync.savedplan import matching_fresh_plan
from qcsync.state import read_everything, read_live_state

Connect = Callable[[], AbstractContextManager[QCClient]]
"""Opens the client a workflow works through, once its local input has been read."""


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


# --- the commands' workflows --------------------------------------------------------------------


def plan_config(
    connect: Connect,
    paths: Sequence[str],
    environ: Mapping[str, str],
    targets: Sequence[str],
    parallelism: int,
    *,
    file_counts: bool,
    out: Path | None = None,
) -> Plan:
    """`qcsync plan`: the config planned against the live state and bound to the digests of
    its files; with the file count of each project it deletes if `file_counts`; saved to `out`
    if given."""
    desired, config = read_config(paths, environ)
    with connect() as client:
        result = dataclasses.replace(
            plan_live(client, desired, targets, parallelism), config=config
        )
        if file_counts:
            result = with_file_counts(client, result, parallelism)
    if out is not None:
        write_plan_file(out, result)
    return result


@dataclass(frozen=True)
class ApplyRequest:
    """What `qcsync apply` was asked to do: the config (`paths`), or a saved plan to apply
    exactly (`plan_file`, bound to the config it names), and the flags."""

    paths: tuple[str, ...]
    plan_file: Path | None
    targets: tuple[str, ...]
    parallelism: int
    force: bool
    allow_live: bool
    auto_approve: bool


@dataclass(frozen=True)
class ApplyHooks:
    """Where an apply meets its user; the command line's, since the workflow prints nothing."""

    show: Callable[[Plan], None]
    """A fresh plan (never a saved one: its user has reviewed it), before it is confirmed."""
    confirm: Callable[[], None]
    """Raises ApplyCancelled unless the user says yes; not called with --auto-approve."""
    progress: Callable[[int], Callable[[ChangeResult], None]]
    """Given how many changes apply will run, what is told of each as it finishes."""
    notice: Callable[[str], None]
    """The applier waiting for, or abandoning, changes in flight."""
    interrupts: Callable[[Interrupt], AbstractContextManager[object]]
    """While applying: how a request to stop (Ctrl-C) reaches `Interrupt.request`."""


@dataclass(frozen=True)
class Applied:
    plan: Plan
    report: ApplyReport | None  # None: the plan had nothing to do


def apply_config(
    connect: Connect, request: ApplyRequest, environ: Mapping[str, str], hooks: ApplyHooks
) -> Applied:
    """`qcsync apply`: plan afresh, check the limits, confirm, apply, and check that a re-plan
    finds nothing left (ApplyError, carrying the report, otherwise)."""
    # A saved plan is never applied as it is: the config it names (digests checked) is planned
    # afresh, and that plan is applied only if it equals the saved one.
    saved = read_plan_file(request.plan_file) if request.plan_file else None
    desired = (
        saved_plan_config(saved, request.paths, environ)
        if saved
        else load_config(request.paths, environ)
    )
    parallelism = request.parallelism
    with connect() as client:
        if saved is not None:
            planned = matching_fresh_plan(client, saved, desired, parallelism, request.targets)
        else:
            planned = plan_live(client, desired, request.targets, parallelism)
            # Worth a request per delete only when someone reviews it before saying yes.
            shown = (
                planned if request.auto_approve else with_file_counts(client, planned, parallelism)
            )
            hooks.show(shown)
        violations = safety_violations(planned, force=request.force, allow_live=request.allow_live)
        if violations:
            raise SafetyError(violations)
        if not planned.changes:
            return Applied(planned, None)
        if saved is None and not request.auto_approve:
            hooks.confirm()
        interrupt = Interrupt()
        with hooks.interrupts(interrupt):
            report = apply_plan(
                client,
                planned,
                parallelism=parallelism,
                on_result=hooks.progress(len(units(planned.changes))),
                interrupt=interrupt,
                on_notice=hooks.notice,
            )
        converge(client, desired, planned, report, parallelism)
        return Applied(planned, report)


def import_config(
    connect: Connect,
    organization: str | None,
    prefix: str | None,
    parallelism: int,
    files: tuple[Path, Path, bool] | None = None,
) -> str:
    """`qcsync import` and `init --import`: the account's projects as a config (see
    `imported_config`)."""
    with connect() as client:
        return imported_config(client, organization, prefix, parallelism, files)


def write_config(path: Path, text: str) -> Path:
    """The config, and beside it the schema its first line points editors at (replaced, since
    it belongs to this version of qcsync); the schema's path."""
    schema = path.parent / SCHEMA_FILE
    for target, content in ((path, text), (schema, schema_text())):
        try:
            target.write_text(content, encoding="utf-8")
        except OSError as error:
            raise QcsyncError(f"cannot write {target}: {error.strerror}") from None
    return schema

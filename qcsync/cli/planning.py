"""`plan` (show what apply would change, optionally saving it) and `show` (render a saved
plan)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qcsync.cli.connect import connect
from qcsync.cli.group import GlobalOptions, main, run
from qcsync.cli.options import (
    allow_live_option,
    config_option,
    force_option,
    parallelism_option,
    target_option,
)
from qcsync.cli.output import rendered
from qcsync.errors import ExitCode

if TYPE_CHECKING:
    from qcsync.plan import Plan

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).

_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)


@main.command("plan")
@config_option
@click.option(
    "-o",
    "--out",
    "plan_file",
    metavar="PLANFILE",
    type=click.Path(),
    help="Save the plan (JSON) for apply.",
)
@_format_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 3 when changes are pending.")
@click.option(
    "--compact", is_flag=True, help="Text: one line per change, then the counts per folder."
)
@target_option
@parallelism_option
@force_option
@allow_live_option
@click.pass_context
def plan_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    plan_file: str | None,
    fmt: str,
    detailed_exitcode: bool,
    compact: bool,
    targets: tuple[str, ...],
    parallelism: int,
    force: bool,
    allow_live: bool,
) -> None:
    """Show what apply would change, without changing anything."""
    from qcsync.operations import plan_config
    from qcsync.safety import safety_violations

    options: GlobalOptions = ctx.obj

    def operation() -> tuple[Plan, tuple[str, ...]]:
        result = plan_config(
            lambda: connect(options, parallelism),
            paths,
            os.environ,
            targets,
            parallelism,
            file_counts=fmt != "json",  # the JSON document has no place for them
            out=Path(plan_file) if plan_file else None,
        )
        return result, safety_violations(result, force=force, allow_live=allow_live)

    result, violations = run(ctx, operation)
    click.echo(rendered(result, fmt, options.color, violations, compact))
    if plan_file:
        click.echo(f"Saved the plan to {plan_file}.", err=True)
    if violations:
        sys.exit(int(ExitCode.BLOCKED))
    if detailed_exitcode and result.changes:
        sys.exit(int(ExitCode.CHANGES))


def _read_plan_file(path: str) -> Plan:
    from qcsync.planfile import read_plan_file

    return read_plan_file(Path(path))


@main.command()
@click.argument("plan_file", metavar="PLANFILE", type=click.Path())
@_format_option
@click.pass_context
def show(ctx: click.Context, plan_file: str, fmt: str) -> None:
    """Render a saved plan file."""
    from qcsync.safety import safety_violations

    options: GlobalOptions = ctx.obj
    saved = run(ctx, lambda: _read_plan_file(plan_file))
    click.echo(rendered(saved, fmt, options.color, safety_violations(saved)))

"""`apply`, and what it needs of a terminal: the confirmation prompt, one progress line per
finished change, and Ctrl-C asking the applier to stop instead of raising mid-change."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
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
from qcsync.cli.output import emit_report, rendered, say
from qcsync.errors import ApplyCancelled, QcsyncError

if TYPE_CHECKING:
    from qcsync.interrupt import Interrupt
    from qcsync.report import ChangeResult

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).


class _Progress:
    """One stderr line per finished change: `[3/12 4.1s] + create NAME: created (id 5) [0.3s]`,
    counting what apply runs (a new project with its content is one) and the time since the
    apply started."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._done = 0
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, result: ChangeResult) -> None:
        from qcsync.progress import progress_lines

        with self._lock:
            self._done += 1
            done, elapsed = self._done, time.monotonic() - self._started
        for line in progress_lines(result, done, self._total, elapsed):
            say(line, err=True)


@contextlib.contextmanager
def _ctrl_c_requests(interrupt: Interrupt) -> Iterator[None]:
    """While applying, Ctrl-C (SIGINT) asks the applier to stop instead of raising mid-change:
    the first stops new changes, the second abandons those in flight."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: interrupt.request())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise QcsyncError(
            "no terminal to confirm on: pass --auto-approve, or apply a saved plan file"
        )
    try:
        answer = click.prompt(
            "Apply these changes? Only 'yes' will be accepted",
            default="",
            show_default=False,
            err=True,
        )
    except click.Abort:  # click's name for Ctrl-C and Ctrl-D at a prompt
        click.echo("", err=True)  # end the prompt's line
        raise ApplyCancelled() from None
    if answer != "yes":
        raise ApplyCancelled()


@main.command()
@config_option
@click.argument("plan_file", metavar="[PLANFILE]", required=False, type=click.Path())
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@target_option
@parallelism_option
@force_option
@allow_live_option
@click.pass_context
def apply(
    ctx: click.Context,
    paths: tuple[str, ...],
    plan_file: str | None,
    auto_approve: bool,
    targets: tuple[str, ...],
    parallelism: int,
    force: bool,
    allow_live: bool,
) -> None:
    """Make QuantConnect match the config (or apply a saved PLANFILE exactly)."""
    from qcsync.operations import ApplyHooks, ApplyRequest, apply_config
    from qcsync.plan import summary_counts
    from qcsync.render import summary_line

    options: GlobalOptions = ctx.obj
    request = ApplyRequest(
        paths=paths,
        plan_file=Path(plan_file) if plan_file else None,
        targets=targets,
        parallelism=parallelism,
        force=force,
        allow_live=allow_live,
        auto_approve=auto_approve,
    )
    hooks = ApplyHooks(
        show=lambda plan: click.echo(rendered(plan, "text", options.color, ())),
        confirm=_confirm,
        progress=_Progress,
        notice=lambda notice: say(notice, err=True),
        interrupts=_ctrl_c_requests,
    )
    applied = run(
        ctx, lambda: apply_config(lambda: connect(options, parallelism), request, os.environ, hooks)
    )
    if applied.report is not None:
        emit_report(applied.report)
    elif plan_file:  # a plan on screen already ends with this line
        click.echo(summary_line(summary_counts(applied.plan)))

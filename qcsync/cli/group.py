"""`main`, the click group every command joins: the global options (given before the command
or after it) and `run`, which turns qcsync's errors into one-line messages and exit codes."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NoReturn, TypeVar

import click

from qcsync import __version__
from qcsync.cli.output import emit_report, log_to_stderr, say
from qcsync.errors import ApplyCancelled, ApplyError, ConfigError, ExitCode, QcsyncError

T = TypeVar("T")


@dataclass(frozen=True)
class GlobalOptions:
    api_url: str | None
    sandbox: bool
    no_color: bool
    debug: bool

    @property
    def color(self) -> bool:
        # no-color.org: NO_COLOR turns colour off only when it is set and not empty.
        return not self.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _fail(error: QcsyncError, debug: bool) -> NoReturn:
    if debug:
        traceback.print_exc()
    if isinstance(error, ApplyError):
        # The report is the message: what was applied, failed, not attempted, unknown.
        emit_report(error.report)
    lines = (
        [str(i) for i in error.issues]
        if isinstance(error, ConfigError)
        else str(error).splitlines()
    )
    if not lines and not isinstance(error, ApplyError):
        lines = [type(error).__name__]
    plain = isinstance(error, ConfigError | ApplyCancelled)
    for line in lines:
        say(line if plain else f"Error: {line}", err=True)
    sys.exit(int(error.exit_code))


def run(ctx: click.Context, operation: Callable[[], T]) -> T:
    """Run an operation, turning qcsync errors into one-line messages and exit codes."""
    options: GlobalOptions = ctx.obj
    try:
        return operation()
    except QcsyncError as error:
        _fail(error, options.debug)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:  # a bug: still one line, unless --debug asks for the traceback
        if options.debug:
            raise
        say(f"Error: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("Run again with --debug for the traceback.", err=True)
        sys.exit(int(ExitCode.ERROR))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--api-url", metavar="URL", help="QuantConnect API base URL (default: QC_API_URL).")
@click.option(
    "--sandbox", is_flag=True, help="Use the local emulator; state in .qcsync/sandbox.json."
)
@click.option("--no-color", is_flag=True, help="Never colour output (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Tracebacks and HTTP request logs (token redacted).")
@click.version_option(__version__, prog_name="qcsync")
@click.pass_context
def main(
    ctx: click.Context, api_url: str | None, sandbox: bool, no_color: bool, debug: bool
) -> None:
    """Manage QuantConnect cloud projects and their node assignments as code."""
    if debug:
        log_to_stderr()
    ctx.obj = GlobalOptions(api_url=api_url, sandbox=sandbox, no_color=no_color, debug=debug)


def _global_after_command(ctx: click.Context, param: click.Parameter, value: object) -> object:
    """A global option typed after the command (`qcsync plan --sandbox`), as people type them:
    it adds to what was given before the command; a later --api-url wins."""
    if value is None or value is False or param.name is None:
        return value
    ctx.obj = replace(ctx.obj, **{param.name: value})
    if param.name == "debug":
        log_to_stderr()
    return value


def global_params() -> list[click.Parameter]:
    """Fresh copies of the group's own options for one command (click shares no Parameter)."""

    def option(flag: str, is_flag: bool, help_text: str) -> click.Option:
        return click.Option(
            [flag],
            is_flag=is_flag,
            metavar=None if is_flag else "URL",
            expose_value=False,
            callback=_global_after_command,
            help=f"{help_text} (also before the command).",
        )

    return [
        option("--api-url", False, "QuantConnect API base URL"),
        option("--sandbox", True, "Use the local emulator"),
        option("--no-color", True, "Never colour output"),
        option("--debug", True, "Tracebacks and HTTP request logs"),
    ]

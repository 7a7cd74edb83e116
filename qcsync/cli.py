"""The command line: parses flags, runs one operation, renders, maps errors to exit codes.

This is the only module that prints (DESIGN.md §5). Results go to stdout; progress and
diagnostics go to stderr.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn, TypeVar

import click

from qcsync import __version__
from qcsync.errors import ConfigError, ExitCode, QcsyncError

T = TypeVar("T")

DEFAULT_CONFIG = "qcsync.yaml"


@dataclass(frozen=True)
class GlobalOptions:
    api_url: str | None
    sandbox: bool
    color: bool
    debug: bool


def _fail(error: QcsyncError, debug: bool) -> NoReturn:
    if debug:
        traceback.print_exc()
    lines = [str(i) for i in error.issues] if isinstance(error, ConfigError) else str(error).splitlines()
    for line in lines or [type(error).__name__]:
        click.echo(f"Error: {line}" if not isinstance(error, ConfigError) else line, err=True)
    sys.exit(int(error.exit_code))


def _run(ctx: click.Context, operation: Callable[[], T]) -> T:
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
        click.echo(f"Error: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("Run again with --debug for the traceback.", err=True)
        sys.exit(int(ExitCode.ERROR))


def _config_paths(paths: Sequence[str]) -> tuple[str, ...]:
    return tuple(paths) or (DEFAULT_CONFIG,)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--api-url", metavar="URL", help="QuantConnect API base URL (default: QC_API_URL).")
@click.option("--sandbox", is_flag=True, help="Use the local emulator; state in .qcsync/sandbox.json.")
@click.option("--no-color", is_flag=True, help="Never colour output (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Tracebacks and HTTP request logs (token redacted).")
@click.version_option(__version__, prog_name="qcsync")
@click.pass_context
def main(ctx: click.Context, api_url: str | None, sandbox: bool, no_color: bool, debug: bool) -> None:
    """Manage QuantConnect cloud projects and their node assignments as code."""
    color = not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="debug: %(message)s")
    ctx.obj = GlobalOptions(api_url=api_url, sandbox=sandbox, color=color, debug=debug)


@main.command()
@click.option("-f", "--file", "paths", multiple=True, metavar="PATH", help="Config file or directory.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Check config files without touching the network."""
    from qcsync.config import load_config

    desired = _run(ctx, lambda: load_config(_config_paths(paths), os.environ))
    files = len(desired.files)
    click.echo(
        f"{files} file{'s' if files != 1 else ''}, {len(desired.projects)} "
        f"project{'s' if len(desired.projects) != 1 else ''}: valid"
    )


@main.command()
def schema() -> None:
    """Print the config file's JSON Schema."""
    from qcsync.config import schema_text

    click.echo(schema_text(), nl=False)

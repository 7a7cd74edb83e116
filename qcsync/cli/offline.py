"""The commands that need no account: `validate`, `schema` and `emulator`."""

from __future__ import annotations

import os
import sys

import click

from qcsync.cli.group import main, run
from qcsync.cli.options import config_option

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).


@main.command()
@config_option
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Check config files without touching the network."""
    from qcsync.configread import load_config

    desired = run(ctx, lambda: load_config(paths, os.environ))
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


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def emulator(ctx: click.Context) -> None:
    """Run the local QuantConnect API emulator (see `qcsync emulator --help`)."""
    from qcsync.emulator.__main__ import main as emulator_main

    sys.exit(emulator_main(list(ctx.args), prog="qcsync emulator"))

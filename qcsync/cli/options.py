"""The flags several commands share (`-f`, `--target`, `--parallelism`, `--force`,
`--allow-live`), and the checks click runs on a flag's value before the command starts."""

from __future__ import annotations

import click

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).


def no_recycle_bin(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...] | str | None
) -> tuple[str, ...] | str | None:
    """A flag naming a project in the Recycle Bin is refused, naming the flag (DESIGN.md §1)."""
    from qcsync.config import recycle_bin_problem

    values = value if isinstance(value, tuple) else () if value is None else (value,)
    for item in values:
        problem = recycle_bin_problem(item)
        if problem:
            raise click.BadParameter(problem)
    return value


def valid_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A project name given as a flag follows the config's name rules (DESIGN.md §1), checked
    before anything else."""
    from qcsync.config import name_problem

    problem = name_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


config_option = click.option(
    "-f",
    "--file",
    "paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(),  # completes file names in the shell
    help="Config file or directory.",
)
target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    callback=no_recycle_bin,
    help="Limit the plan to this project (a saved plan's targets are given again to apply it).",
)
parallelism_option = click.option(
    "--parallelism",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Concurrent API requests.",
)
force_option = click.option("--force", is_flag=True, help="Lift the delete limits after review.")
allow_live_option = click.option(
    "--allow-live", is_flag=True, help="Allow changes to projects with live trading running."
)

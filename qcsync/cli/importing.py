"""`import` (a config for the projects that already exist) and `init` (a starter config, or
the account as it is), each written with the schema its first line points editors at."""

from __future__ import annotations

from pathlib import Path

import click

from qcsync.cli.connect import connect
from qcsync.cli.group import GlobalOptions, main, run
from qcsync.cli.options import no_recycle_bin, parallelism_option
from qcsync.cli.output import say
from qcsync.configread import DEFAULT_CONFIG

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).


def _write_config(path: Path, text: str) -> None:
    from qcsync.operations import write_config

    schema = write_config(path, text)
    say(f"Wrote {path} and {schema} (the schema its first line points editors at).", err=True)


def _imported(
    options: GlobalOptions,
    organization: str | None,
    prefix: str | None,
    parallelism: int,
    files: tuple[Path, Path, bool] | None = None,
) -> str:
    """`files`: `import --files DIR` (DIR, the config's folder, --force)."""
    from qcsync.operations import import_config

    return import_config(
        lambda: connect(options, parallelism), organization, prefix, parallelism, files
    )


@main.command("import")
@click.option(
    "--prefix",
    metavar="FOLDER/",
    callback=no_recycle_bin,
    help="Only projects under this folder; it becomes the scope.",
)
@click.option(
    "-o",
    "--out",
    "out_file",
    metavar="FILE",
    type=click.Path(),
    help="Write here instead of stdout.",
)
@click.option("--organization", metavar="ID", help="Organization id (default: the preferred one).")
@click.option("--force", is_flag=True, help="Overwrite an existing FILE.")
@click.option(
    "--files",
    "files_dir",
    metavar="DIR",
    help="Also write each project's code to DIR/<project name>/ and manage it (files:).",
)
@parallelism_option
@click.pass_context
def import_command(
    ctx: click.Context,
    prefix: str | None,
    out_file: str | None,
    organization: str | None,
    force: bool,
    files_dir: str | None,
    parallelism: int,
) -> None:
    """Write a config for the projects that already exist."""
    options: GlobalOptions = ctx.obj
    if prefix is not None and not prefix.endswith("/"):
        raise click.BadParameter("a folder prefix ends with '/'", param_hint="--prefix")
    if out_file and Path(out_file).exists() and not force:
        raise click.UsageError(f"{out_file} exists; pass --force to overwrite it")
    config_dir = Path(out_file).parent if out_file else Path()
    files = (Path(files_dir), config_dir, force) if files_dir else None
    text = run(ctx, lambda: _imported(options, organization, prefix, parallelism, files))
    if out_file:
        run(ctx, lambda: _write_config(Path(out_file), text))
    else:
        click.echo(text, nl=False)


@main.command()
@click.option(
    "-o",
    "--out",
    "out_file",
    metavar="FILE",
    default=DEFAULT_CONFIG,
    show_default=True,
    type=click.Path(),
    help="The config file to write.",
)
@click.option(
    "--import",
    "from_account",
    is_flag=True,
    help="Describe the account's current projects instead of a starter project.",
)
@click.option(
    "--prefix",
    metavar="FOLDER/",
    callback=no_recycle_bin,
    help="With --import: only projects under this folder; it becomes the scope.",
)
@click.option("--organization", metavar="ID", help="With --import: the organization id.")
@click.option("--force", is_flag=True, help="Overwrite an existing FILE.")
@parallelism_option
@click.pass_context
def init(
    ctx: click.Context,
    out_file: str,
    from_account: bool,
    prefix: str | None,
    organization: str | None,
    force: bool,
    parallelism: int,
) -> None:
    """Start a config: a starter qcsync.yaml (or, with --import, the account as it is) and the
    schema beside it, which the file's first line points editors at."""
    from qcsync.importer import STARTER

    options: GlobalOptions = ctx.obj
    if prefix is not None and not from_account:
        raise click.UsageError("--prefix goes with --import")
    if prefix is not None and not prefix.endswith("/"):
        raise click.BadParameter("a folder prefix ends with '/'", param_hint="--prefix")
    path = Path(out_file)
    if path.exists() and not force:
        raise click.UsageError(f"{out_file} exists; pass --force to overwrite it")
    if from_account:
        text = run(ctx, lambda: _imported(options, organization, prefix, parallelism))
    else:
        text = STARTER
    run(ctx, lambda: _write_config(path, text))
    sandbox = " --sandbox" if options.sandbox else ""
    say(f"Next: qcsync{sandbox} plan -f {out_file}", err=True)

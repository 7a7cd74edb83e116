"""`restore`: a deleted project back from the Recycle Bin or its backup, the files an apply
overwrote back from a files backup, or `--list` of the backups. The work is restore.py's and
filebackup.py's; this module parses the flags and says what happened."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

import click

from qcsync.cli.connect import connect
from qcsync.cli.group import GlobalOptions, main, run
from qcsync.cli.options import valid_name
from qcsync.cli.output import say

if TYPE_CHECKING:
    from qcsync.filebackup import FilesRestored
    from qcsync.restore import RestoreResult

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).


@main.command()
@click.argument("backup_file", metavar="BACKUP", required=False, type=click.Path())
@click.option(
    "--name", metavar="NAME", callback=valid_name, help="Restore under this name instead."
)
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="List the backups and whether each project is in the Recycle Bin.",
)
@click.pass_context
def restore(ctx: click.Context, backup_file: str | None, name: str | None, list_only: bool) -> None:
    """Bring a deleted project back: from QuantConnect's Recycle Bin by renaming it back (same
    id) while it is there, else recreated from its backup."""
    from qcsync.backup import read_backup
    from qcsync.restore import How, list_backups
    from qcsync.restore import restore as restore_backup

    options: GlobalOptions = ctx.obj
    if list_only:
        if backup_file or name:
            raise click.UsageError("--list takes no BACKUP and no --name")

        def listing() -> list[str]:
            with connect(options) as client:
                found = list_backups(client)
            return [
                f"{b.path}: {b.name} (id {b.project_id}), taken {b.taken_at}: {b.status}"
                if b.name
                else f"{b.path}: {b.status}"
                for b in found
            ]

        lines = run(ctx, listing)
        say("\n".join(lines) if lines else "No backups under .qcsync/backups/.")
        return
    if not backup_file:
        raise click.UsageError("give the BACKUP file to restore, or --list")
    path = Path(backup_file)
    if _is_files_backup(path):
        _restore_files(ctx, path, name)
        return

    def operation() -> RestoreResult:
        from qcsync.config.variables import api_tokens
        from qcsync.credentials import known_tokens

        document = read_backup(path)
        tokens = api_tokens(os.environ, known_tokens(os.environ))
        with connect(options) as client:
            return restore_backup(client, path, document, name=name, tokens=tokens)

    result = run(ctx, operation)
    for note in result.notes:
        say(f"Note: {note}", err=True)
    for warning in result.warnings:
        say(f"Warning: {warning}", err=True)
    project = result.project
    match result.how:
        case How.RECYCLE_BIN:
            say(
                f"Restored {project.name} from the Recycle Bin: project {project.id}, same id, "
                "so its backtests, live history and links are back too."
            )
        case How.RECREATED:
            again = " (finished a restore that had stopped part-way)" if result.resumed else ""
            say(
                f"Restored {project.name} as project {project.id} from the backup "
                f"({result.files} files){again}; the original was purged, so this is a new id."
            )
        case How.ALREADY:
            say(f"{project.name} is already restored (project {project.id}); nothing to do.")
        case _ as unreachable:
            assert_never(unreachable)


def _is_files_backup(path: Path) -> bool:
    """A backup of files an apply overwrote or deleted (`*.files.json`), not of a project."""
    return path.name.endswith(".files.json")


def _restore_files(ctx: click.Context, path: Path, name: str | None) -> None:
    from qcsync.filebackup import read_files_backup, restore_files

    options: GlobalOptions = ctx.obj
    if name is not None:
        raise click.UsageError("--name is for project backups; a files backup restores in place")

    def operation() -> FilesRestored:
        from qcsync.config.variables import api_tokens
        from qcsync.credentials import known_tokens

        backup = read_files_backup(path)
        tokens = api_tokens(os.environ, known_tokens(os.environ))
        with connect(options) as client:
            return restore_files(client, backup, str(path), tokens=tokens)

    result = run(ctx, operation)
    project = result.project
    restored = len(result.restored)
    say(
        f"Restored {restored} file{'s' if restored != 1 else ''} of {project.name} "
        f"(project {project.id}) from the backup"
        + (f"; {result.unchanged} already as backed up." if result.unchanged else ".")
    )
    for file_name in result.restored:
        say(f"  {file_name}")
    if result.backup is not None:
        say(f"What it overwrote is backed up in {result.backup}.")

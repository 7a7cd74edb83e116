"""The command line: parses flags, runs one operation, renders, maps errors to exit codes.

The only package that prints (DESIGN.md §5). Results go to stdout; progress and diagnostics
go to stderr. `group` holds `main` (the click group, the global options, the error mapping);
each command module adds its commands to it when it is imported, here.
"""

from __future__ import annotations

from qcsync.cli import applying, importing, offline, planning, restoring  # noqa: F401 (commands join `main` as they are imported)
from qcsync.cli.group import global_params, main

# Every command but `emulator` (which passes its arguments on) also takes the global options.
for _command in main.commands.values():
    if _command.name != "emulator":
        _command.params.extend(global_params())

__all__ = ["main"]

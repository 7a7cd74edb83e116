"""The command line: parses flags, runs one operation, renders, maps errors to exit codes.

The only package that prints (DESIGN.md §5). Results go to stdout; progress and diagnostics
go to stderr. `group` holds `main` (the click group, the global options, the error mapping);
each command module adds its commands to it when it is imported, here.

Start-up time: `import qcsync.cli` runs for every command, `--help` included, so the command
modules import at the top only click, the cli modules and light core modules; what a command
runs (the client, the config loader, the renderings, the operations) is imported inside the
function that runs it. Those function-level imports are deliberate, and
tests/unit/test_imports.py holds the heavy ones off.
"""

from __future__ import annotations

from qcsync.cli import applying, importing, offline, planning, restoring  # noqa: F401 (commands join `main` as they are imported)
from qcsync.cli.group import global_params, main

# Every command but `emulator` (which passes its arguments on) also takes the global options.
for _command in main.commands.values():
    if _command.name != "emulator":
        _command.params.extend(global_params())

__all__ = ["main"]

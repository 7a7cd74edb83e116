"""The command line for a qcsync child that a test will interrupt.

A process started in the background by a non-interactive shell inherits SIGINT ignored, and
Python then installs no KeyboardInterrupt handler; CI may well run the suite that way. The child
restores the default disposition before starting Python again, so Ctrl-C reaches it as a user's
would whatever started the test run.
"""

from __future__ import annotations

import sys

_RESTORE_CTRL_C = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'qcsync', *sys.argv[1:]])"
)


def qcsync_command(*args: str) -> list[str]:
    """`python -m qcsync ARGS` with Ctrl-C delivered as on a terminal."""
    return [sys.executable, "-c", _RESTORE_CTRL_C, *args]

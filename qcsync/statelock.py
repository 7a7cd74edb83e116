"""An exclusive lock on a local state file while one command uses it (the `--sandbox` state).

Two commands that load the same state, change it and write it back would each lose the other's
work; so the second is refused at once, naming the process that holds the lock, as Terraform
refuses a locked state. The lock is the operating system's (flock, or msvcrt on Windows), so it
goes away with the process that held it, even after a crash.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from qcsync.errors import QcsyncError


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def locked(state: Path) -> Iterator[None]:
    """Hold `STATE.lock` while the block runs; QcsyncError when another process holds it."""
    path = state.with_name(state.name + ".lock")
    try:
        handle = path.open("a+", encoding="utf-8")
    except OSError as error:
        raise QcsyncError(f"cannot lock {state}: {error.strerror or error}") from None
    with handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read(20).strip()
            by = f" (process {holder})" if holder.isdigit() else ""
            raise QcsyncError(
                f"{state} is in use by another qcsync command{by}; "
                "run this one when that one has finished"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield

"""Where backups go, so that no backup is ever overwritten by another.

Every run that writes backups (an apply; a restore that overwrites files or backs up a project
its journal names) writes them into a run folder of its own under the backup root, named for the
second it started in (`20261202T021000Z`). The folder is claimed by creating it: `mkdir`, which
fails when the name exists, so a second run in the same second (another apply, a restore, another
CI job on the same workspace) gets `20261202T021000Z-1`, the next `-2`, and never writes into the
first one's folder. Within a run each backup file is created the same way (O_EXCL) under a name
no file there has yet (`<id>-<name>.json`, else `<id>-<name>-1.json`…), so two backups never
share a path either; only a run's own files backup is rewritten in place as it grows
(filebackup.py). `restore --list` orders by the same numbering (`backup_order`).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from qcsync.errors import BackupError

_NUMBERED = re.compile(r"(.*)-([0-9]{1,9})")


def utc_now() -> datetime:
    """The one clock backups are named and stamped by (a test freezes it here)."""
    return datetime.now(UTC)


def run_folder_name(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def numbered(name: str, n: int) -> str:
    """`name` with `-n` before its extension (everything from its first dot): the n-th other
    choice when `name` is taken. `numbered(name, 0)` is `name`."""
    if n == 0:
        return name
    stem, dot, extension = name.partition(".")
    return f"{stem}-{n}{dot}{extension}"


def claim(directory: Path, name: str, create: Callable[[Path], None]) -> Path:
    """The first of `name`, `numbered(name, 1)`, `numbered(name, 2)`… in `directory` that
    `create` makes: `create` must fail with FileExistsError when the path exists (exclusive
    creation is what makes the path this caller's and no one else's). Other OSErrors go up."""
    n = 0
    while True:
        path = directory / numbered(name, n)
        try:
            create(path)
        except FileExistsError:
            n += 1
            continue
        return path


def _make_folder(path: Path) -> None:
    path.mkdir()  # no exist_ok: a folder that exists is another run's


def _make_file(path: Path) -> None:
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def claim_run_directory(root: Path, now: datetime) -> Path:
    """A new, empty run folder under `root` for the second of `now`, created here, so no other
    run's backups go into it; OSError when it can't be made."""
    root.mkdir(parents=True, exist_ok=True)
    return claim(root, run_folder_name(now), _make_folder)


def reserve_file(directory: Path, name: str) -> Path:
    """A path in `directory` no file had: `name`, or `name` numbered, created empty here
    (O_EXCL), for the caller to replace atomically with the backup; OSError when it can't be."""
    return claim(directory, name, _make_file)


class RunFolder:
    """The backup folder of one run, claimed at its first backup (a run that backs nothing up
    leaves no folder) and then the same for every backup of the run; shared by its worker
    threads."""

    def __init__(self, root: Path, now: datetime | None = None) -> None:
        self.root = root
        self.now = now if now is not None else utc_now()
        self._guard = threading.Lock()
        self._path: Path | None = None

    @property
    def path(self) -> Path | None:
        """The folder, once claimed; None: nothing was backed up in this run."""
        return self._path

    def claim(self) -> Path:
        """The run's folder, claimed now if this is its first backup; BackupError when it
        can't be made."""
        with self._guard:
            if self._path is None:
                try:
                    self._path = claim_run_directory(self.root, self.now)
                except OSError as error:
                    raise BackupError(
                        f"cannot make a backup folder under {self.root}: {error.strerror or error}"
                    ) from None
            return self._path


def _order(name: str) -> tuple[str, int, str]:
    stem, _, extension = name.partition(".")
    match = _NUMBERED.fullmatch(stem)
    if match is None:
        return stem, 0, extension
    return match[1], int(match[2]), extension


def backup_order(path: Path) -> tuple[tuple[str, int, str], tuple[str, int, str]]:
    """How `restore --list` orders backups: oldest run first (the folders' names are UTC times,
    so their text order is their time order), a numbered run after its base and `-10` after
    `-2`, and within a run a numbered backup after the one whose name it took. A name that only
    looks numbered (a project called `v-2`) only moves in the listing."""
    return _order(path.parent.name), _order(path.name)

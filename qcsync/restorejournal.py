"""The journal of a restore that recreates a project: `BACKUP.restoring`, beside the backup.

Written before the create (`project_id: null`), again once the create's answer names the
project, and marked `done` at the end, so that a restore that stopped part-way says what it
created, a rerun finishes that project instead of refusing on the name it took, and a rerun
after the end says it is already restored. It is a file anyone beside the backup can write:
restore.py trusts it only for a project that still carries the target name in the backup's
organization, and backs up whatever it would overwrite there first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qcsync.datafile import DataFileError, read_json
from qcsync.errors import BackupError

JOURNAL_SUFFIX = ".restoring"


def journal_path(backup: Path) -> Path:
    return backup.with_name(backup.name + JOURNAL_SUFFIX)


def read_journal(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        # Bounded like every data file: a hand-made journal must not end in RecursionError.
        document = read_json(path, "a qcsync restore journal", max_bytes=4096)
    except DataFileError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise BackupError(f"{path} is not a qcsync restore journal; delete it and run again")
    return document


def write_journal(path: Path, document: Mapping[str, Any]) -> None:
    try:
        temp = path.with_name(path.name + ".tmp")
        temp.write_text(json.dumps(dict(document), sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError as error:
        raise BackupError(
            f"cannot write the restore journal {path}: {error.strerror}; nothing was restored"
        ) from None

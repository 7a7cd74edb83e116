"""How the files aspect writes one file: the lock, the backup, then files/create|update|delete.

Split from files.py so that the diff and its renderings stay apart from the I/O. The rules of
issue 11 hold for every write: a lost answer is read back (a create is resent only when the read
shows it did not land), a read that can't tell makes the outcome unknown, and nothing is called
applied that a read contradicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from qcsync.aspects.base import Execution, UnknownOutcome, confirmed
from qcsync.errors import ApiError, BackupError, QcsyncError
from qcsync.plan import Action, Change, JsonValue


def _text(value: JsonValue) -> str | None:
    if isinstance(value, Mapping):
        content = value.get("content")
        return content if isinstance(content, str) else None
    return None


def _lock(run: Execution, project_id: int) -> None:
    """The collaboration lock, once per project and apply, before its first file write."""
    if run.file_backups is None:
        raise QcsyncError("no apply state for the collaboration lock, so no file was written")
    try:
        run.file_backups.once(("lock", project_id), lambda: run.client.acquire_lock(project_id))
    except QcsyncError as error:
        raise QcsyncError(
            f"acquiring the collaboration lock failed, so no file was written: {error}"
        ) from None


def _backup(run: Execution, change: Change, project_id: int, old: str) -> None:
    if run.file_backups is None:
        raise BackupError("no backup folder for this apply, so the file was not overwritten")
    run.file_backups.save(project_id, change.name, change.key or "", old)


def _content_now(run: Execution, project_id: int, name: str) -> str | None:
    files = run.client.read_files(project_id)
    return next((f.content for f in files if f.name == name and not f.is_library), None)


def write_file(run: Execution, change: Change, project_id: int, *, shared: bool) -> str:
    """Make one file change; returns what the report says, raises when it did not happen."""
    client = run.client
    name = change.key or ""
    if not name:
        raise QcsyncError("a files change without a file name")
    if shared:
        _lock(run, project_id)
    old = _text(change.before)
    if old is not None:
        _backup(run, change, project_id, old)
    new = _text(change.after)
    match change.action:
        case Action.CREATE:
            client.create_file(project_id, name, new or "")
            return f"file {name} created"
        case Action.UPDATE:
            content = new or ""
            if content == "":
                # The API refuses `content: ""`: an emptied file is deleted and created again.
                _delete(run, project_id, name, missing_ok=old is None)
                client.create_file(project_id, name, "")
                return f"file {name} emptied"
            confirmed(
                client,
                lambda: client.update_file(project_id, name, content),
                lambda: _content_now(run, project_id, name) == content,
            )
            return f"file {name} updated"
        case Action.DELETE:
            _delete(run, project_id, name, missing_ok=old is None)
            return f"file {name} deleted"
        case _ as unreachable:
            assert_never(unreachable)


def _delete(run: Execution, project_id: int, name: str, *, missing_ok: bool) -> None:
    """files/delete; a lost answer is read back by the client. `missing_ok`: a new project's
    default file, which may not exist (the service decides what a new project starts with)."""
    try:
        run.client.delete_file(project_id, name)
    except ApiError as error:
        if type(error) is not ApiError or not missing_ok:
            raise
        try:
            there = _content_now(run, project_id, name) is not None
        except QcsyncError as read_error:
            raise UnknownOutcome(f"{error}; reading the files failed too ({read_error})") from None
        if there:
            raise

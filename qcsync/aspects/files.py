"""The `files` aspect: a project's code, kept equal to a folder (`files:` in an entry).

DESIGN.md §1.1: the folder's files (codefolder.py: extensions, skipped folders, `exclude`,
UTF-8, size) are the whole truth for the project's files that the same rules manage; library
files (`isLibrary`) and cloud files the rules would never upload are left alone. One change per
file: `create` (not in the cloud), `update` (the text differs other than in line endings),
`delete` (a managed cloud file the folder lacks). A change's `before` and `after` carry the
content and the sha256 of its bytes, so a saved plan is self-contained and `show` can render
its diffs; `before` is null for a new project's default files, whose content the plan can't
know.

Reads: the folder of every entry that declares `files:` (a config error before any request
that writes if it is missing, empty, or holds a file that is not UTF-8 or too large), and one
`files/read` per live project those entries could match, concurrently. An encrypted project
or a file over the project's own quota (`maxFileSize`) is a plan error. Writes: the old
content goes into the apply's backup first (if that fails, nothing is overwritten); a project
with collaborators, or one this plan gives its first, gets the collaboration lock before its
first write (qc-api.md §4.7; needs_lock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, assert_never

from qcsync import textdiff
from qcsync.aspects.base import (
    BadValue,
    Diff,
    Executed,
    Execution,
    FromBackup,
    Mapper,
    Section,
    Subject,
    read_of,
)
from qcsync.aspects.collaborators import NAME as COLLABORATORS
from qcsync.aspects.filewrite import write_file
from qcsync.codefolder import (
    MAX_FILE_BYTES,
    FilesSpec,
    manages,
    same_text,
    sha256_text,
    spec_of,
)
from qcsync.errors import ApiError, QcsyncError
from qcsync.model import DesiredProject, Language, LiveProject, LiveState, LocalFile, ProjectFile
from qcsync.plan import Action, Change, JsonValue, Plan

if TYPE_CHECKING:
    from qcsync.client import QCClient

NAME: Final = "files"
CODE_SOURCE: Final = "qcsync"
# What projects/create puts in a new project (qc-api.md §4.1).
DEFAULT_FILES: Final[Mapping[str, tuple[str, ...]]] = {
    "Py": ("main.py", "research.ipynb"),
    "C#": ("Main.cs", "Research.ipynb"),
}
# Diff lines a text rendering shows per file, and characters in all (the renderings may lower both).
DIFF_LINES: Final = 80
DIFF_CHARS: Final = 200_000


@dataclass(frozen=True)
class FilesRead:
    """The cloud files of the projects read, and why a project's files/read was refused (an
    encrypted project refuses it)."""

    cloud: Mapping[int, tuple[ProjectFile, ...]] = field(default_factory=dict)
    unreadable: Mapping[int, str] = field(default_factory=dict)


def _file_value(text: str, sha256: str | None = None) -> JsonValue:
    return {"sha256": sha256 or sha256_text(text), "content": text}


def _text(value: JsonValue) -> str | None:
    if isinstance(value, Mapping):
        content = value.get("content")
        return content if isinstance(content, str) else None
    return None


class FilesAspect:
    name: Final = NAME
    noun: Final = "files"

    def declared(self, entry: DesiredProject) -> bool:
        return spec_of(entry) is not None

    def read(
        self,
        client: QCClient,
        organization_id: str,
        entries: Sequence[DesiredProject],
        project_ids: Sequence[int],
        map_: Mapper,
        known: Mapping[int, object],
    ) -> object:
        answers: list[tuple[ProjectFile, ...] | str] = map_(
            lambda pid: _read_files(client, pid), project_ids
        )
        pairs = list(zip(project_ids, answers, strict=True))
        cloud = {pid: a for pid, a in pairs if isinstance(a, tuple)}
        unreadable = {pid: a for pid, a in pairs if isinstance(a, str)}
        return FilesRead(cloud, unreadable)

    # --- diff -----------------------------------------------------------------------------------

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        spec = spec_of(subject.entry)
        read = read_of(live, NAME, FilesRead)
        if spec is None or read is None:
            return Diff()
        where = f"{subject.where}: files"
        local = subject.entry.code
        if local is None:
            return Diff(problems=(f"{where}: the folder {spec.written} was not read",))
        project = subject.project
        reason = f"folder {spec.written} differs"
        if project is None:
            language = subject.entry.language or subject.desired.default_language
            return Diff(_new_project(subject.entry.name, language, local, spec, reason))
        if project.encrypted:
            return Diff(
                problems=(
                    f"{where}: project id {project.id} is encrypted, so its code can't be "
                    "read or compared; remove files: from this entry or decrypt the project",
                )
            )
        if project.id in read.unreadable:
            return Diff(problems=(f"{where}: files/read failed: {read.unreadable[project.id]}",))
        cloud = read.cloud.get(project.id)
        if cloud is None:
            return Diff(problems=(f"{where}: the files of id {project.id} were not read",))
        problems = [
            f"{where}: {f.name} is {len(f.content.encode()):,} bytes, over this project's "
            f"quota of {project.max_file_size:,} bytes per file (maxFileSize)"
            for f in local
            if project.max_file_size and len(f.content.encode("utf-8")) > project.max_file_size
        ]
        changes = file_changes(subject.entry.name, project.id, local, cloud, spec.exclude, reason)
        return Diff(changes, tuple(problems))

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        read = read_of(live, NAME, FilesRead)
        files = None if read is None else read.cloud.get(project.id)
        if files is None:
            return None
        own = {f.name: sha256_text(f.content) for f in files if not f.is_library}
        return {"shared": project.shared, "files": own}

    # --- show -----------------------------------------------------------------------------------

    def verb(self, change: Change) -> str:
        return NAME

    def show(self, change: Change, plan: Plan) -> list[str]:
        name = change.key or "?"
        before, after = _text(change.before), _text(change.after)
        match change.action:
            case Action.CREATE:
                head = f"+ file {name}"
                lines = textdiff.unified("", after or "")
            case Action.UPDATE:
                head = f"~ file {name}"
                if before is None:
                    head += " (replaces the new project's default file)"
                    lines = textdiff.unified("", after or "")
                else:
                    lines = textdiff.unified(before, after or "")
                    if not lines and after == "":
                        lines = ["# emptied: deleted and created again without content"]
            case Action.DELETE:
                head = f"- file {name}"
                if before is None:
                    return [f"{head} (a new project's default file the folder lacks)"]
                added, removed = textdiff.added_removed(textdiff.unified(before, ""))
                return [f"{head} ({removed} line{'s' if removed != 1 else ''})"]
            case _ as unreachable:
                assert_never(unreachable)
        added, removed = textdiff.added_removed(lines)
        budget = textdiff.current_budget(DIFF_LINES, DIFF_CHARS)
        kept, left = budget.take(lines)
        shown = [f"{head} (+{added} -{removed})", *("  " + line for line in kept)]
        if left:
            shown.append("  " + textdiff.omitted_note(left))
        return shown

    def waits_for(self, change: Change) -> str | None:
        return None

    def live_risk(self, change: Change) -> str:
        return ""  # a running algorithm keeps the code it was deployed with

    def value(self, raw: object) -> JsonValue:
        if raw is None:
            return None
        if (
            not isinstance(raw, Mapping)
            or set(raw) != {"sha256", "content"}
            or not isinstance(raw["content"], str)
            or not isinstance(raw["sha256"], str)
        ):
            raise BadValue("expected null or an object with sha256 and content strings")
        return {"sha256": raw["sha256"], "content": raw["content"]}

    # --- execute --------------------------------------------------------------------------------

    def execute(self, run: Execution, change: Change) -> Executed:
        pid = run.project_id(change)
        return Executed(write_file(run, change, pid, shared=needs_lock(run, change)), pid)

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        read = read_of(live, NAME, FilesRead)
        files = {} if read is None else {f.name: f for f in read.cloud.get(project.id, ())}
        name = change.key or ""
        now = files.get(name)
        match change.action:
            case Action.CREATE | Action.UPDATE:
                want = _text(change.after)
                if now is None:
                    return [f"file {name} is missing"]
                if want is not None and now.content != want:
                    return [f"file {name} does not hold the planned content"]
                return []
            case Action.DELETE:
                return [f"file {name} is still there"] if now is not None else []
            case _ as unreachable:
                assert_never(unreachable)

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        return {}  # `import --files DIR` writes the folders and their entries (importer.py)

    # --- backup ---------------------------------------------------------------------------------

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        read = read_of(live, NAME, FilesRead)
        files = None if read is None else read.cloud.get(project.id)
        if files is None:
            why = None if read is None else read.unreadable.get(project.id)
            raise QcsyncError(f"files/read failed: {why}" if why else "its files were not read")
        # Library files belong to another project; restoring them would fork the library.
        return [
            {"name": f.name, "content": f.content}
            for f in sorted(files, key=lambda f: f.name)
            if not f.is_library
        ]

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        return restored  # a file's text names nothing else in the organization

    def from_backup(self, section: Section, where: str) -> FromBackup:
        if not isinstance(section, list):
            return FromBackup(problems=(f"{where}: files: expected a list of files",))
        problems: list[str] = []
        seen: set[str] = set()
        code: list[LocalFile] = []
        for index, item in enumerate(section):
            name = item.get("name") if isinstance(item, Mapping) else None
            content = item.get("content") if isinstance(item, Mapping) else None
            if not isinstance(name, str) or not isinstance(content, str):
                problems.append(f"{where}: files[{index}]: expected name and content strings")
                continue
            bad = _backed_up_file_problem(name, content, seen)
            if bad:
                problems.append(f"{where}: files[{index}] {name!r}: {bad}")
            seen.add(name)
            code.append(LocalFile(name, content, sha256_text(content)))
        if problems:
            return FromBackup(problems=tuple(problems))
        # The backup stands where a config's folder would: `files:` names it in messages.
        return FromBackup({"code": tuple(code)}, {NAME: where})


def _backed_up_file_problem(name: str, content: str, seen: set[str]) -> str | None:
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in name.split("/")):
        return "not a relative file path"
    if any(not c.isprintable() for c in name):
        return "the name has a control character"
    if name in seen:
        return "listed twice"
    if len(content.encode("utf-8")) > MAX_FILE_BYTES:
        return f"over {MAX_FILE_BYTES} bytes, QuantConnect's largest file"
    return None


def _read_files(client: QCClient, project_id: int) -> tuple[ProjectFile, ...] | str:
    try:
        return client.read_files(project_id)
    except ApiError as error:
        if type(error) is not ApiError:  # transport and authentication failures stop the plan
            raise
        return str(error)


def needs_lock(run: Execution, change: Change) -> bool:
    """Whether a file write needs the collaboration lock: its project had collaborators when
    the plan read it (the fingerprint), or this plan adds one. That add runs in the same stage
    as the writes, so it may land before any of them, and from then on a write without the lock
    is refused; taking the lock first holds whichever lands first. A new project's files are
    written in its create's unit before its collaborators are added (aspect order), unshared."""
    fingerprint = (change.fingerprint or {}).get(NAME)
    if isinstance(fingerprint, Mapping) and fingerprint.get("shared") is True:
        return True
    if change.project_id is None:
        return False
    return any(
        c.aspect == COLLABORATORS and c.action is Action.CREATE
        for c in run.changes_to(change.project_id)
    )


def file_changes(
    project: str,
    project_id: int,
    local: Sequence[LocalFile],
    cloud: Sequence[ProjectFile],
    exclude: Sequence[str],
    reason: str,
) -> tuple[Change, ...]:
    """Per file: create what the cloud lacks, update what differs (not in line endings only),
    delete the managed cloud files the folder lacks; sorted by file name. Pure."""
    theirs = {f.name: f for f in cloud if not f.is_library and manages(f.name, exclude)}
    library = {f.name for f in cloud if f.is_library}
    changes: list[Change] = []
    for file in local:
        if file.name in library:
            continue  # a linked library's file of that name is never touched
        old = theirs.get(file.name)
        after = _file_value(file.content, file.sha256)
        if old is None:
            changes.append(
                Change(NAME, Action.CREATE, project, project_id, None, after, reason, file.name)
            )
        elif not same_text(old.content, file.content):
            before = _file_value(old.content)
            changes.append(
                Change(NAME, Action.UPDATE, project, project_id, before, after, reason, file.name)
            )
    wanted = {f.name for f in local}
    for name, old in theirs.items():
        if name not in wanted:
            before = _file_value(old.content)
            changes.append(
                Change(NAME, Action.DELETE, project, project_id, before, None, reason, name)
            )
    return tuple(sorted(changes, key=lambda c: c.key or ""))


def _new_project(
    project: str, language: Language, local: Sequence[LocalFile], spec: FilesSpec, reason: str
) -> tuple[Change, ...]:
    """A new project's files: projects/create makes the default files, so a folder file of such
    a name is an update and a default file the folder lacks is a delete (not counted against
    max_file_deletes: nothing anyone wrote is lost)."""
    defaults = [n for n in DEFAULT_FILES.get(language, ()) if manages(n, spec.exclude)]
    changes: list[Change] = []
    for file in local:
        after = _file_value(file.content, file.sha256)
        action = Action.UPDATE if file.name in defaults else Action.CREATE
        changes.append(Change(NAME, action, project, None, None, after, reason, file.name))
    wanted = {f.name for f in local}
    for name in defaults:
        if name not in wanted:
            changes.append(Change(NAME, Action.DELETE, project, None, None, None, reason, name))
    return tuple(sorted(changes, key=lambda c: c.key or ""))


def counted_deletes(changes: Sequence[Change]) -> int:
    """File deletes that count against limits.max_file_deletes: those of a file someone wrote
    (a new project's default files carry no `before`)."""
    return sum(
        1
        for c in changes
        if c.aspect == NAME and c.action is Action.DELETE and c.before is not None
    )


FILES: Final = FilesAspect()

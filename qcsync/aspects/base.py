"""The Aspect protocol and the values an aspect works with (the registry is in __init__.py).

An aspect owns one part of a project (`project`: name, description, language; `nodes`: the
node selection; later files, parameters, libraries, collaborators) from end to end:

| step            | method        | who calls it                                            |
| config          | `declared`    | state (read only what entries declare), planner         |
| read (I/O)      | `read`        | state.read_live_state, the stale and convergence checks |
| diff (pure)     | `diff`        | planner                                                 |
| fingerprint     | `fingerprint` | planner (saved in the plan), apply's stale check        |
| show            | `verb`/`show` | render (text, Markdown), the apply report               |
| order           | `waits_for`   | planorder, apply's stages (a link to a new library)     |
| safety          | `live_risk`   | safety (the LIVE guard)                                 |
| plan file       | `value`       | planfile (reads `before`/`after` back, checked)         |
| execute (I/O)   | `execute`     | apply, restore                                          |
| converged?      | `verify`      | apply's convergence check for a saved plan              |
| import          | `export`      | importer (the entry fields that describe a project)     |
| backup          | `backed_up`   | backup (its section of a project's backup document)     |
| restore         | `from_backup` | restore (its section checked, as entry fields)          |
| restore         | `available`   | restore (what the organization still has; its warnings) |

The planner keeps what is about projects as wholes (identity, ownership, prune, targets, order)
and asks each aspect for its changes; nothing outside an aspect's module knows its values. Every
method but `read` and `execute` is pure; those two do their I/O only through the client and the
`map` function they are given, so no aspect module imports anything that does I/O. A backup is
each aspect's `read` of one project, then its `backed_up`; a restore is each aspect's
`from_backup`, then its `available` against the organization as read (a backed-up node or
library the organization no longer has is left out, with a warning), then a plan of those entry
fields against the restored project, executed and re-planned like an apply (restore.py).

`ASPECTS` is looked up at call time (`registered()`), so a test can register another aspect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from qcsync.errors import AmbiguousWriteError, QcsyncError
from qcsync.model import DesiredProject, DesiredState, LiveProject, LiveState
from qcsync.plan import Change, JsonValue, Plan
from qcsync.report import FIND_OUT

if TYPE_CHECKING:
    from pathlib import Path

    from qcsync.client import QCClient
    from qcsync.filebackup import FileBackups

T = TypeVar("T")
R = TypeVar("R")

# `map` over the project ids an aspect reads, bounded by --parallelism (concurrency.bounded_map).
Mapper = Callable[[Callable[[int], Any], Sequence[int]], list[Any]]


@dataclass(frozen=True)
class Subject:
    """One config entry and the live project it matched (None: the plan creates it)."""

    entry: DesiredProject
    project: LiveProject | None
    desired: DesiredState
    why_renamed: str = ""  # why a changed name is a rename (id pinned, renamed_from)

    @property
    def where(self) -> str:
        return f"{self.entry.location}: {self.entry.name}"


@dataclass(frozen=True)
class Diff:
    """An aspect's changes for one entry, and the problems that make the plan impossible.

    `footnotes` go after every problem of the plan, once however many entries give them (the
    node catalogue that unknown references are checked against: long in a big organization)."""

    changes: tuple[Change, ...] = ()
    problems: tuple[str, ...] = ()
    footnotes: tuple[str, ...] = ()


@dataclass
class Execution:
    """What executing a change may use: the client, the organization, the ids of the projects
    created so far in this apply (a new project's content follows its create) and the backup
    taken before anything is deleted."""

    client: QCClient
    organization_id: str
    take_backup: Callable[[LiveProject], Path]
    created: dict[str, int] = field(default_factory=dict)
    # Backups taken, by project id: the report names a backup even when the delete then fails.
    backups: dict[int, Path] = field(default_factory=dict)
    # The organization's projects as read once at the start of a stage with deletes (not once
    # per delete): what each delete checks for live trading and the Recycle Bin. A string: why
    # that read failed.
    listed: dict[int, LiveProject] | str = field(default_factory=dict)
    # The files aspect's: where old file contents are saved before a write, and the projects
    # whose collaboration lock this apply holds (filebackup.py).
    file_backups: FileBackups | None = None
    # The plan's changes: an aspect whose write depends on another aspect's change to the same
    # project, which may run beside it in one stage, looks here (changes_to).
    changes: Sequence[Change] = ()
    _by_project: dict[int, list[Change]] | None = field(default=None, init=False, repr=False)

    def listed_project(self, project_id: int) -> LiveProject:
        if isinstance(self.listed, str):
            raise QcsyncError(
                f"reading the projects before deleting failed ({self.listed}); not deleted"
            )
        project = self.listed.get(project_id)
        if project is None:
            raise QcsyncError(f"project {project_id} no longer exists; nothing to delete")
        return project

    def backup(self, project: LiveProject) -> Path:
        path = self.take_backup(project)
        self.backups[project.id] = path
        return path

    def changes_to(self, project_id: int) -> Sequence[Change]:
        """The plan's changes to a live project, in plan order (indexed once: a worker thread
        that builds it beside another builds the same index)."""
        if self._by_project is None:
            index: dict[int, list[Change]] = {}
            for change in self.changes:
                if change.project_id is not None:
                    index.setdefault(change.project_id, []).append(change)
            self._by_project = index
        return self._by_project.get(project_id, ())

    def project_id(self, change: Change) -> int:
        if change.project_id is not None:
            return change.project_id
        pid = self.created.get(change.name)
        if pid is None:
            raise QcsyncError("its project was not created")
        return pid


@dataclass(frozen=True)
class Executed:
    message: str
    project_id: int | None = None
    backup: Path | None = None
    # Things the user must know besides the outcome (a duplicate qcsync made and removed).
    notes: tuple[str, ...] = ()
    # What the service answered the write with, when that says what the aspect now is (a node
    # write's selection): the convergence re-plan takes it as `known` instead of reading again.
    answer: object = None


class UnknownOutcome(QcsyncError):
    """A change that was sent, whose outcome neither an answer nor a read could tell."""


def confirmed(client: QCClient, write: Callable[[], T], landed: Callable[[], bool]) -> T | None:
    """Send a write; if its answer was lost, read back whether it landed, for as long as a slow
    write may take to land (client.settled).

    Returns the write's answer, or None when it was lost and a read shows the write landed;
    raises QcsyncError (failed) when a read shows it did not happen,
    UnknownOutcome when that read fails too. An aspect's `execute` sends each write through it.
    """
    try:
        return write()
    except AmbiguousWriteError as error:
        try:
            happened = client.settled(landed)
        except QcsyncError as read_error:
            raise UnknownOutcome(
                f"{error}; reading back whether it happened failed too ({read_error}); {FIND_OUT}"
            ) from None
        if not happened:
            raise QcsyncError(f"{error}; a read afterwards shows it did not happen") from None
        return None


def sent_or_there(
    client: QCClient, what: str, write: Callable[[], object], landed: Callable[[], bool]
) -> str:
    """Send an add-or-remove write of `what` (`collaborator mia-ai`); its refusal is no failure
    when a read shows the result is there (a retry after a lost answer is refused as "already
    linked"). A failure names `what`, since the service's message may not."""
    try:
        confirmed(client, write, landed)
    except QcsyncError as error:
        try:
            there = landed()
        except QcsyncError:
            there = False
        if there:
            return f" (the service answered {error}, but a read shows it done)"
        if isinstance(error, UnknownOutcome):
            raise UnknownOutcome(f"{what}: {error}") from None
        raise QcsyncError(f"{what}: {error}") from None
    return ""


# One section of a backup document (JSON data: dicts, lists, strings, numbers, booleans, None).
Section: TypeAlias = Any


@dataclass(frozen=True)
class FromBackup:
    """An aspect's backup section, checked (every problem at once, each naming the backup file
    and the field): the entry that asks for it back on a restored project, as DesiredProject
    fields (`description`, `nodes`, `code`, ...) and keys of the entry as written
    (`parameters: {...}`). `labels`: how a notice names a value restore may have to leave out
    (a backed-up node the organization no longer has). `warnings`: what `available` left out,
    one line each, as the restore prints them after "Warning: "."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    written: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


class BadValue(Exception):
    """A plan file's `before` or `after` that is not a value of its aspect ("expected ...")."""


class Aspect(Protocol):
    """One part of a project, from config to API call. See the module docstring."""

    @property
    def name(self) -> str:
        """The aspect's name in plan files and counts."""
        ...

    @property
    def noun(self) -> str:
        """What a user calls this part of a project in a sentence ("its node selection")."""
        ...

    def declared(self, entry: DesiredProject) -> bool:
        """Whether the entry manages this aspect; an aspect nobody declares is never read."""
        ...

    def read(
        self,
        client: QCClient,
        organization_id: str,
        entries: Sequence[DesiredProject],
        project_ids: Sequence[int],
        map_: Mapper,
        known: Mapping[int, object],
    ) -> object:
        """What the aspect needs to know of the live projects `project_ids` (the ones `entries`,
        all of which declare it, could match); stored in LiveState.reads under its name.
        `known`: answers already in hand by project id (an apply's writes); an aspect uses those
        of its own kind instead of reading again."""
        ...

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        """The changes that make the live project's aspect what the entry declares. Pure."""
        ...

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        """What the plan read of this aspect of a live project; None when it read nothing."""
        ...

    def verb(self, change: Change) -> str:
        """The word a rendering heads the change with (`create`, `rename`, `nodes`, ...)."""
        ...

    def show(self, change: Change, plan: Plan) -> list[str]:
        """The lines a rendering shows for the change (`field: before -> after`), unstyled."""
        ...

    def waits_for(self, change: Change) -> str | None:
        """The name of a project this plan creates that the change needs made first (a link to
        a new library names it, its id being learnt at its create); None for most changes."""
        ...

    def live_risk(self, change: Change) -> str:
        """What the change would do to a running live deployment; "" when it leaves it alone."""
        ...

    def value(self, raw: object) -> JsonValue:
        """A `before` or `after` read back from a plan file; BadValue when it is not one."""
        ...

    def execute(self, run: Execution, change: Change) -> Executed:
        """Make the change through the client; QcsyncError when it did not happen."""
        ...

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        """Why the re-read live project does not show the applied change; [] when it does."""
        ...

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        """The config fields that describe this aspect of a live project (for `qcsync import`)."""
        ...

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        """This aspect's section of the project's backup (stored under its name), from what its
        `read` of the project gave; None: it keeps nothing. QcsyncError when that read holds
        nothing for the project (the backup, and so the delete, fails)."""
        ...

    def from_backup(self, section: Section, where: str) -> FromBackup:
        """Its section of a backup read from `where` (None: absent, as in a backup made before
        the aspect existed), checked without trusting it, as the entry fields that restore it."""
        ...

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        """Its checked section without what the organization no longer has (as `live`, read
        for the restored project, shows it), with a warning for each value left out; most
        aspects return it as it is. Called before any write of the project's content. Pure."""
        ...


class InProjectsRead:
    """For an aspect whose live value comes with `projects/read` (parameters, libraries,
    collaborators): it is declared by its own key in the entry as written, makes no read of its
    own, and remembers only which projects the plan read for it, which decides which
    fingerprints hold it (`was_read`). A subclass sets `name`."""

    @property
    def name(self) -> str:
        raise NotImplementedError

    def declared(self, entry: DesiredProject) -> bool:
        return self.name in entry.written

    def read(
        self,
        client: QCClient,
        organization_id: str,
        entries: Sequence[DesiredProject],
        project_ids: Sequence[int],
        map_: Mapper,
        known: Mapping[int, object],
    ) -> object:
        return frozenset(project_ids)  # projects/read carried it: nothing to ask

    def was_read(self, project: LiveProject, live: LiveState) -> bool:
        """Whether the plan read this aspect of `project` (its fingerprint holds it)."""
        read = live.reads.get(self.name)
        return isinstance(read, frozenset) and project.id in read


def read_of(live: LiveState, aspect: str, kind: type[T]) -> T | None:
    """An aspect's own read from the live state, typed; None when it was not read."""
    value = live.reads.get(aspect)
    return value if isinstance(value, kind) else None

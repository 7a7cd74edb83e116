"""Frozen value types shared by every stage: what the user wants and what the cloud has.

`Desired*` values come from config files; `Live*` values come from the API. This module holds
data only: no I/O, no parsing of YAML or JSON (config.py and client.py own those).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Language = Literal["Py", "C#"]
LANGUAGES: tuple[Language, ...] = ("Py", "C#")

NodeKind = Literal["backtest", "research", "live"]
NODE_KINDS: tuple[NodeKind, ...] = ("backtest", "research", "live")

# `nodes: auto` in YAML; the API's empty selection (autoSelectNode: true).
AUTO = "auto"

MODIFIED_FORMAT = "%Y-%m-%d %H:%M:%S"  # the service's own format, so fingerprints compare as text

# QuantConnect moves a deleted project to this folder, same id, and purges it after 30 days
# (qc-api.md §4.4). Projects there belong to nobody: qcsync never plans, lists or targets them.
RECYCLE_BIN = "Recycle Bin/"
RECYCLE_BIN_DAYS = 30

# Library projects live in this folder; a project links only those (qc-api.md §4.10).
LIBRARY_FOLDER = "Library/"


def in_recycle_bin(name: str) -> bool:
    """Compared without case, like every name check qcsync makes before writing."""
    return name.casefold().startswith(RECYCLE_BIN.casefold())


@dataclass(frozen=True)
class Location:
    """Where a value was written: file, 1-based line and 1-based column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# --- desired state (config) -------------------------------------------------------------------


@dataclass(frozen=True)
class LocalFile:
    """A file of a `files:` folder: its name in the project, its text, the sha256 of its bytes."""

    name: str
    content: str
    sha256: str


@dataclass(frozen=True)
class DesiredProject:
    """One `projects:` entry. `None` in a field means the entry leaves it unmanaged."""

    name: str
    location: Location
    id: int | None = None
    language: Language | None = None
    description: str | None = None
    # None: node selection unmanaged; (): `auto`; otherwise node references (id, name or SKU).
    nodes: tuple[str, ...] | None = None
    renamed_from: tuple[str, ...] = ()
    # The entry as written (variables expanded), for an aspect that reads a key of its own.
    written: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # The files of its `files:` folder, read with the config (config/codescan.py); None when
    # it declares none or the folder was not read.
    code: tuple[LocalFile, ...] | None = field(default=None, compare=False, hash=False)
    # Where the entry's lists and mappings and their items were written, by path inside the
    # entry (("libraries",), ("libraries", 0), ("parameters", "lookback")): plan errors about
    # one item name its own line.
    places: Mapping[tuple[str | int, ...], Location] = field(
        default_factory=dict, compare=False, hash=False
    )

    def place(self, *path: str | int) -> Location:
        """Where the value at `path` inside the entry was written (else the entry itself)."""
        for end in range(len(path), 0, -1):
            found = self.places.get(path[:end])
            if found is not None:
                return found
        return self.location


@dataclass(frozen=True)
class Limits:
    max_deletes: int = 3
    max_delete_fraction: float = 0.3
    max_file_deletes: int = 10  # file deletes in one plan (DESIGN.md §1.1)


@dataclass(frozen=True)
class DesiredState:
    """The merged, validated content of every config file."""

    projects: tuple[DesiredProject, ...]
    files: tuple[str, ...] = ()
    organization: str | None = None  # None: the account's preferred organization
    scope: tuple[str, ...] = ()  # exact names, or folder prefixes ending in "/"
    prune: bool = False
    protect: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    default_language: Language = "Py"


# --- live state (API) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A node of the organization. `id` is what the API takes; `name` and `sku` are for people."""

    id: str
    name: str
    sku: str
    kind: NodeKind

    @property
    def label(self) -> str:
        return f"{self.name} ({self.sku})" if self.name != self.sku else self.sku


@dataclass(frozen=True)
class NodeSelection:
    """A project's node selection: `auto` (the API's autoSelectNode) or exactly `active` ids."""

    auto: bool
    active: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Parameter:
    """One project parameter as the API holds it: both sides are strings (qc-api.md §4.10a)."""

    key: str
    value: str


@dataclass(frozen=True)
class LibraryLink:
    """A library project linked to a project (`Project.libraries`, qc-api.md §4.10)."""

    project_id: int
    name: str = ""


@dataclass(frozen=True)
class Collaborator:
    """Someone on a project, by public id (qc-api.md §4.7); the owner is one of them."""

    public_id: str
    write: bool
    live_control: bool
    owner: bool = False
    name: str = ""


@dataclass(frozen=True)
class LiveProject:
    id: int
    name: str
    organization_id: str
    language: str
    description: str
    modified: datetime | None
    code_running: bool = False
    parameters: tuple[Parameter, ...] = ()
    libraries: tuple[LibraryLink, ...] = ()
    collaborators: tuple[Collaborator, ...] = ()
    encrypted: bool = False
    max_file_size: int | None = None  # bytes per file; newer payloads only (qc-api.md §4.8)

    @property
    def shared(self) -> bool:
        """Has collaborators besides its owner: file writes then need the collaboration lock."""
        return any(not c.owner for c in self.collaborators)

    @property
    def binned(self) -> bool:
        """In QuantConnect's Recycle Bin: deleted, purged after 30 days, restorable till then."""
        return in_recycle_bin(self.name)


@dataclass(frozen=True)
class ProjectNodes:
    """A `projects/nodes/read|update` answer: the organization's catalogue and this selection."""

    catalog: tuple[Node, ...]
    selection: NodeSelection


@dataclass(frozen=True)
class ProjectFile:
    name: str
    content: str
    modified: datetime | None = None
    is_library: bool = False


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    preferred: bool = False


@dataclass(frozen=True)
class LiveState:
    """What the planner reads: one organization's projects, and what each aspect read of them
    (under the aspect's name; only aspects that some entry declares are read)."""

    organization_id: str
    projects: tuple[LiveProject, ...]
    reads: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedProject:
    """What a create made: the project, and how it is known."""

    project: LiveProject
    found_by_read: bool = False  # the answer was lost; a read found the project
    resent: bool = False  # an attempt's answer was lost, no read found it, so it was sent again
    copies: tuple[LiveProject, ...] = ()  # duplicates (`NAME 1`) the attempts made

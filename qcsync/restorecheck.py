"""A backup checked for `qcsync restore`, whole, before the first write. Pure.

Restore keeps identity, as the planner does: which project the backup is (`project.id`), in
which organization, under which name (`--name`, else the backup's, by the config's name rules)
and, for a create, in which language.
Everything else is the aspects': each checks its own section (`from_backup`) and turns it into
the entry fields that ask for it back, and later leaves out what the organization no longer
has (`available`, with a warning for each). Every problem of every section is listed at once, each
naming the backup file and the field; nothing in a backup decides on its own what may be
touched (restore.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from qcsync.aspects import aspect_named, registered
from qcsync.aspects.base import FromBackup
from qcsync.config import name_problem
from qcsync.errors import BackupError
from qcsync.model import (
    LANGUAGES,
    RECYCLE_BIN,
    DesiredProject,
    DesiredState,
    LiveState,
    Location,
)


@dataclass(frozen=True)
class Wanted:
    """A backup checked for restore: who the project is, and what each aspect asks for."""

    project_id: int | None  # the deleted project's id, to find it in the Recycle Bin
    original_name: str
    name: str  # the name to restore under: --name, else the original
    organization_id: str
    language: str  # the create's: fixed once the project exists
    where: str  # the backup file, for messages
    sections: tuple[tuple[str, FromBackup], ...] = ()  # by aspect name, in registry order

    @property
    def fields(self) -> Mapping[str, Any]:
        return {k: v for _, s in self.sections for k, v in s.fields.items()}

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for _, s in self.sections for w in s.warnings)

    def available(self, live: LiveState) -> Wanted:
        """Each aspect's section without what the organization no longer has (`available`),
        with the warnings for what it left out."""
        sections = tuple(
            (name, aspect.available(section, live) if aspect is not None else section)
            for name, section in self.sections
            for aspect in (aspect_named(name),)
        )
        return dataclasses.replace(self, sections=sections)

    def entry(self, project_id: int) -> DesiredProject:
        """The backup as one config entry, its id pinned to the restored project."""
        written = {k: v for _, s in self.sections for k, v in s.written.items()}
        return DesiredProject(
            name=self.name,
            location=Location(self.where, 1, 1),
            id=project_id,
            written=written,
            **self.fields,
        )

    def desired(self, project_id: int) -> DesiredState:
        entry = self.entry(project_id)
        return DesiredState(projects=(entry,), organization=self.organization_id)


def check_backup(
    document: Mapping[str, Any], name: str | None, where: str, tokens: Collection[str] = ()
) -> Wanted:
    """Everything restore needs, validated; BackupError lists every problem at once.
    `tokens`: the API tokens no value of it may hold (config.variables.api_tokens)."""
    meta = document.get("project")
    meta = meta if isinstance(meta, Mapping) else {}
    problems = holding_token(document, tokens)
    project_id = meta.get("id")
    if project_id is not None and (
        isinstance(project_id, bool) or not isinstance(project_id, int) or project_id <= 0
    ):
        problems.append(f"project.id must be a positive integer, not {project_id!r}")
        project_id = None
    original = str(meta.get("name", ""))
    target = name if name is not None else original
    problem = name_problem(target)
    if problem:
        fix = "" if name is not None else "; restore it under another name with --name"
        problems.append(f"{'--name' if name is not None else 'project.name'}: {problem}{fix}")
    organization = str(meta.get("organization_id", ""))
    if not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", organization):
        problems.append(f"project.organization_id {organization!r} is not an organization id")
    language = str(meta.get("language", ""))
    if language not in LANGUAGES:
        problems.append(f"project.language must be one of {', '.join(LANGUAGES)}: {language!r}")
    found = [f"{where}: {p}" for p in problems]
    sections = tuple((a.name, a.from_backup(document.get(a.name), where)) for a in registered())
    found.extend(p for _, s in sections for p in s.problems)
    if found:
        raise BackupError("\n".join(found))
    return Wanted(project_id, original, target, organization, language, where, sections)


def holding_token(document: Mapping[str, Any], tokens: Collection[str]) -> list[str]:
    """Where the backup holds an API token, as `FIELD contains the API token` lines. qcsync
    writes `***` for it in every answer it reads, so only a hand-made backup holds one, and a
    restore would send it to QuantConnect as a description, a file or a parameter (the token
    rule, DESIGN.md Security). Iterative: a backup's depth must not cost the stack. Pure."""
    found: list[str] = []
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if any(token in value for token in tokens):
                found.append(f"{path or 'the backup'} contains the API token; not restored")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                field = f"{path}.{key}" if path else str(key)
                if any(token in str(key) for token in tokens):
                    found.append(f"a key of {path or 'the backup'} contains the API token")
                pending.append((field, item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return sorted(found)


def bin_name_matches(binned: str, original: str) -> bool:
    """`Recycle Bin/NAME`, or `Recycle Bin/NAME N` when the bin already held NAME."""
    expected = RECYCLE_BIN + original
    return binned == expected or re.fullmatch(re.escape(expected) + r" \d+", binned) is not None

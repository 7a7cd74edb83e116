"""Several checked documents -> one DesiredState: settings set once (or identically), projects
concatenated, names, ids and former names unique across files. Pure."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from qcsync.config.located import Document, Path, format_path
from qcsync.config.names import (
    name_problem,
    node_ref_problem,
    pattern_problem,
    recycle_bin_problem,
)
from qcsync.errors import ConfigIssue
from qcsync.model import AUTO, LANGUAGES, DesiredProject, DesiredState, Language, Limits, Location

SETTINGS: Final = ("organization", "scope", "prune", "protect", "limits", "defaults")


@dataclass(frozen=True)
class Checked:
    """A document after variables and the schema: its data and the paths the schema refused."""

    document: Document
    data: Any
    bad: frozenset[Path]

    def ok(self, path: Path) -> bool:
        """True when neither the value at `path` nor any value holding it failed the schema."""
        if not self.bad:
            return True
        return not any(path[:end] in self.bad for end in range(len(path) + 1))

    def clean(self, path: Path) -> bool:
        """True when no value at, above or below `path` failed the schema."""
        if not self.bad:
            return True
        return self.ok(path) and not any(bad[: len(path)] == path for bad in self.bad)

    def issue(self, path: Path, message: str, *, at_key: bool = False) -> ConfigIssue:
        where = self.document.locate_key(path) if at_key else self.document.locate(path)
        return ConfigIssue(where.file, where.line, where.column, format_path(path), message)


def merge(checked: Sequence[Checked], issues: list[ConfigIssue]) -> DesiredState:
    settings = _settings(checked, issues)
    projects = list(_projects(checked, issues))
    _check_uniqueness(projects, issues)
    limits_value: dict[str, Any] = settings.get("limits") or {}
    defaults_value: dict[str, Any] = settings.get("defaults") or {}
    return DesiredState(
        projects=tuple(entry.project for entry in projects if entry.project is not None),
        files=tuple(c.document.file for c in checked),
        organization=settings.get("organization"),
        scope=tuple(settings.get("scope") or ()),
        prune=bool(settings.get("prune", False)),
        protect=tuple(settings.get("protect") or ()),
        limits=Limits(
            max_deletes=int(limits_value.get("max_deletes", Limits.max_deletes)),
            max_delete_fraction=float(
                limits_value.get("max_delete_fraction", Limits.max_delete_fraction)
            ),
            max_file_deletes=int(limits_value.get("max_file_deletes", Limits.max_file_deletes)),
        ),
        default_language=cast(Language, defaults_value.get("language", "Py")),
    )


def _settings(checked: Sequence[Checked], issues: list[ConfigIssue]) -> dict[str, Any]:
    """The top-level settings of all files: each set in one file, or identically in each."""
    merged: dict[str, Any] = {}
    first: dict[str, Location] = {}
    for document in checked:
        data = document.data
        if not isinstance(data, dict):
            continue
        for key in SETTINGS:
            if key not in data or not document.ok((key,)):
                continue
            value = data[key]
            if key in ("scope", "protect"):
                for index, pattern in enumerate(value):
                    problem = pattern_problem(pattern) if document.ok((key, index)) else None
                    if problem:
                        issues.append(document.issue((key, index), problem))
            if not document.clean((key,)):
                continue
            if key == "limits" and not math.isfinite(value.get("max_delete_fraction", 0.0)):
                issues.append(
                    document.issue(
                        ("limits", "max_delete_fraction"),
                        f"must be a number from 0 to 1, got {value['max_delete_fraction']}",
                    )
                )
            if key not in merged:
                merged[key], first[key] = value, document.document.locate_key((key,))
            elif not _same(merged[key], value):
                issues.append(
                    document.issue(
                        (key,),
                        f"differs from its value at {first[key]}; a setting may be set in one "
                        "file, or identically in every file that sets it",
                        at_key=True,
                    )
                )
    return merged


def _same(one: Any, other: Any) -> bool:
    # json.dumps tells True from 1 and 1 from 1.0, which == does not.
    return json.dumps(one, sort_keys=True) == json.dumps(other, sort_keys=True)


@dataclass(frozen=True)
class _Entry:
    """One `projects:` item: what the cross-file checks need, and the project if it is sound."""

    checked: Checked
    path: Path
    name: str | None
    id: int | None
    renamed_from: tuple[tuple[int, str], ...]  # (index in the list, former name)
    project: DesiredProject | None


def _projects(checked: Sequence[Checked], issues: list[ConfigIssue]) -> Iterator[_Entry]:
    for document in checked:
        data = document.data
        if not isinstance(data, dict) or not document.ok(("projects",)):
            continue
        for index, raw in enumerate(data.get("projects") or ()):
            path: Path = ("projects", index)
            if not document.ok(path):
                continue
            name = raw["name"] if document.ok((*path, "name")) else None
            if name is not None:
                problem = name_problem(name)
                if problem:
                    issues.append(document.issue((*path, "name"), problem))
            nodes = raw.get("nodes")
            if isinstance(nodes, list) and document.ok((*path, "nodes")):
                _check_nodes(document, (*path, "nodes"), nodes, issues)
            former = raw.get("renamed_from", ())
            if document.ok((*path, "renamed_from")):
                for i, old in enumerate(former):
                    where = (*path, "renamed_from", i)
                    problem = recycle_bin_problem(old) if document.ok(where) else None
                    if problem:
                        issues.append(document.issue(where, problem))
            yield _Entry(
                checked=document,
                path=path,
                name=name,
                id=int(raw["id"]) if "id" in raw and document.ok((*path, "id")) else None,
                renamed_from=tuple(
                    (i, old)
                    for i, old in enumerate(former)
                    if document.ok((*path, "renamed_from", i))
                )
                if document.ok((*path, "renamed_from"))
                else (),
                project=_project(document, path, raw) if document.clean(path) else None,
            )


def _check_nodes(
    document: Checked, path: Path, nodes: Sequence[str], issues: list[ConfigIssue]
) -> None:
    seen: set[str] = set()
    for index, ref in enumerate(nodes):
        if not document.ok((*path, index)):
            continue
        problem = node_ref_problem(ref)
        if problem is None and ref in seen:
            problem = f"node {ref!r} is listed twice"
        seen.add(ref)
        if problem:
            issues.append(document.issue((*path, index), problem))


def _project(document: Checked, path: Path, raw: Mapping[str, Any]) -> DesiredProject:
    nodes = raw.get("nodes")
    language = raw.get("language")
    return DesiredProject(
        name=raw["name"],
        location=document.document.locate(path),
        id=int(raw["id"]) if "id" in raw else None,
        language=cast(Language, language) if language in LANGUAGES else None,
        description=raw.get("description"),
        nodes=None if nodes is None else () if nodes == AUTO else tuple(nodes),
        renamed_from=tuple(raw.get("renamed_from", ())),
        written=raw,
        places=_places(document, path, raw),
    )


def _places(
    document: Checked, path: Path, raw: Mapping[str, Any]
) -> dict[tuple[str | int, ...], Location]:
    """Where each list or mapping of the entry and its items were written, for the aspects'
    messages about one item (a library reference, a collaborator)."""
    places: dict[tuple[str | int, ...], Location] = {}
    locate = document.document.locate
    for key, value in raw.items():
        if isinstance(value, list | dict):
            places[(key,)] = locate((*path, key))
            for item in range(len(value)) if isinstance(value, list) else value:
                places[(key, item)] = locate((*path, key, item))
    return places


def _check_uniqueness(entries: Sequence[_Entry], issues: list[ConfigIssue]) -> None:
    """Duplicate names, ids and former names across all files, reported at the second one;
    former names that are declared names."""
    # Where each was first seen, located only when a duplicate needs it.
    names: dict[str, tuple[_Entry, Path]] = {}
    ids: dict[int, tuple[_Entry, Path]] = {}
    former: dict[str, tuple[_Entry, Path]] = {}

    def first(
        seen: dict[Any, tuple[_Entry, Path]], key: Any, entry: _Entry, path: Path
    ) -> Location | None:
        earlier = seen.setdefault(key, (entry, path))
        if earlier[0] is entry and earlier[1] == path:
            return None
        return earlier[0].checked.document.locate(earlier[1])

    for entry in entries:
        path = entry.path
        if entry.name is not None:
            earlier = first(names, entry.name, entry, (*path, "name"))
            if earlier:
                message = f"duplicate project name {entry.name!r}; first declared at {earlier}"
                issues.append(entry.checked.issue((*path, "name"), message))
        if entry.id is not None:
            earlier = first(ids, entry.id, entry, (*path, "id"))
            if earlier:
                message = f"duplicate project id {entry.id}; first declared at {earlier}"
                issues.append(entry.checked.issue((*path, "id"), message))
        for index, old in entry.renamed_from:
            earlier = first(former, old, entry, (*path, "renamed_from", index))
            if earlier:
                message = f"duplicate former name {old!r}; first given at {earlier}"
                issues.append(entry.checked.issue((*path, "renamed_from", index), message))
    for entry in entries:
        for index, old in entry.renamed_from:
            where = (*entry.path, "renamed_from", index)
            if old == entry.name:
                issues.append(entry.checked.issue(where, "renamed_from names this project itself"))
            elif old in names:
                issues.append(
                    entry.checked.issue(
                        where,
                        f"{old!r} is the name of a project declared at "
                        f"{names[old][0].checked.document.locate(names[old][1])}; a former "
                        "name cannot also be declared",
                    )
                )

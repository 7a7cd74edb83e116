"""Wire -> model: the API's JSON answers turned into qcsync's frozen values (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from qcsync.model import (
    NODE_KINDS,
    Collaborator,
    LibraryLink,
    LiveProject,
    Node,
    NodeSelection,
    Parameter,
    ProjectFile,
    ProjectNodes,
)


def parse_date(value: Any) -> datetime | None:
    """The service's `YYYY-MM-DD HH:MM:SS` (UTC); ISO 8601 as the spec's examples show it."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    for candidate in (text, text.replace(" ", "T", 1)):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def _parameters(value: Any) -> tuple[Parameter, ...]:
    """`Project.parameters`: `[]`, `[{key, value}]` or an object keyed by name whose values
    are `{key, value, ...}` or plain values (the shapes qc-api.md §4.10 and §9 #14 list)."""
    if isinstance(value, Mapping):
        items = [
            {"key": name, "value": v.get("value") if isinstance(v, Mapping) else v}
            for name, v in value.items()
        ]
    else:
        items = list(value or [])
    return tuple(
        Parameter(
            key=str(i.get("key") or i.get("name") or ""),
            value="" if i.get("value") is None else str(i.get("value")),
        )
        for i in items
    )


def _collaborator(item: Mapping[str, Any]) -> Collaborator:
    # The 2023 payload spelled rights `epermission` / `blivecontrol` and had no `publicId`
    # (qc-api.md §4.1); such an entry keeps an empty public id, which the aspect refuses to act on.
    return Collaborator(
        public_id=str(item.get("publicId") or ""),
        write=(item.get("permission") or item.get("epermission")) == "write",
        live_control=bool(item.get("liveControl", item.get("blivecontrol"))),
        owner=bool(item.get("owner")),
        name=str(item.get("name") or ""),
    )


def _project(item: Mapping[str, Any]) -> LiveProject:
    try:
        return LiveProject(
            id=int(item["projectId"]),
            # lean-cli strips a leading "/" from names the service returns; so do we.
            name=str(item["name"]).lstrip("/"),
            organization_id=str(item.get("organizationId") or ""),
            language=str(item.get("language") or ""),
            description=str(item.get("description") or ""),
            modified=parse_date(item.get("modified")),
            code_running=bool(item.get("codeRunning") or False),
            parameters=_parameters(item.get("parameters")),
            libraries=tuple(
                LibraryLink(int(lib["projectId"]), str(lib.get("libraryName") or ""))
                for lib in item.get("libraries") or []
            ),
            collaborators=tuple(_collaborator(c) for c in item.get("collaborators") or []),
            encrypted=bool(item.get("encrypted") or False),
            max_file_size=_max_file_size(item.get("maxFileSize")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"malformed project: {error}") from None


def _max_file_size(value: Any) -> int | None:
    # The generated page types it string, LEAN-STUB int (qc-api.md §9 #12).
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _nodes(lists: Mapping[str, Any]) -> tuple[tuple[Node, ...], frozenset[str]]:
    catalog: list[Node] = []
    active: set[str] = set()
    for kind in NODE_KINDS:
        for item in lists.get(kind) or []:
            node = Node(
                id=str(item["id"]),
                name=str(item.get("name") or item.get("sku") or item["id"]),
                sku=str(item.get("sku") or ""),
                kind=kind,
            )
            catalog.append(node)
            if item.get("active"):
                active.add(node.id)
    return tuple(catalog), frozenset(active)


def _project_nodes(body: Mapping[str, Any]) -> ProjectNodes:
    catalog, active = _nodes(body.get("nodes") or {})
    auto = bool(body.get("autoSelectNode", not active))
    return ProjectNodes(catalog, NodeSelection(auto=auto, active=frozenset() if auto else active))


def _file(item: Mapping[str, Any]) -> ProjectFile:
    return ProjectFile(
        name=str(item["name"]),
        content=str(item.get("content") or ""),
        modified=parse_date(item.get("modified")),
        is_library=bool(item.get("isLibrary") or False),
    )

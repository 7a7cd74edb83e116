"""The endpoint table: which handler answers each ``/api/v2/<endpoint>``, and which endpoints write.

A handler turns parsed parameters into one call of the ``Store`` and wraps its answer in the
service's envelope (``success: true``); projects, nodes, files and organizations are here, a
project's other content (parameters, libraries, collaborators, the lock, ``files/patch``) is in
``content_routes``. Refusals are ``BusinessError``, which the server answers as ``success: false``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qcsync.emulator.content_routes import CONTENT_ROUTES, CONTENT_WRITES
from qcsync.emulator.request import param_int, param_str, param_str_list
from qcsync.emulator.store import BusinessError, Store

API_PREFIX = "/api/v2"
WRITE_ENDPOINTS = (
    frozenset(
        {
            "projects/create",
            "projects/update",
            "projects/delete",
            "projects/nodes/update",
            "files/create",
            "files/update",
            "files/delete",
        }
    )
    | CONTENT_WRITES
)

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]


def _authenticate(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"success": True}


def _create_project(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    name = param_str(params, "name")
    language = param_str(params, "language")
    if name is None or language is None:
        raise BusinessError("name and language are required")
    project = store.create_project(
        name, language, organization_id=param_str(params, "organizationId") or None
    )
    return {"projects": [project], "success": True}


def _read_projects(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    projects = store.read_projects(
        param_int(params, "projectId"),
        param_int(params, "start"),
        param_int(params, "end"),
        param_str(params, "organizationId") or None,
    )
    return {"projects": projects, "versions": store.lean_versions(), "success": True}


def _delete_project(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.delete_project(param_int(params, "projectId"))
    return {"success": True}


def _read_live(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    """No live trading is ever deployed in the emulator; the answer says so for a project that
    exists (a choice: qc-api.md does not record the service's words for it)."""
    project_id = param_int(params, "projectId")
    store.read_projects(project_id if project_id is not None else -1)
    raise BusinessError(f"No live algorithm is deployed for project {project_id}")


def _read_project_nodes(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {**store.read_project_nodes(param_int(params, "projectId")), "success": True}


def _update_project_nodes(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    selection = store.update_project_nodes(
        param_int(params, "projectId"), param_str_list(params, "nodes")
    )
    return {**selection, "success": True}


def _read_organization_nodes(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    nodes = store.read_organization_nodes(param_str(params, "organizationId") or None)
    return {**nodes, "success": True}


def _create_file(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    file = store.create_file(
        param_int(params, "projectId"), param_str(params, "name"), param_str(params, "content")
    )
    return {"files": [file], "success": True}


def _read_files(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    files = store.read_files(param_int(params, "projectId"), param_str(params, "name"))
    return {"files": files, "success": True}


def _update_file(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    project_id, name = param_int(params, "projectId"), param_str(params, "name")
    new_name, content = param_str(params, "newName"), param_str(params, "content")
    if new_name is not None:
        store.rename_file(project_id, name, new_name)
        return {"success": True}
    if content is None:
        raise BusinessError("Either newName or content is required")
    return {"files": [store.update_file_content(project_id, name, content)], "success": True}


def _delete_file(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.delete_file(param_int(params, "projectId"), param_str(params, "name"))
    return {"success": True}


def _read_organization(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    organization = store.read_organization(param_str(params, "organizationId") or None)
    return {"organization": organization, "success": True}


def _list_organizations(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"organizations": store.list_organizations(), "success": True}


ROUTES: dict[str, Handler] = {
    "authenticate": _authenticate,
    "projects/create": _create_project,
    "projects/read": _read_projects,
    "projects/delete": _delete_project,
    "projects/nodes/read": _read_project_nodes,
    "live/read": _read_live,
    "projects/nodes/update": _update_project_nodes,
    "nodes/read": _read_organization_nodes,
    "files/create": _create_file,
    "files/read": _read_files,
    "files/update": _update_file,
    "files/delete": _delete_file,
    "organizations/read": _read_organization,
    "organizations/list": _list_organizations,
    **CONTENT_ROUTES,
}


def endpoint_of(path: str) -> str | None:
    """``/api/v2//projects/read/`` -> ``projects/read``; None outside the API prefix."""
    if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
        return None
    return "/".join(part for part in path[len(API_PREFIX) :].split("/") if part)

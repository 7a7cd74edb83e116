"""Handlers for a project's content beyond files: parameters and libraries through
``projects/update`` and ``projects/library/*``, collaborators and the collaboration lock
(qc-api.md §4.3, §4.7, §4.10, §4.10a), and ``files/patch`` (§4.8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qcsync.emulator import content
from qcsync.emulator.refusal import BusinessError
from qcsync.emulator.request import (
    param_bool,
    param_files,
    param_int,
    param_int_list,
    param_str,
)
from qcsync.emulator.store import Store

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]


def update_project(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    """``projects/update``: name and description (SPEC) plus lean-cli's form fields
    ``parameters[i][key|value]`` / ``parameters=``, ``libraries[i]``, ``files[i][name|content]``
    (the whole file set), ``versionId`` (-1: master) and ``leanEnvironment`` (qc-api.md §4.3).
    ``encryptionKey`` ("" = not encrypted) and ``codeSourceId`` (an origin label) are accepted
    and ignored."""
    parameters = content.parse_parameters(params["parameters"]) if "parameters" in params else None
    store.update_project(
        param_int(params, "projectId"),
        param_str(params, "name"),
        param_str(params, "description"),
        parameters=parameters,
        library_ids=param_int_list(params, "libraries"),
        files=param_files(params),
        lean_version=param_int(params, "versionId"),
        lean_environment=param_int(params, "leanEnvironment"),
    )
    return {"success": True, "errors": []}


def _link(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.link_library(param_int(params, "projectId"), param_int(params, "libraryId"))
    return {"success": True}


def _unlink(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.unlink_library(param_int(params, "projectId"), param_int(params, "libraryId"))
    return {"success": True}


def _required_bool(params: dict[str, Any], key: str) -> bool:
    value = param_bool(params, key)
    if value is None:
        raise BusinessError(f"{key} is required")
    return value


def _add_collaborator(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    collaborators = store.add_collaborator(
        param_int(params, "projectId"),
        param_str(params, "collaboratorUserId"),
        live_control=_required_bool(params, "collaborationLiveControl"),
        write=_required_bool(params, "collaborationWrite"),
    )
    return {"collaborators": collaborators, "success": True}


def _read_collaborators(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {**store.read_collaborators(param_int(params, "projectId")), "success": True}


def _update_collaborator(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    collaborators = store.update_collaborator(
        param_int(params, "projectId"),
        param_str(params, "collaboratorUserId"),
        live_control=param_bool(params, "liveControl"),
        write=param_bool(params, "write"),
    )
    return {"collaborators": collaborators, "success": True}


def _remove_collaborator(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    # SPEC names it collaboratorId; DOC-EX sends collaboratorUserId (qc-api.md §9 #9).
    public_id = param_str(params, "collaboratorId")
    if public_id is None:
        public_id = param_str(params, "collaboratorUserId")
    collaborators = store.remove_collaborator(param_int(params, "projectId"), public_id)
    return {"collaborators": collaborators, "success": True}


def _acquire_lock(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.acquire_lock(param_int(params, "projectId"), param_str(params, "codeSourceId"))
    return {"success": True}


def _patch_files(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.patch_files(param_int(params, "projectId"), param_str(params, "patch"))
    return {"success": True}


CONTENT_ROUTES: dict[str, Handler] = {
    "projects/update": update_project,
    "projects/library/create": _link,
    "projects/library/delete": _unlink,
    "projects/collaboration/create": _add_collaborator,
    "projects/collaboration/read": _read_collaborators,
    "projects/collaboration/update": _update_collaborator,
    "projects/collaboration/delete": _remove_collaborator,
    "projects/collaboration/lock/acquire": _acquire_lock,
    "files/patch": _patch_files,
}
CONTENT_WRITES = frozenset(CONTENT_ROUTES) - {"projects/collaboration/read"}

"""Pure rules for a project's content: parameters, library links, file quotas, collaborators.

No state and no lock here: the store's operations call these with the values it holds, and
turn ``ValueError`` into the service's ``success: false`` answer.

Sourced (qc-api.md): parameters are read back as ``[{key, value}, ...]`` in the order sent
(§4.10a); ``parameters=`` clears them; library projects live under ``Library/`` (§4.10);
quotas per organization tier (§4.8, DOC-PLATFORM quotas page; KB = 1024 bytes, which the
LEAN-STUB ``maxFileSize: 32768`` of a free tier confirms); a collaborator's ``permission`` is
``write`` or ``read`` by ``collaborationWrite`` (§4.7); a ``Collaborator``'s string fields are
strings, never null (SPEC).

Inferred (qc-api.md is silent; choices a client can rely on in the emulator):
- parameter values are stored as strings: a JSON number becomes its decimal text; a boolean,
  null, object or list is refused, as is a missing or empty key or a key sent twice;
- ``projects/update`` also takes JSON ``parameters`` as a list of ``{key, value}`` or as the
  SPEC ``ParameterSet`` object form ``{name: value}``, and ``[]``/``{}``/``""`` to clear;
- file sizes are the UTF-8 byte length of the content; the per-project count covers the
  project's own files (never a linked library's).
"""

from __future__ import annotations

from typing import Any

LIBRARY_PREFIX = "Library/"
DEFAULT_TIER = "team"
KB = 1024
# tier -> (files per project, bytes per file); qc-api.md §4.8.
TIERS: dict[str, tuple[int, int]] = {
    "free": (25, 32 * KB),
    "quant-researcher": (50, 64 * KB),
    "team": (75, 128 * KB),
    "trading-firm": (100, 256 * KB),
    "institution": (250, 256 * KB),
}
DEFAULT_PROFILE_IMAGE = "https://cdn.quantconnect.com/web/i/users/profile/default.jpg"


def check_tier(tier: Any) -> str:
    if not isinstance(tier, str) or tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}, got {tier!r}")
    return tier


def max_files(tier: str) -> int:
    return TIERS[tier][0]


def max_file_size(tier: str) -> int:
    return TIERS[tier][1]


def check_file_size(tier: str, name: str, content: str) -> None:
    size, limit = len(content.encode("utf-8")), max_file_size(tier)
    if size > limit:
        raise ValueError(
            f"File '{name}' is {size} bytes, over the {limit} bytes per file of this "
            "organization's tier"
        )


def check_file_count(tier: str, count: int) -> None:
    """``count`` is how many own files the project has before the one being created."""
    if count >= max_files(tier):
        raise ValueError(
            f"The project already has {count} files, the most this organization's tier allows"
        )


def _parameter_value(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"Parameter '{key}' must have a string value")


def parse_parameters(value: Any) -> list[dict[str, str]]:
    """``parameters`` of ``projects/update`` (form-parsed or JSON) as ``[{key, value}, ...]``."""
    if value in ("", [], {}):
        return []
    if isinstance(value, dict):
        items: list[Any] = [
            {"key": k, "value": v.get("value") if isinstance(v, dict) else v}
            for k, v in value.items()
        ]
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError("parameters must be a list of {key, value}, or empty to clear them")
    parameters: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("Each parameter must be an object with key and value")
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            raise ValueError("Each parameter needs a non-empty key")
        if key in seen:
            raise ValueError(f"Parameter '{key}' is given twice")
        seen.add(key)
        parameters.append({"key": key, "value": _parameter_value(key, item.get("value"))})
    return parameters


def library_problem(project: dict[str, Any], library: dict[str, Any]) -> str | None:
    """Why ``library`` may not be linked to ``project`` (both Project dicts), or None.

    Inferred: a library of another organization is refused (libraries are resolved against the
    organization's projects).
    """
    if library["projectId"] == project["projectId"]:
        return "A project cannot be linked to itself as a library"
    if not str(library["name"]).startswith(LIBRARY_PREFIX):
        return (
            f"Project {library['projectId']} ('{library['name']}') is not a library: "
            f"library projects live under '{LIBRARY_PREFIX}'"
        )
    if library["organizationId"] != project["organizationId"]:
        return f"Library {library['projectId']} belongs to another organization"
    return None


def library_entry(library: dict[str, Any], owner_name: str) -> dict[str, Any]:
    """A ``Library`` (SPEC) for a linked library project."""
    return {
        "projectId": int(library["projectId"]),
        "libraryName": str(library["name"]),
        "ownerName": owner_name,
        "access": True,
    }


def library_file_name(library_name: str, file_name: str) -> str:
    """How a linked library's file is named in the linking project's ``files/read`` (inferred:
    under the library project's own path, so it never collides with the project's files)."""
    return f"{library_name}/{file_name}"


def user_from_seed(entry: Any) -> dict[str, Any]:
    """A known user (a collaborator candidate) from a seed or state entry."""
    if not isinstance(entry, dict):
        raise ValueError(f"a user must be an object, got {entry!r}")
    public_id = entry.get("publicId")
    if not isinstance(public_id, str) or not public_id.strip():
        raise ValueError(f"a user needs a non-empty publicId, got {public_id!r}")
    uid = entry.get("uid", 0)
    if isinstance(uid, bool) or not isinstance(uid, int):
        raise ValueError(f"user {public_id}: uid must be an integer")
    return {
        "uid": uid,
        "publicId": public_id,
        "name": str(entry.get("name", public_id)),
        "email": str(entry.get("email", f"{public_id}@example.com")),
        "bio": str(entry.get("bio") or ""),
        "profileImage": str(entry.get("profileImage", DEFAULT_PROFILE_IMAGE)),
    }


def collaborator(
    user: dict[str, Any], *, live_control: bool, write: bool, owner: bool
) -> dict[str, Any]:
    """A ``Collaborator`` (SPEC field names) for a known user."""
    return {
        "uid": int(user["uid"]),
        "liveControl": live_control,
        "permission": "write" if write else "read",
        "publicId": str(user["publicId"]),
        "profileImage": str(user["profileImage"]),
        "email": str(user["email"]),
        "name": str(user["name"]),
        "bio": str(user["bio"]),
        "owner": owner,
    }

"""What a project holds beyond its name and nodes: files, parameters, library links,
collaborators and the collaboration lock. A base class of ``store.Store``, which provides the
state, the lock and persistence; split out only to keep each module about one thing.

Sourced (qc-api.md): §4.7 (collaborators, the owner in every list, the lock), §4.8 (files,
``isLibrary``, quotas), §4.10/§4.10a (parameters and library links).

Inferred (qc-api.md is silent), each pinned by a contract test:
- the lock: ``lock/acquire`` always succeeds and takes the lock for the API caller (as the
  web IDE's "take control" does); it lapses ``LOCK_SECONDS`` after the acquire or the last file
  write made under it, or when someone else takes it (the ``lock_elsewhere`` hook). File writes
  (create, update, delete, patch) to a project that has collaborators besides its owner fail
  without a held lock; reads never need it; a project without collaborators never needs it;
- encrypted projects: ``files/*`` reads and writes are refused with a message saying why
  (the service would hand out ciphertext or need the key; neither is documented);
- a linked library's files appear in the linking project's ``files/read`` after its own,
  named ``<library project name>/<file name>``, with the library's ``projectId`` and
  ``isLibrary: true``; they cannot be created, updated, renamed or deleted through the
  linking project; an encrypted library contributes no files; a purged library's link
  disappears;
- library links: an unknown library, one outside ``Library/``, the project itself, one of
  another organization, a link that exists already, and an unlink of one that is not linked
  are all ``success: false`` with a message;
- collaborators: adding the owner or someone already on the project, and updating or removing
  the owner or someone not on the project are refused; ``update`` without ``liveControl`` or
  ``write`` keeps the current value (DOC-EX omits ``write``); collaboration changes do not
  bump the project's ``modified``; parameter and library changes do.
"""

from __future__ import annotations

import threading
from typing import Any

from qcsync.emulator import content
from qcsync.emulator.patch import apply_patch
from qcsync.emulator.refusal import BusinessError

LOCK_SECONDS = 15 * 60
ENCRYPTED = (
    "Project {} is encrypted: its files cannot be read or written through the API "
    "(use the web IDE or a client holding the key)"
)


class ProjectContent:
    """Operations on files, parameters, libraries, collaborators and the lock."""

    _lock: threading.RLock
    _projects: dict[int, dict[str, Any]]
    _users: dict[str, dict[str, Any]]
    _owner: dict[str, Any]

    # ------------------------------------------------------------ provided by store.Store

    def _sweep(self) -> None:
        raise NotImplementedError

    def _record(self, project_id: int | None) -> dict[str, Any]:
        raise NotImplementedError

    def _saved(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def _touch(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def _now(self) -> str:
        raise NotImplementedError

    def _seconds(self) -> float:
        raise NotImplementedError

    def _new_file(self, project_id: int, name: str, content: str) -> dict[str, Any]:
        raise NotImplementedError

    def _organization(self, organization_id: str | None) -> dict[str, Any]:
        raise NotImplementedError

    # ---------------------------------------------------------------------------- helpers

    def _tier(self, record: dict[str, Any]) -> str:
        return str(self._organization(record["project"]["organizationId"])["tier"])

    def _library_files(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        files = []
        for link in record["project"]["libraries"]:
            library = self._projects.get(int(link["projectId"]))
            if library is None or library["project"].get("encrypted"):
                continue
            library_name = str(library["project"]["name"])
            for file in library["files"]:
                name = content.library_file_name(library_name, str(file["name"]))
                files.append({**file, "name": name, "isLibrary": True})
        return files

    def _library_entries(self, project: dict[str, Any]) -> list[dict[str, Any]]:
        entries = []
        for link in project["libraries"]:
            library = self._projects.get(int(link["projectId"]))
            if library is not None:
                owner = self._organization(library["project"]["organizationId"])["ownerName"]
                entries.append(content.library_entry(library["project"], str(owner)))
        return entries

    def _own_file(self, record: dict[str, Any], name: str) -> dict[str, Any]:
        for file in record["files"]:
            if file["name"] == name:
                return file  # type: ignore[no-any-return]
        if any(f["name"] == name for f in self._library_files(record)):
            raise BusinessError(
                f"'{name}' is a file of a linked library: edit it in the library project"
            )
        raise BusinessError(f"File not found: {name}")

    def _readable(self, record: dict[str, Any]) -> None:
        if record["project"].get("encrypted"):
            raise BusinessError(ENCRYPTED.format(record["project"]["projectId"]))

    def _writable(self, record: dict[str, Any]) -> None:
        """Refuse a file write to an encrypted project or, without a held lock, to a project
        that has collaborators; a write under the lock keeps it (see the module docstring)."""
        self._readable(record)
        if len(record["project"]["collaborators"]) <= 1:
            return
        lock = record.get("lock")
        now = self._seconds()
        if not lock or not lock.get("ours") or float(lock["until"]) < now:
            raise BusinessError(
                f"Project {record['project']['projectId']} has collaborators: acquire the lock "
                "with projects/collaboration/lock/acquire before editing its files"
            )
        lock["until"] = now + LOCK_SECONDS

    def _name_free(self, record: dict[str, Any], name: str) -> None:
        if any(f["name"] == name for f in record["files"]):
            raise BusinessError(f"File already exists: {name}")
        if any(f["name"] == name for f in self._library_files(record)):
            raise BusinessError(f"'{name}' is the name of a linked library's file")

    # -------------------------------------------------------------------------------- files

    def create_file(
        self, project_id: int | None, name: str | None, text: str | None
    ) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._writable(record)
            if not name:
                raise BusinessError("File name is required")
            if text == "":
                raise BusinessError("File content cannot be empty")
            self._name_free(record, name)
            tier = self._tier(record)
            content.check_file_count(tier, len(record["files"]))
            content.check_file_size(tier, name, text or "")
            file = self._new_file(record["project"]["projectId"], name, text or "")
            record["files"].append(file)
            self._touch(record)
            self._saved(record)
            return dict(file)

    def read_files(self, project_id: int | None, name: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._readable(record)
            files = [*record["files"], *self._library_files(record)]
            if name is not None:
                match = [f for f in files if f["name"] == name][:1]
                if not match:
                    raise BusinessError(f"File not found: {name}")
                files = match
            return [dict(f) for f in files]

    def rename_file(self, project_id: int | None, name: str | None, new_name: str) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._writable(record)
            file = self._own_file(record, name or "")
            if not new_name:
                raise BusinessError("New file name cannot be empty")
            if new_name != name:
                self._name_free(record, new_name)
            file["name"] = new_name
            file["modified"] = self._now()
            self._touch(record)
            self._saved(record)

    def update_file_content(
        self, project_id: int | None, name: str | None, text: str
    ) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._writable(record)
            file = self._own_file(record, name or "")
            if text == "":
                raise BusinessError("File content cannot be empty")
            content.check_file_size(self._tier(record), str(file["name"]), text)
            file["content"] = text
            file["modified"] = self._now()
            self._touch(record)
            self._saved(record)
            return dict(file)

    def delete_file(self, project_id: int | None, name: str | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._writable(record)
            record["files"].remove(self._own_file(record, name or ""))
            self._touch(record)
            self._saved(record)

    def patch_files(self, project_id: int | None, patch: str | None) -> None:
        """``files/patch``: a unified diff over existing files, applied whole or not at all."""
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._writable(record)
            if not patch:
                raise BusinessError("patch is required")
            own = {str(f["name"]): str(f["content"]) for f in record["files"]}
            try:
                changed = apply_patch(own, patch)
            except ValueError as error:
                raise BusinessError(str(error)) from None
            tier = self._tier(record)
            for name, text in changed.items():
                if text == "":
                    raise BusinessError(f"The patch would leave '{name}' empty")
                content.check_file_size(tier, name, text)
            for file in record["files"]:
                if file["name"] in changed:
                    file["content"] = changed[file["name"]]
                    file["modified"] = self._now()
            self._touch(record)
            self._saved(record)

    # ------------------------------------------------------------- parameters and libraries

    def _linkable(self, record: dict[str, Any], library_id: int | None) -> dict[str, Any]:
        if library_id is None:
            raise BusinessError("libraryId is required")
        library = self._projects.get(library_id)
        if library is None:
            raise BusinessError(f"Library project not found. Project ID: {library_id}")
        problem = content.library_problem(record["project"], library["project"])
        if problem is not None:
            raise BusinessError(problem)
        return library

    def _link_entry(self, library: dict[str, Any]) -> dict[str, Any]:
        owner = self._organization(library["project"]["organizationId"])["ownerName"]
        return content.library_entry(library["project"], str(owner))

    def _replace_content(
        self,
        record: dict[str, Any],
        parameters: list[dict[str, str]] | None,
        library_ids: list[int] | None,
    ) -> bool:
        """``projects/update``'s parameters and libraries (full replacements); True if either
        was given. Everything is checked before anything changes."""
        links = None
        if library_ids is not None:
            unique = list(dict.fromkeys(library_ids))
            links = [self._link_entry(self._linkable(record, i)) for i in unique]
        if parameters is not None:
            record["project"]["parameters"] = parameters
        if links is not None:
            record["project"]["libraries"] = links
        return parameters is not None or links is not None

    def _check_file_set(self, record: dict[str, Any], files: list[tuple[str, str]]) -> None:
        """``projects/update`` ``files[...]``: names given once each, within the tier's quotas."""
        self._writable(record)
        names = [n for n, _ in files]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise BusinessError("File names must be given, each once")
        tier = self._tier(record)
        if files:
            content.check_file_count(tier, len(files) - 1)
        for file_name, text in files:
            content.check_file_size(tier, file_name, text)

    def _replace_files(self, record: dict[str, Any], files: list[tuple[str, str]]) -> bool:
        """The project's own files become exactly ``files`` ("all other files will be deleted",
        qc-api.md §4.3); a file that stays keeps its id. True when anything changed."""
        wanted = dict(files)
        kept = [f for f in record["files"] if f["name"] in wanted]
        changed = len(kept) != len(record["files"])
        for file in kept:
            text = wanted.pop(file["name"])
            if text != file["content"]:
                file["content"], file["modified"] = text, self._now()
                changed = True
        for file_name, text in wanted.items():
            kept.append(self._new_file(record["project"]["projectId"], file_name, text))
            changed = True
        record["files"] = kept
        return changed

    def link_library(self, project_id: int | None, library_id: int | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            library = self._linkable(record, library_id)
            links = record["project"]["libraries"]
            if any(int(link["projectId"]) == library_id for link in links):
                raise BusinessError(f"Library {library_id} is already linked to this project")
            links.append(self._link_entry(library))
            self._touch(record)
            self._saved(record)

    def unlink_library(self, project_id: int | None, library_id: int | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            if library_id is None:
                raise BusinessError("libraryId is required")
            links = record["project"]["libraries"]
            kept = [link for link in links if int(link["projectId"]) != library_id]
            if len(kept) == len(links):
                raise BusinessError(f"Library {library_id} is not linked to this project")
            record["project"]["libraries"] = kept
            self._touch(record)
            self._saved(record)

    # ------------------------------------------------------------ collaborators and the lock

    def _user(self, public_id: str | None) -> dict[str, Any]:
        if public_id is None or not public_id.strip():
            raise BusinessError("collaboratorUserId is required")
        if public_id == self._owner["publicId"]:
            return self._owner
        user = self._users.get(public_id)
        if user is None:
            raise BusinessError(f"User not found: {public_id}")
        return user

    def _collaborator(self, record: dict[str, Any], public_id: str | None) -> dict[str, Any]:
        user = self._user(public_id)
        for entry in record["project"]["collaborators"]:
            if entry["publicId"] == user["publicId"]:
                if entry["owner"]:
                    raise BusinessError("The project's owner cannot be changed or removed")
                return entry  # type: ignore[no-any-return]
        raise BusinessError(f"{user['publicId']} is not a collaborator on this project")

    def _collaborators(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(c) for c in record["project"]["collaborators"]]

    def read_collaborators(self, project_id: int | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            return {
                "collaborators": self._collaborators(record),
                "userLiveControl": True,
                "userPermissions": "write",
            }

    def add_collaborator(
        self, project_id: int | None, public_id: str | None, *, live_control: bool, write: bool
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            user = self._user(public_id)
            entries = record["project"]["collaborators"]
            if user is self._owner:
                raise BusinessError("The project's owner is already on the project")
            if any(c["publicId"] == user["publicId"] for c in entries):
                raise BusinessError(f"{user['publicId']} is already a collaborator")
            entries.append(
                content.collaborator(user, live_control=live_control, write=write, owner=False)
            )
            self._saved(record)
            return self._collaborators(record)

    def update_collaborator(
        self,
        project_id: int | None,
        public_id: str | None,
        *,
        live_control: bool | None,
        write: bool | None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            entry = self._collaborator(record, public_id)
            if live_control is not None:
                entry["liveControl"] = live_control
            if write is not None:
                entry["permission"] = "write" if write else "read"
            self._saved(record)
            return self._collaborators(record)

    def remove_collaborator(
        self, project_id: int | None, public_id: str | None
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            entry = self._collaborator(record, public_id)
            record["project"]["collaborators"].remove(entry)
            self._saved(record)
            return self._collaborators(record)

    def acquire_lock(self, project_id: int | None, code_source_id: str | None) -> None:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            if not code_source_id:
                raise BusinessError("codeSourceId is required")
            until = self._seconds() + LOCK_SECONDS
            record["lock"] = {"codeSourceId": code_source_id, "ours": True, "until": until}
            self._saved(record)

    def lock_elsewhere(self, project_id: int, code_source_id: str = "Web IDE") -> None:
        """Someone else (a colleague in the web IDE) takes the project's lock."""
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            until = self._seconds() + LOCK_SECONDS
            record["lock"] = {"codeSourceId": code_source_id, "ours": False, "until": until}
            self._saved(record)

    def lock_of(self, project_id: int) -> dict[str, Any] | None:
        """The project's lock as stored (``codeSourceId``, ``ours``, ``until``), or None."""
        with self._lock:
            lock = self._record(project_id).get("lock")
            return None if lock is None else dict(lock)

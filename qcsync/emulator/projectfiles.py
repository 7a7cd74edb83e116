"""A project's files: ``files/create|read|update|delete|patch`` and the whole file set that
``projects/update`` replaces (qc-api.md §4.8). A base class of ``store.Store``.

Sourced (qc-api.md §4.8): ``isLibrary``, the tier's quotas (``content``).

Inferred (qc-api.md is silent), each pinned by a contract test:
- file writes (create, update, delete, patch) to a project that has collaborators besides its
  owner fail without the collaboration lock held (``collaboration``); reads never need it; a
  project without collaborators never needs it;
- encrypted projects: ``files/*`` reads and writes are refused with a message saying why
  (the service would hand out ciphertext or need the key; neither is documented);
- a linked library's files appear in the linking project's ``files/read`` after its own,
  named ``<library project name>/<file name>``, with the library's ``projectId`` and
  ``isLibrary: true``; they cannot be created, updated, renamed or deleted through the
  linking project; an encrypted library contributes no files.
"""

from __future__ import annotations

from typing import Any

from qcsync.emulator import content
from qcsync.emulator.collaboration import LOCK_SECONDS
from qcsync.emulator.patch import apply_patch
from qcsync.emulator.records import Records
from qcsync.emulator.refusal import BusinessError

ENCRYPTED = (
    "Project {} is encrypted: its files cannot be read or written through the API "
    "(use the web IDE or a client holding the key)"
)


class ProjectFiles(Records):
    """Operations on a project's own files, and its view of its libraries' files."""

    # ---------------------------------------------------------------------------- helpers

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
        that has collaborators; a write under the lock keeps it (``collaboration``: how long)."""
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

    # -------------------------------------------------------- projects/update's file set

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

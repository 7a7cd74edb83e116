"""`files/*`: a project's files."""

from __future__ import annotations

from typing import Any

from qcsync.client.transport import Transport
from qcsync.client.wire import (
    _file,
)
from qcsync.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthenticationError,
    TransportError,
)
from qcsync.model import (
    ProjectFile,
)


class FileEndpoints(Transport):
    """`files/*`: a project's files."""

    def read_files(self, project_id: int) -> tuple[ProjectFile, ...]:
        data = self._call("files/read", {"projectId": project_id})
        return self._parsed("files/read", lambda: tuple(_file(f) for f in data.get("files") or []))

    def create_file(self, project_id: int, name: str, content: str) -> None:
        def happened() -> bool | None:
            files = {f.name: f.content for f in self.read_files(project_id)}
            return True if files.get(name) == content else None

        body: dict[str, Any] = {"projectId": project_id, "name": name}
        if content:
            # The service refuses `content: ""` but makes an empty file when content is omitted.
            body["content"] = content
        self._write_once("files/create", body, happened)

    def update_file(self, project_id: int, name: str, content: str) -> None:
        self._write("files/update", {"projectId": project_id, "name": name, "content": content})

    def delete_file(self, project_id: int, name: str) -> None:
        unknown: list[str] = []
        try:
            self._call("files/delete", {"projectId": project_id, "name": name}, unknown=unknown)
        except (AuthenticationError, TransportError, AmbiguousWriteError):
            raise
        except ApiError:
            if unknown and name not in {f.name for f in self.read_files(project_id)}:
                return
            raise

"""`projects/nodes/*` and `nodes/read`: node selections and the catalogue."""

from __future__ import annotations

from collections.abc import Sequence

from qcsync.client.transport import Transport
from qcsync.client.wire import (
    _nodes,
    _project_nodes,
)
from qcsync.model import (
    Node,
    ProjectNodes,
)


class NodeEndpoints(Transport):
    """`projects/nodes/*` and `nodes/read`: node selections and the catalogue."""

    def read_project_nodes(self, project_id: int) -> ProjectNodes:
        data = self._call("projects/nodes/read", {"projectId": project_id})
        return self._parsed("projects/nodes/read", lambda: _project_nodes(data))

    def update_project_nodes(self, project_id: int, node_ids: Sequence[str]) -> ProjectNodes:
        # A replace, not an add (qc-api.md §4.6), so sending it twice is harmless.
        data = self._write(
            "projects/nodes/update", {"projectId": project_id, "nodes": list(node_ids)}
        )
        return self._parsed("projects/nodes/update", lambda: _project_nodes(data))

    def read_nodes(self, organization_id: str) -> tuple[Node, ...]:
        data = self._call("nodes/read", {"organizationId": organization_id})
        return self._parsed("nodes/read", lambda: _nodes(data)[0])

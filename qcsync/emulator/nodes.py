"""Node selection: an organization's node catalogue (``nodes/read``) and the nodes a project may
use (``projects/nodes/read|update``, qc-api.md §4.5). A base class of ``store.Store``.

Inferred (qc-api.md is silent): unknown node ids in ``projects/nodes/update`` are ignored; if none
is left, the selection means auto (``autoSelectNode: true``); changing it does not bump the
project's ``modified``.
"""

from __future__ import annotations

from typing import Any

from qcsync.emulator.records import Records, copy_json

NODE_KINDS = ("backtest", "research", "live")


class Nodes(Records):
    """Operations on node catalogues and selections."""

    def _all_nodes(self, organization_id: str) -> list[dict[str, Any]]:
        nodes = self._organization(organization_id)["nodes"]
        return [node for kind in NODE_KINDS for node in nodes[kind]]

    def _select_nodes(self, record: dict[str, Any], node_ids: list[str]) -> None:
        known = {n["id"] for n in self._all_nodes(record["project"]["organizationId"])}
        selected = [i for i in dict.fromkeys(node_ids) if i in known]
        record["nodes"] = selected
        record["autoSelectNode"] = not selected

    def _project_nodes(self, record: dict[str, Any]) -> dict[str, Any]:
        org = self._organization(record["project"]["organizationId"])
        active = set(record["nodes"])
        return {
            "nodes": {
                kind: [{**copy_json(n), "active": n["id"] in active} for n in org["nodes"][kind]]
                for kind in NODE_KINDS
            },
            "autoSelectNode": bool(record["autoSelectNode"]),
        }

    def read_project_nodes(self, project_id: int | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            return self._project_nodes(self._record(project_id))

    def update_project_nodes(self, project_id: int | None, node_ids: list[str]) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            record = self._record(project_id)
            self._select_nodes(record, node_ids)
            self._saved(record)
            return self._project_nodes(record)

    def read_organization_nodes(self, organization_id: str | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            nodes = self._organization(organization_id)["nodes"]
            return {
                kind: [{**copy_json(n), "active": False} for n in nodes[kind]]
                for kind in NODE_KINDS
            }

"""Node references: turn what a user wrote under `nodes:` into nodes of the catalogue.

A reference is an exact node id, else a unique node name, else a unique SKU (DESIGN.md §1). New
projects have no id to ask `projects/nodes/read` with, so references resolve against the
organization's catalogue alone. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from qcsync.errors import NodeReferenceError
from qcsync.model import Node


def describe_node(node: Node) -> str:
    """`name (SKU) id`: enough for a user to pick the right reference."""
    return f"{node.name} ({node.sku}) {node.id}"


def resolve_node(ref: str, catalog: Sequence[Node]) -> Node:
    """The node `ref` names; NodeReferenceError lists the candidates when none or several do."""
    for node in catalog:
        if node.id == ref:
            return node
    # A name wins over a SKU so that "My B2-8" never falls through to another node's SKU; an
    # ambiguous name is an error rather than a reason to try SKUs.
    for matches in ([n for n in catalog if n.name == ref], [n for n in catalog if n.sku == ref]):
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(describe_node(n) for n in sorted(matches, key=_order))
            raise NodeReferenceError(
                [f"node '{ref}' is ambiguous: it matches {listed}; use the node id"]
            )
    candidates = ", ".join(describe_node(n) for n in sorted(catalog, key=_order)) or "none"
    raise NodeReferenceError([f"unknown node '{ref}'; the organization's nodes are: {candidates}"])


def _order(node: Node) -> tuple[str, str, str]:
    return (node.name, node.sku, node.id)

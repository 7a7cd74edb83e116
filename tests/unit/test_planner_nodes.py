"""Node references: exact id, else unique name, else unique SKU; errors list the candidates."""

from __future__ import annotations

import pytest

from qcsync.aspects.nodes import catalogue_line, closest_reference, describe_node, resolve_node
from qcsync.errors import NodeReferenceError, PlanError
from qcsync.model import Node

B4 = Node("BN-1", "Backtest B4-12", "B4-12", "backtest")
R1 = Node("RN-2", "Research Node 1", "R4-16", "research")
LM = Node("LN-3", "L-MICRO", "L-MICRO", "live")
B2 = Node("BN-4", "Fast", "B2-8", "backtest")
B2_TOO = Node("BN-5", "Spare", "B2-8", "backtest")
# A node whose name is another node's SKU: the name must win.
TRICKY = Node("BN-6", "R4-16", "B8-16", "backtest")
CATALOG = (B4, R1, LM, B2, B2_TOO, TRICKY)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        pytest.param("BN-1", B4, id="exact id"),
        pytest.param("Research Node 1", R1, id="unique name"),
        pytest.param("B4-12", B4, id="unique sku"),
        pytest.param("L-MICRO", LM, id="name equal to sku"),
        pytest.param("R4-16", TRICKY, id="a name wins over another node's sku"),
        pytest.param("Spare", B2_TOO, id="unique name although its sku is shared"),
    ],
)
def test_resolve_node_finds_the_node_a_reference_names(ref: str, expected: Node) -> None:
    assert resolve_node(ref, CATALOG) == expected


@pytest.mark.parametrize(
    ("ref", "catalog", "expected"),
    [
        pytest.param(
            "B2-8",
            CATALOG,
            "node 'B2-8' is ambiguous: it matches Fast (B2-8) BN-4, Spare (B2-8) BN-5; "
            "use the node id",
            id="ambiguous sku",
        ),
        pytest.param(
            "Twin",
            (Node("a", "Twin", "X", "backtest"), Node("b", "Twin", "Y", "backtest")),
            "node 'Twin' is ambiguous: it matches Twin (X) a, Twin (Y) b; use the node id",
            id="ambiguous name",
        ),
        pytest.param(
            "B9-99",
            (B4, LM),
            "unknown node 'B9-99'",
            id="unknown, and nothing close",
        ),
        pytest.param(
            "B4-16",
            (B4, LM),
            "unknown node 'B4-16'; did you mean 'B4-12'?",
            id="unknown, with the closest sku",
        ),
        pytest.param(
            "B4-12", (), "unknown node 'B4-12': the organization has no nodes", id="empty"
        ),
    ],
)
def test_resolve_node_refuses_unknown_and_ambiguous_references(
    ref: str, catalog: tuple[Node, ...], expected: str
) -> None:
    with pytest.raises(NodeReferenceError) as caught:
        resolve_node(ref, catalog)
    assert caught.value.problems == (expected,)


def test_a_node_reference_error_is_a_plan_error() -> None:
    assert issubclass(NodeReferenceError, PlanError)


def test_describe_node_gives_name_sku_and_id() -> None:
    assert describe_node(R1) == "Research Node 1 (R4-16) RN-2"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        pytest.param("research node 1", "Research Node 1", id="a name in another case"),
        pytest.param("Research Node 9", "Research Node 1", id="a name one letter off"),
        pytest.param("B4-16", "B4-12", id="a sku one digit off"),
        pytest.param("b4-12", "B4-12", id="a sku in another case"),
        pytest.param("BN-11", "BN-1", id="an id"),
        pytest.param("B2-7", None, id="a shared sku is never offered: it would be ambiguous"),
        pytest.param("Quantum", None, id="nothing close"),
    ],
)
def test_the_closest_reference_resolves_to_one_node(ref: str, expected: str | None) -> None:
    guess = closest_reference(ref, CATALOG)
    assert guess == expected
    if guess is not None:
        assert resolve_node(guess, CATALOG) in CATALOG


def test_the_catalogue_line_lists_every_node_sorted() -> None:
    assert catalogue_line((LM, B4)) == (
        "the organization's nodes (name (SKU) id): "
        "Backtest B4-12 (B4-12) BN-1, L-MICRO (L-MICRO) LN-3"
    )

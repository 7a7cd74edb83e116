"""Unknown node references: a "did you mean" each, the catalogue once (issue 16)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import Run
from .test_reconcile import write_endpoints


def test_each_unknown_node_gets_a_suggestion_and_the_catalogue_comes_once(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(
        """
        version: 1
        projects:
          - name: Strategies/A
            nodes: [B4-16, "research node 1"]
          - name: Strategies/B
            nodes: ["Live Mikro"]
          - name: Strategies/C
            nodes: [Quantum]
        """
    )
    emulator.clear_log()
    result = qcsync("plan")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[:4] == [
        "Error: qcsync.yaml:3:5: Strategies/A: nodes: unknown node 'B4-16'; did you mean 'B4-12'?",
        "Error: qcsync.yaml:3:5: Strategies/A: nodes: unknown node 'research node 1'; "
        "did you mean 'Research Node 1'?",
        "Error: qcsync.yaml:5:5: Strategies/B: nodes: unknown node 'Live Mikro'; "
        "did you mean 'Live Micro'?",
        "Error: qcsync.yaml:7:5: Strategies/C: nodes: unknown node 'Quantum'",
    ]
    catalogue = [line for line in lines if "the organization's nodes" in line]
    assert len(catalogue) == 1
    assert lines[-1] == catalogue[0]
    assert "Big Backtest (B4-12) BN-" in catalogue[0]
    assert write_endpoints(emulator) == []

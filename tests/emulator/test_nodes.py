"""Node catalogue and node selection (qc-api.md §4.5, §4.6, §4.9, §6, §8.8)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok, refused

NODE_KEYS = {
    "id", "name", "sku", "description", "speed", "cpu", "ram", "hasGpu", "price", "assets",
    "busy", "usedBy", "userProfile", "projectName", "projectId", "host", "active",
}  # fmt: skip


def _active(body: dict[str, Any]) -> set[str]:
    return {n["id"] for kind in body["nodes"].values() for n in kind if n["active"]}


def test_the_preferred_organization_has_the_seeded_catalogue(emulator: Emulator) -> None:
    body = ok(emulator, "nodes/read", json={"organizationId": emulator.preferred_organization_id})
    skus = {kind: [n["sku"] for n in body[kind]] for kind in ("backtest", "research", "live")}
    assert skus == {
        "backtest": ["B-MICRO", "B2-8", "B2-8", "B4-12", "B8-16"],
        "research": ["R1-4", "R2-8"],
        "live": ["L-MICRO", "L1-1"],
    }
    for kind, prefix in (("backtest", "BN"), ("research", "RN"), ("live", "LN")):
        for node in body[kind]:
            assert re.fullmatch(prefix + r"-[0-9a-f]{32}", node["id"])
            assert set(node) == NODE_KEYS
            assert isinstance(node["hasGpu"], int)
            assert not isinstance(node["hasGpu"], bool)
    twins = [n["name"] for n in body["backtest"] if n["sku"] == "B2-8"]
    assert len(set(twins)) == 2


def test_nodes_read_without_a_body_is_the_preferred_organizations(emulator: Emulator) -> None:
    assert ok(emulator, "nodes/read") == ok(
        emulator, "nodes/read", json={"organizationId": emulator.preferred_organization_id}
    )


def test_the_other_organization_has_its_own_nodes(emulator: Emulator) -> None:
    mine = ok(emulator, "nodes/read")
    other = ok(emulator, "nodes/read", json={"organizationId": emulator.other_organization_id})
    assert {n["id"] for n in mine["backtest"]}.isdisjoint(n["id"] for n in other["backtest"])


def test_nodes_read_of_an_unknown_organization_is_refused(emulator: Emulator) -> None:
    refused(emulator, "nodes/read", json={"organizationId": "f" * 32})


def test_project_nodes_lists_the_whole_catalogue_under_nodes(emulator: Emulator) -> None:
    project = create(emulator, "Catalogue")
    body = ok(emulator, "projects/nodes/read", json={"projectId": project["projectId"]})
    catalogue = ok(emulator, "nodes/read")
    assert {k: [n["id"] for n in v] for k, v in body["nodes"].items()} == {
        k: [n["id"] for n in catalogue[k]] for k in ("backtest", "research", "live")
    }


def test_update_replaces_the_selection_as_a_whole(emulator: Emulator) -> None:
    pid = create(emulator, "Replace")["projectId"]
    catalogue = ok(emulator, "nodes/read")
    first = [catalogue["backtest"][0]["id"], catalogue["live"][0]["id"]]
    second = [catalogue["research"][1]["id"]]
    body = ok(emulator, "projects/nodes/update", json={"projectId": pid, "nodes": first})
    assert (_active(body), body["autoSelectNode"]) == (set(first), False)
    body = ok(emulator, "projects/nodes/update", json={"projectId": pid, "nodes": second})
    assert (_active(body), body["autoSelectNode"]) == (set(second), False)
    assert ok(emulator, "projects/nodes/read", json={"projectId": pid}) == body


@pytest.mark.parametrize(
    "extra",
    [{}, {"nodes": []}, {"nodes": ["fakeNodeId"]}],
    ids=["omitted", "empty", "only-unknown"],
)
def test_an_empty_selection_means_automatic(emulator: Emulator, extra: dict[str, Any]) -> None:
    pid = create(emulator, "BackToAuto")["projectId"]
    node = ok(emulator, "nodes/read")["backtest"][0]["id"]
    ok(emulator, "projects/nodes/update", json={"projectId": pid, "nodes": [node]})
    body = ok(emulator, "projects/nodes/update", json={"projectId": pid, **extra})
    assert (_active(body), body["autoSelectNode"]) == (set(), True)


def test_unknown_and_foreign_node_ids_are_ignored(emulator: Emulator) -> None:
    pid = create(emulator, "Ignore")["projectId"]
    mine = ok(emulator, "nodes/read")["live"][1]["id"]
    foreign = ok(emulator, "nodes/read", json={"organizationId": emulator.other_organization_id})
    ids = [mine, "fakeNodeId", foreign["live"][0]["id"]]
    body = ok(emulator, "projects/nodes/update", json={"projectId": pid, "nodes": ids})
    assert _active(body) == {mine}


def test_the_seeded_live_project_has_its_node_selected(emulator: Emulator) -> None:
    live = next(p for p in emulator.projects() if p["codeRunning"])
    body = ok(emulator, "projects/nodes/read", json={"projectId": live["projectId"]})
    assert body["autoSelectNode"] is False
    assert len(_active(body)) == 1


@pytest.mark.parametrize("endpoint", ["projects/nodes/read", "projects/nodes/update"])
@pytest.mark.parametrize("body", [{}, {"projectId": -1}], ids=["no-id", "unknown-id"])
def test_project_nodes_of_an_unknown_project_are_refused(
    emulator: Emulator, endpoint: str, body: dict[str, int]
) -> None:
    refused(emulator, endpoint, json=body)


def test_node_selection_does_not_bump_modified(emulator: Emulator) -> None:
    project = create(emulator, "Quiet")
    node = ok(emulator, "nodes/read")["backtest"][0]["id"]
    emulator.touch(project["projectId"])
    before = emulator.project(project["projectId"])
    ok(emulator, "projects/nodes/update", json={"projectId": project["projectId"], "nodes": [node]})
    assert emulator.project(project["projectId"]) == before

"""Reading the live state with the fewest requests (issue 4)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from qcsync.aspects.nodes import NodesRead
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.model import DesiredProject, DesiredState, Location
from qcsync.state import read_live_state

HERE = Location("q.yaml", 1, 1)


def entry(name: str, nodes: tuple[str, ...] | None = None) -> DesiredProject:
    return DesiredProject(name=name, location=HERE, nodes=nodes)


@pytest.mark.parametrize(
    ("entries", "existing", "expected"),
    [
        ([entry("S/New")], [], {"projects/read": 1}),
        ([entry("S/New", ("B4-12",))], [], {"projects/read": 1, "nodes/read": 1}),
        ([entry("S/New", ())], [], {"projects/read": 1}),
        (
            [entry("S/A", ("B4-12",)), entry("S/B", ()), entry("S/C")],
            ["S/A", "S/B", "S/C"],
            {"projects/read": 1, "projects/nodes/read": 2},
        ),
    ],
    ids=["no-nodes", "new-project-names-nodes", "auto-only", "existing-projects"],
)
def test_the_state_reader_sends_only_the_reads_the_plan_needs(
    emulator: Any, entries: list[DesiredProject], existing: list[str], expected: dict[str, int]
) -> None:
    for name in existing:
        emulator.add_project(name)
    desired = DesiredState(projects=tuple(entries), organization=emulator.preferred_organization_id)
    emulator.clear_log()
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(emulator.base_url, credentials) as client:
        live = read_live_state(client, desired, parallelism=4)
    assert Counter(r.endpoint for r in emulator.requests) == expected
    assert {p.organization_id for p in live.projects} == {emulator.preferred_organization_id}
    if any(e.nodes for e in entries):
        read = live.reads["nodes"]
        assert isinstance(read, NodesRead)
        assert read.catalog, "node references need the catalogue"

"""Requests and round trips per change kind of `qcsync apply`, against the floor (issue 15).

    python benchmarks/apply_kinds.py [--changes 8] [--latency-ms 50] [--parallelism 8]

For each kind, an emulator (latency L) holds the projects, a plan with CHANGES changes of that
kind is applied with the CLI's client settings, and the convergence re-plan runs as `apply`
runs it. Printed per change: the requests the apply and its convergence check sent for it (the
re-plan's one project list, shared by all changes, is not counted; a delete stage's one list is
shown apart), and the round trips one such change takes alone (its wall time over L).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qcsync.apply import apply_plan
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator
from qcsync.model import DesiredProject, DesiredState, Limits, Location
from qcsync.planner import plan
from qcsync.state import read_live_state

ORG = "a" * 32
NODE = {"id": "BN-" + "b" * 32, "name": "Bench Node", "sku": "B2-8"}
OTHER = {"id": "BN-" + "c" * 32, "name": "Other Node", "sku": "B4-12"}
HERE = Location("bench.yaml", 1, 1)
# kind -> (requests per change, round trips alone), the floor the API allows.
MINIMA = {
    "create": (1, 1),
    "create with nodes": (2, 2),
    "description": (1, 1),
    "nodes": (1, 1),
    "delete": (3, 2),
}


def seed(count: int) -> dict[str, Any]:
    projects = [{"name": f"Bench/P{i:03d}", "nodes": [NODE["id"]]} for i in range(count)]
    return {
        "organizations": [
            {
                "id": ORG,
                "name": "Bench",
                "preferred": True,
                "nodes": {"backtest": [NODE, OTHER]},
                "projects": projects,
            }
        ]
    }


def desired(kind: str, count: int) -> tuple[DesiredState, int]:
    """The config for `kind`, and how many projects the emulator must hold before."""
    names = [f"Bench/P{i:03d}" for i in range(count)]
    entries: tuple[DesiredProject, ...]
    if kind == "create":
        entries = tuple(DesiredProject(name=f"New/{n}", location=HERE) for n in names)
        existing = 0
    elif kind == "create with nodes":
        entries = tuple(
            DesiredProject(name=f"New/{n}", location=HERE, nodes=(NODE["name"],)) for n in names
        )
        existing = 0
    elif kind == "description":
        entries = tuple(DesiredProject(name=n, location=HERE, description="new") for n in names)
        existing = count
    elif kind == "nodes":
        entries = tuple(
            DesiredProject(name=n, location=HERE, nodes=(OTHER["name"],)) for n in names
        )
        existing = count
    else:
        entries, existing = (), count
    state = DesiredState(
        projects=entries,
        organization=ORG,
        scope=("Bench/",),
        prune=kind == "delete",
        limits=Limits(max_deletes=count, max_delete_fraction=1.0),
    )
    return state, existing


def measure(kind: str, count: int, latency_ms: int, parallelism: int) -> tuple[Counter[str], float]:
    """Requests by endpoint (apply + convergence, minus the re-plan's list), and seconds."""
    state, existing = desired(kind, count)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Emulator(seed=seed(existing), latency_ms=latency_ms) as emulator,
    ):
        credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
        with QCClient(
            emulator.base_url, credentials, pool_size=parallelism, max_in_flight=parallelism
        ) as client:
            planned = plan(state, read_live_state(client, state, parallelism=parallelism))
            # Counted per project: a create with nodes is two changes (one per aspect).
            assert len({c.name for c in planned.changes}) == count, planned.changes
            emulator.clear_log()
            started = time.perf_counter()
            report = apply_plan(
                client,
                planned,
                now=datetime.now(UTC),
                parallelism=parallelism,
                backup_root=Path(tmp),
            )
            seconds = time.perf_counter() - started
            again = read_live_state(
                client, state, parallelism=parallelism, known=report.node_answers()
            )
            if not report.ok or plan(state, again).changes:
                raise SystemExit(f"{kind}: the benchmark run did not converge")
            sent = Counter(r.endpoint for r in emulator.requests)
            sent["projects/read"] -= 1  # the re-plan's list, shared by every change
            return +sent, seconds


def print_table(changes: int, latency_ms: int, parallelism: int) -> None:
    print(
        f"| change ({changes} at {latency_ms} ms, P = {parallelism}) "
        "| requests per change | floor | round trips, one alone | floor | endpoints |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for kind, (floor_requests, floor_trips) in MINIMA.items():
        sent, _ = measure(kind, changes, latency_ms, parallelism)
        lists = 0
        if kind == "delete":
            lists = sent["projects/read"]  # once per stage, not per delete
            del sent["projects/read"]
        per_change = sum(sent.values()) / changes
        _, alone = measure(kind, 1, latency_ms, parallelism)
        trips = alone / (latency_ms / 1000) - lists
        endpoints = ", ".join(f"{e} {n / changes:g}" for e, n in sorted(sent.items()))
        if lists:
            endpoints += f"; + projects/read {lists} per stage"
        print(
            f"| {kind} | {per_change:g} | {floor_requests} | {trips:.1f} | {floor_trips} "
            f"| {endpoints} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=8)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--parallelism", type=int, default=8)
    args = parser.parse_args()
    print_table(args.changes, args.latency_ms, args.parallelism)


if __name__ == "__main__":
    main()

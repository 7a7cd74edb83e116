"""How long plan and apply take against an emulator with injected latency.

    python benchmarks/reconcile_bench.py [--projects 60] [--latency-ms 50] [--parallelism 1 8]

For each parallelism it creates PROJECTS projects with nodes from empty (apply), re-plans, then
prunes them all, and prints wall times and request counts. Numbers are what matters here, not
pass/fail: speed is measured by this script, not by timed unit tests.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from qcsync.apply import apply_plan
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator
from qcsync.model import DesiredProject, DesiredState, Limits, Location
from qcsync.planner import plan
from qcsync.state import read_live_state


def desired(count: int, prune: bool) -> DesiredState:
    here = Location("bench.yaml", 1, 1)
    projects = (
        ()
        if prune
        else tuple(
            DesiredProject(
                name=f"Bench/P{i:04d}", location=here, description=f"p{i}", nodes=("B4-12",)
            )
            for i in range(count)
        )
    )
    return DesiredState(
        projects=projects,
        scope=("Bench/",),
        prune=prune,
        limits=Limits(max_deletes=count, max_delete_fraction=1.0),
    )


def run(count: int, latency_ms: int, parallelism: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, Emulator(latency_ms=latency_ms) as emulator:
        credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
        with QCClient(emulator.base_url, credentials) as client:
            for label, state in (
                ("create", desired(count, False)),
                ("prune", desired(count, True)),
            ):
                emulator.clear_log()
                started = time.perf_counter()
                live = read_live_state(client, state, parallelism=parallelism)
                planned = plan(state, live)
                planned_at = time.perf_counter()
                report = apply_plan(
                    client,
                    planned,
                    now=datetime.now(UTC),
                    parallelism=parallelism,
                    backup_root=Path(tmp),
                )
                applied_at = time.perf_counter()
                # As `apply` does: the node writes' answers stand in for reading them again.
                known = report.node_answers()
                again = plan(
                    state,
                    read_live_state(client, state, parallelism=parallelism, known=known),
                )
                if not report.ok or again.changes:
                    raise SystemExit(f"{label}: the benchmark run did not converge")
                print(
                    f"{label:6} projects={count} latency={latency_ms}ms "
                    f"parallelism={parallelism:2}: "
                    f"plan {planned_at - started:6.2f}s  apply {applied_at - planned_at:6.2f}s  "
                    f"changes={len(planned.changes)} requests={len(emulator.requests)}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=60)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--parallelism", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    for parallelism in args.parallelism:
        run(args.projects, args.latency_ms, parallelism)


if __name__ == "__main__":
    main()

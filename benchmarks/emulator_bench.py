"""How fast the emulator itself is: per-request time, state writes, seed loading.

    python benchmarks/emulator_bench.py [--quick]

Prints: milliseconds per request on a kept-alive connection at ``--latency-ms 0``; the time
of one persisted write (a create through HTTP) with 10 and with 10,000 projects in the state;
and the time to load seeds of 1,250, 2,500 and 5,000 projects (linear loading doubles with N).
Numbers, not pass/fail: speed is measured here, not by timed unit tests.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from qcsync.emulator import Emulator


def _headers(emulator: Emulator) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hashlib.sha256(f"{emulator.token}:{ts}".encode()).hexdigest()
    basic = base64.b64encode(f"{emulator.user_id}:{digest}".encode()).decode()
    return {"Authorization": f"Basic {basic}", "Timestamp": ts}


def _seed(count: int) -> dict[str, Any]:
    node = {"id": "BN-" + "b" * 32, "name": "Node", "sku": "B2-8"}
    projects = [
        {"name": f"Seed/P{i:05d}", "nodes": [node["id"]] if i % 2 else []} for i in range(count)
    ]
    return {
        "organizations": [
            {
                "id": "a" * 32,
                "name": "Bench",
                "preferred": True,
                "nodes": {"backtest": [node]},
                "projects": projects,
            }
        ]
    }


def per_request_ms(samples: int) -> float:
    with Emulator() as emulator, requests.Session() as session:
        url = emulator.base_url + "authenticate"
        session.post(url, headers=_headers(emulator), timeout=10).raise_for_status()
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            session.post(url, headers=_headers(emulator), timeout=10).raise_for_status()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000


def write_ms(projects: int, samples: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        with Emulator(state_path=state, seed=_seed(projects)) as emulator:
            with requests.Session() as session:
                times = []
                for i in range(samples):
                    started = time.perf_counter()
                    answer = session.post(
                        emulator.base_url + "projects/create",
                        json={"name": f"New/{i}", "language": "Py"},
                        headers=_headers(emulator),
                        timeout=60,
                    )
                    times.append(time.perf_counter() - started)
                    if not answer.json()["success"]:
                        raise SystemExit(answer.text)
            return statistics.median(times) * 1000


def load_seconds(projects: int) -> float:
    seed = _seed(projects)
    started = time.perf_counter()
    Emulator(seed=seed)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples, smaller states")
    args = parser.parse_args()
    big = 2_000 if args.quick else 10_000
    samples = 10 if args.quick else 30
    print(f"request at --latency-ms 0, kept-alive connection: {per_request_ms(samples):6.2f} ms")
    for count in (10, big):
        print(f"persisted create with {count:6} projects: {write_ms(count, samples):8.2f} ms")
    for count in (1_250, 2_500, 5_000):
        if args.quick and count > 2_500:
            break
        print(f"load a seed of {count:5} projects: {load_seconds(count):6.2f} s")


if __name__ == "__main__":
    main()

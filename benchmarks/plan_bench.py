"""A no-op `qcsync plan` against the floor the API allows and a documentation-style script.

    python benchmarks/plan_bench.py            # N = 100, 500, 2,000; P = 8, 32; 25 and 100 ms
    python benchmarks/plan_bench.py --quick    # N = 100, 500; P = 8; 25 ms
    python benchmarks/plan_bench.py --projects 500 --parallelism 8 --latency-ms 25

Side by side in one run, against one emulator (in this process, so the clients run alone in
theirs) seeded with N projects whose nodes match the config:
- qcsync: the `qcsync plan` command as a user runs it (a fresh process: start-up, config,
  requests, rendering), with `--parallelism P`;
- the floor: L x (1 + ceil(N/P)), one list and N node reads, P at a time, at L per round trip;
- a documentation-style script (docs_style_plan.py): the same reads, one after the other.
Then the requests and round trips per change kind of an apply (apply_kinds.py) against the floor.
Requests are counted by the emulator. Also printed: start-up to the first request, and client
CPU per request (the CPU of the N = max run minus the N = min run, over the extra requests, so
start-up is not in it), peak memory (the qcsync process's max RSS). qcsync's figures are the
best of `--repeat` runs (the machine is shared); bytecode caching is allowed in the children,
as an installed package has it, and one untimed run warms it.

Speed is measured here, not by timed unit tests.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apply_kinds import print_table  # benchmarks/, on the path when run as a script

from qcsync.emulator import Emulator

HERE = Path(__file__).resolve().parent
ORG = "a" * 32
NODE = {"id": "BN-" + "b" * 32, "name": "Bench Node", "sku": "B2-8"}


def seed(count: int) -> dict[str, Any]:
    projects = [{"name": f"Bench/P{i:05d}", "nodes": [NODE["id"]]} for i in range(count)]
    return {
        "organizations": [
            {
                "id": ORG,
                "name": "Bench",
                "preferred": True,
                "nodes": {"backtest": [NODE]},
                "projects": projects,
            }
        ]
    }


def config(count: int) -> str:
    lines = ["version: 1", f"organization: {ORG}", 'scope: ["Bench/"]', "projects:"]
    for i in range(count):
        lines.append(f"  - {{name: Bench/P{i:05d}, nodes: [{NODE['name']}]}}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Run:
    seconds: float
    requests: int
    first_request: float  # seconds from process start to the first request's arrival
    cpu: float  # user + system seconds of the client process
    max_rss_mb: float


def run_client(emulator: Emulator, argv: list[str], env: dict[str, str]) -> Run:
    emulator.clear_log()
    arrivals: list[float] = []
    respond = emulator.respond

    def timed(**kwargs: Any) -> Any:
        if not arrivals:
            arrivals.append(time.perf_counter())
        return respond(**kwargs)

    emulator.respond = timed  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            output = out.read().decode(errors="replace")
    finally:
        emulator.respond = respond  # type: ignore[method-assign]
    if process.returncode != 0:
        raise SystemExit(f"{argv[1:4]} exited {process.returncode}:\n{output[-2000:]}")
    return Run(
        seconds=seconds,
        requests=len(emulator.requests),
        first_request=(arrivals[0] - started) if arrivals else float("nan"),
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
    )


def qcsync_argv(url: str, path: Path, parallelism: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "qcsync",
        "--api-url",
        url,
        "plan",
        "-f",
        str(path),
        "--parallelism",
        str(parallelism),
        "--detailed-exitcode",  # exits 3 if the plan were not a no-op
    ]


def client_env(emulator: Emulator) -> dict[str, str]:
    env = {**os.environ, "QC_USER_ID": emulator.user_id, "QC_API_TOKEN": emulator.token}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 100, 500; P = 8; 25 ms")
    parser.add_argument("--projects", type=int, nargs="+")
    parser.add_argument("--parallelism", type=int, nargs="+")
    parser.add_argument("--latency-ms", type=int, nargs="+")
    parser.add_argument("--no-docs", action="store_true", help="skip the sequential script")
    parser.add_argument("--no-apply", action="store_true", help="skip the apply table")
    parser.add_argument("--repeat", type=int, default=2, help="qcsync runs per cell (best)")
    parser.add_argument(
        "--memory-projects",
        type=int,
        default=None,
        help="also plan this many projects once for peak memory (default 10,000; 0: skip)",
    )
    args = parser.parse_args()
    counts = args.projects or ([100, 500] if args.quick else [100, 500, 2_000])
    parallelisms = args.parallelism or ([8] if args.quick else [8, 32])
    latencies = args.latency_ms or ([25] if args.quick else [25, 100])
    memory_projects = args.memory_projects
    if memory_projects is None:
        memory_projects = 2_000 if args.quick else 10_000

    print(
        "| latency | N | P | qcsync | floor L x (1 + ceil(N/P)) | ratio | requests (1 + N) "
        "| first request | docs-style script | qcsync faster |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    cpu_by_count: dict[int, list[tuple[float, int]]] = {}
    warmed = False
    with tempfile.TemporaryDirectory() as tmp:
        for latency in latencies:
            for count in counts:
                path = Path(tmp) / f"bench-{count}.yaml"
                path.write_text(config(count), encoding="utf-8")
                with Emulator(seed=seed(count), latency_ms=latency) as emulator:
                    env = client_env(emulator)
                    if not warmed:
                        run_client(emulator, qcsync_argv(emulator.base_url, path, 8), env)
                        warmed = True
                    docs = None
                    if not args.no_docs:
                        docs = run_client(
                            emulator,
                            [
                                sys.executable,
                                str(HERE / "docs_style_plan.py"),
                                emulator.base_url,
                                str(path),
                            ],
                            env,
                        )
                    for parallelism in parallelisms:
                        argv = qcsync_argv(emulator.base_url, path, parallelism)
                        ran = best([run_client(emulator, argv, env) for _ in range(args.repeat)])
                        cpu_by_count.setdefault(count, []).append((ran.cpu, ran.requests))
                        floor = latency / 1000 * (1 + math.ceil(count / parallelism))
                        docs_cell = f"{docs.seconds:.2f} s" if docs else "-"
                        faster = f"{docs.seconds / ran.seconds:.1f}x" if docs else "-"
                        print(
                            f"| {latency} ms | {count:,} | {parallelism} | {ran.seconds:.2f} s "
                            f"| {floor:.2f} s | {ran.seconds / floor if floor else math.inf:.2f} "
                            f"| {ran.requests:,} "
                            f"| {ran.first_request:.2f} s | {docs_cell} | {faster} |",
                            flush=True,
                        )
        low, high = min(cpu_by_count), max(cpu_by_count)
        if high > low:
            low_cpu = min(c for c, _ in cpu_by_count[low])
            high_cpu, high_requests = min(cpu_by_count[high])
            extra = high_requests - min(r for _, r in cpu_by_count[low])
            print(
                f"\nclient CPU per request (N = {high:,} minus N = {low:,}, best run): "
                f"{(high_cpu - low_cpu) / extra * 1000:.2f} ms"
            )
        if not args.no_apply:
            print()
            print_table(8, latencies[0], parallelisms[0])
        if memory_projects:
            path = Path(tmp) / "memory.yaml"
            path.write_text(config(memory_projects), encoding="utf-8")
            with Emulator(seed=seed(memory_projects)) as emulator:
                env = client_env(emulator)
                ran = run_client(emulator, qcsync_argv(emulator.base_url, path, 32), env)
            print(
                f"no-op plan of {memory_projects:,} projects at 0 ms, P = 32: "
                f"{ran.seconds:.2f} s, {ran.requests:,} requests, "
                f"peak memory {ran.max_rss_mb:.0f} MB, CPU {ran.cpu:.2f} s"
            )


if __name__ == "__main__":
    main()

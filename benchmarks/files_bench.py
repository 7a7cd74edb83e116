"""A no-op `qcsync plan` of projects whose code is managed (`files:`), against the floor.

    python benchmarks/files_bench.py                 # N = 100 projects x 20 files; P = 8, 32
    python benchmarks/files_bench.py --projects 100 --files 20 --latency-ms 25 --parallelism 8

One emulator with latency, seeded with N projects of F files each (a few KB of Python apiece,
nodes selected), and a folder per project holding the same files with CRLF line endings (a
Windows checkout: it must plan nothing). Two configs are planned, each as a user runs it (a
fresh `qcsync plan --detailed-exitcode` process, which exits 3 if the plan were not a no-op):
- files only: the requests must be exactly 1 + N (the project list and one files/read per
  project); the floor is L x (1 + ceil(N/P));
- files and nodes: exactly 1 + 2N (N node reads more); the floor is L x (1 + ceil(2N/P)).
So files add exactly N reads (one per project that declares `files:`) beyond what nodes need.
Requests are counted by the emulator; qcsync's time is the best of `--repeat` runs (the machine
is shared). Speed is measured here, not by timed unit tests.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from plan_bench import NODE, ORG, best, client_env, qcsync_argv, run_client

from qcsync.emulator import Emulator


def code(project: int, file: int) -> str:
    body = "".join(f"    value_{n} = {project} * {file} + {n}\n" for n in range(60))
    return f"# project {project}, file {file}\nclass Algorithm{file}:\n{body}"


def file_name(file: int) -> str:
    return "main.py" if file == 0 else f"alpha/part_{file:02d}.py"


def seed(count: int, files: int) -> dict[str, Any]:
    projects = [
        {
            "name": f"Bench/P{i:05d}",
            "nodes": [NODE["id"]],
            "files": {file_name(f): code(i, f) for f in range(files)},
        }
        for i in range(count)
    ]
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


def folders(root: Path, count: int, files: int) -> None:
    for i in range(count):
        for f in range(files):
            path = root / f"P{i:05d}" / file_name(f)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(code(i, f).replace("\n", "\r\n").encode())


def config(count: int, nodes: bool) -> str:
    lines = ["version: 1", f"organization: {ORG}", 'scope: ["Bench/"]', "projects:"]
    for i in range(count):
        extra = f", nodes: [{NODE['name']}]" if nodes else ""
        lines.append(f"  - {{name: Bench/P{i:05d}, files: code/P{i:05d}{extra}}}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--parallelism", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[25])
    parser.add_argument("--repeat", type=int, default=2, help="qcsync runs per cell (best)")
    args = parser.parse_args()
    count, files = args.projects, args.files
    print(
        f"No-op plan of {count} projects x {files} files (CRLF on disk, LF in the cloud).\n\n"
        "| config | latency | P | qcsync | floor | ratio | requests | expected | by endpoint |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders(root / "code", count, files)
        for latency in args.latency_ms:
            with Emulator(seed=seed(count, files), latency_ms=latency) as emulator:
                env = client_env(emulator)
                for nodes in (False, True):
                    path = root / f"bench-{'nodes' if nodes else 'files'}.yaml"
                    path.write_text(config(count, nodes), encoding="utf-8")
                    run_client(emulator, qcsync_argv(emulator.base_url, path, 8), env)  # warm
                    reads = count * (2 if nodes else 1)
                    for parallelism in args.parallelism:
                        argv = qcsync_argv(emulator.base_url, path, parallelism)
                        ran = best([run_client(emulator, argv, env) for _ in range(args.repeat)])
                        endpoints = Counter(r.endpoint for r in emulator.requests)
                        floor = latency / 1000 * (1 + math.ceil(reads / parallelism))
                        expected = 1 + reads
                        failed = failed or ran.requests != expected
                        shown = ", ".join(f"{e} {n}" for e, n in sorted(endpoints.items()))
                        print(
                            f"| {'files + nodes' if nodes else 'files'} | {latency} ms "
                            f"| {parallelism} | {ran.seconds:.2f} s | {floor:.2f} s "
                            f"| {ran.seconds / floor:.2f} | {ran.requests:,} | {expected:,} "
                            f"| {shown} |",
                            flush=True,
                        )
    if failed:
        sys.exit("a plan sent more requests than the floor allows")


if __name__ == "__main__":
    main()

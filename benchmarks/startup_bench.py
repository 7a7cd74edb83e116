"""Start-up to the first request of `qcsync plan`, in wall time and in the client's CPU time.

    python benchmarks/startup_bench.py [--repeat 10] [--projects 100]

A fresh `python -m qcsync --api-url URL plan -f CONFIG` (the path a real-API plan takes)
against an emulator in this process. When the first request arrives, the emulator's handler
reads the client's CPU time so far from /proc/PID/stat (Linux, 10 ms resolution). Also timed:
`qcsync --sandbox plan -f examples/starter.yaml` as a whole (its first request goes to an
emulator inside the client, out of reach), and `qcsync --version` (Python and the CLI alone).
Printed: best and median of `--repeat` runs; on a shared machine the best is the figure, the
CPU column the one to trust. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from qcsync.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
ORG = "a" * 32
TICKS = os.sysconf("SC_CLK_TCK")


def seed(count: int) -> dict[str, Any]:
    projects = [{"name": f"Start/P{i:04d}"} for i in range(count)]
    return {
        "organizations": [{"id": ORG, "name": "Start", "preferred": True, "projects": projects}]
    }


def config(count: int) -> str:
    lines = ["version: 1", f"organization: {ORG}", 'scope: ["Start/"]', "projects:"]
    lines += [f"  - name: Start/P{i:04d}" for i in range(count)]
    return "\n".join(lines) + "\n"


def cpu_seconds(pid: int) -> float:
    """utime + stime of a running process, from /proc (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def first_request(emulator: Emulator, argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, client CPU) from the process's start to its first request's arrival."""
    seen: list[tuple[float, float]] = []
    respond = emulator.respond
    process: subprocess.Popen[bytes] | None = None

    def timed(**kwargs: Any) -> Any:
        if not seen and process is not None:
            seen.append((time.perf_counter(), cpu_seconds(process.pid)))
        return respond(**kwargs)

    emulator.respond = timed  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
        if process.wait() != 0:
            raise SystemExit(f"{argv[3:]} exited {process.returncode}")
    finally:
        emulator.respond = respond  # type: ignore[method-assign]
    arrived, cpu = seen[0]
    return arrived - started, cpu


def whole_run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) of a whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[3:]} exited {status}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def show(label: str, runs: list[tuple[float, float]]) -> None:
    walls, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
    print(
        f"  {label}: best {min(walls):.3f} s wall / {min(cpus):.2f} s CPU, "
        f"median {statistics.median(walls):.3f} s / {statistics.median(cpus):.2f} s CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--projects", type=int, default=100, help="projects in the plan's config")
    args = parser.parse_args()
    python = [sys.executable, "-m", "qcsync"]
    with tempfile.TemporaryDirectory() as folder, Emulator(seed=seed(args.projects)) as emulator:
        path = Path(folder) / "qcsync.yaml"
        path.write_text(config(args.projects), encoding="utf-8")
        env = {**os.environ, "QC_USER_ID": emulator.user_id, "QC_API_TOKEN": emulator.token}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
        sandbox_env = {**env, "QCSYNC_SANDBOX_STATE": str(Path(folder) / "sandbox.json")}
        plan = [*python, "--api-url", emulator.base_url, "plan", "-f", str(path)]
        starter = [*python, "--sandbox", "plan", "-f", str(ROOT / "examples" / "starter.yaml")]
        whole_run(plan, env)  # warms the bytecode cache
        whole_run(starter, sandbox_env)
        print(f"load average {os.getloadavg()[0]:.1f}; best and median of {args.repeat} runs")
        show(
            f"plan, {args.projects} projects: to the first request",
            [first_request(emulator, plan, env) for _ in range(args.repeat)],
        )
        show(
            "--sandbox plan of starter.yaml, whole run",
            [whole_run(starter, sandbox_env) for _ in range(args.repeat)],
        )
        show(
            "--version, whole run",
            [whole_run([*python, "--version"], env) for _ in range(args.repeat)],
        )


if __name__ == "__main__":
    main()

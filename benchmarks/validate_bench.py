"""Times `load_config` on a generated 50,000-project config (issue 3: well under a few seconds).

Run: .venv/bin/python benchmarks/validate_bench.py [--projects N]
Not a test: timings depend on the machine; this prints them for a person to read.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from qcsync.config import load_config
from qcsync.config.yamlsource import read_document

LANGUAGES = ("Py", "C#")


def generate(count: int) -> str:
    """A realistic big config: folders, ids, descriptions, node lists and `auto`."""
    lines = [
        "# yaml-language-server: $schema=../schemas/qcsync.schema.json",
        "version: 1",
        'scope: ["Generated/"]',
        "prune: false",
        'protect: ["Generated/Live/"]',
        "limits: {max_deletes: 3, max_delete_fraction: 0.3}",
        "defaults: {language: Py}",
        "projects:",
    ]
    for index in range(count):
        lines.append(f"  - name: Generated/Folder {index % 100}/Project {index}")
        lines.append(f"    id: {index + 1}")
        lines.append(f"    language: {LANGUAGES[index % 2]}")
        lines.append(f"    description: Strategy number {index}")
        if index % 3 == 0:
            lines.append('    nodes: [B4-12, "Research Node 1"]')
        elif index % 3 == 1:
            lines.append("    nodes: auto")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = generate(args.projects)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "qcsync.yaml"
        path.write_text(text, encoding="utf-8")
        print(f"{args.projects} projects, {len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines")
        raw = path.read_bytes()
        start = time.perf_counter()
        read_document(str(path), raw)
        print(f"  YAML only (read_document): {time.perf_counter() - start:.2f} s")
        best = best_cpu = float("inf")
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            state = load_config([path], dict(os.environ))
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        assert len(state.projects) == args.projects
        # CPU time as well: on a shared machine the wall clock also counts other processes.
        print(f"  load_config, best of {args.repeat}: {best:.2f} s ({best_cpu:.2f} s CPU)")


if __name__ == "__main__":
    main()

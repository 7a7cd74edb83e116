"""One set of counts: text, JSON, Markdown and the apply report say the same numbers (issue 16).

A new project's node selection belongs to its create (one block, one count); a project with a
rename and a node change counts once, as one update.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcsync.plan import summary_counts
from qcsync.plandoc import plan_from_json
from qcsync.render import render_markdown

from .conftest import Run
from .test_reconcile import assert_converged

EVERY_KIND = """
version: 1
scope: ["Strategies/"]
prune: true
limits: {max_deletes: 5, max_delete_fraction: 1}
projects:
  - name: Strategies/New A
    nodes: [B4-12, "Research Node 1"]
  - name: Strategies/New B
    language: C#
    description: Second new one
    nodes: [L-MICRO]
  - name: Strategies/Kept
    description: now described
    nodes: ["Fast Backtest 1"]
  - name: Strategies/Renamed
    renamed_from: ["Strategies/Old Name"]
"""


def seed_every_kind(emulator: Any) -> None:
    for name in ("Kept", "Old Name", "Gone 1", "Gone 2"):
        emulator.add_project(f"Strategies/{name}")


def test_text_json_markdown_and_the_apply_report_count_alike(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed_every_kind(emulator)
    write_config(EVERY_KIND)

    text = qcsync("plan")
    assert text.exit_code == 0, text.stderr
    summary = "Plan: 2 to create, 2 to update, 2 to delete, 0 unchanged."
    assert text.stdout.rstrip().endswith(summary)
    # Each create is one block that carries its nodes; there is no separate `(new)` nodes block.
    assert text.stdout.count("(new)") == 2
    assert "~ nodes Strategies/New" not in text.stdout
    new_a = text.stdout.split("+ create Strategies/New A (new)")[1].split("\n\n")[0]
    assert "nodes: Big Backtest (B4-12)" in new_a
    assert "Research Node 1 (R1-4)" in new_a

    document = json.loads(qcsync("plan", "--format", "json").stdout)
    assert document["format_version"] == 2
    assert document["summary"] == {
        "create": 2,
        "update": 2,
        "delete": 2,
        "unchanged": 0,
        "total": 6,
        "by_aspect": {"project": 2, "nodes": 3},
    }
    # Format 2: each aspect has its own change; a new project's nodes are a `nodes` create with
    # no project id yet, counted with its project's create.
    creates = [
        (c["aspect"], c["project"]["name"], sorted(c["after"]))
        for c in document["changes"]
        if c["action"] == "create"
    ]
    assert creates == [
        ("project", "Strategies/New A", ["language", "name"]),
        ("project", "Strategies/New B", ["description", "language", "name"]),
        ("nodes", "Strategies/New A", sorted(creates[2][2])),
        ("nodes", "Strategies/New B", sorted(creates[3][2])),
    ]
    assert len(creates[2][2]) == 2
    assert all(c[0] != "nodes" or c[1].startswith("Strategies/New") for c in creates)

    markdown = qcsync("plan", "--format", "markdown").stdout
    assert markdown.startswith(f"### {summary}")
    # The comment's shortest form counts the same projects.
    short = render_markdown(plan_from_json(document), limit=600)
    assert "| 2 | 2 | 2 | 0 |" in short
    assert "these 6 projects" in short

    applied = qcsync("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    assert "Apply complete: 2 created, 2 updated, 2 deleted in " in applied.stdout
    assert_converged(qcsync)


def test_the_counts_are_the_plans_own_summary(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed_every_kind(emulator)
    write_config(EVERY_KIND)
    document = json.loads(qcsync("plan", "--format", "json").stdout)
    summary = summary_counts(plan_from_json(document))
    counted = {k: v for k, v in document["summary"].items() if k not in ("total", "by_aspect")}
    assert counted == {
        "create": summary.create,
        "update": summary.update,
        "delete": summary.delete,
        "unchanged": summary.unchanged,
    }
    assert document["summary"]["total"] == summary.total
    # The text's line is made from the same numbers.
    lines = qcsync("plan").stdout.strip().splitlines()
    line = lines[-1]
    assert (
        lines[-2]
        == "Changes by aspect: "
        + ", ".join(f"{aspect} {count}" for aspect, count in summary.by_aspect)
        + "."
    )
    assert [int(n) for n in re.findall(r"\d+", line)] == [
        summary.create,
        summary.update,
        summary.delete,
        summary.unchanged,
    ]

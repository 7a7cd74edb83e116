"""Hostile names and messages from the API reach no terminal or Markdown raw (issue 10)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from qcsync.emulator import Fault

from .conftest import Run

HOSTILE_NAMES = [
    "Strategies/\x1b[2J\x1b[Hcleared",  # ESC: clear the screen
    "Strategies/\x1b]0;retitled\x07",  # OSC ... BEL: retitle the terminal
    "Strategies/done\rOVERWRITTEN",  # CR
    "Strategies/csi\x9b31m",  # 8-bit CSI
    "Strategies/`tick` ``double``",
    "Strategies/pipe | cell",
    "Strategies/</details><details open><summary>x</summary>",
    "Strategies/back\\|slash",
    "Strategies/line\nbreak",
]
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def seed_hostile(emulator: Any) -> None:
    for name in HOSTILE_NAMES:
        emulator.add_project(name, description="\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\")
    emulator.add_project("Strategies/live \x1b[5m`|</details>", code_running=True)


CONFIG = """
    version: 1
    scope: ["Strategies/"]
    prune: true
    limits: {max_deletes: 100, max_delete_fraction: 1}
    projects:
      - name: Strategies/Keep
"""


def outside_fences(markdown: str) -> list[str]:
    """The lines of a Markdown text that are not inside a fenced code block."""
    lines, fence = [], ""
    for line in markdown.split("\n"):
        run = re.match(r"^(`{3,})", line)
        if fence:
            if run and line.strip() == "`" * len(line.strip()) and len(run.group(1)) >= len(fence):
                fence = ""
            continue
        if run:
            fence = run.group(1)
            continue
        lines.append(line)
    assert not fence, "a code fence is never closed"
    return lines


def cell_borders(row: str) -> int:
    """Pipes that split a GitHub table row: a backslash escapes the character after it."""
    count, index = 0, 0
    while index < len(row):
        if row[index] == "\\":
            index += 2
            continue
        count += row[index] == "|"
        index += 1
    return count


def assert_well_formed_markdown(markdown: str) -> None:
    assert not RAW_CONTROL.search(markdown)
    lines = outside_fences(markdown)
    text = "\n".join(lines)
    assert text.count("<details>") == text.count("</details>") <= 1
    assert "<details open>" not in text
    assert "<summary>x" not in text
    rows = [line for line in lines if line.startswith("| ")]
    assert rows
    assert {cell_borders(row) for row in rows} == {5}
    # Outside the table and the fences, only qcsync's own HTML remains.
    assert set(re.findall(r"</?[a-z]+", text)) <= {"<details", "</details", "<summary", "</summary"}


@pytest.mark.parametrize("extra", [[], ["--allow-live"]], ids=["blocked", "allowed"])
def test_hostile_live_names_render_safely_in_text_and_markdown(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any, extra: list[str]
) -> None:
    seed_hostile(emulator)
    write_config(CONFIG)
    text = qcsync("plan", *extra)
    assert text.exit_code == (0 if extra else 4), text.stderr
    assert not RAW_CONTROL.search(text.stdout + text.stderr)
    assert "\\x1b[2J" in text.stdout
    assert "\\x1b]0;retitled\\x07" in text.stdout
    assert "done\\rOVERWRITTEN" in text.stdout
    markdown = qcsync("plan", "--format", "markdown", *extra)
    assert markdown.exit_code == text.exit_code
    assert_well_formed_markdown(markdown.stdout)
    document = qcsync("plan", "--format", "json", *extra)
    assert not RAW_CONTROL.search(document.stdout)
    names = {c["project"]["name"] for c in json.loads(document.stdout)["changes"]}
    assert set(HOSTILE_NAMES) <= names  # JSON keeps the exact names, escaped as JSON


def test_markdown_cut_short_for_size_is_still_well_formed(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed_hostile(emulator)
    for i in range(400):
        emulator.add_project(f"Strategies/filler `|</details> {i:03}")
    write_config(CONFIG)
    markdown = qcsync("plan", "--format", "markdown", "--allow-live", "--force")
    assert markdown.exit_code == 0, markdown.stderr
    assert "too long for a comment" in markdown.stdout
    assert not RAW_CONTROL.search(markdown.stdout)
    text = "\n".join(outside_fences(markdown.stdout))
    assert text.count("<details>") == text.count("</details>")


def test_a_saved_plan_with_hostile_names_shows_safely(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed_hostile(emulator)
    write_config(CONFIG)
    assert qcsync("plan", "-o", "plan.json", "--allow-live").exit_code == 0
    shown = qcsync("show", "plan.json")
    assert not RAW_CONTROL.search(shown.stdout + shown.stderr)
    assert_well_formed_markdown(qcsync("show", "plan.json", "--format", "markdown").stdout)


def test_service_errors_and_progress_lines_reach_the_terminal_escaped(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    seed_hostile(emulator)
    write_config(CONFIG)
    emulator.inject("projects/delete", Fault.business_error("\x1b]0;owned\x07\x1b[2Jboom"))
    result = qcsync("apply", "--auto-approve", "--allow-live", "--parallelism", "1")
    assert result.exit_code == 1
    assert not RAW_CONTROL.search(result.stdout + result.stderr)
    assert "\\x1b]0;owned\\x07\\x1b[2Jboom" in result.stderr + result.stdout


def test_import_writes_hostile_names_as_yaml_escapes_that_read_back_exactly(
    qcsync: Run, emulator: Any, workdir: Path
) -> None:
    names = ["Strategies/\u202egnp.exe", "Strategies/esc\x1b[2J", "Strategies/sep\u2028x"]
    for name in names:
        emulator.add_project(name, description="bidi \u2066isolate\u2069 \x9b")
    result = qcsync("import", "--prefix", "Strategies/", "-o", "imported.yaml")
    assert result.exit_code == 0, result.stderr
    text = (workdir / "imported.yaml").read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(text)
    assert not re.search("[\u2028\u2029]", text)
    document = yaml.safe_load(text)
    assert sorted(p["name"] for p in document["projects"]) == sorted(names)
    assert {p["description"] for p in document["projects"]} == {"bidi \u2066isolate\u2069 \x9b"}

"""examples/transcript.md is what qcsync prints today (issue 16), like the README's reference.

`python scripts/transcript.py` rewrites it after a deliberate change to qcsync's output.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "transcript.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qcsync_transcript", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_transcript_has_not_drifted_from_what_qcsync_prints() -> None:
    script = load_script()
    fresh = script.generate()
    current = script.TRANSCRIPT.read_text(encoding="utf-8")
    assert current == fresh, (
        "examples/transcript.md differs from a fresh sandbox session: run "
        "`python scripts/transcript.py` and review the diff"
    )


def test_the_transcript_shows_every_kind_of_change_then_nothing_left() -> None:
    text = (REPO / "examples" / "transcript.md").read_text(encoding="utf-8")
    for mark in ("+ create ", "~ rename ", "~ nodes ", "- delete ", "holds: ", "By folder:"):
        assert mark in text, mark
    assert "Apply complete: 1 created, 1 updated, 1 deleted" in text
    assert "[4/4 " in text
    last = text.split("## `qcsync plan --sandbox`")[-1]
    assert "No changes." in last
    assert "exit code 1" not in text

"""The emulator refuses input nested too deeply for Python in one line, never RecursionError
(issue 10): request bodies answer success: false; state and seed files name themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcsync.emulator import Emulator
from qcsync.emulator.__main__ import main

from .api import call

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_deeply_nested_json_body_is_a_business_error(emulator: Emulator) -> None:
    body = '{"projectId": ' + DEEP + "}"
    response = call(emulator, "projects/read", data=body, headers=None)
    assert response.status_code == 200
    answer = response.json()
    assert answer["success"] is False
    assert "Invalid JSON body" in answer["errors"][0]
    # The emulator is still serving.
    assert call(emulator, "projects/read").json()["success"] is True


def test_a_deeply_nested_state_file_is_refused_naming_it(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(DEEP, encoding="utf-8")
    with pytest.raises(ValueError, match=str(state)):
        Emulator(state_path=state)


def test_a_deeply_nested_seed_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(DEEP, encoding="utf-8")
    assert main(["--seed", str(seed), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(seed) in err
    assert "RecursionError" not in err

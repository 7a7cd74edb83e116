"""The token rule (issue 10, DESIGN.md §1): no config value may contain the API token after
expansion; the error names the location and the variable, never the value."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qcsync.config import parse_config
from qcsync.errors import ConfigError

from .conftest import Run
from .test_reconcile import write_endpoints

TOKEN = "0123456789abcdef" * 4


def issues_of(text: str, env: dict[str, str], **kwargs: Any) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        parse_config([("q.yaml", text.encode())], env, **kwargs)
    return [str(issue) for issue in refused.value.issues]


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ('"${QC_API_TOKEN}"', {"QC_API_TOKEN": TOKEN}, "${QC_API_TOKEN} is the API token"),
        ('"x ${QC_API_TOKEN:-none}"', {}, "${QC_API_TOKEN} is the API token"),
        (
            '"x ${HELD}"',
            {"QC_API_TOKEN": TOKEN, "HELD": TOKEN},
            "contains the API token (through ${HELD})",
        ),
        ('"x ${HELD}"', {"QC_API_TOKEN": TOKEN, "HELD": f"pre{TOKEN}post"}, "(through ${HELD})"),
        (
            '"${A}${B}"',
            {"QC_API_TOKEN": TOKEN, "A": TOKEN[:10], "B": TOKEN[10:]},
            "contains the API token",
        ),
        ('"${NONE:-' + TOKEN + '}"', {"QC_API_TOKEN": TOKEN}, "contains the API token"),
        (f'"written out {TOKEN}"', {"QC_API_TOKEN": TOKEN}, "contains the API token"),
    ],
)
@pytest.mark.parametrize("where", ["name", "description"])
def test_a_value_holding_the_token_is_refused_naming_where_and_how(
    value: str, env: dict[str, str], expected: str, where: str
) -> None:
    other = "description: ok" if where == "name" else "name: S/A"
    text = f"version: 1\nprojects:\n  - {other}\n    {where}: {value}\n"
    issues = issues_of(text, env)
    assert len(issues) == 1, issues
    assert issues[0].startswith(f"q.yaml:4:{7 + len(where)}: projects[0].{where}: ")
    assert expected in issues[0]
    assert TOKEN not in issues[0]
    assert TOKEN[:10] not in issues[0]


def test_a_token_known_from_the_lean_credentials_counts_too() -> None:
    issues = issues_of(
        "version: 1\nprojects:\n  - name: S/${X}\n", {"X": TOKEN}, known_tokens=[TOKEN]
    )
    assert "(through ${X})" in issues[0]


@pytest.mark.parametrize(
    "text",
    [
        f"version: 1\n{TOKEN}: 1\nprojects: []\n",
        f"version: 1\nprojects:\n  - name: S/A\n    x{TOKEN}: 1\n",
    ],
)
def test_a_key_holding_the_token_is_refused_without_quoting_it(text: str) -> None:
    issues = issues_of(text, {"QC_API_TOKEN": TOKEN})
    assert any("a key here contains the API token" in i for i in issues), issues
    assert not any(TOKEN in i for i in issues)


def test_other_variables_and_short_tokens_are_fine() -> None:
    env = {"QC_API_TOKEN": "short", "DESK": "Momentum"}
    state = parse_config(
        [("q.yaml", b"version: 1\nprojects:\n  - name: S/${DESK}\n    description: short\n")], env
    )
    assert state.projects[0].name == "S/Momentum"


CASES = {
    "QC_API_TOKEN in a description": ("S/A", "x ${QC_API_TOKEN}", {}),
    "QC_API_TOKEN in a name": ("S/${QC_API_TOKEN}", "ok", {}),
    "another variable in a description": ("S/A", "x ${DESK_KEY}", {"DESK_KEY": "TOKEN"}),
    "another variable in a name": ("S/${DESK_KEY}", "ok", {"DESK_KEY": "TOKEN"}),
}


@pytest.mark.parametrize("case", CASES)
def test_validate_and_plan_refuse_the_token_and_it_is_nowhere(
    qcsync: Run,
    write_config: Callable[..., Path],
    emulator: Any,
    workdir: Path,
    case: str,
) -> None:
    name, description, extra = CASES[case]
    env = {k: emulator.token if v == "TOKEN" else v for k, v in extra.items()}
    write_config(
        f"""
        version: 1
        projects:
          - name: "{name}"
            description: "{description}"
        """
    )
    emulator.clear_log()
    results = [
        qcsync("validate", env=env),
        qcsync("plan", "-o", "plan.json", env=env),
        qcsync("plan", "--format", "markdown", env=env),
        qcsync("plan", "--format", "json", env=env),
        qcsync("--debug", "apply", "--auto-approve", env=env),
    ]
    for result in results:
        assert result.exit_code == 1, result.stdout + result.stderr
        assert "qcsync.yaml:3:" in result.stderr or "qcsync.yaml:4:" in result.stderr
        assert "API token" in result.stderr
        variable = next(iter(extra), "QC_API_TOKEN")
        assert f"${{{variable}}}" in result.stderr
    assert not (workdir / "plan.json").exists()
    assert write_endpoints(emulator) == []
    for result in results:
        assert emulator.token not in result.stdout + result.stderr
    for path in workdir.rglob("*"):
        if path.is_file():
            assert emulator.token not in path.read_text(encoding="utf-8", errors="replace")
    assert not any(emulator.token in json.dumps(p) for p in emulator.projects())


def test_a_code_file_holding_the_token_is_refused_by_file_and_line_and_shown_nowhere(
    qcsync: Run,
    write_config: Callable[..., Path],
    emulator: Any,
    workdir: Path,
) -> None:
    # A plan shows file diffs in pull requests: a code file is config that reaches them too.
    code = workdir / "strategy"
    code.mkdir()
    (code / "main.py").write_text(f"# algorithm\nTOKEN = '{emulator.token}'\n", encoding="utf-8")
    (code / "research.ipynb").write_text("{}\n", encoding="utf-8")
    write_config(
        """
        version: 1
        projects:
          - name: S/Coded
            files: strategy
        """
    )
    emulator.clear_log()
    results = [
        qcsync("validate"),
        qcsync("plan", "-o", "plan.json"),
        qcsync("plan", "--format", "markdown"),
        qcsync("apply", "--auto-approve"),
    ]
    for result in results:
        assert result.exit_code == 1, result.stdout + result.stderr
        assert "files: main.py:2 contains the API token" in result.stderr
        assert "research.ipynb" not in result.stderr
        assert emulator.token not in result.stdout + result.stderr
    assert not (workdir / "plan.json").exists()
    assert write_endpoints(emulator) == []

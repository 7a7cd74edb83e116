"""No input makes `qcsync validate` crash: it exits 0 or 1, and never prints a traceback."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcsync.cli import main

# Pieces of YAML syntax, glued at random: most results are broken YAML, some are valid.
_fragments = st.sampled_from(
    [
        "version: 1\n",
        "projects:\n",
        "  - name: A\n",
        "  - ",
        "name: ",
        "nodes: ",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "- ",
        "  ",
        "\t",
        "\n",
        "&a ",
        "*a",
        "<<: ",
        "!!python/object ",
        "!!str ",
        "'",
        '"',
        "#",
        "---\n",
        "...\n",
        "${X}",
        "${",
        "$$",
        "auto",
        "Py",
        "C#",
        "~",
        "null",
        "yes",
        "0x1F",
        "1e9",
        ".nan",
        "2024-01-01",
        "?",
        "|",
        ">",
        "%YAML 1.1\n",
        "\\u0000",
        "é",
        "\x07",
        "CON",
        "a//b",
        "id: ",
        "renamed_from: ",
        "scope: ",
        "limits: ",
    ]
)
_yamlish = st.lists(_fragments, max_size=30).map("".join)
_raw = st.binary(max_size=60)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["auto", "Py", "C#", "Strategies/", "/", "", "${MISSING}", "$$", "CON/x"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
_project = st.fixed_dictionaries(
    {"name": st.sampled_from(["A", "B/C", "a//b", " x", "CON", "A"]) | _values},
    optional={
        "id": st.integers(min_value=-1, max_value=3) | _values,
        "language": st.sampled_from(["Py", "C#", "Python"]) | _values,
        "description": _values,
        "nodes": st.sampled_from(["auto", [], ["B4-12"], ["B4-12", "B4-12"]]) | _values,
        "renamed_from": st.lists(st.sampled_from(["A", "Old", ""]), max_size=2) | _values,
    },
)
_document = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 2, "1"]) | _values},
    optional={
        "organization": _values,
        "scope": st.lists(st.sampled_from(["A/", "", "/", "B"]), max_size=2) | _values,
        "prune": st.booleans() | _values,
        "protect": _values,
        "limits": st.fixed_dictionaries(
            {}, optional={"max_deletes": _values, "max_delete_fraction": _values}
        ),
        "defaults": st.fixed_dictionaries({}, optional={"language": _values}),
        "projects": st.lists(_project, max_size=4) | _values,
    },
)


def run_validate(contents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        args = ["validate"]
        for index, content in enumerate(contents):
            path = os.path.join(folder, f"f{index}.yaml")
            with open(path, "wb") as handle:
                handle.write(content)
            args += ["-f", path]
        result = CliRunner().invoke(main, args, env={"X": "1"}, catch_exceptions=True)
    output = result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert result.exit_code in (0, 1), output
    assert "Traceback" not in output
    assert "internal error" not in output


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(text=_yamlish)
def test_random_yamlish_text_exits_0_or_1_without_a_traceback(text: str) -> None:
    run_validate([text.encode("utf-8", errors="surrogatepass")])


@FUZZ
@given(raw=_raw)
def test_random_bytes_exit_0_or_1_without_a_traceback(raw: bytes) -> None:
    run_validate([raw])


@FUZZ
@given(documents=st.lists(_document, min_size=1, max_size=3))
def test_random_documents_shaped_like_configs_exit_0_or_1(documents: list[Any]) -> None:
    run_validate([yaml.safe_dump(document).encode() for document in documents])

"""The schema itself: a valid 2020-12 schema, examples that pass it, and the fast check that
must never call valid what jsonschema refuses."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from qcsync import config
from qcsync.config import load_config, load_schema
from qcsync.config.schema import fast_checks

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").rglob("*.yaml"))
SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def test_the_schema_is_a_valid_2020_12_schema_with_titles_and_descriptions() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    project = schema["$defs"]["project"]
    for name, field in [*schema["properties"].items(), *project["properties"].items()]:
        assert "description" in field or "$ref" in field, name
    assert project["additionalProperties"] is False
    assert schema["additionalProperties"] is False


def test_there_are_examples_to_check() -> None:
    names = {path.relative_to(REPO / "examples").as_posix() for path in EXAMPLES}
    assert {"starter.yaml", "realistic.yaml"} <= names
    assert len([name for name in names if name.startswith("split/")]) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_each_example_validates_against_the_schema_like_check_jsonschema(path: Path) -> None:
    # check-jsonschema reads the YAML as data and validates it; variables stay unexpanded
    # text, which the schema accepts wherever a string goes.
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(load_schema()).iter_errors(document))
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_each_example_names_the_schema_by_a_correct_relative_path(path: Path) -> None:
    found = SCHEMA_COMMENT.search(path.read_text(encoding="utf-8"))
    assert found is not None
    assert (path.parent / found.group(1)).resolve() == REPO / "schemas" / "qcsync.schema.json"


@pytest.mark.parametrize(
    "target", ["examples/starter.yaml", "examples/realistic.yaml", "examples/split"]
)
def test_each_example_loads_without_any_environment(target: str) -> None:
    state = load_config([REPO / target], {})
    assert state.projects


def test_the_installed_package_ships_the_schema() -> None:
    shipped = REPO / "qcsync" / "schemas" / "qcsync.schema.json"
    assert os.path.exists(shipped)
    assert config.schema_text() == (REPO / "schemas" / "qcsync.schema.json").read_text()


# Values shaped like config documents, with every kind of mistake mixed in.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "auto", "Auto", "Py", "C#", "Python", "B4-12", "A/B", "1"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
_projects = st.fixed_dictionaries(
    {},
    optional={
        "name": _values,
        "id": _values,
        "language": _values,
        "description": _values,
        "nodes": _values,
        "renamed_from": _values,
        "extra": _values,
    },
)
_documents = st.fixed_dictionaries(
    {},
    optional={
        "version": st.one_of(st.just(1), _values),
        "organization": _values,
        "scope": _values,
        "prune": _values,
        "protect": _values,
        "limits": st.fixed_dictionaries(
            {}, optional={"max_deletes": _values, "max_delete_fraction": _values}
        )
        | _values,
        "defaults": st.fixed_dictionaries({}, optional={"language": _values}) | _values,
        "projects": st.lists(_projects, max_size=3) | _values,
    },
)


@settings(max_examples=300, deadline=None)
@given(document=_documents)
def test_the_fast_check_agrees_with_jsonschema(document: Any) -> None:
    checks = fast_checks()
    assert checks is not None
    assert checks[0](document) == Draft202012Validator(load_schema()).is_valid(document)

"""What a valid config becomes: DesiredState values, merging, variables, and file reading."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcsync.config import load_config, load_schema, names, parse_config, schema_text
from qcsync.errors import ConfigError
from qcsync.model import DesiredProject, DesiredState, Limits, Location


def parse(*files: tuple[str, str], env: dict[str, str] | None = None) -> DesiredState:
    return parse_config([(name, text.encode()) for name, text in files], env or {})


def test_a_full_entry_becomes_a_desired_project() -> None:
    text = (
        "version: 1\n"
        "projects:\n"
        "  - name: Strategies/Carry\n"
        "    id: 23456789\n"
        "    language: C#\n"
        "    description: Roll yield\n"
        "    nodes: [B4-12, 'Research Node 1']\n"
        "    renamed_from: [Strategies/Old Carry]\n"
    )
    assert parse(("q.yaml", text)).projects == (
        DesiredProject(
            name="Strategies/Carry",
            location=Location("q.yaml", 3, 5),
            id=23456789,
            language="C#",
            description="Roll yield",
            nodes=("B4-12", "Research Node 1"),
            renamed_from=("Strategies/Old Carry",),
        ),
    )


@pytest.mark.parametrize(
    ("line", "field", "expected"),
    [
        ("", "nodes", None),
        ("    nodes: auto\n", "nodes", ()),
        ("    nodes: [B4-12]\n", "nodes", ("B4-12",)),
        ("", "language", None),
        ("", "description", None),
        ("    description: ''\n", "description", ""),
        ("    description: 2024-01-31\n", "description", "2024-01-31"),
        ("", "id", None),
        ("", "renamed_from", ()),
    ],
    ids=[
        "nodes omitted is unmanaged",
        "nodes auto is the empty selection",
        "nodes list is kept in order",
        "language omitted stays unmanaged",
        "description omitted is unmanaged",
        "empty description is managed",
        "date-like description stays text",
        "id omitted",
        "renamed_from omitted",
    ],
)
def test_omitted_fields_stay_unmanaged_and_given_ones_are_kept(
    line: str, field: str, expected: object
) -> None:
    state = parse(("q.yaml", f"version: 1\nprojects:\n  - name: A\n{line}"))
    assert getattr(state.projects[0], field) == expected


def test_settings_default_when_no_file_sets_them() -> None:
    state = parse(("q.yaml", "version: 1\n"))
    assert state == DesiredState(projects=(), files=("q.yaml",))


def test_settings_are_read_into_the_state() -> None:
    text = (
        "version: 1\norganization: abc\nscope: [Strategies/]\nprune: true\n"
        "protect: [Strategies/Live/, Strategies/Keep]\n"
        "limits: {max_deletes: 0, max_delete_fraction: 1}\ndefaults: {language: C#}\n"
    )
    state = parse(("q.yaml", text))
    assert (state.organization, state.scope, state.prune, state.protect) == (
        "abc",
        ("Strategies/",),
        True,
        ("Strategies/Live/", "Strategies/Keep"),
    )
    assert state.limits == Limits(max_deletes=0, max_delete_fraction=1.0)
    assert state.default_language == "C#"


def test_several_files_concatenate_projects_and_share_settings() -> None:
    state = parse(
        ("a.yaml", "version: 1\nscope: [A/]\nprojects:\n  - name: A/One\n"),
        ("b.yaml", "version: 1\nscope: [A/]\nprojects:\n  - name: A/Two\n"),
        ("c.yaml", "version: 1\nprune: true\n"),
    )
    assert [p.name for p in state.projects] == ["A/One", "A/Two"]
    assert (state.scope, state.prune) == (("A/",), True)
    assert state.files == ("a.yaml", "b.yaml", "c.yaml")
    assert state.projects[1].location == Location("b.yaml", 4, 5)


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ("${ORG}", {"ORG": "abc"}, "abc"),
        ("${ORG:-fallback}", {}, "fallback"),
        ("${ORG:-fallback}", {"ORG": ""}, "fallback"),
        ("${ORG:-fallback}", {"ORG": "set"}, "set"),
        ("${ORG:-}", {}, ""),
        ("pre-${A}-${B}-post", {"A": "1", "B": "2"}, "pre-1-2-post"),
        ("cost $$5", {}, "cost $5"),
        ("$${NOT_A_VAR}", {}, "${NOT_A_VAR}"),
        ("a lone $ stays", {}, "a lone $ stays"),
        ("${ORG}", {"ORG": "${NESTED}"}, "${NESTED}"),
    ],
    ids=[
        "variable",
        "default when unset",
        "default when empty",
        "value over default",
        "empty default",
        "several in one string",
        "double dollar is a dollar",
        "escaped reference stays literal",
        "lone dollar",
        "values are not expanded again",
    ],
)
def test_variables_expand_in_string_values(value: str, env: dict[str, str], expected: str) -> None:
    text = f"version: 1\nprojects:\n  - name: A\n    description: '{value}'\n"
    state = parse(("q.yaml", text), env=env)
    assert state.projects[0].description == expected


def test_variables_expand_behind_a_dollar_in_a_comment_and_through_escapes() -> None:
    # The '$' of the schema comment is no reason to walk the values, nor a sign that none
    # holds a variable: a double-quoted escape can spell one.
    text = (
        "# yaml-language-server: $schema=../schemas/qcsync.schema.json\n"
        "version: 1\nprojects:\n"
        '  - name: A\n    description: "\\x24{ORG} costs $$5"\n'
        "  - name: B\n    description: plain\n"
    )
    state = parse(("q.yaml", text), env={"ORG": "abc"})
    assert [p.description for p in state.projects] == ["abc costs $5", "plain"]


def test_a_token_spelled_with_escapes_is_still_refused() -> None:
    token = "0123456789abcdef"
    text = 'version: 1\nprojects:\n  - name: A\n    description: "\\x30123456789abcdef"\n'
    with pytest.raises(ConfigError) as caught:
        parse_config([("q.yaml", text.encode())], {"QC_API_TOKEN": token})
    (issue,) = caught.value.issues
    assert (issue.line, issue.path) == (4, "projects[0].description")
    assert "contains the API token" in issue.message
    assert token not in str(issue)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aCoNnMPLTUX19 /-_.\u00e9", max_size=14))
def test_the_fast_name_check_never_accepts_a_name_the_rules_refuse(name: str) -> None:
    if names._PLAINLY_VALID.fullmatch(name):
        assert names._path_problem(name, folder=False) is None


def test_variables_expand_in_names_and_lists() -> None:
    # In a flow list, "{" opens a mapping: a reference there needs quotes.
    text = "version: 1\nprojects:\n  - name: ${DESK}/Momentum\n    nodes: ['${NODE}']\n"
    state = parse(("q.yaml", text), env={"DESK": "Desk A", "NODE": "B4-12"})
    assert (state.projects[0].name, state.projects[0].nodes) == ("Desk A/Momentum", ("B4-12",))


def test_anchors_aliases_and_merge_keys_work() -> None:
    text = (
        "version: 1\n"
        "projects:\n"
        "  - &base {name: A, language: C#, nodes: &pair [B4-12, R8-16]}\n"
        "  - <<: *base\n"
        "    name: B\n"
        "  - {name: C, nodes: *pair}\n"
    )
    projects = parse(("q.yaml", text)).projects
    assert [(p.name, p.language, p.nodes) for p in projects] == [
        ("A", "C#", ("B4-12", "R8-16")),
        ("B", "C#", ("B4-12", "R8-16")),
        ("C", None, ("B4-12", "R8-16")),
    ]


def test_an_error_inside_an_alias_points_at_the_alias() -> None:
    text = "version: 1\nx: &n [B4-12]\nprojects:\n  - name: A\n    nodes: *n\n"
    with pytest.raises(ConfigError) as caught:
        parse(("q.yaml", text))
    assert [str(i) for i in caught.value.issues] == [
        "q.yaml:2:1: x: unknown key 'x'; expected one of: version, organization, scope, prune, "
        "protect, limits, defaults, projects"
    ]


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    state = parse_config([("q.yaml", b"\xef\xbb\xbfversion: 1\n")], {})
    assert state.files == ("q.yaml",)


def test_a_directory_means_its_yaml_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text("version: 1\nprojects: [{name: B}]\n")
    (tmp_path / "a.yaml").write_text("version: 1\nprojects: [{name: A}]\n")
    (tmp_path / "notes.txt").write_text("not config")
    (tmp_path / "nested.yaml").mkdir()
    state = load_config([tmp_path], {})
    assert state.files == (str(tmp_path / "a.yaml"), str(tmp_path / "b.yml"))
    assert [p.name for p in state.projects] == ["A", "B"]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text("version: 1\nprojects: [{name: A}]\n")
    state = load_config([tmp_path, tmp_path / "q.yaml"], {})
    assert len(state.projects) == 1


def test_missing_files_and_empty_directories_are_config_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config([missing, tmp_path / "empty"], {})
    assert [str(i) for i in caught.value.issues] == [
        f"{missing}:1:1: cannot read: No such file or directory",
        f"{tmp_path / 'empty'}:1:1: directory has no *.yaml or *.yml file",
    ]


def test_the_schema_text_is_the_shipped_file_and_parses() -> None:
    shipped = Path(__file__).resolve().parents[2] / "schemas" / "qcsync.schema.json"
    assert schema_text() == shipped.read_text(encoding="utf-8")
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["version"]["const"] == 1

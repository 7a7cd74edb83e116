"""Every config rule, one case each: the exact `FILE:LINE:COL: PATH: message` it reports."""

from __future__ import annotations

import time

import pytest

from qcsync.config import parse_config
from qcsync.errors import ConfigError

HEAD = "version: 1\nprojects:\n"


def issues_of(*files: tuple[str, str | bytes], env: dict[str, str] | None = None) -> list[str]:
    sources = [(name, text.encode() if isinstance(text, str) else text) for name, text in files]
    with pytest.raises(ConfigError) as caught:
        parse_config(sources, env or {})
    return [str(issue) for issue in caught.value.issues]


# (id, file text, expected issues): single-file cases, each named after the rule it shows.
SINGLE_FILE = [
    (
        "yaml syntax error",
        "version: 1\nprojects: [\n",
        [
            "c.yaml:3:1: YAML syntax error: expected the node content, but found '<stream end>' "
            "(while parsing a flow node)"
        ],
    ),
    (
        "tab indentation",
        "version: 1\nprojects:\n\t- name: A\n",
        ["c.yaml:3:1: YAML syntax error: tab character; YAML indents with spaces only"],
    ),
    (
        "duplicate key",
        HEAD + "  - name: A\n    name: B\n",
        ["c.yaml:4:5: projects[0].name: duplicate key 'name'; first given at line 3, column 5"],
    ),
    (
        "duplicate keys all reported",
        "version: 1\nversion: 1\nprune: true\nprune: false\n",
        [
            "c.yaml:2:1: version: duplicate key 'version'; first given at line 1, column 1",
            "c.yaml:4:1: prune: duplicate key 'prune'; first given at line 3, column 1",
        ],
    ),
    (
        "non-string key",
        "version: 1\n1: x\n",
        ["c.yaml:2:1: mapping keys must be strings, got '1'; quote it"],
    ),
    (
        # PyYAML's own constructor would fail with an IndexError on an empty `!!int`.
        "empty value with a number tag",
        "version: !!int\n",
        ["c.yaml:1:10: version: '' is not a valid int"],
    ),
    (
        "python tag refused",
        "version: !!python/object:os.system x\n",
        ["c.yaml:1:10: version: tag !!python/object:os.system is not allowed here"],
    ),
    (
        "unknown alias",
        HEAD + "  - name: A\n    nodes: *missing\n",
        ["c.yaml:4:12: projects[0].nodes: unknown alias *missing"],
    ),
    ("empty file", "", ["c.yaml:1:1: empty file; expected a mapping with 'version: 1'"]),
    (
        "comments only",
        "# nothing here\n",
        ["c.yaml:1:1: empty file; expected a mapping with 'version: 1'"],
    ),
    (
        "two documents",
        "version: 1\n---\nversion: 1\n",
        ["c.yaml:2:1: a second YAML document; a config file holds exactly one"],
    ),
    ("top level not a mapping", "- a\n", ["c.yaml:1:1: expected a mapping, got a list"]),
    ("missing version", "projects: []\n", ["c.yaml:1:1: missing required key 'version'"]),
    (
        "version other than 1",
        "version: 2\n",
        ["c.yaml:1:10: version: unsupported version 2; this qcsync reads version 1"],
    ),
    (
        "version of the wrong type",
        "version: '1'\n",
        ["c.yaml:1:10: version: expected an integer, got a string ('1')"],
    ),
    (
        "wrong type",
        "version: 1\nprune: yes please\n",
        ["c.yaml:2:8: prune: expected true or false, got a string ('yes please')"],
    ),
    (
        "number where text is needed",
        HEAD + "  - name: 2024\n",
        [
            "c.yaml:3:11: projects[0].name: expected a string, got an integer (2024); "
            "quote it to make it text"
        ],
    ),
    (
        "unknown key close to a known one",
        HEAD + "  - name: A\n    descripton: x\n",
        [
            "c.yaml:4:5: projects[0].descripton: unknown key 'descripton'; "
            "did you mean 'description'?"
        ],
    ),
    (
        "unknown key far from every known one",
        "version: 1\nfoo: 1\n",
        [
            "c.yaml:2:1: foo: unknown key 'foo'; expected one of: version, organization, scope, "
            "prune, protect, limits, defaults, projects"
        ],
    ),
    (
        "missing name",
        HEAD + "  - language: Py\n",
        ["c.yaml:3:5: projects[0]: missing required key 'name'"],
    ),
    (
        "bad language",
        HEAD + "  - name: A\n    language: Python\n",
        ["c.yaml:4:15: projects[0].language: 'Python' is not one of 'Py', 'C#'"],
    ),
    (
        "bad default language",
        "version: 1\ndefaults: {language: python}\n",
        ["c.yaml:2:22: defaults.language: 'python' is not one of 'Py', 'C#'"],
    ),
    (
        "id below one",
        HEAD + "  - name: A\n    id: 0\n",
        ["c.yaml:4:9: projects[0].id: must be at least 1, got 0"],
    ),
    (
        "negative max_deletes",
        "version: 1\nlimits: {max_deletes: -1}\n",
        ["c.yaml:2:23: limits.max_deletes: must be at least 0, got -1"],
    ),
    (
        "delete fraction above one",
        "version: 1\nlimits: {max_delete_fraction: 1.5}\n",
        ["c.yaml:2:31: limits.max_delete_fraction: must be at most 1, got 1.5"],
    ),
    (
        "delete fraction not a number",
        "version: 1\nlimits: {max_delete_fraction: .nan}\n",
        ["c.yaml:2:31: limits.max_delete_fraction: must be a number from 0 to 1, got nan"],
    ),
    (
        "empty name",
        HEAD + "  - name: ''\n",
        ["c.yaml:3:11: projects[0].name: must not be empty"],
    ),
    (
        "name with a character QuantConnect refuses",
        HEAD + "  - name: Strategies/Mo.mentum!\n",
        [
            "c.yaml:3:11: projects[0].name: 'Strategies/Mo.mentum!' contains '.', '!'; "
            "QuantConnect names use ASCII letters, digits, spaces, '-', '_' and '/' between folders"
        ],
    ),
    (
        "name with a non-ASCII letter",
        HEAD + "  - name: Stratégie\n",
        [
            "c.yaml:3:11: projects[0].name: 'Stratégie' contains 'é'; QuantConnect names use "
            "ASCII letters, digits, spaces, '-', '_' and '/' between folders"
        ],
    ),
    (
        "name with an empty folder",
        HEAD + "  - name: Strategies//Momentum\n",
        ["c.yaml:3:11: projects[0].name: 'Strategies//Momentum' has an empty folder ('//')"],
    ),
    (
        "name with a leading slash",
        HEAD + "  - name: /Momentum\n",
        [
            "c.yaml:3:11: projects[0].name: '/Momentum' starts with '/'; a name is a folder path "
            "without a leading '/'"
        ],
    ),
    (
        "name with a trailing slash",
        HEAD + "  - name: Strategies/\n",
        [
            "c.yaml:3:11: projects[0].name: 'Strategies/' ends with '/'; a project name cannot "
            "end in a folder separator"
        ],
    ),
    (
        "folder with a leading space",
        HEAD + "  - name: 'Strategies/ Momentum'\n",
        [
            "c.yaml:3:11: projects[0].name: 'Strategies/ Momentum': name ' Momentum' starts "
            "with a space"
        ],
    ),
    (
        "folder with a trailing space",
        HEAD + "  - name: 'Strategies /Momentum'\n",
        [
            "c.yaml:3:11: projects[0].name: 'Strategies /Momentum': folder 'Strategies ' ends "
            "with a space"
        ],
    ),
    (
        "reserved device name as a folder",
        HEAD + "  - name: Strategies/con/Momentum\n",
        [
            "c.yaml:3:11: projects[0].name: 'Strategies/con/Momentum': folder 'con' is a "
            "reserved Windows device name"
        ],
    ),
    (
        "reserved device name as the project",
        HEAD + "  - name: Strategies/LPT9\n",
        [
            "c.yaml:3:11: projects[0].name: 'Strategies/LPT9': name 'LPT9' is a reserved "
            "Windows device name"
        ],
    ),
    (
        "duplicate names in one file",
        HEAD + "  - name: A\n  - name: A\n",
        [
            "c.yaml:4:11: projects[1].name: duplicate project name 'A'; "
            "first declared at c.yaml:3:11"
        ],
    ),
    (
        "duplicate ids",
        HEAD + "  - name: A\n    id: 7\n  - name: B\n    id: 7\n",
        ["c.yaml:6:9: projects[1].id: duplicate project id 7; first declared at c.yaml:4:9"],
    ),
    (
        "duplicate former names",
        HEAD + "  - name: A\n    renamed_from: [Old]\n  - name: B\n    renamed_from: [Old]\n",
        [
            "c.yaml:6:20: projects[1].renamed_from[0]: duplicate former name 'Old'; first given "
            "at c.yaml:4:20"
        ],
    ),
    (
        "former name that is declared",
        HEAD + "  - name: A\n  - name: B\n    renamed_from: [A]\n",
        [
            "c.yaml:5:20: projects[1].renamed_from[0]: 'A' is the name of a project declared at "
            "c.yaml:3:11; a former name cannot also be declared"
        ],
    ),
    (
        "former name that is its own name",
        HEAD + "  - name: A\n    renamed_from: [A]\n",
        ["c.yaml:4:20: projects[0].renamed_from[0]: renamed_from names this project itself"],
    ),
    (
        "empty node list",
        HEAD + "  - name: A\n    nodes: []\n",
        [
            "c.yaml:4:12: projects[0].nodes: an empty node list selects nothing; write "
            "'nodes: auto' to let QuantConnect choose"
        ],
    ),
    (
        "nodes neither auto nor a list",
        HEAD + "  - name: A\n    nodes: Auto\n",
        ["c.yaml:4:12: projects[0].nodes: expected 'auto' or a list, got a string ('Auto')"],
    ),
    (
        "empty node reference",
        HEAD + "  - name: A\n    nodes: [B4-12, '']\n",
        ["c.yaml:4:20: projects[0].nodes[1]: must not be empty"],
    ),
    (
        "node reference that is a number",
        HEAD + "  - name: A\n    nodes: [12]\n",
        [
            "c.yaml:4:13: projects[0].nodes[0]: expected a string, got an integer (12); "
            "quote it to make it text"
        ],
    ),
    (
        "node reference with surrounding spaces",
        HEAD + "  - name: A\n    nodes: [' B4-12']\n",
        [
            "c.yaml:4:13: projects[0].nodes[0]: node reference ' B4-12' has leading or trailing "
            "whitespace"
        ],
    ),
    (
        "node reference with a control character",
        HEAD + '  - name: A\n    nodes: ["B4\\u000712"]\n',
        [
            "c.yaml:4:13: projects[0].nodes[0]: node reference 'B4\\x0712' contains a control "
            "character"
        ],
    ),
    (
        "node listed twice",
        HEAD + "  - name: A\n    nodes: [B4-12, B4-12]\n",
        ["c.yaml:4:20: projects[0].nodes[1]: node 'B4-12' is listed twice"],
    ),
    (
        "auto inside a node list",
        HEAD + "  - name: A\n    nodes: [auto]\n",
        [
            "c.yaml:4:13: projects[0].nodes[0]: 'auto' cannot be part of a list; write "
            "'nodes: auto' on its own"
        ],
    ),
    (
        "empty scope pattern",
        "version: 1\nscope: ['']\n",
        ["c.yaml:2:9: scope[0]: must not be empty"],
    ),
    (
        "slash alone as a protect pattern",
        "version: 1\nprotect: [/]\n",
        [
            "c.yaml:2:11: protect[0]: '/' is not a pattern; write a project name or a folder "
            "prefix ending in '/'"
        ],
    ),
    (
        "glob in a scope pattern",
        "version: 1\nscope: ['Strategies/*']\n",
        [
            "c.yaml:2:9: scope[0]: 'Strategies/*' contains '*'; QuantConnect names use ASCII "
            "letters, digits, spaces, '-', '_' and '/' between folders (patterns are exact names "
            "or folder prefixes ending in '/'; no globs)"
        ],
    ),
    (
        "scope pattern with an empty folder",
        "version: 1\nscope: ['A//']\n",
        ["c.yaml:2:9: scope[0]: 'A//' has an empty folder ('//')"],
    ),
    (
        "protect folder with a reserved name",
        "version: 1\nprotect: ['Desk/AUX/']\n",
        ["c.yaml:2:11: protect[0]: 'Desk/AUX/': folder 'AUX' is a reserved Windows device name"],
    ),
    (
        "undefined variable",
        "version: 1\norganization: ${QC_ORG}\n",
        [
            "c.yaml:2:15: organization: environment variable QC_ORG is not set "
            "(write ${QC_ORG:-default} to give a default)"
        ],
    ),
    (
        "unterminated variable",
        "version: 1\norganization: ${QC_ORG\n",
        ["c.yaml:2:15: organization: unterminated variable reference '${QC_ORG'; missing '}'"],
    ),
    (
        "malformed variable",
        "version: 1\norganization: ${1ORG}\n",
        [
            "c.yaml:2:15: organization: malformed variable reference '${1ORG}'; write ${NAME} or "
            "${NAME:-default} ($$ for a literal $)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in SINGLE_FILE], ids=[case[0] for case in SINGLE_FILE]
)
def test_each_rule_reports_its_exact_location_and_message(text: str, expected: list[str]) -> None:
    assert issues_of(("c.yaml", text)) == expected


BYTES_CASES = [
    (
        "non-UTF-8 bytes",
        b"version: 1\nprojects:\n  - name: Caf\xe9\n",
        ["c.yaml:3:14: not UTF-8 text: byte 0xe9 cannot be decoded"],
    ),
    (
        "binary file",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        ["c.yaml:3:1: binary file (NUL byte); expected UTF-8 YAML text"],
    ),
    (
        "UTF-16 text",
        "version: 1\n".encode("utf-16"),
        ["c.yaml:1:4: binary file (NUL byte); expected UTF-8 YAML text"],
    ),
    (
        "control character",
        b"version: 1\norganization: a\x07b\n",
        ["c.yaml:2:16: control character #x0007 is not allowed"],
    ),
]


@pytest.mark.parametrize(
    ("raw", "expected"), [case[1:] for case in BYTES_CASES], ids=[case[0] for case in BYTES_CASES]
)
def test_files_that_are_not_utf8_text_are_refused_at_the_first_bad_byte(
    raw: bytes, expected: list[str]
) -> None:
    assert issues_of(("c.yaml", raw)) == expected


CROSS_FILE = [
    (
        "duplicate names across files",
        [("a.yaml", HEAD + "  - name: A\n"), ("b.yaml", HEAD + "  - name: B\n  - name: A\n")],
        [
            "b.yaml:4:11: projects[1].name: duplicate project name 'A'; "
            "first declared at a.yaml:3:11"
        ],
    ),
    (
        "duplicate ids across files",
        [
            ("a.yaml", HEAD + "  - name: A\n    id: 5\n"),
            ("b.yaml", HEAD + "  - name: B\n    id: 5\n"),
        ],
        ["b.yaml:4:9: projects[0].id: duplicate project id 5; first declared at a.yaml:4:9"],
    ),
    (
        "former name declared in another file",
        [
            ("a.yaml", HEAD + "  - name: B\n    renamed_from: [A]\n"),
            ("b.yaml", HEAD + "  - name: A\n"),
        ],
        [
            "a.yaml:4:20: projects[0].renamed_from[0]: 'A' is the name of a project declared at "
            "b.yaml:3:11; a former name cannot also be declared"
        ],
    ),
    (
        "setting that differs between files",
        [("a.yaml", "version: 1\nscope: [A/]\n"), ("b.yaml", "version: 1\nscope: [B/]\n")],
        [
            "b.yaml:2:1: scope: differs from its value at a.yaml:2:1; a setting may be set in one "
            "file, or identically in every file that sets it"
        ],
    ),
    (
        "prune true in one file and 1 in another",
        [("a.yaml", "version: 1\nprune: true\n"), ("b.yaml", "version: 1\nprune: 1\n")],
        ["b.yaml:2:8: prune: expected true or false, got an integer (1)"],
    ),
    (
        "version missing from the second file",
        [("a.yaml", "version: 1\n"), ("b.yaml", "projects: []\n")],
        ["b.yaml:1:1: missing required key 'version'"],
    ),
    (
        "errors sorted by file order, then line",
        [("z.yaml", "version: 3\n"), ("a.yaml", "version: 1\nfoo: 1\nversion: 1\n")],
        [
            "z.yaml:1:10: version: unsupported version 3; this qcsync reads version 1",
            "a.yaml:3:1: version: duplicate key 'version'; first given at line 1, column 1",
        ],
    ),
]


@pytest.mark.parametrize(
    ("files", "expected"), [case[1:] for case in CROSS_FILE], ids=[case[0] for case in CROSS_FILE]
)
def test_rules_across_files_report_at_the_second_occurrence(
    files: list[tuple[str, str]], expected: list[str]
) -> None:
    assert issues_of(*files) == expected


def test_every_error_of_a_file_is_reported_at_once() -> None:
    text = HEAD + "  - name: A\n    language: Python\n  - id: 0\n  - name: a//b\n"
    assert issues_of(("c.yaml", text)) == [
        "c.yaml:4:15: projects[0].language: 'Python' is not one of 'Py', 'C#'",
        "c.yaml:5:5: projects[1]: missing required key 'name'",
        "c.yaml:5:9: projects[1].id: must be at least 1, got 0",
        "c.yaml:6:11: projects[2].name: 'a//b' has an empty folder ('//')",
    ]


def test_an_alias_bomb_is_refused_quickly() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        levels.append(f"a{level}: &a{level} [{refs}]")
    start = time.perf_counter()
    issues = issues_of(("c.yaml", "\n".join(levels) + "\n"))
    assert time.perf_counter() - start < 1.0
    assert issues == [
        "c.yaml:5:45: a4[7]: aliases expand to more than 100000 values; refusing the document "
        "(an alias bomb?)"
    ]


def test_deep_nesting_is_refused_without_a_recursion_error() -> None:
    assert issues_of(("c.yaml", "[" * 10_000 + "]" * 10_000)) == [
        "c.yaml:1:65: nested deeper than 64 levels"
    ]


def test_an_undefined_variable_is_named_even_inside_a_longer_string() -> None:
    text = HEAD + "  - name: A\n    description: built by ${CI_USER} on $$HOST\n"
    assert issues_of(("c.yaml", text)) == [
        "c.yaml:4:18: projects[0].description: environment variable CI_USER is not set "
        "(write ${CI_USER:-default} to give a default)"
    ]


def test_a_variable_that_expands_to_a_bad_value_is_checked_after_expansion() -> None:
    text = HEAD + "  - name: A\n    language: ${LANG_CHOICE}\n"
    assert issues_of(("c.yaml", text), env={"LANG_CHOICE": "Python"}) == [
        "c.yaml:4:15: projects[0].language: 'Python' is not one of 'Py', 'C#'"
    ]

"""Config files -> DesiredState: variables, schema validation, QuantConnect's rules, merging.

`parse_config` is the pure half: (file name, bytes) pairs and an environment in, a DesiredState
or a ConfigError carrying every issue out. `load_config` is the thin shell that reads files.
The JSON Schema in schemas/qcsync.schema.json is the one source of structural rules; this
module adds only what a schema cannot say (name rules, uniqueness across files, merging) and
turns validator errors into messages that point at the offending YAML node.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import json
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, Final, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from qcsync.errors import ConfigError, ConfigIssue
from qcsync.model import AUTO, LANGUAGES, DesiredProject, DesiredState, Language, Limits, Location
from qcsync.yamlsource import (
    Document,
    Path,
    YamlSourceError,
    format_path,
    paused_garbage_collection,
    read_document,
)

SETTINGS: Final = ("organization", "scope", "prune", "protect", "limits", "defaults")

_NAME_CHARACTERS: Final = re.compile(r"[-_a-zA-Z0-9/ ]*")
_RESERVED: Final = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)
_VARIABLE: Final = re.compile(r"\$(?:(\$)|\{([^}]*)(\})?)?")
_VARIABLE_BODY: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)
_TYPE_PHRASES: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


# --- schema -----------------------------------------------------------------------------------


def schema_text() -> str:
    """The config JSON Schema exactly as shipped, for `qcsync schema`."""
    return (importlib.resources.files("qcsync") / "schemas" / "qcsync.schema.json").read_text(
        encoding="utf-8"
    )


@functools.cache
def _schema() -> Mapping[str, Any]:
    return cast(dict[str, Any], json.loads(schema_text()))


def load_schema() -> dict[str, Any]:
    """A fresh copy of the config JSON Schema."""
    return cast(dict[str, Any], json.loads(schema_text()))


@functools.cache
def _validator() -> Draft202012Validator:
    # Built once: checking the schema and resolving its $refs is the expensive part.
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# --- a fast yes/no check compiled from the schema ---------------------------------------------
#
# jsonschema needs about 60 microseconds per project, three seconds for a 50,000-project file.
# Most files are valid, so a yes/no answer is compiled from the same schema into plain closures
# (a few microseconds per project); jsonschema runs only on the parts that answer no, to say
# why. The compiler knows a handful of keywords and refuses any other, so a schema change it
# does not understand falls back to jsonschema alone rather than to a wrong answer.

Check = Callable[[Any], bool]
_ANNOTATIONS: Final = frozenset(
    ["$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default"]
)


# Types whose JSON meaning is exactly one Python type (booleans are ints in Python, and JSON
# integers include 1.0, so those two go through _is_json_type).
_PYTHON_TYPES: Final[Mapping[str, type]] = {"string": str, "array": list, "object": dict}


class _Unsupported(Exception):
    pass


def _equal(one: Any, other: Any) -> bool:
    if isinstance(one, bool) or isinstance(other, bool):
        return type(one) is type(other) and one == other
    return bool(one == other)


def _is_json_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return _json_type(value) == kind


def _compile(schema: Any, root: Mapping[str, Any]) -> Check:
    """A function telling whether a value is valid under `schema`; never says yes wrongly."""
    if schema is True:
        return lambda value: True
    if not isinstance(schema, dict):
        raise _Unsupported(repr(schema))
    checks = [
        _compile_keyword(keyword, argument, schema, root)
        for keyword, argument in schema.items()
        if keyword not in _ANNOTATIONS
    ]
    if len(checks) == 1:
        return checks[0]

    def check_all(value: Any) -> bool:
        # A plain loop: all() over a generator costs a frame per call on this hot path.
        for check in checks:  # noqa: SIM110
            if not check(value):
                return False
        return True

    return check_all


def _compile_keyword(keyword: str, argument: Any, schema: Mapping[str, Any], root: Any) -> Check:
    if keyword == "$ref" and isinstance(argument, str) and argument.startswith("#/"):
        target: Any = root
        for part in argument[2:].split("/"):
            target = target[part]
        return _compile(target, root)
    if keyword == "type" and argument in _PYTHON_TYPES:
        python_type = _PYTHON_TYPES[argument]
        return lambda value: isinstance(value, python_type)
    if keyword == "type":
        kinds = [argument] if isinstance(argument, str) else list(argument)
        return lambda value: any(_is_json_type(value, kind) for kind in kinds)
    if keyword == "enum":
        return lambda value: any(_equal(value, option) for option in argument)
    if keyword == "const":
        return lambda value: _equal(value, argument)
    if keyword == "minimum":
        return lambda value: not _is_json_type(value, "number") or value >= argument
    if keyword == "maximum":
        return lambda value: not _is_json_type(value, "number") or value <= argument
    if keyword == "minLength":
        return lambda value: not isinstance(value, str) or len(value) >= argument
    if keyword == "minItems":
        return lambda value: not isinstance(value, list) or len(value) >= argument
    if keyword == "required":
        return lambda value: not isinstance(value, dict) or all(k in value for k in argument)
    if keyword == "properties":
        fields = {name: _compile(sub, root) for name, sub in argument.items()}

        def check_properties(value: Any) -> bool:
            if isinstance(value, dict):
                for key, item in value.items():
                    check = fields.get(key)
                    if check is not None and not check(item):
                        return False
            return True

        return check_properties
    if (
        keyword == "additionalProperties"
        and argument is False
        and "patternProperties" not in schema
    ):
        known = frozenset(schema.get("properties", {}))
        return lambda value: not isinstance(value, dict) or known.issuperset(value)
    if keyword == "items":
        item = _compile(argument, root)

        def check_items(value: Any) -> bool:
            if isinstance(value, list):
                for element in value:
                    if not item(element):
                        return False
            return True

        return check_items
    if keyword == "anyOf":
        branches = [_compile(sub, root) for sub in argument]
        return lambda value: any(branch(value) for branch in branches)
    raise _Unsupported(keyword)


@functools.cache
def _fast_checks() -> tuple[Check, Check] | None:
    """(whole document, one `projects` item) checks, or None if the schema is beyond them."""
    schema = _schema()
    try:
        return _compile(schema, schema), _compile(schema["$defs"]["project"], schema)
    except (_Unsupported, KeyError, TypeError):
        return None


# --- file reading (the imperative shell) ------------------------------------------------------


def load_config(paths: Sequence[str | os.PathLike[str]], env: Mapping[str, str]) -> DesiredState:
    """Read config files and directories (every *.yaml / *.yml directly inside, in name order)
    and parse them together. Raises ConfigError with every issue found."""
    sources: list[tuple[str, bytes]] = []
    issues: list[ConfigIssue] = []
    seen: set[str] = set()
    for file in _expand_paths(paths, issues):
        real = os.path.realpath(file)
        if real in seen:  # the same file named twice (a directory and a file in it)
            continue
        seen.add(real)
        try:
            sources.append((file, _read_regular_file(file)))
        except _NotAConfigFile as problem:
            issues.append(ConfigIssue(file, 1, 1, "", str(problem)))
        except OSError as error:
            issues.append(ConfigIssue(file, 1, 1, "", f"cannot read: {error.strerror or error}"))
    if issues:
        raise ConfigError(issues)
    return parse_config(sources, env)


# A config of 50,000 fully specified projects is about 7 MB; far beyond that is a mistake.
MAX_CONFIG_BYTES = 64 * 1024 * 1024


class _NotAConfigFile(Exception):
    pass


def _read_regular_file(file: str) -> bytes:
    """Read a regular file of sane size; devices and pipes (`-f /dev/zero`) would never end."""
    # Checked before opening: opening a named pipe blocks until someone writes to it.
    if not stat.S_ISREG(os.stat(file).st_mode):
        raise _NotAConfigFile("not a regular file")
    with open(file, "rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise _NotAConfigFile(f"larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB")
    return data


def _expand_paths(
    paths: Sequence[str | os.PathLike[str]], issues: list[ConfigIssue]
) -> Iterator[str]:
    for path in paths:
        name = os.fspath(path)
        if not os.path.isdir(name):
            yield name
            continue
        entries = sorted(
            entry
            for entry in os.listdir(name)
            if entry.endswith((".yaml", ".yml")) and os.path.isfile(os.path.join(name, entry))
        )
        if not entries:
            issues.append(ConfigIssue(name, 1, 1, "", "directory has no *.yaml or *.yml file"))
        yield from (os.path.join(name, entry) for entry in entries)


# --- parsing (pure) ---------------------------------------------------------------------------


def parse_config(sources: Sequence[tuple[str, bytes]], env: Mapping[str, str]) -> DesiredState:
    """Parse, validate and merge config files given as (display name, bytes) pairs, in order.

    Raises ConfigError carrying every issue, sorted by file (in the order given), line, column.
    """
    with paused_garbage_collection():
        return _parse_config(sources, env)


def _parse_config(sources: Sequence[tuple[str, bytes]], env: Mapping[str, str]) -> DesiredState:
    issues: list[ConfigIssue] = []
    checked: list[_Checked] = []
    for file, raw in sources:
        try:
            document = read_document(file, raw)
        except YamlSourceError as error:
            issues.extend(error.issues)
            continue
        data = document.data
        unexpanded: list[ConfigIssue] = []
        # Only a '$' (or an escape that could spell one) can start a variable: skip the walk.
        if b"$" in raw or b"\\" in raw:
            data = _expand_variables(document, data, (), env, unexpanded)
        issues.extend(unexpanded)
        # A value whose variable could not be expanded has no value to check.
        bad = _schema_issues(document, data, issues, {issue.path for issue in unexpanded})
        checked.append(_Checked(document, data, bad))
    state = _merge(checked, issues)
    if issues:
        order = {file: index for index, (file, _) in enumerate(sources)}
        issues.sort(key=lambda i: (order.get(i.file, len(order)), i.line, i.column, i.path))
        raise ConfigError(_unique(issues))
    return state


def _unique(issues: Iterable[ConfigIssue]) -> list[ConfigIssue]:
    return list(dict.fromkeys(issues))


@dataclass(frozen=True)
class _Checked:
    """A document after variables and the schema: its data and the paths the schema refused."""

    document: Document
    data: Any
    bad: frozenset[Path]

    def ok(self, path: Path) -> bool:
        """True when neither the value at `path` nor any value holding it failed the schema."""
        if not self.bad:
            return True
        return not any(path[:end] in self.bad for end in range(len(path) + 1))

    def clean(self, path: Path) -> bool:
        """True when no value at, above or below `path` failed the schema."""
        if not self.bad:
            return True
        return self.ok(path) and not any(bad[: len(path)] == path for bad in self.bad)

    def issue(self, path: Path, message: str, *, at_key: bool = False) -> ConfigIssue:
        where = self.document.locate_key(path) if at_key else self.document.locate(path)
        return ConfigIssue(where.file, where.line, where.column, format_path(path), message)


# --- variables --------------------------------------------------------------------------------


def _expand_variables(
    document: Document, value: Any, path: Path, env: Mapping[str, str], issues: list[ConfigIssue]
) -> Any:
    """A copy of `value` with ${VAR}, ${VAR:-default} and $$ expanded in every string value."""
    if isinstance(value, str):
        return _expand_string(document, value, path, env, issues) if "$" in value else value
    if isinstance(value, list):
        return [
            _expand_variables(document, item, (*path, index), env, issues)
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        return {
            key: _expand_variables(document, item, (*path, key), env, issues)
            for key, item in value.items()
        }
    return value


def _expand_string(
    document: Document, text: str, path: Path, env: Mapping[str, str], issues: list[ConfigIssue]
) -> str:
    def problem(message: str) -> str:
        where = document.locate(path)
        issues.append(ConfigIssue(where.file, where.line, where.column, format_path(path), message))
        return ""

    def replace(match: re.Match[str]) -> str:
        dollar, body, close = match.groups()
        if dollar:
            return "$"
        if body is None:  # a lone "$" is just a dollar sign
            return "$"
        if close is None:
            return problem(f"unterminated variable reference {match.group(0)!r}; missing '}}'")
        parsed = _VARIABLE_BODY.fullmatch(body)
        if parsed is None:
            return problem(
                f"malformed variable reference {match.group(0)!r}; "
                "write ${NAME} or ${NAME:-default} ($$ for a literal $)"
            )
        name, default = parsed.groups()
        found = env.get(name)
        if default is not None:
            return found or default  # like the shell's :-, an empty value takes the default
        if found is None:
            return problem(
                f"environment variable {name} is not set "
                f"(write ${{{name}:-default}} to give a default)"
            )
        return found

    return _VARIABLE.sub(replace, text)


# --- schema errors -> issues ------------------------------------------------------------------


def _schema_issues(
    document: Document, data: Any, issues: list[ConfigIssue], skip: Set[str] = frozenset()
) -> frozenset[Path]:
    """Validate against the schema; add one issue per problem; return the refused paths.
    Problems at the document paths in `skip` (written as in issues) are left out."""
    bad: set[Path] = set()
    found: list[tuple[Path, str, bool]] = []
    for error, prefix in _schema_errors(data):
        found.extend((prefix + path, message, at_key) for path, message, at_key in _explain(error))
    typed = {path for path, message, _ in found if message.startswith("expected ")}
    for path, message, at_key in found:
        # A value of the wrong type fails other keywords too; its type is the one to report.
        if path in typed and not message.startswith("expected "):
            continue
        bad.add(path)
        if skip and format_path(path) in skip:
            continue
        where = document.locate_key(path) if at_key else document.locate(path)
        issues.append(ConfigIssue(where.file, where.line, where.column, format_path(path), message))
    return frozenset(bad)


def _schema_errors(data: Any) -> Iterator[tuple[ValidationError, Path]]:
    """jsonschema's errors, each with the path its instance sits at, asking jsonschema only
    about the parts that the fast check refuses."""
    validator = _validator()
    checks = _fast_checks()
    if checks is None:
        yield from ((error, ()) for error in validator.iter_errors(data))
        return
    whole, project = checks
    if whole(data):
        return
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, list):
        yield from ((error, ()) for error in validator.iter_errors(data))
        return
    rest = {**data, "projects": []}
    yield from ((error, ()) for error in validator.iter_errors(rest))
    item_validator = validator.evolve(schema=_schema()["$defs"]["project"])
    for index, item in enumerate(projects):
        if not project(item):
            yield from ((error, ("projects", index)) for error in item_validator.iter_errors(item))


def _explain(error: ValidationError) -> Iterator[tuple[Path, str, bool]]:
    """(path, human message, located at the key rather than the value) for one schema error."""
    path: Path = tuple(error.absolute_path)
    instance: Any = error.instance
    keyword = error.validator
    value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "type":
        expected = [value] if isinstance(value, str) else list(value)
        phrase = " or ".join(_TYPE_PHRASES.get(t, t) for t in expected)
        hint = "; quote it to make it text" if "string" in expected and _is_scalar(instance) else ""
        yield path, f"expected {phrase}, got {_describe(instance)}{hint}", False
    elif keyword == "enum":
        options = ", ".join(repr(option) for option in value)
        yield path, f"{_show(instance)} is not one of {options}", False
    elif keyword == "const":
        if path == ("version",):
            yield path, f"unsupported version {_show(instance)}; this qcsync reads version 1", False
        else:
            yield path, f"expected {value!r}, got {_describe(instance)}", False
    elif keyword == "required":
        for name in cast(list[str], value):
            if isinstance(instance, dict) and name not in instance:
                yield path, f"missing required key {name!r}", False
    elif keyword == "additionalProperties":
        known = list(schema.get("properties", {}))
        for key in instance:
            if key not in known:
                yield (*path, key), _unknown_key(key, known), True
    elif keyword in ("minimum", "maximum"):
        bound = "at least" if keyword == "minimum" else "at most"
        yield path, f"must be {bound} {value}, got {_show(instance)}", False
    elif keyword == "minLength":
        yield path, "must not be empty", False
    elif keyword == "minItems" and path[-1:] == ("nodes",):
        yield (
            path,
            "an empty node list selects nothing; write 'nodes: auto' to let QuantConnect choose",
            False,
        )
    elif keyword == "minItems":
        yield path, "must not be an empty list", False
    elif keyword == "anyOf":
        yield from _explain_any_of(error, path)
    else:  # a keyword this module has no wording for yet: jsonschema's own words
        yield path, error.message, False


def _explain_any_of(error: ValidationError, path: Path) -> Iterator[tuple[Path, str, bool]]:
    branches = cast(list[dict[str, Any]], error.validator_value)
    kind = _json_type(error.instance)
    matching = [i for i, branch in enumerate(branches) if branch.get("type") == kind]
    if len(matching) == 1:
        # The value has the shape of one alternative: report what is wrong inside it.
        for sub in error.context or ():
            if sub.relative_schema_path and sub.relative_schema_path[0] == matching[0]:
                yield from _explain(sub)
        return
    options = " or ".join(
        repr(branch["const"]) if "const" in branch else _TYPE_PHRASES[branch.get("type", "")]
        for branch in branches
    )
    yield path, f"expected {options}, got {_describe(error.instance)}", False


def _unknown_key(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return f"unknown key {key!r}; expected one of: {', '.join(known)}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, list | dict)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return (
        repr(value) if _is_scalar(value) else ("a list" if isinstance(value, list) else "a mapping")
    )


def _describe(value: Any) -> str:
    kind = _json_type(value)
    if kind in ("array", "object"):
        return _TYPE_PHRASES[kind]
    if kind == "null":
        return "nothing (null)"
    article = "a boolean" if kind == "boolean" else _TYPE_PHRASES[kind]
    return f"{article} ({_show(value)})"


# --- rules beyond the schema ------------------------------------------------------------------


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid QuantConnect project name (qc-api.md §7), or None."""
    return _path_problem(name, folder=False)


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is not a scope/protect pattern (a name, or a folder prefix ending in '/')."""
    if pattern in ("", "/"):
        return (
            f"{pattern!r} is not a pattern; write a project name or a folder prefix ending in '/'"
        )
    problem = _path_problem(pattern, folder=pattern.endswith("/"))
    if problem and any(c in pattern for c in "*?[]"):
        problem += " (patterns are exact names or folder prefixes ending in '/'; no globs)"
    return problem


def _path_problem(text: str, *, folder: bool) -> str | None:
    """The first of QuantConnect's name rules that `text` breaks: a project name, or with
    `folder` a folder prefix that ends in '/'."""
    if not text:
        return "must not be empty"
    if _NAME_CHARACTERS.fullmatch(text) is None:
        bad = "".join(dict.fromkeys(c for c in text if _NAME_CHARACTERS.fullmatch(c) is None))
        shown = ", ".join(repr(c) for c in bad)
        return (
            f"{text!r} contains {shown}; QuantConnect names use ASCII letters, digits, spaces, "
            "'-', '_' and '/' between folders"
        )
    if text.startswith("/"):
        return f"{text!r} starts with '/'; a name is a folder path without a leading '/'"
    body = text[:-1] if folder else text
    if body.endswith("/") and not folder:
        return f"{text!r} ends with '/'; a project name cannot end in a folder separator"
    parts = body.split("/")
    for index, part in enumerate(parts):
        what = "folder" if folder or index < len(parts) - 1 else "name"
        if not part:
            return f"{text!r} has an empty folder ('//')"
        if part != part.strip(" "):
            edge = "starts" if part.startswith(" ") else "ends"
            return f"{text!r}: {what} {part!r} {edge} with a space"
        if part.upper() in _RESERVED:
            return f"{text!r}: {what} {part!r} is a reserved Windows device name"
    return None


def node_ref_problem(ref: str) -> str | None:
    """Why `ref` cannot be a node id, name or SKU, or None."""
    if ref != ref.strip():
        return f"node reference {ref!r} has leading or trailing whitespace"
    if any(not c.isprintable() for c in ref):
        return f"node reference {ref!r} contains a control character"
    if ref == AUTO:
        return "'auto' cannot be part of a list; write 'nodes: auto' on its own"
    return None


def _merge(checked: Sequence[_Checked], issues: list[ConfigIssue]) -> DesiredState:
    settings = _settings(checked, issues)
    projects = list(_projects(checked, issues))
    _check_uniqueness(projects, issues)
    limits_value: dict[str, Any] = settings.get("limits") or {}
    defaults_value: dict[str, Any] = settings.get("defaults") or {}
    return DesiredState(
        projects=tuple(entry.project for entry in projects if entry.project is not None),
        files=tuple(c.document.file for c in checked),
        organization=settings.get("organization"),
        scope=tuple(settings.get("scope") or ()),
        prune=bool(settings.get("prune", False)),
        protect=tuple(settings.get("protect") or ()),
        limits=Limits(
            max_deletes=int(limits_value.get("max_deletes", Limits.max_deletes)),
            max_delete_fraction=float(
                limits_value.get("max_delete_fraction", Limits.max_delete_fraction)
            ),
        ),
        default_language=cast(Language, defaults_value.get("language", "Py")),
    )


def _settings(checked: Sequence[_Checked], issues: list[ConfigIssue]) -> dict[str, Any]:
    """The top-level settings of all files: each set in one file, or identically in each."""
    merged: dict[str, Any] = {}
    first: dict[str, Location] = {}
    for document in checked:
        data = document.data
        if not isinstance(data, dict):
            continue
        for key in SETTINGS:
            if key not in data or not document.ok((key,)):
                continue
            value = data[key]
            if key in ("scope", "protect"):
                for index, pattern in enumerate(value):
                    problem = pattern_problem(pattern) if document.ok((key, index)) else None
                    if problem:
                        issues.append(document.issue((key, index), problem))
            if not document.clean((key,)):
                continue
            if key == "limits" and not math.isfinite(value.get("max_delete_fraction", 0.0)):
                issues.append(
                    document.issue(
                        ("limits", "max_delete_fraction"),
                        f"must be a number from 0 to 1, got {value['max_delete_fraction']}",
                    )
                )
            if key not in merged:
                merged[key], first[key] = value, document.document.locate_key((key,))
            elif not _same(merged[key], value):
                issues.append(
                    document.issue(
                        (key,),
                        f"differs from its value at {first[key]}; a setting may be set in one "
                        "file, or identically in every file that sets it",
                        at_key=True,
                    )
                )
    return merged


def _same(one: Any, other: Any) -> bool:
    # json.dumps tells True from 1 and 1 from 1.0, which == does not.
    return json.dumps(one, sort_keys=True) == json.dumps(other, sort_keys=True)


@dataclass(frozen=True)
class _Entry:
    """One `projects:` item: what the cross-file checks need, and the project if it is sound."""

    checked: _Checked
    path: Path
    name: str | None
    id: int | None
    renamed_from: tuple[tuple[int, str], ...]  # (index in the list, former name)
    project: DesiredProject | None


def _projects(checked: Sequence[_Checked], issues: list[ConfigIssue]) -> Iterator[_Entry]:
    for document in checked:
        data = document.data
        if not isinstance(data, dict) or not document.ok(("projects",)):
            continue
        for index, raw in enumerate(data.get("projects") or ()):
            path: Path = ("projects", index)
            if not document.ok(path):
                continue
            name = raw["name"] if document.ok((*path, "name")) else None
            if name is not None:
                problem = name_problem(name)
                if problem:
                    issues.append(document.issue((*path, "name"), problem))
            nodes = raw.get("nodes")
            if isinstance(nodes, list) and document.ok((*path, "nodes")):
                _check_nodes(document, (*path, "nodes"), nodes, issues)
            former = raw.get("renamed_from", ())
            yield _Entry(
                checked=document,
                path=path,
                name=name,
                id=int(raw["id"]) if "id" in raw and document.ok((*path, "id")) else None,
                renamed_from=tuple(
                    (i, old)
                    for i, old in enumerate(former)
                    if document.ok((*path, "renamed_from", i))
                )
                if document.ok((*path, "renamed_from"))
                else (),
                project=_project(document, path, raw) if document.clean(path) else None,
            )


def _check_nodes(
    document: _Checked, path: Path, nodes: Sequence[str], issues: list[ConfigIssue]
) -> None:
    seen: set[str] = set()
    for index, ref in enumerate(nodes):
        if not document.ok((*path, index)):
            continue
        problem = node_ref_problem(ref)
        if problem is None and ref in seen:
            problem = f"node {ref!r} is listed twice"
        seen.add(ref)
        if problem:
            issues.append(document.issue((*path, index), problem))


def _project(document: _Checked, path: Path, raw: Mapping[str, Any]) -> DesiredProject:
    nodes = raw.get("nodes")
    language = raw.get("language")
    return DesiredProject(
        name=raw["name"],
        location=document.document.locate(path),
        id=int(raw["id"]) if "id" in raw else None,
        language=cast(Language, language) if language in LANGUAGES else None,
        description=raw.get("description"),
        nodes=None if nodes is None else () if nodes == AUTO else tuple(nodes),
        renamed_from=tuple(raw.get("renamed_from", ())),
    )


def _check_uniqueness(entries: Sequence[_Entry], issues: list[ConfigIssue]) -> None:
    """Duplicate names, ids and former names across all files, reported at the second one;
    former names that are declared names."""
    # Where each was first seen, located only when a duplicate needs it.
    names: dict[str, tuple[_Entry, Path]] = {}
    ids: dict[int, tuple[_Entry, Path]] = {}
    former: dict[str, tuple[_Entry, Path]] = {}

    def first(
        seen: dict[Any, tuple[_Entry, Path]], key: Any, entry: _Entry, path: Path
    ) -> Location | None:
        earlier = seen.setdefault(key, (entry, path))
        if earlier[0] is entry and earlier[1] == path:
            return None
        return earlier[0].checked.document.locate(earlier[1])

    for entry in entries:
        path = entry.path
        if entry.name is not None:
            earlier = first(names, entry.name, entry, (*path, "name"))
            if earlier:
                message = f"duplicate project name {entry.name!r}; first declared at {earlier}"
                issues.append(entry.checked.issue((*path, "name"), message))
        if entry.id is not None:
            earlier = first(ids, entry.id, entry, (*path, "id"))
            if earlier:
                message = f"duplicate project id {entry.id}; first declared at {earlier}"
                issues.append(entry.checked.issue((*path, "id"), message))
        for index, old in entry.renamed_from:
            earlier = first(former, old, entry, (*path, "renamed_from", index))
            if earlier:
                message = f"duplicate former name {old!r}; first given at {earlier}"
                issues.append(entry.checked.issue((*path, "renamed_from", index), message))
    for entry in entries:
        for index, old in entry.renamed_from:
            where = (*entry.path, "renamed_from", index)
            if old == entry.name:
                issues.append(entry.checked.issue(where, "renamed_from names this project itself"))
            elif old in names:
                issues.append(
                    entry.checked.issue(
                        where,
                        f"{old!r} is the name of a project declared at "
                        f"{names[old][0].checked.document.locate(names[old][1])}; a former "
                        "name cannot also be declared",
                    )
                )

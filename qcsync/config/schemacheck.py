"""Schema errors -> ConfigIssues: one message per problem, located at the offending YAML node.

jsonschema runs only on the parts the fast check refuses; its errors are reworded here so a user
reads `expected a string, got an integer (3)` rather than the validator's own words. Pure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence, Set
from typing import TYPE_CHECKING, Any, Final, cast

from qcsync.config.located import Document, Path, format_path
from qcsync.config.schema import cached_schema, fast_checks, json_type, validator
from qcsync.errors import ConfigIssue

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPE_PHRASES: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def schema_issues(
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
    checks = fast_checks()
    if checks is None:
        yield from ((error, ()) for error in validator().iter_errors(data))
        return
    whole, project = checks
    if whole(data):
        return
    validate = validator()
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, list):
        yield from ((error, ()) for error in validate.iter_errors(data))
        return
    rest = {**data, "projects": []}
    yield from ((error, ()) for error in validate.iter_errors(rest))
    item_validator = validate.evolve(schema=cached_schema()["$defs"]["project"])
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
    kind = json_type(error.instance)
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
    kind = json_type(value)
    if kind in ("array", "object"):
        return _TYPE_PHRASES[kind]
    if kind == "null":
        return "nothing (null)"
    article = "a boolean" if kind == "boolean" else _TYPE_PHRASES[kind]
    return f"{article} ({_show(value)})"

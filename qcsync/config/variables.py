"""`${VAR}`, `${VAR:-default}` and `$$` in config string values (DESIGN.md §1). Pure: the
environment is passed in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from qcsync.config.yamlsource import Document, Path, format_path
from qcsync.errors import ConfigIssue

_VARIABLE: Final = re.compile(r"\$(?:(\$)|\{([^}]*)(\})?)?")
_VARIABLE_BODY: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)


def expand_variables(
    document: Document, value: Any, path: Path, env: Mapping[str, str], issues: list[ConfigIssue]
) -> Any:
    """A copy of `value` with ${VAR}, ${VAR:-default} and $$ expanded in every string value."""
    if isinstance(value, str):
        return _expand_string(document, value, path, env, issues) if "$" in value else value
    if isinstance(value, list):
        return [
            expand_variables(document, item, (*path, index), env, issues)
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        return {
            key: expand_variables(document, item, (*path, key), env, issues)
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

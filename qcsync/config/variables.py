"""`${VAR}`, `${VAR:-default}` and `$$` in config string values, and the token rule
(DESIGN.md §1). Pure: the environment and the API tokens are passed in.

The token rule: no config value may contain the API token once expanded, whether it came through
`${QC_API_TOKEN}`, another variable holding it, a default or the text itself. A plan is posted to
pull requests and a description is sent to QuantConnect, so such a value is an error that names
its location and the variable, never the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from qcsync.config.located import Document, Path, format_path
from qcsync.errors import ConfigIssue

_VARIABLE: Final = re.compile(r"\$(?:(\$)|\{([^}]*)(\})?)?")
_VARIABLE_BODY: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)
TOKEN_VARIABLE: Final = "QC_API_TOKEN"
# Shorter "tokens" (a test's "x") would match everywhere; QuantConnect's are 64 hex digits.
MIN_TOKEN_LENGTH: Final = 8
_WHY: Final = "a plan is posted to pull requests, so no config value may contain the API token"
# What json.dumps(ensure_ascii=False) writes as an escape rather than as itself.
_JSON_ESCAPED: Final = re.compile(r'[\x00-\x1f"\\]')


def api_tokens(env: Mapping[str, str], known: Collection[str] = ()) -> frozenset[str]:
    """The tokens the token rule looks for: QC_API_TOKEN and any the caller knows of (the
    QuantConnect CLI's credentials file), ignoring implausibly short ones."""
    candidates = [env.get(TOKEN_VARIABLE, ""), *known]
    return frozenset(t.strip() for t in candidates if len(t.strip()) >= MIN_TOKEN_LENGTH)


def may_hold_token(raw: bytes, tokens: Collection[str]) -> bool:
    """Whether a file's text could spell a token without a variable (the cheap pre-check)."""
    return any(token.encode() in raw for token in tokens)


def may_need_expansion(data: Any, tokens: Collection[str]) -> bool:
    """Whether any string in `data` (keys included) holds a '$' or one of `tokens`: without
    one, expanding changes nothing. A '$' in the bytes is often only in a comment (the
    `# yaml-language-server: $schema=...` line), and one JSON dump in C is several times
    cheaper than the walk in Python."""
    if any(_JSON_ESCAPED.search(token) for token in tokens):
        return True  # the dump would spell such a token differently
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):  # pragma: no cover - composed YAML is always JSON-able
        return True
    return "$" in text or any(token in text for token in tokens)


def expand_variables(
    document: Document,
    value: Any,
    path: Path,
    env: Mapping[str, str],
    issues: list[ConfigIssue],
    tokens: Collection[str] = (),
) -> Any:
    """A copy of `value` with ${VAR}, ${VAR:-default} and $$ expanded in every string value;
    a value that holds one of `tokens` afterwards is an issue (and is left empty)."""
    if isinstance(value, str):
        if "$" in value or (tokens and any(t in value for t in tokens)):
            return _expand_string(document, value, path, env, issues, tokens)
        return value
    if isinstance(value, list):
        return [
            expand_variables(document, item, (*path, index), env, issues, tokens)
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        expanded = {}
        for key, item in value.items():
            if tokens and isinstance(key, str) and any(t in key for t in tokens):
                # Named by where it is, not by itself: the key's text is the secret. Dropped,
                # so that no later check quotes it.
                where = document.locate_key((*path, key))
                issues.append(
                    ConfigIssue(
                        where.file,
                        where.line,
                        where.column,
                        format_path(path),
                        f"a key here contains the API token; {_WHY}",
                    )
                )
                continue
            expanded[key] = expand_variables(document, item, (*path, key), env, issues, tokens)
        return expanded
    return value


def _expand_string(
    document: Document,
    text: str,
    path: Path,
    env: Mapping[str, str],
    issues: list[ConfigIssue],
    tokens: Collection[str],
) -> str:
    used: list[str] = []
    refused: list[str] = []

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
        if name == TOKEN_VARIABLE:
            refused.append(name)
            return problem(f"${{{name}}} is the API token; {_WHY}")
        used.append(name)
        found = env.get(name)
        if default is not None:
            return found or default  # like the shell's :-, an empty value takes the default
        if found is None:
            return problem(
                f"environment variable {name} is not set "
                f"(write ${{{name}:-default}} to give a default)"
            )
        return found

    expanded = _VARIABLE.sub(replace, text)
    if refused:  # nothing of the value is checked further: its other errors could quote it
        return ""
    if tokens and any(token in expanded for token in tokens):
        holders = [n for n in used if any(t in env.get(n, "") for t in tokens)]
        via = f" (through ${{{holders[0]}}})" if holders else ""
        return problem(f"contains the API token{via}; {_WHY}")
    return expanded

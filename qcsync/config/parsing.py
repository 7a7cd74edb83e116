"""The pure half of config loading: (file name, bytes) pairs and an environment in, a
DesiredState or a ConfigError carrying every issue out.

Each file is read with locations, its variables expanded, checked against the schema; then all
files are merged. No I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from qcsync.config.merging import Checked, merge
from qcsync.config.schemacheck import schema_issues
from qcsync.config.variables import (
    api_tokens,
    expand_variables,
    may_hold_token,
    may_need_expansion,
)
from qcsync.config.yamlsource import YamlSourceError, paused_garbage_collection, read_document
from qcsync.errors import ConfigError, ConfigIssue
from qcsync.model import DesiredState


def parse_config(
    sources: Sequence[tuple[str, bytes]],
    env: Mapping[str, str],
    *,
    known_tokens: Collection[str] = (),
) -> DesiredState:
    """Parse, validate and merge config files given as (display name, bytes) pairs, in order.

    `known_tokens`: API tokens besides $QC_API_TOKEN that no value may contain (the token rule).
    Raises ConfigError carrying every issue, sorted by file (in the order given), line, column.
    """
    with paused_garbage_collection():
        return _parse_config(sources, env, api_tokens(env, known_tokens))


def _parse_config(
    sources: Sequence[tuple[str, bytes]], env: Mapping[str, str], tokens: Collection[str]
) -> DesiredState:
    issues: list[ConfigIssue] = []
    checked: list[Checked] = []
    for file, raw in sources:
        try:
            document = read_document(file, raw)
        except YamlSourceError as error:
            issues.extend(error.issues)
            continue
        data = document.data
        unexpanded: list[ConfigIssue] = []
        # Only a '$' (or an escape that could spell one) can start a variable, and a token
        # written out would be in the bytes: otherwise skip the walk. Then the same question
        # about the parsed strings, which leaves out comments.
        if (b"$" in raw or b"\\" in raw or may_hold_token(raw, tokens)) and may_need_expansion(
            data, tokens
        ):
            data = expand_variables(document, data, (), env, unexpanded, tokens)
        issues.extend(unexpanded)
        # A value whose variable could not be expanded has no value to check.
        bad = schema_issues(document, data, issues, {issue.path for issue in unexpanded})
        checked.append(Checked(document, data, bad))
    state = merge(checked, issues)
    if issues:
        order = {file: index for index, (file, _) in enumerate(sources)}
        issues.sort(key=lambda i: (order.get(i.file, len(order)), i.line, i.column, i.path))
        raise ConfigError(_unique(issues))
    return state


def _unique(issues: Iterable[ConfigIssue]) -> list[ConfigIssue]:
    return list(dict.fromkeys(issues))

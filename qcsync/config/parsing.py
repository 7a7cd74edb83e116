"""The pure half of config loading: (file name, bytes) pairs and an environment in, a
DesiredState or a ConfigError carrying every issue out.

Each file is read with locations, its variables expanded, checked against the schema; then all
files are merged. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from qcsync.config.merging import Checked, merge
from qcsync.config.schemacheck import schema_issues
from qcsync.config.variables import expand_variables
from qcsync.config.yamlsource import YamlSourceError, paused_garbage_collection, read_document
from qcsync.errors import ConfigError, ConfigIssue
from qcsync.model import DesiredState


def parse_config(sources: Sequence[tuple[str, bytes]], env: Mapping[str, str]) -> DesiredState:
    """Parse, validate and merge config files given as (display name, bytes) pairs, in order.

    Raises ConfigError carrying every issue, sorted by file (in the order given), line, column.
    """
    with paused_garbage_collection():
        return _parse_config(sources, env)


def _parse_config(sources: Sequence[tuple[str, bytes]], env: Mapping[str, str]) -> DesiredState:
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
        # Only a '$' (or an escape that could spell one) can start a variable: skip the walk.
        if b"$" in raw or b"\\" in raw:
            data = expand_variables(document, data, (), env, unexpanded)
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

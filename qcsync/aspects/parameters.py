"""The `parameters` aspect: the values a project's backtests and optimizations read
(`parameters: {NAME: VALUE}` in an entry; DESIGN.md §1.1).

Left out, the parameters are unmanaged; `{}` means none. Values are strings: a YAML number or
boolean is sent as its YAML text (`20` -> "20", `true` -> "true"). The live parameters come with
`projects/read`, so this aspect makes no read of its own. The API replaces them only as a
whole (`projects/update`, form-encoded as QuantConnect's CLI sends it, qc-api.md §4.10a), so a
project's parameters are one change (one request), whose rendering shows each parameter added,
changed or removed. Order is not compared: the service keeps the order sent, qcsync sends the
config's.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final, assert_never

from qcsync.aspects.base import (
    BadValue,
    Diff,
    Executed,
    Execution,
    FromBackup,
    InProjectsRead,
    Section,
    Subject,
    confirmed,
)
from qcsync.model import DesiredProject, LiveProject, LiveState, Parameter
from qcsync.plan import Action, Change, JsonValue, Plan

NAME: Final = "parameters"


def parameter_text(value: object) -> str:
    """A config value as the string the API stores: YAML's own text for a number or boolean."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    return str(value)


def desired_parameters(entry: DesiredProject) -> dict[str, str] | None:
    written = entry.written.get(NAME)
    if not isinstance(written, Mapping):
        return None
    return {str(key): parameter_text(value) for key, value in written.items()}


def parameter_changes(
    before: Mapping[str, str], after: Mapping[str, str]
) -> list[tuple[str, str | None, str | None]]:
    """(name, old, new) for each parameter added (old None), changed, or removed (new None):
    the removed in live order after the others in config order. Pure."""
    found: list[tuple[str, str | None, str | None]] = [
        (key, before.get(key), value) for key, value in after.items() if before.get(key) != value
    ]
    found.extend((key, value, None) for key, value in before.items() if key not in after)
    return found


def _counted(changes: Sequence[tuple[str, str | None, str | None]]) -> str:
    added = sum(1 for _, old, _new in changes if old is None)
    removed = sum(1 for _, _old, new in changes if new is None)
    changed = len(changes) - added - removed
    parts = [(added, "added"), (changed, "changed"), (removed, "removed")]
    return "parameters: " + ", ".join(f"{n} {what}" for n, what in parts if n)


class ParametersAspect(InProjectsRead):
    name: Final = NAME
    noun: Final = "parameters"

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        wanted = desired_parameters(subject.entry)
        if wanted is None:
            return Diff()
        project = subject.project
        if project is None:
            if not wanted:
                return Diff()  # a new project has none
            found = parameter_changes({}, wanted)
            change = Change(
                NAME, Action.CREATE, subject.entry.name, None, None, wanted, _counted(found)
            )
            return Diff((change,))
        have = live_parameters(project)
        found = parameter_changes(have, wanted)
        if not found and len(have) == len(project.parameters):
            return Diff()
        reason = _counted(found) if found else "parameters: a name is listed twice in QuantConnect"
        change = Change(NAME, Action.UPDATE, subject.entry.name, project.id, have, wanted, reason)
        return Diff((change,))

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        if not self.was_read(project, live):
            return None
        return live_parameters(project)

    # --- show -----------------------------------------------------------------------------------

    def verb(self, change: Change) -> str:
        return NAME

    def show(self, change: Change, plan: Plan) -> list[str]:
        before = _mapping(change.before)
        after = _mapping(change.after)
        lines: list[str] = []
        for key, old, new in parameter_changes(before, after):
            if old is None:
                lines.append(f"+ parameter {_quoted(key)}: {_quoted(new)}")
            elif new is None:
                lines.append(f"- parameter {_quoted(key)}: {_quoted(old)}")
            else:
                lines.append(f"~ parameter {_quoted(key)}: {_quoted(old)} -> {_quoted(new)}")
        return lines

    def waits_for(self, change: Change) -> str | None:
        return None

    def live_risk(self, change: Change) -> str:
        match change.action:
            case Action.CREATE | Action.UPDATE | Action.DELETE:
                return ""  # read when a backtest or deployment starts, never by a running one
            case _ as unreachable:
                assert_never(unreachable)

    def value(self, raw: object) -> JsonValue:
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise BadValue("expected null or an object of parameter names to string values")
        return dict(raw)

    # --- execute --------------------------------------------------------------------------------

    def execute(self, run: Execution, change: Change) -> Executed:
        pid = run.project_id(change)
        wanted = _mapping(change.after)
        pairs = [Parameter(k, v) for k, v in wanted.items()]
        client = run.client
        confirmed(
            client,
            lambda: client.update_parameters(pid, pairs),
            lambda: live_parameters(client.read_project(pid)) == wanted,
        )
        return Executed("parameters cleared" if not pairs else f"{len(pairs)} parameters set", pid)

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        actual = live_parameters(project)
        if actual != _mapping(change.after):
            return [f"parameters are {json.dumps(actual)}, expected {json.dumps(change.after)}"]
        return []

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        # `$` starts a variable in config strings (DESIGN.md §1); `$$` is a literal one.
        return {NAME: {p.key: p.value.replace("$", "$$") for p in project.parameters}}

    # --- backup ---------------------------------------------------------------------------------

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        return [{"key": p.key, "value": p.value} for p in project.parameters]

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        return restored  # a parameter names nothing else in the organization

    def from_backup(self, section: Section, where: str) -> FromBackup:
        if section is None:
            return FromBackup()  # a backup made before parameters were kept: left alone
        if not isinstance(section, list):
            return FromBackup(problems=(f"{where}: parameters: expected a list",))
        problems: list[str] = []
        values: dict[str, str] = {}
        for index, item in enumerate(section):
            key = item.get("key") if isinstance(item, Mapping) else None
            value = item.get("value") if isinstance(item, Mapping) else None
            if not isinstance(key, str) or not isinstance(value, str):
                problems.append(f"{where}: parameters[{index}]: expected key and value strings")
            elif not key.strip():
                # projects/update refuses it (the emulator too): found now, not after the create.
                problems.append(f"{where}: parameters[{index}]: the key is empty")
            elif key in values:
                problems.append(f"{where}: parameters[{index}] {key!r}: listed twice")
            else:
                values[key] = value
        if problems:
            return FromBackup(problems=tuple(problems))
        return FromBackup(written={NAME: values})


def live_parameters(project: LiveProject) -> dict[str, str]:
    return {p.key: p.value for p in project.parameters}


def _mapping(value: JsonValue) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _quoted(value: str | None) -> str:
    return json.dumps(value, ensure_ascii=False)


PARAMETERS: Final = ParametersAspect()

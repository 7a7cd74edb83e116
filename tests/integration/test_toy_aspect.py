"""A toy aspect, registered by this test only, goes through every stage with no change outside
its own class: the planner, the three renderings, the plan document, the applier, the saved-plan
comparison (the stale check), the convergence checks (re-plan and verify_applied), import, and
a backup and its restore (the toy's own section, checked by the toy and narrowed by its
`available` to what the organization still has, whose warning the restore carries).

The toy manages one file of a project, `toy.txt`, from an entry key `toy:` (read from the entry
as written: the config schema does not know it, so the test builds its DesiredState directly).
Not code, so the files aspect never manages it: one owner per file.
This is ARCHITECTURE.md's "how to add an aspect", step by step.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest

from qcsync import aspects
from qcsync.apply import apply_plan, verify_applied
from qcsync.aspects.base import (
    BadValue,
    Diff,
    Executed,
    Execution,
    FromBackup,
    Mapper,
    Section,
    Subject,
    confirmed,
    read_of,
)
from qcsync.backup import read_backup, take_backup
from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Emulator
from qcsync.errors import BackupError
from qcsync.importer import export_config
from qcsync.model import DesiredProject, DesiredState, LiveProject, LiveState, Location
from qcsync.plan import Action, Change, JsonValue, Plan, summary_counts
from qcsync.plandoc import plan_from_json, plan_to_json
from qcsync.planfile import plan_differences
from qcsync.planner import plan
from qcsync.render import render_json, render_markdown, render_text
from qcsync.restore import How, restore
from qcsync.restorecheck import check_backup
from qcsync.safety import safety_violations
from qcsync.state import read_everything, read_live_state

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TOY_FILE: Final = "toy.txt"


# --- step 1: the aspect, in one class (a real one would be one module under qcsync/aspects/) ----


@dataclasses.dataclass(frozen=True)
class ToyRead:
    contents: Mapping[int, str | None]  # project id -> toy.py's content, None: no such file


class ToyAspect:
    name: Final = "toy"
    noun: Final = "toy file"

    def declared(self, entry: DesiredProject) -> bool:
        return "toy" in entry.written

    def read(
        self,
        client: QCClient,
        organization_id: str,
        entries: Sequence[DesiredProject],
        project_ids: Sequence[int],
        map_: Mapper,
        known: Mapping[int, object],
    ) -> object:
        def content(pid: int) -> str | None:
            files = {f.name: f.content for f in client.read_files(pid)}
            return files.get(TOY_FILE)

        return ToyRead(dict(zip(project_ids, map_(content, project_ids), strict=True)))

    def diff(self, subject: Subject, live: LiveState) -> Diff:
        want = str(subject.entry.written["toy"])
        project = subject.project
        if project is None:
            change = Change(self.name, Action.CREATE, subject.entry.name, None, None, want, "new")
            return Diff((change,))
        read = read_of(live, self.name, ToyRead)
        if read is None or project.id not in read.contents:
            return Diff(problems=(f"{subject.where}: toy not read",))
        have = read.contents[project.id]
        if have == want:
            return Diff()
        action = Action.CREATE if have is None else Action.UPDATE
        change = Change(
            self.name, action, subject.entry.name, project.id, have, want, "toy differs"
        )
        return Diff((change,))

    def fingerprint(self, project: LiveProject, live: LiveState) -> JsonValue:
        read = read_of(live, self.name, ToyRead)
        if read is None or project.id not in read.contents:
            return None
        return read.contents[project.id]

    def verb(self, change: Change) -> str:
        return "toy"

    def show(self, change: Change, plan: Plan) -> list[str]:
        return [f"toy: {change.before!r} -> {change.after!r}"]

    def waits_for(self, change: Change) -> str | None:
        return None

    def live_risk(self, change: Change) -> str:
        return ""

    def value(self, raw: object) -> JsonValue:
        if raw is not None and not isinstance(raw, str):
            raise BadValue("expected a string or null")
        return raw

    def execute(self, run: Execution, change: Change) -> Executed:
        pid = run.project_id(change)
        content = str(change.after)
        client = run.client

        def landed() -> bool:
            return any(f.name == TOY_FILE and f.content == content for f in client.read_files(pid))

        if (change.before is None and change.project_id is not None) or change.project_id is None:
            confirmed(client, lambda: client.create_file(pid, TOY_FILE, content), landed)
        else:
            confirmed(client, lambda: client.update_file(pid, TOY_FILE, content), landed)
        return Executed("toy written", pid)

    def verify(self, change: Change, project: LiveProject, live: LiveState) -> list[str]:
        actual = self.fingerprint(project, live)
        return [] if actual == change.after else [f"toy is {actual!r}, expected {change.after!r}"]

    def export(self, project: LiveProject, live: LiveState) -> Mapping[str, Any]:
        read = read_of(live, self.name, ToyRead)
        content = None if read is None else read.contents.get(project.id)
        return {} if content is None else {"toy": content}

    def backed_up(self, project: LiveProject, live: LiveState) -> Section:
        read = read_of(live, self.name, ToyRead)
        return None if read is None else read.contents.get(project.id)

    def available(self, restored: FromBackup, live: LiveState) -> FromBackup:
        # A toy text `needs NAME` names another project; left out when it is gone, like a
        # library link.
        text = str(restored.written.get("toy", ""))
        needed = text.removeprefix("needs ")
        if text == needed or any(p.name == needed and not p.binned for p in live.projects):
            return restored
        return FromBackup(warnings=(f"toy needs {needed}, which no longer exists; not restored.",))

    def from_backup(self, section: Section, where: str) -> FromBackup:
        if section is None:
            return FromBackup()
        if not isinstance(section, str):
            return FromBackup(problems=(f"{where}: toy: expected a string",))
        return FromBackup(written={"toy": section})


# --- step 2: registered (here for this test only; in the package, in ASPECTS) --------------------


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aspects, "ASPECTS", (*aspects.ASPECTS, ToyAspect()))


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
    with QCClient(emulator.base_url, credentials, backoff=0.01, create_settle=0.0) as qc:
        yield qc


def desired(emulator: Emulator, **toys: str) -> DesiredState:
    entries = tuple(
        DesiredProject(name=name, location=Location("q.yaml", i + 1, 5), written={"toy": toy})
        for i, (name, toy) in enumerate(toys.items())
    )
    return DesiredState(projects=entries, organization=emulator.preferred_organization_id)


def planned(client: QCClient, state: DesiredState) -> Plan:
    return plan(state, read_live_state(client, state))


def toy_content(client: QCClient, name: str) -> str | None:
    project = next(p for p in client.list_projects() if p.name == name)
    return {f.name: f.content for f in client.read_files(project.id)}.get(TOY_FILE)


def test_a_toy_aspect_goes_through_every_stage_without_a_change_outside_it(
    emulator: Emulator, client: QCClient, tmp_path: Path
) -> None:
    emulator.add_project("S/Old", files={TOY_FILE: "v1"})
    # Dict keys become entry names: S/Old exists with an old toy file, S/New does not.
    state = desired(emulator, **{"S/Old": "print('old')", "S/New": "print('new')"})

    # Planner: the toy's changes, next to the project aspect's create of S/New.
    first = planned(client, state)
    kinds = [(c.aspect, c.action.value, c.name) for c in first.changes]
    assert kinds == [
        ("project", "create", "S/New"),
        ("toy", "create", "S/New"),
        ("toy", "update", "S/Old"),
    ]
    assert summary_counts(first).by_aspect == (("toy", 2),)

    # The three renderings: text and Markdown show the toy's lines (S/New's in its create's
    # block), JSON carries it and reads back through the toy's `value`.
    text = render_text(first)
    assert "  ~ toy S/Old (id " in text
    new_block = text.split("  + create S/New (new)")[1].split("\n\n")[0]
    assert "toy: None -> \"print('new')\"" in new_block
    assert "Changes by aspect: toy 2." in text
    markdown = render_markdown(first)
    assert "| `~` | toy | `S/Old`" in markdown
    assert "toy: 'v1' -> \"print('old')\"" in markdown
    document = json.loads(render_json(first))
    assert [c["aspect"] for c in document["changes"]] == ["project", "toy", "toy"]
    assert plan_from_json(plan_to_json(first)) == first
    assert safety_violations(first) == ()

    # The stale check: a saved plan is applied only if a fresh plan equals it; an edit of the
    # toy file since moves the toy's fingerprint, which the comparison names.
    old = next(p for p in client.list_projects() if p.name == "S/Old")
    client.update_file(old.id, TOY_FILE, "v2")
    stale = planned(client, state)
    assert plan_differences(first, stale) == [
        f"toy S/Old (id {old.id}): different toy; the project changed since the plan was made (toy)"
    ]

    # The applier executes each toy change through the toy; S/New's runs with its create.
    report = apply_plan(client, stale, now=NOW, backup_root=tmp_path / "backups")
    assert report.ok, [(r.change.name, r.outcome, r.message) for r in report.results]
    assert toy_content(client, "S/Old") == "print('old')"
    assert toy_content(client, "S/New") == "print('new')"

    # The convergence checks: verify_applied asks the toy, and a re-plan finds nothing to do.
    assert verify_applied(client, stale) == []
    assert planned(client, state).changes == ()

    # And a broken toy write is named by the convergence check.
    client.update_file(old.id, TOY_FILE, "drifted")
    assert verify_applied(client, stale) == [
        "toy S/Old: toy is 'drifted', expected \"print('old')\""
    ]

    # Import asks each aspect for its fields: the toy's come out too.
    organization = emulator.preferred_organization_id
    projects = tuple(p for p in client.list_projects() if p.organization_id == organization)
    exported = export_config(read_everything(client, organization, projects, 4))
    assert "toy: drifted" in exported

    # Backup and restore: the backup holds the toy's own section, and a restore of the purged
    # project brings the toy file back through the toy (the files section, which holds it
    # too as every file, is emptied here so that only the toy can restore it).
    path = take_backup(client, old, tmp_path / "backups", NOW)
    document = read_backup(path)
    assert document["toy"] == "drifted"
    document["files"] = [f for f in document["files"] if f["name"] != TOY_FILE]
    hostile = {**document, "toy": ["not", "a", "string"]}
    emulator.clear_log()
    with pytest.raises(BackupError, match=f"^{re.escape(str(path))}: toy: expected a string$"):
        restore(client, path, hostile)
    assert emulator.writes() == []
    client.delete_project(old.id)
    emulator.advance_clock(days=31)
    restored = restore(client, path, document)
    assert restored.how is How.RECREATED
    assert restored.warnings == ()
    assert toy_content(client, "S/Old") == "drifted"
    # What the organization no longer has, the toy leaves out (`available`), and the restore
    # says so with the toy's own words.
    needy = {**document, "toy": "needs Gone/Lib"}
    elsewhere = restore(client, tmp_path / "needs.json", needy, name="S/Needs")
    assert elsewhere.warnings == ("toy needs Gone/Lib, which no longer exists; not restored.",)
    assert toy_content(client, "S/Needs") is None
    wanted = check_backup(needy, "S/Needs", "needs.json")
    live = read_live_state(client, wanted.desired(elsewhere.project.id))
    assert plan(wanted.available(live).desired(elsewhere.project.id), live).changes == ()

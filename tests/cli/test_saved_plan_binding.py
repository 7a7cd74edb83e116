"""A saved plan is trusted for nothing (issue 10, DESIGN.md §4): `apply PLANFILE` re-reads the
config it was made from (digests checked), plans afresh and applies only if that plan equals
the saved one. Every tampering below exits 1 naming what differs, with no write."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Run, api
from .test_reconcile import assert_converged, org_projects

Tamper = Callable[[dict[str, Any], dict[str, int]], None]


@pytest.fixture
def account(emulator: Any) -> dict[str, int]:
    return {
        "A": emulator.add_project("Strategies/A", description="old"),
        "Gone": emulator.add_project("Strategies/Gone"),
        "Protected": emulator.add_project("Strategies/Live/P"),
        "Out": emulator.add_project("Research/Out"),
        "Other": emulator.add_project(
            "Strategies/Other", organization_id=emulator.other_organization_id
        ),
        "Running": emulator.add_project("Strategies/Running", code_running=True),
    }


def config_text(account: dict[str, int], description: str = "new") -> str:
    return f"""
        version: 1
        scope: ["Strategies/"]
        protect: ["Strategies/Live/"]
        prune: true
        limits: {{max_deletes: 1, max_delete_fraction: 1}}
        projects:
          - name: Strategies/A
            description: {description}
          - name: Strategies/Running v2
            id: {account["Running"]}
        """


@pytest.fixture
def saved(
    qcsync: Run, write_config: Callable[..., Path], account: dict[str, int], workdir: Path
) -> dict[str, Any]:
    write_config(config_text(account))
    planned = qcsync("plan", "-o", "plan.json", "--allow-live")
    assert planned.exit_code == 0, planned.stderr
    document: dict[str, Any] = json.loads((workdir / "plan.json").read_text(encoding="utf-8"))
    assert [c["action"] for c in document["changes"]] == ["update", "update", "delete"]
    return document


def change(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in document["changes"] if c["project"]["name"] == name)


def extra_delete(key: str, name: str) -> Tamper:
    def tamper(document: dict[str, Any], ids: dict[str, int]) -> None:
        forged = copy.deepcopy(change(document, "Strategies/Gone"))
        forged["project"] = {"id": ids[key], "name": name}
        forged["fingerprint"]["project"]["name"] = name
        document["changes"].append(forged)

    return tamper


def raise_limits(document: dict[str, Any], ids: dict[str, int]) -> None:
    document["limits"] = {"max_deletes": 100, "max_delete_fraction": 1}


def null_fingerprint(document: dict[str, Any], ids: dict[str, int]) -> None:
    change(document, "Strategies/A")["fingerprint"] = None


def live_flipped(document: dict[str, Any], ids: dict[str, int]) -> None:
    change(document, "Strategies/Running v2")["live"] = False


def edited_after(document: dict[str, Any], ids: dict[str, int]) -> None:
    after = change(document, "Strategies/A")["after"]
    assert list(after) == ["description"]
    after["description"] = "pwned"


def other_organization(document: dict[str, Any], ids: dict[str, int]) -> None:
    document["organization"] = "other-org"


def edited_fingerprint(document: dict[str, Any], ids: dict[str, int]) -> None:
    change(document, "Strategies/A")["fingerprint"]["project"]["description"] = "what it said once"


def dropped_change(document: dict[str, Any], ids: dict[str, int]) -> None:
    document["changes"] = [c for c in document["changes"] if c["action"] != "delete"]


def delete_retargeted(document: dict[str, Any], ids: dict[str, int]) -> None:
    # The delete's id pointed at another in-scope project, the one the config declares.
    forged = change(document, "Strategies/Gone")
    forged["project"]["id"] = ids["A"]


def duplicated(document: dict[str, Any], ids: dict[str, int]) -> None:
    document["changes"].append(copy.deepcopy(change(document, "Strategies/Gone")))


def reordered(document: dict[str, Any], ids: dict[str, int]) -> None:
    document["changes"].reverse()  # the delete first, before the renames it may depend on


def lookalike(document: dict[str, Any], ids: dict[str, int]) -> None:
    change(document, "Strategies/A")["project"]["name"] = "Strategies/\u0391"  # Greek Alpha


TAMPERINGS: dict[str, tuple[Tamper, str]] = {
    "extra delete out of scope": (
        extra_delete("Out", "Research/Out"),
        "delete Research/Out (id {Out}): in the plan file, but not in a fresh plan",
    ),
    "extra delete of a protected project": (
        extra_delete("Protected", "Strategies/Live/P"),
        "delete Strategies/Live/P (id {Protected}): in the plan file, but not in a fresh plan",
    ),
    "extra delete in another organization": (
        extra_delete("Other", "Strategies/Other"),
        "delete Strategies/Other (id {Other}): in the plan file, but not in a fresh plan",
    ),
    "the plan's organization changed": (other_organization, "organization: the plan file says"),
    "raised limits": (
        raise_limits,
        "limits: the plan file says max_deletes=100, max_delete_fraction=1; "
        "the config says max_deletes=1",
    ),
    "null fingerprint": (
        null_fingerprint,
        ".fingerprint: a change to an existing project (id {A}) must carry its fingerprint",
    ),
    "live flipped": (
        live_flipped,
        "update Strategies/Running v2 (id {Running}): live trading started since the plan",
    ),
    "edited after": (edited_after, "update Strategies/A (id {A}): different description"),
    "edited fingerprint": (
        edited_fingerprint,
        "update Strategies/A (id {A}): the project changed since the plan was made (description)",
    ),
    "a change left out": (
        dropped_change,
        "delete Strategies/Gone (id {Gone}): in a fresh plan of the config, but not in the plan",
    ),
    "a delete pointed at another in-scope project": (
        delete_retargeted,
        "delete Strategies/Gone (id {A}): in the plan file, but not in a fresh plan",
    ),
    "a change duplicated": (
        duplicated,
        "delete Strategies/Gone (id {Gone}): in the plan file, but not in a fresh plan",
    ),
    "changes reordered": (reordered, "the changes are in a different order than in a fresh plan"),
    "a lookalike name": (
        lookalike,
        "update Strategies/\u0391 (id {A}): name 'Strategies/A' in a fresh plan",
    ),
}


@pytest.mark.parametrize("case", TAMPERINGS)
@pytest.mark.parametrize("flags", [[], ["--allow-live", "--force"]], ids=["plain", "forced"])
def test_a_tampered_plan_is_refused_naming_the_difference_with_no_write(
    qcsync: Run,
    emulator: Any,
    workdir: Path,
    saved: dict[str, Any],
    account: dict[str, int],
    case: str,
    flags: list[str],
) -> None:
    tamper, expected = TAMPERINGS[case]
    tamper(saved, account)
    (workdir / "tampered.json").write_text(json.dumps(saved), encoding="utf-8")
    before = {name: emulator.project(pid) for name, pid in account.items()}
    emulator.clear_log()
    result = qcsync("apply", "tampered.json", *flags)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert expected.format(**account) in result.stderr
    assert emulator.writes() == []
    assert {name: emulator.project(pid) for name, pid in account.items()} == before


def test_the_untampered_plan_still_applies_and_converges(
    qcsync: Run, emulator: Any, saved: dict[str, Any], account: dict[str, int]
) -> None:
    result = qcsync("apply", "plan.json", "--allow-live")
    assert result.exit_code == 0, result.stdout + result.stderr
    projects = org_projects(emulator)
    assert projects["Strategies/A"]["description"] == "new"
    assert "Strategies/Gone" not in projects
    assert projects["Strategies/Running v2"]["projectId"] == account["Running"]
    assert emulator.project(account["Out"]) is not None
    assert emulator.project(account["Protected"]) is not None
    assert_converged(qcsync, "--allow-live")


def test_the_live_guard_still_holds_for_the_untampered_plan(
    qcsync: Run, emulator: Any, saved: dict[str, Any]
) -> None:
    emulator.clear_log()
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 4
    assert "--allow-live" in result.stderr
    assert emulator.writes() == []


def test_a_config_edited_between_plan_and_apply_is_refused(
    qcsync: Run,
    emulator: Any,
    write_config: Callable[..., Path],
    saved: dict[str, Any],
    account: dict[str, int],
) -> None:
    write_config(config_text(account, description="edited after review"))
    emulator.clear_log()
    result = qcsync("apply", "plan.json", "--allow-live")
    assert result.exit_code == 1
    assert "qcsync.yaml: differs from the config the plan was made from (sha256" in result.stderr
    assert emulator.writes() == []


def test_the_config_can_be_named_with_f_when_it_moved(
    qcsync: Run, emulator: Any, workdir: Path, saved: dict[str, Any], account: dict[str, int]
) -> None:
    (workdir / "elsewhere").mkdir()
    shutil.move(workdir / "qcsync.yaml", workdir / "elsewhere" / "qcsync.yaml")
    missing = qcsync("apply", "plan.json", "--allow-live")
    assert missing.exit_code == 1
    assert "qcsync.yaml" in missing.stderr
    (workdir / "other.yaml").write_text(config_text(account, "other"), encoding="utf-8")
    emulator.clear_log()
    wrong = qcsync("apply", "plan.json", "-f", "other.yaml", "--allow-live")
    assert wrong.exit_code == 1
    assert "other.yaml (for qcsync.yaml): differs" in wrong.stderr
    assert emulator.writes() == []
    moved = qcsync("apply", "plan.json", "-f", "elsewhere", "--allow-live")
    assert moved.exit_code == 0, moved.stdout + moved.stderr
    assert org_projects(emulator)["Strategies/A"]["description"] == "new"


def test_a_plan_that_records_no_config_is_refused(
    qcsync: Run, emulator: Any, workdir: Path, saved: dict[str, Any]
) -> None:
    saved["config"] = []
    (workdir / "old.json").write_text(json.dumps(saved), encoding="utf-8")
    emulator.clear_log()
    result = qcsync("apply", "old.json", "--allow-live")
    assert result.exit_code == 1
    assert "records no config files" in result.stderr
    assert emulator.writes() == []


def test_the_saved_plan_records_each_config_file_and_its_digest(qcsync: Run, workdir: Path) -> None:
    split = Path(__file__).resolve().parents[2] / "examples" / "split"
    result = qcsync("plan", "-f", str(split), "-o", "split.json")
    assert result.exit_code == 0, result.stderr
    document = json.loads((workdir / "split.json").read_text(encoding="utf-8"))
    assert [Path(c["path"]).name for c in document["config"]] == sorted(
        p.name for p in split.glob("*.yaml")
    )
    assert all(len(c["sha256"]) == 64 for c in document["config"])


def test_a_project_deleted_since_the_plan_is_refused(
    qcsync: Run, emulator: Any, saved: dict[str, Any], account: dict[str, int]
) -> None:
    with api(emulator) as client:
        client.delete_project(account["A"])  # into the Recycle Bin, same id
    emulator.clear_log()
    result = qcsync("apply", "plan.json", "--allow-live")
    assert result.exit_code == 1
    assert f"update Strategies/A (id {account['A']}): in the plan file, but not" in result.stderr
    assert emulator.writes() == []


def test_a_targeted_plan_applies_only_its_targets_and_converges_for_them(
    qcsync: Run, emulator: Any, write_config: Callable[..., Path], account: dict[str, int]
) -> None:
    write_config(config_text(account))
    planned = qcsync("plan", "--target", "Strategies/A", "-o", "target.json")
    assert planned.exit_code == 0, planned.stderr
    result = qcsync("apply", "target.json", "--target", "Strategies/A")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert org_projects(emulator)["Strategies/A"]["description"] == "new"
    assert emulator.project(account["Gone"]) is not None  # not a target: left for later
    assert qcsync("plan", "--target", "Strategies/A", "--detailed-exitcode").exit_code == 0


PRUNE_TWO = """
    version: 1
    scope: ["Strategies/"]
    prune: true
    limits: {max_deletes: 1, max_delete_fraction: 1}
    projects:
      - name: Strategies/Keep
    """


def test_targets_written_into_a_plan_file_do_not_split_a_blocked_prune(
    qcsync: Run, emulator: Any, write_config: Callable[..., Path], workdir: Path
) -> None:
    """`limits` hold for the plan the applier asked for: a plan file that narrows itself with
    `targets` (a reviewer never saw such a plan) must not slip deletes past max_deletes one by
    one. The targets of a fresh plan come from the command line, never from the file."""
    emulator.add_project("Strategies/Keep")
    doomed = {n: emulator.add_project(n) for n in ("Strategies/D1", "Strategies/D2")}
    write_config(PRUNE_TWO)
    blocked = qcsync("plan", "-o", "plan.json")
    assert blocked.exit_code == 4, blocked.stdout + blocked.stderr
    document = json.loads((workdir / "plan.json").read_text(encoding="utf-8"))
    document["targets"] = ["Strategies/D1"]
    document["changes"] = [
        c for c in document["changes"] if c["project"]["name"] == "Strategies/D1"
    ]
    (workdir / "narrowed.json").write_text(json.dumps(document), encoding="utf-8")
    emulator.clear_log()
    result = qcsync("apply", "narrowed.json")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "targets: the plan file is limited to --target 'Strategies/D1'" in result.stderr
    assert emulator.writes() == []
    assert all(emulator.project(pid)["name"] == name for name, pid in doomed.items())
    # Given by the one who applies it, the same targets are theirs to choose.
    chosen = qcsync("apply", "narrowed.json", "--target", "Strategies/D1")
    assert chosen.exit_code == 0, chosen.stdout + chosen.stderr
    assert emulator.project(doomed["Strategies/D1"])["name"] == "Recycle Bin/Strategies/D1"
    assert emulator.project(doomed["Strategies/D2"])["name"] == "Strategies/D2"


def test_a_targeted_delete_converges_once_its_target_is_in_the_bin(
    qcsync: Run, emulator: Any, write_config: Callable[..., Path]
) -> None:
    """The convergence check after `apply --target NAME` must not fail because the target it
    deleted is gone: the delete was read back, so there is nothing of that target left."""
    emulator.add_project("Strategies/Keep")
    doomed = {n: emulator.add_project(n) for n in ("Strategies/D1", "Strategies/D2")}
    write_config(PRUNE_TWO)
    result = qcsync("apply", "--auto-approve", "--target", "Strategies/D1")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Error" not in result.stderr
    assert emulator.project(doomed["Strategies/D1"])["name"] == "Recycle Bin/Strategies/D1"
    assert emulator.project(doomed["Strategies/D2"])["name"] == "Strategies/D2"
    # Two targets, one deleted: the other is still checked.
    both = qcsync(
        "apply",
        "--auto-approve",
        "--force",
        "--target",
        "Strategies/D2",
        "--target",
        "Strategies/Keep",
    )
    assert both.exit_code == 0, both.stdout + both.stderr
    assert emulator.project(doomed["Strategies/D2"])["name"] == "Recycle Bin/Strategies/D2"
    assert qcsync("plan", "--detailed-exitcode").exit_code == 0

"""Parameters, library links and collaborators as code (issue 14), end to end: the CLI in this
process, the emulator over HTTP. For each aspect: declare, change one, remove one, clear, omit;
every apply is followed by a plan that finds nothing to do, and the request log shows the
endpoints and encodings each write goes through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcsync.emulator import Fault
from qcsync.model import Parameter
from tests.openapi import request_validator

from .conftest import Run, api

FORM = "form"
JSON = "json"
CONTENT_WRITES = {
    "projects/update",
    "projects/library/create",
    "projects/library/delete",
    "projects/collaboration/create",
    "projects/collaboration/update",
    "projects/collaboration/delete",
}
Write = Callable[..., Path]


def converged(qcsync: Run) -> None:
    result = qcsync("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "No changes" in result.stdout


def applied(qcsync: Run, *args: str) -> str:
    result = qcsync("apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    converged(qcsync)
    return result.stdout


def writes(emulator: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (r.endpoint, r.encoding, r.params)
        for r in emulator.requests
        if r.authorized and r.endpoint in CONTENT_WRITES
    ]


def project(emulator: Any, name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [p for p in emulator.projects() if p["name"] == name]
    assert len(found) == 1, name
    return found[0]


def config(**entries: str) -> str:
    body = "".join(f"  - name: {name}\n{fields}" for name, fields in entries.items())
    return f"version: 1\nprojects:\n{body}"


# --- parameters ---------------------------------------------------------------------------------


def parameters_of(emulator: Any, name: str) -> list[tuple[str, str]]:
    return [(p["key"], p["value"]) for p in project(emulator, name)["parameters"]]


def test_parameters_declare_change_remove_clear_omit(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    emulator.add_project("Strategies/Params")
    write_config(
        config(
            **{
                "Strategies/Params": "    parameters: {lookback: 20, universe: SPY, enabled: true, "
                "rate: 0.25}\n",
                "Strategies/NewParams": "    parameters: {fast: 10}\n",
            }
        )
    )
    plan = qcsync("plan")
    assert '+ parameter "lookback": "20"' in plan.stdout
    assert '+ parameter "enabled": "true"' in plan.stdout
    emulator.clear_log()
    applied(qcsync)
    assert parameters_of(emulator, "Strategies/Params") == [
        ("lookback", "20"),
        ("universe", "SPY"),
        ("enabled", "true"),
        ("rate", "0.25"),
    ]
    assert parameters_of(emulator, "Strategies/NewParams") == [("fast", "10")]
    sent = writes(emulator)
    assert [(e, t) for e, t, _ in sent] == [("projects/update", FORM)] * 2
    assert {"key": "lookback", "value": "20"} in sent[0][2]["parameters"] + sent[1][2]["parameters"]

    # change one, remove one
    write_config(config(**{"Strategies/Params": "    parameters: {lookback: 30, enabled: true}\n"}))
    plan = qcsync("plan")
    assert '~ parameter "lookback": "20" -> "30"' in plan.stdout
    assert '- parameter "universe": "SPY"' in plan.stdout
    assert '- parameter "rate": "0.25"' in plan.stdout
    assert "NewParams" not in plan.stdout  # not declared any more: left alone
    emulator.clear_log()
    applied(qcsync)
    assert parameters_of(emulator, "Strategies/Params") == [("lookback", "30"), ("enabled", "true")]
    assert len(writes(emulator)) == 1

    # clear
    write_config(config(**{"Strategies/Params": "    parameters: {}\n"}))
    emulator.clear_log()
    applied(qcsync)
    assert parameters_of(emulator, "Strategies/Params") == []
    ((endpoint, media, params),) = writes(emulator)
    assert (endpoint, media) == ("projects/update", FORM)
    assert params["parameters"] == ""  # `parameters=`: QuantConnect's CLI's way to clear

    # omit: set by hand, then a config without `parameters` leaves them alone
    api(emulator).update_parameters(
        project(emulator, "Strategies/Params")["projectId"], [Parameter("x", "1")]
    )
    write_config(config(**{"Strategies/Params": "    description: ''\n"}))
    emulator.clear_log()
    converged(qcsync)
    assert parameters_of(emulator, "Strategies/Params") == [("x", "1")]
    assert writes(emulator) == []


def test_parameters_of_a_new_project_ride_with_its_create(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    write_config(config(**{"Strategies/Fresh": "    parameters: {}\n"}))
    emulator.clear_log()
    applied(qcsync)
    assert writes(emulator) == []  # a new project has none: nothing to send


# --- libraries ----------------------------------------------------------------------------------


def links_of(emulator: Any, name: str) -> list[str]:
    return [link["libraryName"] for link in project(emulator, name)["libraries"]]


def test_libraries_declare_remove_clear_omit(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    risk = emulator.add_project("Library/RiskUtils")
    emulator.add_project("Strategies/Links")
    write_config(
        config(
            **{
                "Library/Signals": "",
                "Strategies/Links": f"    libraries: [{risk}, Library/Signals]\n",
                "Strategies/NewLinks": "    libraries: [Library/Signals, Library/RiskUtils]\n",
            }
        )
    )
    plan = qcsync("plan")
    assert f"+ library Library/RiskUtils (id {risk})" in plan.stdout
    assert "+ library Library/Signals (new)" in plan.stdout
    emulator.clear_log()
    applied(qcsync)
    assert sorted(links_of(emulator, "Strategies/Links")) == [
        "Library/RiskUtils",
        "Library/Signals",
    ]
    assert sorted(links_of(emulator, "Strategies/NewLinks")) == [
        "Library/RiskUtils",
        "Library/Signals",
    ]
    order = [r.endpoint for r in emulator.writes()]
    # the new library is created before the creates and links that need it
    assert order.index("projects/create") < order.index("projects/library/create")
    first_create = next(r for r in emulator.writes() if r.endpoint == "projects/create")
    assert first_create.params["name"] == "Library/Signals"
    sent = writes(emulator)
    assert {(e, t) for e, t, _ in sent} == {("projects/library/create", JSON)}
    assert all(set(p) == {"projectId", "libraryId"} for _, _, p in sent)

    # remove one, then the last one
    write_config(
        config(**{"Library/Signals": "", "Strategies/Links": "    libraries: [Library/Signals]\n"})
    )
    plan = qcsync("plan")
    assert f"- library Library/RiskUtils (id {risk})" in plan.stdout
    applied(qcsync)
    assert links_of(emulator, "Strategies/Links") == ["Library/Signals"]

    # change one: another library in its place
    write_config(config(**{"Strategies/Links": "    libraries: [Library/RiskUtils]\n"}))
    plan = qcsync("plan")
    assert f"+ library Library/RiskUtils (id {risk})" in plan.stdout
    assert "- library Library/Signals (id " in plan.stdout
    applied(qcsync)
    assert links_of(emulator, "Strategies/Links") == ["Library/RiskUtils"]

    write_config(config(**{"Strategies/Links": "    libraries: []\n"}))
    emulator.clear_log()
    applied(qcsync)
    assert links_of(emulator, "Strategies/Links") == []
    assert [(e, t) for e, t, _ in writes(emulator)] == [("projects/library/delete", JSON)]

    # omit: links made by hand stay
    links = api(emulator)
    links.link_library(project(emulator, "Strategies/Links")["projectId"], risk)
    write_config(config(**{"Strategies/Links": "    description: ''\n"}))
    emulator.clear_log()
    converged(qcsync)
    assert links_of(emulator, "Strategies/Links") == ["Library/RiskUtils"]


def test_bad_library_references_are_plan_errors_with_their_place(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    other = emulator.add_project("Strategies/Other")
    emulator.add_project("Library/Own")
    write_config(
        "version: 1\n"
        "projects:\n"
        "  - name: Strategies/Bad\n"
        "    libraries:\n"
        "      - Library/Nope\n"
        f"      - {other}\n"
        "      - Strategies/Other\n"
        "  - name: Library/Own\n"
        "    libraries: [Library/Own]\n"
    )
    emulator.clear_log()
    result = qcsync("plan")
    assert result.exit_code == 1
    err = result.stderr
    assert "qcsync.yaml:5:9: Strategies/Bad: libraries[0]: unknown library 'Library/Nope'" in err
    assert (
        "qcsync.yaml:6:9: Strategies/Bad: libraries[1]: 'Strategies/Other' is not a library" in err
    )
    assert (
        "qcsync.yaml:7:9: Strategies/Bad: libraries[2]: 'Strategies/Other' is not a library" in err
    )
    assert (
        "qcsync.yaml:9:17: Library/Own: libraries[0]: 'Library/Own' is this project itself" in err
    )
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 1
    assert emulator.writes() == []


def test_a_new_library_linking_a_new_library_is_created_after_it(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    # Library/Alpha sorts first; one change at a time, its unit (create, link Library/Beta)
    # would run before Library/Beta exists unless the plan orders it after.
    write_config(
        config(
            **{
                "Library/Alpha": "    libraries: [Library/Beta]\n",
                "Library/Beta": "    libraries: [Library/Gamma]\n",
                "Library/Gamma": "",
                "Strategies/UsesAlpha": "    libraries: [Library/Alpha]\n",
            }
        )
    )
    emulator.clear_log()
    applied(qcsync, "--parallelism", "1")
    assert links_of(emulator, "Library/Alpha") == ["Library/Beta"]
    assert links_of(emulator, "Library/Beta") == ["Library/Gamma"]
    assert links_of(emulator, "Strategies/UsesAlpha") == ["Library/Alpha"]
    created = [r.params["name"] for r in emulator.writes() if r.endpoint == "projects/create"]
    assert created == ["Library/Gamma", "Library/Beta", "Library/Alpha", "Strategies/UsesAlpha"]


def test_the_same_at_full_parallelism(qcsync: Run, write_config: Write, emulator: Any) -> None:
    write_config(
        config(
            **{
                "Library/Alpha": "    libraries: [Library/Beta]\n",
                "Library/Beta": "",
                "Library/Delta": "",
            }
        )
    )
    emulator.clear_log()
    applied(qcsync, "--parallelism", "8")
    assert links_of(emulator, "Library/Alpha") == ["Library/Beta"]
    order = [(r.endpoint, r.params.get("name")) for r in emulator.writes()]
    assert order.index(("projects/create", "Library/Beta")) < order.index(
        ("projects/create", "Library/Alpha")
    )


def test_new_libraries_linking_each_other_in_a_cycle_are_a_plan_error(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    write_config(
        config(
            **{
                "Library/Alpha": "    libraries: [Library/Beta]\n",
                "Library/Beta": "    libraries: [Library/Alpha]\n",
            }
        )
    )
    for command in (("plan",), ("apply", "--auto-approve")):
        emulator.clear_log()
        result = qcsync(*command)
        assert result.exit_code == 1, result.stdout + result.stderr
        assert (
            "library cycle: qcsync.yaml:3:5: Library/Alpha links 'Library/Beta'; "
            "qcsync.yaml:5:5: Library/Beta links 'Library/Alpha';"
        ) in result.stderr
        assert emulator.writes() == []


# --- collaborators ------------------------------------------------------------------------------


def people(emulator: Any, name: str) -> dict[str, tuple[str, bool]]:
    return {
        c["publicId"]: (c["permission"], c["liveControl"])
        for c in project(emulator, name)["collaborators"]
        if not c["owner"]
    }


def test_collaborators_declare_change_remove_clear_omit(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    emulator.add_project("Strategies/Team")
    write_config(
        config(
            **{
                "Strategies/Team": "    collaborators:\n"
                "      - {user: mia-ai, write: true}\n"
                "      - {user: johnny_walker}\n",
                "Strategies/NewTeam": "    collaborators:\n"
                "      - {user: ada-quant, live_control: true}\n",
            }
        )
    )
    plan = qcsync("plan")
    assert "+ collaborator mia-ai: write, no live control" in plan.stdout
    emulator.clear_log()
    applied(qcsync)
    assert people(emulator, "Strategies/Team") == {
        "mia-ai": ("write", False),
        "johnny_walker": ("read", False),
    }
    assert people(emulator, "Strategies/NewTeam") == {"ada-quant": ("read", True)}
    sent = writes(emulator)
    assert {(e, t) for e, t, _ in sent} == {("projects/collaboration/create", JSON)}
    assert all(
        set(p)
        == {"projectId", "collaboratorUserId", "collaborationLiveControl", "collaborationWrite"}
        for _, _, p in sent
    )
    owner = [c for c in project(emulator, "Strategies/Team")["collaborators"] if c["owner"]]
    assert len(owner) == 1  # the owner is untouched

    # change one, remove one
    write_config(
        config(**{"Strategies/Team": "    collaborators: [{user: mia-ai, write: false}]\n"})
    )
    plan = qcsync("plan")
    assert "~ collaborator mia-ai: write, no live control -> read, no live control" in plan.stdout
    assert "- collaborator johnny_walker: read, no live control" in plan.stdout
    emulator.clear_log()
    applied(qcsync)
    assert people(emulator, "Strategies/Team") == {"mia-ai": ("read", False)}
    by_endpoint = {e: p for e, _, p in writes(emulator)}
    assert set(by_endpoint["projects/collaboration/update"]) == {
        "projectId",
        "collaboratorUserId",
        "liveControl",
        "write",
    }
    assert set(by_endpoint["projects/collaboration/delete"]) == {"projectId", "collaboratorId"}

    # clear: only the owner stays
    write_config(config(**{"Strategies/Team": "    collaborators: []\n"}))
    applied(qcsync)
    assert people(emulator, "Strategies/Team") == {}
    assert len(project(emulator, "Strategies/Team")["collaborators"]) == 1

    # omit: one added by hand stays
    pid = project(emulator, "Strategies/Team")["projectId"]
    api(emulator).add_collaborator(pid, "mia-ai", write=True, live_control=False)
    write_config(config(**{"Strategies/Team": "    description: ''\n"}))
    emulator.clear_log()
    converged(qcsync)
    assert people(emulator, "Strategies/Team") == {"mia-ai": ("write", False)}


def test_a_live_projects_collaborators_are_marked_and_live_control_is_guarded(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    emulator.add_project("Strategies/Running", code_running=True)
    write_config(config(**{"Strategies/Running": "    collaborators: [{user: mia-ai}]\n"}))
    plan = qcsync("plan")
    assert plan.exit_code == 0
    assert "LIVE" in plan.stdout
    applied(qcsync)
    write_config(
        config(
            **{"Strategies/Running": "    collaborators: [{user: mia-ai, live_control: true}]\n"}
        )
    )
    emulator.clear_log()
    blocked = qcsync("apply", "--auto-approve")
    assert blocked.exit_code == 4, blocked.stdout + blocked.stderr
    assert "who controls its live trading" in blocked.stdout + blocked.stderr
    assert emulator.writes() == []
    applied(qcsync, "--allow-live")
    assert people(emulator, "Strategies/Running") == {"mia-ai": ("read", True)}


def test_an_unknown_user_fails_that_change_only(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    emulator.add_project("Strategies/Who")
    write_config(
        config(**{"Strategies/Who": "    collaborators: [{user: mia-ai}, {user: no-such-user}]\n"})
    )
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 1
    out = result.stdout + result.stderr
    assert "no-such-user" in out
    assert "User not found" in out
    assert people(emulator, "Strategies/Who") == {"mia-ai": ("read", False)}
    plan = qcsync("plan", "--detailed-exitcode")
    assert plan.exit_code == 3
    assert "+ collaborator no-such-user" in plan.stdout
    assert "mia-ai" not in plan.stdout


# --- import -------------------------------------------------------------------------------------


def test_import_writes_all_three_and_the_next_plan_is_empty(
    qcsync: Run, workdir: Path, emulator: Any
) -> None:
    client = api(emulator)
    library = emulator.add_project("Library/Shared")
    pid = emulator.add_project("Strategies/Imported")
    client.update_parameters(
        pid, [Parameter("lookback", "20"), Parameter("price", "$5"), Parameter("flag", "true")]
    )
    client.link_library(pid, library)
    client.add_collaborator(pid, "mia-ai", write=True, live_control=True)
    result = qcsync("import", "-o", "imported.yaml")
    assert result.exit_code == 0, result.stderr
    text = (workdir / "imported.yaml").read_text(encoding="utf-8")
    entry = text[text.index("- name: Strategies/Imported") :]
    assert "libraries:\n  - Library/Shared\n" in entry
    assert "user: mia-ai\n    write: true\n    live_control: true\n" in entry
    assert "lookback: '20'" in entry
    assert "price: $$5" in entry
    assert "flag: 'true'" in entry
    plan = qcsync("plan", "-f", "imported.yaml", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    assert "No changes" in plan.stdout
    # With --prefix, a library outside the prefix is not described, so it is named by id.
    result = qcsync("import", "--prefix", "Strategies/", "-o", "prefixed.yaml")
    assert f"libraries:\n  - {library}\n" in (workdir / "prefixed.yaml").read_text("utf-8")
    plan = qcsync("plan", "-f", "prefixed.yaml", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr


# --- restore ------------------------------------------------------------------------------------

PRUNE = """
version: 1
scope: ["Strategies/"]
prune: true
limits: {max_delete_fraction: 1}
projects: []
"""


def deleted_with_content(
    qcsync: Run, write_config: Write, emulator: Any, workdir: Path
) -> tuple[int, int, Path]:
    """A project with parameters, a library link and collaborators, deleted by a prune apply:
    its id, its library's id and its backup."""
    client = api(emulator)
    library = emulator.add_project("Library/Kept")
    pid = emulator.add_project("Strategies/Gone")
    client.update_parameters(pid, [Parameter("lookback", "20"), Parameter("universe", "SPY")])
    client.link_library(pid, library)
    client.add_collaborator(pid, "mia-ai", write=True, live_control=False)
    client.add_collaborator(pid, "ada-quant", write=False, live_control=True)
    write_config(PRUNE)
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stdout + result.stderr
    [backup] = (workdir / ".qcsync" / "backups").glob("*/*.json")
    return pid, library, backup


def content_of(emulator: Any, pid: int) -> tuple[Any, ...]:
    p = emulator.project(pid)
    return (
        [(x["key"], x["value"]) for x in p["parameters"]],
        [link["projectId"] for link in p["libraries"]],
        {
            c["publicId"]: (c["permission"], c["liveControl"])
            for c in p["collaborators"]
            if not c["owner"]
        },
    )


EXPECTED = (
    [("lookback", "20"), ("universe", "SPY")],
    None,  # the library id, filled in
    {"mia-ai": ("write", False), "ada-quant": ("read", True)},
)


def test_a_recreated_project_gets_its_parameters_libraries_and_collaborators_back(
    qcsync: Run, write_config: Write, emulator: Any, workdir: Path
) -> None:
    pid, library, backup = deleted_with_content(qcsync, write_config, emulator, workdir)
    document = json.loads(backup.read_text(encoding="utf-8"))
    assert document["libraries"] == [library]
    assert len(document["collaborators"]) == 2  # the owner is not backed up
    emulator.advance_clock(days=31)
    assert emulator.project(pid) is None  # purged: restore must recreate
    result = qcsync("restore", str(backup))
    assert result.exit_code == 0, result.stdout + result.stderr
    [again] = [p for p in emulator.projects() if p["name"] == "Strategies/Gone"]
    assert again["projectId"] != pid
    params, links, people = content_of(emulator, again["projectId"])
    assert (params, links, people) == (EXPECTED[0], [library], EXPECTED[2])


def test_a_project_restored_from_the_bin_keeps_them(
    qcsync: Run, write_config: Write, emulator: Any, workdir: Path
) -> None:
    pid, library, backup = deleted_with_content(qcsync, write_config, emulator, workdir)
    result = qcsync("restore", str(backup))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert content_of(emulator, pid) == (EXPECTED[0], [library], EXPECTED[2])


# --- reads and saved plans ------------------------------------------------------------------------


def test_the_three_aspects_make_no_read_of_their_own(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    """projects/read carries parameters, links and collaborators: declaring them costs no
    request, and an entry that omits them reads exactly what one that declares them reads."""
    emulator.add_project("Library/L")
    emulator.add_project("Strategies/Counted")
    write_config(config(**{"Strategies/Counted": "    description: ''\n"}))
    emulator.clear_log()
    converged(qcsync)
    omitted = [r.endpoint for r in emulator.requests]
    write_config(
        config(
            **{
                "Strategies/Counted": "    description: ''\n    parameters: {}\n"
                "    libraries: []\n    collaborators: []\n"
            }
        )
    )
    emulator.clear_log()
    converged(qcsync)
    assert [r.endpoint for r in emulator.requests] == omitted
    assert "projects/collaboration/read" not in omitted


def test_a_saved_plan_of_all_three_applies_and_converges(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    library = emulator.add_project("Library/Saved")
    emulator.add_project("Strategies/Saved")
    write_config(
        config(
            **{
                "Strategies/Saved": "    parameters: {a: 1}\n"
                f"    libraries: [{library}]\n"
                "    collaborators: [{user: mia-ai, live_control: true}]\n"
            }
        )
    )
    saved = qcsync("plan", "-o", "plan.json")
    assert saved.exit_code == 0, saved.stderr
    result = qcsync("apply", "plan.json")
    assert result.exit_code == 0, result.stdout + result.stderr
    converged(qcsync)
    assert parameters_of(emulator, "Strategies/Saved") == [("a", "1")]
    assert links_of(emulator, "Strategies/Saved") == ["Library/Saved"]
    assert people(emulator, "Strategies/Saved") == {"mia-ai": ("read", True)}


def test_a_lost_answer_whose_retry_is_refused_as_done_is_applied(
    qcsync: Run, write_config: Write, emulator: Any
) -> None:
    """A link or an add whose answer was lost has landed: a read shows it, so it is neither
    sent again (a second one is refused) nor reported failed."""
    library = emulator.add_project("Library/Lost")
    emulator.add_project("Strategies/Lost")
    write_config(
        config(
            **{
                "Strategies/Lost": f"    libraries: [{library}]\n"
                "    collaborators: [{user: mia-ai}]\n"
            }
        )
    )
    emulator.inject("projects/library/create", Fault.lost_response())
    emulator.inject("projects/collaboration/create", Fault.lost_response())
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "checking whether it took effect" in result.stderr
    assert "FAILED" not in result.stderr
    sent = [r.endpoint for r in emulator.writes()]
    assert sent.count("projects/library/create") == 1
    assert sent.count("projects/collaboration/create") == 1
    converged(qcsync)
    assert links_of(emulator, "Strategies/Lost") == ["Library/Lost"]
    assert people(emulator, "Strategies/Lost") == {"mia-ai": ("read", False)}


def test_every_collaboration_request_matches_the_spec(
    qcsync: Run, write_config: Write, emulator: Any, openapi_spec_path: Path
) -> None:
    """The spec documents projects/collaboration/*; projects/library/* and the parameters of
    projects/update are outside it (qc-api.md §4.10a), so their fields are checked above."""
    emulator.add_project("Strategies/Spec")
    steps = [
        "    collaborators: [{user: mia-ai, write: true}, {user: ada-quant}]\n",
        "    collaborators: [{user: mia-ai, live_control: true}]\n",
        "    collaborators: []\n",
    ]
    emulator.clear_log()
    for step in steps:
        write_config(config(**{"Strategies/Spec": step}))
        applied(qcsync)
    checked: set[str] = set()
    for record in emulator.requests:
        if record.endpoint.startswith("projects/collaboration/"):
            assert record.encoding == JSON
            request_validator(openapi_spec_path, record.endpoint)(record.params)
            checked.add(record.endpoint)
    assert checked == {
        "projects/collaboration/create",
        "projects/collaboration/update",
        "projects/collaboration/delete",
    }

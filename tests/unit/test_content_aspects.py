"""The pure pieces of the parameters, libraries and collaborators aspects (issue 14): value
text, the three diffs, library reference resolution and stage order (the client's calls are
tested in tests/integration/test_client_content.py)."""

from __future__ import annotations

from typing import Any

import pytest

from qcsync.apply import units
from qcsync.aspects import ASPECTS, creates_needed
from qcsync.aspects.base import Execution
from qcsync.aspects.collaborators import collaborator_changes
from qcsync.aspects.files import needs_lock
from qcsync.aspects.libraries import Library, link_changes, resolve_library
from qcsync.aspects.parameters import parameter_changes, parameter_text
from qcsync.client.wire import _collaborator
from qcsync.config import parse_config
from qcsync.errors import PlanError
from qcsync.model import Collaborator, DesiredProject, LiveProject, LiveState, Location
from qcsync.plan import Action, Change, Fingerprint, Plan, stages
from qcsync.planner import PlanOptions, plan

HERE = Location("qcsync.yaml", 1, 1)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("SPY", "SPY"),
        (20, "20"),
        (-3, "-3"),
        (0.25, "0.25"),
        (1e20, "1e+20"),
        (True, "true"),
        (False, "false"),
        (float("inf"), ".inf"),
        ("", ""),
    ],
)
def test_a_config_value_is_sent_as_its_yaml_text(value: object, text: str) -> None:
    assert parameter_text(value) == text


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param({}, {}, [], id="none"),
        pytest.param({}, {"a": "1"}, [("a", None, "1")], id="add"),
        pytest.param({"a": "1"}, {"a": "2"}, [("a", "1", "2")], id="change"),
        pytest.param({"a": "1", "b": "2"}, {"a": "1"}, [("b", "2", None)], id="remove"),
        pytest.param({"a": "1"}, {}, [("a", "1", None)], id="clear"),
        pytest.param({"b": "2", "a": "1"}, {"a": "1", "b": "2"}, [], id="order is not compared"),
        pytest.param({"a": "1"}, {"a": ""}, [("a", "1", "")], id="emptied is a change"),
    ],
)
def test_parameter_changes(
    before: dict[str, str], after: dict[str, str], expected: list[tuple[str, Any, Any]]
) -> None:
    assert parameter_changes(before, after) == expected


# --- libraries ----------------------------------------------------------------------------------


def live(pid: int, name: str) -> LiveProject:
    return LiveProject(pid, name, "org", "Py", "", None)


def declared(name: str, **fields: Any) -> DesiredProject:
    return DesiredProject(name=name, location=HERE, **fields)


PROJECTS = [live(1, "Library/Risk"), live(2, "Strategies/A"), live(3, "Library/Old")]
ME = declared("Strategies/A")
DECLARED = [
    ME,
    declared("Library/New"),
    declared("Library/Renamed", renamed_from=("Library/Old",)),
    declared("Library/Pinned", id=1),
]


@pytest.mark.parametrize(
    ("ref", "entry", "expected"),
    [
        pytest.param("Library/Risk", ME, Library("Library/Risk", 1), id="live name"),
        pytest.param(1, ME, Library("Library/Pinned", 1), id="id; the name after the plan"),
        pytest.param("Library/New", ME, Library("Library/New", None), id="declared new"),
        pytest.param(
            "Library/Renamed", ME, Library("Library/Renamed", 3), id="declared, renamed from live"
        ),
    ],
)
def test_a_library_reference_resolves_to_its_project(
    ref: str | int, entry: DesiredProject, expected: Library
) -> None:
    assert resolve_library(ref, entry, DECLARED, PROJECTS) == expected


@pytest.mark.parametrize(
    ("ref", "entry", "message"),
    [
        pytest.param("Library/Nope", ME, "unknown library 'Library/Nope'", id="unknown name"),
        pytest.param(99, ME, "no project has id 99", id="unknown id"),
        pytest.param("Strategies/A", declared("Strategies/B"), "is not a library", id="outside"),
        pytest.param(2, declared("Strategies/B"), "is not a library", id="outside by id"),
        pytest.param("Library/New", DECLARED[1], "a project cannot link itself", id="self new"),
        pytest.param(3, DECLARED[2], "a project cannot link itself", id="self by id"),
    ],
)
def test_a_bad_library_reference_says_why(
    ref: str | int, entry: DesiredProject, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_library(ref, entry, DECLARED, PROJECTS)


@pytest.mark.parametrize(
    ("have", "wanted", "make", "drop"),
    [
        pytest.param((), [], [], [], id="none"),
        pytest.param((1,), [Library("L/a", 1)], [], [], id="same"),
        pytest.param((), [Library("L/a", 1)], [Library("L/a", 1)], [], id="link"),
        pytest.param((1, 2), [Library("L/a", 1)], [], [2], id="unlink one"),
        pytest.param((1,), [], [], [1], id="the last link is removable"),
        pytest.param((), [Library("L/n", None)], [Library("L/n", None)], [], id="new library"),
    ],
)
def test_link_changes(
    have: tuple[int, ...], wanted: list[Library], make: list[Library], drop: list[int]
) -> None:
    assert link_changes(have, wanted) == (make, drop)


def test_library_creates_run_in_a_stage_before_the_other_creates() -> None:
    def create(name: str) -> Change:
        return Change("project", Action.CREATE, name, None, None, {"name": name}, "new")

    ordered = [create("Library/A"), create("Library/B"), create("Alpha/X"), create("Zed/Y")]
    assert [[c.name for c in s] for s in stages(ordered, creates_needed(ordered))] == [
        ["Library/A", "Library/B"],
        ["Alpha/X", "Zed/Y"],
    ]


def planned(yaml: str, *projects: LiveProject) -> Plan:
    desired = parse_config([("q.yaml", yaml.encode())], {})
    return plan(desired, LiveState("org", projects))


def staged(result: Plan) -> list[list[str]]:
    """The plan's stages as apply runs them: a new project's content rides with its create."""
    heads = [unit[0] for unit in units(result.changes)]
    return [[c.name for c in s] for s in stages(heads, creates_needed(result.changes))]


def test_a_new_library_linking_a_new_library_waits_for_its_create() -> None:
    # Alpha sorts first, so without the dependency its unit (create, then link Beta) would run
    # before, or beside, Beta's create.
    result = planned(
        "version: 1\n"
        "projects:\n"
        "  - {name: Library/Alpha, libraries: [Library/Beta]}\n"
        "  - {name: Library/Beta, libraries: [Library/Gamma]}\n"
        "  - {name: Library/Gamma}\n"
        "  - {name: Library/Delta}\n"
        "  - {name: Strategies/X, libraries: [Library/Alpha]}\n"
    )
    assert creates_needed(result.changes) == {
        "Library/Alpha": frozenset({"Library/Beta"}),
        "Library/Beta": frozenset({"Library/Gamma"}),
        "Strategies/X": frozenset({"Library/Alpha"}),
    }
    assert staged(result) == [
        ["Library/Delta", "Library/Gamma"],
        ["Library/Beta"],
        ["Library/Alpha"],
        ["Strategies/X"],
    ]


def test_a_new_library_linking_a_live_library_needs_no_wait() -> None:
    result = planned(
        "version: 1\nprojects:\n"
        "  - {name: Library/Alpha, libraries: [Library/Risk]}\n"
        "  - {name: Library/Beta}\n",
        live(1, "Library/Risk"),
    )
    assert creates_needed(result.changes) == {}
    assert staged(result) == [["Library/Alpha", "Library/Beta"]]


@pytest.mark.parametrize(
    ("entries", "cycle"),
    [
        pytest.param(
            "  - {name: Library/Alpha, libraries: [Library/Beta]}\n"
            "  - {name: Library/Beta, libraries: [Library/Alpha]}\n",
            "q.yaml:3:5: Library/Alpha links 'Library/Beta'; "
            "q.yaml:4:5: Library/Beta links 'Library/Alpha';",
            id="two",
        ),
        pytest.param(
            "  - {name: Library/A, libraries: [Library/B]}\n"
            "  - {name: Library/B, libraries: [Library/C]}\n"
            "  - {name: Library/C, libraries: [Library/A]}\n"
            "  - {name: Library/D, libraries: [Library/A]}\n",
            "q.yaml:3:5: Library/A links 'Library/B'; q.yaml:4:5: Library/B links 'Library/C'; "
            "q.yaml:5:5: Library/C links 'Library/A';",
            id="three, and one waiting on them",
        ),
    ],
)
def test_new_libraries_linking_each_other_in_a_cycle_are_a_plan_error(
    entries: str, cycle: str
) -> None:
    with pytest.raises(PlanError) as error:
        planned("version: 1\nprojects:\n" + entries)
    (problem,) = error.value.problems
    assert problem.startswith(f"library cycle: {cycle} ")
    assert "Library/D" not in problem


def test_a_target_that_leaves_out_a_new_library_it_links_is_a_plan_error() -> None:
    desired = parse_config(
        [
            (
                "q.yaml",
                b"version: 1\nprojects:\n"
                b"  - {name: Library/Beta}\n"
                b"  - {name: Strategies/X, libraries: [Library/Beta]}\n",
            )
        ],
        {},
    )
    with pytest.raises(PlanError) as error:
        plan(desired, LiveState("org", ()), PlanOptions(targets=("Strategies/X",)))
    assert (
        "q.yaml:4:5: Strategies/X: links Library/Beta, which this plan would create, but "
        "--target leaves its create out; add --target Library/Beta"
    ) in str(error.value)


# --- collaborators ------------------------------------------------------------------------------

OWNER = Collaborator("me", True, True, owner=True)
MIA = Collaborator("mia-ai", True, False)
MIA_READ = Collaborator("mia-ai", False, False)
ADA = Collaborator("ada", False, True)


@pytest.mark.parametrize(
    ("have", "wanted", "expected"),
    [
        pytest.param((OWNER,), [], [], id="only the owner"),
        pytest.param((OWNER,), [MIA], [("mia-ai", None, MIA)], id="add"),
        pytest.param((OWNER, MIA), [MIA_READ], [("mia-ai", MIA, MIA_READ)], id="change"),
        pytest.param((OWNER, MIA, ADA), [MIA], [("ada", ADA, None)], id="remove"),
        pytest.param((OWNER, MIA), [], [("mia-ai", MIA, None)], id="clear keeps the owner"),
        pytest.param((OWNER, MIA), [MIA], [], id="same"),
    ],
)
def test_collaborator_changes_never_touch_the_owner(
    have: tuple[Collaborator, ...],
    wanted: list[Collaborator],
    expected: list[tuple[str, Any, Any]],
) -> None:
    assert collaborator_changes(have, wanted) == expected


LEGACY = Collaborator("", True, False)  # a 2023-style entry: no publicId (qc-api.md §4.1)


@pytest.mark.parametrize(
    "collaborators",
    [
        pytest.param("[]", id="clearing would remove someone unnamed"),
        pytest.param("[{user: mia-ai}]", id="so would a list"),
    ],
)
def test_a_live_collaborator_without_a_public_id_is_never_acted_on(collaborators: str) -> None:
    desired = parse_config(
        [
            (
                "q.yaml",
                b"version: 1\nprojects:\n  - name: S/P\n    collaborators: "
                + collaborators.encode(),
            )
        ],
        {},
    )
    project = LiveProject(1, "S/P", "org", "Py", "", None, collaborators=(OWNER, LEGACY))
    live = LiveState("org", (project,), {"collaborators": frozenset({1})})
    with pytest.raises(PlanError) as error:
        plan(desired, live)
    assert (
        "q.yaml:4:20: S/P: collaborators: the service lists a collaborator with no public id"
        in str(error.value)
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(
            {"publicId": "mia-ai", "permission": "write", "liveControl": False},
            Collaborator("mia-ai", True, False),
            id="today's keys",
        ),
        pytest.param(
            {"uid": 226949, "epermission": "write", "blivecontrol": True, "owner": True},
            Collaborator("", True, True, owner=True),
            id="2023 keys (qc-api.md 4.1)",
        ),
        pytest.param(
            {"publicId": "ada", "permission": "read"}, Collaborator("ada", False, False), id="read"
        ),
    ],
)
def test_collaborators_are_read_in_both_spellings(
    item: dict[str, Any], expected: Collaborator
) -> None:
    assert _collaborator(item) == expected


# --- the collaboration lock of file writes --------------------------------------------------------


def file_write(pid: int | None, shared: bool | None) -> Change:
    fingerprint: Fingerprint | None = (
        None if shared is None else {"files": {"shared": shared, "files": {}}}
    )
    return Change("files", Action.UPDATE, "S/P", pid, None, None, "differs", "main.py", fingerprint)


def people_change(pid: int | None, action: Action) -> Change:
    return Change("collaborators", action, "S/P", pid, None, None, "", "mia-ai")


def execution(*changes: Change) -> Execution:
    return Execution(client=None, organization_id="org", take_backup=None, changes=changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("write", "others", "locks"),
    [
        pytest.param(file_write(1, True), [], True, id="shared when read"),
        pytest.param(file_write(1, False), [], False, id="alone when read"),
        pytest.param(
            file_write(1, False),
            [people_change(1, Action.CREATE)],
            True,
            id="the plan adds its first collaborator",
        ),
        pytest.param(
            file_write(1, False),
            [people_change(2, Action.CREATE)],
            False,
            id="another project's collaborator",
        ),
        pytest.param(
            file_write(1, True),
            [people_change(1, Action.DELETE)],
            True,
            id="the plan removes its last collaborator",
        ),
        pytest.param(
            file_write(None, None),
            [people_change(None, Action.CREATE)],
            False,
            id="a new project: its files are written before anyone is added",
        ),
    ],
)
def test_a_file_write_takes_the_lock_when_the_project_is_or_becomes_shared(
    write: Change, others: list[Change], locks: bool
) -> None:
    assert needs_lock(execution(write, *others), write) is locks


def test_a_new_projects_files_run_before_its_collaborators_are_added() -> None:
    result = planned(
        "version: 1\nprojects:\n"
        "  - {name: S/New, parameters: {a: 1}, collaborators: [{user: mia-ai}], "
        "libraries: [Library/Risk]}\n",
        live(1, "Library/Risk"),
    )
    (unit,) = units(result.changes)
    # A new project's content runs in registry order, and files come before collaborators.
    assert [c.aspect for c in unit] == ["project", "parameters", "libraries", "collaborators"]
    rank = [a.name for a in ASPECTS]
    assert rank.index("files") < rank.index("collaborators")

"""The saved-plan binding's pure half: config digests and the saved-vs-fresh comparison."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qcsync.model import Limits
from qcsync.plan import ConfigFile, Fingerprint, Plan
from qcsync.planfile import config_digests, digest_problems, plan_differences
from tests import changes


def fingerprint(name: str, description: str, modified: str | None) -> Fingerprint:
    fields = {"modified": modified, "name": name, "description": description, "language": "Py"}
    return {"project": fields}


FP = fingerprint("S/A", "old", "2026-01-01 00:00:00")
UPDATE = replace(
    changes.update(1, "S/A", "description differs", description=("old", "new")), fingerprint=FP
)
DELETE = replace(
    changes.delete(2, "S/B", "prune"), fingerprint=fingerprint("S/B", "", "2026-01-01 00:00:00")
)
CREATE = changes.create("S/C")
FRESH = Plan("org", (UPDATE, CREATE, DELETE), 3, limits=Limits(3, 0.3))


def test_digests_are_the_sha256_of_the_bytes_parsed() -> None:
    assert config_digests([("q.yaml", b"version: 1\n")]) == (
        ConfigFile("q.yaml", "09bfcc6a14b83e2192b8673677725c84883ee9cd0c70e45c9ec09daa8f2b2847"),
    )


@pytest.mark.parametrize(
    ("now", "given", "expected"),
    [
        ([ConfigFile("a.yaml", "1" * 64)], False, []),
        ([ConfigFile("a.yaml", "2" * 64)], False, ["a.yaml: differs from the config the plan"]),
        ([ConfigFile("b.yaml", "1" * 64)], True, []),
        ([ConfigFile("b.yaml", "2" * 64)], True, ["b.yaml (for a.yaml): differs"]),
        ([], True, ["the plan was made from 1 config file(s) (a.yaml); -f names 0"]),
    ],
)
def test_digest_problems_name_each_file_that_differs(
    now: list[ConfigFile], given: bool, expected: list[str]
) -> None:
    problems = digest_problems([ConfigFile("a.yaml", "1" * 64)], now, given=given)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)


def test_a_plan_without_config_is_refused() -> None:
    assert "records no config files" in digest_problems([], [], given=False)[0]


@pytest.mark.parametrize(
    ("saved", "expected"),
    [
        (FRESH, []),
        (
            replace(FRESH, unchanged=99, in_scope=7, notes=()),
            [],
        ),  # derived counts: not trusted, not compared
        (replace(FRESH, organization_id="x"), ["organization: the plan file says x"]),
        (replace(FRESH, limits=Limits(10, 1.0)), ["limits: the plan file says max_deletes=10"]),
        (
            replace(FRESH, changes=(UPDATE, CREATE, DELETE, replace(DELETE, project_id=9))),
            ["delete S/B (id 9): in the plan file, but not in a fresh plan"],
        ),
        (
            replace(FRESH, changes=(UPDATE, CREATE)),
            ["delete S/B (id 2): in a fresh plan of the config, but not in the plan file"],
        ),
        (
            replace(FRESH, changes=(replace(UPDATE, fingerprint=None), CREATE, DELETE)),
            ["update S/A (id 1): a fingerprint differs"],
        ),
        (
            replace(FRESH, changes=(UPDATE, CREATE, replace(DELETE, live=True))),
            ["delete S/B (id 2): the plan file marks it live, a fresh read does not"],
        ),
        (
            replace(
                FRESH,
                changes=(
                    replace(UPDATE, after={"description": "evil"}),
                    CREATE,
                    DELETE,
                ),
            ),
            ["update S/A (id 1): different description"],
        ),
        (
            replace(
                FRESH,
                changes=(
                    replace(UPDATE, fingerprint=fingerprint("S/A", "old", None)),
                    CREATE,
                    DELETE,
                ),
            ),
            ["update S/A (id 1): the project changed since the plan was made (modified)"],
        ),
        (
            replace(FRESH, changes=(CREATE, UPDATE, DELETE)),
            ["the changes are in a different order"],
        ),
        (
            replace(FRESH, changes=(UPDATE, CREATE, DELETE, DELETE)),
            ["delete S/B (id 2): in the plan file, but not in a fresh plan"],
        ),
    ],
)
def test_plan_differences_name_everything_that_differs(saved: Plan, expected: list[str]) -> None:
    problems = plan_differences(saved, FRESH)
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problem


def test_live_trading_started_since_the_plan_is_named() -> None:
    fresh = replace(FRESH, changes=(UPDATE, CREATE, replace(DELETE, live=True)))
    assert plan_differences(FRESH, fresh) == [
        "delete S/B (id 2): live trading started since the plan was made"
    ]

"""`apply PLANFILE`'s two checks, the imperative half of planfile.py (DESIGN.md §4).

1. `bound_config`: the config files the plan names (or -f), refused unless each has the digest
   the plan recorded; parsed from the very bytes that were hashed.
2. `matching_fresh_plan`: that config planned afresh against a fresh read, refused (naming every
   difference) unless it equals the saved plan. The fresh plan is what gets applied, so nothing
   the file says decides what is touched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence

from qcsync.client import QCClient
from qcsync.config import parse_config, read_config_sources
from qcsync.config.codescan import with_code
from qcsync.config.variables import api_tokens
from qcsync.errors import PlanError, StalePlanError
from qcsync.model import DesiredState
from qcsync.plan import Plan
from qcsync.planfile import config_digests, digest_problems, plan_differences, taken_name_problems
from qcsync.planner import PlanOptions, plan
from qcsync.state import read_live_state

RUN_PLAN_AGAIN = "run `qcsync plan -o PLANFILE` again and review the new plan"
NOT_BOUND = "the plan does not match its config; nothing was applied:"
DIFFERS = (
    "the plan is stale or was edited (a fresh plan of its config differs); nothing was applied:"
)


def bound_config(
    saved: Plan,
    paths: Sequence[str],
    env: Mapping[str, str],
    known_tokens: Collection[str] = (),
) -> DesiredState:
    """The config a saved plan was made from, checked against the digests it recorded."""
    if not saved.config:
        raise StalePlanError(digest_problems((), (), given=False), heading=NOT_BOUND)
    sources = read_config_sources(tuple(paths) or tuple(c.path for c in saved.config))
    problems = digest_problems(saved.config, config_digests(sources), given=bool(paths))
    if problems:
        raise StalePlanError([*problems, RUN_PLAN_AGAIN], heading=NOT_BOUND)
    desired = parse_config(sources, env, known_tokens=known_tokens)
    return with_code(desired, api_tokens(env, known_tokens))


def matching_fresh_plan(
    client: QCClient,
    saved: Plan,
    desired: DesiredState,
    parallelism: int,
    targets: Sequence[str] = (),
) -> Plan:
    """A fresh plan of `desired` that equals `saved` (fingerprints included), to be applied.

    `targets` are the applier's `--target` names, never the file's: a plan file that narrowed
    itself could otherwise pass the limits one delete at a time."""
    live = read_live_state(client, desired, parallelism=parallelism)
    try:
        fresh = plan(desired, live, PlanOptions(targets=tuple(targets)))
    except PlanError as error:
        problems = [f"a fresh plan of the config fails: {p}" for p in error.problems]
        raise StalePlanError(
            [*taken_name_problems(saved, live.projects), *problems, RUN_PLAN_AGAIN],
            heading=DIFFERS,
        ) from None
    differences = plan_differences(saved, fresh)
    if differences:
        raise StalePlanError(
            [*taken_name_problems(saved, live.projects), *differences, RUN_PLAN_AGAIN],
            heading=DIFFERS,
        )
    return dataclasses.replace(fresh, config=saved.config)
